"""The channel-side guard: factors are sealed before Rasa sees them, ID and phone numbers scrubbed."""
import datetime as dt
import json

import pytest

from bot.db import session_factory
from bot.status import vault

NOW = dt.datetime(2024, 8, 1, 10, 0)


@pytest.fixture
def session(db_url):
    with session_factory(db_url)() as s:
        yield s


@pytest.mark.parametrize("text, factor", [
    ("0005", "0005"), ("１２３４", "1234"), ("后四位是 123x", "123X"), ("110101199003071234", "1234"),
    ("我的手机13912345678", "5678"), ("DEMO-2024-0005", None), ("算了", None), ("12 34", "1234"),
    ("0005 ok", "0005"), ("id 0005", "0005"), ("id0005", "0005"), ("我的身份证后四位是 0005", "0005"),
    ("2024年的申报什么时候截止", None), ("0005 9005", None), ("后四位0005吗？什么意思", None),
    ("手机尾号9012", "9012"), ("手機後四位9010", "9010"), ("phone last 4 digits 9004", "9004"),
    ("my id card is 0007", "0007"), ("手机号9004对吗，什么时候截止", None),
])
def test_factor_answer(text, factor):
    assert vault.factor_answer(text) == factor


def test_scrub_hides_id_and_mobile_numbers():
    text = vault.scrub("身份证110101199003071234，电话13912345678，编号DEMO-2024-0005")
    assert "110101199003071234" not in text and "13912345678" not in text
    assert vault.ID_PLACEHOLDER in text and vault.PHONE_PLACEHOLDER in text and "DEMO-2024-0005" in text


def test_pending_conversation_gets_a_token_and_the_action_unseals_it_once(session):
    vault.mark_pending(session=session, sender_id="u1", application_id="DEMO-2024-0005", now=NOW)
    out = vault.protect("0005", session=session, sender_id="u1", now=NOW)
    assert out.startswith("/inform_factor") and "0005" not in out
    token = json.loads(out[len("/inform_factor"):])["factor_ref"]
    assert token.isalpha()
    assert vault.unseal(token, session=session, sender_id="other", now=NOW) is None  # wrong conversation
    out = vault.protect("0005", session=session, sender_id="u1", now=NOW)
    token = json.loads(out[len("/inform_factor"):])["factor_ref"]
    assert vault.unseal(token, session=session, sender_id="u1", now=NOW).factor == "0005"
    assert vault.unseal(token, session=session, sender_id="u1", now=NOW) is None  # only once


def test_without_pending_digits_pass_but_id_numbers_do_not(session):
    assert vault.protect("2024年申报截止哪天", session=session, sender_id="u2", now=NOW) == "2024年申报截止哪天"
    assert "110101" not in vault.protect("110101199003071234", session=session, sender_id="u2", now=NOW)


def test_pending_expires(session):
    vault.mark_pending(session=session, sender_id="u3", application_id=None, now=NOW)
    later = NOW + vault.PENDING_FOR + dt.timedelta(seconds=1)
    assert vault.protect("0005", session=session, sender_id="u3", now=later) == "0005"


def test_payloads_and_empty_text_pass_untouched(session):
    vault.mark_pending(session=session, sender_id="u4", application_id=None, now=NOW)
    for text in ('/choose_factor{"factor_kind": "id4"}', "", None):
        assert vault.protect(text, session=session, sender_id="u4", now=NOW) == text


@pytest.mark.parametrize("text", ["公务员能评职称吗", "委托函 二级单位", "ｈｅｌｌｏ", '/ask_faq{"faq_id": "entrustment_letter"}',
                                  "后四位是多少", "<b>申报</b>", "", None])
def test_text_without_digits_is_passed_as_is_without_the_database(session, text):
    """What the channel passes without a database query gives what protect gives, pending or not."""
    assert vault.untouched(text)
    vault.mark_pending(session=session, sender_id="u5", application_id=None, now=NOW)
    assert vault.protect(text, session=session, sender_id="u5", now=NOW) == text
    assert vault.protect(text, session=session, sender_id="u6", now=NOW) == text


@pytest.mark.parametrize("text", ["0005", "１２３４", "①②③④", "/inform_factor", "id0005", "DEMO-2024-0005", "٠٠٠٥"])
def test_digits_of_any_script_and_the_factor_payload_go_to_the_vault(text):
    assert not vault.untouched(text)


@pytest.mark.parametrize("text, kind", [
    ("手机号后四位9001", "phone4"), ("手機尾號9010", "phone4"), ("phone last 4 digits 9004", "phone4"),
    ("身份证后四位0005", "id4"), ("身份證 0005", "id4"), ("id 0005", "id4"), ("my ID card", "id4"),
    ("0005", None), ("后四位是 123X", None), ("avoid 0005", None),
])
def test_the_kind_of_factor_a_typed_message_names(text, kind):
    assert vault.factor_kind_named(text) == kind


def test_a_factor_typed_with_its_kind_is_sealed_and_the_kind_travels_with_the_token(session):
    vault.mark_pending(session=session, sender_id="u3", application_id="DEMO-2024-0001", now=NOW)
    out = vault.protect("手机号后四位9001", session=session, sender_id="u3", now=NOW)
    assert out.startswith("/inform_factor") and "9001" not in out
    entities = json.loads(out[len("/inform_factor"):])
    assert entities["factor_kind"] == "phone4"
    assert vault.unseal(entities["factor_ref"], session=session, sender_id="u3", now=NOW).factor == "9001"
    # a bare factor names no kind: only the token
    vault.mark_pending(session=session, sender_id="u3", application_id="DEMO-2024-0001", now=NOW)
    assert set(json.loads(vault.protect("9001", session=session, sender_id="u3", now=NOW)[14:])) == {"factor_ref"}

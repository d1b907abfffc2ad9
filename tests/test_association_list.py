"""五(二)第3段 with the association list staff import (附件3): a unit on the list needs no 委托函,
and the answer names its list entry; a unit not on it (or no list yet) gets the honest "cannot
confirm" with 附件3 and 12333. The list's contents come only from the imported file."""
from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import delete

from actions.respond import ActionAdvise, ActionAnswerFaq
from bot.advisor.associations import association_facts, named_association
from bot.advisor.decisions import Facts, decide_entrustment
from bot.advisor.directory_import import import_associations
from bot.advisor.models import DecoupledAssociation
from bot.db import session_factory
from bot.wording import say

# a small fixture list, as staff would import it (the real 附件3 is not in the repository)
LISTED = "中国测试机械工业协会"
FIXTURE = f"序号,单位名称\n1,{LISTED}\n2,中国测试纺织品商会\n"


@pytest.fixture
def imported_list(loaded_default_db, tmp_path):
    path = tmp_path / "附件3.csv"
    path.write_text(FIXTURE, encoding="utf-8")
    with session_factory()() as s, s.begin():
        report = import_associations(path, session=s)
    assert report.added == 2
    yield
    with session_factory()() as s, s.begin():
        s.execute(delete(DecoupledAssociation))


def _session():
    return session_factory()()


# -- the pure parts ----------------------------------------------------------------------------------
def test_a_named_association_is_read_from_the_text():
    assert named_association("我在中国汽车工业协会上班，要开委托函吗") == "中国汽车工业协会"
    assert named_association("我在中华全国工商业联合会工作") == "中华全国工商业联合会"
    assert named_association("我在全国性行业协会上班") is None  # a kind of unit, no name
    assert named_association("我在中国的一个协会工作") is None  # a description, no name
    assert named_association("我在中国某某协会上班") is None  # any association: no name either
    assert named_association("我在央企上班") is None


def test_the_listed_unit_needs_no_letter_and_the_reply_names_the_entry():
    v = decide_entrustment(Facts(association=LISTED, association_listed=True, on_decoupled_list=True,
                                 insured_in_beijing=True))
    assert v.decision == "not_needed" and v.clauses == ["五(二)第3段"]
    assert v.summary == say("entrustment.association_listed.summary")
    assert any(LISTED in r for r in v.reasons)


def test_a_unit_not_on_the_list_is_not_confirmed():
    v = decide_entrustment(Facts(association="中国汽车工业协会", association_listed=False))
    assert v.decision == "unknown" and "中国汽车工业协会" in v.summary
    assert v.reasons == [say("entrustment.association_unconfirmed.reason", association="中国汽车工业协会")]
    assert "12333" in v.next_steps[0] and "附件3" in v.next_steps[0]
    # no list imported at all: the same honest answer, saying the list is not there
    v = decide_entrustment(Facts(association="中国汽车工业协会", association_listed=None))
    assert v.decision == "unknown"
    assert v.reasons == [say("entrustment.association_unconfirmed.no_list", association="中国汽车工业协会")]


def test_the_users_own_word_that_the_unit_is_listed_still_counts():
    v = decide_entrustment(Facts(association="中国汽车工业协会", association_listed=False, on_decoupled_list=True,
                                 insured_in_beijing=True))
    assert v.decision == "not_needed" and v.summary == say("entrustment.association.summary")


def test_the_list_is_read_only_from_the_imported_file(loaded_default_db):
    with _session() as s:
        assert association_facts(session=s, text=f"我在{LISTED}") == {"association": LISTED,
                                                                   "association_listed": None}
        assert association_facts(session=s, text="我在央企上班") == {}


def test_the_imported_entry_is_found_in_a_message(imported_list):
    with _session() as s:
        assert association_facts(session=s, text=f"我在{LISTED}上班") == {
            "association": LISTED, "association_listed": True, "on_decoupled_list": True}
        assert association_facts(session=s, text="我在中國測試機械工業協會上班")["association"] == LISTED  # traditional
        assert association_facts(session=s, text="我在中国汽车工业协会上班") == {
            "association": "中国汽车工业协会", "association_listed": False}


# -- through the actions -----------------------------------------------------------------------------
def tracker(text, intent, slots=None):
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.95},
              "intent_ranking": [{"name": intent, "confidence": 0.95}], "entities": []}
    return Tracker("assoc-user", slots or {}, latest, [], False, None, {}, "action_listen")


async def run(action, text, intent, slots=None):
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, tracker(text, intent, slots), {})
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


async def test_a_listed_association_gets_the_listed_answer(imported_list):
    reply = await run(ActionAdvise(), f"我在{LISTED}上班，要不要开委托函", "ask_entrustment")
    assert say("entrustment.association_listed.summary") in reply
    assert say("entrustment.association_listed.reason", association=LISTED) in reply
    assert "五(二)第3段" in reply and "需要开具委托函" not in reply


async def test_an_unlisted_association_gets_the_honest_answer(imported_list):
    reply = await run(ActionAdvise(), "我在中国汽车工业协会上班，要不要开委托函", "ask_entrustment")
    assert say("entrustment.association_unconfirmed.summary", association="中国汽车工业协会") in reply
    assert say("entrustment.association_unconfirmed.reason", association="中国汽车工业协会") in reply
    assert "不需要委托函" not in reply


async def test_the_router_decides_for_the_named_association(imported_list):
    """The same question classified as the FAQ on the letter is decided for this person's unit."""
    reply = await run(ActionAnswerFaq(), f"我在{LISTED}上班，需要开委托函吗", "faq_entrustment_needed")
    assert say("entrustment.association_listed.reason", association=LISTED) in reply

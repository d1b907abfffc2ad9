"""bot.feedback: what a feedback request may hold, and what is stored."""
from __future__ import annotations

import pytest

from bot import feedback
from bot.db import session_factory
from bot.kb.models import FaqEntry

ANSWER = "公务员不得参加专业技术人才职称评审。\n依据：京人社事业字〔2024〕96号 一第4段"


def body(**changes):
    return {"sender": "w-0123abcd", "rating": "down", "answer": ANSWER, "question": "公务员能评职称吗",
            "comment": "想知道事业编", **changes}


def test_a_good_body_parses():
    data = feedback.parse(body())
    assert (data.conversation_id, data.rating, data.comment) == ("w-0123abcd", "down", "想知道事业编")


@pytest.mark.parametrize("bad, message", [
    (["not", "an", "object"], "JSON 对象"),
    (body(sender="bad sender!"), "sender"),
    (body(sender=None), "sender"),
    (body(sender="x" * 129), "sender"),
    (body(rating="meh"), "rating"),
    (body(rating=1), "rating"),
    (body(answer=None), "answer"),
    (body(answer="   \n "), "缺少 answer"),  # blank: refused like a missing one (it used to reach the NOT NULL column)
    (body(answer=["x"]), "answer"),
    (body(answer="答" * 4001), "answer"),
    (body(question={"q": 1}), "question"),
    (body(comment="评" * 501), "comment"),
])
def test_bad_bodies_are_refused_with_a_reason(bad, message):
    with pytest.raises(feedback.FeedbackError, match=message):
        feedback.parse(bad)


def test_cited_clauses_are_read_from_the_citation_line():
    assert feedback.cited_clauses(ANSWER) == ["一第4段"]
    assert feedback.cited_clauses("文字\n依据：京人社事业字〔2024〕96号 三(一)1、五(二)") == ["三(一)1", "五(二)"]
    assert feedback.cited_clauses("没有依据的回答") == []


def test_record_finds_the_faq_entry_and_hides_id_numbers(db_url, session):
    entry = session.query(FaqEntry).filter_by(intent="faq_civil_servant").one()
    answer = f"{entry.answer}\n依据：京人社事业字〔2024〕96号 {'、'.join(entry.clauses)}"
    data = feedback.parse(body(answer=answer, comment="我的身份证110101199003071234", question="公务员呢"))
    with session_factory(db_url)() as s, s.begin():
        row = feedback.record(session=s, data=data)
    assert (row.year, row.faq_id) == (entry.year, entry.id)
    assert row.clauses == list(entry.clauses)
    assert "110101199003071234" not in row.comment and "[身份证号已隐藏]" in row.comment
    assert row.conversation_id == "w-0123abcd" and row.at is not None


def test_an_answer_from_no_faq_entry_has_no_faq_id(db_url, session):
    with session_factory(db_url)() as s, s.begin():
        row = feedback.record(session=s, data=feedback.parse(body(answer="好的，已开始新的对话。")))
    assert row.faq_id is None and row.clauses == []


def test_a_reworded_answer_is_matched_by_its_clauses(db_url, session):
    answer = "结论：公务员不得参加专业技术人才职称评审。\n依据：京人社事业字〔2024〕96号 一第4段"
    with session_factory(db_url)() as s:
        assert feedback.matching_faq(session=s, answer=answer) == (2024, "civil_servant")


def test_a_named_faq_id_wins_when_it_exists(db_url, session):
    with session_factory(db_url)() as s:
        assert feedback.matching_faq(session=s, answer=ANSWER, named="payment") == (2024, "payment")
        assert feedback.matching_faq(session=s, answer=ANSWER, named="no_such_entry") == (2024, "civil_servant")
    with pytest.raises(feedback.FeedbackError, match="faq_id"):
        feedback.parse(body(faq_id="bad id!"))

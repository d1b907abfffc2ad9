"""The action server's knowledge-base snapshot (bot.kb.queries, sessions marked ONE_VERSION as
actions.kb.kb_session marks them): a message asks the database only for the knowledge version once
the version's answers are known, and a published staff edit shows in the very next message."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from actions.kb import kb_session
from bot.actionserver import sync_wording
from bot.db import get_engine, session_factory
from bot.kb import queries, revisions
from bot.kb.search import search

ENTRY, INTENT = "pass_vote", "faq_pass_vote"


@contextmanager
def statements(url: str):
    """The SQL statements run on `url`'s engine inside the block."""
    seen: list[str] = []

    def count(conn, cursor, statement, *args) -> None:
        seen.append(statement)

    engine = get_engine(url)
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", count)


def one_message(session) -> dict:
    """What a message's reply reads from the knowledge base (actions/respond.py, actions/faq.py)."""
    year = queries.current_year(session=session)
    entry = queries.faq_by_id(session=session, year=year, faq_id=ENTRY)
    return {
        "year": year,
        "answer": entry.answer if entry else None,
        "by_intent": getattr(queries.faq_by_intent(session=session, year=year, intent=INTENT), "id", None),
        "by_intents": [e.id for e in queries.faqs_by_intents(session=session, year=year, intents=[INTENT])],
        "by_ids": [e.id for e in queries.faqs_by_ids(session=session, year=year, faq_ids=[ENTRY, "fee_amount"])],
        "notice": queries.notice(session=session, year=year).number,
        "schedule": [s.key for s in queries.schedule(session=session, year=year)],
        "dated": sorted(e.id for e in queries.dated_faqs(session=session, year=year)),
        "steps": [(step, [e.id for e in es]) for step, es in queries.steps(session=session, year=year, parent="三")],
        "retrieval": [h.faq_id for h in search("评审 投票 表决 通过", session=session, year=year, limit=5)],
        "revision": revisions.current_revision(session=session, year=year, key=ENTRY),  # shown with the answer
    }


def plain_reads(url: str) -> dict:
    with session_factory(url)() as s:  # not a message's session: straight SQL, as the web app reads
        return one_message(s)


def test_a_message_reads_only_the_version_once_its_answers_are_known(session, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    with kb_session() as s:
        first = one_message(s)
    assert first == plain_reads(db_url)  # the snapshot answers what the tables hold
    with statements(db_url) as seen, kb_session() as s:
        again = one_message(s)
    assert again == first
    assert len([q for q in seen if q.lstrip().upper().startswith("SELECT")]) == 1, seen  # the version, nothing else


def test_an_action_call_asks_the_version_once_and_sees_a_publish_in_the_next_call(session, db_url, monkeypatch):
    """bot.actionserver's webhook: the version the call's wording was synced with is the one its
    reads use (queries.CALL_VERSION); the next call asks again."""
    monkeypatch.setenv("DATABASE_URL", db_url)

    def call() -> tuple[dict, list[str]]:
        with statements(db_url) as seen:
            token = queries.CALL_VERSION.set(sync_wording())
            try:
                with kb_session() as s:
                    return one_message(s), seen
            finally:
                queries.CALL_VERSION.reset(token)

    first, _ = call()
    again, seen = call()
    assert again == first == plain_reads(db_url)
    assert len([q for q in seen if q.lstrip().upper().startswith("SELECT")]) == 1, seen  # the call's one question
    with session_factory(db_url)() as staff, staff.begin():
        live = revisions.live_data(staff, 2024, "faq", ENTRY)
        draft = revisions.save_draft(session=staff, year=2024, data=dict(live, answer="另一个答复。"), author="ed")
        revisions.publish(session=staff, revision_id=draft.id, publisher="pub")
    after, _ = call()
    assert after["answer"] == "另一个答复。" and after["revision"] == draft.id and after == plain_reads(db_url)


def test_a_published_edit_shows_in_the_next_message(session, db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)
    with kb_session() as s:
        before = one_message(s)
    assert before["answer"] and ENTRY in before["by_intents"] and ENTRY in before["retrieval"]
    # staff edit the answer in the workbench and publish it (another process: its own session)
    with session_factory(db_url)() as staff, staff.begin():
        live = revisions.live_data(staff, 2024, "faq", ENTRY)
        draft = revisions.save_draft(session=staff, year=2024, data=dict(live, answer="新的答复。"), author="ed")
        revisions.publish(session=staff, revision_id=draft.id, publisher="pub")
    with kb_session() as s:
        after = one_message(s)
    assert after["answer"] == "新的答复。" and after["revision"] == draft.id
    assert after == plain_reads(db_url)
    # and disabling it: no message finds it any more
    with session_factory(db_url)() as staff, staff.begin():
        live = revisions.live_data(staff, 2024, "faq", ENTRY)
        draft = revisions.save_draft(session=staff, year=2024, data=dict(live, enabled=False), author="ed")
        revisions.publish(session=staff, revision_id=draft.id, publisher="pub")
    with kb_session() as s:
        gone = one_message(s)
    assert gone["answer"] is None and gone["by_intent"] is None
    assert ENTRY not in gone["by_intents"] + gone["by_ids"] + gone["retrieval"]
    assert gone == plain_reads(db_url)


def test_what_a_message_was_handed_stays_readable_after_its_session_failed(session, db_url, monkeypatch):
    """A turn that fails rolls its session back; the entries the snapshot keeps must not be spoiled
    for the next message (a rollback expires what the session holds)."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    try:
        with kb_session() as s:
            year = queries.current_year(session=s)
            queries.faq_by_id(session=s, year=year, faq_id="fee_amount")
            queries.faqs_by_intents(session=s, year=year, intents=[INTENT])
            raise RuntimeError("the action failed")
    except RuntimeError:
        pass
    with kb_session() as s:
        year = queries.current_year(session=s)
        assert queries.faq_by_id(session=s, year=year, faq_id="fee_amount").answer
        assert [e.question for e in queries.faqs_by_intents(session=s, year=year, intents=[INTENT])]

"""FAQ entries can be disabled: `enabled: false` in faq.yml (default true) is loaded and exported,
a disabled entry is found by no query the bot or the console uses, the workbench disables and
enables one as a revision, and a database made before the column existed gets it at start."""
from __future__ import annotations

import datetime as dt
import sqlite3

import yaml
from sqlalchemy import select

from bot import cli
from bot.db import add_missing_columns, get_engine, session_factory
from bot.kb import exporter, loader, queries, revisions
from bot.kb.models import FaqEntry
from bot.kb.search import search
from bot.staff import console

ENTRY, INTENT, QUERY = "pass_vote", "faq_pass_vote", "评审 投票 表决 通过"


def _edit_faq(kb_dir, faq_id, **fields):
    path = kb_dir / "faq.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(e for e in doc["faq"] if e["id"] == faq_id).update(fields)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")


def found_anywhere(s) -> dict[str, bool]:
    return {
        "by_id": queries.faq_by_id(session=s, year=2024, faq_id=ENTRY) is not None,
        "by_intent": queries.faq_by_intent(session=s, year=2024, intent=INTENT) is not None,
        "by_intents": any(e.id == ENTRY for e in queries.faqs_by_intents(session=s, year=2024, intents=[INTENT])),
        "by_ids": any(e.id == ENTRY for e in queries.faqs_by_ids(session=s, year=2024, faq_ids=[ENTRY])),
        "retrieval": any(h.faq_id == ENTRY for h in search(QUERY, session=s, year=2024, limit=5)),
        "console": any(f["id"] == ENTRY for f in console.search(session=s, query=QUERY, today=dt.date(2026, 11, 24))["faq"]),
    }


def test_kb_load_reads_enabled_false_and_kb_export_writes_it(kb_dir, db_url, monkeypatch, tmp_path):
    monkeypatch.setenv("DATABASE_URL", db_url)
    _edit_faq(kb_dir, ENTRY, enabled=False)
    assert cli.main(["kb", "load", "--dir", str(kb_dir), "--force"]) == 0
    with session_factory(db_url)() as s:
        assert s.get(FaqEntry, (2024, ENTRY)).enabled is False
        assert s.get(FaqEntry, (2024, "publicity")).enabled is True  # the default
        assert not any(found_anywhere(s).values())
    out = tmp_path / "out"
    assert cli.main(["kb", "export", "--out", str(out)]) == 0
    exported = {e["id"]: e for e in yaml.safe_load((out / "faq.yml").read_text(encoding="utf-8"))["faq"]}
    assert exported[ENTRY]["enabled"] is False and "enabled" not in exported["publicity"]


def test_an_enabled_entry_is_found_everywhere(session):
    assert all(found_anywhere(session).values()), found_anywhere(session)


def test_enabled_must_be_a_boolean(kb_dir):
    _edit_faq(kb_dir, ENTRY, enabled="no")
    try:
        loader.read_knowledge(kb_dir)
    except loader.KnowledgeError as err:
        assert any("enabled 必须是 true 或 false" in str(p) and ENTRY in str(p) for p in err.problems)
    else:
        raise AssertionError("enabled: 'no' was accepted")


def test_disabling_is_a_revision_draft_then_publish_then_restore(session):
    live = revisions.live_data(session, 2024, "faq", ENTRY)
    assert "enabled" not in live
    draft = revisions.save_draft(session=session, year=2024, data=dict(live, enabled=False), author="ed")
    assert all(found_anywhere(session).values())  # a draft changes nothing yet
    assert "+enabled: false" in revisions.diff(live, draft.data)
    revisions.publish(session=session, revision_id=draft.id, publisher="pub")
    assert not any(found_anywhere(session).values())
    assert revisions.live_data(session, 2024, "faq", ENTRY)["enabled"] is False
    exported = {e["id"]: e for e in exporter.export(session=session, year=2024).faq}
    assert exported[ENTRY]["enabled"] is False
    first = revisions.history(session=session, year=2024, key=ENTRY)[-1]
    revisions.restore(session=session, revision_id=first.id, author="pub", can_publish=True)
    assert all(found_anywhere(session).values())


def test_a_database_made_before_the_column_gets_it_at_start_once(tmp_path):
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE faq (year INTEGER NOT NULL, id VARCHAR(64) NOT NULL, position INTEGER NOT NULL, "
                "intent VARCHAR(64), topic VARCHAR(32) NOT NULL, question TEXT NOT NULL, answer TEXT NOT NULL, "
                "clauses JSON NOT NULL, keywords JSON NOT NULL, schedule VARCHAR(32), verified BOOLEAN NOT NULL, "
                "source TEXT, PRIMARY KEY (year, id))")
    con.execute("INSERT INTO faq VALUES (2024, 'old', 0, NULL, 't', 'q', 'a', '[\"一\"]', '[]', NULL, 1, NULL)")
    con.commit()
    con.close()
    url = f"sqlite:///{path}"
    engine = get_engine(url)  # what every process does first
    with session_factory(url)() as s:
        entry = s.scalar(select(FaqEntry).where(FaqEntry.id == "old"))
        assert entry.enabled is True and entry.answer == "a"
    assert add_missing_columns(engine) == []  # idempotent: a second start adds nothing

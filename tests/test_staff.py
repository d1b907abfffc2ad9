"""Staff accounts, knowledge revisions, the kb load lifecycle and the agent console's data."""
from __future__ import annotations

import datetime as dt
import io
import json
import sqlite3

import pytest
import yaml
from sqlalchemy import func, select

from bot import cli
from bot.db import session_factory
from bot.kb import revisions
from bot.kb.loader import KnowledgeError, read_knowledge
from bot.kb.models import FaqEntry, KbVersion
from bot.kb.search import search
from bot.staff import accounts, console
from bot.staff.accounts import StaffUser

NOW = dt.datetime(2024, 7, 10, 9, 0)


# -- accounts ---------------------------------------------------------------------------------

@pytest.fixture
def s(db_url):
    with session_factory(db_url)() as session:
        yield session


def test_password_is_hashed_with_argon2_and_checked(s):
    accounts.add_user(session=s, name="wang", role="agent", password="correct horse 1")
    row = s.scalar(select(StaffUser).where(StaffUser.name == "wang"))
    assert row.password_hash.startswith("$argon2id$") and "correct horse" not in row.password_hash
    assert accounts.authenticate(session=s, name="wang", password="correct horse 1", now=NOW).id == row.id
    with pytest.raises(accounts.LoginError, match="账号或密码不正确"):
        accounts.authenticate(session=s, name="wang", password="wrong", now=NOW)
    with pytest.raises(accounts.LoginError, match="账号或密码不正确"):  # unknown names get the same words
        accounts.authenticate(session=s, name="nobody", password="wrong", now=NOW)


def test_wrong_passwords_lock_the_account_even_for_the_right_one(s):
    accounts.add_user(session=s, name="li", role="editor", password="correct horse 1")
    for _ in range(accounts.MAX_FAILURES - 1):
        with pytest.raises(accounts.LoginError, match="不正确"):
            accounts.authenticate(session=s, name="li", password="guess", now=NOW)
    with pytest.raises(accounts.LoginError, match="已锁定"):
        accounts.authenticate(session=s, name="li", password="guess", now=NOW)
    with pytest.raises(accounts.LoginError, match="已锁定"):
        accounts.authenticate(session=s, name="li", password="correct horse 1", now=NOW + dt.timedelta(minutes=5))
    # after the lock-out the right password works again
    assert accounts.authenticate(session=s, name="li", password="correct horse 1",
                                 now=NOW + accounts.LOCKOUT + dt.timedelta(seconds=1))


def test_disabled_accounts_cannot_log_in_and_reset_unlocks(s):
    accounts.add_user(session=s, name="zhao", role="publisher", password="correct horse 1")
    accounts.set_disabled(session=s, name="zhao")
    with pytest.raises(accounts.LoginError, match="停用"):
        accounts.authenticate(session=s, name="zhao", password="correct horse 1", now=NOW)
    accounts.set_disabled(session=s, name="zhao", disabled=False)
    for _ in range(accounts.MAX_FAILURES):
        with pytest.raises(accounts.LoginError):
            accounts.authenticate(session=s, name="zhao", password="x", now=NOW)
    accounts.reset_password(session=s, name="zhao", password="another horse 2")
    assert accounts.authenticate(session=s, name="zhao", password="another horse 2", now=NOW)


@pytest.mark.parametrize("name,role,password,message", [
    ("Wang Wu", "agent", "long enough 1", "账号名"),
    ("wang", "boss", "long enough 1", "角色"),
    ("wang", "agent", "short", "至少"),
])
def test_bad_accounts_are_refused(s, name, role, password, message):
    with pytest.raises(accounts.AccountError, match=message):
        accounts.add_user(session=s, name=name, role=role, password=password)


def test_roles_decide_what_a_page_allows():
    assert accounts.CAN["agent"] == {"agent"}
    assert "publish" not in accounts.CAN["editor"] and "edit" in accounts.CAN["editor"]
    assert {"edit", "publish"} <= accounts.CAN["publisher"] and "agent" not in accounts.CAN["publisher"]


def test_user_command_reads_the_password_from_stdin(db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert cli.main(["user", "add", "chen", "--role", "agent"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password\n"))
    assert cli.main(["user", "add", "chen", "--role", "agent"]) == 1
    assert "已存在" in capsys.readouterr().err
    assert cli.main(["user", "disable", "chen"]) == 0
    with session_factory(db_url)() as s2:
        assert s2.scalar(select(StaffUser).where(StaffUser.name == "chen")).disabled


# -- revisions ---------------------------------------------------------------------------------

def _edited(session, **changes):
    data = revisions.entry_data(session.get(FaqEntry, (2024, "civil_servant")))
    data.update(changes)
    return data


def test_a_draft_is_validated_like_kb_check(session):
    with pytest.raises(KnowledgeError) as err:
        revisions.save_draft(session=session, year=2024, data=_edited(session, clauses=["九(九)"]), author="li")
    assert [str(p) for p in err.value.problems] == ["faq.yml [civil_servant]: 引用了不存在的条款 '九(九)'"]
    with pytest.raises(KnowledgeError, match="answer 为空"):
        revisions.save_draft(session=session, year=2024, data=_edited(session, answer="  "), author="li")


def test_draft_publish_and_restore(session):
    old = session.get(FaqEntry, (2024, "civil_servant")).answer
    version = session.scalar(select(func.max(KbVersion.id)))
    rev = revisions.save_draft(session=session, year=2024, author="li",
                               data=_edited(session, answer="新的答案。", keywords=["公务员", "参公单位测试词"]))
    assert session.get(FaqEntry, (2024, "civil_servant")).answer == old  # a draft is not live
    revisions.publish(session=session, revision_id=rev.id, publisher="wang")
    assert session.get(FaqEntry, (2024, "civil_servant")).answer == "新的答案。"
    assert session.scalar(select(func.max(KbVersion.id))) > version  # retrieval rebuilds
    assert search("参公单位测试词", session=session, year=2024)[0].faq_id == "civil_servant"
    with pytest.raises(revisions.RevisionError):
        revisions.publish(session=session, revision_id=rev.id, publisher="wang")  # not twice

    history = revisions.history(session=session, year=2024, key="civil_servant")
    assert [r.status for r in history] == ["published", "superseded"]
    assert history[0].author == "li" and history[0].published_by == "wang"
    changed = revisions.diff(history[1].data, history[0].data)
    assert "+answer: 新的答案。" in changed and any(line.startswith("-answer:") for line in changed)

    restored = revisions.restore(session=session, revision_id=history[1].id, author="wang", can_publish=True)
    assert restored.status == "published" and restored.note == f"恢复为修订 #{history[1].id}"
    assert session.get(FaqEntry, (2024, "civil_servant")).answer == old


def test_an_editor_restore_is_only_a_draft(session):
    rev = revisions.save_draft(session=session, year=2024, author="li", data=_edited(session, answer="甲。"))
    revisions.publish(session=session, revision_id=rev.id, publisher="wang")
    base = revisions.history(session=session, year=2024, key="civil_servant")[-1]
    draft = revisions.restore(session=session, revision_id=base.id, author="li", can_publish=False)
    assert draft.status == "draft" and session.get(FaqEntry, (2024, "civil_servant")).answer == "甲。"


# -- kb load lifecycle ------------------------------------------------------------------------

def _staff_edit(db_url, answer):
    with session_factory(db_url)() as s, s.begin():
        rev = revisions.save_draft(session=s, year=2024, author="li", data=_edited(s, answer=answer))
        revisions.publish(session=s, revision_id=rev.id, publisher="wang")


def _answer(db_url):
    with session_factory(db_url)() as s:
        return s.get(FaqEntry, (2024, "civil_servant")).answer


def test_kb_load_imports_only_changes_and_never_over_staff_edits(kb_dir, db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert cli.main(["kb", "load", "--dir", str(kb_dir)]) == 0
    assert cli.main(["kb", "load", "--dir", str(kb_dir)]) == 0
    assert "没有变化" in capsys.readouterr().out
    with session_factory(db_url)() as s:
        assert s.scalar(select(func.count(KbVersion.id))) == 1

    _staff_edit(db_url, "工作台改写的答案。")
    assert cli.main(["kb", "load", "--dir", str(kb_dir)]) == 0  # unchanged YAML: what make run does
    assert _answer(db_url) == "工作台改写的答案。"

    doc = yaml.safe_load((kb_dir / "faq.yml").read_text(encoding="utf-8"))
    doc["faq"][0]["answer"] += "（YAML 改动）"
    (kb_dir / "faq.yml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    capsys.readouterr()
    assert cli.main(["kb", "load", "--dir", str(kb_dir)]) == 3
    err = capsys.readouterr().err
    assert "未导入" in err and "civil_servant" in err and "--force" in err
    assert cli.main(["kb", "load", "--dir", str(kb_dir), "--keep-staff-edits"]) == 0
    assert _answer(db_url) == "工作台改写的答案。"

    # export writes the staff edit back to YAML; loading that is a no-op for the entry
    out = kb_dir.parent / "exported"
    assert cli.main(["kb", "export", "--out", str(out)]) == 0
    assert read_knowledge(out).faq[[e["id"] for e in read_knowledge(out).faq].index("civil_servant")]["answer"] \
        == "工作台改写的答案。"
    assert cli.main(["kb", "load", "--dir", str(kb_dir), "--force"]) == 0
    assert _answer(db_url) != "工作台改写的答案。"
    with session_factory(db_url)() as s:  # the overwritten edit stays in the history
        assert any(r.data["answer"] == "工作台改写的答案。"
                   for r in revisions.history(session=s, year=2024, key="civil_servant"))


# -- agent console -------------------------------------------------------------------------------

@pytest.mark.parametrize("query,expected", [
    ("委托函 央企 二级", "entrustment_needed"),
    ("委託函 央企 二級", "entrustment_needed"),  # traditional
    ("公务员 评职称", "civil_servant"),
])
def test_console_search_finds_the_bots_answer(session, query, expected):
    found = console.search(session=session, query=query, today=dt.date(2024, 7, 10))
    top = found["faq"][0]
    assert top["id"] == expected
    assert top["answer"].splitlines()[-1].startswith("依据：京人社事业字〔2024〕96号")
    assert all(c["text"] for c in top["clauses"])
    assert found["clauses"] and found["clauses"][0]["text"]


def test_console_search_of_nothing_is_empty(session):
    assert console.search(session=session, query="   ", today=dt.date(2024, 7, 10))["faq"] == []


def test_console_advisor_uses_the_decision_functions(session):
    advice = console.advise(session=session, today=dt.date(2024, 7, 10), form={
        "topic": "entrustment", "series": "工程技术", "level": "副高级", "employer": "中央在京单位二级",
        "insured_in_beijing": "yes"})
    assert advice.decision == "needed" and "五(二)" in [c["id"] for c in advice.clauses]
    assert advice.text.startswith("结论：")
    with pytest.raises(ValueError, match="没有"):
        console.advise(session=session, today=dt.date(2024, 7, 10), form={"topic": "eligibility", "level": "特级"})


def test_transcript_is_read_from_the_tracker_store_read_only(tmp_path):
    db = tmp_path / "tracker.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL, "
                "intent_name TEXT, action_name TEXT, data TEXT)")
    for kind, body in (("user", {"text": "委托函怎么开"}), ("action", {"name": "action_respond"}),
                       ("bot", {"text": "需要开具委托函。"}), ("user", {"text": "转人工"})):
        con.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, ?, ?, ?)",
                    ("w-1", kind, 1720000000.0, json.dumps({"event": kind, "timestamp": 1720000000.0, **body})))
    con.commit()
    con.close()
    from sqlalchemy.engine import URL
    lines = console.transcript(url=URL.create("sqlite", database=str(db)), conversation_id="w-1")
    assert [(x.who, x.text) for x in lines] == [("用户", "委托函怎么开"), ("助手", "需要开具委托函。"), ("用户", "转人工")]
    assert console.transcript(url=URL.create("sqlite", database=str(tmp_path / "none.db")), conversation_id="w") is None
    # an in-memory store (sqlite://) is Rasa's alone: nothing to read, not a TypeError on Path(None)
    assert console.transcript(url=URL.create("sqlite"), conversation_id="w") is None


# -- unanswered-question inbox ------------------------------------------------------------------

def test_inbox_groups_similar_questions_and_linking_makes_them_keywords(session):
    from bot.kb.queries import record_unanswered
    from bot.staff import inbox
    for text in ("职称证书丢了能补办吗", "职称证书丢了怎么补办", "证书丢了能不能补办", "评审会场有停车位吗"):
        record_unanswered(session=session, text=text, reason="no_match", top_faq="certificate")
    record_unanswered(session=session, text="我的手机13800138000收不到短信", reason="no_match")
    session.flush()
    found = inbox.groups(session=session)
    assert [g.count for g in found] == [3, 1, 1]
    lost = found[0]
    assert lost.texts[0] == "职称证书丢了能补办吗" and lost.suggested == "certificate"
    assert any("*" in t for g in found for t in g.texts)  # digits masked when recorded

    rev = inbox.link(session=session, ids=lost.key, faq_id="certificate", by="wang", can_publish=True)
    assert rev.status == "published" and "收件箱" in rev.note
    keywords = session.get(FaqEntry, (2024, "certificate")).keywords
    assert "职称证书丢了能补办吗" in keywords and "证书丢了能不能补办" in keywords
    assert search("证书丢了能补办吗", session=session, year=2024)[0].faq_id == "certificate"
    exact = search("证书丢了，能不能补办？", session=session, year=2024)[0]  # a linked question, as typed
    assert exact.faq_id == "certificate" and exact.score == 1.0
    parking = next(g for g in inbox.groups(session=session) if "停车" in g.texts[0])
    assert inbox.dismiss(session=session, ids=parking.key, by="wang") == 1
    assert [g.count for g in inbox.groups(session=session)] == [1]
    with pytest.raises(ValueError, match="已经处理"):
        inbox.dismiss(session=session, ids=parking.key, by="wang")
    with pytest.raises(ValueError, match="请先选择"):  # no entry chosen (the page offers none when nothing was suggested)
        inbox.link(session=session, ids=inbox.groups(session=session)[0].key, faq_id="", by="wang", can_publish=True)
    with pytest.raises(ValueError, match="没有问答条目"):
        inbox.link(session=session, ids=inbox.groups(session=session)[0].key, faq_id="nope", by="wang",
                   can_publish=True)


def test_the_inbox_comes_in_pages_and_can_be_searched(session):
    from bot.kb.queries import record_unanswered
    from bot.staff import inbox
    from tests.conftest import unlike_questions
    texts = unlike_questions(inbox.PER_PAGE + 5)
    texts[7] = "评审专家是怎么抽取的"
    for text in texts:
        record_unanswered(session=session, text=text, reason="no_match")
    session.flush()
    assert len(inbox.groups(session=session)) == len(texts)  # each its own group

    first = inbox.page(session=session)
    assert (first.number, first.pages, first.total_groups, first.total_questions) == (1, 2, len(texts), len(texts))
    assert len(first.groups) == inbox.PER_PAGE
    last = inbox.page(session=session, number=2)
    assert len(last.groups) == 5 and not {g.key for g in last.groups} & {g.key for g in first.groups}
    assert inbox.page(session=session, number=99).number == 2 and inbox.page(session=session, number=-3).number == 1

    found = inbox.page(session=session, query=" 專家 ")  # traditional, spaces: as typed
    assert [g.texts[0] for g in found.groups] == ["评审专家是怎么抽取的"] and found.total_groups == 1
    assert found.query == "專家"
    assert inbox.page(session=session, query="没有这样的问题").groups == []


def test_schedule_dates_and_clauses_are_revisions_too(session):
    from bot.kb.models import Clause, ScheduleStage
    data = revisions.live_data(session, 2024, "stage", "personal_apply")
    with pytest.raises(KnowledgeError, match="开始日期晚于截止日期"):
        revisions.save_draft(session=session, year=2024, kind="stage", author="li",
                             data={**data, "start": "2024-07-30"})
    with pytest.raises(KnowledgeError, match="end 日期无效"):
        revisions.save_draft(session=session, year=2024, kind="stage", author="li", data={**data, "end": "7月23日"})
    rev = revisions.save_draft(session=session, year=2024, kind="stage", author="li", data={**data, "end": "2024-07-26"})
    revisions.publish(session=session, revision_id=rev.id, publisher="wang")
    assert session.get(ScheduleStage, (2024, "personal_apply")).end == dt.date(2024, 7, 26)
    assert revisions.staff_edits_since_import(session=session, year=2024) == ["personal_apply"]

    clause = revisions.live_data(session, 2024, "clause", "一第4段")
    rev = revisions.save_draft(session=session, year=2024, kind="clause", author="li",
                               data={**clause, "text": clause["text"] + "（测试）"})
    revisions.publish(session=session, revision_id=rev.id, publisher="wang")
    assert session.get(Clause, (2024, "一第4段")).text.endswith("（测试）")
    first = revisions.history(session=session, year=2024, key="一第4段", kind="clause")[-1]
    revisions.restore(session=session, revision_id=first.id, author="wang", can_publish=True)
    assert session.get(Clause, (2024, "一第4段")).text == clause["text"]
    assert revisions.history(session=session, year=2024, key="personal_apply", kind="faq") == []


def test_dashboard_counts_questions_unanswered_handovers_and_thumbs_down(session, tmp_path):
    from sqlalchemy.engine import URL

    from bot import handover
    from bot.feedback import FeedbackInput, record
    from bot.kb.queries import record_unanswered
    from bot.staff import dashboard
    today = dt.date.today()
    noon = dt.datetime.combine(today, dt.time(12))
    db = tmp_path / "tracker.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT, type_name TEXT, timestamp REAL, data TEXT)")
    for sender, n in (("a", 3), ("b", 1)):
        for _ in range(n):
            con.execute("INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (?, 'user', ?, '{}')",
                        (sender, noon.timestamp()))
    con.commit()
    con.close()
    record_unanswered(session=session, text="停车位", reason="no_match")
    handover.create(session=session, conversation_id="b", now=noon)
    for rating in ("down", "up", "up", "up"):
        record(session=session, now=noon, data=FeedbackInput(conversation_id="a", rating=rating, question="q",
                                                             comment=None, answer="x", faq_id="certificate"))
    found = dashboard.figures(session=session, tracker_url=URL.create("sqlite", database=str(db)), today=today)
    day = found.days[-1]
    assert (day.questions, day.conversations, day.unanswered, day.handovers, day.rated, day.down) == (4, 2, 1, 1, 4, 1)
    assert (day.unanswered_rate, day.handover_rate, day.without_handover, day.down_rate) == ("25%", "50%", "50%", "25%")
    assert found.topics == [(session.get(FaqEntry, (2024, "certificate")).topic, 4, 1)]
    assert found.total.questions == 4 and len(found.days) == 14


def test_a_new_entry_from_an_inbox_group(session):
    from bot.kb.queries import record_unanswered
    from bot.staff import inbox
    for text in ("评审会场有停车位吗", "评审会场能停车吗"):
        record_unanswered(session=session, text=text, reason="no_match")
    session.flush()
    group = inbox.groups(session=session)[0]
    data = {"id": "parking", "topic": "其他", "question": "评审会场能停车吗？", "answer": "通知没有说明停车安排。",
            "clauses": ["九(九)"]}
    with pytest.raises(KnowledgeError, match="引用了不存在的条款"):
        inbox.create_entry(session=session, ids=group.key, data=data, by="wang", can_publish=True)
    with pytest.raises(ValueError, match="已存在"):
        inbox.create_entry(session=session, ids=group.key, data={**data, "id": "certificate"}, by="wang",
                           can_publish=True)
    rev = inbox.create_entry(session=session, ids=group.key, data={**data, "clauses": ["一"]}, by="wang",
                             can_publish=True)
    entry = session.get(FaqEntry, (2024, "parking"))
    assert rev.status == "published" and entry.answer == "通知没有说明停车安排。"
    assert entry.keywords == ["评审会场有停车位吗", "评审会场能停车吗"] and inbox.groups(session=session) == []
    assert search("评审会场能停车吗", session=session, year=2024)[0].faq_id == "parking"


@pytest.mark.parametrize("kind, key", [("clause", "一第4段"), ("stage", "personal_apply"), ("wording", "common.hotline")])
def test_a_draft_of_something_an_import_removed_is_refused_not_crashed(session, kind, key):
    """A clause, date or sentence drafted by staff and then dropped by a `kb load` cannot be published:
    the staff see why, and the draft stays a draft (publishing used to die on None)."""
    from bot.kb.models import Clause, ScheduleStage, Template
    data = revisions.live_data(session, 2024, kind, key)
    rev = revisions.save_draft(session=session, year=2024, kind=kind, author="li", data=data)
    model = {"clause": Clause, "stage": ScheduleStage, "wording": Template}[kind]
    session.delete(session.get(model, (2024, key)))
    session.flush()
    with pytest.raises(revisions.RevisionError, match=f"{key} 已不在知识库中"):
        revisions.publish(session=session, revision_id=rev.id, publisher="wang")
    assert session.get(revisions.KbRevision, rev.id).status == "draft"

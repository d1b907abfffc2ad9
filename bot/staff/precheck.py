"""Before a publisher confirms a draft: what it does to the development question set.

The running bot is asked each question of the development set (tests/e2e/questions.yml, or
ZHICHENG_PRECHECK_QUESTIONS) once, over its REST channel, with sender ids that start with
PROBE_PREFIX; that tells which FAQ entry answers which question (every FAQ reply carries
`custom.faq_id`), without re-implementing the NLU and the router here. The answers are cached
per knowledge-base version (the latest KbVersion id: every publish and load adds one), so a
second publish page of the same version asks nothing. The probe's conversations are deleted
from the tracker store right after (their senders all share the prefix), and the action server
does not log their misses as unanswered questions.

For the questions the entry (or, for a schedule stage, the entries dated by it) answers, the
reply is rendered again with the draft's text exactly as the bot does (bot.answers.render_faq)
and both replies are scored with the development set's own check (tests/e2e/ask.py `check`).

What it cannot tell is said, not guessed: a draft that changes the question or the keywords (or
a new entry, or a disabled one) may move other questions to or away from the entry; only asking
the bot after publishing shows that.
"""
from __future__ import annotations

import datetime as dt
import importlib.util
import logging
import os
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
import yaml
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from bot import answers, wording
from bot.config import PROBE_PREFIX, ROOT
from bot.kb import queries
from bot.kb.models import FaqEntry, KbVersion, ScheduleStage

log = logging.getLogger("zhicheng.web.precheck")
DEV_SET = ROOT / "tests" / "e2e" / "questions.yml"
WORKERS = 4
TIMEOUT = 30.0
CACHE_SECONDS = 6 * 3600  # a new model (a re-train) routes differently: do not keep answers forever


def questions_path() -> Path:
    return Path(os.environ.get("ZHICHENG_PRECHECK_QUESTIONS") or DEV_SET)


def _load_scorer(path: Path) -> Callable[[dict[str, Any], str], list[str]]:
    """`check` of tests/e2e/ask.py beside the question set: the score is the development set's own."""
    spec = importlib.util.spec_from_file_location("zhicheng_precheck_ask", path.parent / "ask.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(path.parent / "ask.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    check: Callable[[dict[str, Any], str], list[str]] = module.check
    return check


def load_questions(path: Path) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    for q in out:
        if "text_repeat" in q:
            q["text"] = q["text_repeat"]["unit"] * q["text_repeat"]["times"]
    return out


# -- asking the running bot ---------------------------------------------------------------------
@dataclass
class Asked:
    question: dict[str, Any]  # an entry of the question set (YAML)
    faq_ids: list[str]  # the entries the reply answered from, in order
    messages: list[str]  # the texts of the reply's messages

    @property
    def reply(self) -> str:
        return "\n".join(self.messages)


class Unreachable(RuntimeError):
    """The bot did not answer; the text says why (shown on the page)."""


def faq_ids_of(body: list[Any]) -> list[str]:  # Rasa's JSON reply
    ids = []
    for m in body:
        custom = m.get("custom") if isinstance(m, dict) else None
        if isinstance(custom, dict) and custom.get("faq_id"):
            ids.append(str(custom["faq_id"]))
    return ids


def probe(rasa_url: str, questions: list[dict[str, Any]], *, run_id: str, workers: int = WORKERS,
          timeout: float = TIMEOUT) -> list[Asked]:
    def one(q: dict[str, Any]) -> Asked:
        sender = f"{PROBE_PREFIX}{run_id}-{q['id']}"
        resp = requests.post(f"{rasa_url}/webhooks/rest/webhook", json={"sender": sender, "message": q["text"]},
                             headers={"X-Real-IP": "127.0.0.1"}, timeout=timeout)
        resp.raise_for_status()
        body = resp.json()
        return Asked(q, faq_ids_of(body), [m["text"] for m in body if isinstance(m, dict) and m.get("text")])

    try:
        first = one(questions[0])  # a bot that is down fails fast, not once per question
    except (requests.RequestException, ValueError) as err:
        raise Unreachable(f"对话服务（{rasa_url}）没有应答：{type(err).__name__}") from None
    try:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            return [first, *pool.map(one, questions[1:])]
    except (requests.RequestException, ValueError) as err:
        raise Unreachable(f"对话服务（{rasa_url}）中途没有应答：{type(err).__name__}") from None


def forget(tracker_url: URL | None, run_id: str) -> int:
    """Delete the probe's conversations from Rasa's SQL tracker store; how many events went."""
    if tracker_url is None:
        return 0
    engine = create_engine(tracker_url, future=True)
    try:
        with engine.begin() as conn:
            return conn.execute(text("DELETE FROM events WHERE sender_id LIKE :p"),
                                {"p": f"{PROBE_PREFIX}{run_id}-%"}).rowcount or 0
    finally:
        engine.dispose()


_cache: dict[tuple[str, int, str], tuple[float, list[Asked]]] = {}
_lock = threading.Lock()  # one probe at a time: a second publisher waits and gets the cached answers


def routed(*, rasa_url: str, kb_version: int, tracker_url: URL | None, path: Path) -> list[Asked]:
    key = (rasa_url, kb_version, str(path))
    with _lock:
        hit = _cache.get(key)
        if hit and time.monotonic() - hit[0] < CACHE_SECONDS:
            return hit[1]
        run_id = uuid.uuid4().hex[:8]
        started = time.perf_counter()
        try:
            asked = probe(rasa_url, load_questions(path), run_id=run_id)
        finally:
            forgotten = forget(tracker_url, run_id)
        log.info("publish check: %d questions asked in %.1f s (knowledge version %d), %d tracker events deleted",
                 len(asked), time.perf_counter() - started, kb_version, forgotten)
        _cache.clear()  # only the newest version is worth keeping
        _cache[key] = (time.monotonic(), asked)
        return asked


# -- comparing the replies (pure) -----------------------------------------------------------------
@dataclass
class Change:
    id: str
    text: str
    old: str
    new: str
    before: list[str]  # problems of the old reply (empty = passes)
    after: list[str]

    @property
    def verdict(self) -> str:
        if not self.before and self.after:
            return "now_fails"
        if self.before and not self.after:
            return "now_passes"
        return "changed"


def compare(asked: list[Asked], replaced: dict[str, tuple[str, str]],
            check: Callable[[dict[str, Any], str], list[str]]) -> tuple[list[Change], list[Asked]]:
    """The replies that change when each entry's old rendered text becomes its new one
    ({faq_id: (old, new)}), scored before and after; and the answered questions whose reply did
    not contain the old text as rendered here (they cannot be compared)."""
    changes, unknown = [], []
    for a in asked:
        mine = [f for f in a.faq_ids if f in replaced]
        if not mine:
            continue
        reply = a.reply
        new_reply = reply
        for faq_id in dict.fromkeys(mine):
            old, new = replaced[faq_id]
            if old not in new_reply:
                unknown.append(a)
                break
            new_reply = new_reply.replace(old, new)
        else:
            if new_reply != reply:
                changes.append(Change(a.question["id"], a.question["text"], reply, new_reply,
                                      check(a.question, reply), check(a.question, new_reply)))
    order = {"now_fails": 0, "now_passes": 1, "changed": 2}
    return sorted(changes, key=lambda c: order[c.verdict]), unknown


# -- the report for one draft ------------------------------------------------------------------
@dataclass
class Report:
    asked: int = 0
    answered_by: list[str] = field(default_factory=list)  # question ids the record's entries answer now
    changes: list[Change] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the check cannot tell
    leaving: list[Asked] = field(default_factory=list)  # answered by an entry the draft disables
    error: str | None = None  # the check did not run (bot down, no question set)

    @property
    def now_fails(self) -> list[Change]:
        return [c for c in self.changes if c.verdict == "now_fails"]

    @property
    def now_passes(self) -> list[Change]:
        return [c for c in self.changes if c.verdict == "now_passes"]


def _entry(data: dict[str, Any], year: int) -> FaqEntry:
    """A draft as the row the bot would read (not added to any session)."""
    return FaqEntry(year=year, id=data["id"], position=0, intent=data.get("intent"), topic=data["topic"],
                    question=data["question"], answer=data["answer"], clauses=list(data["clauses"]),
                    keywords=list(data.get("keywords", [])), schedule=data.get("schedule"),
                    verified=data.get("verified", True), source=data.get("source"))


def _stage(data: dict[str, Any], year: int) -> ScheduleStage:
    return ScheduleStage(year=year, key=data["key"], position=0, name=data["name"], clause=data["clause"],
                         start=dt.date.fromisoformat(data["start"]) if data.get("start") else None,
                         end=dt.date.fromisoformat(data["end"]),  # a saved draft passed kb check: it has one
                         end_text=data.get("end_text"))


def replacements(*, session: Session, year: int, kind: str, draft: dict[str, Any], live: dict[str, Any] | None,
                 today: dt.date) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """{faq_id: (reply text now, reply text with the draft)} and the notes on what cannot be known."""
    wording.sync(session=session)
    notice = queries.notice(session=session, year=year)
    if notice is None:  # a draft is saved only against a loaded notice
        raise LookupError(f"no notice for {year}")
    stages = {s.key: s for s in queries.schedule(session=session, year=year)}
    notes: list[str] = []

    def render(entry: FaqEntry, stage_map: dict[str, ScheduleStage]) -> str:
        stage = stage_map.get(entry.schedule) if entry.schedule else None
        return answers.render_faq(entry, notice_number=notice.number, stage=stage, today=today)

    if kind == "stage":
        new_stages = dict(stages, **{draft["key"]: _stage(draft, year)})
        dated = session.scalars(select(FaqEntry).where(FaqEntry.year == year, FaqEntry.schedule == draft["key"]))
        return {e.id: (render(e, stages), render(e, new_stages)) for e in dated}, notes
    if kind == "wording":
        notes.append("回复模板：检查没有用草稿重新生成用到这个模板的回复，问题集也没有运行。发布后下一条回复就用新的说法，"
                     "请在对话里试问；不合适可以在历史里恢复。")
        return {}, notes
    if kind != "faq":
        notes.append("条款的正文不出现在问答回复里，问题集的问答回复不受这次修改影响；顾问的回复没有检查。")
        return {}, notes
    if live is None:
        notes.append("这是新条目：现在没有问题由它回答。发布后哪些问题会改由它回答，检查无法判断"
                     "（它靠检索被找到，发布后请在对话里试问）。")
        return {}, notes
    if draft.get("enabled", True) is False and live.get("enabled", True) is not False:
        notes.append("草稿停用这个条目：下面由它回答的问题，发布后会改由别的条目回答或得到“无法回答”，"
                     "具体回复检查无法判断。")
        return {}, notes
    if live.get("enabled", True) is False and draft.get("enabled", True) is not False:
        notes.append("草稿重新启用这个条目：现在没有问题由它回答。发布后哪些问题会改由它回答，检查无法判断。")
        return {}, notes
    if (draft.get("question"), draft.get("keywords"), draft.get("intent")) != \
            (live.get("question"), live.get("keywords"), live.get("intent")):
        notes.append("草稿改了问题或检索关键词：检索的排序会变，别的问题可能改由这个条目回答，这个条目的问题也可能改由"
                     "别的条目回答。下面只比较现在由它回答的问题，路由的变化检查无法判断。")
    current = session.get(FaqEntry, (year, live["id"]))
    if current is None:  # deleted by an import since `live` was read: nothing answers from it now
        return {}, notes
    return {live["id"]: (render(current, stages), render(_entry(draft, year), stages))}, notes


@dataclass
class Plan:
    """What a check needs from the database, gathered in one short read (the probe that follows
    takes minutes the first time and must not hold a database connection)."""
    kind: str
    key: str
    replaced: dict[str, tuple[str, str]]
    notes: list[str]
    kb_version: int
    disables: bool = False


def plan(*, session: Session, year: int, kind: str, draft: dict[str, Any], live: dict[str, Any] | None,
         today: dt.date) -> Plan:
    replaced, notes = replacements(session=session, year=year, kind=kind, draft=draft, live=live, today=today)
    version = session.scalar(select(KbVersion.id).order_by(KbVersion.id.desc()).limit(1)) or 0
    disables = kind == "faq" and live is not None and draft.get("enabled", True) is False \
        and live.get("enabled", True) is not False
    return Plan(kind, str(draft.get("id") or draft.get("key")), replaced, notes, version, disables)


def check_draft(p: Plan, *, rasa_url: str, tracker_url: URL | None) -> Report:
    report = Report(notes=list(p.notes))
    if p.kind in ("clause", "wording"):
        return report
    path = questions_path()
    try:
        check = _load_scorer(path)
    except (OSError, SyntaxError) as err:
        report.error = f"没有找到开发问题集的评分脚本（{type(err).__name__}），检查没有运行。"
        return report
    try:
        asked = routed(rasa_url=rasa_url, kb_version=p.kb_version, tracker_url=tracker_url, path=path)
    except Unreachable as err:
        report.error = f"{err}。检查没有运行：请自行判断是否发布。"
        return report
    except (OSError, yaml.YAMLError, KeyError, IndexError) as err:
        report.error = f"开发问题集读不了（{type(err).__name__}），检查没有运行。"
        return report
    report.asked = len(asked)
    entries = set(p.replaced) | ({p.key} if p.kind == "faq" else set())
    report.answered_by = [a.question["id"] for a in asked if entries & set(a.faq_ids)]
    if p.disables:
        report.leaving = [a for a in asked if p.key in a.faq_ids]
    report.changes, unknown = compare(asked, p.replaced, check)
    report.unknown = [a.question["id"] for a in unknown]
    return report

"""The staff dashboard: the figures hotline managers report, per day and by topic.

- questions: user messages in Rasa's tracker store (read-only), conversations: distinct senders;
- can't answer: questions the bot recorded as unanswered (bot.kb.queries.record_unanswered);
- hand-over: hand-over codes given (bot.handover); answered without hand-over = conversations
  that got no code;
- 👎: feedback rows rated down, of all rated (bot.feedback), and by the FAQ entry's topic.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import inspect, select, text
from sqlalchemy.engine import URL
from sqlalchemy.orm import Session

from bot.feedback_model import Feedback
from bot.handover import Handover
from bot.kb.models import FaqEntry, UnansweredQuestion


@dataclass
class Day:
    day: dt.date
    questions: int = 0
    conversations: int = 0
    unanswered: int = 0
    handovers: int = 0
    rated: int = 0
    down: int = 0

    @staticmethod
    def rate(part: int, whole: int) -> str:
        return f"{part / whole:.0%}" if whole else "—"

    @property
    def unanswered_rate(self) -> str:
        return self.rate(self.unanswered, self.questions)

    @property
    def handover_rate(self) -> str:
        return self.rate(self.handovers, self.conversations)

    @property
    def without_handover(self) -> str:
        return self.rate(max(self.conversations - self.handovers, 0), self.conversations)

    @property
    def down_rate(self) -> str:
        return self.rate(self.down, self.rated)


@dataclass
class Figures:
    days: list[Day]
    topics: list[tuple[str, int, int]] = field(default_factory=list)  # topic, rated, down
    tracker: bool = True  # whether the tracker store could be read

    @property
    def total(self) -> Day:
        out = Day(self.days[-1].day if self.days else dt.date.today())
        for d in self.days:
            for name in ("questions", "conversations", "unanswered", "handovers", "rated", "down"):
                setattr(out, name, getattr(out, name) + getattr(d, name))
        return out


def _tracker_counts(url: URL | None, since: dt.datetime) -> tuple[dict[dt.date, tuple[int, int]], bool]:
    """{date: (user messages, distinct senders)} from the tracker store, read-only."""

    from bot.staff.console import _read_only, store_exists
    if url is None or not store_exists(url):
        return {}, False
    engine = _read_only(url)
    try:
        if not inspect(engine).has_table("events"):
            return {}, True
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT sender_id, timestamp FROM events WHERE type_name = 'user' "
                                     "AND timestamp >= :since"), {"since": since.timestamp()}).all()
    finally:
        engine.dispose()
    messages: Counter[dt.date] = Counter()
    senders: dict[dt.date, set[str]] = {}
    for sender, ts in rows:
        day = dt.datetime.fromtimestamp(ts).date()
        messages[day] += 1
        senders.setdefault(day, set()).add(sender)
    return {d: (n, len(senders[d])) for d, n in messages.items()}, True


def figures(*, session: Session, tracker_url: URL | None, today: dt.date, days: int = 14) -> Figures:
    first = today - dt.timedelta(days=days - 1)
    since = dt.datetime.combine(first, dt.time())
    table = {first + dt.timedelta(days=i): Day(first + dt.timedelta(days=i)) for i in range(days)}
    counts, readable = _tracker_counts(tracker_url, since)
    for day, (questions, conversations) in counts.items():
        if day in table:
            table[day].questions, table[day].conversations = questions, conversations
    for at, in session.execute(select(UnansweredQuestion.asked_at).where(UnansweredQuestion.asked_at >= since)):
        if at.date() in table:
            table[at.date()].unanswered += 1
    for at, in session.execute(select(Handover.created_at).where(Handover.created_at >= since)):
        if at.date() in table:
            table[at.date()].handovers += 1
    topics: dict[str, list[int]] = {}
    topic_of: dict[str, str] = {faq_id: topic for faq_id, topic in session.execute(select(FaqEntry.id, FaqEntry.topic))}
    for at, rating, faq_id in session.execute(select(Feedback.at, Feedback.rating, Feedback.faq_id)
                                              .where(Feedback.at >= since)):
        if at.date() in table:
            table[at.date()].rated += 1
            table[at.date()].down += rating == "down"
        t = topics.setdefault(topic_of.get(faq_id, "（未对应条目）"), [0, 0])
        t[0] += 1
        t[1] += rating == "down"
    ordered = sorted(((k, v[0], v[1]) for k, v in topics.items()), key=lambda x: (-x[2], -x[1], x[0]))
    return Figures(days=[table[d] for d in sorted(table)], topics=ordered, tracker=readable)


@dataclass(frozen=True)
class Stale:
    faq_id: str
    revision: int | None  # what the reply was rendered from (None: the first import's text)
    current: int | None
    replies: int
    last: dt.datetime


def stale_answers(*, session: Session, tracker_url: URL | None, limit: int = 20000) -> list[Stale]:
    """Replies given from an entry's text that has since changed (by the revision each reply recorded)."""

    from bot.kb import queries, revisions
    from bot.staff.console import _read_only, store_exists
    if tracker_url is None or not store_exists(tracker_url):
        return []
    engine = _read_only(tracker_url)
    try:
        if not inspect(engine).has_table("events"):
            return []
        with engine.connect() as conn:
            rows = conn.execute(text("SELECT data FROM events WHERE type_name = 'bot' AND data LIKE :pat "
                                     "ORDER BY id DESC LIMIT :n"), {"pat": '%"revision"%', "n": limit}).all()
    finally:
        engine.dispose()
    seen: Counter[tuple[str, int | None]] = Counter()  # (entry, revision) → replies
    last_seen: dict[tuple[str, int | None], dt.datetime] = {}
    for (raw,) in rows:
        try:
            event = json.loads(raw)
            custom = (event.get("data") or {}).get("custom") or {}
        except (TypeError, ValueError, AttributeError):
            continue
        faq_id = custom.get("faq_id")
        if not isinstance(faq_id, str) or "revision" not in custom:
            continue
        key = (faq_id, custom.get("revision"))
        seen[key] += 1
        at = dt.datetime.fromtimestamp(event.get("timestamp") or 0)
        last_seen[key] = max(last_seen.get(key, at), at)
    year = queries.current_year(session=session)
    out = []
    for (faq_id, rev), n in seen.items():
        current = revisions.current_revision(session=session, year=year, key=faq_id) if year else None
        if rev != current:
            out.append(Stale(faq_id, rev, current, n, last_seen[(faq_id, rev)]))
    return sorted(out, key=lambda x: x.last, reverse=True)

"""Status lookups: verification, rate limiting and audit. No Rasa here.

`lookup()` is what the conversation calls with the 申报编号 and one verification factor;
`agent_lookup()` is what a 12333 agent uses after verifying the caller on the phone.
Both take a keyword-only `session` and write the audit row (and failures) into it: the
caller owns the transaction (`with factory() as s, s.begin(): lookup(session=s, ...)`).

A wrong id and a wrong factor get the same NEUTRAL_FAILURE. Failures are counted on keys the
client cannot choose freely, and each key locks lookups for LOCKOUT:
- the conversation: MAX_FAILURES within FAILURE_WINDOW;
- the client address (from the channel, via the sealed factor): `client_max_failures`, so a
  new sender id per guess gains nothing;
- the 申报编号: MAX_FAILURES from at least `application_lock_clients` distinct client addresses,
  so no single client can lock a real applicant out (ids that do not exist count too, so a
  lock-out never reveals whether an id exists);
- everyone: `global_max_failures` failures within GLOBAL_WINDOW trip a breaker that sends
  every chat lookup to 12333 until the rate falls.
A successful lookup does not reset the counters (that would let one known pair unlock probing).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from bot.calendar import md
from bot.config import settings
from bot.kb.models import ScheduleStage
from bot.kb.queries import notice
from bot.status import security
from bot.status.models import Application, LookupAudit, LookupFailure
from bot.status.stages import ApplicationView, HistoryItem, render_status, split_corrections
from bot.wording import say

MAX_FAILURES = 5
FAILURE_WINDOW = dt.timedelta(minutes=60)
LOCKOUT = dt.timedelta(minutes=60)
GLOBAL_WINDOW = dt.timedelta(minutes=10)

# the failure replies, read from their templates (knowledge/wording.yml) when used
_MESSAGES = {"NEUTRAL_FAILURE": "status.result.no_match", "BUSY": "status.result.busy",
             "AGENT_NOT_FOUND": "status.result.agent_not_found"}


def __getattr__(name: str) -> str:
    if name in _MESSAGES:
        return say(_MESSAGES[name])
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


BEIJING = dt.timezone(dt.timedelta(hours=8))


def locked_message(until: dt.datetime) -> str:
    return say("status.result.locked", date=md(until.date()), time=f"{until:%H:%M}")


@dataclass(frozen=True)
class LookupResult:
    verdict: str  # ok | no_match | locked | busy
    view: ApplicationView | None = None
    locked_until: dt.datetime | None = None
    agent: bool = False

    @property
    def ok(self) -> bool:
        return self.verdict == "ok"

    @property
    def message(self) -> str | None:
        """The reply for a failure (None when ok: render the view instead)."""
        if self.verdict == "locked" and self.locked_until is not None:
            return locked_message(self.locked_until)
        if self.verdict == "busy":
            return say("status.result.busy")
        if self.verdict == "no_match":
            return say("status.result.agent_not_found" if self.agent else "status.result.no_match")
        return None


def _naive(now: dt.datetime) -> dt.datetime:
    """Stored times are naive Beijing time; an aware `now` is converted."""
    return now.astimezone(BEIJING).replace(tzinfo=None) if now.tzinfo else now


def lock_until(times: Sequence[dt.datetime], *, now: dt.datetime,
               max_failures: int = MAX_FAILURES) -> dt.datetime | None:
    """When a key's lock ends, or None: locked for LOCKOUT after `max_failures` within FAILURE_WINDOW."""
    ordered = sorted(times)
    n = max(1, max_failures)
    ends = [ordered[i + n - 1] + LOCKOUT for i in range(len(ordered) - n + 1)
            if ordered[i + n - 1] - ordered[i] <= FAILURE_WINDOW]
    until = max(ends, default=None)
    return until if until is not None and until > now else None


def _keys(application_id: str, conversation_id: str | None, client: str | None, secret: bytes) -> list[str]:
    keys = []
    if conversation_id:
        keys.append("conversation:" + security.keyed_digest("conversation", conversation_id, secret=secret))
    if client:
        keys.append("client:" + client[:64])
    if application_id:
        keys.append("application:" + security.keyed_digest("application", application_id, secret=secret))
    return keys


def _locked_until(session: Session, keys: list[str], now: dt.datetime) -> dt.datetime | None:
    if not keys:
        return None
    conf = settings()
    since = now - FAILURE_WINDOW - LOCKOUT
    rows = session.execute(select(LookupFailure.key, LookupFailure.at, LookupFailure.client)
                           .where(LookupFailure.key.in_(keys), LookupFailure.at > since, LookupFailure.at <= now))
    by_key: dict[str, list[tuple[dt.datetime, str | None]]] = {}
    for key, at, client in rows:
        by_key.setdefault(key, []).append((at, client))
    ends = []
    for key, items in by_key.items():
        times = [at for at, _ in items]
        if key.startswith("client:"):
            until = lock_until(times, now=now, max_failures=conf.client_max_failures)
        elif key.startswith("application:"):
            # one client alone never locks an applicant out: it needs several addresses
            clients = {c for _, c in items}
            until = lock_until(times, now=now) if len(clients) >= conf.application_lock_clients else None
        else:
            until = lock_until(times, now=now)
        if until is not None:
            ends.append(until)
    return max(ends, default=None)


def breaker_tripped(*, session: Session, now: dt.datetime) -> bool:
    """Too many failures from all clients together: stop self-service lookups for a while."""
    count = session.scalar(select(func.count(LookupFailure.id)).where(
        LookupFailure.key.like("conversation:%"), LookupFailure.at > _naive(now) - GLOBAL_WINDOW))
    return (count or 0) >= settings().global_max_failures


def _audit(session: Session, *, now: dt.datetime, channel: str, result: str, detail: str,
           app: Application | None, supplied: str, conversation_id: str | None = None,
           agent: str | None = None, factor_kind: str | None = None) -> None:
    session.add(LookupAudit(
        at=now, channel=(channel or "unknown")[:32], agent=agent[:64] if agent else None,
        conversation_id=security.redact(conversation_id, min_digits=6, limit=128) if conversation_id else None,
        application_id=app.application_id if app else None,
        supplied_id=None if app else (security.redact(supplied, limit=64) or None),
        factor_kind=factor_kind, result=result, detail=detail))


def view_of(app: Application) -> ApplicationView:
    corrections: tuple[str, ...] = ()
    if app.stage == "returned":
        corrections = split_corrections(app.note)
        if not corrections:  # fall back to the note of the latest 退回补正 event
            notes = [e.note for e in app.history if e.stage == "returned" and e.note]
            corrections = split_corrections(notes[-1]) if notes else ()
    return ApplicationView(
        application_id=app.application_id, year=app.year, name_masked=app.name_masked, series=app.series,
        level=app.level, committee=app.committee, stage=app.stage, stage_since=app.stage_since,
        deadline=app.deadline, corrections=corrections, reason=app.reason,
        history=tuple(HistoryItem(e.stage, e.at, e.note) for e in app.history))


def lookup(*, session: Session, application_id: str | None, factor_kind: str, factor: str | None,
           channel: str, conversation_id: str | None = None, client: str | None = None,
           now: dt.datetime) -> LookupResult:
    """Verify (申报编号, factor) and return the application, a neutral failure, a lock-out or busy.

    `client` is a digest of the client address (bot.status.vault.client_key), None for unknown.
    """
    if factor_kind not in security.FACTOR_KINDS:
        raise ValueError(f"factor_kind must be one of {security.FACTOR_KINDS}, not {factor_kind!r}")
    now = _naive(now)
    secret = security.server_secret()
    supplied = security.normalize(application_id)[:64]
    client = client or "unknown"
    keys = _keys(supplied, conversation_id, client, secret)
    session.execute(delete(LookupFailure).where(LookupFailure.at < now - FAILURE_WINDOW - LOCKOUT))
    audit = partial(_audit, session, now=now, channel=channel, supplied=supplied, conversation_id=conversation_id,
                    factor_kind=factor_kind)

    app = session.get(Application, supplied) if supplied else None
    if breaker_tripped(session=session, now=now):
        audit(result="locked", detail="breaker", app=app)
        return LookupResult("busy")
    until = _locked_until(session, keys, now)
    if until is not None:
        audit(result="locked", detail="refused", app=app)
        return LookupResult("locked", locked_until=until)

    if app is not None:
        expected = app.id4_hash if factor_kind == "id4" else app.phone4_hash
        ok = security.verify_factor(factor_kind, factor, salt=app.salt, expected=expected, secret=secret)
    else:  # same work as a real check, so timing does not tell a wrong id from a wrong factor
        security.verify_factor(factor_kind, factor, salt="0" * 32, expected=None, secret=secret)
        ok = False
    if ok and app is not None:
        audit(result="ok", detail="verified", app=app)
        return LookupResult("ok", view=view_of(app))

    if app is None:
        detail = "unknown_id"
    elif security.normalize_factor(factor_kind, factor) is None:
        detail = "bad_factor"
    else:
        detail = "wrong_factor"
    session.add_all([LookupFailure(key=k, at=now, client=client) for k in keys])
    session.flush()
    until = _locked_until(session, keys, now)
    audit(result="locked" if until else "no_match", detail=detail, app=app)
    return LookupResult("locked", locked_until=until) if until else LookupResult("no_match")


def agent_lookup(*, session: Session, application_id: str, agent: str, channel: str = "agent",
                 now: dt.datetime) -> LookupResult:
    """Look a caller up for a 12333 agent who verified them on the phone; audited with the agent's name."""
    name = (agent or "").strip()
    if not name:
        raise ValueError("agent_lookup needs the agent's name")
    supplied = security.normalize(application_id)[:64]
    app = session.get(Application, supplied) if supplied else None
    _audit(session, now=_naive(now), channel=channel, result="ok" if app else "no_match", detail="agent_verified",
           app=app, supplied=supplied, agent=name)
    return LookupResult("ok", view=view_of(app), agent=True) if app else LookupResult("no_match", agent=True)


def notice_number(*, session: Session, year: int) -> str:
    """The notice number of `year` from the knowledge base, or a plain description when not loaded."""
    n = notice(session=session, year=year)
    return n.number if n else say("status.result.no_notice", app_year=year)


def notice_schedule(*, session: Session, year: int) -> dict[str, dt.date]:
    """The notice's schedule end dates by key (unit_review → 7月30日 …), for render_status."""
    rows = session.execute(select(ScheduleStage.key, ScheduleStage.end).where(ScheduleStage.year == year))
    return {key: end for key, end in rows if end is not None}


def render_result(result: LookupResult, *, session: Session, today: dt.date) -> str:
    """The reply for any result: the status with its citation, or the failure message."""
    if result.view is None:  # every verdict but ok has a message
        return result.message or ""
    year = result.view.year
    return render_status(result.view, today=today, notice_number=notice_number(session=session, year=year),
                         schedule=notice_schedule(session=session, year=year))

"""Rasa's SQL tracker store with long conversations continued in a fresh session, and the
trackers this process saved kept in memory for the conversation's next message.

Kept apart from bot.trackerstore so that the command line does not import Rasa.
"""
from __future__ import annotations

import itertools
import json
import logging
import os
import sqlite3
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
import sqlalchemy.orm
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import Event, SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity
from rasa.shared.nlu.constants import INTENT_NAME_KEY

log = logging.getLogger(__name__)
DEFAULT_MAX_SESSION_EVENTS = 150
_COLUMNS = ("sender_id", "type_name", "timestamp", "intent_name", "action_name", "data")  # an event's row (_row)
DEFAULT_CACHE_SIZE = 500  # ~80 KB each for 5 turns (2 KB an event, measured), ≤ 300 KB at 150 events


@dataclass
class _Known:
    """A tracker and what the table held for its conversation when it was loaded or saved."""
    tracker: DialogueStateTracker | None  # None: retrieve found none, the next one saved is created
    stored: int  # how many events of its current session are in the table (Rasa's save counts them)
    last_id: int | None  # the highest event id of the conversation in the table


class TrimmingSQLTrackerStore(SQLTrackerStore):  # type: ignore[misc]  # Rasa ships no type information
    """Rasa's SQL tracker store, with long conversations continued in a fresh session.

    Rasa loads a conversation's events since its last `session_started`, replays them, runs the
    policies over them and posts them all to the action server for every message, so a
    conversation costs more per message the longer it runs (about 8 events a turn). When the
    current session holds more than `max_session_events` events and no form is active, the
    store appends what Rasa's own `action_session_start` would (session_started, the current
    slot values, action_listen) before it loads the tracker: the conversation goes on with its
    slots, every earlier event stays in the table, in order, and the per-message cost stays
    that of a short conversation.

    Rasa loads (one query, every event parsed and replayed) and saves (a count query, then the
    new events) the tracker of every message: measured, 40 % of the Rasa server's CPU besides
    the NLU. The tracker this process saved is kept in memory (the `cache_size` conversations
    used last) and handed to the conversation's next message when the table still ends where it
    did: one indexed `max(id)` query instead of the load. Another worker's or process's write
    (scale mode), a deletion (purge, the publish check) or a failed turn (a tracker handed out
    and never saved) makes the next message load from the table as before. The conversation's
    lock (Rasa's lock store, Redis in scale mode) keeps two messages of one conversation from
    being handled at once, as Rasa's own save already assumes. A tracker is not kept when its
    turn started a new session (the table's current session is then shorter than the tracker).
    Saving also checks `max(id)` instead of counting, and falls back to Rasa's own save when
    the table changed since the load. Configured in endpoints.yml like Rasa's SQL store:

        tracker_store:
          type: bot.trackerstore.TrimmingSQLTrackerStore
          dialect: postgresql   # or sqlite
          ...
          max_session_events: 150   # also ZHICHENG_TRACKER_MAX_SESSION_EVENTS
          cache_size: 500           # also ZHICHENG_TRACKER_CACHE; 0 keeps none
    """

    engine: sa.engine.Engine  # Rasa's, replaced by _sqlite_engine's for SQLite
    sessionmaker: sa.orm.sessionmaker[sa.orm.Session]

    def __init__(self, *args: Any, max_session_events: int | None = None, cache_size: int | None = None,
                 **kwargs: Any) -> None:  # the rest is Rasa's SQLTrackerStore's (dialect, host, db …)
        super().__init__(*args, **kwargs)
        env = os.environ.get("ZHICHENG_TRACKER_MAX_SESSION_EVENTS")
        self.max_session_events = int(max_session_events or env or DEFAULT_MAX_SESSION_EVENTS)
        size = cache_size if cache_size is not None else os.environ.get("ZHICHENG_TRACKER_CACHE")
        self.cache_size = int(size) if size not in (None, "") else DEFAULT_CACHE_SIZE
        self._kept: OrderedDict[str, _Known] = OrderedDict()  # saved here, for the next message
        self._handed: OrderedDict[str, _Known] = OrderedDict()  # handed out by retrieve, not saved yet
        self._check = os.environ.get("ZHICHENG_TRACKER_CACHE_CHECK") == "1"  # compare every hit with the table
        self.hits = self.misses = 0
        # A message's reads and writes below are single statements, each its own transaction, on
        # an engine of their own in autocommit: in a transaction of its own each would cost BEGIN
        # and COMMIT/ROLLBACK round trips (and an isolation level set per connection, a reset on
        # its return), and Rasa's event loop waits on every round trip (bench/profile.py --scale:
        # the tracker's load and save were a third of a Rasa worker's sampled time)
        if self.engine.dialect.name == "sqlite":
            self.engine.dispose()
            self.engine = self._sqlite_engine()
            self.sessionmaker = sa.orm.sessionmaker(bind=self.engine)
            self._autocommit = self._sqlite_engine(isolation_level="AUTOCOMMIT")
        else:  # as Rasa builds its engine (its pool sizes, its schema)
            from rasa.core.tracker_store import create_engine_kwargs
            self._autocommit = sa.create_engine(self.engine.url, isolation_level="AUTOCOMMIT",
                                                **create_engine_kwargs(self.engine.url))
        self._reads = sa.orm.sessionmaker(bind=self._autocommit)
        # the conversation's highest event id, asked by every message's load: in the
        # driver's own SQL (SQLite's ?, psycopg2's %s; the ORM's select costs 5× the query)
        mark = {"qmark": "?", "format": "%s", "pyformat": "%s"}[self.engine.dialect.paramstyle]
        table = self.SQLEvent.__tablename__
        self._last_id_sql = f"SELECT max(id) FROM {table} WHERE sender_id = {mark}"
        # the new events, written only if the table still ends where the conversation's load
        # found it (else Rasa's own save); the ids they got come back (SQLite ≥ 3.35, PostgreSQL)
        postgres = self.engine.dialect.name == "postgresql"
        self._row_sql = "(" + ", ".join(f"{mark}::double precision" if postgres and c == "timestamp" else mark
                                        for c in _COLUMNS) + ")"
        same = "IS NOT DISTINCT FROM" if postgres else "IS"  # equal, NULL included
        columns = ", ".join(f'"{c}"' for c in _COLUMNS)
        self._insert_sql = (f"INSERT INTO {table} ({columns}) "
                            "SELECT * FROM (VALUES {rows}) AS new_events "
                            f"WHERE ({self._last_id_sql}) {same} {mark} RETURNING id")

    def _sqlite_engine(self, **kwargs: Any) -> sa.engine.Engine:
        """Measured (bench/profile.py): with Rasa's SQLite engine, saving the tracker took ~8 ms of
        every message, a new connection and a rollback-journal commit with several fsyncs each
        time, on the event loop. Keep connections (QueuePool) and use WAL with synchronous=NORMAL
        (a commit is durable at the next checkpoint; a power cut can lose the last messages, not
        corrupt the file)."""
        from sqlalchemy.pool import QueuePool

        engine: sa.engine.Engine = sa.create_engine(self.engine.url, poolclass=QueuePool, connect_args={"check_same_thread": False},
                                  **kwargs)

        def _pragmas(dbapi_conn: sqlite3.Connection, _record: object) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        sa.event.listen(engine, "connect", _pragmas)
        return engine

    # -- the trackers kept in memory ------------------------------------------------------------
    @property
    def caching(self) -> bool:
        # an event broker's stream_events retrieves the stored tracker inside save: not with a cache
        return self.cache_size > 0 and self.event_broker is None

    def _last_id(self, sender_id: str) -> int | None:
        with self._autocommit.connect() as conn:
            last_id: int | None = conn.exec_driver_sql(self._last_id_sql, (sender_id,)).scalar()  # type: ignore[arg-type]  # positional: the stubs know only mappings
        return last_id

    def _append(self, sender_id: str, events: list[Event], after: int | None) -> int | None:
        """Writes `events` when the conversation's highest event id is still `after`, in one
        statement; returns the new highest id, or None when the table had changed (nothing written)."""
        rows = [self._row(sender_id, event) for event in events]
        params = [row[c] for row in rows for c in _COLUMNS] + [sender_id, after]
        sql = self._insert_sql.format(rows=", ".join([self._row_sql] * len(events)))
        with self._autocommit.connect() as conn:
            ids = [i for (i,) in conn.exec_driver_sql(sql, tuple(params)).fetchall()]
        return max(ids) if ids else None

    def _remember(self, table: OrderedDict[str, _Known], sender_id: str, known: _Known) -> None:
        table.pop(sender_id, None)
        table[sender_id] = known
        while len(table) > self.cache_size:
            table.popitem(last=False)

    def _load(self, sender_id: str) -> DialogueStateTracker | None:
        """The kept tracker when the table still ends with its last event, else Rasa's retrieve;
        either way handed out with what the table held. The highest id is read first, so a write
        in between makes the next check fail, never pass."""
        known = self._kept.pop(sender_id, None)
        if known is not None and (known.tracker is None or len(known.tracker.events) != known.stored):
            known = None  # changed after its save: not what the table holds
        last_id = self._last_id(sender_id)
        if known is None or last_id != known.last_id:
            known = None
            with self._reads() as session:  # Rasa's query, one statement: no BEGIN, no ROLLBACK
                rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
            events = [json.loads(row.data) for row in rows]
        if known is not None:
            self.hits += 1
            if self._check:
                self._compare(sender_id, known.tracker)
        else:
            self.misses += 1
            tracker = DialogueStateTracker.from_dict(sender_id, events, self.domain.slots) \
                if self.domain and events else None
            known = _Known(tracker, len(events), last_id)
        self._remember(self._handed, sender_id, known)
        return known.tracker

    def _compare(self, sender_id: str, tracker: DialogueStateTracker) -> None:
        with self.session_scope() as session:
            rows = self._event_query(session, sender_id, fetch_events_from_all_sessions=False).all()
        loaded = DialogueStateTracker.from_dict(sender_id, [json.loads(r.data) for r in rows], self.domain.slots)
        for t in (loaded, tracker):
            t.model_id, t.assistant_id = tracker.model_id, tracker.assistant_id
        a, b = (json.dumps(t.current_state(EventVerbosity.ALL), sort_keys=True, default=str) for t in (tracker, loaded))
        if a != b:
            log.error("kept tracker differs from the stored one (conversation %s)", sender_id)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        tracker = self._load(sender_id) if self.caching else await super().retrieve(sender_id)
        if tracker is None or self.max_session_events <= 0 or len(tracker.events) <= self.max_session_events:
            return tracker
        if tracker.active_loop_name:  # a form in progress keeps its session until it ends
            return tracker
        self._start_new_session(tracker)
        return self._load(sender_id) if self.caching else await super().retrieve(sender_id)

    async def save(self, tracker: DialogueStateTracker) -> None:
        sender_id = tracker.sender_id
        known = self._handed.get(sender_id) if self.caching else None
        if known is not None and known.tracker is None:  # retrieve found none: this one is new
            known.tracker = tracker
        if known is None or not _same(known.tracker, tracker):  # not handed out here: Rasa's own save
            self._kept.pop(sender_id, None)
            await super().save(tracker)
            return
        new = list(itertools.islice(tracker.events, known.stored, None))
        if not new:
            return  # nothing to write (a new conversation's empty tracker); it stays handed out
        self._handed.pop(sender_id, None)
        self._kept.pop(sender_id, None)
        last_id = self._append(sender_id, new, known.last_id)  # the ids are ours under the conversation's lock
        if last_id is None:  # the table changed since the load (not under the conversation's lock?): Rasa's save
            await super().save(tracker)
            return
        if _keepable(tracker, new):
            self._remember(self._kept, sender_id, _Known(tracker, len(tracker.events), last_id))

    @staticmethod
    def _row(sender_id: str, event: Event) -> dict[str, Any]:
        """One event's row as Rasa's save writes it."""
        data = event.as_dict()
        return {"sender_id": sender_id, "type_name": event.type_name, "timestamp": data.get("timestamp"),
                "intent_name": data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
                "action_name": data.get("name"), "data": json.dumps(data)}

    # -- long conversations ---------------------------------------------------------------------

    def _start_new_session(self, tracker: DialogueStateTracker) -> None:
        from rasa.shared.core.constants import ACTION_LISTEN_NAME
        from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet

        now = time.time()
        events = [SessionStarted(timestamp=now)]
        for i, slot in enumerate(tracker.slots.values()):
            if slot.value != slot.initial_value:
                events.append(SlotSet(slot.name, slot.value, timestamp=now + (i + 1) * 1e-6))
        events.append(ActionExecuted(ACTION_LISTEN_NAME, timestamp=now + 1e-3))
        with self.session_scope() as session:
            for event in events:
                data = event.as_dict()
                session.add(self.SQLEvent(sender_id=tracker.sender_id, type_name=event.type_name,
                                          timestamp=data.get("timestamp"), intent_name=None,
                                          action_name=data.get("name"), data=json.dumps(data)))
            session.commit()


def _same(a: object, b: object) -> bool:
    """`a is b` (a function, so that mypy does not narrow the tracker to the kept one's Optional type)."""
    return a is b


def _keepable(tracker: DialogueStateTracker, new: list[Event]) -> bool:
    """Whether the tracker is what Rasa's retrieve would load now: its turn started no session,
    and every new event counts as part of the current session (Rasa's query: a timestamp not
    before the latest session_started)."""
    if any(isinstance(e, SessionStarted) for e in new):
        return False
    first = tracker.events[0] if tracker.events else None
    if isinstance(first, SessionStarted):
        return all(e.timestamp >= first.timestamp for e in new)
    return not any(isinstance(e, SessionStarted) for e in tracker.events)

"""Rasa's SQL tracker store with long conversations continued in a fresh session.

Kept apart from bot.trackerstore so that the command line does not import Rasa.
"""
from __future__ import annotations

import json
import os
import time

from rasa.core.tracker_store import SQLTrackerStore

DEFAULT_MAX_SESSION_EVENTS = 150


class TrimmingSQLTrackerStore(SQLTrackerStore):
    """Rasa's SQL tracker store, with long conversations continued in a fresh session.

    Rasa loads a conversation's events since its last `session_started`, replays them, runs the
    policies over them and posts them all to the action server for every message, so a
    conversation costs more per message the longer it runs (about 8 events a turn). When the
    current session holds more than `max_session_events` events and no form is active, the
    store appends what Rasa's own `action_session_start` would (session_started, the current
    slot values, action_listen) before it loads the tracker: the conversation goes on with its
    slots, every earlier event stays in the table, in order, and the per-message cost stays
    that of a short conversation. Configured in endpoints.yml like Rasa's SQL store:

        tracker_store:
          type: bot.trackerstore.TrimmingSQLTrackerStore
          dialect: postgresql   # or sqlite
          ...
          max_session_events: 150   # also ZHICHENG_TRACKER_MAX_SESSION_EVENTS
    """

    def __init__(self, *args, max_session_events: int | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        env = os.environ.get("ZHICHENG_TRACKER_MAX_SESSION_EVENTS")
        self.max_session_events = int(max_session_events or env or DEFAULT_MAX_SESSION_EVENTS)
        if self.engine.dialect.name == "sqlite":
            self._tune_sqlite()

    def _tune_sqlite(self) -> None:
        """Measured (bench/profile.py): with Rasa's SQLite engine, saving the tracker took ~8 ms of
        every message, a new connection and a rollback-journal commit with several fsyncs each
        time, on the event loop. Keep connections (QueuePool) and use WAL with synchronous=NORMAL
        (a commit is durable at the next checkpoint; a power cut can lose the last messages, not
        corrupt the file)."""
        from sqlalchemy import create_engine, event
        from sqlalchemy.orm import sessionmaker
        from sqlalchemy.pool import QueuePool

        url = self.engine.url
        self.engine.dispose()
        self.engine = create_engine(url, poolclass=QueuePool, connect_args={"check_same_thread": False})

        @event.listens_for(self.engine, "connect")
        def _pragmas(dbapi_conn, _record) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        self.sessionmaker = sessionmaker(bind=self.engine)

    async def retrieve(self, sender_id: str):
        tracker = await super().retrieve(sender_id)
        if tracker is None or self.max_session_events <= 0 or len(tracker.events) <= self.max_session_events:
            return tracker
        if tracker.active_loop_name:  # a form in progress keeps its session until it ends
            return tracker
        self._start_new_session(tracker)
        return await super().retrieve(sender_id)

    def _start_new_session(self, tracker) -> None:
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

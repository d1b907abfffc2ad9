"""Shared glue: a short DB session per action run, and the wording of its replies.

Opening the session also brings the reply templates up to date (bot.wording.sync: re-read only
when the knowledge version changed), so a `kb load` or a published staff edit of a sentence shows
in the next reply, like an FAQ answer."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from bot import wording
from bot.db import new_session
from bot.kb import queries


@contextmanager
def kb_session() -> Iterator[Session]:
    session = new_session()
    session.info[queries.ONE_VERSION] = True  # one message's reads: the knowledge version is asked once
    try:
        wording.sync(session=session)
        yield session
        session.commit()
    except Exception:
        session.rollback()
        raise
    finally:
        session.close()

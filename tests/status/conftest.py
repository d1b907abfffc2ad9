"""Fixtures for the status tests: a fresh database per test and a way to put applications in it."""
from __future__ import annotations

import datetime as dt

import pytest

from bot.db import session_factory
from bot.status.importer import ImportRow, upsert

NOTICE = "京人社事业字〔2024〕96号"
NOW = dt.datetime(2024, 8, 20, 10, 0)


@pytest.fixture
def factory(db_url):
    return session_factory(db_url)


def row(application_id="BJ2024ZC000123", stage="submitted", at="2024-07-10T10:00", *, name="张小明",
        id_last4="482X", phone_last4="7316", deadline=None, note=None, reason=None, year=2024,
        series="工程技术", level="中级", committee="北京市工程技术系列中级评审委员会") -> ImportRow:
    return ImportRow(line=0, application_id=application_id, year=year, name=name, id_last4=id_last4,
                     phone_last4=phone_last4, series=series, level=level, committee=committee, stage=stage,
                     at=dt.datetime.fromisoformat(at), deadline=deadline, note=note, reason=reason)


@pytest.fixture
def add(factory):
    """add(row(...), row(...)): store applications the way an import would."""
    def _add(*rows: ImportRow):
        with factory() as s, s.begin():
            return upsert(list(rows), session=s, source="tests")
    return _add

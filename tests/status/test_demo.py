"""Demo applications: one per stage, clearly synthetic, idempotent, usable with the documented factors."""
from __future__ import annotations

from sqlalchemy import func, select

from bot.status.demo import DEMO_APPLICATIONS, create_demo, demo_table
from bot.status.importer import import_text
from bot.status.models import Application, StageEvent
from bot.status.service import lookup
from bot.status.stages import STAGES
from tests.status.conftest import NOW


def counts(factory):
    with factory() as s:
        return (s.scalar(select(func.count()).select_from(Application)),
                s.scalar(select(func.count()).select_from(StageEvent)))


def test_demo_covers_every_stage_with_synthetic_ids_and_names(factory):
    with factory() as s, s.begin():
        report = create_demo(session=s)
    assert report.added == len(STAGES) == 13
    with factory() as s:
        apps = {a.application_id: a for a in s.scalars(select(Application))}
    assert sorted(apps) == [f"DEMO-2024-{n:04d}" for n in range(1, 14)]
    assert sorted(a.stage for a in apps.values()) == sorted(s.code for s in STAGES)
    assert all(a.name_masked.startswith("演*") and "演示" in a.committee for a in apps.values())
    returned = next(a for a in apps.values() if a.stage == "returned")
    assert returned.note.count("；") == 2 and returned.deadline is not None
    assert next(a for a in apps.values() if a.stage == "abandoned").reason


def test_demo_is_idempotent(factory):
    with factory() as s, s.begin():
        create_demo(session=s)
    first = counts(factory)
    with factory() as s, s.begin():
        again = create_demo(session=s)
    assert (again.added, again.updated, again.history, again.unchanged) == (0, 0, 0, 13)
    assert counts(factory) == first


def test_documented_factors_open_every_demo_application(factory):
    with factory() as s, s.begin():
        create_demo(session=s)
    for d in DEMO_APPLICATIONS:
        for kind, factor in (("id4", d.id_last4), ("phone4", d.phone_last4)):
            with factory() as s, s.begin():
                r = lookup(session=s, application_id=d.application_id, factor_kind=kind, factor=factor,
                           channel="rest", conversation_id=f"{d.application_id}-{kind}", now=NOW)
            assert r.ok and r.view.stage == d.stage
    assert [d.id_last4 for d in DEMO_APPLICATIONS[:3]] == ["0001", "0002", "0003"]
    assert DEMO_APPLICATIONS[-1].phone_last4 == "9013"


def test_demo_table_lists_ids_factors_and_stages():
    table = demo_table()
    assert "DEMO-2024-0005  演示戊  0005         9005       退回补正" in table
    assert len(table.splitlines()) == 14


def test_the_real_importer_refuses_demo_ids(factory):
    text = ("application_id,year,name,id_last4,series,level,committee,stage,stage_time\n"
            "DEMO-2024-0001,2024,李四,1234,工程技术,中级,评委会,待缴费,2024-09-01\n")
    report = import_text(text, sessions=factory)
    assert report.added == 0 and "只用于演示数据" in report.rejected[0].reason

"""CSV import: every row validated, good rows kept, history appended, re-import a no-op, concurrency safe."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from bot.status import importer
from bot.status.importer import import_file, import_text, parse
from bot.status.models import Application, StageEvent
from bot.status.service import lookup
from bot.tables import ImportFileError
from tests.status.conftest import NOW

HEADER = "application_id,year,name,id_last4,phone_last4,series,level,committee,stage,stage_time,deadline,note,reason"


def csv_text(*lines: str) -> str:
    return "\n".join((HEADER,) + lines) + "\n"


GOOD = csv_text(
    "BJ2024ZC000123,2024,张小明,482X,7316,工程技术,中级,工程技术中级评委会,个人已提交,2024-07-10T10:00,,,",
    "BJ2024ZC000123,2024,张小明,482X,7316,工程技术,中级,工程技术中级评委会,退回补正,2024-08-12 09:30,2024-08-30,"
    "\"1. 继续教育证明未上传\n2. 推荐意见缺少公章\",",
    "BJ2024ZC000456,2024,欧阳小明,5531,,会计,中级,会计中级评委会,awaiting_payment,2024-09-02,,,",
)


def state(factory) -> dict:
    """Everything a user could notice: each application's fields and its history."""
    with factory() as s:
        apps = {a.application_id: (a.stage, a.stage_since, a.deadline, a.note, a.reason, a.name_masked, a.id4_hash,
                                   a.updated_at)
                for a in s.scalars(select(Application))}
        events = sorted((e.application_id, e.stage, e.at) for e in s.scalars(select(StageEvent)))
    return {"apps": apps, "events": events}


def test_good_rows_are_imported_with_history(factory):
    report = import_text(GOOD, sessions=factory)
    assert (report.rows, report.added, report.updated, report.history, report.rejected) == (3, 2, 0, 3, [])
    with factory() as s:
        app = s.get(Application, "BJ2024ZC000123")
        assert (app.stage, app.deadline, app.name_masked) == ("returned", dt.date(2024, 8, 30), "张*明")
        assert [e.stage for e in app.history] == ["submitted", "returned"]
        assert app.history[-1].note == "1. 继续教育证明未上传\n2. 推荐意见缺少公章"
        assert s.get(Application, "BJ2024ZC000456").phone4_hash is None
    with factory() as s, s.begin():
        result = lookup(session=s, application_id="BJ2024ZC000123", factor_kind="phone4", factor="7316",
                        channel="rest", conversation_id="c", now=NOW)
    assert result.view.corrections == ("继续教育证明未上传", "推荐意见缺少公章")


def test_reimporting_the_same_file_changes_nothing(factory):
    import_text(GOOD, sessions=factory)
    before = state(factory)
    report = import_text(GOOD, sessions=factory)
    assert (report.changed, report.history, report.unchanged) == (0, 0, 2)
    assert state(factory) == before


def test_a_later_export_appends_history_instead_of_overwriting(factory):
    import_text(GOOD, sessions=factory)
    report = import_text(csv_text(
        "BJ2024ZC000123,2024,张小明,482X,7316,工程技术,中级,工程技术中级评委会,待缴费,2024-09-05T10:00,2024-09-20,,"),
        sessions=factory)
    assert (report.updated, report.history) == (1, 1)
    with factory() as s:
        app = s.get(Application, "BJ2024ZC000123")
        assert [e.stage for e in app.history] == ["submitted", "returned", "awaiting_payment"]
        assert (app.stage, app.deadline, app.note) == ("awaiting_payment", dt.date(2024, 9, 20), None)


def test_an_older_file_imported_later_does_not_roll_the_stage_back(factory):
    import_text(GOOD, sessions=factory)
    report = import_text(csv_text(
        "BJ2024ZC000123,2024,张小明,482X,7316,工程技术,中级,工程技术中级评委会,单位审核中,2024-07-15,,,"),
        sessions=factory)
    assert report.history == 1
    with factory() as s:
        app = s.get(Application, "BJ2024ZC000123")
        assert app.stage == "returned"
        assert [e.stage for e in app.history] == ["submitted", "unit_review", "returned"]


BAD_LINES = {
    3: (",2024,李四,1234,,工程技术,中级,评委会,个人已提交,2024-07-10,,,", "", "缺少申报编号"),
    4: ("BJ2024X001,2024,李四,1234,,工程技术,中级,评委会,已提交,2024-07-10,,,", "BJ2024X001", "未知阶段“已提交”"),
    5: ("BJ2024X002,2024,李四,1234,,工程技术,中级,评委会,待缴费,2024-02-30,,,", "BJ2024X002", "阶段时间“2024-02-30”不是有效的"),
    6: ("BJ2024X003,2024,李四,12345,,工程技术,中级,评委会,待缴费,2024-09-01,,,", "BJ2024X003", "身份证号后4位应为4位数字"),
    7: ("BJ2024X004,二〇二四,李四,1234,12a4,工程技术,中级,评委会,待缴费,2024-09-01,,,", "BJ2024X004", "年度“二〇二四”不是四位整数"),
    8: ("BJ2024X005,2024,李四,1234,,工程技术,中级,评委会,待缴费,2024-09-01,9月30日,,", "BJ2024X005", "截止日期“9月30日”不是有效的日期"),
    9: ("11010519491231002X,2024,李四,1234,,工程技术,中级,评委会,待缴费,2024-09-01,,,", "*" * 18, "像是身份证号码"),
    10: ("DEMO-2024-0001,2024,李四,1234,,工程技术,中级,评委会,待缴费,2024-09-01,,,", "DEMO-2024-0001", "只用于演示数据"),
    11: ("BJ2024X006,2024,李四,1234", "BJ2024X006", "有 4 列，与表头的 13 列不一致"),
}


def test_bad_rows_are_rejected_with_reasons_and_good_rows_kept(factory):
    text = csv_text(
        "BJ2024ZC000789,2024,王五,0001,,翻译,中级,翻译中级评委会,单位审核中,2024-07-15,,,",
        *(line for line, _, _ in BAD_LINES.values()),
        "BJ2024ZC000790,2024,赵六,0002,,翻译,中级,翻译中级评委会,公示中,2024-12-09,,,",
    )
    report = import_text(text, sessions=factory)
    assert report.added == 2 and report.rows == 2 + len(BAD_LINES)
    got = {r.line: r for r in report.rejected}
    assert sorted(got) == sorted(BAD_LINES)
    for line, (_, shown, reason) in BAD_LINES.items():
        assert got[line].item == shown and reason in got[line].reason, got[line]
    assert "手机号后4位应为4位数字" in got[7].reason  # every problem of a row is reported
    with factory() as s:
        assert sorted(s.scalars(select(Application.application_id))) == ["BJ2024ZC000789", "BJ2024ZC000790"]


def test_rejections_never_echo_the_verification_digits(factory):
    report = import_text(csv_text("BJ2024X007,2024,李四,98765,43210,工程技术,中级,评委会,待缴费,2024-09-01,,,"),
                         sessions=factory)
    (r,) = report.rejected
    assert "98765" not in r.reason and "43210" not in r.reason


def test_conflicting_duplicate_lines_are_rejected(factory):
    line = "BJ2024X008,2024,李四,1234,,工程技术,中级,评委会,退回补正,2024-08-12,,{},"
    report = import_text(csv_text(line.format("缺少公章"), line.format("缺少公章"), line.format("缺少论文")),
                         sessions=factory)
    assert [(r.line, r.reason) for r in report.rejected] == [(4, "与第 2 行的阶段和时间相同，但截止日期、备注或原因不同")]
    assert report.history == 1


def test_bom_header_case_column_order_and_timezones(factory):
    text = ("\ufeffStage,Application_ID,year,name,id_last4,series,level,committee,stage_time\n"
            "公示中,bj2024x009,2024,李四,1234,档案,中级,档案评委会,2024-12-09T01:00:00Z\n")
    report = import_text(text, sessions=factory)
    assert report.rejected == [] and report.added == 1
    with factory() as s:
        assert s.get(Application, "BJ2024X009").stage_since == dt.datetime(2024, 12, 9, 9, 0)


@pytest.mark.parametrize("text, message", [
    ("", "是空文件"),
    ("application_id,year,name\nBJ1,2024,李四\n", "表头缺少必需的列：id_last4、series、level、committee、stage、stage_time"),
    (HEADER + ",stage\n", "表头有重复的列：stage"),
])
def test_a_bad_header_is_refused_before_anything_is_written(factory, text, message):
    with pytest.raises(ImportFileError, match=message):
        import_text(text, sessions=factory)


def test_file_errors(tmp_path, factory):
    with pytest.raises(ImportFileError, match="找不到文件"):
        import_file(tmp_path / "missing.csv", sessions=factory)
    gbk = tmp_path / "gbk.csv"
    gbk.write_bytes(csv_text("BJ2024X001,2024,李四,1234,,工程技术,中级,评委会,待缴费,2024-09-01,,,").encode("gbk"))
    assert import_file(gbk, sessions=factory).added == 1  # GBK is read, as for the directory
    binary = tmp_path / "x.csv"
    binary.write_bytes(b"PK\x03\x04\x00\x00")
    with pytest.raises(ImportFileError, match="不是有效的 CSV"):
        import_file(binary, sessions=factory)


def test_parse_is_pure_and_reports_physical_line_numbers():
    good, bad = parse(csv_text(
        "BJ2024X001,2024,李四,1234,,工程技术,中级,评委会,退回补正,2024-08-12,,\"a\nb\nc\",",
        "",
        "BJ2024X002,2024,李四,1234,,工程技术,中级,评委会,退回,2024-08-12,,,"))
    assert [g.line for g in good] == [2]
    assert [(b.line, b.item) for b in bad] == [(6, "BJ2024X002")]


def _file(n: int, prefix: str) -> str:
    rows = []
    for i in range(n):
        aid = f"{prefix}{i:04d}"
        rows.append(f"{aid},2024,李{i},{i:04d},,工程技术,中级,评委会,个人已提交,2024-07-10T10:00,,,")
        rows.append(f"{aid},2024,李{i},{i:04d},,工程技术,中级,评委会,单位审核中,2024-07-15T10:00,,,")
    return csv_text(*rows)


def test_two_concurrent_imports_lose_nothing(factory):
    shared = csv_text(*(f"BJSHARED{i:03d},2024,王{i},{i:04d},,会计,中级,评委会,待缴费,2024-09-02,,,"
                        for i in range(30)))
    texts = [_file(40, "BJA") + shared.split("\n", 1)[1], _file(40, "BJB") + shared.split("\n", 1)[1]]
    reports, errors = [], []
    barrier = threading.Barrier(len(texts))

    def run(text):
        try:
            barrier.wait()
            reports.append(import_text(text, sessions=factory))
        except Exception as err:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(err)

    threads = [threading.Thread(target=run, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(r.added for r in reports) == 40 + 40 + 30  # each shared application created exactly once
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Application)) == 110
        assert s.scalar(select(func.count()).select_from(StageEvent)) == 40 * 2 * 2 + 30
    assert import_text(texts[0], sessions=factory).changed == 0


def test_the_import_uses_one_transaction(factory, monkeypatch):
    """A failure half-way leaves nothing behind."""
    calls = {"n": 0}
    real = importer.security.mask_name

    def failing(name):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("boom")
        return real(name)

    monkeypatch.setattr(importer.security, "mask_name", failing)
    with pytest.raises(RuntimeError):
        import_text(GOOD, sessions=factory)
    with factory() as s:
        assert s.scalar(select(func.count()).select_from(Application)) == 0

"""One table reader for every import (bot.tables): the status export and the directory/association
tables accept the same encodings and formats, and report a bad file or a bad row the same way."""
from __future__ import annotations

import argparse

import pytest
from openpyxl import Workbook

from bot.advisor import cli as advisor_cli
from bot.advisor.directory import find_institutions
from bot.advisor.directory_import import import_directory
from bot.db import session_factory
from bot.status import cli as status_cli
from bot.status.importer import import_file
from bot.status.models import Application
from bot.tables import ImportFileError

STATUS = (["application_id", "year", "name", "id_last4", "series", "level", "committee", "stage", "stage_time"],
          ["BJ2024X001", "2024", "李四", "1234", "工程技术", "中级", "评委会", "待缴费", "2024-09-01"])
DIRECTORY = (["series", "level", "name", "phone"], ["会计", "中级", "某会计评审服务机构", "010-12345678"])


@pytest.fixture
def factory(db_url):
    return session_factory(db_url)


def import_status(path, factory):
    return import_file(path, sessions=factory)


def import_dir(path, factory):
    with factory() as s, s.begin():
        return import_directory(path, session=s)


IMPORTERS = {"status": (import_status, STATUS), "directory": (import_dir, DIRECTORY)}


def write_csv(path, rows, encoding="utf-8"):
    path.write_bytes("".join(",".join(r) + "\n" for r in rows).encode(encoding))
    return path


def write_xlsx(path, rows):
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    wb.save(path)
    return path


@pytest.mark.parametrize("kind", IMPORTERS)
@pytest.mark.parametrize("fmt", ["utf-8", "utf-8-sig", "gbk", "xlsx"])
def test_both_importers_read_the_same_encodings_and_formats(kind, fmt, tmp_path, factory):
    do, (header, row) = IMPORTERS[kind]
    path = write_xlsx(tmp_path / "t.xlsx", [header, row]) if fmt == "xlsx" else \
        write_csv(tmp_path / "t.csv", [header, row], fmt)
    report = do(path, factory)
    assert (report.rows, report.added, report.rejected) == (1, 1, [])
    assert "（t.csv）：共 1 行，接受 1 行，拒绝 0 行；新增" in report.summary() or fmt == "xlsx"
    with factory() as s:
        if kind == "status":
            assert s.get(Application, "BJ2024X001").name_masked == "李*"
        else:
            assert find_institutions(session=s, series="会计", level="中级")[0].phone == "010-12345678"


def test_a_status_export_with_chinese_headers_in_xlsx(tmp_path, factory):
    header = ["申报编号", "年度", "姓名", "身份证号后4位", "系列", "级别", "评审委员会", "阶段", "阶段时间", "备注"]
    path = write_xlsx(tmp_path / "进度.xlsx", [header, [*STATUS[1], None], ["BJ2024X002", 2024, "王五", "12a4"]
                                               + [None] * 6])
    report = import_status(path, factory)
    assert (report.added, [r.line for r in report.rejected]) == (1, [3])
    assert report.rejected[0].item == "BJ2024X002" and "身份证号后4位应为4位数字" in report.rejected[0].reason


@pytest.mark.parametrize("kind", IMPORTERS)
@pytest.mark.parametrize("name, content, message", [
    ("t.csv", b"", "t.csv 是空文件：没有表头，也没有数据"),
    ("t.csv", b"x,y\n", "表头缺少必需的列："),
    ("t.csv", b"a,b\n\x00\x01", "t.csv 不是有效的 CSV 文本文件"),
    ("t.xls", b"x", "不支持旧版 .xls 文件"),
    ("t.txt", b"a", "不支持的文件类型“.txt”"),
    ("t.xlsx", b"not a zip", "t.xlsx 不是有效的 XLSX 文件"),
])
def test_both_importers_refuse_a_bad_file_with_the_same_message(kind, name, content, message, tmp_path, factory):
    do, _ = IMPORTERS[kind]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message):
        do(path, factory)


@pytest.mark.parametrize("kind", IMPORTERS)
def test_a_missing_column_names_the_columns_the_same_way(kind, tmp_path, factory):
    do, (header, row) = IMPORTERS[kind]
    path = write_csv(tmp_path / "t.csv", [header[1:], row[1:]])
    with pytest.raises(ImportFileError) as err:
        do(path, factory)
    assert str(err.value).startswith(f"表头缺少必需的列：{header[0]}（第一行应为表头，列：")


@pytest.mark.parametrize("kind", IMPORTERS)
def test_both_importers_reject_a_row_that_does_not_fit_the_header(kind, tmp_path, factory):
    do, (header, row) = IMPORTERS[kind]
    path = write_csv(tmp_path / "t.csv", [header, row, row[:2], [*row, "多出来的"]])
    report = do(path, factory)
    assert report.rows == 3 and report.added == 1
    n = len(header)
    assert [(r.line, r.reason) for r in report.rejected] == [(3, f"有 2 列，与表头的 {n} 列不一致"),
                                                              (4, f"有 {n + 1} 列，与表头的 {n} 列不一致")]


@pytest.mark.parametrize("argv", [["status", "import"], ["kb", "import-directory"]])
def test_both_commands_print_the_same_report_and_exit_codes(argv, tmp_path, db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    parser = argparse.ArgumentParser(prog="zhicheng")
    sub = parser.add_subparsers(dest="command", required=True)
    status_cli.register(sub)
    advisor_cli.register(sub.add_parser("kb").add_subparsers(dest="kb_command", required=True))
    header, row = STATUS if argv[0] == "status" else DIRECTORY
    bad = [row[0], *row[1:-1], ""] if argv[0] == "status" else ["烹饪", *row[1:]]
    path = write_csv(tmp_path / "t.csv", [header, row, bad])
    args = parser.parse_args([*argv, str(path)])
    assert args.fn(args) == 2
    out, err = capsys.readouterr()
    assert out.startswith("已导入") and "（t.csv）：共 2 行，接受 1 行，拒绝 1 行；新增" in out
    assert "被拒绝的行（其余行已导入）：\n  第3行：" in out
    assert err == "有 1 行被拒绝，其余 1 行已生效。请修改后重新导入这些行。\n"
    path.write_bytes(b"")
    assert args.fn(args) == 1
    out, err = capsys.readouterr()
    assert out == "" and err == "无法导入：t.csv 是空文件：没有表头，也没有数据（未做任何修改）\n"

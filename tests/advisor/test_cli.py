"""`zhicheng kb import-directory` / `kb import-list associations`: reports, exit codes, one-line errors."""
import argparse

import pytest

from bot.advisor.associations import list_entry_in
from bot.advisor.cli import register
from bot.advisor.directory import find_institutions


@pytest.fixture
def run(db_url, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", db_url)

    def _run(*argv):
        p = argparse.ArgumentParser(prog="zhicheng")
        sub = p.add_subparsers(dest="command", required=True)
        register(sub.add_parser("kb").add_subparsers(dest="kb_command", required=True))
        args = p.parse_args(["kb", *argv])
        return args.fn(args)
    return _run


def test_import_directory_ok(run, tmp_path, factory, capsys):
    path = tmp_path / "名录.csv"
    path.write_text("series,level,name,phone\n会计,中级,某会计评审服务机构,010-12345678\n", encoding="utf-8")
    assert run("import-directory", str(path)) == 0
    out = capsys.readouterr().out
    assert "已导入评审服务机构目录（名录.csv）：共 1 行，接受 1 行，拒绝 0 行；新增 1 条" in out
    with factory() as s:
        assert find_institutions(session=s, series="会计", level="中级")[0].phone == "010-12345678"


def test_import_directory_with_rejected_rows(run, tmp_path, factory, capsys):
    path = tmp_path / "名录.csv"
    path.write_text("series,level,name\n会计,中级,甲机构\n烹饪,中级,乙机构\n", encoding="utf-8")
    assert run("import-directory", str(path)) == 2
    captured = capsys.readouterr()
    assert "第3行：未知的系列：烹饪" in captured.out
    assert "有 1 行被拒绝，其余 1 行已生效" in captured.err
    with factory() as s:
        assert find_institutions(session=s, series="会计", level="中级")


@pytest.mark.parametrize("name, content, message", [
    ("missing.csv", None, "找不到文件"),
    ("bad.xlsx", b"PK\x03\x04 not really", "不是有效的 XLSX 文件"),
    ("cols.csv", b"a,b\n1,2\n", "缺少必需的列"),
    ("table.xls", b"x", "不支持旧版 .xls"),
])
def test_bad_files_give_one_line_and_exit_1(run, tmp_path, capsys, name, content, message):
    path = tmp_path / name
    if content is not None:
        path.write_bytes(content)
    assert run("import-directory", str(path)) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("无法导入：") and message in lines[0]
    assert "Traceback" not in captured.err


def test_database_error_is_one_line(run, tmp_path, capsys, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{blocker}/sub/db.sqlite")  # a path under a file
    path = tmp_path / "a.csv"
    path.write_text("series,name\n会计,甲\n", encoding="utf-8")
    assert run("import-directory", str(path)) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and err.startswith("数据库错误，未做任何修改：")


def test_import_list_associations(run, tmp_path, factory, capsys):
    path = tmp_path / "附件3.csv"
    path.write_text("name\n中国某某协会\n", encoding="utf-8")
    assert run("import-list", "associations", str(path)) == 0
    assert "全国性行业协会商会脱钩改革名单" in capsys.readouterr().out
    with factory() as s:
        assert list_entry_in(session=s, text="中国某某协会") == "中国某某协会"


def test_import_list_unknown_list_is_an_argparse_error(run, tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        run("import-list", "nonsense", str(tmp_path / "x.csv"))
    assert exc.value.code == 2
    assert "associations" in capsys.readouterr().err

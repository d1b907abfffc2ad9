"""`zhicheng status …`: what an operator sees, exit codes, no tracebacks."""
from __future__ import annotations

import argparse

import pytest
from sqlalchemy import select

from bot.status import cli
from bot.status.models import LookupAudit

HEADER = "application_id,year,name,id_last4,phone_last4,series,level,committee,stage,stage_time,deadline,note,reason\n"


@pytest.fixture
def run(db_url, monkeypatch, capsys):
    """run("status", "demo") → (exit code, stdout, stderr), against this test's database."""
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("ZHICHENG_TODAY", "2024-08-20")
    parser = argparse.ArgumentParser(prog="zhicheng")
    cli.register(parser.add_subparsers(dest="command", required=True))

    def _run(*argv):
        args = parser.parse_args(list(argv))
        code = args.fn(args)
        out = capsys.readouterr()
        return code, out.out, out.err
    return _run


def test_import_reports_counts_and_rejected_rows(run, tmp_path):
    f = tmp_path / "status.csv"
    f.write_text(HEADER + "BJ2024ZC000123,2024,张小明,482X,7316,工程技术,中级,评委会,待缴费,2024-09-02,,,\n"
                          "BJ2024ZC000124,2024,李四,1234,,工程技术,中级,评委会,已提交,2024-07-10,,,\n", encoding="utf-8-sig")
    code, out, err = run("status", "import", str(f))
    assert code == 2 and err == "有 1 行被拒绝，其余 1 行已生效。请修改后重新导入这些行。\n"
    assert "接受 1 行，拒绝 1 行；新增申报 1 条" in out
    assert "第3行：BJ2024ZC000124：未知阶段“已提交”" in out
    code, out, _ = run("status", "import", str(f))
    assert "新增申报 0 条，更新 0 条，未变化 1 条，新增历史 0 条" in out


def test_clean_import_exits_zero(run, tmp_path):
    f = tmp_path / "status.csv"
    f.write_text(HEADER + "BJ2024X001,2024,张小明,482X,,工程技术,中级,评委会,待缴费,2024-09-02,,,\n", encoding="utf-8")
    assert run("status", "import", str(f))[0] == 0


@pytest.mark.parametrize("content, message", [
    (None, "找不到文件"),
    ("姓名,阶段\n张三,待缴费\n".encode("gbk"), "表头缺少必需的列：application_id、year、id_last4"),  # GBK is read
    ("name,stage\n张三,待缴费\n".encode(), "表头缺少必需的列"),
    (b"", "是空文件"),
    (b"PK\x03\x04\x00\x00", "不是有效的 CSV"),
])
def test_unusable_files_give_one_line_and_exit_1(run, tmp_path, content, message):
    f = tmp_path / "status.csv"
    if content is not None:
        f.write_bytes(content)
    code, out, err = run("status", "import", str(f))
    assert code == 1 and out == ""
    assert err.startswith("无法导入：") and message in err and "未做任何修改" in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_import_of_a_directory_is_refused(run, tmp_path):
    code, _, err = run("status", "import", str(tmp_path))
    assert code == 1 and "是一个目录" in err


def test_demo_prints_the_table_and_is_idempotent(run):
    code, out, _ = run("status", "demo")
    assert code == 0 and "新建 13 条" in out and "DEMO-2024-0013  演示寅  0013         9013       未通过" in out
    code, out, _ = run("status", "demo")
    assert code == 0 and "新建 0 条，更新 0 条，未变化 13 条" in out


def test_agent_lookup_prints_the_status_and_is_audited(run, factory):
    run("status", "demo")
    code, out, err = run("status", "lookup", "--agent", "王坐席", "demo-2024-0005")
    assert code == 0 and err == ""
    assert "申报人：演*戊" in out and "当前阶段：退回补正" in out
    assert "1. 继续教育学时证明未上传" in out
    assert "补正截止：8月30日，还剩11天（含今天）" in out  # against ZHICHENG_TODAY
    assert "依据：" in out and "三(一)3" in out
    assert "办理历史：" in out and "2024-08-12 09:30  退回补正" in out
    with factory() as s:
        audit = s.scalars(select(LookupAudit)).one()
    assert (audit.agent, audit.channel, audit.result, audit.application_id) == \
        ("王坐席", "agent", "ok", "DEMO-2024-0005")


def test_agent_lookup_of_an_unknown_id_exits_1(run):
    code, out, err = run("status", "lookup", "--agent", "王坐席", "BJ404")
    assert code == 1 and out == "" and "核对申报编号" in err


def test_agent_lookup_needs_an_agent(run):
    assert run("status", "lookup", "--agent", " ", "BJ2024X001")[0] == 1
    with pytest.raises(SystemExit):
        run("status", "lookup", "BJ2024X001")

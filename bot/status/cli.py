"""`zhicheng status …` — application status from the command line.

  zhicheng status import FILE               validate a status export (CSV or XLSX) and import the good rows
                                             (exit 0; 2 when some rows were rejected; 1 when the file is unusable)
  zhicheng status demo                       create the demo applications DEMO-2024-0001 … (one per stage)
  zhicheng status lookup --agent NAME ID     a 12333 agent looks a caller up after verifying them on the phone (audited)

`register(subparsers)` adds these to the `zhicheng` parser; each sets `fn(args) -> int`.
"""
from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot import clock
from bot.config import settings
from bot.db import session_factory
from bot.status import importer
from bot.status.demo import DEMO_APPLICATIONS, create_demo, demo_table
from bot.status.service import agent_lookup, render_result
from bot.status.stages import BY_CODE
from bot.tables import run_import


def _fail(message: str) -> int:
    print(message, file=sys.stderr)
    return 1


def _now() -> dt.datetime:
    """Now, on the injectable day of bot.clock (ZHICHENG_TODAY)."""
    return dt.datetime.combine(clock.today(), dt.datetime.now().time())


def cmd_import(args: argparse.Namespace) -> int:
    return run_import(args.file, lambda sessions: importer.import_file(args.file, sessions=sessions), session_factory)


def cmd_demo(args: argparse.Namespace) -> int:
    if not settings().demo:
        if args.if_demo_db:
            print("DATABASE_URL 指向正式数据库：跳过演示申报（需要时设置 ZHICHENG_DEMO=1）。")
            return 0
        return _fail("DATABASE_URL 指向正式数据库，不写入演示申报。确需写入请设置 ZHICHENG_DEMO=1。")
    try:
        with session_factory()() as session, session.begin():
            report = create_demo(session=session)
    except SQLAlchemyError as err:
        return _fail(f"演示数据创建失败：数据库错误（{type(err).__name__}）")
    print(f"演示申报 {len(DEMO_APPLICATIONS)} 条（新建 {report.added} 条，更新 {report.updated} 条，"
          f"未变化 {report.unchanged} 条）。全部为虚构数据，编号以 DEMO- 开头：")
    print(demo_table())
    return 0


def cmd_lookup(args: argparse.Namespace) -> int:
    agent = (args.agent or "").strip()
    if not agent:
        return _fail("请用 --agent 给出坐席姓名或工号：每次查询都会记录是谁查的。")
    try:
        with session_factory()() as session, session.begin():
            result = agent_lookup(session=session, application_id=args.application_id, agent=agent,
                                  channel=args.channel, now=_now())
            text = render_result(result, session=session, today=clock.today())
    except SQLAlchemyError as err:
        return _fail(f"查询失败：数据库错误（{type(err).__name__}）")
    if result.view is None:  # not verified: the text says why
        return _fail(text)
    print(text)
    if result.view.history:
        print("办理历史：")
        for e in result.view.history:
            print(f"  {e.at:%Y-%m-%d %H:%M}  {BY_CODE[e.stage].name}")
    return 0


def register(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `status import|demo|lookup` to the `zhicheng` sub-command parsers."""
    status = subparsers.add_parser("status", help="申报进度：导入、演示数据、坐席查询")
    sub = status.add_subparsers(dest="status_command", required=True)
    sp = sub.add_parser("import", help="导入申报进度（CSV 或 XLSX）")
    sp.add_argument("file", type=Path, help="CSV（UTF-8 或 GBK）或 XLSX 文件，列见 bot/status/importer.py")
    sp.set_defaults(fn=cmd_import)
    sp = sub.add_parser("demo", help="创建演示申报（每个阶段一条，编号 DEMO-2024-00NN）")
    sp.add_argument("--if-demo-db", action="store_true",
                    help="只在内置演示数据库（未设置 DATABASE_URL）或 ZHICHENG_DEMO=1 时写入，否则跳过")
    sp.set_defaults(fn=cmd_demo)
    sp = sub.add_parser("lookup", help="坐席在电话中核实身份后查询申报进度（记录审计）")
    sp.add_argument("--agent", required=True, help="坐席姓名或工号")
    sp.add_argument("--channel", default="agent", help=argparse.SUPPRESS)
    sp.add_argument("application_id", help="申报编号")
    sp.set_defaults(fn=cmd_lookup)

"""`zhicheng kb` subcommands of the advisor, registered by bot/cli.py:

  zhicheng kb import-directory FILE             附件1 institutions (CSV/XLSX) -> DB, at once
  zhicheng kb import-list associations FILE     附件3 脱钩 list (CSV/XLSX) -> DB, at once

Exit codes: 0 every row imported; 2 some rows rejected (the good ones are imported);
1 the file or the database could not be used (nothing imported). Errors are one line, no traceback.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Protocol

from sqlalchemy.orm import Session, sessionmaker

from bot.advisor.directory_file import load_directory_file
from bot.advisor.directory_import import import_associations, import_directory
from bot.db import session_factory
from bot.tables import ImportReport, run_import

LISTS = {"associations": import_associations}

__all__ = ["register", "load_directory_file", "cmd_import_directory", "cmd_import_list"]


class _Importer(Protocol):
    def __call__(self, path: Path, *, session: Session) -> ImportReport: ...


def _run(importer: _Importer, path: Path) -> int:
    def do(sessions: sessionmaker[Session]) -> ImportReport:
        with sessions() as session, session.begin():
            return importer(path, session=session)
    return run_import(path, do, session_factory)


def cmd_import_directory(args: argparse.Namespace) -> int:
    return _run(import_directory, args.file)


def cmd_import_list(args: argparse.Namespace) -> int:
    return _run(LISTS[args.list], args.file)


def register(kb_subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add import-directory and import-list to `zhicheng kb`."""
    sp = kb_subparsers.add_parser(
        "import-directory", help="导入评审服务机构名录（附件1，CSV 或 XLSX）",
        description="列：series, level, district, name, committee, phone, address, source[, verified]。"
                    "逐行校验，被拒绝的行会列出原因，其余行在一个事务里写入，立即生效。")
    sp.add_argument("file", type=Path, metavar="FILE")
    sp.set_defaults(fn=cmd_import_directory)
    sp = kb_subparsers.add_parser(
        "import-list", help="导入名单：associations = 全国性行业协会商会脱钩改革名单（附件3）",
        description="列：name[, source, verified]。逐行校验，其余行在一个事务里写入，立即生效。")
    sp.add_argument("list", choices=sorted(LISTS), metavar="LIST", help="名单：associations（附件3）")
    sp.add_argument("file", type=Path, metavar="FILE")
    sp.set_defaults(fn=cmd_import_list)

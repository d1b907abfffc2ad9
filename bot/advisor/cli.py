"""`zhicheng kb` subcommands of the advisor, registered by bot/cli.py:

  zhicheng kb import-directory FILE             附件1 institutions (CSV/XLSX) -> DB, at once
  zhicheng kb import-list associations FILE     附件3 脱钩 list (CSV/XLSX) -> DB, at once

Exit codes: 0 every row imported; 2 some rows rejected (the good ones are imported);
1 the file or the database could not be used (nothing imported). Errors are one line, no traceback.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from bot.advisor.directory_file import load_directory_file
from bot.advisor.directory_import import Report, import_associations, import_directory
from bot.advisor.table_reader import ImportFileError
from bot.db import session_factory

LISTS = {"associations": import_associations}

__all__ = ["register", "load_directory_file", "cmd_import_directory", "cmd_import_list"]


def _db_error(err: Exception) -> str:
    first = (str(err).splitlines() or [""])[0]
    return f"数据库错误，未做任何修改：{type(err).__name__}: {first}"


def _run(importer, path: Path) -> int:
    try:
        factory = session_factory()
    except (SQLAlchemyError, OSError) as err:
        print(_db_error(err), file=sys.stderr)
        return 1
    try:
        with factory() as session, session.begin():
            report: Report = importer(path, session=session)
    except ImportFileError as err:
        print(f"无法导入：{err}", file=sys.stderr)
        return 1
    except SQLAlchemyError as err:
        print(_db_error(err), file=sys.stderr)
        return 1
    except OSError as err:
        print(f"无法读取文件 {path}：{err.strerror or err}", file=sys.stderr)
        return 1
    lines = report.lines()
    print(f"已导入{lines[0]}")
    for line in lines[1:]:
        print(line)
    if report.rejected:
        print(f"有 {len(report.rejected)} 行被拒绝，其余 {report.accepted} 行已生效。请修改后重新导入这些行。",
              file=sys.stderr)
        return 2
    return 0


def cmd_import_directory(args: argparse.Namespace) -> int:
    return _run(import_directory, args.file)


def cmd_import_list(args: argparse.Namespace) -> int:
    return _run(LISTS[args.list], args.file)


def register(kb_subparsers) -> None:
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

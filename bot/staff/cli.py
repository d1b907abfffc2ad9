"""`zhicheng user …`: staff accounts. The password is read from stdin when it is not a terminal
(`printf '%s\n' "$PW" | zhicheng user add wang --role agent`), else asked twice without echo;
it is never an argument, so it never lands in the shell history or the process list."""
from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable

from sqlalchemy.orm import Session

from bot.db import session_factory
from bot.staff import accounts


def _password() -> str | None:
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("密码：")
    if getpass.getpass("再输一次：") != first:
        print("两次输入的密码不一致。", file=sys.stderr)
        return None
    return first


def _run(fn: Callable[[Session], str]) -> int:
    try:
        with session_factory()() as s, s.begin():
            message = fn(s)
    except accounts.AccountError as err:
        print(err, file=sys.stderr)
        return 1
    print(message)
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    try:
        accounts.check_name(args.name)
    except accounts.AccountError as err:
        print(err, file=sys.stderr)
        return 1
    password = _password()
    if password is None:
        return 1
    return _run(lambda s: (accounts.add_user(session=s, name=args.name, role=args.role, password=password),
                           f"已创建账号 {args.name}（{args.role}）。")[1])


def cmd_disable(args: argparse.Namespace) -> int:
    return _run(lambda s: (accounts.set_disabled(session=s, name=args.name, disabled=True),
                           f"已停用账号 {args.name}。")[1])


def cmd_enable(args: argparse.Namespace) -> int:
    return _run(lambda s: (accounts.set_disabled(session=s, name=args.name, disabled=False),
                           f"已启用账号 {args.name}。")[1])


def cmd_reset(args: argparse.Namespace) -> int:
    password = _password()
    if password is None:
        return 1
    return _run(lambda s: (accounts.reset_password(session=s, name=args.name, password=password),
                           f"已重设 {args.name} 的密码并解除锁定。")[1])


def cmd_list(args: argparse.Namespace) -> int:
    from sqlalchemy import select
    with session_factory()() as s:
        for u in s.scalars(select(accounts.StaffUser).order_by(accounts.StaffUser.name)):
            state = "停用" if u.disabled else ("锁定" if u.locked_until else "正常")
            print(f"{u.name:<20} {u.role:<10} {state}")
    return 0


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    user = sub.add_parser("user", help="工作人员账号").add_subparsers(dest="user_command", required=True)
    sp = user.add_parser("add", help="新建账号（密码从标准输入读取或提示输入）")
    sp.add_argument("name")
    sp.add_argument("--role", required=True, choices=accounts.ROLES)
    sp.set_defaults(fn=cmd_add)
    for name, fn, help_ in (("disable", cmd_disable, "停用账号"), ("enable", cmd_enable, "重新启用账号"),
                            ("reset-password", cmd_reset, "重设密码（并解除锁定）")):
        sp = user.add_parser(name, help=help_)
        sp.add_argument("name")
        sp.set_defaults(fn=fn)
    user.add_parser("list", help="列出账号").set_defaults(fn=cmd_list)

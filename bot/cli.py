"""`zhicheng` — one command line for the knowledge base and the servers.

  zhicheng kb check   [--dir knowledge]       validate the knowledge files, write nothing
  zhicheng kb load    [--dir knowledge] [--force] [--keep-staff-edits]
                                              validate and load them when changed, never over staff edits
  zhicheng kb export  --out DIR [--year Y]    write the database back to YAML
  zhicheng kb dict    [--check]               (re)build what follows from knowledge/: the jieba dictionary,
                                              the FAQ intents in domain.yml, data/rules/faq.yml
  zhicheng kb unanswered [--limit N]          questions the bot could not answer
  zhicheng kb import-directory FILE           official institution directory (附件1), CSV/XLSX
  zhicheng kb import-list associations FILE   the 脱钩 list (附件3), CSV/XLSX
  zhicheng status import FILE.csv | demo | lookup --agent NAME ID   application status (bot/status/cli.py)
  zhicheng user add NAME --role ROLE | disable NAME | enable NAME | reset-password NAME | list
  zhicheng tracker purge --older-than DAYS    delete conversations idle longer than DAYS
  zhicheng run [--scale]                      start the action server, Rasa and the web app, wait, Ctrl-C stops
                                              (--scale: several Rasa workers behind nginx, Redis, PostgreSQL)
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from sqlalchemy import select

from bot.config import ROOT, secure_var_dir, settings
from bot.db import session_factory
from bot.kb import exporter, generated, loader
from bot.kb.models import UnansweredQuestion


def _read(directory: Path) -> loader.Knowledge | None:
    try:
        return loader.read_knowledge(directory)
    except loader.KnowledgeError as err:
        print(f"知识库有 {len(err.problems)} 处错误，未做任何修改：", file=sys.stderr)
        for p in err.problems:
            print(f"  - {p}", file=sys.stderr)
        return None


def _read_directory(directory: Path) -> list | None:
    from bot.advisor.directory_file import read_directory_file
    try:
        return read_directory_file(directory / "directory.yml")
    except loader.KnowledgeError as err:
        print(f"机构名录有 {len(err.problems)} 处错误，未做任何修改：", file=sys.stderr)
        for p in err.problems:
            print(f"  - {p}", file=sys.stderr)
        return None


def cmd_check(args) -> int:
    kb = _read(args.dir)
    if kb is None or _read_directory(args.dir) is None:
        return 1
    print(f"知识库检查通过：{kb.notice['number']}，条款 {len(kb.clauses)} 条，问答 {len(kb.faq)} 条，"
          f"日程 {len(kb.stages)} 个阶段，系列 {len(kb.series)} 个，回复模板 {len(kb.wording)} 条。")
    return 0


def cmd_load(args) -> int:
    """Import knowledge/ as a new revision only when it changed since the last import, and never
    over staff edits published since then unless --force (--keep-staff-edits: say so, exit 0)."""
    from bot.advisor.directory_file import load_directory_file
    from bot.kb import revisions
    kb = _read(args.dir)
    if kb is None or _read_directory(args.dir) is None:
        return 1
    digest = revisions.files_digest(args.dir)
    with session_factory()() as session, session.begin():
        last = revisions.last_import(session=session)
        if not args.force and last is not None and (last.summary or {}).get("digest") == digest:
            edits = revisions.staff_edits_since_import(session=session, year=kb.year)
            extra = f"（工作台发布的修改保持不变：{'、'.join(edits)}）" if edits else ""
            print(f"{args.dir} 自上次导入（版本 {last.id}）以来没有变化，数据库未改动{extra}。")
            return 0
        edits = revisions.staff_edits_since_import(session=session, year=kb.year)
        if edits and not args.force:
            print(f"未导入：数据库里有工作台在上次导入之后发布的修改（{'、'.join(edits)}），导入会覆盖它们。"
                  f"请先用 zhicheng kb export --out {args.dir} 把数据库写回 YAML 并核对，"
                  f"或确认要覆盖时加 --force。", file=sys.stderr)
            return 0 if args.keep_staff_edits else 3
        changed = revisions.record_import(session=session, knowledge=kb)
        version = loader.load(kb, session=session, source=str(args.dir))
        version.summary = {**version.summary, "digest": digest, "changed": changed}
        directory = load_directory_file(args.dir / "directory.yml", session=session)
    print(f"已导入 {kb.year} 年度知识库（版本 {version.id}，{len(changed)} 条问答和回复模板有变化）：{version.summary['faq']} 条问答；"
          f"回复模板 {version.summary['wording']} 条；机构名录 {directory.rows} 条")
    return 0


def cmd_export(args) -> int:
    with session_factory()() as session:
        from bot.kb.queries import current_year
        year = args.year or current_year(session=session)
        if year is None:
            print("数据库里还没有知识库，请先运行 zhicheng kb load。", file=sys.stderr)
            return 1
        kb = exporter.export(session=session, year=year)
    for path in exporter.write_files(kb, args.out):
        print(f"已写出 {path}")
    return 0


def cmd_dict(args) -> int:
    """Write (or with --check only compare) the files that follow from the knowledge: the jieba
    dictionary, the FAQ intents in domain.yml and the FAQ rules (bot.kb.generated)."""
    kb = _read(args.dir)
    if kb is None:
        return 1
    try:
        files = generated.generate(kb, args.dir, ROOT)
    except generated.GenerationError as err:
        print(f"知识库和训练数据有 {len(err.problems)} 处不一致，未写任何文件：", file=sys.stderr)
        for p in err.problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    if args.check:
        stale = generated.stale(files, ROOT)
        for f in stale:
            print(f"{f.path} 已过期：与 {f.source} 不一致。", file=sys.stderr)
        if stale:
            print("请运行 zhicheng kb dict（或 make dict）生成它们，提交，然后重新训练（make model）。", file=sys.stderr)
            return 1
        print(f"{'、'.join(str(f.path) for f in files)} 与知识库一致。")
        return 0
    written = generated.write(files, ROOT)
    for f in written:
        print(f"已写出 {f.path}")
    if not written:
        print(f"{'、'.join(str(f.path) for f in files)} 已是最新，没有改动。")
    else:
        print("训练数据有变化：请提交这些文件并重新训练（make model）。")
    return 0


def cmd_unanswered(args) -> int:
    with session_factory()() as session:
        rows = session.scalars(select(UnansweredQuestion).order_by(UnansweredQuestion.id.desc()).limit(args.limit))
        for r in rows:
            print(f"{r.asked_at:%Y-%m-%d %H:%M}  {r.reason:<9} {r.top_faq or '-':<24} {r.top_score or '-':>6}  {r.text}")
    return 0


def cmd_purge(args) -> int:
    from bot.trackerstore import purge, tracker_url
    url = tracker_url(args.endpoints)
    if url is None:
        print("endpoints.yml 没有配置 SQL 对话存储，无需清理。")
        return 0
    n = purge(url, older_than_days=args.older_than)
    print(f"已删除 {n} 个超过 {args.older_than:g} 天没有新消息的对话。")
    return 0


def preflight() -> str | None:
    """Why the servers must not start, or None: the status secret must match the stored hashes."""
    from bot.status.security import SecretMismatch, check_secret
    try:
        with session_factory()() as session, session.begin():
            check_secret(session=session)
    except SecretMismatch as err:
        return str(err)
    return None


def _prepare_scale() -> int:
    """Scale mode: the PostgreSQL database exists and holds the knowledge base."""
    from bot.kb.queries import current_year
    from bot.scale import ensure_database, scale_database_url
    try:
        url = scale_database_url()
        os.environ["DATABASE_URL"] = url  # the knowledge base, the vault and the tracker store
        if ensure_database(url):
            print(f"已创建 PostgreSQL 数据库 {url.rsplit('/', 1)[-1]}。")
        with session_factory()() as session:
            empty = current_year(session=session) is None
    except Exception as err:  # noqa: BLE001 - a clear message, no stack trace
        print(f"无法启动多进程模式：{err}", file=sys.stderr)
        return 1
    if empty:
        return cmd_load(argparse.Namespace(dir=settings().knowledge_dir))
    return 0


def cmd_run(args) -> int:
    from bot.runner import Servers, run_forever
    from bot.trackerstore import purge, tracker_url, tracker_url_of
    secure_var_dir()
    if args.scale and _prepare_scale():
        return 1
    problem = preflight()
    if problem:
        print(f"无法启动：{problem}", file=sys.stderr)
        return 1
    if args.scale:
        from bot.scale import ScaleServers, tracker_config
        try:
            servers = ScaleServers(rasa_port=args.rasa_port, actions_port=args.actions_port, web_port=args.web_port,
                                   rasa_workers=args.rasa_workers, action_workers=args.action_workers or 2)
        except (ValueError, RuntimeError) as err:
            print(f"无法启动多进程模式：{err}", file=sys.stderr)
            return 1
        url = tracker_url_of(tracker_config(servers.database_url))
    else:
        servers = Servers(rasa_port=args.rasa_port, actions_port=args.actions_port, web_port=args.web_port,
                          action_workers=args.action_workers or 1)
        url = tracker_url()
    days = settings().tracker_retention_days
    if days > 0 and url is not None:
        n = purge(url, older_than_days=days)
        if n:
            print(f"已按保留期限（{days} 天）删除 {n} 个旧对话。")
    return run_forever(servers)


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="zhicheng", description="职称咨询助手")
    sub = p.add_subparsers(dest="command", required=True)
    kb = sub.add_parser("kb", help="知识库").add_subparsers(dest="kb_command", required=True)
    default_dir = settings().knowledge_dir
    for name, fn, help_ in (("check", cmd_check, "只检查，不写入"), ("load", cmd_load, "检查并导入数据库"),
                            ("dict", cmd_dict, "生成 jieba 用户词典、domain.yml 的问答意图和问答规则")):
        sp = kb.add_parser(name, help=help_)
        sp.add_argument("--dir", type=Path, default=default_dir)
        sp.set_defaults(fn=fn)
    kb.choices["dict"].add_argument("--check", action="store_true", help="只检查生成的文件是否最新")
    kb.choices["load"].add_argument("--force", action="store_true", help="即使没有变化、即使会覆盖工作台的修改也导入")
    kb.choices["load"].add_argument("--keep-staff-edits", action="store_true",
                                    help="有工作台修改时不导入，但以 0 退出（make run 用）")
    sp = kb.add_parser("export", help="把数据库导出为 YAML")
    sp.add_argument("--out", type=Path, required=True)
    sp.add_argument("--year", type=int)
    sp.set_defaults(fn=cmd_export)
    from bot.advisor import cli as advisor_cli
    advisor_cli.register(kb)
    sp = kb.add_parser("unanswered", help="没能回答的问题")
    sp.add_argument("--limit", type=int, default=50)
    sp.set_defaults(fn=cmd_unanswered)
    from bot.status import cli as status_cli
    status_cli.register(sub)
    from bot.staff import cli as staff_cli
    staff_cli.register(sub)
    sp = sub.add_parser("run", help="启动助手")
    conf = settings()
    sp.add_argument("--rasa-port", type=int, default=conf.rasa_port)
    sp.add_argument("--actions-port", type=int, default=conf.actions_port,
                    help="动作服务器端口；Rasa 经 var/ 下生成的 endpoints 文件调用它")
    sp.add_argument("--action-workers", type=int, default=None, help="动作服务器进程数（默认 1，--scale 时 2）")
    sp.add_argument("--web-port", type=int, default=conf.web_port)
    sp.add_argument("--scale", action="store_true",
                    help="多进程模式：多个 Rasa 进程 + nginx、Redis 锁、PostgreSQL（docs/deploy.md）")
    sp.add_argument("--rasa-workers", type=int, default=int(os.environ.get("ZHICHENG_RASA_WORKERS", "2")),
                    help="--scale 时的 Rasa 进程数（默认 2）")
    sp.set_defaults(fn=cmd_run)
    tracker = sub.add_parser("tracker", help="对话存储").add_subparsers(dest="tracker_command", required=True)
    sp = tracker.add_parser("purge", help="删除长时间没有新消息的对话")
    sp.add_argument("--older-than", type=float, required=True, metavar="DAYS")
    sp.add_argument("--endpoints", type=Path, default=conf.endpoints)
    sp.set_defaults(fn=cmd_purge)
    return p


def main(argv: list[str] | None = None) -> int:
    os.umask(0o077)  # var/ and everything written there is private to this account
    args = parser().parse_args(argv)
    return args.fn(args)


if __name__ == "__main__":
    sys.exit(main())

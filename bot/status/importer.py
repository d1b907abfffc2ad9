"""Import a status export (CSV or XLSX) into the status tables: validate every row, upsert the good ones.

The file is read by bot.tables like every table staff import: CSV in UTF-8 (with or without BOM) or
GBK, or XLSX; the first line is the header (column order free, names case-insensitive, the Chinese
names of ALIASES accepted too, extra columns ignored and reported):

  application_id  申报编号 (letters, digits, '-' and '_', up to 40; `DEMO-` is reserved for demo data)
  year            申报年度, an integer (2024)
  name            full name; only the masked form (张*明) is stored
  id_last4        last 4 characters of the ID number (digits, the last may be X); stored as a salted hash
  phone_last4     last 4 digits of the phone number, optional; stored as a salted hash
  series          系列 (工程技术)
  level           级别 (中级)
  committee       评审委员会
  stage           the stage reached: its Chinese name (退回补正) or code (returned), see bot.status.stages
  stage_time      when the stage was reached: ISO date or datetime (2024-08-12 or 2024-08-12T09:30)
  deadline        optional ISO date the applicant must act by at this stage (补正/缴费截止, 答辩日期)
  note            optional; for 退回补正 the correction items, separated by ；(or ;) or newlines
  reason          optional; for 视为放弃 the reason (逾期未补正 / 逾期未缴费 …)

One row is one stage event. Rejected rows are reported as (line, reason, the application id masked);
the good rows are applied in ONE transaction. History is appended only when (stage,
stage_time) is new for that application, and the current stage is always the latest event
of the whole history, so re-importing a file (or an older file) changes nothing. Concurrent
imports are serialised (BEGIN IMMEDIATE on SQLite) and retried on lock or duplicate-key errors.
"""
from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.status import security
from bot.status.models import Application, StageEvent
from bot.status.stages import stage_for
from bot.tables import Columns, ImportReport, Rejected, Table, parse_csv, read_table

COLUMNS = ("application_id", "year", "name", "id_last4", "phone_last4", "series", "level", "committee",
           "stage", "stage_time", "deadline", "note", "reason")
OPTIONAL_COLUMNS = ("phone_last4", "deadline", "note", "reason")
REQUIRED_COLUMNS = tuple(c for c in COLUMNS if c not in OPTIONAL_COLUMNS)
DEMO_PREFIX = "DEMO-"
BEIJING = dt.timezone(dt.timedelta(hours=8))
_LIMITS = {"name": 32, "series": 64, "level": 32, "committee": 128, "note": 2000, "reason": 500}
_LABELS = {"name": "姓名", "series": "系列", "level": "级别", "committee": "评审委员会", "note": "备注", "reason": "原因"}


@dataclass(frozen=True)
class ImportRow:
    line: int
    application_id: str
    year: int
    name: str
    id_last4: str
    phone_last4: str | None
    series: str
    level: str
    committee: str
    stage: str  # code
    at: dt.datetime
    deadline: dt.date | None = None
    note: str | None = None
    reason: str | None = None


# ---------------------------------------------------------------- reading and validation (pure)

def parse_time(text: str) -> dt.datetime | None:
    """ISO date or datetime → naive Beijing time; None when it is not one."""
    t = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?(Z|[+-]\d{2}:\d{2})?", t):
        return None
    try:
        value = dt.datetime.fromisoformat(t[:-1] + "+00:00" if t.endswith("Z") else t)
    except ValueError:
        return None
    return value.astimezone(BEIJING).replace(tzinfo=None) if value.tzinfo else value


def parse_date(text: str) -> dt.date | None:
    t = text.strip()
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
        return None
    try:
        return dt.date.fromisoformat(t)
    except ValueError:
        return None


def shown_id(raw: str) -> str:
    """The application id as a report may show it: an ID number typed by mistake is masked."""
    v = security.normalize(raw)
    return "*" * len(v) if security.is_id_number(v) else security.redact(v, min_digits=11, limit=40)


# the Chinese names of the columns, as the evaluation system's export may write them
ALIASES = {"申报编号": "application_id", "年度": "year", "申报年度": "year", "姓名": "name",
           "身份证后4位": "id_last4", "身份证号后4位": "id_last4", "手机后4位": "phone_last4",
           "手机号后4位": "phone_last4", "系列": "series", "级别": "level", "评审委员会": "committee",
           "评委会": "committee", "阶段": "stage", "办理阶段": "stage", "阶段时间": "stage_time",
           "截止日期": "deadline", "备注": "note", "原因": "reason"}
TABLE = Columns(COLUMNS, REQUIRED_COLUMNS, ALIASES, label=lambda cells: shown_id(cells.get("application_id", "")))


def validate(cells: dict[str, str], line: int, *, allow_demo: bool = False) -> ImportRow | Rejected:
    """One data row → an ImportRow, or a Rejected with every problem found."""
    problems: list[str] = []
    aid = security.normalize(cells.get("application_id"))
    if not aid:
        problems.append("缺少申报编号")
    elif security.is_id_number(aid):
        problems.append("申报编号像是身份证号码，已拒绝（不保存身份证号）")
    elif not security.is_application_id(aid):
        problems.append("申报编号须为6–40位字母、数字或“-”，且至少含一个字母（与聊天中可查询的编号规则一致）")
    elif aid.startswith(DEMO_PREFIX) and not allow_demo:
        problems.append(f"{DEMO_PREFIX} 开头的申报编号只用于演示数据")
    year_text = cells.get("year", "").strip()
    year = int(year_text) if re.fullmatch(r"\d{4}", year_text) else None
    if year is None:
        problems.append(f"年度“{year_text}”不是四位整数" if year_text else "缺少年度")
    for col in ("name", "series", "level", "committee"):
        if not cells.get(col, "").strip():
            problems.append(f"缺少{_LABELS[col]}")
    for col, limit in _LIMITS.items():
        if len(cells.get(col, "").strip()) > limit:
            problems.append(f"{_LABELS[col]}超过{limit}个字")
    id4 = security.normalize_factor("id4", cells.get("id_last4"))
    if id4 is None:  # never echo the value: it is a verification factor
        problems.append("身份证号后4位应为4位数字（最后一位可以是X）")
    phone_text = cells.get("phone_last4", "").strip()
    phone4 = security.normalize_factor("phone4", phone_text) if phone_text else None
    if phone_text and phone4 is None:
        problems.append("手机号后4位应为4位数字")
    stage_text = cells.get("stage", "").strip()
    stage = stage_for(stage_text)
    if stage is None:
        problems.append(f"未知阶段“{stage_text[:20]}”" if stage_text else "缺少阶段")
    time_text = cells.get("stage_time", "").strip()
    at = parse_time(time_text) if time_text else None
    if at is None:
        problems.append(f"阶段时间“{time_text[:30]}”不是有效的日期或时间（例如 2024-08-12 或 2024-08-12T09:30）"
                        if time_text else "缺少阶段时间")
    deadline_text = cells.get("deadline", "").strip()
    deadline = parse_date(deadline_text) if deadline_text else None
    if deadline_text and deadline is None:
        problems.append(f"截止日期“{deadline_text[:30]}”不是有效的日期（例如 2024-08-30）")
    if problems or year is None or id4 is None or stage is None or at is None:  # each None added a problem
        return Rejected(line, "；".join(problems), shown_id(cells.get("application_id", "")))
    return ImportRow(line=line, application_id=aid, year=year, name=cells["name"].strip(), id_last4=id4,
                     phone_last4=phone4, series=cells["series"].strip(), level=cells["level"].strip(),
                     committee=cells["committee"].strip(), stage=stage.code, at=at, deadline=deadline,
                     note=cells.get("note", "").strip() or None, reason=cells.get("reason", "").strip() or None)


def validate_table(table: Table, *, allow_demo: bool = False) -> tuple[list[ImportRow], list[Rejected]]:
    """Every data row of a table validated: the good rows and the rejected ones."""
    good: list[ImportRow] = []
    bad: list[Rejected] = list(table.rejected)
    seen: dict[tuple[str, str, dt.datetime], ImportRow] = {}
    for line, cells in table.rows:
        result = validate(cells, line, allow_demo=allow_demo)
        if isinstance(result, ImportRow):
            key = (result.application_id, result.stage, result.at)
            first = seen.get(key)
            if first is None:
                seen[key] = result
            elif (first.deadline, first.note, first.reason) != (result.deadline, result.note, result.reason):
                result = Rejected(line, f"与第 {first.line} 行的阶段和时间相同，但截止日期、备注或原因不同",
                                  result.application_id)
        if isinstance(result, ImportRow):
            good.append(result)
        else:
            bad.append(result)
    return good, sorted(bad, key=lambda r: r.line)


def parse(text: str, *, allow_demo: bool = False) -> tuple[list[ImportRow], list[Rejected]]:
    """Every data row of a CSV text validated: the good rows and the rejected ones (ImportFileError
    for a file that is no table or has the wrong header)."""
    return validate_table(parse_csv(text, TABLE), allow_demo=allow_demo)


# ---------------------------------------------------------------- writing

def new_report() -> ImportReport:
    """A status import's report before anything is counted: its counts are applications, with their history."""
    return ImportReport(what="申报进度", records="申报", history=0)


def _set(obj: Application, **values: object) -> bool:
    changed = False
    for name, value in values.items():
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed = True
    return changed


def upsert(rows: list[ImportRow], *, session: Session, source: str = "import") -> ImportReport:
    """Apply validated rows inside the caller's transaction; counts in the returned report."""
    report = new_report()
    events = 0
    secret = security.server_secret()
    now = dt.datetime.now()
    by_app: dict[str, list[ImportRow]] = defaultdict(list)
    for r in rows:
        by_app[r.application_id].append(r)
    with session.no_autoflush:
        for aid, app_rows in by_app.items():
            app_rows.sort(key=lambda r: (r.at, r.line))
            latest = app_rows[-1]
            # FOR UPDATE (PostgreSQL): a concurrent import waits, then sees this one's history
            app = session.get(Application, aid, with_for_update=True)
            created = app is None
            if app is None:
                app = Application(application_id=aid, salt=security.new_salt(), stage=latest.stage,
                                  stage_since=latest.at, updated_at=now)
                session.add(app)
            changed = _set(
                app, year=latest.year, name_masked=security.mask_name(latest.name), series=latest.series,
                level=latest.level, committee=latest.committee,
                id4_hash=security.hash_factor("id4", latest.id_last4, salt=app.salt, secret=secret),
                phone4_hash=(security.hash_factor("phone4", latest.phone_last4, salt=app.salt, secret=secret)
                             if latest.phone_last4 else None))
            have = {(e.stage, e.at) for e in app.history}
            for r in app_rows:
                if (r.stage, r.at) not in have:
                    app.history.append(StageEvent(stage=r.stage, at=r.at, deadline=r.deadline, note=r.note,
                                                  reason=r.reason, source=source[:200], recorded_at=now))
                    have.add((r.stage, r.at))
                    events += 1
                    changed = True
            current = sorted(app.history, key=lambda e: e.at)[-1]  # stable: a new event wins a tie
            changed |= _set(app, stage=current.stage, stage_since=current.at, deadline=current.deadline,
                            note=current.note, reason=current.reason)
            if created:
                report.added += 1
            elif changed:
                app.updated_at = now
                report.updated += 1
            else:
                report.unchanged += 1
    session.flush()
    report.history = events
    return report


def import_rows(rows: list[ImportRow], *, sessions: sessionmaker[Session], source: str = "import",
                retries: int = 8) -> ImportReport:
    """Upsert `rows` in one transaction of its own, serialised and retried against concurrent writers."""
    for attempt in range(retries + 1):
        try:
            with sessions() as session, session.begin():
                if session.get_bind().dialect.name == "sqlite":
                    # take the write lock first: two deferred transactions that both read and then
                    # write would make one fail with "database is locked" instead of waiting
                    session.connection().exec_driver_sql("BEGIN IMMEDIATE")
                return upsert(rows, session=session, source=source)
        except (OperationalError, IntegrityError):
            # locked (SQLite) or a concurrent insert of the same key: the whole transaction
            # was rolled back, and the upsert is idempotent, so run it again
            if attempt == retries:
                raise
            time.sleep(min(2.0, 0.05 * 2 ** attempt) * (0.5 + random.random()))
    raise AssertionError("unreachable")


def import_table(table: Table, *, sessions: sessionmaker[Session], source: str = "import") -> ImportReport:
    """Validate a table's rows and import the good ones in one transaction."""
    good, bad = validate_table(table)
    report = import_rows(good, sessions=sessions, source=source) if good else new_report()
    report.file, report.rows, report.rejected, report.ignored_columns = source, len(good) + len(bad), bad, table.ignored
    return report


def import_text(text: str, *, sessions: sessionmaker[Session], source: str = "import") -> ImportReport:
    """Import a status export given as CSV text."""
    return import_table(parse_csv(text, TABLE), sessions=sessions, source=source)


def import_file(path: Path, *, sessions: sessionmaker[Session]) -> ImportReport:
    """Read, validate and import a status export (CSV or XLSX); ImportFileError when the file itself is unusable."""
    return import_table(read_table(path, TABLE), sessions=sessions, source=Path(path).name)

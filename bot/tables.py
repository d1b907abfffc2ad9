"""Reading the tables staff import, for every importer: the applications' status export
(bot.status.importer), the institution directory and the association list (bot.advisor.directory_import).

One reader: a CSV file (UTF-8 with or without BOM, or GBK/GB18030) or an XLSX workbook (its first
sheet); the first non-empty row is the header, its names mapped to the importer's columns (case and
full-width letters aside, Chinese names through the importer's aliases); a data row keeps its line
number in the file (the line it starts on: a quoted cell may span lines) for the report. A file that
cannot be read as a table raises ImportFileError with one line of Chinese; nothing is imported then.
A row the importer refuses is a Rejected (line, reason); what an import did is an ImportReport, whose
Chinese summary the command line and the staff page both show.
"""
from __future__ import annotations

import csv
import io
import sys
import unicodedata
import zipfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


class ImportFileError(Exception):
    """The file cannot be imported at all (missing, unreadable, not a table, wrong header); nothing was
    written. The message is one line of Chinese."""


@dataclass(frozen=True)
class Rejected:
    line: int  # the file's line (CSV) or row (XLSX) number, header = 1
    reason: str  # every problem of the row, in Chinese
    item: str = ""  # what the row names, as a report may show it (an application id, masked if need be)


@dataclass
class ImportReport:
    what: str  # the table, in Chinese: 申报进度 | 评审服务机构目录 | …
    file: str = ""
    records: str = ""  # what added/updated/unchanged count when it is not the rows ("申报": applications)
    rows: int = 0  # data rows read
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0  # entries no longer in the file, deleted
    kept: int = 0  # rows left alone because an import already holds that key
    history: int | None = None  # history entries appended, for a table that keeps one
    rejected: list[Rejected] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def accepted(self) -> int:
        return self.rows - len(self.rejected)

    @property
    def changed(self) -> int:
        return self.added + self.updated

    def summary(self) -> str:
        """One sentence: what was read and what it changed."""
        history = f"，新增历史 {self.history} 条" if self.history is not None else ""
        return (f"{self.what}（{self.file}）：共 {self.rows} 行，接受 {self.accepted} 行，拒绝 {len(self.rejected)} 行；"
                f"新增{self.records} {self.added} 条，更新 {self.updated} 条，未变化 {self.unchanged} 条{history}。")

    def notes(self) -> list[str]:
        """What else an operator should know: entries removed or kept, columns ignored."""
        out = []
        if self.removed:
            out.append(f"已删除 {self.removed} 条不再出现在文件中的条目。")
        if self.kept:
            out.append(f"{self.kept} 条已有导入的正式数据，保留导入数据。")
        if self.ignored_columns:
            out.append(f"忽略了未知的列：{'、'.join(self.ignored_columns)}。")
        return out

    def lines(self) -> list[str]:
        """The whole report as lines of text: the summary, the notes, then each rejected row."""
        out = [self.summary(), *self.notes()]
        if self.rejected:
            out.append("被拒绝的行（其余行已导入）：")
            out += [f"  第{r.line}行：{r.item + '：' if r.item else ''}{r.reason}" for r in self.rejected]
        return out


@dataclass(frozen=True)
class Columns:
    """What an importer reads: its column names, those it requires, the Chinese names it accepts for
    them, and how a rejected row is named in the report (never a raw ID number)."""
    names: tuple[str, ...]
    required: tuple[str, ...]
    aliases: Mapping[str, str] = field(default_factory=dict)
    label: Callable[[Mapping[str, str]], str] | None = None


@dataclass
class Table:
    rows: list[tuple[int, dict[str, str]]]  # (line, {column: text}) of each data row the reader could take
    rejected: list[Rejected]  # rows that do not fit the header
    ignored: list[str]  # header names that are none of the columns


def cell_text(value: Any) -> str:
    """A cell as stripped text (names keep their full-width punctuation)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").strip()


def nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 (with or without BOM), else GBK and its superset GB18030


def decode(data: bytes, name: str) -> str:
    """A CSV file's text; ImportFileError when it is binary or in no encoding of ENCODINGS."""
    if b"\x00" in data:
        raise ImportFileError(f"{name} 不是有效的 CSV 文本文件（含有二进制内容）：请从系统导出 CSV 或 XLSX 后再导入")
    for encoding in ENCODINGS:
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(f"{name} 无法识别文件编码：请把 CSV 保存为 UTF-8 或 GBK 编码")


def _csv_rows(text: str) -> Iterable[tuple[int, list[Any]]]:
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    end = 0  # the physical line the previous record ended on
    try:
        for row in reader:
            yield end + 1, row
            end = reader.line_num
    except csv.Error as exc:
        raise ImportFileError(f"CSV 格式错误（第{reader.line_num}行）：{exc}") from None


def _xlsx_rows(path: Path) -> Iterable[tuple[int, list[Any]]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"{path.name} 不是有效的 XLSX 文件（{type(exc).__name__}）") from None
    try:
        sheet = wb.worksheets[0]
        for number, row in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, list(row)
    finally:
        wb.close()


def _header(texts: list[str], columns: Columns) -> tuple[list[str | None], list[str]]:
    """Each header cell's column (None: not one of ours) and the names ignored."""
    names = [columns.aliases.get(nfkc(t), nfkc(t).lower()) for t in texts]
    dupes = sorted({n for n in names if n in columns.names and names.count(n) > 1})
    if dupes:
        raise ImportFileError(f"表头有重复的列：{'、'.join(dupes)}")
    missing = [c for c in columns.required if c not in names]
    if missing:
        raise ImportFileError(f"表头缺少必需的列：{'、'.join(missing)}（第一行应为表头，列：{', '.join(columns.names)}）")
    return [n if n in columns.names else None for n in names], [t for t, n in zip(texts, names, strict=True)
                                                                if t and n not in columns.names]


def table_of(rows: Iterable[tuple[int, list[Any]]], columns: Columns, name: str) -> Table:
    """The data rows under the header, as (line, {column: text}); a row with more or fewer cells
    than the header (a comma too many or too few) is rejected, not read into the wrong columns."""
    header: list[str | None] | None = None
    table = Table([], [], [])
    for line, cells in rows:
        texts = [cell_text(c) for c in cells]
        if not any(texts):
            continue
        if header is None:
            header, table.ignored = _header(texts, columns)
            continue
        values = {col: texts[i] if i < len(texts) else "" for i, col in enumerate(header) if col}
        if len(texts) < len(header) or any(texts[len(header):]):
            label = columns.label(values) if columns.label else ""
            table.rejected.append(Rejected(line, f"有 {len(texts)} 列，与表头的 {len(header)} 列不一致", label))
            continue
        table.rows.append((line, values))
    if header is None:
        raise ImportFileError(f"{name} 是空文件：没有表头，也没有数据")
    if not table.rows and not table.rejected:
        raise ImportFileError(f"{name} 只有表头，没有数据行")
    return table


def parse_csv(text: str, columns: Columns, name: str = "导入的 CSV") -> Table:
    """A CSV table given as text (already decoded)."""
    return table_of(_csv_rows(text), columns, name)


def read_table(path: Path, columns: Columns) -> Table:
    """A CSV or XLSX file's table; ImportFileError when the file cannot be read as one."""
    path = Path(path)
    if path.is_dir():
        raise ImportFileError(f"不是文件：{path} 是一个目录，请给出 CSV 或 XLSX 文件")
    suffix = path.suffix.lower()
    if suffix == ".xls":
        raise ImportFileError("不支持旧版 .xls 文件：请在 Excel 中另存为 .xlsx 或 .csv")
    if suffix not in (".csv", ".xlsx", ".xlsm"):
        raise ImportFileError(f"不支持的文件类型“{suffix or '无扩展名'}”：请提供 .csv 或 .xlsx 文件")
    if not path.exists():
        raise ImportFileError(f"找不到文件：{path}")
    if not path.is_file():
        raise ImportFileError(f"不是文件：{path}")
    if suffix != ".csv":
        return table_of(_xlsx_rows(path), columns, path.name)
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ImportFileError(f"无法读取 {path}：{err.strerror or err}") from None
    return parse_csv(decode(data, path.name), columns, path.name)


# ---------------------------------------------------------------- on the command line

def run_import(path: Path, do: Callable[[sessionmaker[Session]], ImportReport],
               sessions: Callable[[], sessionmaker[Session]]) -> int:
    """Import `path` for the command line (`zhicheng kb import-…`, `zhicheng status import`): `do`
    imports it with the database's sessions, and what it did is printed. Exit code 0: every row
    imported; 2: some rows rejected (the good ones are imported); 1: the file or the database could
    not be used (nothing imported). Errors are one line on stderr, never a traceback."""
    from sqlalchemy.exc import SQLAlchemyError

    def db_error(err: Exception) -> int:
        first = (str(err).splitlines() or [""])[0]
        print(f"数据库错误，未做任何修改：{type(err).__name__}: {first}", file=sys.stderr)
        return 1

    try:
        factory = sessions()
    except (SQLAlchemyError, OSError) as err:
        return db_error(err)
    try:
        report = do(factory)
    except ImportFileError as err:
        print(f"无法导入：{err}（未做任何修改）", file=sys.stderr)
        return 1
    except SQLAlchemyError as err:
        return db_error(err)
    except OSError as err:
        print(f"无法读取文件 {path}：{err.strerror or err}（未做任何修改）", file=sys.stderr)
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

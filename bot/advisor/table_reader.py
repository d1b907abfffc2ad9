"""Reading an official table (CSV in UTF-8 or GBK, or XLSX) as rows of text under known column names.

The first non-empty row is the header; Chinese headers are mapped by HEADER_ALIASES; a file that
cannot be read as a table at all raises ImportFileError with one line of Chinese.
"""
from __future__ import annotations

import csv
import io
import unicodedata
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

HEADER_ALIASES = {
    "系列": "series", "系列（专业）": "series", "系列(专业)": "series", "职称系列": "series",
    "级别": "level", "层级": "level", "职称级别": "level",
    "区": "district", "所在区": "district", "区县": "district",
    "名称": "name", "机构名称": "name", "评审服务机构": "name", "评审服务机构名称": "name", "单位名称": "name",
    "协会名称": "name", "协会商会名称": "name",
    "评审委员会": "committee", "评委会": "committee", "评审委员会名称": "committee",
    "电话": "phone", "联系电话": "phone", "咨询电话": "phone",
    "地址": "address", "联系地址": "address", "办公地址": "address",
    "来源": "source", "核实": "verified", "已核实": "verified", "是否核实": "verified",
}


class ImportFileError(Exception):
    """The file cannot be read as a table at all; the message is one line of Chinese."""


def _cell(value: Any) -> str:
    """A cell as stripped text (names keep their full-width punctuation)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).replace("\u3000", " ").strip()


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError("无法识别文件编码：请把 CSV 保存为 UTF-8 或 GBK 编码")


def _csv_rows(path: Path) -> Iterable[tuple[int, list[Any]]]:
    text = _decode(path.read_bytes())
    if "\x00" in text:
        raise ImportFileError(f"{path.name} 不是有效的 CSV 文本文件")
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        for row in reader:
            yield reader.line_num, row
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


def read_table(path: Path, columns: tuple[str, ...], required: tuple[str, ...]
               ) -> tuple[list[tuple[int, dict[str, str]]], list[str]]:
    """The data rows of a CSV/XLSX file as (line, {column: text}), and the ignored column names."""
    path = Path(path)
    if not path.exists():
        raise ImportFileError(f"找不到文件：{path}")
    if not path.is_file():
        raise ImportFileError(f"不是文件：{path}")
    suffix = path.suffix.lower()
    if suffix == ".csv":
        rows = _csv_rows(path)
    elif suffix in (".xlsx", ".xlsm"):
        rows = _xlsx_rows(path)
    elif suffix == ".xls":
        raise ImportFileError("不支持旧版 .xls 文件：请在 Excel 中另存为 .xlsx 或 .csv")
    else:
        raise ImportFileError(f"不支持的文件类型“{suffix or '无扩展名'}”：请提供 .csv 或 .xlsx 文件")
    header: list[str | None] | None = None
    ignored: list[str] = []
    out: list[tuple[int, dict[str, str]]] = []
    for line, cells in rows:
        texts = [_cell(c) for c in cells]
        if not any(texts):
            continue
        if header is None:
            header = []
            for t in texts:
                name = HEADER_ALIASES.get(_nfkc(t), _nfkc(t).lower())
                if name in columns and name not in header:
                    header.append(name)
                else:
                    header.append(None)
                    if t:
                        ignored.append(t)
            missing = [c for c in required if c not in header]
            if missing:
                raise ImportFileError(f"缺少必需的列：{'、'.join(missing)}（第一行应为表头：{', '.join(columns)}）")
            continue
        out.append((line, {col: texts[i] if i < len(texts) else "" for i, col in enumerate(header) if col}))
    if header is None:
        raise ImportFileError(f"{path.name} 是空文件")
    if not out:
        raise ImportFileError(f"{path.name} 只有表头，没有数据行")
    return out, ignored

"""Validating one row of the institution directory (from an import or directory.yml) and the rules it uses."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from bot.advisor.entities import LEVELS, normalize_district, normalize_level, normalize_series
from bot.tables import cell_text, nfkc

DIRECTORY_COLUMNS = ("series", "level", "district", "name", "committee", "phone", "address", "source", "verified")
ASSOCIATION_COLUMNS = ("name", "source", "verified")
# the Chinese names of the columns, as the official tables write them
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
_PHONE = re.compile(r"^(?:(?:\(0\d{2,3}\)|0\d{2,3})-?)?\d{7,8}(?:(?:-|转|ext\.?)\d{1,6})?$"
                    r"|^1[3-9]\d{9}$|^1\d{4}$|^[48]00-?\d{3}-?\d{4}$", re.I)
_PHONE_SPLIT = re.compile(r"[、,;/]+")
_TRUE = {"true", "1", "yes", "y", "是", "已核实", "核实"}
_FALSE = {"false", "0", "no", "n", "否", "未核实"}
ALL_LEVELS = ("各级别", "全部", "所有级别")  # = an empty level
MAX_LEN = {"name": 200, "committee": 200, "phone": 100, "address": 300}


def _verified(raw: dict[str, str], default: bool, reasons: list[str]) -> bool:
    """The row's `verified` cell, or `default` when empty; a bad value adds a reason."""
    if not raw.get("verified"):
        return default
    parsed = _bool(raw["verified"])
    if parsed is None:
        reasons.append(f"verified 应为 true/false（是/否）：{raw['verified']}")
        return default
    return parsed


def _bool(value: str) -> bool | None:
    v = nfkc(value).lower()
    return True if v in _TRUE else False if v in _FALSE else None


def valid_phone(text: str) -> bool:
    parts = [p.strip().replace(" ", "") for p in _PHONE_SPLIT.split(nfkc(text))]
    return bool(parts) and all(p and _PHONE.match(p) for p in parts)


def validate_institution(raw: Mapping[str, object], *, default_source: str,
                         default_verified: bool) -> tuple[dict[str, Any] | None, list[str]]:
    """A normalised row, or None and every reason it is rejected."""
    reasons: list[str] = []
    cells = {k: cell_text(v) for k, v in raw.items()}  # the YAML's and the table's values alike, as text
    series = normalize_series(cells.get("series")) if cells.get("series") else None
    if not cells.get("series"):
        reasons.append("系列 series 为空")
    elif series is None:
        reasons.append(f"未知的系列：{cells['series']}")
    level = None
    if cells.get("level") and cells["level"] not in ALL_LEVELS:
        level = normalize_level(cells["level"])
        if level not in LEVELS:
            reasons.append(f"级别无效：{cells['level']}（应为{'、'.join(LEVELS)}或留空）")
            level = None
    district = None
    if cells.get("district"):
        district = normalize_district(cells["district"])
        if district is None:
            reasons.append(f"未知的区：{cells['district']}")
    if series == "工程技术" and level == "初级" and not cells.get("district"):
        reasons.append("工程技术系列初级按参保单位所在区组织（五(一)），须填写区 district")
    name = cells.get("name", "")
    if not name:
        reasons.append("机构名称 name 为空")
    phone = nfkc(cells.get("phone") or "") or None
    if phone and not valid_phone(phone):
        reasons.append(f"电话格式不正确：{phone}")
    verified = _verified(cells, default_verified, reasons)
    for key, limit in MAX_LEN.items():
        if len(cells.get(key) or "") > limit:
            reasons.append(f"{key} 超过 {limit} 个字符")
    if reasons:
        return None, reasons
    return {"series": series, "level": level, "district": district, "name": name,
            "committee": cells.get("committee") or None, "phone": phone, "address": cells.get("address") or None,
            "verified": verified, "source": cells.get("source") or default_source}, []


def _key(row: dict[str, Any]) -> tuple[str, str | None, str | None, str]:
    return row["series"], row["level"], row["district"], row["name"]


def name_key(name: str) -> str:
    """An association name as compared: NFKC, simplified, no spaces, lower case."""
    from bot.text import to_simplified
    text = unicodedata.normalize("NFKC", name or "")
    return re.sub(r"\s+", "", to_simplified(text)).lower()

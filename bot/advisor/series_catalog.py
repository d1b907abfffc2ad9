"""The series catalogue: knowledge/series.yml read into SeriesInfo records, cached per file version."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from bot.config import knowledge_file


def series_file() -> Path:
    """knowledge/series.yml, or its copy in ZHICHENG_KNOWLEDGE_DIR (resolved)."""
    return knowledge_file("series.yml")


@dataclass(frozen=True)
class SeriesInfo:
    name: str
    method: str  # 资格评审 (三(一)) | 职务评审 (三(二))
    clause: str
    aliases: tuple[str, ...] = ()
    high_skill: bool = False  # 一第2段
    freelancer: bool = False  # 一第3段
    exam_for_deputy_senior: bool = False  # 五(五)


def read_series(path: Path | None = None) -> dict[str, SeriesInfo]:
    """The series of knowledge/series.yml (or `path`), keyed by canonical name, in file order."""
    doc = yaml.safe_load(Path(path or series_file()).read_text(encoding="utf-8")) or {}
    out: dict[str, SeriesInfo] = {}
    for item in doc.get("series") or []:
        out[item["name"]] = SeriesInfo(
            name=item["name"], method=item["method"], clause=item["clause"],
            aliases=tuple(item.get("aliases") or ()), high_skill=bool(item.get("high_skill")),
            freelancer=bool(item.get("freelancer")), exam_for_deputy_senior=bool(item.get("exam_for_deputy_senior")))
    return out


def _version(path: Path | None) -> tuple[Path, int]:
    """The file and its modification time: caches below are keyed on both, so an edited
    series.yml is picked up by a running process."""
    path = series_file() if path is None else Path(path).resolve()  # asked several times per message
    return path, os.stat(path).st_mtime_ns


def series_catalog(path: Path | None = None) -> dict[str, SeriesInfo]:
    """read_series, cached per file version; read on first use, never at import."""
    return _catalog(*_version(path))


@lru_cache(maxsize=4)
def _catalog(path: Path, _mtime: int) -> dict[str, SeriesInfo]:
    return read_series(path)


POSITION_REVIEW = "三(二)"  # 职务评审: the series follows its 行业主管部门, not this notice's procedure


def position_series(path: Path | None = None) -> frozenset[str]:
    """The series evaluated by 职务评审 (三(二)), cached with the catalog."""
    return _position(*_version(path))


@lru_cache(maxsize=4)
def _position(path: Path, mtime: int) -> frozenset[str]:
    return frozenset(name for name, info in _catalog(path, mtime).items() if info.clause == POSITION_REVIEW)

"""The advisor's entities and yes/no facts recognised in free Chinese text, and their canonical values.

Kinds: series (系列, from knowledge/series.yml: names + aliases, bot.advisor.series_catalog),
level (级别), employer (单位类型), identity (身份), district (参保单位所在区, the 16 districts + 经开区)
and freelance_field (一第3段's fields); their words are in bot.advisor.vocabulary. Besides the
entities, `extract_facts` recognises a few yes/no facts the decisions need (公务员, 在京参保,
工作许可证, 考试通过 …). The canonical values are importable from here as before (__all__).

Matching is by substring, leftmost-longest, per kind, with no word-boundary assumptions.
A phrase mapped to None is a *blocker*: it consumes the text so that a shorter synonym
inside it does not fire (北京经济技术开发区 is not the 经济 series, 高级技师 is not 副高级).
Input is expected to be normalised already (bot.text.normalize); NFKC and
traditional→simplified are applied again here, which is harmless and cheap.
"""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.advisor.series_catalog import (
    SeriesInfo,
    _catalog,
    _version,
    read_series,
    series_catalog,
    series_file,
)
from bot.advisor.vocabulary import (
    BARE_TIER_WORDS,
    CENTRAL,
    CENTRAL_LOWER,
    CENTRAL_SECOND,
    CENTRAL_TOP,
    CENTRAL_TYPES,
    DEVELOPMENT_ZONE,
    DISTRICT_BLOCKERS,
    DISTRICT_SYNONYMS,
    DISTRICTS,
    EMPLOYER_BLOCKERS,
    EMPLOYER_SYNONYMS,
    EMPLOYERS,
    FIELD_SYNONYMS,
    FOREIGN,
    FREELANCE,
    FREELANCE_FIELDS,
    GOVERNMENT,
    HMT,
    IDENTITIES,
    IDENTITY_BLOCKERS,
    IDENTITY_SYNONYMS,
    LEVEL_BLOCKERS,
    LEVEL_SYNONYMS,
    LEVELS,
    MAINLAND,
    NATIONAL_ASSOCIATION,
    NON_PUBLIC,
    SELF_EVALUATING,
    SENIOR_LEVELS,
    SERIES_BLOCKERS,
    SOCIAL_ORG,
    STATE_OWNED,
    TIER_WORDS,
    flag_phrases,
)

__all__ = [  # the names other modules import from here
    "LEVELS", "SENIOR_LEVELS", "STATE_OWNED", "NON_PUBLIC", "SOCIAL_ORG", "CENTRAL", "CENTRAL_TOP",
    "CENTRAL_SECOND", "CENTRAL_LOWER", "NATIONAL_ASSOCIATION", "GOVERNMENT", "FREELANCE", "SELF_EVALUATING",
    "CENTRAL_TYPES", "EMPLOYERS", "MAINLAND", "HMT", "FOREIGN", "IDENTITIES", "DEVELOPMENT_ZONE", "DISTRICTS",
    "FREELANCE_FIELDS", "series_file", "SeriesInfo", "read_series", "series_catalog", "Matcher", "ENTITY_KINDS",
    "synonym_tables", "bare_central_tier", "normalize_series", "normalize_level", "normalize_employer",
    "normalize_identity", "normalize_district", "normalize_freelance_field", "extract_facts",
]


# --- matching -----------------------------------------------------------------------------------
class Matcher:
    """Leftmost-longest substring matcher over a phrase -> value table (None = blocker)."""

    def __init__(self, table: dict[str, Any]):
        self.table = dict(table)
        self._by_first: dict[str, list[str]] = {}
        for phrase in sorted(self.table, key=len, reverse=True):
            self._by_first.setdefault(phrase[0], []).append(phrase)

    def find(self, text: str) -> list[tuple[int, str, Any]]:
        """(position, phrase, value) of every non-blocked match, left to right."""
        out, i = [], 0
        while i < len(text):
            for phrase in self._by_first.get(text[i], ()):
                if text.startswith(phrase, i):
                    if self.table[phrase] is not None:
                        out.append((i, phrase, self.table[phrase]))
                    i += len(phrase)
                    break
            else:
                i += 1
        return out


def _clean(text: str | None) -> str:
    if not text:
        return ""
    return _cleaned(str(text))


@lru_cache(maxsize=1024)  # a message's text is cleaned for every kind of fact; OpenCC's answer never changes
def _cleaned(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).strip().lower()
    from bot.text import to_simplified  # OpenCC; imported on first use only
    return to_simplified(text)


def _table(synonyms: dict[str, list[str]], blockers: Sequence[str] = ()) -> dict[str, str | None]:
    table: dict[str, str | None] = {}
    for canonical, words in synonyms.items():
        for w in [canonical, *words]:
            table[w.lower()] = canonical
    for b in blockers:
        table.setdefault(b, None)
    return table


def _series_synonyms(catalog: dict[str, SeriesInfo]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for info in catalog.values():
        words = [info.name, f"{info.name}系列", *info.aliases]
        out[info.name] = list(dict.fromkeys(words))
    return out


def _matchers(series_path: Path | None = None) -> dict[str, Matcher]:
    return _build_matchers(*_version(series_path))


@lru_cache(maxsize=4)
def _build_matchers(path: Path, mtime: int) -> dict[str, Matcher]:
    catalog = _catalog(path, mtime)
    return {
        "series": Matcher(_table(_series_synonyms(catalog), SERIES_BLOCKERS)),
        "level": Matcher(_table(LEVEL_SYNONYMS, LEVEL_BLOCKERS)),
        "employer": Matcher(_table(EMPLOYER_SYNONYMS, EMPLOYER_BLOCKERS)),
        "identity": Matcher(_table(IDENTITY_SYNONYMS, IDENTITY_BLOCKERS)),
        "district": Matcher(_table(DISTRICT_SYNONYMS, DISTRICT_BLOCKERS)),
        "freelance_field": Matcher(_table(FIELD_SYNONYMS)),
        "tier": Matcher(dict(TIER_WORDS)),
        "bare_tier": Matcher(dict(BARE_TIER_WORDS)),
        "flags": Matcher(flag_phrases()),
    }


ENTITY_KINDS = ("series", "level", "employer", "identity", "district", "freelance_field")


def synonym_tables(series_path: Path | None = None) -> dict[str, dict[str, list[str]]]:
    """{entity: {canonical: [synonyms]}} for Rasa lookup tables and entity synonyms."""
    catalog = series_catalog(series_path)
    tables = {
        "series": _series_synonyms(catalog),
        "level": LEVEL_SYNONYMS,
        "employer": EMPLOYER_SYNONYMS,
        "identity": IDENTITY_SYNONYMS,
        "district": DISTRICT_SYNONYMS,
        "freelance_field": FIELD_SYNONYMS,
    }
    return {kind: {c: list(dict.fromkeys([c, *words])) for c, words in t.items()} for kind, t in tables.items()}


def _normalize(kind: str, text: str | None, series_path: Path | None = None) -> str | None:
    clean = _clean(text)
    if not clean:
        return None
    matcher = _matchers(series_path)[kind]
    if clean in matcher.table:
        canonical: str | None = matcher.table[clean]  # the word tables map to a name (None: a blocker)
        return canonical
    found = matcher.find(clean)
    if kind == "employer":
        return _employer([(p, v) for p, _, v in found], clean, series_path)
    values = {v for _, _, v in found}
    return values.pop() if len(values) == 1 else None


_INSURING_UNIT = re.compile(r"社保|参保|总公司|总部|注册|公司在|单位在|劳动合同")
_OTHERS_OR_PAST = re.compile(r"以前|之前|原来|曾经|过去|早年|老板|同事|朋友|同学|爱人|老公|老婆|(?<!其)[他她]")


def _employer(found: list[tuple[int, str]], text: str, series_path: Path | None = None) -> str | None:
    """The employer type named in `text`: a central-unit word plus a tier word makes the tier precise."""
    # a unit named in someone else's or a past clause ("老板以前在央企干过", "我原来在国企") is not the
    # person's own, when their own is named too
    own = [(p, v) for p, v in found if not _OTHERS_OR_PAST.search(text[max(0, p - 8):p])]
    found = own or found
    if not found:
        return None
    values = [v for _, v in found]
    precise = [v for v in values if v in (CENTRAL_TOP, CENTRAL_SECOND, CENTRAL_LOWER)]
    if precise:
        return precise[0]
    if CENTRAL in values:
        tiers = [v for _, _, v in _matchers(series_path)["tier"].find(text)]
        return tiers[0] if tiers else CENTRAL
    return values[0]


def bare_central_tier(text: str, series_path: Path | None = None) -> tuple[str, str] | None:
    """(word, central employer type) for a tier word standing alone ("如果我是二级单位呢"), else None."""
    found = _matchers(series_path)["bare_tier"].find(text)
    return (found[0][1], found[0][2]) if found else None


def normalize_series(text: str | None) -> str | None:
    return _normalize("series", text)


def normalize_level(text: str | None) -> str | None:
    return _normalize("level", text)


def normalize_employer(text: str | None) -> str | None:
    return _normalize("employer", text)


def normalize_identity(text: str | None) -> str | None:
    return _normalize("identity", text)


def normalize_district(text: str | None) -> str | None:
    return _normalize("district", text)


def normalize_freelance_field(text: str | None) -> str | None:
    return _normalize("freelance_field", text)


_ASKING_BEFORE = ("需要", "要不要", "是否", "能否", "必须", "要", "须")
_ASKING_AFTER = ("吗", "么", "?", "没有")


def _is_question(text: str, start: int, end: int) -> bool:
    """Whether a yes/no phrase is asked about (需要协会推荐吗, 是否在京参保) rather than stated."""
    return text[max(0, start - 3):start].endswith(_ASKING_BEFORE) or \
        text[end:end + 3].lstrip("了").startswith(_ASKING_AFTER)


# where social insurance is paid, when no fixed phrase said it: "社保在天津交", "在老家缴的社保"
_INSURED_AT = re.compile(r"社保[也都还一直是]*挂?在([\u4e00-\u9fff]{1,9}?)(?:交|缴|缴纳|上|买)|"
                         r"在([\u4e00-\u9fff]{1,9}?)[也都还一直]*(?:交|缴|缴纳|上|买)的?社保")
_BEIJING = ("北京", "京", "北京市", "这边", "本地")


def _insured_where(clean: str) -> bool | None:
    m = _INSURED_AT.search(clean)
    if not m:
        return None
    # "在北京正常交", "在京按时缴": the manner is not part of the place
    place = re.sub(r"(正常|按时|按月|一直|都|也|还|照常|连续)+$", "", m.group(1) or m.group(2))
    # "在天津的分公司交", "挂在河北的子公司": the place is where the paying unit is
    place = re.sub(r"的?(分公司|子公司|总公司|公司|单位|那边|那里|那儿|老家)$", "", place)
    # a district of Beijing (or 经开区/亦庄) is Beijing: "社保在西城交"
    return place in _BEIJING or place.startswith("北京") or normalize_district(place) is not None


SEVERAL_SERIES = "_several_series"  # the sentence that gave the series named others too


def extract_facts(text: str | None, *, series_path: Path | None = None) -> dict[str, Any]:
    """Every entity and yes/no fact found in a free sentence, as Facts field names -> values.

    For each entity kind the first match wins (a later, different mention is ignored);
    keys are present only when something was found.
    """
    clean = _clean(text)
    if not clean:
        return {}
    m = _matchers(series_path)
    facts: dict[str, Any] = {}
    for kind in ("series", "level", "identity", "district", "freelance_field"):
        found = m[kind].find(clean)
        if found:
            facts[kind] = found[0][2]
            if kind == "series" and len({f[2] for f in found}) > 1:
                # "一个报卫生系列，一个报工程中级": an HR person's staff, not one applicant's own series
                facts[SEVERAL_SERIES] = True
    districts = m["district"].find(clean)
    if len({d[2] for d in districts}) > 1:
        # 参保单位所在区 (五(一)): "人常驻通州的项目部，但社保是总公司交的，总公司在东城" → 东城
        insuring = [d for d in districts if _INSURING_UNIT.search(clean[max(0, d[0] - 6):d[0] + len(d[1]) + 6])]
        if insuring:
            facts["district"] = insuring[-1][2]
    employer = _employer([(p, v) for p, _, v in m["employer"].find(clean)], clean, series_path)
    if employer:
        facts["employer"] = employer
    for pos, phrase, (fact, value) in m["flags"].find(clean):
        if not _is_question(clean, pos, pos + len(phrase)):
            facts.setdefault(fact, value)
    if "insured_in_beijing" not in facts:
        insured = _insured_where(clean)
        if insured is not None:
            facts["insured_in_beijing"] = insured
    if employer == FREELANCE:
        facts.setdefault("is_freelancer", True)
    if facts.get("has_work_permit") is True and "外国人来华工作许可证" in clean:
        facts.setdefault("identity", FOREIGN)
    return facts

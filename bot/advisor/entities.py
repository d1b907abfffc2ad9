"""Canonical values and synonyms of the advisor's entities, and a matcher for free Chinese text.

Kinds: series (系列, from knowledge/series.yml: names + aliases), level (级别), employer
(单位类型), identity (身份), district (参保单位所在区, the 16 districts + 经开区) and
freelance_field (一第3段's fields). Besides the entities, `extract_facts` recognises a few
yes/no facts the decisions need (公务员, 在京参保, 工作许可证, 考试通过 …).

Matching is by substring, leftmost-longest, per kind, with no word-boundary assumptions.
A phrase mapped to None is a *blocker*: it consumes the text so that a shorter synonym
inside it does not fire (北京经济技术开发区 is not the 经济 series, 高级技师 is not 副高级).
Input is expected to be normalised already (bot.text.normalize); NFKC and
traditional→simplified are applied again here, which is harmless and cheap.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.config import settings


def series_file() -> Path:
    """knowledge/series.yml, or its copy in ZHICHENG_KNOWLEDGE_DIR."""
    return settings().knowledge_file("series.yml")


# --- levels -------------------------------------------------------------------------------------
LEVELS = ("初级", "中级", "副高级", "正高级")
SENIOR_LEVELS = ("副高级", "正高级")  # 高级职称 in 五(六)
_LEVEL_SYNONYMS = {
    # 初级工程 / 中级工程 ("评个初级工程职称") likewise, past the skill grades 初级工 / 中级工
    "初级": ["初级", "初级职称", "助理级", "员级", "助理", "初级工程师", "初级工程"],
    "中级": ["中级", "中级职称", "中级工程师", "中级工程"],
    # 高级工程师 / 高级工艺美术师 are named here so that the skill grade 高级工 does not block them
    "副高级": ["副高级", "副高", "副高职称", "副高级职称", "高级", "高级工程师", "高级工程", "高级工艺美术师"],
    "正高级": ["正高级", "正高", "正高职称", "正高级职称"],
}
# 高级职称 covers both 副高级 and 正高级 (五(六)); skill grades are not title levels;
# 助理研究员 is not 初级 and 经理助理 is not a level at all
_LEVEL_BLOCKERS = ["高级职称", "高级技师", "高级工", "中级工", "初级工", "助理研究员", "经理助理", "总裁助理",
                   "行政助理"]

# --- employer types -----------------------------------------------------------------------------
STATE_OWNED = "国有企事业单位"
NON_PUBLIC = "非公有制经济组织"
SOCIAL_ORG = "社会组织"
CENTRAL = "中央在京单位"  # tier not yet known
CENTRAL_TOP = "中央在京单位本级"
CENTRAL_SECOND = "中央在京单位二级"
CENTRAL_LOWER = "中央在京单位三级及以下"
NATIONAL_ASSOCIATION = "全国性行业协会商会"
GOVERNMENT = "党政机关"
FREELANCE = "自由职业"
SELF_EVALUATING = "自主评聘单位"
CENTRAL_TYPES = (CENTRAL, CENTRAL_TOP, CENTRAL_SECOND, CENTRAL_LOWER)
EMPLOYERS = (STATE_OWNED, NON_PUBLIC, SOCIAL_ORG, CENTRAL, CENTRAL_TOP, CENTRAL_SECOND, CENTRAL_LOWER,
             NATIONAL_ASSOCIATION, GOVERNMENT, FREELANCE, SELF_EVALUATING)
_EMPLOYER_SYNONYMS = {
    STATE_OWNED: ["国有企事业单位", "国有企业", "国企", "国有单位", "事业单位", "国有事业单位", "事业编"],
    NON_PUBLIC: ["非公有制经济组织", "非公有制企业", "非公企业", "非公有制", "民营企业", "民营", "民企", "私企",
                 "私营企业", "私营", "外企", "外资企业", "合资企业"],
    SOCIAL_ORG: ["社会组织", "社会团体", "社团", "民办非企业单位", "民办非企业", "民非", "基金会", "社会服务机构"],
    CENTRAL: ["中央在京单位", "中央单位", "央企", "中央企业", "中央事业单位", "中管企业"],
    CENTRAL_TOP: ["中央在京单位本级", "中央单位本级", "央企本级", "央企总部", "央企集团总部", "中央企业总部"],
    CENTRAL_SECOND: ["中央在京单位二级", "中央在京单位所属二级单位", "中央单位二级", "中央单位所属二级单位",
                     "央企二级", "央企二级单位", "央企二级公司", "央企下属二级", "央企所属二级"],
    CENTRAL_LOWER: ["中央在京单位三级及以下", "中央单位三级", "央企三级", "央企三级单位", "央企三级公司",
                    "央企四级", "央企孙公司"],
    NATIONAL_ASSOCIATION: ["全国性行业协会商会", "全国性行业协会", "全国性协会", "全国性商会", "行业协会商会",
                           "全国性学会", "脱钩协会", "脱钩商会", "脱钩行业协会"],
    GOVERNMENT: ["党政机关", "机关单位", "政府机关", "行政机关", "政府部门", "机关", "公务员"],
    FREELANCE: ["自由职业者", "自由职业", "自由职业专业技术人才", "自由职业人员", "自由职业人", "没有单位", "没单位",
                "无单位", "没有工作单位", "没有固定单位", "不在任何单位", "灵活就业", "自由插画师", "自由撰稿人",
                "自由摄影师", "自由设计师", "独立设计师", "独立插画师", "自由画家", "自由艺术家", "独立音乐人",
                "freelancer", "freelance"],
    SELF_EVALUATING: ["自主评聘单位", "自主评聘"],
}
# 参照公务员法管理 is not the notice's 公务员: leave it to the dialogue to ask
_EMPLOYER_BLOCKERS = ["不是公务员", "非公务员", "是不是公务员", "参照公务员法管理"]
# a tier word next to a central-unit word makes the central type precise (央企的二级单位)
_TIER_WORDS = {
    "本级": CENTRAL_TOP, "总部": CENTRAL_TOP, "集团总部": CENTRAL_TOP,
    "二级单位": CENTRAL_SECOND, "二级公司": CENTRAL_SECOND, "所属二级": CENTRAL_SECOND, "下属二级": CENTRAL_SECOND,
    "三级单位": CENTRAL_LOWER, "三级公司": CENTRAL_LOWER, "三级及以下": CENTRAL_LOWER, "四级单位": CENTRAL_LOWER,
    "四级公司": CENTRAL_LOWER, "孙公司": CENTRAL_LOWER, "本级单位": CENTRAL_TOP,
    "二级子公司": CENTRAL_SECOND, "二级子企业": CENTRAL_SECOND, "三级子公司": CENTRAL_LOWER, "三级子企业": CENTRAL_LOWER,
    "四级子公司": CENTRAL_LOWER, "下属三级": CENTRAL_LOWER, "所属三级": CENTRAL_LOWER,
}
# Tier words that name a central tier even alone: the notice tiers only 中央在京单位 (五(二)).
# 本级 / 总部 alone do not ("公司总部" is any company's head office).
_BARE_TIER_WORDS = {w: v for w, v in _TIER_WORDS.items() if w not in ("本级", "总部", "集团总部")}

# --- identity -----------------------------------------------------------------------------------
MAINLAND = "内地"
HMT = "港澳台"
FOREIGN = "外籍"
IDENTITIES = (MAINLAND, HMT, FOREIGN)
_IDENTITY_SYNONYMS = {
    MAINLAND: ["内地", "大陆", "中国大陆"],
    HMT: ["港澳台", "港澳台地区", "港澳", "香港", "澳门", "台湾", "台胞", "台湾同胞", "港人", "港澳居民",
          "香港居民", "澳门居民", "台湾居民"],
    FOREIGN: ["外籍", "外籍人才", "外籍人士", "外国人", "外国籍", "外国专家", "老外"],
}
_IDENTITY_BLOCKERS = ["内地企业"]

# --- districts ----------------------------------------------------------------------------------
DEVELOPMENT_ZONE = "经开区"
_DISTRICT_SHORT = ("东城", "西城", "朝阳", "海淀", "丰台", "石景山", "门头沟", "房山", "通州", "顺义", "昌平", "大兴",
                   "怀柔", "平谷", "密云", "延庆")
DISTRICTS = tuple(f"{d}区" for d in _DISTRICT_SHORT) + (DEVELOPMENT_ZONE,)
_DISTRICT_SYNONYMS: dict[str, list[str]] = {f"{d}区": [f"{d}区", d, f"北京市{d}区"] for d in _DISTRICT_SHORT}
_DISTRICT_SYNONYMS[DEVELOPMENT_ZONE] = ["经开区", "北京经开区", "北京经济技术开发区", "经济技术开发区", "亦庄",
                                        "亦庄开发区", "亦庄经济开发区", "亦庄经开区"]
_DISTRICT_BLOCKERS = ["朝阳门", "大兴安岭", "南通"]

# --- freelance fields (一第3段) -----------------------------------------------------------------
FREELANCE_FIELDS = ("舞台影视", "美术", "动漫游戏", "文学创作", "工艺美术")
_FIELD_SYNONYMS = {
    "舞台影视": ["舞台影视", "影视", "舞台", "表演", "演员", "话剧", "电影", "戏剧"],
    "美术": ["美术", "绘画", "画家", "书法", "雕塑"],
    "动漫游戏": ["动漫游戏", "动漫", "游戏", "动画"],
    "文学创作": ["文学创作", "文学", "写作", "作家", "编剧"],
    "工艺美术": ["工艺美术", "工美", "工艺品"],
}

# --- series blockers: words that contain a series alias but are not about that series ---------
_SERIES_BLOCKERS = ["经济技术开发区", "经济开发区", "非公有制经济", "经济组织", "民营经济", "文艺家协会",
                    "行业协会"]

# --- yes/no facts -------------------------------------------------------------------------------
# phrase -> (fact, value); negative phrases are longer than the positive ones they contain,
# so leftmost-longest matching lets them win (没在北京参保 beats 北京参保).
_FLAG_PHRASES: dict[str, tuple[str, Any] | None] = {}


def _flags(fact: str, value: Any, phrases: list[str]) -> None:
    for p in phrases:
        _FLAG_PHRASES[p] = (fact, value)


_flags("is_civil_servant", True, ["公务员"])
_flags("is_civil_servant", False, ["不是公务员", "非公务员", "不是公务员身份"])
_flags("insured_in_beijing", True, ["在京参保", "在北京参保", "北京参保", "在京正常参保", "在北京交社保", "在北京缴社保",
                                    "北京社保", "社保在北京", "在京交社保", "北京交社保", "北京缴纳社保", "在京缴纳社保",
                                    "在北京缴纳社保", "北京的社保"])
_flags("insured_in_beijing", False, ["没在北京参保", "没有在北京参保", "不在北京参保", "未在京参保", "没在京参保",
                                     "不在京参保", "社保不在北京", "社保在外地", "外地社保", "外地参保", "京外参保",
                                     "没在北京交社保", "没有在北京交社保", "不在北京交社保", "没交北京社保",
                                     "没有北京社保", "没北京社保", "北京没有社保", "北京没社保", "在外地交社保"])
_flags("has_work_permit", True, ["工作许可证", "工作许可", "外国人来华工作许可证"])
_flags("has_work_permit", False, ["没有工作许可", "没有工作许可证", "没工作许可", "无工作许可", "无工作许可证",
                                  "未办工作许可"])
_flags("is_high_skill", True, ["高技能人才", "高技能", "高级技师", "技师"])
_flags("is_freelancer", True, ["自由职业者", "自由职业", "灵活就业", "没有单位", "没单位", "无单位"])
_flags("beijing_1yr", True, ["近1年在北京", "近一年在北京", "近1年在京", "近一年在京", "在北京工作一年以上",
                             "在北京工作1年以上", "在北京工作了一年", "在北京工作满一年", "在北京一年多",
                             "在北京两年", "在北京好几年", "在北京工作多年"])
_flags("beijing_1yr", False, ["来北京不到一年", "在北京不到一年", "在北京不满一年", "在京不满一年", "在京不到一年",
                              "刚来北京", "不在北京工作"])
_flags("has_association_recommendation", True, ["协会推荐", "学会推荐", "文联推荐", "协会同意推荐", "协会愿意推荐"])
_flags("has_association_recommendation", False, ["没有协会推荐", "没有推荐", "没协会推荐", "协会不推荐",
                                                 "还没有推荐", "没人推荐"])
_flags("passed_exam", True, ["考试通过", "通过了考试", "考过了", "已通过考试", "通过考试", "考试过了",
                             "通过资格考试", "通过了资格考试", "考试已通过", "成绩合格"])
_flags("passed_exam", False, ["没考试", "没有考试", "还没考", "没通过考试", "没考过", "考试没过", "考试没通过",
                              "没参加考试", "没有参加考试", "未通过考试"])
_flags("on_decoupled_list", True, ["在脱钩名单里", "在脱钩名单中", "在脱钩名单上", "在脱钩改革名单", "属于脱钩",
                                    "已脱钩", "脱钩了", "脱钩协会", "脱钩商会", "脱钩的协会", "脱钩的商会",
                                    "脱钩改革名单里", "脱钩改革名单中", "脱钩改革名单上", "脱钩改革名单》里",
                                    "脱钩改革名单》中", "脱钩改革名单》上", "在附件3里", "在附件3中", "附件3里的",
                                    "脱钩名单里的", "名单里的协会", "名单里的商会"])
_flags("on_decoupled_list", False, ["不在脱钩名单", "没在脱钩名单", "没有脱钩", "未脱钩", "不在附件3"])
_flags("meets_standard_conditions", False, ["学历不够", "资历不够", "年限不够", "不符合申报条件", "条件不够",
                                            "不具备规定学历", "不具备规定资历"])
_flags("meets_standard_conditions", True, ["符合申报条件", "条件都符合", "条件够了"])
_flags("exceptional_merit", True, ["业绩显著", "贡献突出", "业绩突出"])
# questions are not statements: these consume the text so that the phrases inside them do not fire
for _q in ("有没有工作许可", "有没有工作许可证", "是不是公务员", "在不在脱钩名单", "是不是在脱钩名单", "技师学院",
           "有没有在北京参保", "要不要考试", "需不需要考试", "是不是高技能人才", "参照公务员法管理"):
    _FLAG_PHRASES[_q] = None


# --- series catalogue ---------------------------------------------------------------------------
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
    path = Path(path or series_file()).resolve()
    return path, path.stat().st_mtime_ns


def series_catalog(path: Path | None = None) -> dict[str, SeriesInfo]:
    """read_series, cached per file version; read on first use, never at import."""
    return _catalog(*_version(path))


@lru_cache(maxsize=4)
def _catalog(path: Path, _mtime: int) -> dict[str, SeriesInfo]:
    return read_series(path)


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
    text = unicodedata.normalize("NFKC", str(text)).strip().lower()
    from bot.text import to_simplified  # OpenCC; imported on first use only
    return to_simplified(text)


def _table(synonyms: dict[str, list[str]], blockers: list[str] = ()) -> dict[str, str | None]:
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
        "series": Matcher(_table(_series_synonyms(catalog), _SERIES_BLOCKERS)),
        "level": Matcher(_table(_LEVEL_SYNONYMS, _LEVEL_BLOCKERS)),
        "employer": Matcher(_table(_EMPLOYER_SYNONYMS, _EMPLOYER_BLOCKERS)),
        "identity": Matcher(_table(_IDENTITY_SYNONYMS, _IDENTITY_BLOCKERS)),
        "district": Matcher(_table(_DISTRICT_SYNONYMS, _DISTRICT_BLOCKERS)),
        "freelance_field": Matcher(_table(_FIELD_SYNONYMS)),
        "tier": Matcher(dict(_TIER_WORDS)),
        "bare_tier": Matcher(dict(_BARE_TIER_WORDS)),
        "flags": Matcher(dict(_FLAG_PHRASES)),
    }


ENTITY_KINDS = ("series", "level", "employer", "identity", "district", "freelance_field")


def synonym_tables(series_path: Path | None = None) -> dict[str, dict[str, list[str]]]:
    """{entity: {canonical: [synonyms]}} for Rasa lookup tables and entity synonyms."""
    catalog = series_catalog(series_path)
    tables = {
        "series": _series_synonyms(catalog),
        "level": _LEVEL_SYNONYMS,
        "employer": _EMPLOYER_SYNONYMS,
        "identity": _IDENTITY_SYNONYMS,
        "district": _DISTRICT_SYNONYMS,
        "freelance_field": _FIELD_SYNONYMS,
    }
    return {kind: {c: list(dict.fromkeys([c, *words])) for c, words in t.items()} for kind, t in tables.items()}


def _normalize(kind: str, text: str | None, series_path: Path | None = None) -> str | None:
    clean = _clean(text)
    if not clean:
        return None
    matcher = _matchers(series_path)[kind]
    if clean in matcher.table:
        return matcher.table[clean]
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
    return place in _BEIJING or place.startswith("北京")


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

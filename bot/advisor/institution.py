"""Which institution / committee handles this applicant? (二, 三(一)1, 三(二), 三(三), 五(一))

found | unverified | refer | unknown | need_info. `directory` is any iterable of entries with
the attributes of bot.advisor.directory.DirectoryEntry (e.g. find_institutions's result);
the function filters it itself, so passing the whole directory is fine.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.advisor import entities as E
from bot.advisor.entities import SeriesInfo, series_catalog
from bot.advisor.verdict import Facts, Verdict, need_info, unique
from bot.config import HOTLINE

K = "institution"
ANNEX1 = "《2024年度北京市职称评审专业及评审服务机构名录》（附件1）"
_CHOOSE = "网上申报时在北京市专业技术人员职称管理系统中选择拟申报专业的评审委员会（三(一)1）。"
_ASK = f"如有疑问，拨打附件1中公布的评审服务机构联系电话，或拨打{HOTLINE}。"


def _describe(e: Any) -> str:
    parts = [e.name]
    if e.committee:
        parts.append(f"评审委员会：{e.committee}")
    if e.phone:
        parts.append(f"电话：{e.phone}")
    if e.address:
        parts.append(f"地址：{e.address}")
    text = "，".join(parts)
    if not e.verified:
        text += f"（来源：{e.source}；尚未核实）"
    return text


def _matches(e: Any, series: str, level: str, district: str | None, by_district: bool) -> bool:
    if e.series != series or (e.level is not None and e.level != level):
        return False
    if by_district:
        return e.district == district
    return e.district is None or e.district == district


def _contact_note(entries: list[Any]) -> list[str]:
    if any(e.phone for e in entries):
        return []
    return [f"通知正文没有提供这些机构的电话和地址：请查阅{ANNEX1}中公布的联系电话，或拨打{HOTLINE}。"]


def decide_institution(facts: Facts, *, directory: Iterable[Any],
                       catalog: dict[str, SeriesInfo] | None = None) -> Verdict:
    catalog = series_catalog() if catalog is None else catalog
    f = facts
    if not f.series:
        return need_info(K, ["series"], ["评审服务机构按系列（专业）和级别确定（二）。"], ["二"])
    info = catalog.get(f.series)
    if info is not None and info.method == "职务评审":
        return Verdict(K, "refer", f"{info.name}系列的职务评审以行业主管部门通知为准。",
                       reasons=["卫生技术、中小学教师、中等职业学校教师、技工院校教师等系列（专业）专业技术职务评审，以行业主管"
                                "部门通知为准（三(二)）；本通知没有规定这些系列由哪个机构受理。"],
                       clauses=["三(二)"], next_steps=[f"请关注行业主管部门的通知，或向本单位人事部门咨询；也可拨打{HOTLINE}。"])
    if f.employer == E.SELF_EVALUATING:
        return Verdict(K, "refer", "由您所在的自主评聘单位按备案方案组织评审。",
                       reasons=["经备案实行自主评聘的单位，按照备案的自主评聘工作方案开展职称评审工作（三(三)）；经市人力资源"
                                "社会保障局备案的自主评聘单位可以开展职称评价（二）。"],
                       clauses=["三(三)", "二"], next_steps=["请联系本单位人事（职称）部门。"])
    if not f.level:  # the directory is where to look, whatever the level turns out to be
        return need_info(K, ["level"], [f"评审服务机构按系列（专业）和级别确定，以{ANNEX1}为准（二）。"], ["二"])

    by_district = f.series == "工程技术" and f.level == "初级"
    reasons: list[str] = []
    clauses = ["二"]
    if by_district:
        clauses = ["五(一)", "二"]
        reasons.append("工程技术系列各专业初级职称评审由各区人力资源社会保障部门分别负责组织；申报人按照参保单位所在区，"
                       "选择相应区初级专业技术资格评委会进行申报（五(一)）。")
        if not f.district:
            return need_info(K, ["district"], reasons, clauses)
        reasons.append(f"您的参保单位在{f.district}，应选择{f.district}的初级专业技术资格评委会。")
    else:
        reasons.append(f"北京市职称评审专业、评审服务机构以{ANNEX1}为准（二）。")

    entries = [e for e in directory if _matches(e, f.series, f.level, f.district, by_district)]
    verified = [e for e in entries if e.verified]
    specific = [e for e in verified if e.level is not None] or verified
    steps = [_CHOOSE, _ASK]
    clauses.append("三(一)1")
    if specific:
        reasons += [f"负责机构：{_describe(e)}。" for e in specific]
        return Verdict(K, "found", f"{f.series}系列{f.level}：请找{'、'.join(e.name for e in specific)}。",
                       reasons=unique(reasons + _contact_note(specific)), clauses=unique(clauses),
                       next_steps=steps, institutions=specific)
    if entries:
        reasons += [f"目录中的记录：{_describe(e)}。" for e in entries]
        reasons.append("我这里的信息尚未核实，请以附件1名录为准。")
        return Verdict(K, "unverified", f"{f.series}系列{f.level}的评审服务机构以附件1名录为准，我这里的信息尚未核实。",
                       reasons=unique(reasons + _contact_note(entries)), clauses=unique(clauses),
                       next_steps=steps, institutions=entries)
    where = f"{f.district}的" if by_district else ""
    reasons.append(f"目录中还没有{where}{f.series}系列{f.level}评审服务机构的记录。")
    return Verdict(K, "unknown", "我这里还没有这个系列和级别的评审服务机构信息。",
                   reasons=unique(reasons), clauses=unique(clauses),
                   next_steps=[f"请查阅{ANNEX1}，或拨打{HOTLINE}咨询。", _CHOOSE])

"""The facts a decision takes and the verdict it returns, and how a verdict is rendered.

Decision codes (Verdict.decision):
  yes           may apply (eligibility)
  conditional   may apply once the stated conditions are met (a letter, a recommendation …)
  no            the notice rules it out
  not_met       the notice's stated condition is not met and the notice names no other route
  refer         decided elsewhere (行业主管部门 三(二), the 自主评聘 unit 三(三))
  needed / not_needed / not_accepted / not_applicable    entrustment letter (五(二))
  found / unverified                                      institution (directory rows)
  not_open / open / closed                                deadline (三(一)1)
  unknown       the notice is silent: say so, point to 12333
  need_info     facts are missing: Verdict.missing lists them, ask one at a time
"""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from bot.answers import citation
from bot.config import HOTLINE


@dataclass(frozen=True)
class Facts:
    """What we know about one applicant. Every field is optional: None means unknown."""

    series: str | None = None  # canonical series name (series.yml)
    level: str | None = None  # 初级 | 中级 | 副高级 | 正高级
    employer: str | None = None  # entities.EMPLOYERS
    identity: str | None = None  # 内地 | 港澳台 | 外籍
    district: str | None = None  # district of the insured unit (参保单位所在区), entities.DISTRICTS
    insured_in_beijing: bool | None = None  # 在京正常参保
    is_civil_servant: bool | None = None
    has_work_permit: bool | None = None  # 外国人来华工作许可证
    is_high_skill: bool | None = None  # 高技能人才
    is_freelancer: bool | None = None
    freelance_field: str | None = None  # entities.FREELANCE_FIELDS, or the user's own words
    beijing_1yr: bool | None = None  # 近1年在北京地区…工作
    has_association_recommendation: bool | None = None
    meets_standard_conditions: bool | None = None  # meets the series' 学历/资历 conditions
    exceptional_merit: bool | None = None  # 业绩显著、贡献突出
    expert_recommenders: int | None = None  # 正高级同行专家 willing to sign 附件5
    passed_exam: bool | None = None  # 国家统一组织的职业资格考试
    on_decoupled_list: bool | None = None  # unit on 附件3
    series_in_central_catalog: bool | None = None  # 《中央单位高级职称评审委员会备案目录》

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Facts:
        """Facts from a dict (e.g. extract_facts or Rasa slots); unknown keys are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


FACT_LABELS = {
    "series": "您申报的系列（专业）",
    "level": "申报级别（初级、中级、副高级、正高级）",
    "employer": "您的单位类型（如国有企事业单位、民营企业、社会组织、中央在京单位本级/二级/三级及以下）",
    "identity": "您的身份（内地、港澳台、外籍）",
    "district": "参保单位所在的区",
    "insured_in_beijing": "是否在北京正常参保",
    "is_civil_servant": "您是不是公务员",
    "has_work_permit": "是否持有《外国人来华工作许可证》",
    "is_high_skill": "您是不是高技能人才",
    "is_freelancer": "您是不是自由职业者",
    "freelance_field": "您从事的专业领域（舞台影视、美术、动漫游戏、文学创作、工艺美术等）",
    "beijing_1yr": "近1年是否在北京地区从事该领域工作",
    "has_association_recommendation": "是否已取得协会推荐",
    "meets_standard_conditions": "是否符合本系列（专业）规定的学历、资历条件",
    "exceptional_merit": "是否业绩显著、贡献突出",
    "expert_recommenders": "有几名正高级职称的同行专家愿意推荐",
    "passed_exam": "是否已通过国家统一组织的专业技术人员职业资格考试",
    "on_decoupled_list": "您的单位是否在《全国性行业协会商会脱钩改革名单》（附件3）中",
    "series_in_central_catalog": "该系列是否已列入《中央单位高级职称评审委员会备案目录》",
}


@dataclass(frozen=True)
class Verdict:
    kind: str  # eligibility | entrustment | institution | deadline
    decision: str  # see the module docstring
    summary: str  # the verdict line, plain Chinese
    reasons: list[str] = field(default_factory=list)
    clauses: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # Facts field names, most important first
    institutions: list[Any] = field(default_factory=list)  # directory entries behind an institution verdict


def unique(items) -> list:
    return list(dict.fromkeys(i for i in items if i))


def need_info(kind: str, missing: list[str], reasons: list[str], clauses: list[str],
              established: str | None = None) -> Verdict:
    """Facts are missing. `established`: what the facts known so far already settle, said first."""
    missing = unique(missing)
    summary = f"{established}还需要了解您的一些情况，才能给出完整的判断。" if established else "还需要了解您的一些情况才能判断。"
    return Verdict(kind=kind, decision="need_info", summary=summary,
                   reasons=unique(reasons), clauses=unique(clauses),
                   next_steps=[f"请告诉我：{FACT_LABELS.get(missing[0], missing[0])}。"], missing=missing)


def silent(kind: str, summary: str, reasons: list[str], clauses: list[str]) -> Verdict:
    """The notice does not settle the case: say so and point to 12333."""
    return Verdict(kind=kind, decision="unknown", summary=summary,
                   reasons=unique([*reasons, "通知对这种情况没有作出具体规定，我不能替您下结论。"]),
                   clauses=unique(clauses),
                   next_steps=[f"请拨打{HOTLINE}，或联系附件1中的评审服务机构咨询。"])


def _block(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    if len(items) == 1:
        return [f"{title}：{items[0]}"]
    return [f"{title}："] + [f"{i}. {text}" for i, text in enumerate(items, start=1)]


def render_verdict(verdict: Verdict, *, notice_number: str) -> str:
    """结论 line, 原因, 下一步, what is still needed, and the citation line."""
    lines = [f"结论：{verdict.summary}"]
    lines += _block("原因", verdict.reasons)
    lines += _block("下一步", verdict.next_steps)
    if len(verdict.missing) > 1:
        lines.append("还需要了解：" + "；".join(FACT_LABELS.get(m, m) for m in verdict.missing) + "。")
    if verdict.clauses:
        lines.append(citation(notice_number, list(verdict.clauses)))
    return "\n".join(lines)

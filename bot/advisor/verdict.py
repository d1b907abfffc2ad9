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

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from typing import Any

from bot.answers import citation
from bot.wording import Phrases, say


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
    association: str | None = None  # the national association or chamber the user named (its list entry's name when listed)
    association_listed: bool | None = None  # that name found on the imported 附件3 list; None: no list imported
    series_in_central_catalog: bool | None = None  # 《中央单位高级职称评审委员会备案目录》

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Facts:
        """Facts from a dict (e.g. extract_facts or Rasa slots); unknown keys are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


# what each fact is called when the assistant asks for it (templates advisor.fact.<field>)
FACT_LABELS = Phrases({f.name: f"advisor.fact.{f.name}" for f in fields(Facts)})


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


def unique(items: Iterable[str | None]) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))


def need_info(kind: str, missing: list[str], reasons: list[str], clauses: list[str],
              established: str | None = None) -> Verdict:
    """Facts are missing. `established`: what the facts known so far already settle, said first."""
    missing = unique(missing)
    summary = say("advisor.need_info_after", established=established) if established else say("advisor.need_info")
    return Verdict(kind=kind, decision="need_info", summary=summary,
                   reasons=unique(reasons), clauses=unique(clauses),
                   next_steps=[say("advisor.tell_me", fact=FACT_LABELS.get(missing[0], missing[0]))], missing=missing)


def silent(kind: str, summary: str, reasons: list[str], clauses: list[str]) -> Verdict:
    """The notice does not settle the case: say so and point to 12333."""
    return Verdict(kind=kind, decision="unknown", summary=summary,
                   reasons=unique([*reasons, say("advisor.silent.reason")]),
                   clauses=unique(clauses),
                   next_steps=[say("advisor.silent.next_step")])


def _block(title: str, items: list[str]) -> list[str]:
    if not items:
        return []
    if len(items) == 1:
        return [say("advisor.block_one", title=title, item=items[0])]
    return [say("advisor.block_many", title=title)] + [f"{i}. {text}" for i, text in enumerate(items, start=1)]


def render_verdict(verdict: Verdict, *, notice_number: str) -> str:
    """结论 line, 原因, 下一步, what is still needed, and the citation line."""
    lines = [say("advisor.conclusion", summary=verdict.summary)]
    lines += _block(say("advisor.reasons"), verdict.reasons)
    lines += _block(say("advisor.next_steps"), verdict.next_steps)
    if len(verdict.missing) > 1:
        lines.append(say("advisor.still_missing", facts="；".join(FACT_LABELS.get(m, m) for m in verdict.missing)))
    if verdict.clauses:
        lines.append(citation(notice_number, list(verdict.clauses)))
    return "\n".join(lines)

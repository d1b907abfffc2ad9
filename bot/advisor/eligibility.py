"""May this person apply? (一, 一第2段, 一第3段, 一第4段, 三(二), 三(三), 五(二), 五(五), 五(六))

A pure function: Facts in, Verdict out. The rules run in the notice's order; a rule that
settles the case (公务员, a series decided elsewhere, …) wins even when other facts are
still unknown, so the dialogue never asks a question whose answer cannot matter.
"""
from __future__ import annotations

from dataclasses import replace

from bot.advisor import entities as E
from bot.advisor.entities import SeriesInfo, series_catalog
from bot.advisor.verdict import Facts, Verdict, need_info, silent, unique
from bot.advisor.vocabulary import ART_SERIES, CRAFT_SERIES
from bot.wording import say

# the notice's own wording quoted in replies lives in the `common` group of knowledge/wording.yml
# ({high_skill_series}, {freelance_fields}, {freelance_series}, {exam_series}, {apply_step} …)


LOCAL_EMPLOYERS = (E.STATE_OWNED, E.NON_PUBLIC, E.SOCIAL_ORG)  # within 一 by the employer alone


def _is_freelancer(f: Facts) -> bool:
    return f.employer == E.FREELANCE or f.is_freelancer is True


def _ruled_out(f: Facts, info: SeriesInfo | None) -> Verdict | None:
    """A rule of the notice that settles the case by itself, or None."""
    k = "eligibility"

    def rule(decision: str, key: str, clauses: list[str], **values: str) -> Verdict:
        """A verdict whose summary, reason and next step are the templates eligibility.<key>.*"""
        return Verdict(k, decision, say(f"eligibility.{key}.summary", **values),
                       reasons=[say(f"eligibility.{key}.reason", **values)], clauses=clauses,
                       next_steps=[say(f"eligibility.{key}.next_step", **values)])

    if f.is_civil_servant is True:
        return rule("no", "civil_servant", ["一第4段"])
    if f.employer == E.GOVERNMENT and f.is_civil_servant is False:
        return silent(k, say("eligibility.government.summary"), [say("eligibility.government.reason")],
                      ["一", "一第4段"])
    if f.identity == E.FOREIGN and f.has_work_permit is False:
        return rule("no", "no_permit", ["一"])
    if f.series and info is None:
        return silent(k, say("eligibility.unknown_series.summary", series=f.series),
                      [say("eligibility.unknown_series.reason", series=f.series)], ["三(一)", "三(二)"])
    if info and info.method == "职务评审":
        clauses = ["三(二)"] + (["一第2段"] if f.is_high_skill and info.high_skill else [])
        return rule("refer", "elsewhere", clauses, series=info.name)
    if f.employer == E.SELF_EVALUATING:
        return rule("refer", "self_evaluating", ["三(三)", "二"])
    if _is_freelancer(f):
        if info and not info.freelancer:
            return rule("no", "freelancer_series", ["一第3段"], series=info.name)
        if f.beijing_1yr is False:
            return rule("no", "freelancer_not_beijing", ["一第3段"])
        if f.freelance_field and f.freelance_field not in E.FREELANCE_FIELDS:
            return silent(k, say("eligibility.freelance_field.summary", field=f.freelance_field),
                          [say("eligibility.freelance_field.reason", field=f.freelance_field)], ["一第3段"])
    if f.is_high_skill is True and info and not info.high_skill:
        return rule("no", "high_skill_series", ["一第2段"], series=info.name)
    if info and info.exam_for_deputy_senior and f.level == "副高级" and f.passed_exam is False:
        return rule("no", "exam_first", ["五(五)"], series=info.name)
    if f.meets_standard_conditions is False:
        if f.level in ("初级", "中级"):
            return rule("no", "no_exception", ["五(六)"], level=f.level)
        if f.level in E.SENIOR_LEVELS and f.exceptional_merit is False:
            return rule("no", "no_merit", ["五(六)"])
    central = f.employer in E.CENTRAL_TYPES
    association = f.employer == E.NATIONAL_ASSOCIATION or f.on_decoupled_list is True
    if central and f.insured_in_beijing is False:
        return Verdict(k, "not_met", say("eligibility.not_insured.summary"),
                       reasons=[say("eligibility.not_insured.reason"), say("eligibility.not_insured.reason2")],
                       clauses=["五(二)", "五(二)第2段"], next_steps=[say("eligibility.not_insured.next_step")])
    if f.employer in (E.CENTRAL_TOP, E.CENTRAL_SECOND) and f.series_in_central_catalog is True:
        return Verdict(k, "no", say("eligibility.central_catalog.summary"),
                       reasons=[say("eligibility.central_catalog.reason")], clauses=["五(二)第4段", "五(二)"],
                       next_steps=[say("eligibility.central_catalog.next_step")])
    if f.employer == E.NATIONAL_ASSOCIATION and f.on_decoupled_list is False:
        return silent(k, say("eligibility.association_unlisted.summary"),
                      [say("eligibility.association_unlisted.reason")], ["五(二)第3段"])
    if association and f.on_decoupled_list is True and f.insured_in_beijing is False:
        return Verdict(k, "not_met", say("eligibility.not_insured.summary"),
                       reasons=[say("eligibility.association_not_insured.reason"),
                                say("eligibility.association_not_insured.reason2")],
                       clauses=["五(二)第3段"], next_steps=[say("eligibility.association_not_insured.next_step")])
    return None


def _established(f: Facts, info: SeriesInfo | None) -> list[tuple[str, str]]:
    """(reason, clause) for what the known facts already settle about who may apply, before the
    rest is known: "我是香港人，在民企上班" is within 一 whatever the series."""
    out = []
    if f.identity == E.HMT:
        out.append((say("eligibility.scope.hmt"), "一"))
    elif f.identity == E.FOREIGN and f.has_work_permit is True:
        out.append((say("eligibility.scope.foreign"), "一"))
    if f.is_high_skill is True:
        out.append((say("eligibility.scope.high_skill"), "一第2段"))
    if info and info.exam_for_deputy_senior and f.level == "副高级" and f.passed_exam is True:
        out.append((say("eligibility.scope.exam_passed", series=info.name), "五(五)"))
    if _is_freelancer(f):
        out.append((say("eligibility.scope.freelancer"), "一第3段"))
    elif f.employer in LOCAL_EMPLOYERS:
        out.append((say("eligibility.scope.local", employer=f.employer), "一"))
    return out


def _missing(f: Facts, info: SeriesInfo | None) -> list[tuple[str, str, str]]:
    """(fact, why it matters, clause) for every fact still needed, most important first."""
    out = []
    freelancer = _is_freelancer(f)

    def need(fact: str, why: str, clause: str) -> None:
        out.append((fact, say(f"eligibility.why.{why}"), clause))

    if not f.series:
        need("series", "series", "三(一)")
    if not f.employer and not freelancer and f.on_decoupled_list is not True:
        need("employer", "employer", "一")
    if f.employer == E.GOVERNMENT and f.is_civil_servant is None:
        need("is_civil_servant", "civil_servant", "一第4段")
    if f.identity == E.FOREIGN and f.has_work_permit is None:
        need("has_work_permit", "work_permit", "一")
    if freelancer:
        if not f.freelance_field:
            need("freelance_field", "freelance_field", "一第3段")
        if f.beijing_1yr is None:
            need("beijing_1yr", "beijing_1yr", "一第3段")
    if info and info.exam_for_deputy_senior:
        if not f.level:
            need("level", "exam", "五(五)")
        elif f.level == "副高级" and f.passed_exam is None:
            need("passed_exam", "exam", "五(五)")
    if f.meets_standard_conditions is False:
        if not f.level:
            need("level", "merit", "五(六)")
        elif f.level in E.SENIOR_LEVELS and f.exceptional_merit is None:
            need("exceptional_merit", "merit", "五(六)")
    if f.employer == E.NATIONAL_ASSOCIATION and f.on_decoupled_list is None:
        need("on_decoupled_list", "decoupled_list", "五(二)第3段")
    if f.employer in E.CENTRAL_TYPES and f.insured_in_beijing is None:
        need("insured_in_beijing", "central_insured", "五(二)")
    elif (f.employer == E.NATIONAL_ASSOCIATION or f.on_decoupled_list is True) and f.insured_in_beijing is None:
        need("insured_in_beijing", "association_insured", "五(二)第3段")
    return out


def decide_eligibility(facts: Facts, *, catalog: dict[str, SeriesInfo] | None = None) -> Verdict:
    """yes | conditional | no | not_met | refer | unknown | need_info, with reasons and clauses."""
    catalog = series_catalog() if catalog is None else catalog
    f = facts
    if _is_freelancer(f) and f.freelance_field and not f.series:
        # 一第3段: a freelancer's field is evaluated in the 艺术 series, 工艺美术 in its own
        f = replace(f, series=CRAFT_SERIES if f.freelance_field == CRAFT_SERIES else ART_SERIES)
    info = catalog.get(f.series) if f.series else None
    ruled = _ruled_out(f, info)
    if ruled is not None:
        return ruled
    missing = _missing(f, info)
    if missing:
        settled = _established(f, info)
        return need_info("eligibility", [m[0] for m in missing], [r for r, _ in settled] + [m[1] for m in missing],
                         [c for _, c in settled] + [m[2] for m in missing],
                         established=say("eligibility.in_scope") if f.employer in LOCAL_EMPLOYERS else None)

    # _ruled_out answered an unknown series, _missing a missing one: the series is known from here on
    assert info is not None
    reasons: list[str] = []
    clauses: list[str] = []
    conditions: list[str] = []
    steps: list[str] = []
    freelancer = _is_freelancer(f)

    # who: the scope of 一 and the special routes
    if freelancer:
        reasons.append(say("eligibility.yes.freelancer", field=f.freelance_field, series=info.name))
        clauses.append("一第3段")
        if f.has_association_recommendation is True:
            reasons.append(say("eligibility.yes.recommended"))
        else:
            conditions.append(say("eligibility.condition.recommendation"))
        steps.append(say("common.freelance_step"))
        clauses.append("三(一)2第2段")
    elif f.employer in E.CENTRAL_TYPES:
        clauses.append("五(二)")
        if f.employer == E.CENTRAL_LOWER:
            reasons.append(say("eligibility.yes.central_lower"))
            clauses.append("五(二)第2段")
        elif f.employer == E.CENTRAL:
            reasons.append(say("eligibility.yes.central"))
            conditions.append(say("eligibility.condition.central_letter"))
            clauses.append("五(二)第2段")
        else:
            reasons.append(say("eligibility.yes.central_letter"))
            conditions.append(say("eligibility.condition.letter"))
            if f.series_in_central_catalog is None:
                reasons.append(say("eligibility.yes.catalog_check"))
                clauses.append("五(二)第4段")
    elif f.employer == E.NATIONAL_ASSOCIATION or f.on_decoupled_list is True:
        reasons.append(say("eligibility.yes.association"))
        clauses.append("五(二)第3段")
    else:
        reasons.append(say("eligibility.scope.local", employer=f.employer))
        clauses.append("一")
    if f.identity == E.HMT:
        reasons.append(say("eligibility.scope.hmt"))
        clauses.append("一")
    elif f.identity == E.FOREIGN:
        reasons.append(say("eligibility.scope.foreign"))
        clauses.append("一")
    if f.is_high_skill is True:
        reasons.append(say("eligibility.scope.high_skill"))
        clauses.append("一第2段")

    # how: the series' method, the exam, the conditions
    reasons.append(say("eligibility.yes.method", series=info.name))
    clauses.append("三(一)")
    if info.exam_for_deputy_senior and f.level == "副高级":
        reasons.append(say("eligibility.yes.exam_passed", series=info.name))
        clauses.append("五(五)")
    if f.meets_standard_conditions is False:  # a senior level with exceptional merit: 破格
        reasons.append(say("eligibility.yes.exception"))
        conditions.append(say("eligibility.condition.experts"))
        if f.expert_recommenders is not None and f.expert_recommenders < 2:
            reasons.append(say("eligibility.yes.experts_short", have=f.expert_recommenders,
                               lacking=2 - f.expert_recommenders))
        steps.append(say("eligibility.step.experts"))
        clauses.append("五(六)")
    elif f.meets_standard_conditions is True:
        reasons.append(say("eligibility.yes.conditions_met"))
    else:
        reasons.append(say("eligibility.yes.conditions_assumed", series=info.name))
        clauses.append("三(一)1")

    steps.insert(0, say("common.apply_step"))
    clauses.append("三(一)1")
    if f.employer in (E.CENTRAL_TOP, E.CENTRAL_SECOND):
        steps.insert(1, say("eligibility.step.upload_letter"))
    elif f.employer == E.CENTRAL:
        steps.insert(1, say("eligibility.step.upload_letter_if_needed"))
    if not freelancer:
        steps.append(say("common.unit_step"))
        clauses.append("三(一)2")
    if conditions:
        return Verdict("eligibility", "conditional", say("eligibility.conditional"),
                       reasons=unique(conditions + reasons), clauses=unique(clauses), next_steps=unique(steps))
    return Verdict("eligibility", "yes", say("eligibility.yes.summary", series=info.name), reasons=unique(reasons),
                   clauses=unique(clauses), next_steps=unique(steps))

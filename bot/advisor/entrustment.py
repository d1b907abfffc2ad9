"""Do I need an entrustment letter (委托函)? (五(二), 五(二)第2段, 五(二)第3段, 五(二)第4段)

needed | not_needed | not_accepted | not_applicable | not_met | unknown | need_info.
"""
from __future__ import annotations

from bot.advisor import entities as E
from bot.advisor.verdict import Facts, Verdict, need_info, silent
from bot.wording import say

K = "entrustment"


def _verdict(decision: str, key: str, clauses: list[str], *, reasons: int = 1, missing: list[str] | None = None,
             **values: str) -> Verdict:
    """A verdict from the templates entrustment.<key>.summary / .reason (.reason2 …) / .next_step."""
    texts = [say(f"entrustment.{key}.reason", **values)]
    texts += [say(f"entrustment.{key}.reason{i}", **values) for i in range(2, reasons + 1)]
    return Verdict(K, decision, say(f"entrustment.{key}.summary", **values), reasons=texts, clauses=clauses,
                   next_steps=[say(f"entrustment.{key}.next_step", **values)], missing=missing or [])


def _not_met(clause: str) -> Verdict:
    return _verdict("not_met", "not_insured", [clause], reasons=2)


def decide_entrustment(facts: Facts) -> Verdict:
    f = facts
    if f.employer == E.FREELANCE or f.is_freelancer is True:
        return _verdict("not_applicable", "freelancer", ["五(二)", "一第3段", "三(一)2第2段"])
    if f.employer == E.GOVERNMENT:
        return _verdict("not_applicable", "government", ["五(二)", "一第4段"], reasons=2)
    if f.association and not f.association_listed and f.on_decoupled_list is None \
            and f.employer not in E.CENTRAL_TYPES:
        # a named association the imported list does not hold (or no list yet): never guess
        return Verdict(K, "unknown", say("entrustment.association_unconfirmed.summary", association=f.association),
                       reasons=[say("entrustment.association_unconfirmed.reason" if f.association_listed is False
                                    else "entrustment.association_unconfirmed.no_list", association=f.association)],
                       clauses=["五(二)第3段"],
                       next_steps=[say("entrustment.association_unconfirmed.next_step", association=f.association)])
    if f.employer == E.NATIONAL_ASSOCIATION or (f.on_decoupled_list is True and f.employer not in E.CENTRAL_TYPES):
        if f.on_decoupled_list is False:
            return silent(K, say("entrustment.association_unlisted.summary"),
                          [say("entrustment.association_unlisted.reason")], ["五(二)第3段"])
        missing = ([] if f.on_decoupled_list is not None else ["on_decoupled_list"]) + \
                  ([] if f.insured_in_beijing is not None else ["insured_in_beijing"])
        if missing:
            return need_info(K, missing, [say("entrustment.association.why")], ["五(二)第3段"])
        if f.insured_in_beijing is False:
            return _not_met("五(二)第3段")
        if f.association_listed and f.association:  # found on the imported list: name its entry
            return _verdict("not_needed", "association_listed", ["五(二)第3段"], reasons=2, association=f.association)
        return _verdict("not_needed", "association", ["五(二)第3段"])
    if f.employer is None:
        return need_info(K, ["employer"], [say("entrustment.why_employer")], ["五(二)"])
    if f.employer not in E.CENTRAL_TYPES:
        return _verdict("not_needed", "not_central", ["五(二)"], employer=f.employer)
    if f.insured_in_beijing is False:
        return _not_met("五(二)第2段" if f.employer == E.CENTRAL_LOWER else "五(二)")
    if f.employer == E.CENTRAL:
        missing = ["employer"] + ([] if f.insured_in_beijing is not None else ["insured_in_beijing"])
        return _verdict("need_info", "central_tier", ["五(二)", "五(二)第2段"], reasons=2, missing=missing)
    if f.employer in (E.CENTRAL_TOP, E.CENTRAL_SECOND) and f.series_in_central_catalog is True:
        return _verdict("not_accepted", "central_catalog", ["五(二)第4段"])
    if f.insured_in_beijing is None:
        clause = "五(二)第2段" if f.employer == E.CENTRAL_LOWER else "五(二)"
        return need_info(K, ["insured_in_beijing"], [say("entrustment.why_insured")], [clause])
    if f.employer == E.CENTRAL_LOWER:
        return _verdict("not_needed", "central_lower", ["五(二)第2段"], reasons=2)
    # 本级 or 二级, insured in Beijing
    tier = say("entrustment.needed.top" if f.employer == E.CENTRAL_TOP else "entrustment.needed.second")
    reasons = [say("entrustment.needed.reason", tier=tier)]
    clauses = ["五(二)"]
    if f.series_in_central_catalog is None:
        reasons.append(say("entrustment.needed.catalog_check"))
        clauses.append("五(二)第4段")
    return Verdict(K, "needed", say("entrustment.needed.summary"), reasons=reasons, clauses=clauses,
                   next_steps=[say("entrustment.needed.next_step"), say("entrustment.needed.template")])

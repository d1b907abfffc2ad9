"""Do I need an entrustment letter (委托函)? (五(二), 五(二)第2段, 五(二)第3段, 五(二)第4段)

needed | not_needed | not_accepted | not_applicable | not_met | unknown | need_info.
"""
from __future__ import annotations

from bot.advisor import entities as E
from bot.advisor.eligibility import LETTER_TEXT
from bot.advisor.verdict import Facts, Verdict, need_info, silent
from bot.config import HOTLINE

K = "entrustment"
_SCOPE = "委托函只适用于中央在京单位本级及所属二级单位的专业技术人才（五(二)）"
_NOT_MET_STEP = f"通知没有规定这种情况如何参加本市评审，请向本单位人事部门了解，或拨打{HOTLINE}确认。"


def _not_met(clause: str) -> Verdict:
    return Verdict(K, "not_met", "不满足通知规定的“在京正常参保”条件。",
                   reasons=["通知规定的前提是申报人“在京正常参保”；您目前不在北京参保。",
                            "通知没有规定不在京参保的中央在京单位人员如何参加本市职称评审。"],
                   clauses=[clause], next_steps=[_NOT_MET_STEP])


def decide_entrustment(facts: Facts) -> Verdict:
    f = facts
    if f.employer == E.FREELANCE or f.is_freelancer is True:
        return Verdict(K, "not_applicable", "自由职业者不需要委托函，由协会、学会推荐。",
                       reasons=[f"{_SCOPE}；自由职业者参加艺术、工艺美术系列评价，由相关协会、学会审核推荐（一第3段、"
                                "三(一)2第2段）。"], clauses=["五(二)", "一第3段", "三(一)2第2段"],
                       next_steps=["按要求把材料线下提交相关协会、学会推荐，盖章后通过系统上传。"])
    if f.employer == E.GOVERNMENT:
        return Verdict(K, "not_applicable", "委托函只针对中央在京单位；公务员不得参加职称评审。",
                       reasons=[f"{_SCOPE}。", "通知规定公务员不得参加专业技术人才职称评审（一第4段）。"],
                       clauses=["五(二)", "一第4段"], next_steps=[f"有疑问请拨打{HOTLINE}。"])
    if f.employer == E.NATIONAL_ASSOCIATION or (f.on_decoupled_list is True and f.employer not in E.CENTRAL_TYPES):
        if f.on_decoupled_list is False:
            return silent(K, "不在脱钩改革名单中的全国性行业协会商会是否需要委托函，通知没有规定。", [
                "通知只规定《全国性行业协会商会脱钩改革名单》（附件3）中涉及单位的申报人，在我市正常参保的，无需开具委托函"
                "（五(二)第3段）。"], ["五(二)第3段"])
        missing = ([] if f.on_decoupled_list is not None else ["on_decoupled_list"]) + \
                  ([] if f.insured_in_beijing is not None else ["insured_in_beijing"])
        if missing:
            return need_info(K, missing, ["附件3名单中涉及单位的申报人，在我市正常参保的，无需开具委托函（五(二)第3段）。"],
                             ["五(二)第3段"])
        if f.insured_in_beijing is False:
            return _not_met("五(二)第3段")
        return Verdict(K, "not_needed", "不需要委托函，可直接申报本市职称评审。",
                       reasons=["《全国性行业协会商会脱钩改革名单》（附件3）中涉及单位的申报人，在我市正常参保的，无需开具"
                                "委托函，可直接申报本市职称评审（五(二)第3段）。"], clauses=["五(二)第3段"],
                       next_steps=["在个人网上申报期内直接网上申报，并联系参保单位审核推荐。"])
    if f.employer is None:
        return need_info(K, ["employer"], [f"{_SCOPE}，需要先知道您的单位类型。"], ["五(二)"])
    if f.employer not in E.CENTRAL_TYPES:
        return Verdict(K, "not_needed", "不需要委托函。",
                       reasons=[f"{_SCOPE}；您的单位是{f.employer}，不是中央在京单位。"], clauses=["五(二)"],
                       next_steps=["在个人网上申报期内直接网上申报，并联系参保单位审核推荐。"])
    if f.insured_in_beijing is False:
        return _not_met("五(二)第2段" if f.employer == E.CENTRAL_LOWER else "五(二)")
    if f.employer == E.CENTRAL:
        missing = ["employer"] + ([] if f.insured_in_beijing is not None else ["insured_in_beijing"])
        return Verdict(K, "need_info", "要看您在中央在京单位的哪一级。",
                       reasons=[f"中央在京单位本级及所属二级单位，在京正常参保的，须{LETTER_TEXT}（五(二)）。",
                                "其他中央在京单位的申报人，在我市正常参保的，无需开具委托函（五(二)第2段）。"],
                       clauses=["五(二)", "五(二)第2段"],
                       next_steps=["请告诉我您的单位是中央在京单位本级、所属二级单位，还是三级及以下单位。"],
                       missing=missing)
    if f.employer in (E.CENTRAL_TOP, E.CENTRAL_SECOND) and f.series_in_central_catalog is True:
        return Verdict(K, "not_accepted", "该系列不接受委托，不能凭委托函参加本市评审。",
                       reasons=["经人力资源社会保障部核准备案的《中央单位高级职称评审委员会备案目录》中已备案的职称系列（专业）"
                                "不接受委托（五(二)第4段）。"], clauses=["五(二)第4段"],
                       next_steps=["请向本单位人事部门了解中央单位评审委员会的安排。"])
    if f.insured_in_beijing is None:
        clause = "五(二)第2段" if f.employer == E.CENTRAL_LOWER else "五(二)"
        return need_info(K, ["insured_in_beijing"], ["通知规定的前提是申报人在京正常参保。"], [clause])
    if f.employer == E.CENTRAL_LOWER:
        return Verdict(K, "not_needed", "不需要委托函，可直接申报本市职称评审。",
                       reasons=["除中央在京单位本级及所属二级单位以外的中央在京单位申报人，在我市正常参保的，无需开具委托函，"
                                "可直接申报本市职称评审（五(二)第2段）。",
                                "中央在京单位另有规定的，按中央在京单位要求执行（五(二)第2段）。"],
                       clauses=["五(二)第2段"],
                       next_steps=["向本单位人事部门确认没有另行规定后，在个人网上申报期内直接网上申报。"])
    # 本级 or 二级, insured in Beijing
    tier = "本级" if f.employer == E.CENTRAL_TOP else "所属二级单位"
    reasons = [f"您在中央在京单位{tier}，申报时在京正常参保，须开具委托函才能参加本市职称评审（五(二)）。"]
    clauses = ["五(二)"]
    if f.series_in_central_catalog is None:
        reasons.append("但如果您的系列（专业）已列入《中央单位高级职称评审委员会备案目录》，则不接受委托（五(二)第4段），"
                       "请先向本单位人事部门确认。")
        clauses.append("五(二)第4段")
    return Verdict(K, "needed", "需要开具委托函。", reasons=reasons, clauses=clauses,
                   next_steps=[f"请{LETTER_TEXT}。",
                               "委托函模板见通知附件2《2024年度北京市职称评审委托函（模板）》。"])

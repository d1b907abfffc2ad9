"""decide_entrustment (五(二)): every branch."""
import pytest

from bot.advisor.decisions import Facts, decide_entrustment, render_verdict

TOP, SECOND, LOWER, CENTRAL = "中央在京单位本级", "中央在京单位二级", "中央在京单位三级及以下", "中央在京单位"
ASSOC = "全国性行业协会商会"

CASES = [
    ("freelancer", dict(employer="自由职业"), "not_applicable", ["协会、学会"], ["五(二)", "三(一)2第2段"], []),
    ("freelancer_flag", dict(is_freelancer=True), "not_applicable", ["协会、学会"], ["五(二)"], []),
    ("government", dict(employer="党政机关"), "not_applicable", ["公务员"], ["一第4段"], []),
    ("no_employer", dict(), "need_info", ["单位类型"], ["五(二)"], ["employer"]),
    ("local_state_owned", dict(employer="国有企事业单位"), "not_needed", ["不是中央在京单位"], ["五(二)"], []),
    ("private", dict(employer="非公有制经济组织", insured_in_beijing=True), "not_needed", ["委托函只适用于"],
     ["五(二)"], []),
    ("top_insured", dict(employer=TOP, insured_in_beijing=True), "needed", ["本级", "备案目录"],
     ["五(二)", "五(二)第4段"], []),
    ("second_insured_catalog_false", dict(employer=SECOND, insured_in_beijing=True, series_in_central_catalog=False),
     "needed", ["所属二级单位"], ["五(二)"], []),
    ("second_not_insured", dict(employer=SECOND, insured_in_beijing=False), "not_met", ["在京正常参保", "没有规定"],
     ["五(二)"], []),
    ("second_insured_unknown", dict(employer=SECOND), "need_info", ["在京正常参保"], ["五(二)"],
     ["insured_in_beijing"]),
    ("second_catalog", dict(employer=SECOND, insured_in_beijing=True, series_in_central_catalog=True),
     "not_accepted", ["不接受委托"], ["五(二)第4段"], []),
    ("top_catalog_insured_unknown", dict(employer=TOP, series_in_central_catalog=True), "not_accepted",
     ["不接受委托"], ["五(二)第4段"], []),
    ("lower_catalog_is_irrelevant", dict(employer=LOWER, insured_in_beijing=True, series_in_central_catalog=True),
     "not_needed", ["无需开具委托函"], ["五(二)第2段"], []),
    ("lower_insured", dict(employer=LOWER, insured_in_beijing=True), "not_needed", ["无需开具委托函", "另有规定"],
     ["五(二)第2段"], []),
    ("lower_not_insured", dict(employer=LOWER, insured_in_beijing=False), "not_met", ["在京正常参保"],
     ["五(二)第2段"], []),
    ("lower_insured_unknown", dict(employer=LOWER), "need_info", ["在京正常参保"], ["五(二)第2段"],
     ["insured_in_beijing"]),
    ("central_tier_unknown", dict(employer=CENTRAL, insured_in_beijing=True), "need_info", ["本级", "第2段"],
     ["五(二)", "五(二)第2段"], ["employer"]),
    ("central_tier_and_insurance_unknown", dict(employer=CENTRAL), "need_info", ["二级单位"], ["五(二)"],
     ["employer", "insured_in_beijing"]),
    ("central_tier_unknown_not_insured", dict(employer=CENTRAL, insured_in_beijing=False), "not_met",
     ["在京正常参保"], ["五(二)"], []),
    ("association_decoupled", dict(employer=ASSOC, on_decoupled_list=True, insured_in_beijing=True), "not_needed",
     ["附件3", "无需开具委托函"], ["五(二)第3段"], []),
    ("decoupled_flag_only", dict(on_decoupled_list=True, insured_in_beijing=True), "not_needed", ["附件3"],
     ["五(二)第3段"], []),
    ("association_not_insured", dict(employer=ASSOC, on_decoupled_list=True, insured_in_beijing=False), "not_met",
     ["在京正常参保"], ["五(二)第3段"], []),
    ("association_unknown", dict(employer=ASSOC), "need_info", ["附件3"], ["五(二)第3段"],
     ["on_decoupled_list", "insured_in_beijing"]),
    ("association_not_listed", dict(employer=ASSOC, on_decoupled_list=False), "unknown", ["附件3"], ["五(二)第3段"],
     []),
]


@pytest.mark.parametrize("facts, decision, words, clauses, missing", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_entrustment(facts, decision, words, clauses, missing, clause_ids):
    v = decide_entrustment(Facts(**facts))
    assert v.kind == "entrustment"
    assert v.decision == decision, v
    text = v.summary + "".join(v.reasons)
    for w in words:
        assert w in text, (w, text)
    assert set(clauses) <= set(v.clauses), v.clauses
    assert set(v.clauses) <= clause_ids
    assert v.missing == missing
    assert v.next_steps


def test_needed_letter_says_who_issues_it_and_when_to_upload():
    v = decide_entrustment(Facts(employer=SECOND, insured_in_beijing=True))
    steps = "".join(v.next_steps)
    assert "中央在京单位人事部门开具" in steps and "经中央在京单位同意后由所属二级单位开具" in steps
    assert "附件2" in steps and "个人申报时上传到系统" in steps


def test_not_met_is_honest_and_points_to_12333():
    v = decide_entrustment(Facts(employer=TOP, insured_in_beijing=False))
    text = render_verdict(v, notice_number="京人社事业字〔2024〕96号")
    assert "通知没有规定" in text and "12333" in text
    assert text.endswith("依据：京人社事业字〔2024〕96号 五(二)")

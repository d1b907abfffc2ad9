"""decide_eligibility: every branch, with its verdict, key reason words and clauses."""
import pytest

from bot.advisor.decisions import Facts, decide_eligibility, render_verdict
from bot.advisor.entities import read_series

NOTICE = "京人社事业字〔2024〕96号"
LOCAL = dict(employer="国有企事业单位")

CASES = [
    # id, facts, decision, words in reasons/summary, clauses that must be cited, missing
    ("civil_servant", dict(is_civil_servant=True, series="会计"), "no", ["公务员不得参加"], ["一第4段"], []),
    ("civil_servant_employer", dict(employer="党政机关", is_civil_servant=True), "no", ["公务员"], ["一第4段"], []),
    ("government_ask", dict(employer="党政机关", series="会计", level="中级"), "need_info", ["公务员"], ["一第4段"],
     ["is_civil_servant"]),
    ("government_not_civil_servant", dict(employer="党政机关", is_civil_servant=False, series="会计"), "unknown",
     ["没有作出具体规定"], ["一", "一第4段"], []),
    ("foreign_without_permit", dict(identity="外籍", has_work_permit=False, series="会计", **LOCAL), "no",
     ["工作许可证"], ["一"], []),
    ("foreign_permit_unknown", dict(identity="外籍", series="会计", level="中级", **LOCAL), "need_info", ["工作许可证"], ["一"],
     ["has_work_permit"]),
    ("foreign_with_permit", dict(identity="外籍", has_work_permit=True, series="会计", level="中级", **LOCAL), "yes",
     ["外籍人才"], ["一", "三(一)"], []),
    ("hong_kong", dict(identity="港澳台", series="工程技术", level="中级", employer="非公有制经济组织"), "yes",
     ["港澳台"], ["一"], []),
    ("unknown_series", dict(series="烹饪", **LOCAL), "unknown", ["烹饪", "没有作出具体规定"], ["三(一)", "三(二)"], []),
    ("health_refer", dict(series="卫生技术", level="中级", **LOCAL), "refer", ["行业主管部门"], ["三(二)"], []),
    ("teacher_refer_missing_employer", dict(series="中小学教师"), "refer", ["行业主管部门"], ["三(二)"], []),
    ("technical_school_high_skill", dict(series="技工院校教师", is_high_skill=True, **LOCAL), "refer",
     ["行业主管部门"], ["三(二)", "一第2段"], []),
    ("self_evaluating", dict(employer="自主评聘单位", series="工程技术"), "refer", ["自主评聘工作方案"],
     ["三(三)"], []),
    ("freelancer_wrong_series", dict(employer="自由职业", series="会计"), "no", ["艺术、工艺美术"], ["一第3段"], []),
    ("freelancer_not_1yr", dict(is_freelancer=True, series="艺术", freelance_field="美术", beijing_1yr=False),
     "no", ["近1年在北京"], ["一第3段"], []),
    ("freelancer_other_field", dict(employer="自由职业", series="艺术", freelance_field="摄影", beijing_1yr=True),
     "unknown", ["摄影", "没有明确"], ["一第3段"], []),
    ("freelancer_missing", dict(employer="自由职业", series="艺术"), "need_info", ["近1年"], ["一第3段"],
     ["freelance_field", "beijing_1yr"]),
    ("freelancer_no_recommendation", dict(employer="自由职业", series="艺术", freelance_field="动漫游戏",
                                          beijing_1yr=True), "conditional", ["协会推荐", "文艺家协会"],
     ["一第3段", "三(一)2第2段"], []),
    ("freelancer_recommended", dict(employer="自由职业", series="工艺美术", freelance_field="工艺美术",
                                    beijing_1yr=True, has_association_recommendation=True), "yes",
     ["已取得协会推荐"], ["一第3段", "三(一)2第2段"], []),
    ("high_skill_wrong_series", dict(is_high_skill=True, series="会计", **LOCAL), "no", ["高技能人才"],
     ["一第2段"], []),
    ("high_skill_engineering", dict(is_high_skill=True, series="工程技术", level="中级", **LOCAL), "yes",
     ["高技能人才", "工程、农业"], ["一第2段", "三(一)"], []),
    ("exam_failed", dict(series="会计", level="副高级", passed_exam=False, **LOCAL), "no", ["考试与评审相结合"],
     ["五(五)"], []),
    ("exam_unknown", dict(series="翻译", level="副高级", **LOCAL), "need_info", ["考试"], ["五(五)"],
     ["passed_exam"]),
    ("exam_level_unknown", dict(series="经济", **LOCAL), "need_info", ["副高级"], ["五(五)"], ["level"]),
    ("exam_passed", dict(series="统计", level="副高级", passed_exam=True, **LOCAL), "yes", ["考评结合"],
     ["五(五)"], []),
    ("exam_not_for_senior", dict(series="审计", level="正高级", **LOCAL), "yes", ["审计"], ["三(一)"], []),
    ("exam_not_for_middle", dict(series="会计", level="中级", **LOCAL), "yes", ["会计"], ["一"], []),
    ("no_breakthrough_for_middle", dict(series="工程技术", level="中级", meets_standard_conditions=False, **LOCAL),
     "no", ["高级职称的破格"], ["五(六)"], []),
    ("breakthrough_no_merit", dict(series="工程技术", level="正高级", meets_standard_conditions=False,
                                   exceptional_merit=False, **LOCAL), "no", ["业绩显著"], ["五(六)"], []),
    ("breakthrough_merit_unknown", dict(series="工程技术", level="副高级", meets_standard_conditions=False, **LOCAL),
     "need_info", ["业绩显著"], ["五(六)"], ["exceptional_merit"]),
    ("breakthrough_level_unknown", dict(series="工程技术", meets_standard_conditions=False, **LOCAL),
     "need_info", ["破格"], ["五(六)"], ["level"]),
    ("breakthrough", dict(series="工程技术", level="副高级", meets_standard_conditions=False, exceptional_merit=True,
                          **LOCAL), "conditional", ["2名及以上", "附件5"], ["五(六)"], []),
    ("breakthrough_one_expert", dict(series="农业技术", level="正高级", meets_standard_conditions=False,
                                     exceptional_merit=True, expert_recommenders=1, **LOCAL), "conditional",
     ["还差1名"], ["五(六)"], []),
    ("meets_conditions", dict(series="新闻", level="中级", meets_standard_conditions=True,
                              employer="社会组织"), "yes", ["符合本系列"], ["一"], []),
    ("conditions_unknown", dict(series="档案", level="初级", employer="非公有制经济组织"), "yes",
     ["基本评价标准"], ["三(一)1"], []),
    ("nothing_known", dict(), "need_info", ["系列"], ["三(一)"], ["series", "employer"]),
    ("series_unknown", dict(**LOCAL), "need_info", ["系列"], ["三(一)"], ["series"]),
    ("employer_unknown", dict(series="会计", level="中级"), "need_info", ["单位"], ["一"], ["employer"]),
    ("central_not_insured", dict(employer="中央在京单位二级", series="会计", level="中级",
                                 insured_in_beijing=False), "not_met", ["在京正常参保", "没有规定"],
     ["五(二)"], []),
    ("central_insured_unknown", dict(employer="中央在京单位本级", series="会计", level="中级"), "need_info",
     ["在京正常参保"], ["五(二)"], ["insured_in_beijing"]),
    ("central_letter", dict(employer="中央在京单位本级", series="会计", level="中级", insured_in_beijing=True),
     "conditional", ["委托函", "附件2", "备案目录"], ["五(二)", "五(二)第4段"], []),
    ("central_second_letter_catalog_false", dict(employer="中央在京单位二级", series="会计", level="中级",
                                                insured_in_beijing=True, series_in_central_catalog=False),
     "conditional", ["委托函"], ["五(二)"], []),
    ("central_catalog", dict(employer="中央在京单位二级", series="工程技术", insured_in_beijing=True,
                             series_in_central_catalog=True), "no", ["不接受委托"], ["五(二)第4段"], []),
    ("central_lower", dict(employer="中央在京单位三级及以下", series="会计", level="中级", insured_in_beijing=True),
     "yes", ["无需开具委托函"], ["五(二)第2段"], []),
    ("central_tier_unknown", dict(employer="中央在京单位", series="会计", level="中级", insured_in_beijing=True),
     "conditional", ["本级或所属二级单位", "三级及以下"], ["五(二)", "五(二)第2段"], []),
    ("association_decoupled", dict(employer="全国性行业协会商会", on_decoupled_list=True, insured_in_beijing=True,
                                   series="经济", level="中级"), "yes", ["附件3"], ["五(二)第3段"], []),
    ("association_not_listed", dict(employer="全国性行业协会商会", on_decoupled_list=False, series="经济"),
     "unknown", ["附件3"], ["五(二)第3段"], []),
    ("association_list_unknown", dict(employer="全国性行业协会商会", series="经济", level="中级"), "need_info",
     ["附件3"], ["五(二)第3段"], ["on_decoupled_list", "insured_in_beijing"]),
    ("association_not_insured", dict(employer="全国性行业协会商会", on_decoupled_list=True,
                                     insured_in_beijing=False, series="经济"), "not_met", ["正常参保"],
     ["五(二)第3段"], []),
]


@pytest.mark.parametrize("facts, decision, words, clauses, missing", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_eligibility(facts, decision, words, clauses, missing, clause_ids):
    v = decide_eligibility(Facts(**facts))
    assert v.kind == "eligibility"
    assert v.decision == decision, v
    text = v.summary + "".join(v.reasons)
    for w in words:
        assert w in text, (w, text)
    assert set(clauses) <= set(v.clauses), v.clauses
    assert set(v.clauses) <= clause_ids
    assert v.missing == missing
    assert (decision == "need_info") == bool(v.missing)
    assert v.next_steps, "every verdict says what to do next"
    if decision == "unknown":
        assert any("12333" in s for s in v.next_steps)


def test_high_skill_series_follow_series_yml():
    """一第2段's list (the template common.high_skill_series) and series.yml's high_skill flags name the
    same series."""
    from bot.wording import say
    HIGH_SKILL_SERIES_TEXT = say("common.high_skill_series")
    flagged = {s.name for s in read_series().values() if s.high_skill}
    assert flagged == {"工程技术", "农业技术", "工艺美术", "文物博物", "实验技术", "艺术", "体育", "技工院校教师"}
    assert len(HIGH_SKILL_SERIES_TEXT.split("、")) == len(flagged)


def test_freelancer_series_follow_series_yml():
    from bot.wording import say
    FREELANCE_SERIES_TEXT = say("common.freelance_series")
    assert {s.name for s in read_series().values() if s.freelancer} == set(FREELANCE_SERIES_TEXT.split("、"))


def test_exam_series_follow_series_yml():
    assert {s.name for s in read_series().values() if s.exam_for_deputy_senior} == {"经济", "统计", "会计", "审计",
                                                                                    "翻译"}


def test_catalog_can_be_injected():
    from bot.advisor.entities import SeriesInfo
    catalog = {"测试": SeriesInfo(name="测试", method="职务评审", clause="三(二)")}
    assert decide_eligibility(Facts(series="测试"), catalog=catalog).decision == "refer"


def test_rendered_verdict_has_all_parts():
    v = decide_eligibility(Facts(series="会计", level="副高级", passed_exam=False, employer="国有企事业单位"))
    text = render_verdict(v, notice_number=NOTICE)
    lines = text.splitlines()
    assert lines[0].startswith("结论：") and "考试" in lines[0]
    assert any(line.startswith("原因：") for line in lines)
    assert any(line.startswith("下一步：") for line in lines)
    assert lines[-1] == f"依据：{NOTICE} 五(五)"


def test_rendered_need_info_lists_every_missing_fact():
    text = render_verdict(decide_eligibility(Facts()), notice_number=NOTICE)
    assert "请告诉我：您申报的系列（专业）" in text
    assert "还需要了解：您申报的系列（专业）；您的单位类型" in text


@pytest.mark.parametrize("field, series", [("舞台影视", "艺术"), ("文学创作", "艺术"), ("工艺美术", "工艺美术")])
def test_a_freelancer_s_field_settles_the_series(field, series):
    v = decide_eligibility(Facts(employer="自由职业", is_freelancer=True, freelance_field=field, beijing_1yr=True))
    assert "series" not in (v.missing or []) and any(series + "系列" in r for r in v.reasons)

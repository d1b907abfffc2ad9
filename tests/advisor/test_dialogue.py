"""The advisors' dialogue state: one question at a time, follow-ups change one fact, skips stick."""
from bot.advisor.decisions import decide_eligibility, decide_entrustment
from bot.advisor.dialogue import SKIPPED, merge, next_turn, question, reading_note, understood


def test_entrustment_asks_only_what_is_missing_then_decides():
    facts = merge({}, "我要不要开委托函", asking=None, answer=None)
    turn = next_turn(facts, decide_entrustment)
    assert turn.ask == "employer" and turn.verdict.decision == "need_info"
    facts = merge(facts, "中央在京单位二级单位", asking="employer", answer=None)
    turn = next_turn(facts, decide_entrustment)
    # 在京正常参保 is assumed, and the answer says so
    assert turn.ask is None and turn.verdict.decision == "needed" and "五(二)" in turn.verdict.clauses
    assert turn.assumed == ("insured_in_beijing",)
    facts = merge(facts, "没有在北京参保", asking=None, answer=None)
    facts["insured_in_beijing"] = False
    turn = next_turn(facts, decide_entrustment)
    assert turn.verdict.decision == "not_met" and turn.assumed == ()


def test_follow_up_changes_one_fact_and_redecides():
    facts = {"employer": "中央在京单位二级", "insured_in_beijing": True}
    facts = merge(facts, "如果我是三级单位呢", asking=None, answer=None)
    assert facts["employer"] == "中央在京单位三级及以下" and facts["insured_in_beijing"] is True
    turn = next_turn(facts, decide_entrustment)
    assert turn.verdict.decision == "not_needed" and "五(二)第2段" in turn.verdict.clauses


def test_a_volunteered_sentence_fills_several_facts_at_once():
    facts = merge({}, "我在亦庄一家央企二级公司做会计，想报副高", asking=None, answer=None)
    assert facts["series"] == "会计" and facts["level"] == "副高级"
    assert facts["employer"] == "中央在京单位二级" and facts["district"] == "经开区"


def test_skipped_question_is_not_asked_again_until_answered():
    facts = merge({}, "跳过", asking="series", answer=None, skip=True)
    assert facts[SKIPPED] == ["series"]
    assert next_turn(facts, decide_eligibility).ask != "series"
    facts = merge(facts, "我是会计", asking=None, answer=None)
    assert facts[SKIPPED] == [] and facts["series"] == "会计"


def test_civil_servant_is_ruled_out_without_further_questions():
    facts = merge({}, "我是公务员", asking=None, answer=None)
    turn = next_turn(facts, decide_eligibility)
    assert turn.verdict.decision == "no" and turn.ask is None and "一第4段" in turn.verdict.clauses


def test_yes_no_answer_only_fills_the_fact_asked_and_unclear_text_changes_nothing():
    facts = merge({"series": "会计"}, "嗯", asking="passed_exam", answer=False)
    assert facts["passed_exam"] is False
    again = merge(facts, "啊这个嘛", asking="level", answer=None)
    assert not understood(facts, again)


def test_every_question_has_quick_replies_that_answer_it_and_a_way_to_skip():
    asks_about = {"series": "系列", "level": "级别", "employer": "单位", "district": "区", "insured_in_beijing": "参保",
                  "expert_recommenders": "推荐"}
    for fact, word in asks_about.items():
        text, buttons = question(fact)
        assert "？" in text and word in text, (fact, text)  # it asks, and about this fact
        assert ("跳过", "/skip") in buttons
        for title, payload in buttons:  # pressing any other button answers the question
            if payload == "/skip":
                continue
            answer = {"/affirm": True, "/deny": False}.get(payload)
            facts = merge({}, title, asking=fact, answer=answer)
            assert facts.get(fact) not in (None, SKIPPED), (fact, title, facts)
            if answer is not None:
                assert facts[fact] is answer


def test_topic_from_key_words():
    from bot.advisor.dialogue import topic_in
    assert topic_in("我在亦庄一家央企二级公司做会计，要不要开委托函") == "entrustment"
    assert topic_in("现在还来得及吗，还能报吗") == "deadline"
    assert topic_in("我该找哪个机构") == "institution"
    assert topic_in("会计副高我能报吗") == "eligibility"
    assert topic_in("评审费多少钱") is None


def test_a_bare_tier_word_is_read_as_a_central_unit_and_the_reply_says_so():
    # the notice splits only 中央在京单位 into 本级 / 二级 / 三级及以下 (五(二))
    facts = merge({"employer": "国有企事业单位"}, "如果我是二级单位呢", asking=None, answer=None)
    assert facts["employer"] == "中央在京单位二级"
    assert understood({"employer": "国有企事业单位"}, facts)
    assert "中央在京单位的二级单位" in reading_note(facts) and "不是中央在京单位" in reading_note(facts)
    assert next_turn(facts, decide_entrustment).verdict.decision == "needed"
    facts = merge({}, "三级及以下", asking="employer", answer=None)
    assert facts["employer"] == "中央在京单位三级及以下" and "三级及以下单位" in reading_note(facts)
    # said once: the next turn carries no note, and a central context needs none
    facts = merge(facts, "那本级呢", asking=None, answer=None)
    assert facts["employer"] == "中央在京单位本级" and reading_note(facts) is None


def test_tier_words_that_are_no_unit_type_change_nothing():
    for text in ("二级建造师能报吗", "我是三级心理咨询师", "下属部门", "我在公司总部"):
        facts = merge({"employer": "民营企业"}, text, asking=None, answer=None)
        assert facts["employer"] == "民营企业" and reading_note(facts) is None, text


def test_a_turn_about_someone_else_starts_their_facts_afresh():
    known = {"is_civil_servant": True, "employer": "党政机关"}
    assert merge(known, "那我呢 我在事业单位搞技术的", asking=None, answer=None)["employer"] == "国有企事业单位"
    assert "is_civil_servant" not in merge(known, "那我呢 我在事业单位搞技术的", asking=None, answer=None)
    assert merge(known, "那中级呢", asking=None, answer=None)["is_civil_servant"] is True


def test_another_kind_of_post_is_no_longer_a_civil_servants():
    known = merge({}, "公务员能评职称吗", asking=None, answer=None)
    assert known["is_civil_servant"] is True
    assert "is_civil_servant" not in merge(known, "那事业单位的工作人员呢", asking=None, answer=None)
    # said together, both hold: a civil servant seconded to a state firm
    assert merge({}, "我是公务员，在国企挂职", asking=None, answer=None)["is_civil_servant"] is True

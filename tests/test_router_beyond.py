"""The router on questions the notice answers only in part, and on the person's own facts."""
from __future__ import annotations

from bot.router import route
from bot.routing.inputs import Candidate, Context

CERT = Candidate("certificate", 0.25, "证书在哪下载？", ("三(一)7",))
UNIT = Candidate("unit_review", 0.21, "单位怎么审核推荐？", ("三(一)2",))
FREELANCE = Candidate("freelancer_recommend", 0.28, "自由职业者谁来推荐？", ("三(一)2第2段",))
UNIT_SURE = Candidate("unit_review", 2.0, "单位怎么审核推荐？", ("三(一)2",))


def test_a_follow_up_beyond_the_last_answer_gets_that_answer_marked_as_the_nearest():
    ctx = Context(intent="faq_unit_review", unsure=True, last_faq="certificate")
    r = route("单位要纸质版怎么办", ctx, [CERT, UNIT])
    assert (r.kind, r.faq_id, r.beyond) == ("faq", "certificate", True)


def test_the_same_weak_question_without_that_answer_before_is_not_answered():
    r = route("单位要纸质版怎么办", Context(intent="faq_unit_review", unsure=True), [CERT, UNIT])
    assert r.kind == "cannot_answer"
    # nor when its nearest entry is another than the one just given
    r = route("单位要纸质版怎么办", Context(intent="faq_unit_review", unsure=True, last_faq="payment"), [CERT, UNIT])
    assert r.kind == "cannot_answer"


def test_a_statement_after_an_answer_is_not_taken_for_a_question_about_it():
    ctx = Context(intent="faq_unit_review", unsure=True, last_faq="certificate")
    assert not route("单位要纸质版", ctx, [CERT, UNIT]).beyond


def test_where_to_apply_after_facts_were_noted_goes_to_the_institution_advisor():
    ctx = Context(intent="greet", unsure=True, facts={"series": "工程技术", "level": "初级"})
    r = route("在哪报", ctx, [])
    assert (r.kind, r.topic) == ("advisor", "institution")
    # with nothing known yet, the same two words are no question the advisor can take up
    assert route("在哪报", Context(intent="greet", unsure=True), []).kind == "cannot_answer"


def test_the_person_s_own_facts_in_the_message_choose_the_entry_written_for_them():
    # a freelancer has no unit to recommend them: the association's way is their answer
    text = "我是自由职业的舞台美术设计，没有单位。别人都是单位审核推荐，我没单位谁给我推荐？"
    r = route(text, Context(intent="faq_unit_review", intent_confidence=0.7), [UNIT_SURE, FREELANCE])
    assert r.faq_id == "freelancer_recommend"
    # an employee asking the same gets the unit's review
    r = route("我在国企上班，单位审核推荐谁来做？", Context(intent="faq_unit_review", intent_confidence=0.7),
              [UNIT_SURE, FREELANCE])
    assert r.faq_id == "unit_review"


REQUIRED = Candidate("defense_required", 2.0, "哪些级别要答辩？", ("三(一)5第2段",))
WHEN = Candidate("defense_notice", 0.75, "答辩什么时候？", ("三(一)5",), dated=True)
REVIEW = Candidate("institution_review", 0.68, "机构审核什么时候完成？", ("三(一)3",), dated=True)


def test_a_follow_up_after_a_when_question_asks_when_too():
    ctx = Context(intent="faq_defense_required", intent_confidence=0.62, last_faq="institution_review",
                  before="评审机构审核到什么时候")
    r = route("答辩呢", ctx, [REQUIRED, WHEN], [REVIEW])
    assert r.faq_id == "defense_notice"
    # after a question that did not ask when, "答辩呢" is whatever it reads as
    ctx = Context(intent="faq_defense_required", intent_confidence=0.62, last_faq="institution_review",
                  before="评审机构审核什么")
    assert route("答辩呢", ctx, [REQUIRED, WHEN], [REVIEW]).faq_id == "defense_required"


def test_a_question_of_its_own_after_a_when_question_is_not_taken_for_when():
    ctx = Context(intent="faq_defense_required", intent_confidence=0.62, last_faq="defense_notice",
                  before="职称答辩是什么时候")
    assert route("初级要答辩不", ctx, [REQUIRED, WHEN], [WHEN]).faq_id == "defense_required"


WINDOW = Candidate("apply_window", 2.0, "个人网上申报什么时候？", ("三(一)1",), dated=True)
POSITION = Candidate("position_series", 0.46, "卫生、中小学教师这些系列怎么评？", ("三(二)",))
POSITION_SERIES = frozenset({"卫生技术", "中小学教师"})


def test_a_series_under_its_own_department_is_answered_by_that_not_by_the_notice_s_window():
    ctx = Context(intent="faq_apply_window", intent_confidence=0.75, facts={"series": "卫生技术"},
                  position_series=POSITION_SERIES)
    assert route("也是7月2号开始报吗", ctx, [WINDOW, POSITION]).faq_id == "position_series"
    # an engineer asking the same gets the window
    ctx = Context(intent="faq_apply_window", intent_confidence=0.75, facts={"series": "工程技术"},
                  position_series=POSITION_SERIES)
    assert route("也是7月2号开始报吗", ctx, [WINDOW, POSITION]).faq_id == "apply_window"


def test_the_person_s_own_way_of_a_step_answers_even_when_few_of_its_words_were_used():
    weak = Candidate("freelancer_recommend", 0.2, "自由职业者谁来推荐？", ("三(一)2第2段",))
    text = "我是自由职业的舞台美术设计，没有单位，谁给我做审核推荐？"
    r = route(text, Context(intent="faq_unit_review", intent_confidence=0.77), [UNIT_SURE, weak])
    assert r.faq_id == "freelancer_recommend"


def test_a_series_named_among_others_is_not_taken_for_the_person_s_own():
    facts = {"series": "卫生技术", "_several_series": True}  # "一个报卫生系列，一个报工程中级…"
    ctx = Context(intent="faq_apply_window", intent_confidence=0.75, facts=facts, position_series=POSITION_SERIES)
    assert route("截止哪天", ctx, [WINDOW, POSITION]).faq_id == "apply_window"

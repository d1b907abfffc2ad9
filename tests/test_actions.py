"""Actions with a tracker and a dispatcher: the reply a user would read."""
from __future__ import annotations

import json

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.respond import ActionAnswerFaq, ActionFaqFallback, ActionInvalidInput
from actions.status import ValidateStatusForm
from bot import answers
from bot.db import new_session
from bot.kb.models import FaqEntry
from tests.conftest import ROOT

CITE = "依据：京人社事业字〔2024〕96号 "


@pytest.fixture(scope="module")
def domain():
    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.fixture
def dispatcher():
    return CollectingDispatcher()


def tracker(text: str, intent: str | None = None, entities: list | None = None,
            ranking: list | None = None) -> Tracker:
    ranked = {"name": intent, "confidence": 0.9 if intent else 0.0}
    latest = {"text": text, "intent": ranked, "entities": entities or [],
              "intent_ranking": [ranked] + [{"name": n, "confidence": c} for n, c in ranking or []] if intent else []}
    return Tracker("test-user", {}, latest, [], False, None, {}, "action_listen")


def texts(dispatcher) -> str:
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


async def test_answer_by_intent_cites_clause(loaded_default_db, dispatcher, domain):
    events = await ActionAnswerFaq().run(dispatcher, tracker("公务员可以参加职称评审吗？", "faq_civil_servant"), domain)
    assert events[0] == {"event": "slot", "timestamp": None, "name": "adv_topic", "value": "eligibility"}
    assert events[1]["name"] == "adv_facts" and events[1]["value"]["is_civil_servant"] is True  # kept for follow-ups
    reply = texts(dispatcher)
    assert "公务员不得参加专业技术人才职称评审" in reply
    assert dispatcher.messages[0]["text"].endswith(CITE + "一第4段")  # the answer ends with its source


async def test_window_answer_states_today(loaded_default_db, dispatcher, domain, monkeypatch):
    monkeypatch.setenv("ZHICHENG_TODAY", "2024-07-20")
    await ActionAnswerFaq().run(dispatcher, tracker("申报截止哪天", "faq_apply_window"), domain)
    reply = texts(dispatcher)
    assert "按今天（2024年7月20日）计算：个人网上申报正在进行，7月23日截止，还剩4天（含今天，其中工作日2天）。" in reply
    assert dispatcher.messages[0]["text"].endswith(CITE + "三(一)1")


async def test_staff_edit_shows_in_next_reply(loaded_default_db, dispatcher, domain):
    with new_session() as s, s.begin():
        s.get(FaqEntry, (2024, "fee_amount")).answer = "评审费以机构通知为准（测试改写）。"
    try:
        await ActionAnswerFaq().run(dispatcher, tracker("评审费多少钱", "faq_fee_amount"), domain)
        assert "评审费以机构通知为准（测试改写）。" in texts(dispatcher)
    finally:
        with new_session() as s, s.begin():
            s.get(FaqEntry, (2024, "fee_amount")).answer = "通知没有写评审费的具体金额。"


async def test_button_payload_answers_that_entry(loaded_default_db, dispatcher, domain):
    await ActionAnswerFaq().run(dispatcher, tracker('/ask_faq{"faq_id":"payment"}', "ask_faq",
                                                    [{"entity": "faq_id", "value": "payment"}]), domain)
    assert "视为放弃申报" in texts(dispatcher) and CITE + "三(一)4" in texts(dispatcher)


async def test_unknown_faq_id_falls_back_honestly(loaded_default_db, dispatcher, domain):
    await ActionAnswerFaq().run(dispatcher, tracker("x", "ask_faq", [{"entity": "faq_id", "value": "nope"}]), domain)
    # one message: no basis found, no made-up answer, no buttons to follow
    assert [(m["text"], m["buttons"]) for m in dispatcher.messages] == [(answers.NOT_ANSWERABLE, [])]
    assert answers.NOT_ANSWERABLE.startswith("抱歉，这个问题我没能找到通知里的依据")


async def test_fallback_answers_a_clear_retrieval_hit(loaded_default_db, dispatcher, domain):
    ranking = [("faq_defense_required", 0.31), ("faq_defense_notice", 0.2)]
    await ActionFaqFallback().run(dispatcher, tracker("初級要不要答辯", "nlu_fallback", ranking=ranking), domain)
    assert "初级职称不答辩" in texts(dispatcher) and CITE + "三(一)5第2段" in texts(dispatcher)


async def test_when_unsure_the_plausible_best_is_answered_and_runners_up_listed(loaded_default_db, dispatcher,
                                                                                 domain):
    await ActionFaqFallback().run(dispatcher, tracker("委托函", "nlu_fallback"), domain)
    answer = dispatcher.messages[0]
    assert "委托函" in answer["text"] and CITE + "五(二)" in answer["text"]
    assert not answer["buttons"]  # never a one-button "did you mean"
    for msg in dispatcher.messages[1:]:
        payloads = [b["payload"] for b in msg["buttons"]]
        assert msg["text"] == "您可能还想问：" and 1 <= len(payloads) <= 3
        assert all(p.startswith("/ask_faq{") for p in payloads)
        assert "entrustment_needed" not in [json.loads(p[len("/ask_faq"):])["faq_id"] for p in payloads]


async def test_fallback_without_a_match_points_to_hotline(loaded_default_db, dispatcher, domain):
    await ActionFaqFallback().run(dispatcher, tracker("帮我写一首诗", "nlu_fallback"), domain)
    # the honest "no basis in the notice" with the hotline, and nothing else: no entry, no citation
    assert [(m["text"], m["buttons"]) for m in dispatcher.messages] == [(answers.NOT_ANSWERABLE, [])]
    assert "请拨打12333" in answers.NOT_ANSWERABLE


@pytest.mark.parametrize("text, fragment", [
    ("", "没有输入内容"), ("职称" * 400, "太长"), ("<script>alert(1)</script>", "网页代码"), ("🙂🙂", "没看懂"),
])
async def test_invalid_input_says_why_without_echo(loaded_default_db, dispatcher, domain, text, fragment):
    await ActionInvalidInput().run(dispatcher, tracker(text, "invalid_input"), domain)
    reply = texts(dispatcher)
    assert fragment in reply and "12333" in reply and "<script>" not in reply


async def test_a_second_unanswered_question_in_a_row_hands_over_with_a_code(loaded_default_db, dispatcher, domain):
    from bot import answers
    events = [{"event": "user", "text": "火星上能评职称吗"}, {"event": "bot", "text": answers.NOT_ANSWERABLE},
              {"event": "action", "name": "action_listen"}, {"event": "user", "text": "那月球呢"}]
    latest = {"text": "那月球上的单位呢", "intent": {"name": "nlu_fallback", "confidence": 0.3}, "entities": [],
              "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.3}, {"name": "out_of_scope", "confidence": 0.2}]}
    await ActionFaqFallback().run(dispatcher, Tracker("lost-user", {}, latest, events, False, None, {},
                                                      "action_listen"), domain)
    reply = texts(dispatcher)
    assert answers.NOT_ANSWERABLE in reply and "转接码" in reply and "12333" in reply


async def test_inside_the_status_form_a_typed_answer_goes_back_to_the_form(loaded_default_db, dispatcher, domain):
    latest = {"text": "手机号后四位", "intent": {"name": "nlu_fallback", "confidence": 0.3},
              "entities": [{"entity": "factor_kind", "value": "phone4"}], "intent_ranking": []}
    tr = Tracker("form-user", {"requested_slot": "status_factor_kind"}, latest, [], False, None,
                 {"name": "status_form"}, "action_listen")
    events = await ActionFaqFallback().run(dispatcher, tr, domain)
    assert events == [{"event": "followup", "timestamp": None, "name": "status_form"}] and not dispatcher.messages


async def test_inside_the_status_form_a_question_is_answered_then_the_question_repeated(loaded_default_db,
                                                                                       dispatcher, domain):
    latest = {"text": "初级职称要答辩吗？", "intent": {"name": "faq_defense_required", "confidence": 0.9}, "entities": [],
              "intent_ranking": [{"name": "faq_defense_required", "confidence": 0.9}]}
    tr = Tracker("form-user", {"requested_slot": "status_application_id"}, latest, [], False, None,
                 {"name": "status_form"}, "action_listen")
    events = await ActionAnswerFaq().run(dispatcher, tr, domain)
    reply = texts(dispatcher)
    assert "初级职称不答辩" in reply and "回到申报进度查询" in reply and "申报编号" in reply
    assert events == [{"event": "rewind", "timestamp": None}]  # the turn is reverted: no loop


async def test_the_weekday_answer_names_the_window_that_ends_that_day(loaded_default_db, dispatcher, domain):
    await ActionFaqFallback().run(dispatcher, tracker("7月23日是星期几", "nlu_fallback"), domain)
    reply = texts(dispatcher)
    assert "2024年7月23日是星期二" in reply and "截止日" in reply and CITE + "三(一)1" in reply


@pytest.mark.parametrize("typed, kind", [("手机号", "phone4"), ("phone number", "phone4"), ("用身份证吧", "id4"),
                                         ("ID card", "id4"), ("Mobile", "phone4")])
def test_the_verification_method_typed_in_chinese_or_english_is_understood(typed, kind, dispatcher):

    out = ValidateStatusForm().validate_status_factor_kind(typed, dispatcher, tracker(typed), {})
    assert out == {"status_factor_kind": kind} and not dispatcher.messages


def test_a_method_not_understood_is_asked_again(dispatcher):

    assert ValidateStatusForm().validate_status_factor_kind("不知道", dispatcher, tracker("不知道"), {}) == \
        {"status_factor_kind": None}
    assert "身份证号后4位还是手机号后4位" in dispatcher.messages[0]["text"]


async def test_a_story_whose_question_alone_finds_nothing_is_answered_from_the_whole_message(
        loaded_default_db, dispatcher, domain):
    """The question part ("听着挺正规的，这是真的吗") names nothing the knowledge base covers; the story does."""
    story = "前两天我接到一个电话，对方说是人社局委托的机构，交3800块钱可以帮我代报名，再加一个考前培训，保证评上。听着挺正规的，这是真的吗？"
    await ActionFaqFallback().run(dispatcher, tracker(story), domain)
    reply = texts(dispatcher)
    assert CITE + "五(七)" in reply and "没能找到" not in reply  # the notice's warning on such offers, cited


async def test_a_story_about_something_the_notice_does_not_cover_still_gets_12333(loaded_default_db, dispatcher, domain):
    story = "我硕士2022年毕业，一直在海淀一家软件公司做开发，平时也写点技术博客。我想问问北京高级工程师的评审通过率一般是多少？"
    await ActionFaqFallback().run(dispatcher, tracker(story), domain)
    reply = texts(dispatcher)
    assert "12333" in reply and "%" not in reply and "％" not in reply  # honest, no invented rate

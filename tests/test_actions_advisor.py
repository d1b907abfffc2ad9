"""action_advise with a tracker and a dispatcher: questions one at a time, verdicts with reasons."""
from __future__ import annotations

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.respond import ActionAdvise

CITE = "依据：京人社事业字〔2024〕96号 "


def tracker(text, intent, slots=None):
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.95},
              "intent_ranking": [{"name": intent, "confidence": 0.95}], "entities": []}
    return Tracker("adv-user", slots or {}, latest, [], False, None, {}, "action_listen")


async def run(text, intent, slots=None):
    dispatcher = CollectingDispatcher()
    events = await ActionAdvise().run(dispatcher, tracker(text, intent, slots), {})
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return dispatcher.messages, slots


def _text(messages):
    return "\n".join(m.get("text") or "" for m in messages)


async def test_entrustment_asks_for_the_employer_then_decides(loaded_default_db):
    messages, slots = await run("我要不要开委托函", "ask_entrustment")
    assert slots["adv_asking"] == "employer" and slots["adv_topic"] == "entrustment"
    assert messages[-1]["buttons"] and "参保单位是哪类单位" in messages[-1]["text"]
    messages, slots2 = await run("中央在京单位二级单位", "inform", slots)
    reply = _text(messages)
    assert "需要开具委托函" in reply and "附件2" in reply and CITE in reply and "五(二)" in reply
    assert "在北京正常参保来判断" in reply and slots2["adv_asking"] is None
    # follow-up: one fact changes, the verdict is re-decided
    messages, _ = await run("那三级单位呢", "inform", {**slots, **slots2})
    assert "不需要委托函" in _text(messages) and "五(二)第2段" in _text(messages)


async def test_civil_servant_gets_no_at_once(loaded_default_db):
    messages, slots = await run("我是公务员，我能报吗", "ask_eligibility")
    reply = _text(messages)
    assert "结论" in reply and "公务员" in reply and "一第4段" in reply and slots["adv_asking"] is None


async def test_deadline_is_answered_against_today(loaded_default_db, monkeypatch):
    monkeypatch.setenv("ZHICHENG_TODAY", "2024-07-20")
    messages, _ = await run("现在还能报吗", "ask_deadline")
    assert "7月23日" in _text(messages) and "三(一)1" in _text(messages)
    monkeypatch.setenv("ZHICHENG_TODAY", "2024-12-01")
    messages, _ = await run("现在还能报吗", "ask_deadline")
    conclusion, *_, cited = _text(messages).splitlines()  # closed, on which day, and that it is too late now
    assert conclusion.startswith("结论：") and "已经截止" in conclusion and "7月23日" in conclusion and "不能再申报" in conclusion
    assert cited == CITE + "三(一)1"


async def test_unclear_answers_get_a_way_out(loaded_default_db):
    slots = {"adv_topic": "eligibility", "adv_facts": {}, "adv_asking": "series"}
    messages, slots2 = await run("嗯嗯嗯", "nlu_fallback", slots)
    assert "没能理解" in _text(messages) and messages[-1]["buttons"]
    messages, _ = await run("啊这", "nlu_fallback", {**slots, **slots2})
    # the second time: the ways out (skip, stop, a person) and the same question again, with a skip button
    assert "跳过" in messages[0]["text"] and "算了" in messages[0]["text"] and "12333" in messages[0]["text"]
    assert "哪个系列" in messages[-1]["text"] and ("跳过", "/skip") in [(b["title"], b["payload"])
                                                                    for b in messages[-1]["buttons"]]


async def test_skip_moves_to_the_next_question(loaded_default_db):
    slots = {"adv_topic": "eligibility", "adv_facts": {}, "adv_asking": "series"}
    messages, slots2 = await run("/skip", "skip", slots)
    assert slots2["adv_asking"] != "series"


@pytest.mark.parametrize("intent", ["affirm", "deny", "stop"])
async def test_yes_no_stop_without_a_question_is_just_acknowledged(loaded_default_db, intent):
    messages, slots = await run("好的", intent)
    assert "好的" in _text(messages) and slots.get("adv_asking") is None


async def test_an_answer_beats_an_unsure_guess_of_stop(loaded_default_db):
    """The classifier is unsure about "通州區" and its best guess is "stop": the district still
    answers the open question, and the flow is not ended."""
    slots = {"adv_topic": "institution", "adv_facts": {"series": "工程技术", "level": "初级"}, "adv_asking": "district"}
    latest = {"text": "通州區", "intent": {"name": "nlu_fallback", "confidence": 0.5}, "entities": [],
              "intent_ranking": [{"name": "nlu_fallback", "confidence": 0.5}, {"name": "stop", "confidence": 0.18},
                                 {"name": "faq_junior_engineering", "confidence": 0.13}]}
    dispatcher = CollectingDispatcher()
    events = await ActionAdvise().run(dispatcher, Tracker("adv-user", slots, latest, [], False, None, {}, "action_listen"), {})
    reply = _text(dispatcher.messages)
    assert "北京市通州区人力资源和社会保障局" in reply and "五(一)" in reply
    assert any(e.get("name") == "adv_asking" and e.get("value") is None for e in events)  # verdict given


async def test_a_bare_second_tier_after_a_state_owned_unit_is_read_as_central_and_said_so(loaded_default_db):
    messages, slots = await run("我要不要开委托函", "ask_entrustment")
    messages, slots2 = await run("国有企业", "inform", slots)
    reply = _text(messages).splitlines()
    assert reply[0] == "结论：不需要委托函。" and "不是中央在京单位" in reply[1] and reply[-1] == CITE + "五(二)"
    messages, slots3 = await run("如果我是二级单位呢", "inform", {**slots, **slots2})
    reply = _text(messages)
    assert "需要开具委托函" in reply and "附件2" in reply and "五(二)" in reply
    assert "理解为中央在京单位的二级单位" in reply and slots3["adv_facts"]["employer"] == "中央在京单位二级"


async def test_notes_on_assumptions_come_before_the_citation_so_the_reply_ends_with_its_source(loaded_default_db):
    messages, slots = await run("我要不要开委托函", "ask_entrustment")
    messages, _ = await run("二级单位", "inform", slots)
    reply = _text(messages)
    assert "理解为中央在京单位的二级单位" in reply
    assert reply.strip().splitlines()[-1].startswith("依据：京人社事业字〔2024〕96号")

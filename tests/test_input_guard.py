"""The pipeline's last classifier: unreadable input, and a named application id."""
from __future__ import annotations

from rasa.shared.nlu.training_data.message import Message

from components.input_guard import InputGuard
from components.normalizer import ORIGINAL_LENGTH, ORIGINAL_MARKUP


def _message(text: str, intent: str, confidence: float, entities: list | None = None) -> Message:
    m = Message(data={"text": text})
    m.set(ORIGINAL_MARKUP, text)
    m.set(ORIGINAL_LENGTH, len(text))
    m.set("intent", {"name": intent, "confidence": confidence})
    m.set("intent_ranking", [{"name": intent, "confidence": confidence}])
    m.set("entities", entities or [])
    return m


def test_a_named_application_id_asks_for_its_status_whatever_the_words_pull_to():
    text = "你好，我的申报编号是DEMO-2024-0003，想看看单位推荐了没有"
    m = _message(text, "faq_unit_review", 0.46, [{"entity": "application_id", "value": "DEMO-2024-0003"}])
    InputGuard({}).process([m])
    assert m.get("intent")["name"] == "inform_application_id"
    assert [r["name"] for r in m.get("intent_ranking")] == ["inform_application_id", "faq_unit_review"]


def test_leaving_or_asking_for_a_human_wins_over_an_id():
    m = _message("算了 DEMO-2024-0003", "stop", 0.9, [{"entity": "application_id", "value": "DEMO-2024-0003"}])
    InputGuard({}).process([m])
    assert m.get("intent")["name"] == "stop"


def test_markup_only_is_invalid_input():
    m = _message("<script>alert(1)</script>", "faq_payment", 0.6)
    InputGuard({}).process([m])
    assert m.get("intent")["name"] == "invalid_input" and m.get("entities") == []


def test_an_unsure_status_reading_is_made_sure_by_the_id():
    m = _message("我的申报编号是DEMO-2024-0003，想看看", "inform_application_id", 0.46,
                 [{"entity": "application_id", "value": "DEMO-2024-0003"}])
    InputGuard({}).process([m])
    assert m.get("intent") == {"name": "inform_application_id", "confidence": 1.0}

"""Last classifier of the pipeline: a message that cannot be a question becomes `invalid_input`.

Empty or whitespace, longer than the message limit (bot.config: ZHICHENG_MAX_MESSAGE_CHARS), HTML/script markup, or no letter/digit/Chinese
character at all (emoji, punctuation). The action explains which, from bot.answers.BAD_INPUT.

A message that names an application id (the `application_id` regex entity) asks for that
application's status, however sure the classifier was of something else: "你好，我的申报编号是
DEMO-2024-0003，想看看单位推荐了没有" starts the lookup even when its words pull elsewhere.
"""
from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import INTENT, INTENT_NAME_KEY, PREDICTED_CONFIDENCE_KEY
from rasa.shared.nlu.training_data.message import Message

from bot.config import settings
from bot.text import TOO_LONG, bad_input_reason
from components.normalizer import ORIGINAL_LENGTH, ORIGINAL_MARKUP

INVALID_INTENT = "invalid_input"
STATUS_INTENT = "inform_application_id"
# intents that must win over a named id (leave, start over with another id, a human)
_WIN_OVER_ID = {"change_application_id", "stop", "request_human"}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=False)
class InputGuard(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    def __init__(self, config: dict[str, Any]) -> None:
        self._max = settings().max_message_chars  # ZHICHENG_MAX_MESSAGE_CHARS, read when the model loads

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> InputGuard:
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            head = message.get(ORIGINAL_MARKUP)
            if head is None:  # e.g. "/intent" payloads parsed by the RegexMessageHandler
                continue
            length = message.get(ORIGINAL_LENGTH) or 0
            reason = "too_long" if length > self._max else bad_input_reason(head, self._max)
            if reason:
                if reason == "too_long":  # the text passed on is cut: the actions could not tell
                    message.set(TOO_LONG, True, add_to_output=True)
                intent = {INTENT_NAME_KEY: INVALID_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                message.set(INTENT, intent, add_to_output=True)
                message.set("intent_ranking", [intent], add_to_output=True)
                message.set("entities", [], add_to_output=True)
            elif any(e.get("entity") == "application_id" for e in message.get("entities") or []) \
                    and (message.get(INTENT) or {}).get(INTENT_NAME_KEY) not in _WIN_OVER_ID:
                intent = {INTENT_NAME_KEY: STATUS_INTENT, PREDICTED_CONFIDENCE_KEY: 1.0}
                ranking = [r for r in message.get("intent_ranking") or [] if r.get(INTENT_NAME_KEY) != STATUS_INTENT]
                message.set(INTENT, intent, add_to_output=True)
                message.set("intent_ranking", [intent, *ranking], add_to_output=True)
        return messages

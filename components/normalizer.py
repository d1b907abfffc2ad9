"""First component of the pipeline: every channel's text is normalised before tokenising.

Traditional -> simplified, full-width -> half-width, HTML stripped (bot.text.normalize).
Text beyond the message limit (bot.config: ZHICHENG_MAX_MESSAGE_CHARS) is cut for the NLU only; InputGuard answers such messages.
"""
from __future__ import annotations

import hashlib
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, ENTITY_ATTRIBUTE_END, ENTITY_ATTRIBUTE_START, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.config import settings
from bot.lexicon import USERDICT, terms_file
from bot.text import normalize, question_part

ORIGINAL_LENGTH = "zc_original_length"
ORIGINAL_MARKUP = "zc_original_text_head"
FULL_TEXT = "zc_full_text"  # the whole message, normalised (in the parse data the actions get)


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER], is_trainable=False)
class TextNormalizer(GraphComponent):
    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """The lexicon the normalisation reads (glossary, homophone terms) is part of the training
        cache key: editing knowledge/terms.yml or the jieba dictionary retrains what it feeds."""
        digest = hashlib.sha256()
        for path in (terms_file(), USERDICT):
            digest.update(path.read_bytes() if path.exists() else b"")
        return digest.hexdigest()

    def __init__(self, config: dict[str, Any]) -> None:
        self._max = settings().max_message_chars  # ZHICHENG_MAX_MESSAGE_CHARS, read when the model loads

    @classmethod
    def create(cls, config: dict[str, Any], model_storage: ModelStorage, resource: Resource,
               execution_context: ExecutionContext) -> TextNormalizer:
        return cls(config)

    def _normalise(self, message: Message) -> None:
        text = message.get(TEXT)
        if text is None or text.startswith("/"):  # button payloads are parsed verbatim
            return
        message.set(ORIGINAL_LENGTH, len(text))
        message.set(ORIGINAL_MARKUP, text[:2000])
        # a long message that tells a story first is classified on the part that asks; the
        # whole message, normalised, goes to the actions too (the story holds the user's facts)
        full = normalize(text[: self._max * 2])[: self._max]
        message.set(FULL_TEXT, full, add_to_output=True)
        message.set(TEXT, question_part(full), add_to_output=False)

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._normalise(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for message in training_data.training_examples:
            if message.get(TEXT) is not None:
                _normalise_annotated(message)
        return training_data


def _normalise_annotated(message: Message) -> None:
    """Normalise a training example piece by piece, so entity annotations keep their offsets."""
    text = message.get(TEXT)
    entities = sorted(message.get(ENTITIES) or [], key=lambda e: e[ENTITY_ATTRIBUTE_START])
    if not entities:
        message.set(TEXT, normalize(text), add_to_output=False)
        return
    out, cursor = "", 0
    for entity in entities:
        start, end = entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END]
        out += normalize(text[cursor:start])
        value = normalize(text[start:end])
        entity[ENTITY_ATTRIBUTE_START], entity[ENTITY_ATTRIBUTE_END] = len(out), len(out) + len(value)
        out += value
        cursor = end
    out += normalize(text[cursor:])
    message.set(TEXT, out, add_to_output=False)

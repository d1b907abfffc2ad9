"""Custom Rasa NLU components (Rasa glue; the logic lives in bot.text)."""
from components import action_validation
from components.input_guard import InputGuard
from components.normalizer import TextNormalizer

action_validation.install()

__all__ = ["InputGuard", "TextNormalizer"]

"""Custom Rasa NLU components (Rasa glue; the logic lives in bot.text)."""
from components.input_guard import InputGuard
from components.normalizer import TextNormalizer

__all__ = ["InputGuard", "TextNormalizer"]

"""Custom Rasa NLU components (Rasa glue; the logic lives in bot.text).

Importing this package changes nothing in Rasa: the speed-ups of the Rasa process are installed
explicitly by `bot.rasaserver` when `zhicheng run` starts it (tests/test_no_import_patches.py).
"""
from components.input_guard import InputGuard
from components.normalizer import TextNormalizer
from components.tokenizer import DictionaryJiebaTokenizer

__all__ = ["DictionaryJiebaTokenizer", "InputGuard", "TextNormalizer"]

"""Rasa's JiebaTokenizer with its user dictionary in the training cache key.

Rasa 3.6's JiebaTokenizer fingerprints its config only, so the training cache hands back the
dictionary it copied into an earlier model whenever `dictionary_path` is unchanged. Seen here:
after a keyword was added to knowledge/faq.yml and taken out again (`zhicheng kb dict` both
times), `rasa train` took 14 s and packaged the dictionary *with* the keyword, while the
featurizers and DIET came from the cache of the run before — the model then tokenised messages
with another dictionary than its classifier was trained on (8 verdicts of the development set
moved). With the dictionary's bytes in the fingerprint, a changed dictionary is copied again.
"""
from __future__ import annotations

import glob
import hashlib
from pathlib import Path
from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class DictionaryJiebaTokenizer(JiebaTokenizer):
    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        path = config.get("dictionary_path")
        if not path:
            return None
        digest = hashlib.sha256()
        for name in sorted(glob.glob(f"{path}/*")):  # the files Rasa loads and copies
            digest.update(Path(name).name.encode())
            digest.update(Path(name).read_bytes())
        return digest.hexdigest()

"""The tokenizer's training cache key follows its user dictionary (components/tokenizer.py)."""
from __future__ import annotations

import yaml

from components.tokenizer import DictionaryJiebaTokenizer
from tests.conftest import ROOT


def test_the_cache_key_changes_with_the_dictionary_and_only_with_it(tmp_path):
    folder = tmp_path / "jieba"
    folder.mkdir()
    (folder / "userdict.txt").write_text("委托函 100 n\n", encoding="utf-8")
    config = {"dictionary_path": str(folder)}
    first = DictionaryJiebaTokenizer.fingerprint_addon(config)
    assert DictionaryJiebaTokenizer.fingerprint_addon(config) == first  # same bytes, same key: the cache serves
    (folder / "userdict.txt").write_text("委托函 100 n\n缓存探针词 100 n\n", encoding="utf-8")
    added = DictionaryJiebaTokenizer.fingerprint_addon(config)
    (folder / "userdict.txt").write_text("委托函 100 n\n", encoding="utf-8")  # the word taken out again
    assert added != first and DictionaryJiebaTokenizer.fingerprint_addon(config) == first
    assert DictionaryJiebaTokenizer.fingerprint_addon({"dictionary_path": None}) is None


def test_the_pipeline_uses_it_on_the_generated_dictionary():
    pipeline = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    tokenizer = next(c for c in pipeline if "Tokenizer" in c["name"])
    assert tokenizer == {"name": "components.DictionaryJiebaTokenizer", "dictionary_path": "data/jieba"}

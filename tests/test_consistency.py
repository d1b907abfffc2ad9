"""The knowledge, the domain, the rules and the training data agree with each other."""
import glob

import yaml

from bot import cli
from tests.conftest import ROOT


def _yaml(path):
    return yaml.safe_load((ROOT / path).read_text(encoding="utf-8"))


def test_every_faq_intent_is_in_domain_rules_and_training_data(knowledge):
    domain_intents = set(_yaml("domain.yml")["intents"])
    rule_intents = {step["intent"] for r in _yaml("data/rules/faq.yml")["rules"] for step in r["steps"] if "intent" in step}
    nlu_intents = set()
    for f in glob.glob(str(ROOT / "data/nlu/*.yml")):
        nlu_intents |= {item["intent"] for item in yaml.safe_load(open(f, encoding="utf-8"))["nlu"] if "intent" in item}
    kb_intents = {e["intent"] for e in knowledge.faq if e.get("intent")}
    assert kb_intents <= domain_intents
    assert kb_intents <= rule_intents
    assert kb_intents <= nlu_intents
    assert {i for i in domain_intents if i.startswith("faq_")} == kb_intents


def test_jieba_dictionary_is_current():
    assert cli.main(["kb", "dict", "--check"]) == 0

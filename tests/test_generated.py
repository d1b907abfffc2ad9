"""One FAQ = one entry: the FAQ intents in domain.yml and the rules of data/rules/faq.yml follow from
knowledge/faq.yml (`zhicheng kb dict`, bot.kb.generated), and `kb dict --check` (run by `make model`
and `make test`) names every generated file an edit left stale."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
import yaml

from bot import cli
from bot.kb import generated
from tests.conftest import ROOT

NEW_INTENT = "faq_certificate_download"
NEW_EXAMPLES = ["电子职称证书从哪个网站下载", "本人证书查询模块在哪", "职称证书下载入口在哪里"]


@pytest.fixture
def project(tmp_path, monkeypatch) -> Path:
    """A copy of the project's knowledge and Rasa data that `zhicheng kb dict` reads and writes."""
    for name in ("knowledge", "data"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("domain.yml", "config.yml"):
        shutil.copy(ROOT / name, tmp_path / name)
    monkeypatch.setattr(cli, "ROOT", tmp_path)
    return tmp_path


def _kb_dict(project: Path, *args: str) -> int:
    return cli.main(["kb", "dict", "--dir", str(project / "knowledge"), *args])


def _add_entry(project: Path, *, examples: bool = True) -> None:
    """A new entry with an intent (its answer is the certificate entry's), and its examples in a
    topic file of data/nlu/ of its own."""
    path = project / "knowledge" / "faq.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    base = next(e for e in doc["faq"] if e["id"] == "certificate")
    doc["faq"].append({**base, "id": "certificate_download", "intent": NEW_INTENT,
                       "question": "电子职称证书在哪里下载？"})
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    if examples:
        lines = "".join(f"      - {x}\n" for x in NEW_EXAMPLES)
        (project / "data" / "nlu" / "certificates.yml").write_text(
            f'version: "3.1"\nnlu:\n  - intent: {NEW_INTENT}\n    examples: |\n{lines}', encoding="utf-8")


def _remove_entry(project: Path, entry_id: str, intent: str, *, examples: bool = True) -> None:
    path = project / "knowledge" / "faq.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["faq"] = [e for e in doc["faq"] if e["id"] != entry_id]
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    if examples:
        for nlu in (project / "data" / "nlu").glob("*.yml"):
            text = nlu.read_text(encoding="utf-8")
            # the intent's block: from its `- intent:` line to the next item of the nlu list
            text = re.sub(rf"(?m)^( *)- intent: {intent}\n(?:\1 .*\n|\n)*", "", text)
            nlu.write_text(text, encoding="utf-8")


def _domain_intents(project: Path) -> list[str]:
    return yaml.safe_load((project / "domain.yml").read_text(encoding="utf-8"))["intents"]


def _rules(project: Path) -> dict[str, list[dict]]:
    doc = yaml.safe_load((project / "data" / "rules" / "faq.yml").read_text(encoding="utf-8"))
    return {r["rule"]: r["steps"] for r in doc["rules"]}


def _nlu_examples(project: Path, intent: str) -> list[str]:
    """The intent's examples as Rasa itself reads data/nlu/ for training."""
    from rasa.shared.nlu.training_data.loading import load_data
    data = load_data(str(project / "data" / "nlu"), language="zh")
    return [m.get("text") for m in data.intent_examples if m.get("intent") == intent]


def test_committed_files_follow_the_committed_knowledge(knowledge):
    files = generated.generate(knowledge, ROOT / "knowledge", ROOT)
    assert {str(f.path) for f in files} == {"data/jieba/userdict.txt", "domain.yml", "data/rules/faq.yml"}
    for f in files:
        assert (ROOT / f.path).read_text(encoding="utf-8") == f.text, f"{f.path} 过期：请运行 zhicheng kb dict"


def test_every_entry_intent_is_in_the_domain_block_and_has_its_rule(knowledge):
    intents = [e["intent"] for e in knowledge.faq if e.get("intent")]
    domain = (ROOT / "domain.yml").read_text(encoding="utf-8")
    block = domain.split(generated.BEGIN, 1)[1].split(generated.END, 1)[0]
    assert re.findall(r"- (\S+)", block) == intents
    rules = _rules(ROOT)
    for intent in [*intents, "ask_faq"]:
        assert rules[f"answer {intent}"] == [{"intent": intent}, {"action": "action_answer_faq"}]
    assert len(rules) == len(intents) + 1


def test_a_new_entry_with_examples_gets_its_intent_rule_and_examples(project, capsys):
    _add_entry(project)
    assert NEW_INTENT not in _domain_intents(project)

    assert _kb_dict(project) == 0
    out = capsys.readouterr().out
    assert "domain.yml" in out and "data/rules/faq.yml" in out

    intents = _domain_intents(project)
    assert intents.index(NEW_INTENT) == intents.index("faq_attachments") + 1  # inside the block, in faq.yml's order
    assert intents[-1] == "request_human"  # what follows the block is untouched
    assert _rules(project)[f"answer {NEW_INTENT}"] == [{"intent": NEW_INTENT}, {"action": "action_answer_faq"}]
    assert list(_rules(project))[-1] == "answer ask_faq"
    assert _nlu_examples(project, NEW_INTENT) == NEW_EXAMPLES
    assert _kb_dict(project, "--check") == 0

    from rasa.shared.core.domain import Domain
    assert NEW_INTENT in Domain.load(str(project / "domain.yml")).intents


def test_removing_an_entry_and_its_examples_removes_its_intent_and_rule(project):
    assert "faq_pass_vote" in _domain_intents(project) and _nlu_examples(project, "faq_pass_vote")
    _remove_entry(project, "pass_vote", "faq_pass_vote")

    assert _kb_dict(project) == 0
    assert "faq_pass_vote" not in _domain_intents(project)
    assert "answer faq_pass_vote" not in _rules(project)
    assert _nlu_examples(project, "faq_pass_vote") == []
    assert "faq_publicity" in _domain_intents(project) and "answer faq_publicity" in _rules(project)
    assert _kb_dict(project, "--check") == 0


def test_check_names_each_file_an_edit_left_stale(project, capsys):
    assert _kb_dict(project, "--check") == 0
    _add_entry(project)
    assert _kb_dict(project, "--check") == 1
    err = capsys.readouterr().err
    assert "domain.yml 已过期：与 knowledge/faq.yml 的 intent 不一致" in err
    assert "data/rules/faq.yml 已过期：与 knowledge/faq.yml 的 intent 不一致" in err
    assert "userdict.txt" not in err  # the new entry's keywords are already in the dictionary
    assert "zhicheng kb dict" in err
    assert NEW_INTENT not in _domain_intents(project)  # --check writes nothing

    # a new keyword makes the dictionary stale, and only it
    assert _kb_dict(project) == 0
    path = project / "knowledge" / "faq.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    doc["faq"][-1]["keywords"].append("证书打印")
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")
    capsys.readouterr()
    assert _kb_dict(project, "--check") == 1
    err = capsys.readouterr().err
    assert "data/jieba/userdict.txt 已过期" in err and "domain.yml" not in err


def test_check_fails_on_a_hand_edited_generated_file(project, capsys):
    rules = project / "data" / "rules" / "faq.yml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("  - rule: answer faq_payment\n    steps:\n"
                                                               "      - intent: faq_payment\n"
                                                               "      - action: action_answer_faq\n", ""),
                     encoding="utf-8")
    assert _kb_dict(project, "--check") == 1
    assert "data/rules/faq.yml 已过期" in capsys.readouterr().err
    assert _kb_dict(project) == 0
    assert "answer faq_payment" in _rules(project)


def test_an_entry_whose_intent_has_no_examples_is_refused_by_name(project, capsys):
    _add_entry(project, examples=False)
    before = (project / "domain.yml").read_text(encoding="utf-8")
    assert _kb_dict(project) == 1
    err = capsys.readouterr().err
    assert f"knowledge/faq.yml [certificate_download]: intent {NEW_INTENT} 在 data/nlu/ 里没有训练例句" in err
    assert (project / "domain.yml").read_text(encoding="utf-8") == before  # nothing written


def test_examples_left_without_their_entry_are_refused_by_file(project, capsys):
    _remove_entry(project, "pass_vote", "faq_pass_vote", examples=False)
    assert _kb_dict(project, "--check") == 1
    err = capsys.readouterr().err
    assert "data/nlu/process.yml: intent faq_pass_vote 的例句没有对应的问答条目" in err


def test_an_intent_the_router_would_not_take_for_an_entry_is_refused(project, capsys):
    path = project / "knowledge" / "faq.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("intent: faq_pass_vote", "intent: pass_vote"),
                    encoding="utf-8")
    assert _kb_dict(project) == 1
    assert "knowledge/faq.yml [pass_vote]: intent 'pass_vote' 必须以 faq_ 开头" in capsys.readouterr().err


def test_a_domain_without_the_markers_is_refused(project, capsys):
    domain = project / "domain.yml"
    domain.write_text(domain.read_text(encoding="utf-8").replace(generated.END + "\n", ""), encoding="utf-8")
    assert _kb_dict(project) == 1
    assert "domain.yml: 找不到" in capsys.readouterr().err

"""Reply wording as data (bot.wording, knowledge/wording.yml): every template renders, the code asks
only for templates it declares with the placeholders it declares, `kb check` refuses a broken
template by name, and an edit in knowledge/ or in the workbench changes what the bot says."""
from __future__ import annotations

import ast
import string
from pathlib import Path

import pytest
import yaml
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.respond import ActionAdvise, ActionInvalidInput
from bot import cli, wording
from bot.db import session_factory
from bot.kb import revisions
from bot.kb.loader import KnowledgeError, read_knowledge
from bot.wording import check, spec
from tests.conftest import ROOT

PACKAGES = ("bot", "actions", "channels", "components")
SPEC_FILES = {ROOT / "bot" / "wording" / name for name in ("spec.py", "spec_replies.py", "spec_status.py",
                                                        "spec_advisor.py")}


def sample(name: str) -> str:
    return f"〈{name}〉"


# -- the templates -------------------------------------------------------------------------------

def test_every_template_renders_with_sample_values(knowledge):
    words = wording.Wording({t["id"]: t["text"] for t in knowledge.wording}, year=2024, notice="京人社事业字〔2024〕96号")
    assert [t["id"] for t in knowledge.wording] == spec.template_ids()  # all of them, in the spec's order
    for template_id in spec.template_ids():
        values = {name: sample(name) for name in spec.placeholders(template_id)}
        text = words.say(template_id, **values)
        assert text.strip(), template_id
        assert "{" not in text and "}" not in text, template_id  # every placeholder was filled
        used = check.fields(words.texts[template_id])
        assert all(sample(n) in text for n in used if n in values), template_id
    assert words.say("reply.out_of_scope").startswith("抱歉，我只能回答北京市2024年度职称评价通知（京人社事业字〔2024〕96号）")
    assert "12333" in words.say("reply.not_answerable")  # {hotline} is the common snippet


def test_the_year_bound_titles_come_from_the_notice_record(knowledge):
    words = wording.Wording({t["id"]: t["text"] for t in knowledge.wording}, year=2025, notice="京人社事业字〔2025〕1号")
    assert "《2025年度北京市职称评审委托函（模板）》" in words.say("entrustment.needed.template")
    assert "《2025年度北京市职称评审专业及评审服务机构名录》（附件1）" in words.say("institution.by_annex1")
    assert "（京人社事业字〔2025〕1号）" in words.say("smalltalk.greet")
    assert "2024" not in "".join(words.say(t, **{n: "" for n in spec.placeholders(t)}) for t in spec.template_ids()
                                 if not t.startswith("status.prompt"))  # DEMO-2024-… is an example id


def _say_calls():
    """(file, line, template id or None for a computed one, its literal prefix, keyword names, has **)"""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                if not (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None))
                        == "say" and node.args):
                    continue
                arg = node.args[0]
                literal = arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None
                prefix = literal or (arg.values[0].value if isinstance(arg, ast.JoinedStr) and arg.values
                                     and isinstance(arg.values[0], ast.Constant) else None)
                if prefix is None and not isinstance(arg, ast.JoinedStr):
                    continue  # an id from a table (`say(title)`): the table's ids are checked below
                names = {k.arg for k in node.keywords if k.arg}
                yield (f"{path.relative_to(ROOT)}:{node.lineno}", literal, prefix, names,
                       any(k.arg is None for k in node.keywords))


def test_the_code_asks_only_for_declared_templates_with_their_placeholders():
    calls = list(_say_calls())
    assert len(calls) > 150
    ids = spec.template_ids()
    for where, literal, prefix, names, spread in calls:
        if literal is not None:
            assert spec.placeholders(literal) is not None, f"{where}: no template {literal!r} in bot/wording/spec.py"
            if not spread:
                assert names == set(spec.placeholders(literal)), \
                    f"{where}: {literal} gets {sorted(names)}, the spec says {spec.placeholders(literal)}"
        elif prefix is not None:  # a computed id ("status.stage.{code}.meaning"): a template has that prefix
            assert prefix and any(t.startswith(prefix) for t in ids), f"{where}: no template starts with {prefix!r}"


def _id_like_constants():
    """String constants in the code that name a template group: "reply.ok", "status.stage." …"""
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path in SPEC_FILES:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) \
                        and node.value.partition(".")[0] in spec.GROUPS and "." in node.value \
                        and node.value.replace(".", "").replace("_", "").isalnum() and node.value.isascii() \
                        and not node.value.endswith((".yml", ".py", ".json")):
                    yield f"{path.relative_to(ROOT)}:{node.lineno}", node.value


def test_template_ids_in_tables_are_declared():
    """Ids kept in tables (Phrases, the button titles, the former constants) name real templates."""
    ids = spec.template_ids()
    for where, value in _id_like_constants():
        assert value in ids or (value.endswith(".") and any(t.startswith(value) for t in ids)), \
            f"{where}: {value!r} is no template"


def test_every_declared_template_is_used_somewhere():
    """A spec entry no code asks for is a sentence nobody reads: remove it."""
    literal = {lit for _, lit, _, _, _ in _say_calls() if lit}
    prefixes = {p for _, lit, p, _, _ in _say_calls() if lit is None}
    phrases = set()
    for package in PACKAGES:  # ids named in Phrases({...}) and the former-constant tables
        for path in (ROOT / package).rglob("*.py"):
            if path in SPEC_FILES:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and spec.placeholders(node.value) \
                        is not None:
                    phrases.add(node.value)
    unused = [t for t in spec.template_ids()
              if t not in literal | phrases and not any(t.startswith(p) for p in prefixes)
              and not t.startswith(("common.", "advisor.fact."))]  # {snippets}; FACT_LABELS by field name
    assert unused == []


# -- kb check ----------------------------------------------------------------------------------

def _edit(kb_dir: Path, group: str, name: str, text: str | None) -> None:
    path = kb_dir / "wording.yml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    templates = next(g for g in doc["groups"] if g["group"] == group)["templates"]
    if text is None:
        del templates[name]
    else:
        templates[name] = text
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000), encoding="utf-8")


def test_kb_check_fails_on_a_template_with_an_unknown_placeholder(kb_dir, capsys):
    _edit(kb_dir, "institution", "found.summary", "{series}系列{level}：请找{names}（{phone}）。")
    assert cli.main(["kb", "check", "--dir", str(kb_dir)]) == 1
    err = capsys.readouterr().err
    assert "wording.yml [institution.found.summary]: 未知的占位符 {phone}；这个模板能用的是：{series}、{level}、{names}" in err


@pytest.mark.parametrize("group,name,text,message", [
    ("reply", "not_answerable", None, "wording.yml [reply.not_answerable]: 缺少这个模板（程序会用到它）"),
    ("reply", "not_answerabel", "抱歉。", "wording.yml [reply.not_answerabel]: 程序里没有这个模板（编号写错了？）"),
    ("reply", "ok", "  ", "wording.yml [reply.ok]: 模板为空"),
    ("reply", "unverified", "来自{source.name}", "wording.yml [reply.unverified]: 占位符 {source.name} 只能写成 {名字}"),
    ("common", "annex1", "附件1（{hotline}）", "wording.yml [common.annex1]: 未知的占位符 {hotline}"),
])
def test_kb_check_names_the_broken_template(kb_dir, group, name, text, message):
    _edit(kb_dir, group, name, text)
    with pytest.raises(KnowledgeError) as err:
        read_knowledge(kb_dir)
    assert any(str(p).startswith(message) for p in err.value.problems), err.value.problems


# -- an edit reaches the bot ---------------------------------------------------------------------

def tracker(text: str, intent: str) -> Tracker:
    latest = {"text": text, "intent": {"name": intent, "confidence": 0.95}, "entities": [],
              "intent_ranking": [{"name": intent, "confidence": 0.95}]}
    return Tracker("wording-user", {}, latest, [], False, None, {}, "action_listen")


async def reply_to(text: str, intent: str, action=None) -> str:
    dispatcher = CollectingDispatcher()
    await (action or ActionAdvise()).run(dispatcher, tracker(text, intent), {})
    return "\n".join(m.get("text") or "" for m in dispatcher.messages)


async def test_editing_a_template_in_knowledge_and_kb_load_changes_the_reply(kb_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'edit.db'}")
    assert cli.main(["kb", "load", "--dir", str(kb_dir)]) == 0
    before = await reply_to("我是公务员，能评职称吗", "ask_eligibility")
    assert "结论：公务员不得参加专业技术人才职称评审。" in before

    _edit(kb_dir, "eligibility", "civil_servant.summary", "公务员不能参加职称评审（测试改写）。")
    _edit(kb_dir, "advisor", "conclusion", "【结论】{summary}")
    assert cli.main(["kb", "load", "--dir", str(kb_dir)]) == 0
    after = await reply_to("我是公务员，能评职称吗", "ask_eligibility")
    assert "【结论】公务员不能参加职称评审（测试改写）。" in after
    assert after.replace("【结论】公务员不能参加职称评审（测试改写）。", "结论：公务员不得参加专业技术人才职称评审。") == before

    # a reply given before the action opens its database session follows the load too
    _edit(kb_dir, "reply", "bad_input.empty", "请先输入问题（测试改写）。")
    assert cli.main(["kb", "load", "--dir", str(kb_dir)]) == 0
    from bot.actionserver import sync_wording
    sync_wording()
    assert await reply_to("", "invalid_input", ActionInvalidInput()) == "请先输入问题（测试改写）。"


async def test_a_workbench_edit_changes_the_reply_after_publish_and_restore_brings_it_back(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'bench.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    assert cli.main(["kb", "load"]) == 0
    question = ("我在央企二级单位，在北京参保，要开委托函吗", "ask_entrustment")
    old = await reply_to(*question)
    assert "结论：需要开具委托函。" in old

    factory = session_factory(url)
    with factory() as s, s.begin():
        draft = revisions.save_draft(session=s, year=2024, kind="wording", author="li",
                                     data={"id": "entrustment.needed.summary", "text": "要开委托函（{hotline} 可咨询）。"})
    assert await reply_to(*question) == old  # a draft is not what the bot says
    with factory() as s, s.begin():
        revisions.publish(session=s, revision_id=draft.id, publisher="wang")
    assert "结论：要开委托函（12333 可咨询）。" in await reply_to(*question)

    with factory() as s, s.begin():
        history = revisions.history(session=s, year=2024, key="entrustment.needed.summary", kind="wording")
        assert [r.status for r in history] == ["published", "superseded"]  # the import, then the edit
        revisions.restore(session=s, revision_id=history[-1].id, author="wang", can_publish=True)
    assert await reply_to(*question) == old


def test_a_workbench_draft_is_checked_like_kb_check(session):
    with pytest.raises(KnowledgeError) as err:
        revisions.save_draft(session=session, year=2024, kind="wording", author="li",
                             data={"id": "entrustment.needed.summary", "text": "需要（{employer}）。"})
    assert [str(p) for p in err.value.problems] == [
        "wording.yml [entrustment.needed.summary]: 未知的占位符 {employer}；这个模板能用的是：{year}、{notice}、"
        + "、".join("{" + n + "}" for n in spec.GROUPS["common"][1])]


def test_kb_export_writes_the_templates_back_by_group(session, tmp_path):
    from bot.kb.exporter import export, write_files
    write_files(export(session=session, year=2024), tmp_path)
    again = read_knowledge(tmp_path)
    assert again.wording == read_knowledge(ROOT / "knowledge").wording
    groups = yaml.safe_load((tmp_path / "wording.yml").read_text(encoding="utf-8"))["groups"]
    assert [g["group"] for g in groups] == list(spec.GROUPS)
    assert all(g["about"] == spec.GROUPS[g["group"]][0] for g in groups)


def test_placeholders_in_the_shipped_file_are_plain_names(knowledge):
    for t in knowledge.wording:
        for _, name, fmt, conversion in string.Formatter().parse(t["text"]):
            assert name is None or (name.isidentifier() and not fmt and not conversion), t["id"]

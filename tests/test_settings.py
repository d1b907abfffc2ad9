"""One Settings (bot/config.py) is the single source of the knowledge directory, the message limit
and the servers' ports: every reader asks it, so setting a value once changes every reader."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from bot import cli
from bot.config import DEFAULT_ACTIONS_PORT, ROOT, settings


def test_the_committed_endpoints_file_names_the_default_action_server_port(monkeypatch):
    """Plain `rasa run` from the repo root reads endpoints.yml: it must call the port `zhicheng run`
    starts the action server on by default."""
    monkeypatch.delenv("ZHICHENG_ACTIONS_PORT", raising=False)
    url = yaml.safe_load((ROOT / "endpoints.yml").read_text(encoding="utf-8"))["action_endpoint"]["url"]
    assert url.endswith(f":{DEFAULT_ACTIONS_PORT}/webhook")
    assert settings().actions_port == DEFAULT_ACTIONS_PORT


def test_zhicheng_run_actions_port_is_the_port_rasa_is_told(monkeypatch, tmp_path):
    """`zhicheng run --actions-port N`: the action server listens on N and the endpoints file handed
    to Rasa names N (with the token), whatever endpoints.yml says."""
    import bot.runner
    started = {}
    monkeypatch.setattr(bot.runner, "run_forever", lambda servers: started.setdefault("servers", servers) and 0)
    monkeypatch.setattr(cli, "preflight", lambda: None)
    monkeypatch.setenv("ZHICHENG_TRACKER_RETENTION_DAYS", "0")
    assert cli.main(["run", "--actions-port", "23456", "--rasa-port", "23457", "--web-port", "23458"]) == 0
    srv = started["servers"]
    assert srv.actions_args()[srv.actions_args().index("--port") + 1] == "23456"
    rasa = srv.rasa_args()
    endpoints = yaml.safe_load(Path(rasa[rasa.index("--endpoints") + 1]).read_text(encoding="utf-8"))
    assert endpoints["action_endpoint"]["url"] == f"http://{settings().host}:23456/webhook"
    assert endpoints["action_endpoint"]["headers"]["X-Action-Token"] == srv.action_token
    assert endpoints["tracker_store"] == yaml.safe_load(settings().endpoints.read_text())["tracker_store"]


def test_the_ports_default_from_the_environment(monkeypatch):
    from bot.runner import Servers
    monkeypatch.setenv("ZHICHENG_ACTIONS_PORT", "23111")
    monkeypatch.setenv("ZHICHENG_RASA_PORT", "23112")
    monkeypatch.setenv("ZHICHENG_WEB_PORT", "23113")
    args = cli.parser().parse_args(["run"])
    assert (args.actions_port, args.rasa_port, args.web_port) == (23111, 23112, 23113)
    srv = Servers()
    assert (srv.actions_port, srv.rasa_port, srv.web_port) == (23111, 23112, 23113)
    from bot.web import chat
    assert chat.rasa_url().endswith(":23112")  # the web app proxies the chat to the same Rasa


# -- the knowledge directory -----------------------------------------------------------------------
READERS = r'''
import json
from bot import cli, wording
from bot.advisor.directory_file import read_directory_file
from bot.advisor.entities import series_catalog
from bot.config import settings
from bot.kb.loader import read_knowledge
from bot.lexicon import lexicon
from components.normalizer import TextNormalizer
print(json.dumps({
    "cli_dir": str(cli.parser().parse_args(["kb", "check"]).dir),
    "faq": read_knowledge(settings().knowledge_dir).faq[0]["question"],
    "wording": wording.current().say("reply.not_answerable"),
    "series": list(series_catalog()["工程技术"].aliases),
    "directory": sorted(e["name"] for e in read_directory_file()),
    "glossary": lexicon().translate_english("zqxtestword 怎么办"),
    "fingerprint": TextNormalizer.fingerprint_addon({}),
}, ensure_ascii=False))
'''


def _readers(env: dict) -> dict:
    out = subprocess.run([sys.executable, "-c", READERS], cwd=ROOT, capture_output=True, text=True, timeout=120,
                         env={**os.environ, **env})
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_every_reader_honours_the_knowledge_dir(tmp_path):
    """ZHICHENG_KNOWLEDGE_DIR moves every file of knowledge/: the loader and `kb` commands, the
    wording, the series, the institution directory and the English glossary (and the NLU's cache key)."""
    kb = tmp_path / "kb"
    shutil.copytree(ROOT / "knowledge", kb)

    def edit(name, change):
        path = kb / name
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(doc)
        path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")

    edit("faq.yml", lambda d: d["faq"][0].update(question="这是另一个目录里的问题？"))
    edit("wording.yml", lambda d: next(g for g in d["groups"] if g["group"] == "reply")["templates"].update(
        not_answerable="另一个目录里的说法。"))
    edit("series.yml", lambda d: next(s for s in d["series"] if s["name"] == "工程技术")["aliases"].append("测试别名系列"))
    edit("directory.yml", lambda d: d["institutions"][0].update(name="另一个目录里的机构"))
    edit("terms.yml", lambda d: d["english"].update(zqxtestword="委托函"))

    shipped = _readers({"ZHICHENG_KNOWLEDGE_DIR": str(ROOT / "knowledge")})
    moved = _readers({"ZHICHENG_KNOWLEDGE_DIR": str(kb)})
    assert moved["cli_dir"] == str(kb)
    assert moved["faq"] == "这是另一个目录里的问题？" != shipped["faq"]
    assert moved["wording"] == "另一个目录里的说法。" != shipped["wording"]
    assert "测试别名系列" in moved["series"] and "测试别名系列" not in shipped["series"]
    assert "另一个目录里的机构" in moved["directory"] and "另一个目录里的机构" not in shipped["directory"]
    assert moved["glossary"].startswith("委托函") and not shipped["glossary"].startswith("委托函")
    assert moved["fingerprint"] != shipped["fingerprint"]


# -- the message limit -------------------------------------------------------------------------------
def test_the_nlu_components_take_the_limit_from_the_settings(monkeypatch):
    """config.yml sets no limit: the guard answers a message over ZHICHENG_MAX_MESSAGE_CHARS as too long."""
    from rasa.shared.nlu.training_data.message import Message

    from bot.text import TOO_LONG
    from components.input_guard import InputGuard
    from components.normalizer import TextNormalizer
    assert "max_chars" not in (ROOT / "config.yml").read_text(encoding="utf-8")

    def intent(text: str) -> str | None:
        message = Message(data={"text": text})
        TextNormalizer({}).process([message])
        InputGuard({}).process([message])
        return (message.get("intent") or {}).get("name")

    monkeypatch.setenv("ZHICHENG_MAX_MESSAGE_CHARS", "40")
    assert intent("职" * 41) == "invalid_input"
    # a story, then the question: what the NLU passes on is the question part, under the limit
    message = Message(data={"text": "我在一家民营企业做了很多年的工程师工作，" * 2 + "能报吗？"})
    TextNormalizer({}).process([message])
    InputGuard({}).process([message])
    assert len(message.get("text")) <= 40 and message.as_dict(only_output_properties=True)[TOO_LONG] is True
    assert intent("职" * 40) is None
    monkeypatch.setenv("ZHICHENG_MAX_MESSAGE_CHARS", "500")
    assert intent("职" * 41) is None


def test_the_widget_is_served_with_the_limit(monkeypatch):
    from bot.web.app import WIDGET_MAX_CHARS, widget_script
    assert WIDGET_MAX_CHARS in (ROOT / "bot" / "web" / "static" / "widget.js").read_text(encoding="utf-8")
    script = widget_script(40)
    assert WIDGET_MAX_CHARS not in script and 'Number("40")' in script
    # the chat input takes the limit (the feedback box's 500 is the comment limit, bot.feedback)
    assert 'id: "zc-input", class: "zc-input", type: "text",\n                            maxlength: MAX_CHARS' in script
    assert "maxLength = factor ? 4 : 500" not in script


async def test_the_action_says_too_long_for_what_the_nlu_found_too_long(loaded_default_db):
    """The text the actions get is cut and reduced to its question part: the guard's mark decides."""
    from rasa_sdk import Tracker
    from rasa_sdk.executor import CollectingDispatcher

    from actions.respond import ActionInvalidInput
    from bot.text import TOO_LONG
    from bot.wording import say
    latest = {"text": "能报吗？", TOO_LONG: True, "intent": {"name": "invalid_input", "confidence": 1.0},
              "intent_ranking": [], "entities": []}
    dispatcher = CollectingDispatcher()
    await ActionInvalidInput().run(dispatcher, Tracker("long-user", {}, latest, [], False, None, {}, "action_listen"),
                                   {})
    assert [m["text"] for m in dispatcher.messages] == [say("reply.bad_input.too_long")]

"""`zhicheng run` as a user starts it, with settings that are not the defaults: an action-server
port other than endpoints.yml's 5055 (`--actions-port`) and a message limit set once
(ZHICHENG_MAX_MESSAGE_CHARS). An FAQ is answered end to end through that action server; the chat
(REST, and the web app's proxy) and the widget take the limit; a longer message gets the clear
"too long" reply.

Ports: ZHICHENG_E2E_SCALE_PORT + 20 / 30 / 40 (Rasa / web / actions), clear of the scale tests'
(the scale port and the next few, their actions on +50) and of the other e2e servers.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
import yaml

from bot import cli
from bot.config import ROOT, settings
from bot.trackerstore import STORE_CLASS
from bot.wording import say

pytestmark = pytest.mark.e2e
BASE = int(os.environ.get("ZHICHENG_E2E_SCALE_PORT", "15105"))
RASA, WEB, ACTIONS = BASE + 20, BASE + 30, BASE + 40
LIMIT = 60
HOST = "127.0.0.1"


@pytest.fixture(scope="module")
def run(_private_var, tmp_path_factory):
    assert cli.main(["kb", "load"]) == 0
    here = tmp_path_factory.mktemp("run")
    endpoints = here / "endpoints.yml"  # the conversations go to a private file, not the repository's var/
    endpoints.write_text(yaml.safe_dump({"tracker_store": {"type": STORE_CLASS, "dialect": "sqlite",
                                                           "db": str(here / "tracker.db")}}), encoding="utf-8")
    env = {**os.environ, "ZHICHENG_MAX_MESSAGE_CHARS": str(LIMIT), "ZHICHENG_ENDPOINTS": str(endpoints),
           "ZHICHENG_TRACKER_RETENTION_DAYS": "0", "ZHICHENG_HOST": HOST}
    log = here / "run.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(Path(sys.executable).parent / "zhicheng"), "run", "--rasa-port", str(RASA),
                                 "--actions-port", str(ACTIONS), "--web-port", str(WEB)],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while "职称咨询助手已启动" not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("zhicheng run did not start:\n" + log.read_text(errors="replace")[-4000:])
            time.sleep(1)
        yield here
    finally:
        proc.send_signal(signal.SIGINT)  # Ctrl-C: run_forever stops every server it started
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def chat(url: str, message: str) -> list[dict]:
    r = requests.post(url + "/webhooks/rest/webhook", json={"sender": f"run-{uuid.uuid4().hex[:8]}",
                                                            "message": message}, timeout=90)
    assert r.status_code == 200, r.text
    return r.json()


def text_of(messages: list[dict]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def test_rasa_calls_the_action_server_on_the_port_given(run):
    rasa_endpoints = yaml.safe_load((settings().var_dir / f"endpoints.{RASA}.yml").read_text(encoding="utf-8"))
    assert rasa_endpoints["action_endpoint"]["url"] == f"http://{HOST}:{ACTIONS}/webhook"
    assert requests.get(f"http://{HOST}:{ACTIONS}/health", timeout=10).status_code == 200
    reply = chat(f"http://{HOST}:{RASA}", "电子职称证书怎么领取")
    assert any((m.get("custom") or {}).get("faq_id") == "certificate" for m in reply), reply
    assert "依据：京人社事业字〔2024〕96号" in text_of(reply)


def test_the_limit_set_once_is_what_the_chat_accepts(run):
    too_long = say("reply.bad_input.too_long")
    question = "电子职称证书怎么领取"
    at_limit = question + "请" * (LIMIT - len(question) - 1) + "？"
    assert len(at_limit) == LIMIT
    for url in (f"http://{HOST}:{RASA}", f"http://{HOST}:{WEB}"):  # Rasa's REST channel, the web app's proxy
        assert text_of(chat(url, at_limit + "！")) == too_long  # one character over
        assert text_of(chat(url, "职称" * 400)) == too_long  # far over: still the reply, no error
        assert too_long not in text_of(chat(url, at_limit))


def test_the_widget_takes_the_limit(run):
    script = requests.get(f"http://{HOST}:{WEB}/widget.js", timeout=10)
    assert script.status_code == 200 and f'Number("{LIMIT}")' in script.text

"""The runner starts the web app as a third supervised process."""
from __future__ import annotations

import subprocess

from bot.runner import Servers


def test_web_app_process_and_health_url():
    srv = Servers(rasa_port=15999, web_port=18123)
    assert srv.web_args()[-4:] == ["-m", "bot.web", "--port", "18123"]
    assert srv.health_urls()["web"] == f"http://{srv.host}:18123/healthz"
    assert srv.web_url == f"http://{srv.host}:18123"


def test_no_web_app_when_its_port_is_none():
    assert "web" not in Servers(web_port=None).health_urls()


def test_the_web_app_is_told_the_rasa_port(monkeypatch, tmp_path):
    seen = {}

    class FakePopen:
        def __init__(self, args, **kwargs):
            seen["args"], seen["env"] = args, kwargs["env"]
            self.pid = 0

        def poll(self):
            return None

    monkeypatch.setattr(subprocess, "Popen", FakePopen)
    srv = Servers(rasa_port=15999, web_port=18123, log_dir=tmp_path)
    srv.start_web()
    assert seen["args"][-2:] == ["--port", "18123"] and seen["env"]["ZHICHENG_RASA_PORT"] == "15999"
    assert "web" in srv.procs

"""Findings 1 and 2: nobody but the chat channels can reach Rasa, and the action server
answers only Rasa (loopback, shared token)."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from bot.runner import Servers


@pytest.mark.parametrize("method, path", [
    ("GET", "/conversations/someone/tracker"), ("POST", "/conversations/someone/tracker/events"),
    ("POST", "/conversations/someone/messages"), ("PUT", "/model"), ("POST", "/model/train"),
    ("DELETE", "/model"), ("GET", "/status"), ("POST", "/model/parse"),
])
def test_rasa_http_api_is_not_served(servers, method, path):
    resp = requests.request(method, servers.rasa_url + path, json={"text": "x", "event": "user"}, timeout=10)
    assert resp.status_code == 404, (path, resp.status_code, resp.text[:200])


def _listening(port: int) -> set[str]:
    """Local addresses listening on `port`, from /proc/net/tcp{,6} (hex, as the kernel writes them)."""
    found = set()
    for name in ("tcp", "tcp6"):
        table = Path(f"/proc/net/{name}")
        if not table.exists():
            continue
        for line in table.read_text().splitlines()[1:]:
            cols = line.split()
            addr, hex_port = cols[1].rsplit(":", 1)
            if cols[3] == "0A" and int(hex_port, 16) == port:
                found.add(addr)
    return found


def test_both_servers_listen_on_loopback_only(servers):
    for port in (servers.rasa_port, servers.actions_port):
        addrs = _listening(port)
        assert addrs, f"nothing listens on {port}"
        # 0100007F is 127.0.0.1; 00000000 (0.0.0.0) or :: would be every interface
        assert addrs <= {"0100007F", "00000000000000000000000001000000"}, (port, addrs)


def test_runner_never_opens_the_api_without_a_token(monkeypatch, tmp_path):
    monkeypatch.setenv("ZHICHENG_VAR_DIR", str(tmp_path))
    model = tmp_path / "m.tar.gz"
    model.write_bytes(b"")
    args = Servers(model=model).rasa_args()
    assert "--enable-api" not in args and "--cors" not in args
    assert args[args.index("--interface") + 1] == "127.0.0.1"
    monkeypatch.setenv("ZHICHENG_RASA_API", "1")
    monkeypatch.setenv("ZHICHENG_RASA_API_TOKEN", "t0ken-from-env")
    args = Servers(model=model).rasa_args()
    assert args[args.index("--auth-token") + 1] == "t0ken-from-env"
    origins = args[args.index("--cors") + 1:]
    assert "*" not in origins and origins


FAKE_CALL = {"next_action": "action_ask_status_factor_ref", "sender_id": "victim",
             "tracker": {"sender_id": "victim", "slots": {"status_factor_kind": "id4"}, "latest_message": {},
                         "events": [], "active_loop": {}, "paused": False, "followup_action": None,
                         "latest_event_time": 0, "latest_action_name": None},
             "domain": {}, "version": "3.6.21"}


def test_action_server_refuses_calls_without_the_token(servers):
    for headers in ({}, {"X-Action-Token": "guess"}):
        resp = requests.post(f"{servers.actions_url}/webhook", json=FAKE_CALL, headers=headers, timeout=10)
        assert resp.status_code == 401
        assert "victim" not in resp.text
        assert requests.get(f"{servers.actions_url}/actions", headers=headers, timeout=10).status_code == 401
    # nothing was marked: the made-up tracker did not put "victim" into the factor prompt
    import datetime as dt

    from bot.db import new_session
    from bot.status import vault
    with new_session() as s:
        assert not vault.is_pending(session=s, sender_id="victim", now=dt.datetime.now())


def test_the_endpoints_file_rasa_gets_carries_the_token_and_port(servers):
    import yaml
    config = yaml.safe_load(servers.endpoints_file().read_text(encoding="utf-8"))
    assert config["action_endpoint"]["url"].endswith(f":{servers.actions_port}/webhook")
    assert config["action_endpoint"]["headers"]["X-Action-Token"] == servers.action_token
    assert oct(servers.endpoints_file().stat().st_mode & 0o777) == "0o600"
    assert os.environ.get("ZHICHENG_ACTION_TOKEN") is None  # the token is not in the tests' own environment

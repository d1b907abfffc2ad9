"""Scale mode's generated nginx config: the least busy worker by default, by conversation with
ZHICHENG_SCALE_STICKY=1, and a config nginx itself accepts either way."""
from __future__ import annotations

import subprocess

import pytest

from bot.scale import NGINX, ScaleServers


def config(tmp_path, monkeypatch, sticky: str | None) -> str:
    if sticky is None:
        monkeypatch.delenv("ZHICHENG_SCALE_STICKY", raising=False)
    else:
        monkeypatch.setenv("ZHICHENG_SCALE_STICKY", sticky)
    srv = ScaleServers(rasa_port=26905, actions_port=26955, web_port=None, log_dir=tmp_path,
                       database_url="postgresql://postgres@127.0.0.1:5432/unused")
    path = srv.nginx_config()
    if NGINX.exists():  # the map's regex must survive the f-string and nginx's own quoting
        done = subprocess.run([str(NGINX), "-t", "-p", str(srv.scale_dir()), "-c", str(path)],
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    text = path.read_text(encoding="utf-8")
    return text[text.index("upstream rasa_workers"):text.index("upstream rasa_sticky")]


def test_the_least_busy_worker_by_default(tmp_path, monkeypatch):
    upstream = config(tmp_path, monkeypatch, None)
    assert "least_conn;" in upstream and "hash" not in upstream


def test_sticky_hashes_the_conversation(tmp_path, monkeypatch):
    upstream = config(tmp_path, monkeypatch, "1")
    assert "hash $zhicheng_sender consistent;" in upstream and "least_conn" not in upstream


@pytest.mark.skipif(not NGINX.exists(), reason="nginx is not installed (make deps)")
def test_the_sender_is_read_from_the_body(tmp_path, monkeypatch):
    config(tmp_path, monkeypatch, "1")
    text = (tmp_path / "scale" / "nginx.26905.conf").read_text(encoding="utf-8")
    assert r'map $request_body $zhicheng_sender { "~\"sender\"\s*:\s*\"(?<s>[^\"]*)\"" $s; default ""; }' in text

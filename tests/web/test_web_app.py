"""The web app over HTTP: pages, clause API, feedback validation and origin checks, the chat proxy."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests
from sqlalchemy import select

from bot.config import ROOT
from bot.db import new_session
from bot.feedback import Feedback

ANSWER = "公务员不得参加专业技术人才职称评审。\n依据：京人社事业字〔2024〕96号 一第4段"


def q(clause_id: str) -> str:
    return urllib.parse.quote(clause_id, safe="")


def test_demo_page_is_served_with_the_widget_and_no_outside_files(servers):
    reply = requests.get(servers.web_url + "/", timeout=10)
    assert reply.status_code == 200 and "text/html" in reply.headers["Content-Type"]
    html = reply.text
    assert "京人社事业字〔2024〕96号" in html and "7月2日（周二）—7月23日（周二）" in html and "个人网上申报" in html
    assert '<script src="/widget.js' in html
    assert "http://" not in html.replace("http://rsj.beijing.gov.cn", "") and "https://" not in html  # no CDN
    assert "script-src 'self'" in reply.headers["Content-Security-Policy"]
    assert reply.headers["X-Content-Type-Options"] == "nosniff"


def test_widget_script_and_css_are_served(servers):
    js = requests.get(servers.web_url + "/widget.js", timeout=10)
    assert js.status_code == 200 and "javascript" in js.headers["Content-Type"]
    assert "webhooks/rest/webhook" in js.text and "getRandomValues" in js.text
    css = requests.get(servers.web_url + "/static/widget.css", timeout=10)
    assert css.status_code == 200 and "text/css" in css.headers["Content-Type"]


def test_clause_api_and_page(servers):
    data = requests.get(f"{servers.web_url}/api/clause/{q('三(一)1')}", timeout=10).json()
    assert data["id"] == "三(一)1" and data["title"] == "个人网上申报"
    assert "7月23日前完成系统提交" in data["text"] and data["notice"]["number"] == "京人社事业字〔2024〕96号"
    page = requests.get(servers.web_url + data["url"], timeout=10)
    assert page.status_code == 200 and "7月23日前完成系统提交" in page.text and "京人社事业字〔2024〕96号" in page.text
    child = requests.get(f"{servers.web_url}/clause/{q('一第4段')}", timeout=10).text
    assert "公务员不得参加专业技术人才职称评审" in child and f"/clause/{q('一')}" in child  # links its parent


@pytest.mark.parametrize("path", ["/api/clause/nothing", "/api/clause/" + "x" * 40, "/api/clause/%FF"])
def test_unknown_clause_is_a_json_404(servers, path):
    reply = requests.get(servers.web_url + path, timeout=10)
    assert reply.status_code == 404 and "error" in reply.json()


def test_unknown_page_is_a_friendly_404(servers):
    for path in ("/clause/nothing", "/no/such/page"):
        reply = requests.get(servers.web_url + path, timeout=10)
        assert reply.status_code == 404 and "没有找到" in reply.text and "<html" in reply.text


def feedback(servers, body=None, *, raw: bytes | None = None, headers: dict | None = None):
    hdrs = {"Content-Type": "application/json", **(headers or {})}
    data = raw if raw is not None else json.dumps(body, ensure_ascii=False).encode()
    return requests.post(servers.web_url + "/api/feedback", data=data, headers=hdrs, timeout=10)


GOOD = {"sender": "w-webtest", "rating": "up", "answer": ANSWER, "question": "公务员能评职称吗"}


def test_feedback_is_stored(servers):
    reply = feedback(servers, {**GOOD, "sender": "w-webtest-store", "rating": "down", "comment": "不清楚"},
                     headers={"Origin": servers.web_url})
    assert reply.status_code == 201, reply.text
    with new_session() as s:
        row = s.scalar(select(Feedback).where(Feedback.id == reply.json()["id"]))
    assert (row.conversation_id, row.rating, row.comment, row.clauses) == ("w-webtest-store", "down", "不清楚", ["一第4段"])


@pytest.mark.parametrize("body, raw, headers, status", [
    (GOOD, None, {"Content-Type": "text/plain"}, 415),  # a plain form or text body: refused
    (None, b"{not json", None, 400),
    (None, b"[1, 2]", None, 400),
    ({**GOOD, "rating": "maybe"}, None, None, 400),
    ({**GOOD, "sender": "a b"}, None, None, 400),
    ({**GOOD, "answer": 12}, None, None, 400),
    ({**GOOD, "comment": "x" * 501}, None, None, 400),
    (None, b'{"sender": "' + b"x" * 40000 + b'"}', None, 413),
    (GOOD, None, {"Origin": "https://evil.example"}, 403),
    (GOOD, None, {"Origin": "null"}, 403),
])
def test_bad_feedback_gets_a_clear_4xx(servers, body, raw, headers, status):
    reply = feedback(servers, body, raw=raw, headers=headers)
    assert reply.status_code == status, reply.text
    assert reply.json()["error"]


def test_listed_origins_may_post_feedback_and_get_cors_headers(servers):
    listed = "http://localhost:8080"  # bot.config.DEFAULT_ORIGINS
    pre = requests.options(servers.web_url + "/api/feedback", timeout=10,
                           headers={"Origin": listed, "Access-Control-Request-Method": "POST",
                                    "Access-Control-Request-Headers": "content-type"})
    assert pre.status_code == 204 and pre.headers["Access-Control-Allow-Origin"] == listed
    assert requests.options(servers.web_url + "/api/feedback", headers={"Origin": "https://evil.example"},
                            timeout=10).status_code == 403
    reply = feedback(servers, GOOD, headers={"Origin": listed})
    assert reply.status_code == 201 and reply.headers["Access-Control-Allow-Origin"] == listed


def test_get_on_feedback_and_bad_methods_are_not_500(servers):
    assert requests.get(servers.web_url + "/api/feedback", timeout=10).status_code == 405
    assert requests.delete(servers.web_url + "/", timeout=10).status_code == 405


def test_chat_is_proxied_to_rasa(servers):
    reply = requests.post(servers.web_url + "/webhooks/rest/webhook", timeout=60,
                          json={"sender": "w-proxy-test", "message": "公务员能评职称吗"})
    assert reply.status_code == 200
    assert "一第4段" in "\n".join(m.get("text", "") for m in reply.json())
    bad = requests.post(servers.web_url + "/webhooks/rest/webhook", json={"sender": "bad sender", "message": "x"},
                        timeout=30)
    assert bad.status_code == 400 and "sender" in bad.json()["error"]  # the channel's own answer, passed on
    too_big = requests.post(servers.web_url + "/webhooks/rest/webhook", timeout=30,
                            json={"sender": "w-proxy-test", "message": "职" * 4000})
    assert too_big.status_code == 413


# -- the proxy's X-Real-IP, against a stub Rasa that echoes what it got -----------------------------
class _Echo(BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = json.dumps([{"text": self.headers.get("X-Real-IP") or ""}]).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def stub_rasa():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Echo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


@pytest.mark.parametrize("trusted, expected", [("127.0.0.1", "203.0.113.7"), ("10.9.9.9", "127.0.0.1")])
def test_proxy_trusts_x_real_ip_only_from_a_trusted_peer(stub_rasa, _private_var, trusted, expected):
    port = _free_port()
    env = {**os.environ, "ZHICHENG_RASA_PORT": str(stub_rasa), "ZHICHENG_TRUSTED_PROXIES": trusted}
    proc = subprocess.Popen([sys.executable, "-m", "bot.web", "--port", str(port)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                assert time.monotonic() < deadline, "web app did not start"
                time.sleep(0.2)
        reply = requests.post(f"http://127.0.0.1:{port}/webhooks/rest/webhook", json={"sender": "w", "message": "x"},
                              headers={"X-Real-IP": "203.0.113.7"}, timeout=10)
        assert reply.json() == [{"text": expected}]
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def test_asking_for_a_person_during_a_status_lookup_ends_it_and_gives_a_code(servers):
    def say(text: str) -> str:
        reply = requests.post(servers.web_url + "/webhooks/rest/webhook", timeout=60,
                              json={"sender": "w-handover-in-form", "message": text})
        return "\n".join(m.get("text", "") for m in reply.json())

    assert "申报编号" in say("我的申报到哪一步了")
    reply = say("转人工")
    assert "转接码" in reply and "12333" in reply and "已退出申报进度查询" in reply

"""deploy/nginx.conf under a real nginx, in front of the real Rasa and action servers.

The shipped file is rewritten only by plain substitution (listen address, upstream ports,
log, pid and temp paths), so what is tested is what is deployed. The web app is a small
stub on a free port that echoes what it received: the tests never depend on the real one.
Clients come from different loopback addresses (127.0.0.x), as different users would.
"""
from __future__ import annotations

import base64
import http.client
import json
import os
import re
import signal
import socket
import subprocess
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CONF = ROOT / "deploy" / "nginx.conf"
NGINX = Path("/usr/sbin/nginx")
CITATION = "依据：京人社事业字〔2024〕96号"
ID4 = '/choose_factor{"factor_kind": "id4"}'


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def render_config(text: str, *, port: int, rasa_port: int, webapp_port: int, tmp: Path) -> str:
    """deploy/nginx.conf for this run: each substitution must hit exactly once, so a changed
    file fails here loudly instead of being tested half-rewritten."""
    def sub(pattern: str, repl: str, t: str, flags: int = re.M) -> str:
        out, n = re.subn(pattern, repl, t, flags=flags)
        assert n == 1, f"deploy/nginx.conf: expected exactly one match for {pattern!r}, found {n}"
        return out

    t = sub(r"^\s*user\s+[^;]*;\n", "user root;\n", text)  # the test runs as root (as CI does)
    t = sub(r"^\s*pid\s+[^;]*;\n", "", t)  # given on the command line
    t = sub(r"^\s*error_log\s+[^;]*;\n", "", t)
    t = sub(r"^(\s*)listen 80;", rf"\1listen 127.0.0.1:{port};", t)
    t = sub(r"127\.0\.0\.1:5005\b", f"127.0.0.1:{rasa_port}", t)
    t = sub(r"127\.0\.0\.1:8080\b", f"127.0.0.1:{webapp_port}", t)
    t = sub(r"^(\s*access_log\s+)/var/log/nginx/access\.log", rf"\g<1>{tmp}/access.log", t)
    temp = "".join(f"    {name}_temp_path {tmp}/{name}_temp;\n"
                   for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return sub(r"^http \{\n", "http {\n" + temp, t)


# -- a stub web app that says what it received -------------------------------------------------
class _EchoHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        body = json.dumps({
            "app": "stub-webapp", "method": self.command, "path": self.path,
            "x_real_ip": self.headers.get_all("X-Real-IP"),
            "x_forwarded_for": self.headers.get_all("X-Forwarded-For"),
            "x_forwarded_proto": self.headers.get("X-Forwarded-Proto"),
        }).encode()
        self.send_response(200)
        ctype = "application/javascript" if self.path.endswith(".js") else "application/json"
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def log_message(self, *args) -> None:  # quiet
        pass


@pytest.fixture(scope="module")
def webapp():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _EchoHandler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="stub-webapp", daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


# -- nginx ------------------------------------------------------------------------------------
@dataclass
class Nginx:
    host: str
    port: int
    dir: Path

    @property
    def access_log(self) -> Path:
        return self.dir / "access.log"

    def log_line(self, marker: str) -> str:
        """The access-log line of the request whose target held `marker`."""
        for _ in range(20):  # nginx writes the line when the request ends: give it a moment
            lines = [line for line in self.access_log.read_text(errors="replace").splitlines() if marker in line]
            if lines:
                assert len(lines) == 1, lines
                return lines[0]
            time.sleep(0.05)
        raise AssertionError(f"no access-log line for {marker}")


@pytest.fixture(scope="module")
def nginx(servers, webapp, tmp_path_factory):
    if not NGINX.exists():
        pytest.fail(f"{NGINX} is missing: `make test` installs nginx (Debian package nginx-light); "
                    "or run `apt-get install nginx-light`")
    servers.wait(timeout=120)  # a test before may have stopped a server on purpose
    tmp = tmp_path_factory.mktemp("nginx")
    tmp.chmod(0o755)
    port = free_port()
    conf = tmp / "nginx.conf"
    conf.write_text(render_config(CONF.read_text(encoding="utf-8"), port=port, rasa_port=servers.rasa_port,
                                  webapp_port=webapp, tmp=tmp), encoding="utf-8")
    base = [str(NGINX), "-p", str(tmp), "-c", str(conf), "-e", str(tmp / "error.log")]
    directives = f"daemon off; pid {tmp}/nginx.pid;"
    check = subprocess.run([*base, "-t", "-g", directives], capture_output=True, text=True, timeout=30)
    assert check.returncode == 0, f"nginx -t failed:\n{check.stdout}{check.stderr}"

    proc = subprocess.Popen([*base, "-g", directives], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 15
        while True:
            if proc.poll() is not None:
                raise AssertionError(f"nginx exited with {proc.returncode}:\n"
                                     f"{(tmp / 'error.log').read_text(errors='replace')[-3000:]}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise AssertionError("nginx did not listen within 15 s") from None
                time.sleep(0.1)
        yield Nginx("127.0.0.1", port, tmp)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)  # fast shutdown: the master stops its workers
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)  # our own process group (start_new_session)
                proc.wait(timeout=10)


# -- a client from a chosen loopback address ----------------------------------------------------
@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def json(self):
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return "\n".join(m.get("text", "") for m in self.json())


def call(ngx: Nginx, method: str, target: str, *, body=None, headers: dict | None = None,
         source: str = "127.0.0.1", timeout: float = 60, chunked: bool = False) -> Reply:
    conn = http.client.HTTPConnection(ngx.host, ngx.port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request(method, target, body=body, headers=headers or {}, encode_chunked=chunked)
        resp = conn.getresponse()
        return Reply(resp.status, resp.headers, resp.read())
    finally:
        conn.close()


def chat(ngx: Nginx, sender: str, text: str, *, source: str, headers: dict | None = None) -> str:
    """One chat turn through nginx; a 429 (this client went too fast) is retried after a pause."""
    body = json.dumps({"sender": sender, "message": text}, ensure_ascii=False).encode()
    for _ in range(20):
        reply = call(ngx, "POST", "/webhooks/rest/webhook", body=body, source=source,
                     headers={"Content-Type": "application/json", **(headers or {})})
        if reply.status != 429:
            assert reply.status == 200, (reply.status, reply.body[:300])
            return reply.text
        time.sleep(0.5)
    raise AssertionError(f"still 429 after 20 tries from {source}")


# -- the tests ------------------------------------------------------------------------------------
def test_a_question_through_nginx_gets_the_answer(nginx):
    reply = call(nginx, "POST", "/webhooks/rest/webhook", source="127.0.0.6",
                 body=json.dumps({"sender": f"ngx-{uuid.uuid4().hex[:8]}", "message": "公务员能评职称吗"}).encode(),
                 headers={"Content-Type": "application/json"})
    assert reply.status == 200, reply.body[:300]
    assert "一第4段" in reply.text and CITATION in reply.text
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Referrer-Policy"]
    assert reply.headers["Server"] == "nginx"  # server_tokens off: no version
    health = call(nginx, "GET", "/webhooks/rest/", source="127.0.0.6")
    assert health.status == 200 and health.json() == {"status": "ok"}


RASA_API = [
    ("GET", "/conversations/x/tracker"),
    ("POST", "/conversations/x/tracker/events"),
    ("POST", "/conversations/x/messages"),
    ("POST", "/conversations/x/trigger_intent"),
    ("PUT", "/model"),
    ("POST", "/model/train"),
    ("POST", "/model/parse"),
    ("DELETE", "/model"),
    ("GET", "/status"),
    ("GET", "/version"),
    ("GET", "/domain"),
    ("GET", "/webhooks/socketio/"),
    ("GET", "/webhooks/rest"),
    ("POST", "/webhooks/rest/webhook/"),
    # dot segments and escapes are resolved by nginx before it picks a location
    ("GET", "/webhooks/rest/../../status"),
    ("GET", "/webhooks/rest/webhook/../../../version"),
    ("POST", "/socket.io/../conversations/x/tracker/events"),
    ("GET", "/socket.io/%2e%2e/status"),
    ("GET", "/static/../../conversations/x/tracker"),
]


@pytest.mark.parametrize("method, path", RASA_API)
def test_rasa_api_is_not_reachable(nginx, method, path):
    marker = uuid.uuid4().hex
    body = b'{"event": "slot", "name": "x", "value": 1}' if method in ("POST", "PUT") else None
    reply = call(nginx, method, f"{path}?probe={marker}", body=body, source="127.0.0.9",
                 headers={"Content-Type": "application/json"})
    assert reply.status in (400, 404), (reply.status, reply.body[:300])  # 400: a path above the root
    assert b"<center>nginx</center>" in reply.body  # nginx's own error page …
    for rasa_word in (b"Rasa", b"rasa", b"tracker", b"events", b'"status"', b'"version"'):
        assert rasa_word not in reply.body  # … never one of Rasa's bodies
    assert "upstream=- " in nginx.log_line(marker)  # and no upstream saw the request


@pytest.mark.parametrize("method, path, status", [
    ("GET", "/webhooks/rest/webhook", 405),
    ("PUT", "/webhooks/rest/webhook", 405),
    ("POST", "/webhooks/rest/", 405),
    ("DELETE", "/webhooks/rest/", 405),
    ("GET", "/.env", 404),
    ("GET", "/static/.git/config", 404),
    ("GET", "/favicon.ico", 404),
])
def test_other_methods_and_paths_stop_at_nginx(nginx, method, path, status):
    marker = uuid.uuid4().hex
    reply = call(nginx, method, f"{path}?probe={marker}", source="127.0.0.10")
    assert reply.status == status
    assert "upstream=- " in nginx.log_line(marker)


WEBAPP_PATHS = ["/", "/widget.js", "/static/widget.css", "/clause/" + urllib.parse.quote("三(一)5"),
                "/api/faq?q=1", "/agent", "/agent/console", "/admin", "/admin/kb", "/login", "/logout"]


@pytest.mark.parametrize("path", WEBAPP_PATHS)
def test_web_app_paths_go_to_the_web_app_not_rasa(nginx, path):
    reply = call(nginx, "GET", path, source="127.0.0.11")
    assert reply.status == 200, (reply.status, reply.body[:300])
    seen = reply.json()
    assert seen["app"] == "stub-webapp" and seen["path"] == path
    assert reply.headers["X-Content-Type-Options"] == "nosniff"
    assert reply.headers["Referrer-Policy"]
    if path == "/widget.js":  # other sites embed the widget: no frame restriction on it
        assert reply.headers.get("X-Frame-Options") is None
    else:
        assert reply.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_the_web_app_gets_the_client_address_not_a_spoofed_one(nginx):
    reply = call(nginx, "POST", "/api/echo", body=b"{}", source="127.0.0.12",
                 headers={"X-Real-IP": "203.0.113.7", "X-Forwarded-For": "203.0.113.7, 198.51.100.1",
                          "Content-Type": "application/json"})
    seen = reply.json()
    assert seen["method"] == "POST"
    assert seen["x_real_ip"] == ["127.0.0.12"]
    assert seen["x_forwarded_for"] == ["127.0.0.12"]
    assert seen["x_forwarded_proto"] == "http"


def test_a_body_over_8_kb_gets_413_from_nginx(nginx):
    sender = f"big-{uuid.uuid4().hex[:8]}"
    text = "职称" * 1500  # 9,000 bytes of UTF-8
    body = json.dumps({"sender": sender, "message": text}, ensure_ascii=False).encode()
    assert len(body) > 8192
    for chunked in (False, True):  # with Content-Length and streamed without one
        marker = uuid.uuid4().hex
        payload = body if not chunked else iter([body[i:i + 1000] for i in range(0, len(body), 1000)])
        reply = call(nginx, "POST", f"/webhooks/rest/webhook?probe={marker}", body=payload, chunked=chunked,
                     source="127.0.0.13", headers={"Content-Type": "application/json"})
        assert reply.status == 413
        assert "error" in reply.json()
        if not chunked:  # refused on the header alone; a streamed body is sent on until it is too big
            assert "upstream=- " in nginx.log_line(marker)
    # just under the limit is still answered by the bot
    small = json.dumps({"sender": sender, "message": "职称" * 1300}, ensure_ascii=False).encode()
    assert len(small) < 8192
    reply = call(nginx, "POST", "/webhooks/rest/webhook", body=small, source="127.0.0.13",
                 headers={"Content-Type": "application/json"})
    assert reply.status == 200 and reply.text


def test_one_client_flooding_is_limited_and_another_is_not(nginx):
    statuses = []
    for _ in range(40):
        reply = call(nginx, "GET", "/webhooks/rest/", source="127.0.0.2", timeout=10)
        statuses.append(reply.status)
        if reply.status == 429:
            assert "error" in reply.json()
    assert set(statuses) <= {200, 429}, statuses
    assert statuses[:10] == [200] * 10, statuses  # the burst is served at once …
    assert 429 in statuses, statuses  # … the rest of the flood is refused
    # a different user right after is not affected
    other = call(nginx, "GET", "/webhooks/rest/", source="127.0.0.3", timeout=10)
    assert other.status == 200
    answered = chat(nginx, f"other-{uuid.uuid4().hex[:8]}", "公务员能评职称吗", source="127.0.0.3")
    assert "公务员不得参加" in answered and "一第4段" in answered, answered


def test_status_lookup_limits_key_on_the_address_nginx_saw(nginx):
    """Rasa sees the client address from nginx's X-Real-IP, and a client cannot choose it: the
    allowed number of failed lookups (5) from 127.0.0.4, each in a new conversation with a
    different forged X-Real-IP, still lock that address; 127.0.0.5 looks up right after."""
    from bot.config import settings
    attacker, user = "127.0.0.4", "127.0.0.5"
    unknown_id = f"DEMO-2024-{8000 + uuid.uuid4().int % 1000:04d}"
    replies = []
    for i in range(settings().client_max_failures):
        sender = f"ngx-a{i}-{uuid.uuid4().hex[:8]}"
        forged = {"X-Real-IP": f"198.51.100.{i + 1}", "X-Forwarded-For": f"198.51.100.{i + 1}"}
        turns = [chat(nginx, sender, t, source=attacker, headers=forged)
                 for t in ("我的申报到哪一步了", unknown_id, ID4, "1111")]
        assert "申报编号" in turns[0] and "后4位" in turns[2], turns
        replies.append(turns[-1])
    assert "查询已暂停" in replies[-1], replies[-1]  # the last failure from one address locks it
    assert all("查询已暂停" not in r for r in replies[:-1]), replies

    def lookup(source: str) -> str:
        sender = f"ngx-{source.rsplit('.', 1)[1]}-{uuid.uuid4().hex[:8]}"
        return [chat(nginx, sender, t, source=source, headers={"X-Real-IP": "198.51.100.99"})
                for t in ("我的申报到哪一步了", "DEMO-2024-0002", ID4, "0002")][-1]

    refused = lookup(attacker)  # even the right factor, from the locked address
    assert "查询已暂停" in refused and "演示" not in refused, refused
    answered = lookup(user)
    assert "演示" in answered and CITATION in answered, answered


def _ws_handshake(ngx: Nginx, source: str) -> tuple[bytes, bytes]:
    key = base64.b64encode(os.urandom(16)).decode()
    with socket.create_connection((ngx.host, ngx.port), timeout=10, source_address=(source, 0)) as s:
        s.sendall((f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {ngx.host}:{ngx.port}\r\n"
                   f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
                   "Sec-WebSocket-Version: 13\r\n\r\n").encode())
        data = b""
        deadline = time.monotonic() + 10
        while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < 8:
            if time.monotonic() > deadline:
                break
            chunk = s.recv(4096)
            if not chunk:
                break
            data += chunk
    head, _, rest = data.partition(b"\r\n\r\n")
    return head, rest


def test_socket_io_works_through_nginx_including_websocket(nginx):
    polling = call(nginx, "GET", "/socket.io/?EIO=4&transport=polling", source="127.0.0.14")
    assert polling.status == 200 and polling.body.startswith(b"0{") and b'"sid"' in polling.body
    head, frame = _ws_handshake(nginx, "127.0.0.14")
    assert head.startswith(b"HTTP/1.1 101"), head
    assert b"upgrade: websocket" in head.lower()
    # the first WebSocket frame is engine.io's open packet: a text frame holding "0{...sid..."
    offset = 2 if frame[1] & 0x7F < 126 else 4  # 16-bit extended length above 125 bytes
    assert frame[0] & 0x0F == 1 and frame[offset:offset + 2] == b"0{", frame[:40]

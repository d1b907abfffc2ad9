"""Fuzz the REST channel of the real Rasa server (no nginx) while real users chat.

A fixed seed makes every run send the same inputs: random Unicode from every plane
(combining marks, right-to-left text, emoji, lone surrogates escaped in JSON, noncharacters),
control characters and NUL, long and oversized bodies, deeply nested and huge JSON, wrong types
and missing fields, non-JSON bodies, wrong content types, invalid UTF-8 and chunked bodies.
Nothing may answer 5xx; a refused request gets a JSON error, an accepted one a list of the
bot's messages for that sender; the five users chatting meanwhile get their answers; and no
server has to be restarted.
"""
from __future__ import annotations

import json
import random
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import requests

from bot import answers

SEED = 20261124
REQUESTS = 1200
WORKERS = 4
MAX_BODY = 8192  # settings().max_body_bytes: larger bodies get 413 from Sanic
CITATION = "依据：京人社事业字〔2024〕96号"
QUESTIONS = ("委托函 二级单位", "申报截止到哪天", "初级职称要答辩吗")
CONVERSATIONS = 5
ACTION_ERROR = answers.action_error("\0").split("\0")[0]  # an action raised: the user sees an error id


# -- inputs -------------------------------------------------------------------------------------
def _char(rng: random.Random) -> str:
    pool = rng.random()
    if pool < 0.15:
        return chr(rng.randint(0x20, 0x7E))  # ASCII
    if pool < 0.30:
        return chr(rng.randint(0x4E00, 0x9FFF))  # CJK
    if pool < 0.38:
        return chr(rng.randint(0x0300, 0x036F))  # combining marks
    if pool < 0.46:
        return chr(rng.choice([rng.randint(0x0590, 0x06FF), 0x200F, 0x202E, 0x2067, 0x061C]))  # RTL
    if pool < 0.56:
        return rng.choice([chr(rng.randint(0x1F300, 0x1FAFF)), "\U0001F468\u200D\U0001F469\u200D\U0001F467",
                           "\U0001F1E8\U0001F1F3", "\u2764\ufe0f", "\U0001F44D\U0001F3FD"])  # emoji
    if pool < 0.66:
        return chr(rng.randint(0x10000, 0x10FFFF))  # the astral planes, private use and unassigned too
    if pool < 0.74:
        return chr(rng.randint(0xD800, 0xDFFF))  # a lone surrogate (sent JSON-escaped)
    if pool < 0.84:
        return chr(rng.choice([*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)]))  # C0/C1 controls, NUL
    if pool < 0.90:
        return rng.choice(["\ufeff", "\ufffe", "\uffff", "\u2028", "\u2029", "\u200b", "\ufffd", "\u00ad"])
    return chr(rng.randint(0xA0, 0xFFFD))  # anything else in the BMP


def unicode_text(rng: random.Random, length: int) -> str:
    return "".join(_char(rng) for _ in range(length))


def odd_value(rng: random.Random, depth: int = 0):
    """A JSON value that is not a string."""
    kind = rng.randrange(8 if depth < 3 else 5)
    if kind == 0:
        return rng.randint(-2**63, 2**63)
    if kind == 1:
        return rng.random() * 1e300
    if kind == 2:
        return None
    if kind == 3:
        return rng.random() < 0.5
    if kind == 4:
        return 0
    if kind == 5:
        return [odd_value(rng, depth + 1) for _ in range(rng.randrange(4))]
    if kind == 6:
        return {unicode_text(rng, 3): odd_value(rng, depth + 1) for _ in range(rng.randrange(4))}
    return [unicode_text(rng, 5)]


def dump(obj, rng: random.Random) -> bytes:
    """JSON as a client might send it: escaped or raw UTF-8 (lone surrogates, not being UTF-8,
    are always sent escaped: "\\ud800")."""
    text = json.dumps(obj, ensure_ascii=rng.random() < 0.5)
    if _has_surrogate(text):
        text = json.dumps(obj)
    return text.encode("utf-8")


def _has_surrogate(text: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in text)


@dataclass
class Case:
    kind: str
    body: bytes
    sender: str | None = None  # the recipient of an accepted request
    expect: str | None = None  # ok (200 + messages) | bad (400 + error) | big (413) | None (any but 5xx)
    headers: dict = field(default_factory=lambda: {"Content-Type": "application/json"})
    chunked: bool = False


def _size_expect(body: bytes, ok: str = "ok") -> str:
    return ok if len(body) <= MAX_BODY else "big"


def make_case(rng: random.Random, i: int) -> Case:
    sender = f"fz-{i}-{rng.randrange(10**6)}"
    kind = rng.choices(
        ["text", "long", "control", "payload", "bad_message", "bad_sender", "missing", "not_object",
         "not_json", "bad_utf8", "nested", "huge", "content_type", "chunked", "real_ip", "encoding"],
        weights=[30, 8, 6, 4, 8, 8, 4, 4, 8, 6, 3, 4, 5, 2, 3, 2])[0]
    if kind == "text":
        body = dump({"sender": sender, "message": unicode_text(rng, rng.randint(0, 600))}, rng)
        return Case(kind, body, sender, _size_expect(body))
    if kind == "long":  # 5 to 20 KB
        unit = rng.choice(["职称", "a", "😀", "\u0301", "\u202e", "字 "])
        per_unit = len(json.dumps(unit)) - 2  # its size escaped, the larger form
        body = dump({"sender": sender, "message": unit * (rng.randint(5_000, 20_000) // per_unit)}, rng)
        return Case(kind, body, sender, _size_expect(body))
    if kind == "control":
        text = "".join(rng.choice(["\x00", "\x01", "\x07", "\x08", "\x1b[31m", "\r\n", "\t", "\x7f", "\x85",
                                   "%00", "\\0", "职称"]) for _ in range(rng.randint(1, 200)))
        return Case(kind, dump({"sender": sender, "message": text}, rng), sender, "ok")
    if kind == "payload":  # Rasa's "/intent{entities}" shortcut, with garbage
        text = rng.choice(['/inform_factor{"factor_ref": "garbage"}', '/inform_factor{"factor_ref": 123}',
                           '/inform_factor{"factor_ref": null}', '/choose_factor{"factor_kind": "<script>"}',
                           '/choose_factor{"factor_kind": ["id4"]}', "/restart", "/session_start", "/stop",
                           "/nonexistent_intent", '/greet{"a": ' * 50, "/" + unicode_text(rng, 30),
                           '/inform_factor{"factor_ref": "' + "A" * 3000 + '"}', "/greet{", "//", "/"])
        return Case(kind, dump({"sender": sender, "message": text}, rng), sender, "ok")
    if kind == "bad_message":
        body = {"sender": sender, "message": odd_value(rng)}
        return Case(kind, json.dumps(body).encode(), None, "bad")
    if kind == "bad_sender":
        bad = rng.choice([odd_value(rng), "", " ", "a b", "a/b", "../../etc/passwd", "x" * 129, "发送者",
                          "a\x00b", "a\nb", "é" + unicode_text(rng, 10), "<script>", "%2e%2e"])
        return Case(kind, json.dumps({"sender": bad, "message": "公务员能评职称吗"}).encode(), None, "bad")
    if kind == "missing":
        body = rng.choice([{}, {"sender": sender}, {"message": "公务员能评职称吗"}, {"Sender": sender, "Message": "x"},
                           {"sender_id": sender, "text": "x"}])
        return Case(kind, json.dumps(body).encode(), None, "bad")
    if kind == "not_object":
        body = rng.choice([[{"sender": sender, "message": "x"}], "公务员能评职称吗", 42, None, True, [], 1.5])
        return Case(kind, json.dumps(body).encode(), None, "bad")
    if kind == "not_json":
        body = rng.choice([
            b"", b" ", b"sender=a&message=b", b"<xml><sender>a</sender></xml>", b"{", b"}", b"{'sender': 'a'}",
            b'{"sender": "a", "message": "b"', b'{"sender": "a", "message": "b"} trailing', b"null null",
            b'{"sender": "a", "message": "b",}', b"\x00" * 100, bytes(rng.randrange(256) for _ in range(300)),
            b'{"sender": "a" "message": "b"}', b"--boundary\r\nContent-Disposition: form-data\r\n\r\nx",
            b'{"sender": "a", "message": undefined}', b"\\u0000"])
        return Case(kind, body, None, "bad")
    if kind == "bad_utf8":
        raw = rng.choice([b"\xff", b"\xfe\xff", b"\xc0\x80", b"\xe0\x80\x80", b"\xf8\x88\x80\x80\x80", b"\x80",
                          b"\xf4\x90\x80\x80", b"\xc3", "职".encode()[:2]])
        body = b'{"sender": "' + sender.encode() + b'", "message": "ab' + raw + b'cd"}'
        return Case(kind, body, None, "bad")
    if kind == "nested":
        body = rng.choice([
            ("[" * 10_000, "big"), ("[" * 4_000 + "]" * 4_000, "bad"), ('{"a":' * 1_200 + "1" + "}" * 1_200, "bad"),
            ('{"sender": "' + sender + '", "message": ' + "[" * 3_000 + "]" * 3_000 + "}", "bad"),
            ('{"sender": "' + sender + '", "message": "x", "extra": ' + "[" * 3_000 + "]" * 3_000 + "}", "bad"),
            ("{" * 10_000, "big")])
        return Case(kind, body[0].encode(), None, body[1])
    if kind == "huge":
        if rng.random() < 0.3:  # a 5,000-digit number
            body = ('{"sender": "' + sender + '", "message": ' + "9" * 5_000 + "}").encode()
            return Case(kind, body, None, "bad")
        pad = [rng.randint(-10**9, 10**9) for _ in range(rng.randint(100, 2_000))]
        body = json.dumps({"sender": sender, "message": "申报截止到哪天", "pad": pad, "sender_id": "x"}).encode()
        return Case(kind, body, sender, _size_expect(body))
    if kind == "content_type":
        ctype = rng.choice(["text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x",
                            "application/xml", None, "application/json; charset=latin-1", "garbage/\x7f",
                            "application/json; charset=utf-16", "*/*", "application/json" + ";" * 200])
        body = dump({"sender": sender, "message": unicode_text(rng, rng.randint(1, 50))}, rng)
        headers = {} if ctype is None else {"Content-Type": ctype}
        return Case(kind, body, sender, "ok", headers=headers)
    if kind == "chunked":  # no Content-Length: the size limit has to work on the stream
        message = "职称" * rng.choice([10, 500, 2_000])
        body = json.dumps({"sender": sender, "message": message}, ensure_ascii=False).encode()
        return Case(kind, body, sender, _size_expect(body), chunked=True)
    if kind == "real_ip":  # the proxy header is trusted from loopback: odd values must not break anything
        value = rng.choice(["x" * 4_000, "1.2.3.4, 5.6.7.8", "::1", "../../", "%00", "unknown", "0",
                            "".join(chr(rng.randint(0x21, 0x7E)) for _ in range(200))])
        body = dump({"sender": sender, "message": "查询进度 DEMO-2024-0001"}, rng)
        return Case(kind, body, sender, "ok", headers={"Content-Type": "application/json", "X-Real-IP": value})
    # encoding: a byte-order mark, UTF-16/32, lone surrogates as CESU-8 bytes (Python's json reads them all)
    obj = {"sender": sender, "message": unicode_text(rng, 20)}
    variant = rng.randrange(4)
    if variant == 0:
        body = b"\xef\xbb\xbf" + json.dumps(obj).encode()
    elif variant == 1:
        body = json.dumps(obj).encode(rng.choice(["utf-16", "utf-16-le", "utf-32"]), "surrogatepass")
    else:
        body = json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass")
    return Case(kind, body, sender, "ok")


def generate(n: int = REQUESTS, seed: int = SEED) -> list[Case]:
    rng = random.Random(seed)
    return [make_case(rng, i) for i in range(n)]


# -- sending and judging ---------------------------------------------------------------------------
_local = threading.local()


def _session() -> requests.Session:
    if not hasattr(_local, "session"):
        _local.session = requests.Session()
    return _local.session


def send(url: str, case: Case) -> tuple[int | str, bytes, str | None]:
    """(status or exception name, body, problem or None)."""
    body = iter([case.body[i:i + 1024] for i in range(0, len(case.body), 1024)]) if case.chunked else case.body
    try:
        resp = _session().post(url, data=body, headers=case.headers, timeout=60)
    except requests.RequestException as err:
        _local.__dict__.pop("session", None)
        return type(err).__name__, b"", f"no response: {err!r}"[:300]
    return resp.status_code, resp.content, judge(case, resp.status_code, resp.content)


def judge(case: Case, status: int, content: bytes) -> str | None:
    """What is wrong with this answer, or None."""
    if status >= 500:
        return f"server error {status}"
    expected = {"ok": 200, "bad": 400, "big": 413}.get(case.expect)
    if expected is not None and status != expected:
        return f"status {status}, expected {expected}"
    if 200 <= status < 300:
        try:
            messages = json.loads(content)
        except ValueError:
            return "2xx body is not JSON"
        if not isinstance(messages, list) or not messages or not all(isinstance(m, dict) for m in messages):
            return "2xx body is not a non-empty list of messages"
        for m in messages:
            if case.sender is not None and m.get("recipient_id") != case.sender:
                return f"message for another recipient: {m.get('recipient_id')!r}"
            if "Traceback" in str(m.get("text", "")) or "Traceback" in json.dumps(m):
                return "a traceback in a reply"
            if "text" in m and not isinstance(m["text"], str):
                return "a reply text that is not a string"
            if ACTION_ERROR in str(m.get("text", "")):
                return "an action failed on this input (the user got an error id)"
    elif 400 <= status < 500 and status != 413:  # Sanic's own 413 may be plain text
        try:
            error = json.loads(content)
        except ValueError:
            return f"{status} body is not JSON"
        if not isinstance(error, dict) or not isinstance(error.get("error"), str) or not error["error"]:
            return f"{status} body has no error message"
    return None


def service_replies(content: bytes) -> list[str]:
    """Which of the service's own replies (errors, not answers) a 200 body holds."""
    try:
        texts = [str(m.get("text", "")) for m in json.loads(content) if isinstance(m, dict)]
    except (ValueError, TypeError):
        return []
    kinds = {"error_id": ACTION_ERROR, "unavailable": answers.UNAVAILABLE, "try_again": answers.TRY_AGAIN}
    return [kind for kind, marker in kinds.items() if any(marker in text for text in texts)]


def _describe(case: Case, status, content: bytes) -> str:
    try:  # the reply as the user would read it
        shown = json.dumps(json.loads(content), ensure_ascii=False)[:200]
    except ValueError:
        shown = repr(content[:200])
    return (f"sent {case.body[:120]!r}{'…' if len(case.body) > 120 else ''} ({len(case.body)} bytes, "
            f"headers {str(case.headers)[:80]}, chunked={case.chunked}) → {status} {shown}")


def report(cases: list[Case], results: list) -> str:
    """The problems grouped by input kind and problem, with the three shortest inputs of each."""
    groups: dict[tuple[str, str], list[tuple[Case, object, bytes]]] = {}
    for case, (status, content, problem) in zip(cases, results, strict=True):
        if problem:
            groups.setdefault((case.kind, problem), []).append((case, status, content))
    lines = []
    for (kind, problem), items in sorted(groups.items(), key=lambda kv: -len(kv[1])):
        lines.append(f"{len(items)} × [{kind}] {problem}, e.g.")
        for case, status, content in sorted(items, key=lambda item: len(item[0].body))[:3]:
            lines.append("    " + _describe(case, status, content))
    return "\n".join(lines)


def test_the_generator_is_deterministic_and_covers_every_kind():
    a, b = generate(), generate()
    assert [(c.kind, c.body) for c in a] == [(c.kind, c.body) for c in b]
    kinds = Counter(c.kind for c in a)
    assert len(a) >= 1000 and len(kinds) == 16 and min(kinds.values()) >= 10, kinds
    assert any(len(c.body) > 15_000 for c in a) and any(c.expect == "big" for c in a)
    assert any(b"\\ud" in c.body for c in a)  # lone surrogates, JSON-escaped


def test_fuzz_the_rest_channel_while_users_chat(servers, capsys):
    url = f"{servers.rasa_url}/webhooks/rest/webhook"
    cases = generate()
    done = 0
    done_lock = threading.Lock()
    user_answers: list[tuple[str, str, str]] = []  # (conversation, question, reply)
    user_problems: list[str] = []

    def user_conversations() -> None:
        """Real users, spread over the run: conversation k starts when (k+1)/6 of the fuzz is sent."""
        for k in range(CONVERSATIONS):
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                with done_lock:
                    if done >= (k + 1) * len(cases) // (CONVERSATIONS + 1):
                        break
                time.sleep(0.05)
            sender = f"user-{k}-{uuid.uuid4().hex[:8]}"
            for question in QUESTIONS:
                try:
                    resp = requests.post(url, json={"sender": sender, "message": question}, timeout=60)
                    reply = "\n".join(m.get("text", "") for m in resp.json()) if resp.status_code == 200 else ""
                    if resp.status_code != 200 or not reply.strip() or CITATION not in reply:
                        user_problems.append(f"{sender} {question!r} → {resp.status_code} {resp.text[:300]!r}")
                    else:
                        user_answers.append((sender, question, reply))
                except Exception as err:  # any failure is a finding, reported below
                    user_problems.append(f"{sender} {question!r} → {err!r}")

    def run(case: Case):
        nonlocal done
        result = send(url, case)
        with done_lock:
            done += 1
        return result

    servers.wait(timeout=120)  # a test before may have stopped a server on purpose: start healthy
    restarts_before = dict(servers.restarts)  # and count only the restarts this run causes
    pids_before = {name: proc.pid for name, proc in servers.procs.items()}
    started = time.monotonic()
    users = threading.Thread(target=user_conversations, name="users", daemon=True)
    users.start()
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        results = list(pool.map(run, cases))
    users.join(timeout=180)
    elapsed = time.monotonic() - started

    statuses = Counter(str(status) for status, _, _ in results)
    service = Counter(kind for status, content, _ in results if status == 200 for kind in service_replies(content))
    problems = [problem for _, _, problem in results if problem]
    with capsys.disabled():
        print(f"\nfuzz: {len(results)} requests in {elapsed:.0f}s (seed {SEED}, {WORKERS} workers), "
              f"status {dict(sorted(statuses.items()))}, service replies {dict(sorted(service.items()))}, "
              f"{len(problems)} problems; "
              f"users: {len(user_answers)}/{CONVERSATIONS * len(QUESTIONS)} answered with the citation")

    # both servers still answer, and none had to be restarted
    assert requests.get(f"{servers.rasa_url}/webhooks/rest/", timeout=10).status_code == 200
    assert requests.get(f"{servers.actions_url}/health", timeout=10).status_code == 200
    assert servers.restarts == restarts_before
    assert {name: proc.pid for name, proc in servers.procs.items()} == pids_before  # the same processes
    assert all(proc.poll() is None for proc in servers.procs.values())
    # the users chatting meanwhile got their answers
    assert not users.is_alive(), "the user conversations did not finish"
    assert not user_problems, "\n".join(user_problems)
    assert len(user_answers) == CONVERSATIONS * len(QUESTIONS)
    # and every fuzz request got a well-formed answer
    assert not problems, f"{len(problems)} bad answers:\n" + report(cases, results)

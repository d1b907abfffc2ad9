"""Send a question set (and its conversations) to a running assistant over REST and score the replies.

    python tests/e2e/ask.py --url http://localhost:5005                 # development set
    python tests/e2e/ask.py --url http://localhost:5005 --set sealed    # the sealed set
    python tests/e2e/ask.py --url http://localhost:5005 --dir DIR       # a set of your own (DIR/questions.yml, conversations.yml)

Each question lists facts its reply must contain (a string, or a list of alternatives) and must
not contain (a list inside must_not_contain = fail if any of them appears). Besides, every reply
outside small talk must cite the notice or say honestly that it cannot answer (point to 12333).
Conversations are scored on their last reply (and `all_replies_must_not_contain` on every reply).
Every reply must be non-empty and must not repeat a message. Prints pass rates per topic and
style, the failures, and exits 1 below --min.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
import zlib
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import yaml

HERE = Path(__file__).resolve().parent
SETS = {"dev": HERE, "sealed": HERE.parent / "sealed"}
QUESTIONS = HERE / "questions.yml"
CITATION = "依据：京人社事业字〔2024〕96号"
HONEST = "12333"


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    for q in questions:
        if "text_repeat" in q:
            q["text"] = q["text_repeat"]["unit"] * q["text_repeat"]["times"]
    return questions


def load_conversations(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["conversations"]


def client_of(sender: str) -> str:
    """A distinct client address per conversation (sent as X-Real-IP, as the reverse proxy does)."""
    n = zlib.crc32(sender.encode())
    return f"10.{n % 250}.{(n >> 8) % 250}.{(n >> 16) % 250}"


def ask_messages(url: str, text: str, sender: str, timeout: float = 30, client: str | None = None) -> list[str]:
    """The texts of the bot's messages for one user message."""
    headers = {"X-Real-IP": client or client_of(sender)}
    resp = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout,
                         headers=headers)
    resp.raise_for_status()
    return [m["text"] for m in resp.json() if m.get("text")]


def ask(url: str, text: str, sender: str, timeout: float = 30, client: str | None = None) -> str:
    return "\n".join(ask_messages(url, text, sender, timeout, client))


def _clause_ids() -> set[str]:
    notice = yaml.safe_load((HERE.parents[1] / "knowledge" / "notice.yml").read_text(encoding="utf-8"))
    return {c["id"] for c in notice["clauses"]}


CLAUSE_IDS = _clause_ids()


def cited(reply: str) -> set[str]:
    """The clause ids of the reply's citation lines (`依据：京人社事业字〔2024〕96号 A、B`)."""
    out: set[str] = set()
    for line in reply.splitlines():
        if line.startswith(CITATION):
            out |= {c.strip() for c in line[len(CITATION):].split("、") if c.strip()}
    return out


def _present(option: str, reply: str, clauses: set[str]) -> bool:
    # a clause id must be cited as such: "一" does not count as present because "一第4段" is
    return option in clauses if option in CLAUSE_IDS else option in reply


def shape_problems(messages: list[str]) -> list[str]:
    """An empty reply, or one that says the same thing twice."""
    problems = []
    if not any(m.strip() for m in messages):
        problems.append("空回复")
    repeated = {m for m in messages if messages.count(m) > 1}
    if repeated:
        problems.append(f"同一回复里重复了 {len(repeated)} 条消息")
    return problems


def shape_failures(results: list[dict]) -> list[str]:
    """The empty or repeated replies among scored results (they fail whatever the pass rate)."""
    return [f"{r['id']}: {p}" for r in results for p in r["problems"] if "空回复" in p or "重复" in p]


def check(q: dict, reply: str, *, topic: str | None = None) -> list[str]:
    problems = []
    clauses = cited(reply)
    for item in q.get("must_contain") or []:
        options = item if isinstance(item, list) else [item]
        if not any(_present(o, reply, clauses) for o in options):
            problems.append(f"缺少 {' / '.join(options)}")
    for item in q.get("must_not_contain") or []:
        for option in item if isinstance(item, list) else [item]:
            if _present(option, reply, clauses):
                problems.append(f"不应出现 {option}")
    if (topic or q.get("topic")) != "闲聊" and CITATION not in reply and HONEST not in reply:
        problems.append("既没有引用条款，也没有说明无法回答")
    if "Traceback" in reply or "<script" in reply.lower():
        problems.append("回复含有堆栈或脚本")
    return problems


def run(url: str, questions: list[dict], workers: int = 4) -> list[dict]:
    run_id = uuid.uuid4().hex[:8]

    def one(q: dict) -> dict:
        started = time.perf_counter()
        try:
            messages = ask_messages(url, q["text"], f"e2e-{run_id}-{q['id']}")
            reply = "\n".join(messages)
            problems = shape_problems(messages) + check(q, reply)
        except requests.RequestException as exc:
            reply, problems = "", [f"请求失败: {exc}"]
        return {"id": q["id"], "topic": q.get("topic"), "style": q.get("style"), "text": q["text"][:80],
                "reply": reply, "problems": problems, "seconds": time.perf_counter() - started}

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, questions))


def run_conversations(url: str, conversations: list[dict], workers: int = 4) -> list[dict]:
    run_id = uuid.uuid4().hex[:8]

    def one(c: dict) -> dict:
        sender = f"conv-{run_id}-{c['id']}"
        replies: list[str] = []
        problems: list[str] = []
        try:
            for turn in c["turns"]:
                messages = ask_messages(url, turn, sender)
                problems += [f"第{len(replies) + 1}轮{p}" for p in shape_problems(messages)]
                replies.append("\n".join(messages))
        except requests.RequestException as exc:
            problems.append(f"请求失败: {exc}")
        last = replies[-1] if replies else ""
        problems += check(c, last, topic=c.get("topic", "对话"))
        for item in c.get("all_replies_must_not_contain") or []:
            if any(item in r for r in replies):
                problems.append(f"某轮回复不应出现 {item}")
        return {"id": c["id"], "topic": c.get("persona") or c.get("topic") or "对话", "style": "conversation",
                "text": " → ".join(c["turns"])[:80], "reply": last, "replies": replies, "problems": problems}

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, conversations))


def summary(results: list[dict]) -> dict:
    def rates(key):
        groups = defaultdict(list)
        for r in results:
            groups[r[key]].append(not r["problems"])
        return {k: (sum(v), len(v)) for k, v in sorted(groups.items(), key=lambda kv: str(kv[0]))}
    passed = sum(not r["problems"] for r in results)
    return {"passed": passed, "total": len(results), "rate": passed / len(results) if results else 0.0,
            "by_topic": rates("topic"), "by_style": rates("style")}


def report(results: list[dict], out=None, title: str = "端到端问题集", breakdown: bool = True) -> dict:
    out = out or sys.stdout  # looked up now: pytest swaps sys.stdout while capturing
    s = summary(results)
    print(f"\n{title}：{s['passed']}/{s['total']} 通过（{s['rate']:.1%}）", file=out)
    if breakdown:
        for label, key in (("按主题", "by_topic"), ("按风格", "by_style")):
            print(f"{label}：", file=out)
            for k, (ok, n) in s[key].items():
                print(f"  {k:<8} {ok:>3}/{n:<3} {ok / n:.0%}", file=out)
    failures = [r for r in results if r["problems"]]
    if failures:
        print("未通过：", file=out)
        for r in failures:
            print(f"  {r['id']} [{r['topic']}/{r['style']}] {r['text']!r}\n      {'；'.join(r['problems'])}\n"
                  f"      回复：{r['reply'][:160]!r}", file=out)
    return s


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", default="http://localhost:5005")
    p.add_argument("--set", choices=sorted(SETS), default="dev")
    p.add_argument("--dir", type=Path, help="a question set's folder instead of --set (e.g. a fresh held-out set)")
    p.add_argument("--min", type=float, default=0.9)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--json", type=Path, help="write every result to this file")
    args = p.parse_args(argv)
    folder = args.dir or SETS[args.set]
    results = run(args.url, load_questions(folder / "questions.yml"), args.workers)
    s = report(results, title=f"{args.set} 单轮问题")
    conv = run_conversations(args.url, load_conversations(folder / "conversations.yml"), args.workers)
    c = report(conv, title=f"{args.set} 多轮对话", breakdown=False)
    if args.json:
        args.json.write_text(json.dumps({"questions": s, "conversations": c, "results": results + conv},
                                        ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if s["rate"] >= args.min and c["rate"] >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())

"""Send the end-to-end question set to a running assistant over REST and score the replies.

    python tests/e2e/ask.py --url http://localhost:5005 [--min 0.9] [--workers 4]

Each question lists facts its reply must contain (a string, or a list of alternatives) and
must not contain. Besides, every reply outside small talk must cite the notice or say
honestly that it cannot answer (point to 12333). Prints pass rates per topic and style,
the failures, and exits 1 below --min.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import yaml

QUESTIONS = Path(__file__).with_name("questions.yml")
CITATION = "依据：京人社事业字〔2024〕96号"
HONEST = "12333"


def load_questions(path: Path = QUESTIONS) -> list[dict]:
    questions = yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]
    for q in questions:
        if "text_repeat" in q:
            q["text"] = q["text_repeat"]["unit"] * q["text_repeat"]["times"]
    return questions


def ask(url: str, text: str, sender: str, timeout: float = 30, client: str | None = None) -> str:
    """The bot's reply text; `client` is sent as X-Real-IP, as the reverse proxy would."""
    headers = {"X-Real-IP": client} if client else None
    resp = requests.post(f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text}, timeout=timeout,
                         headers=headers)
    resp.raise_for_status()
    return "\n".join(m.get("text", "") for m in resp.json())


def _clause_ids() -> set[str]:
    notice = yaml.safe_load((Path(__file__).resolve().parents[2] / "knowledge" / "notice.yml").read_text(encoding="utf-8"))
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


def check(q: dict, reply: str) -> list[str]:
    problems = []
    clauses = cited(reply)
    for item in q.get("must_contain") or []:
        options = item if isinstance(item, list) else [item]
        if not any(_present(o, reply, clauses) for o in options):
            problems.append(f"缺少 {' / '.join(options)}")
    for item in q.get("must_not_contain") or []:
        if _present(item, reply, clauses):
            problems.append(f"不应出现 {item}")
    if q.get("topic") != "闲聊" and CITATION not in reply and HONEST not in reply:
        problems.append("既没有引用条款，也没有说明无法回答")
    if "Traceback" in reply or "<script" in reply.lower():
        problems.append("回复含有堆栈或脚本")
    return problems


def run(url: str, questions: list[dict], workers: int = 4) -> list[dict]:
    run_id = uuid.uuid4().hex[:8]

    def one(q: dict) -> dict:
        started = time.perf_counter()
        try:
            reply = ask(url, q["text"], f"e2e-{run_id}-{q['id']}")
            problems = check(q, reply)
        except requests.RequestException as exc:
            reply, problems = "", [f"请求失败: {exc}"]
        return {"id": q["id"], "topic": q.get("topic"), "style": q.get("style"), "text": q["text"][:80],
                "reply": reply, "problems": problems, "seconds": time.perf_counter() - started}

    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(one, questions))


def summary(results: list[dict]) -> dict:
    def rates(key):
        groups = defaultdict(list)
        for r in results:
            groups[r[key]].append(not r["problems"])
        return {k: (sum(v), len(v)) for k, v in sorted(groups.items(), key=lambda kv: str(kv[0]))}
    passed = sum(not r["problems"] for r in results)
    return {"passed": passed, "total": len(results), "rate": passed / len(results) if results else 0.0,
            "by_topic": rates("topic"), "by_style": rates("style")}


def report(results: list[dict], out=None) -> dict:
    out = out or sys.stdout  # looked up now: pytest swaps sys.stdout while capturing
    s = summary(results)
    print(f"\n端到端问题集：{s['passed']}/{s['total']} 通过（{s['rate']:.1%}）", file=out)
    for title, key in (("按主题", "by_topic"), ("按风格", "by_style")):
        print(f"{title}：", file=out)
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
    p.add_argument("--min", type=float, default=0.9)
    p.add_argument("--workers", type=int, default=4)
    p.add_argument("--json", type=Path, help="write every result to this file")
    args = p.parse_args(argv)
    results = run(args.url, load_questions(), args.workers)
    s = report(results)
    if args.json:
        args.json.write_text(json.dumps({"summary": s, "results": results}, ensure_ascii=False, indent=1),
                             encoding="utf-8")
    return 0 if s["rate"] >= args.min else 1


if __name__ == "__main__":
    sys.exit(main())

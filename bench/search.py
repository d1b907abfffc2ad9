"""Agent console search latency, server-side: what GET /agent/api/search does per keystroke
(a database session, normalisation, BM25 over the FAQ and the clauses, the answers rendered as
the bot renders them), timed in-process on a private database loaded from knowledge/.

    python bench/search.py [--rounds 5] [--json var/bench-search.json]

Queries: every FAQ question, its keywords typed as an agent would (2–3 words), traditional
characters, and every prefix of a few queries (results as you type). Goal: p95 ≤ 10 ms.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GOAL_MS = 10.0


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def queries(knowledge) -> list[str]:
    from opencc import OpenCC
    to_traditional = OpenCC("s2t")
    out = []
    for entry in knowledge.faq:
        out.append(entry["question"])
        words = entry.get("keywords", [])[:3]
        if words:
            out.append(" ".join(words))
            out.append(to_traditional.convert(" ".join(words)))
    for typed in ("委托函 央企 二级", "公务员 评职称", "初级 工程师 海淀", "证书 下载", "缴费 时间"):
        out += [typed[:i] for i in range(1, len(typed) + 1)]
    return out


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--json", type=Path, default=ROOT / "var" / "bench-search.json")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="zc-bench-search-") as tmp:
        os.environ.update({"DATABASE_URL": f"sqlite:///{Path(tmp) / 'zhicheng.db'}", "ZHICHENG_VAR_DIR": tmp})
        from bot import cli
        from bot.db import session_factory
        from bot.kb.loader import read_knowledge
        from bot.staff import console
        with open(os.devnull, "w") as quiet:
            stdout, sys.stdout = sys.stdout, quiet
            try:
                assert cli.main(["kb", "load"]) == 0
            finally:
                sys.stdout = stdout
        texts = queries(read_knowledge(ROOT / "knowledge"))
        db = session_factory()
        today = dt.date(2024, 7, 10)
        for text in texts:  # warm-up: indexes built, jieba loaded
            with db() as s:
                console.search(session=s, query=text, today=today)
        times, empty = [], 0
        for _ in range(args.rounds):
            for text in texts:
                started = time.perf_counter()
                with db() as s:  # as the route does: one session per request
                    found = console.search(session=s, query=text, today=today)
                times.append((time.perf_counter() - started) * 1000)
                empty += not found["faq"]
    result = {
        "queries": len(times), "distinct": len(texts), "without_faq_hit": empty // args.rounds,
        "p50_ms": round(statistics.median(times), 2), "p95_ms": round(percentile(times, 0.95), 2),
        "p99_ms": round(percentile(times, 0.99), 2), "max_ms": round(max(times), 2), "goal_p95_ms": GOAL_MS,
    }
    result["ok"] = result["p95_ms"] <= GOAL_MS
    print(json.dumps({"console_search": result}, ensure_ascii=False, indent=2))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())

"""Benchmarks: the project (single and scale mode) against a vanilla Rasa 3.6 Chinese bot.

    python bench/bench.py                       # everything below, then the targets (make bench)
    python bench/bench.py --only project        # project single mode only (no PostgreSQL/Redis)
    python bench/bench.py --nlu-cv 3            # + `rasa test nlu` 3-fold cross-validation intent F1
    python bench/bench.py --port-base 17400     # ports: +5/+55 single, +105/+106../+155 scale, +205 vanilla

For each system: train time (`rasa train --force` into a scratch folder), cold start (start to
every server healthy), CPU per message (user + system time of all its server processes over
the 10-user run, divided by the messages), and throughput and p95 latency at 1, 10 and 50
users. Load is closed-loop: each user sends a message, waits for the reply, sends the next; a
user takes a fresh sender id every 5 messages. Messages are the development question set
(questions, terse keywords, traditional characters, typos, small talk, bad input), cycled.

- project: `zhicheng run`'s servers (models/zhicheng.tar.gz, SQLite, one action worker);
- project-scale: `zhicheng run --scale` (2 Rasa workers behind nginx, RedisLockStore, PostgreSQL
  database zhicheng_bench, 2 action workers);
- vanilla: Rasa's default config for Chinese (JiebaTokenizer, RegexFeaturizer,
  LexicalSyntacticFeaturizer, CountVectors word + char_wb 1-4, DIET 100 epochs,
  EntitySynonymMapper, ResponseSelector, FallbackClassifier; Memoization, Rule, UnexpecTED and
  TED policies), trained on the project's data/nlu with one canned response per intent,
  in-memory tracker store, no action server. Built under var/bench/vanilla at bench time and
  trained there (`rasa train --force`) unless the model of the very same files is there already:
  then its train time is the one measured when it was trained, marked "cached"; --fresh retrains.

The machine is shared: every figure carries the 1-minute load average when it was taken.
Results also go to var/bench.json.
"""
# The parts, beside this file: loadgen.py (closed-loop load and measurement), project_servers.py
# (the project's servers), vanilla_bot.py (the vanilla bot), results.py (the table and the targets).
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from loadgen import load, timed_train  # noqa: E402
from project_servers import project_scale, project_single  # noqa: E402
from results import table, targets  # noqa: E402
from vanilla_bot import vanilla  # noqa: E402

from bot.runner import BIN  # noqa: E402


def nlu_cross_validation(folds: int, out: Path) -> dict:
    started = time.perf_counter()
    subprocess.run([str(BIN / "rasa"), "test", "nlu", "--nlu", "data/nlu", "--config", "config.yml",
                    "--cross-validation", "--folds", str(folds), "--out", str(out)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    return {"folds": folds, "intent_f1_weighted": round(report["weighted avg"]["f1-score"], 4),
            "accuracy": round(report.get("accuracy", 0.0), 4), "seconds": round(time.perf_counter() - started, 1)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=300, help="messages per load level")
    p.add_argument("--only", choices=("project", "project_scale", "vanilla"), action="append")
    p.add_argument("--no-train", action="store_true", help="skip timing the project's rasa train --force")
    p.add_argument("--fresh", action="store_true", help="retrain the vanilla bot even if unchanged")
    p.add_argument("--port-base", type=int, default=16000)
    p.add_argument("--nlu-cv", type=int, default=0, metavar="FOLDS")
    p.add_argument("--json", type=Path, default=ROOT / "var" / "bench.json")
    args = p.parse_args(argv)
    wanted = args.only or ["project", "project_scale", "vanilla"]
    results: dict = {"started": time.strftime("%Y-%m-%d %H:%M:%S"), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        if "project" in wanted:
            results["project"] = {}
            if not args.no_train:
                print("== project: rasa train --force (scratch folder)", flush=True)
                results["project"].update(timed_train(ROOT, tmp / "models"))
                print(f"    train {results['project']}", flush=True)
            results["project"].update(project_single(args.port_base, args.messages, tmp))
        if "project_scale" in wanted:
            results["project_scale"] = project_scale(args.port_base, args.messages, tmp)
        if "vanilla" in wanted:
            results["vanilla"] = vanilla(args.port_base + 205, args.messages, args.fresh)
        if args.nlu_cv:
            results["nlu_cross_validation"] = nlu_cross_validation(args.nlu_cv, tmp / "cv")
    print("\n" + table(results))
    print("\ntargets:\n" + "\n".join(targets(results)))
    print(f"\nload average now {load()} on {os.cpu_count()} CPUs; results in {args.json}")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmarks: cold start, reply latency and throughput over REST, intent F1, train time.

    python bench/bench.py                  # latency/throughput at concurrency 1 and 10, cold start
    python bench/bench.py --nlu-cv 3       # + `rasa test nlu` 3-fold cross-validation intent F1
    python bench/bench.py --train          # + a forced `rasa train` timed into a scratch folder

The servers are started by the script on their own ports with a private database, from the
trained model in models/ (`make model`). Messages are a realistic mix: the end-to-end question
set (questions, terse keywords, traditional, typos, small talk, bad input), cycled.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.runner import BIN, Servers  # noqa: E402
from tests.e2e.ask import load_questions  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def load_test(url: str, texts: list[str], concurrency: int, total: int) -> dict:
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=concurrency, pool_maxsize=concurrency)
    session.mount("http://", adapter)
    latencies: list[float] = []
    errors = 0

    def one(i: int) -> None:
        nonlocal errors
        text = texts[i % len(texts)]
        started = time.perf_counter()
        try:
            r = session.post(f"{url}/webhooks/rest/webhook", json={"sender": f"bench-{uuid.uuid4().hex[:6]}-{i % 50}",
                                                                    "message": text}, timeout=60)
            r.raise_for_status()
        except requests.RequestException:
            errors += 1
        latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(one, range(total)))
    wall = time.perf_counter() - started
    return {"concurrency": concurrency, "messages": total, "errors": errors,
            "p50_ms": round(percentile(latencies, 0.5) * 1000, 1), "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
            "mean_ms": round(statistics.mean(latencies) * 1000, 1), "msgs_per_s": round(total / wall, 1)}


def classifier_only_config(out: Path) -> Path:
    """config.yml without the FallbackClassifier: scores the intent classifier itself, not the
    threshold below which the bot asks "您是不是想问" (such predictions count as errors otherwise)."""
    config = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    config["pipeline"] = [c for c in config["pipeline"] if c["name"] != "FallbackClassifier"]
    path = out / "config-classifier-only.yml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return path


def nlu_cross_validation(folds: int, out: Path, config: Path = ROOT / "config.yml") -> dict:
    started = time.perf_counter()
    subprocess.run([str(BIN / "rasa"), "test", "nlu", "--nlu", "data/nlu", "--config", str(config),
                    "--cross-validation", "--folds", str(folds), "--out", str(out)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    return {"folds": folds, "intent_f1_weighted": round(report["weighted avg"]["f1-score"], 4),
            "intent_f1_macro": round(report["macro avg"]["f1-score"], 4),
            "accuracy": round(report.get("accuracy", 0.0), 4), "seconds": round(time.perf_counter() - started, 1),
            "weakest_intents": weakest(report)}


def weakest(report: dict, n: int = 8) -> dict:
    """The intents with the lowest F1: where more or clearer training examples are needed."""
    per_intent = {k: v for k, v in report.items() if isinstance(v, dict) and "f1-score" in v and k not in (
        "macro avg", "weighted avg", "micro avg")}
    return {k: round(v["f1-score"], 3) for k, v in sorted(per_intent.items(), key=lambda kv: kv[1]["f1-score"])[:n]}


def train_time(out: Path) -> dict:
    started = time.perf_counter()
    subprocess.run([str(BIN / "rasa"), "train", "--force", "--out", str(out)], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"train_seconds": round(time.perf_counter() - started, 1)}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--messages", type=int, default=300, help="messages per concurrency level")
    p.add_argument("--nlu-cv", type=int, default=0, metavar="FOLDS")
    p.add_argument("--no-classifier-only", action="store_true",
                   help="cross-validate the full pipeline only (each run is 3 trainings)")
    p.add_argument("--train", action="store_true")
    p.add_argument("--no-rest", action="store_true", help="skip the servers and the REST load test")
    p.add_argument("--json", type=Path, default=ROOT / "var" / "bench.json")
    args = p.parse_args(argv)

    results: dict = {}
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        env = {"DATABASE_URL": f"sqlite:///{tmp / 'zhicheng.db'}", "ZHICHENG_VAR_DIR": str(tmp)}
        os.environ.update(env)
        from bot import cli
        assert cli.main(["kb", "load"]) == 0
        endpoints = tmp / "endpoints.yml"
        endpoints.write_text(yaml.safe_dump({"action_endpoint": {"url": "http://localhost:16055/webhook"},
                                             "tracker_store": {"type": "SQL", "dialect": "sqlite",
                                                               "db": str(tmp / "tracker.db")}}), encoding="utf-8")
        if args.no_rest:
            srv = None
        else:
            srv = Servers(rasa_port=16005, actions_port=16055, web_port=None, endpoints=endpoints,
                          model=ROOT / "models" / "zhicheng.tar.gz", env=env, log_dir=tmp / "logs")
        if srv is not None:
            started = time.perf_counter()
            try:
                srv.start(timeout=300)
                results["cold_start_seconds"] = round(time.perf_counter() - started, 1)
                texts = [q["text"] for q in load_questions()]
                load_test(srv.rasa_url, texts, 2, 20)  # warm-up
                results["rest"] = [load_test(srv.rasa_url, texts, c, args.messages) for c in (1, 10)]
            finally:
                srv.stop()
        if args.nlu_cv:
            results["nlu_cross_validation"] = nlu_cross_validation(args.nlu_cv, tmp / "cv")
            if not args.no_classifier_only:
                results["nlu_cross_validation_classifier_only"] = nlu_cross_validation(
                    args.nlu_cv, tmp / "cv-raw", classifier_only_config(tmp))
        if args.train:
            results.update(train_time(tmp / "models"))
    print(json.dumps(results, ensure_ascii=False, indent=2))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

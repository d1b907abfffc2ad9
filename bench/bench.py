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
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import requests
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.runner import BIN, Servers  # noqa: E402
from tests.e2e.ask import load_questions  # noqa: E402

TARGETS = {"train_s": 120, "cold_start_s": 12, "cpu_ms": 15, "ratio_10": 1.5, "p95_10_ms": 150}
USERS = (1, 10, 50)
CLK = os.sysconf("SC_CLK_TCK")


def load() -> float:
    return round(os.getloadavg()[0], 2)


def texts() -> list[str]:
    return [q["text"] for q in load_questions()]


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def group_cpu_seconds(pgids) -> float:
    """user + system CPU seconds of every live process in these process groups."""
    wanted, total = set(pgids), 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fields = open(f"/proc/{entry}/stat", encoding="ascii", errors="replace").read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) in wanted:  # pgrp
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / CLK


def closed_loop(url: str, messages: list[str], users: int, total: int) -> dict:
    """`users` users, each sending and waiting for the reply, until `total` messages are answered."""
    run = uuid.uuid4().hex[:6]
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))
    lock = threading.Lock()

    def user(u: int) -> None:
        nonlocal errors
        session = requests.Session()
        sent = 0
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                return
            started = time.perf_counter()
            try:
                r = session.post(f"{url}/webhooks/rest/webhook", timeout=60,
                                 json={"sender": f"bench-{run}-{u}-{sent // 5}", "message": messages[i % len(messages)]})
                r.raise_for_status()
                ok = isinstance(r.json(), list) and len(r.json()) > 0
            except (requests.RequestException, ValueError):
                ok = False
            elapsed = time.perf_counter() - started
            with lock:
                latencies.append(elapsed)
                errors += not ok
            sent += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=user, args=(u,)) for u in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {"users": users, "messages": total, "errors": errors, "msgs_per_s": round(total / wall, 1),
            "p50_ms": round(percentile(latencies, 0.5) * 1000, 1), "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
            "mean_ms": round(statistics.mean(latencies) * 1000, 1), "load": load()}


def measure(url: str, pgids: list[int], messages_per_level: int) -> dict:
    msgs = texts()
    closed_loop(url, msgs, 4, 40)  # warm-up: every worker has loaded what it loads lazily
    out: dict = {"rest": []}
    for users in USERS:
        cpu0 = group_cpu_seconds(pgids)
        result = closed_loop(url, msgs, users, messages_per_level)
        result["cpu_ms_per_msg"] = round((group_cpu_seconds(pgids) - cpu0) * 1000 / messages_per_level, 1)
        out["rest"].append(result)
        print(f"    {users:>2} users: {result}", flush=True)
    out["cpu_ms_per_msg"] = next(r["cpu_ms_per_msg"] for r in out["rest"] if r["users"] == 10)
    return out


def timed_train(cwd: Path, out: Path, force: bool = True) -> dict:
    started, load_before = time.perf_counter(), load()
    cmd = [str(BIN / "rasa"), "train", "--out", str(out)] + (["--force"] if force else [])
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"train_s": round(time.perf_counter() - started, 1), "load": max(load_before, load())}


def private_env(tmp: Path) -> tuple[dict, Path]:
    """A private SQLite database holding the knowledge base, and an endpoints file for it."""
    env = {"DATABASE_URL": f"sqlite:///{tmp / 'zhicheng.db'}", "ZHICHENG_VAR_DIR": str(tmp)}
    os.environ.update(env)
    from bot import cli
    assert cli.main(["kb", "load"]) == 0
    endpoints = tmp / "endpoints.yml"
    from bot.trackerstore import STORE_CLASS
    endpoints.write_text(yaml.safe_dump({"tracker_store": {"type": STORE_CLASS, "dialect": "sqlite",
                                                           "db": str(tmp / "tracker.db")}}), encoding="utf-8")
    return env, endpoints


def run_servers(srv, label: str, messages: int) -> dict:
    print(f"== {label}", flush=True)
    started = time.perf_counter()
    try:
        srv.start(timeout=300)
        result = {"cold_start_s": round(time.perf_counter() - started, 1), "cold_start_load": load()}
        print(f"    cold start {result['cold_start_s']} s (load {result['cold_start_load']})", flush=True)
        pgids = [p.pid for p in srv.procs.values()]
        result.update(measure(srv.rasa_url, pgids, messages))
        return result
    finally:
        srv.stop()


# -- the vanilla bot --------------------------------------------------------------------------
VANILLA_CONFIG = """recipe: default.v1
language: zh
assistant_id: vanilla-zh
pipeline:
  - name: JiebaTokenizer
  - name: RegexFeaturizer
  - name: LexicalSyntacticFeaturizer
  - name: CountVectorsFeaturizer
  - name: CountVectorsFeaturizer
    analyzer: char_wb
    min_ngram: 1
    max_ngram: 4
  - name: DIETClassifier
    epochs: 100
    constrain_similarities: true
  - name: EntitySynonymMapper
  - name: ResponseSelector
    epochs: 100
    constrain_similarities: true
  - name: FallbackClassifier
    threshold: 0.3
    ambiguity_threshold: 0.1
policies:
  - name: MemoizationPolicy
  - name: RulePolicy
  - name: UnexpecTEDIntentPolicy
    max_history: 5
    epochs: 100
  - name: TEDPolicy
    max_history: 5
    epochs: 100
    constrain_similarities: true
"""


def build_vanilla(project: Path) -> None:
    """Rasa's default Chinese bot on the project's NLU data: one canned reply per intent."""
    from rasa.shared.nlu.training_data.loading import load_data
    data = load_data(str(ROOT / "data" / "nlu"))
    intents = sorted(data.intents)
    shutil.rmtree(project / "data", ignore_errors=True)
    (project / "data").mkdir(parents=True)
    shutil.copytree(ROOT / "data" / "nlu", project / "data" / "nlu")
    (project / "config.yml").write_text(VANILLA_CONFIG, encoding="utf-8")
    domain = {"version": "3.1", "intents": intents, "entities": sorted(data.entities),
              "responses": {f"utter_{i}": [{"text": f"（{i}）"}] for i in intents} | {
                  "utter_default": [{"text": "抱歉，我没听懂。"}]},
              "session_config": {"session_expiration_time": 60, "carry_over_slots_to_new_session": True}}
    (project / "domain.yml").write_text(yaml.safe_dump(domain, allow_unicode=True), encoding="utf-8")
    rules = [{"rule": f"answer {i}", "steps": [{"intent": i}, {"action": f"utter_{i}"}]} for i in intents]
    rules.append({"rule": "fallback", "steps": [{"intent": "nlu_fallback"}, {"action": "utter_default"}]})
    stories = [{"story": f"ask {i}", "steps": [{"intent": i}, {"action": f"utter_{i}"}]} for i in intents]
    (project / "data" / "rules.yml").write_text(yaml.safe_dump({"version": "3.1", "rules": rules}, allow_unicode=True),
                                                encoding="utf-8")
    (project / "data" / "stories.yml").write_text(
        yaml.safe_dump({"version": "3.1", "stories": stories}, allow_unicode=True), encoding="utf-8")


class VanillaServer:
    """`rasa run` of the vanilla bot, shaped like Servers for run_servers()."""

    def __init__(self, project: Path, port: int, log: Path) -> None:
        self.project, self.port, self.log, self.procs = project, port, log, {}
        self.rasa_url = f"http://127.0.0.1:{port}"

    def start(self, timeout: float) -> None:
        from bot.runner import healthy
        self.procs["rasa"] = subprocess.Popen(
            [str(BIN / "rasa"), "run", "--interface", "127.0.0.1", "--port", str(self.port), "--model",
             str(self.project / "models")], cwd=self.project, stdout=open(self.log, "ab"), stderr=subprocess.STDOUT,
            start_new_session=True, env={**os.environ, "RASA_TELEMETRY_ENABLED": "false"})
        deadline = time.monotonic() + timeout
        while not healthy(f"{self.rasa_url}/webhooks/rest/"):
            if self.procs["rasa"].poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"vanilla Rasa did not start: see {self.log}")
            time.sleep(0.3)

    def stop(self) -> None:
        import signal
        for p in self.procs.values():
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGTERM)
                try:
                    p.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()


def fingerprint(project: Path) -> str:
    import hashlib
    digest = hashlib.sha256()
    for path in sorted([project / "config.yml", project / "domain.yml", *(project / "data").rglob("*.yml")]):
        digest.update(str(path.relative_to(project)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def vanilla(port: int, messages: int, fresh: bool) -> dict:
    project = ROOT / "var" / "bench" / "vanilla"
    project.mkdir(parents=True, exist_ok=True)
    build_vanilla(project)
    stamp, current = project / "train.json", fingerprint(project)
    known = json.loads(stamp.read_text(encoding="utf-8")) if stamp.exists() else {}
    models = sorted((project / "models").glob("*.tar.gz")) if (project / "models").exists() else []
    if fresh or not models or known.get("fingerprint") != current:
        print("== vanilla: rasa train --force (about 5 min on 2 idle cores)", flush=True)
        shutil.rmtree(project / "models", ignore_errors=True)
        result = timed_train(project, project / "models")
        stamp.write_text(json.dumps({**result, "fingerprint": current}), encoding="utf-8")
    else:  # the model of these very files, and the time its training took
        result = {"train_s": known["train_s"], "load": known["load"], "cached": True}
    print(f"    train {result}", flush=True)
    result.update(run_servers(VanillaServer(project, port, project / "rasa.log"), "vanilla", messages))
    return result


# -- the project ------------------------------------------------------------------------------
def project_single(base: int, messages: int, tmp: Path) -> dict:
    env, endpoints = private_env(tmp)
    srv = Servers(rasa_port=base + 5, actions_port=base + 55, web_port=None, endpoints=endpoints,
                  model=ROOT / "models" / "zhicheng.tar.gz", env=env, log_dir=tmp / "logs")
    return run_servers(srv, "project (single)", messages)


def scale_servers(base: int, tmp: Path):
    """`zhicheng run --scale`'s servers on a fresh PostgreSQL database holding the knowledge base
    (ZHICHENG_BENCH_PG_URL) and a Redis key prefix of their own (ZHICHENG_BENCH_REDIS_URL), with
    ScaleServers' worker counts unless ZHICHENG_BENCH_RASA_WORKERS / ZHICHENG_BENCH_ACTION_WORKERS say; returns them and a function that removes their Redis keys."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from bot.advisor.directory_file import load_directory_file
    from bot.db import session_factory
    from bot.kb.loader import load, read_knowledge
    from bot.scale import ScaleServers

    url = os.environ.get("ZHICHENG_BENCH_PG_URL", "postgresql+psycopg2://postgres@127.0.0.1:5432/zhicheng_bench")
    u = make_url(url)
    admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT", future=True)
    with admin.connect() as conn:
        name = conn.dialect.identifier_preparer.quote(u.database)
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    with session_factory(url)() as s, s.begin():
        load(read_knowledge(ROOT / "knowledge"), session=s, source="bench")
        load_directory_file(ROOT / "knowledge" / "directory.yml", session=s)
    endpoints = tmp / "endpoints-scale.yml"
    endpoints.write_text("{}", encoding="utf-8")
    prefix = "zhichengbench" + uuid.uuid4().hex[:6]
    workers = {k: int(os.environ[v]) for k, v in (("rasa_workers", "ZHICHENG_BENCH_RASA_WORKERS"),
                                                  ("action_workers", "ZHICHENG_BENCH_ACTION_WORKERS")) if os.environ.get(v)}
    srv = ScaleServers(rasa_port=base + 105, actions_port=base + 155, web_port=None, endpoints=endpoints, **workers,
                       model=ROOT / "models" / "zhicheng.tar.gz", env={"ZHICHENG_VAR_DIR": str(tmp)},
                       log_dir=tmp / "scale-logs", database_url=url, redis_prefix=prefix,
                       redis_url=os.environ.get("ZHICHENG_BENCH_REDIS_URL", "redis://127.0.0.1:6379/10"))

    def cleanup() -> None:
        import redis
        r = redis.Redis.from_url(srv.redis_url)
        keys = list(r.scan_iter(f"{prefix}:*"))
        if keys:
            r.delete(*keys)

    return srv, cleanup


def project_scale(base: int, messages: int, tmp: Path) -> dict:
    srv, cleanup = scale_servers(base, tmp)
    try:
        return run_servers(srv, "project (scale: 2 Rasa workers + nginx, Redis, PostgreSQL, 2 action workers)",
                           messages)
    finally:
        cleanup()


def table(results: dict) -> str:
    systems = [s for s in ("project", "project_scale", "vanilla") if s in results]
    head = f"{'':24}" + "".join(f"{s:>30}" for s in systems)
    if "vanilla" in results:
        head += "".join(f"{s + '/vanilla':>24}" for s in systems if s != "vanilla")
    rows = [head]

    def fig(s, key):
        r = results[s]
        return r.get(key)

    def row(label, values, ratios=None):
        line = f"{label:24}" + "".join(f"{v:>30}" for v in values)
        if ratios:
            line += "".join(f"{r:>24}" for r in ratios)
        rows.append(line)

    def ratio(a, b):
        return f"{a / b:.2f}x" if a and b else "-"

    train = [f"{fig(s, 'train_s')} s (load {results[s].get('load')})" + (" cached" if results[s].get("cached") else "")
             if fig(s, "train_s") else "-" for s in systems]
    row("train (rasa train -f)", train)
    row("cold start", [f"{fig(s, 'cold_start_s')} s (load {fig(s, 'cold_start_load')})" for s in systems])
    row("CPU per message (10 u)", [f"{fig(s, 'cpu_ms_per_msg')} ms" for s in systems],
        [ratio(results[s]["cpu_ms_per_msg"], results["vanilla"]["cpu_ms_per_msg"])
         for s in systems if s != "vanilla"] if "vanilla" in results else None)
    for i, users in enumerate(USERS):
        vals = [f"{results[s]['rest'][i]['msgs_per_s']}/s p95 {results[s]['rest'][i]['p95_ms']:.0f} ms "
                f"(l {results[s]['rest'][i]['load']})" for s in systems]
        ratios = [f"{ratio(results[s]['rest'][i]['msgs_per_s'], results['vanilla']['rest'][i]['msgs_per_s'])} "
                  f"p95 {ratio(results[s]['rest'][i]['p95_ms'], results['vanilla']['rest'][i]['p95_ms'])}"
                  for s in systems if s != "vanilla"] if "vanilla" in results else None
        row(f"{users} users", vals, ratios)
    errors = {s: sum(r["errors"] for r in results[s]["rest"]) for s in systems}
    row("errors / empty replies", [str(errors[s]) for s in systems])
    return "\n".join(rows)


def targets(results: dict) -> list[str]:
    out = []

    def check(name, ok, text):
        out.append(f"  [{'OK' if ok else 'MISSED'}] {name}: {text}")

    p = results.get("project", {})
    if "train_s" in p:
        check("training ≤ 120 s", p["train_s"] <= TARGETS["train_s"], f"{p['train_s']} s (load {p['load']})")
    if "cold_start_s" in p:
        check("cold start ≤ 12 s", p["cold_start_s"] <= TARGETS["cold_start_s"],
              f"{p['cold_start_s']} s (load {p['cold_start_load']})")
        check("CPU per message ≤ 15 ms", p["cpu_ms_per_msg"] <= TARGETS["cpu_ms"], f"{p['cpu_ms_per_msg']} ms")
    s, v = results.get("project_scale"), results.get("vanilla")
    if s and v:
        s10, v10 = s["rest"][1], v["rest"][1]
        check("scale ≥ 1.5× vanilla throughput at 10 users", s10["msgs_per_s"] >= TARGETS["ratio_10"] * v10["msgs_per_s"],
              f"{s10['msgs_per_s']} vs {v10['msgs_per_s']} msg/s = {s10['msgs_per_s'] / v10['msgs_per_s']:.2f}×")
        check("scale p95 ≤ 150 ms at 10 users", s10["p95_ms"] <= TARGETS["p95_10_ms"], f"{s10['p95_ms']} ms")
    return out


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

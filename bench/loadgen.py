"""Load generation and measurement for bench/bench.py: the development question set as messages,
closed-loop users over the REST channel, latency percentiles, the CPU time of the servers'
process groups, timed training, and one system's run (start, cold start, load levels, stop)."""
from __future__ import annotations

import os
import statistics
import subprocess
import threading
import time
import uuid
from pathlib import Path

import requests

from bot.runner import BIN
from tests.e2e.ask import load_questions

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

"""Where a message's CPU goes: py-spy on a loaded Rasa server and action server.

    python bench/profile.py [--seconds 20] [--users 10] [--top 25] [--port-base 17200] [--scale]

Starts the servers (single mode, private database, models/zhicheng.tar.gz) on ports
port-base + 5 / + 55 (17205/17255 by default),
drives them with the bench's closed loop (a fresh sender every 5 messages), samples both with
`py-spy record --format raw` (py-spy 0.4.3 from the test extras; needs ptrace, i.e. root or
CAP_SYS_PTRACE) and prints, per server, the functions with the most CPU time per message
(inclusive, and self), from the samples that were not idle. With --scale: scale mode's servers
as bench/bench.py starts them (PostgreSQL ZHICHENG_BENCH_PG_URL, Redis ZHICHENG_BENCH_REDIS_URL;
ports port-base + 105 …), each Rasa worker and action server sampled with its processes.
"""
from __future__ import annotations

import argparse
import collections
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from loadgen import closed_loop, group_cpu_seconds, texts  # noqa: E402
from project_servers import private_env, scale_servers  # noqa: E402

from bot.runner import BIN, Servers  # noqa: E402

# leaf frames of a thread or event loop waiting for work (py-spy shows no native frames)
IDLE = ("serve (sanic/server/runners.py", "select (selectors.py", "run_forever (asyncio/base_events.py",
        "_run_once (asyncio/base_events.py", "wait (threading.py", "_worker (concurrent/futures/thread.py",
        "get (queue.py")


def summarise(raw: Path, messages: int, rate: int, top: int) -> list[str]:
    inclusive: collections.Counter = collections.Counter()
    own: collections.Counter = collections.Counter()
    busy = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [f for f in stack.split(";") if not f.startswith("process ") and not f.startswith("thread ")]
        if not frames or any(_short(frames[-1]).startswith(i) for i in IDLE):
            continue
        n = int(count)
        busy += n
        for f in set(frames):
            inclusive[_short(f)] += n
        own[_short(frames[-1])] += n
    ms = lambda n: n / rate * 1000 / max(messages, 1)  # noqa: E731
    out = [f"  busy samples: {busy} = {ms(busy):.1f} ms per message (sampled wall time on CPU)"]
    out.append("  inclusive ms/msg  function")
    out += [f"  {ms(n):8.2f}  {f}" for f, n in inclusive.most_common(top)]
    out.append("  self ms/msg  function")
    out += [f"  {ms(n):8.2f}  {f}" for f, n in own.most_common(top)]
    return out


def _short(frame: str) -> str:
    frame = frame.replace(str(ROOT) + "/", "")
    for marker in ("site-packages/", "python3.10/"):
        if marker in frame:
            head, _, tail = frame.partition("(")
            frame = f"{head}({tail.split(marker)[-1]}"
    return frame


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--users", type=int, default=10)
    p.add_argument("--top", type=int, default=25)
    p.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    p.add_argument("--port-base", type=int, default=17200, help="Rasa on port-base + 5, actions on + 55")
    p.add_argument("--keep", type=Path, help="copy py-spy's raw samples (<server>.txt) into this folder")
    p.add_argument("--scale", action="store_true", help="scale mode (2 Rasa workers, nginx, PostgreSQL, Redis)")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        cleanup = None
        if args.scale:
            srv, cleanup = scale_servers(args.port_base, tmp)
        else:
            env, endpoints = private_env(tmp)
            srv = Servers(rasa_port=args.port_base + 5, actions_port=args.port_base + 55, web_port=None,
                          endpoints=endpoints, model=ROOT / "models" / "zhicheng.tar.gz", env=env,
                          log_dir=tmp / "logs")
        srv.start(timeout=300)
        try:
            closed_loop(srv.rasa_url, texts(), 2, 20)  # warm-up
            stop = threading.Event()
            counted: list[int] = []

            def load():
                while not stop.is_set():
                    counted.append(closed_loop(srv.rasa_url, texts(), args.users, 100)["messages"])

            pgids = {n: p.pid for n, p in srv.procs.items()}
            cpu0 = group_cpu_seconds(pgids.values())
            worker = threading.Thread(target=load)
            worker.start()
            time.sleep(2)
            spies = {name: subprocess.Popen([str(BIN / "py-spy"), "record", "--pid", str(pid), "--subprocesses",
                                             "--duration", str(args.seconds), "--rate", str(args.rate),
                                             "--format", "raw", "--nonblocking", "--output", str(tmp / f"{name}.txt")],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                     for name, pid in pgids.items() if name != "proxy"}  # nginx is no Python
            before = sum(counted)
            started = time.perf_counter()
            for spy in spies.values():
                spy.wait()
            window = time.perf_counter() - started
            stop.set()
            worker.join()
            messages = max(sum(counted) - before - args.users, 1)  # those finished inside the window (about)
            cpu = group_cpu_seconds(pgids.values()) - cpu0
            print(f"{sum(counted)} messages in all, ~{messages} in the {window:.0f} s sampled; "
                  f"CPU (Rasa + actions) {cpu * 1000 / sum(counted):.1f} ms per message; "
                  f"load average {os.getloadavg()[0]:.2f}")
            if args.keep:
                args.keep.mkdir(parents=True, exist_ok=True)
                for name in spies:
                    shutil.copy(tmp / f"{name}.txt", args.keep / f"{name}.txt")
            for name in spies:
                print(f"\n== {name} ==")
                print("\n".join(summarise(tmp / f"{name}.txt", messages, args.rate, args.top)))
        finally:
            srv.stop()
            if cleanup:
                cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The results of bench/bench.py as a table (each system side by side, with its ratio to the vanilla
bot) and the targets each figure is held to."""
from __future__ import annotations

from loadgen import USERS

TARGETS = {"train_s": 120, "cold_start_s": 12, "cpu_ms": 15, "ratio_10": 1.5, "p95_10_ms": 150}


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

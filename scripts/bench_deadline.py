#!/usr/bin/env python3
"""make bench, part 4: a deadline instead of a backend.

Three runs against promptline-sim, Messages limited to 1,200 requests/min at 50 ms:
(a) 3,000 records, batches that finish their records steadily over 100 s, deadline 70 s (Messages
    alone needs about 90 s here, the batches alone 100 s);
(b) the same with batches done in 8 s;
(c) 1,000 records, batches that never move, deadline 30 s.
Before each, a 100-record Messages job on the same store lets promptline remember the model's
latency and limits (what a deadline job plans with when no --rpm is given). Each run has its own
simulator. Prints markdown rows: wall time against the deadline, records at the batch price, cost
against all-Messages, requests through Messages, records paid twice.
"""
import json
import os
import subprocess
import sys
import time

from bench_sim import BIN, Sim

OUT = sys.argv[1] if len(sys.argv) > 1 else "bench-out"
MODEL = "claude-haiku-4-5"


def records(path, n, salt):
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"{salt}{i}", "prompt": f"Deadline bench {salt} {i}: classify {i * 13}."}) + "\n")


def run(sim, args, name):
    env = dict(os.environ, ANTHROPIC_BASE_URL=sim.url, ANTHROPIC_API_KEY="bench")
    summary = f"{OUT}/{name}.summary.json"
    start = time.time()
    subprocess.run([f"{BIN}/promptline", "run", *args, "--db", f"{OUT}/{name}.db", "--model", MODEL, "--concurrency", "64",
                    "--progress", "none", "--summary", summary], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.time() - start
    with open(summary) as f:
        return json.load(f), wall


def scenario(label, n, batches, deadline):
    sim = Sim({"latency": {"fixed_ms": 50}, "rate_limits": {"requests_per_minute": 1200}, "batches": batches})
    name = f"deadline-{label}"
    warm = f"{OUT}/{name}-warm.jsonl"
    records(warm, 100, "warm")
    run(sim, [warm, "-o", f"{OUT}/{name}-warm.out.jsonl", "--backend", "messages"], name)
    time.sleep(6)  # the warm-up's 100 requests back in the simulator's bucket (20 a second)
    before = sim.get("/_sim/stats")["billed"].get(MODEL, {}).get("messages", {}).get("requests", 0)
    inp = f"{OUT}/{name}.jsonl"
    records(inp, n, label)
    summary, wall = run(sim, [inp, "-o", f"{OUT}/{name}.out.jsonl", "--deadline", f"{deadline}s", "--poll-interval", "1"], name)
    billed = sim.get("/_sim/stats")["billed"].get(MODEL, {})
    sim.stop()
    batch = billed.get("batch", {}).get("requests", 0)
    messages = billed.get("messages", {}).get("requests", 0) - before
    report = summary.get("deadline", {})
    met = "met" if report.get("met") else "MISSED"
    ratio = report.get("costAgainstAllMessages") or 0
    switched = report.get("switchedAfterSeconds")
    print(f"| ({label}) {n:,} records, {describe(batches)}, deadline {deadline} s | {wall:.1f} s ({met}); "
          f"{batch:,} records at the batch price; cost {ratio:.2f} × all-Messages; {messages:,} requests through Messages; "
          f"{batch + messages - n} records paid twice" + (f"; switched after {switched:.0f} s" if switched is not None else "") + " |")


def describe(batches):
    if batches.get("stall_first"):
        return "batches that never move"
    return f"batches done in {batches['processing_ms'] / 1000:.0f} s"


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    scenario("a", 3000, {"processing_ms": 100000, "cancel_ms": 500}, 70)
    scenario("b", 3000, {"processing_ms": 8000, "cancel_ms": 500}, 70)
    scenario("c", 1000, {"processing_ms": 100000, "stall_first": 1000, "cancel_ms": 500}, 30)

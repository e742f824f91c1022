#!/usr/bin/env python3
"""make bench, part 3: what automatic prompt caching saves (issue 18).

1,200 records share a 6,000-token system prompt (a plain string given with --system, no
cache_control, as users write it). For each backend: the input-side bill (uncached input, cache
writes and reads, priced as the API bills them) with --prompt-cache auto and off, against the ideal
(one write, then reads); the reported cost against the simulator's bill. Then the same job under a
1,000,000 input-token/min limit: wall time with caching and without (the latter stopped after a
while and projected from its steady rate). Each run has its own simulator, so caches never carry over.
"""
import json
import os
import signal
import subprocess
import sys
import time

from bench_sim import BIN, Sim

OUT = sys.argv[1] if len(sys.argv) > 1 else "bench-out"
MODEL = "claude-sonnet-4-5"
PRICE_IN, PRICE_OUT = 3.0, 15.0  # $ per million tokens, the built-in table's Sonnet 4.5
N = 1200
# About 6,000 tokens at the simulator's (and the API's rough) four bytes a token.
SYSTEM = ("You label customer support tickets: topic (billing, access, bug, other), urgency (low, high) "
          "and a one-line reason. Follow the house style guide below. ") * 150
SYSTEM = SYSTEM[:24000]


def records(path):
    with open(path, "w", encoding="utf-8") as f:
        for i in range(N):
            f.write(json.dumps({"id": f"t{i}", "prompt": f"Ticket {i}: I was charged twice for order {i * 7}."}) + "\n")


def bill(stats):
    """Dollars the simulator billed: (input side, everything)."""
    inside, total = 0.0, 0.0
    for backends in stats["billed"].values():
        for backend, t in backends.items():
            factor = 0.5 if backend == "batch" else 1.0
            side = (t["input_tokens"] + 1.25 * t["cache_creation_5m_input_tokens"] + 2 * t["cache_creation_1h_input_tokens"]
                    + 0.1 * t["cache_read_input_tokens"]) * PRICE_IN * factor / 1e6
            inside += side
            total += side + t["output_tokens"] * PRICE_OUT * factor / 1e6
    return inside, total


def prompt_tokens(stats):
    totals = [0, 0]
    for backends in stats["billed"].values():
        for t in backends.values():
            totals[0] += t["input_tokens"] + t["cache_creation_5m_input_tokens"] + t["cache_creation_1h_input_tokens"] + t["cache_read_input_tokens"]
    return totals[0]


def prefix_tokens(output):
    """The cached prefix as the simulator counts it: the largest cache read or write of an answer."""
    best = 0
    with open(output, encoding="utf-8") as f:
        for line in f:
            usage = json.loads(line).get("result", {}).get("message", {}).get("usage", {})
            best = max(best, usage.get("cache_read_input_tokens", 0), usage.get("cache_creation_input_tokens", 0))
    return best


def run(sim, inp, name, extra, stop_after=None):
    summary = f"{OUT}/{name}.summary.json"
    for leftover in (f"{OUT}/{name}.db", f"{OUT}/{name}.jsonl", f"{OUT}/{name}.jsonl.partial"):
        if os.path.exists(leftover):
            os.remove(leftover)
    env = dict(os.environ, ANTHROPIC_BASE_URL=sim.url, ANTHROPIC_API_KEY="bench")
    args = [f"{BIN}/promptline", "run", inp, "-o", f"{OUT}/{name}.jsonl", "--db", f"{OUT}/{name}.db", "--model", MODEL,
            "--system", SYSTEM, "--concurrency", "32", "--progress", "none", "--summary", summary, *extra]
    start = time.time()
    proc = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        proc.wait(timeout=stop_after)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGINT)
        proc.wait()
    wall = time.time() - start
    with open(summary) as f:
        return json.load(f), wall


def backends():
    inp = f"{OUT}/cache.jsonl"
    records(inp)
    for backend, extra, scenario in (("messages", [], {"latency": {"fixed_ms": 50}}),
                                     ("batches", ["--backend", "batches", "--poll-interval", "1"], {"batches": {"processing_ms": 2000}})):
        results = {}
        for mode in ("auto", "off"):
            sim = Sim(scenario)
            name = f"cache-{backend}-{mode}"
            summary, wall = run(sim, inp, name, [*extra, "--prompt-cache", mode])
            stats = sim.stats()
            sim.stop()
            results[mode] = (summary, bill(stats), prompt_tokens(stats), prefix_tokens(f"{OUT}/{name}.jsonl"), wall)
        summary, (inside, total), prompt, prefix, wall = results["auto"]
        factor = 0.5 if backend == "batches" else 1.0
        write = 2.0 if backend == "batches" else 1.25
        ideal = ((prompt - N * prefix) + write * prefix + 0.1 * (N - 1) * prefix) * PRICE_IN * factor / 1e6
        off_inside = results["off"][1][0]
        reported = summary["costUSD"]
        print(f"| {N:,} records, a 6,000-token system prompt, {backend} | input-side bill with caching ${inside:.4f}: "
              f"{inside / ideal:.3f}× the ideal (${ideal:.4f}: one write, then reads); without caching ${off_inside:.4f} "
              f"({off_inside / ideal:.1f}× the ideal); reported cost ${reported:.4f} against the simulator's bill ${total:.4f} "
              f"({(reported - total) / total * 100:+.2f} %); saved ${summary.get('cacheSavedUSD', 0):.4f} |")


def rate_limited():
    inp = f"{OUT}/cache.jsonl"
    scenario = {"latency": {"fixed_ms": 50}, "rate_limits": {"input_tokens_per_minute": 1000000}}
    sim = Sim(scenario)
    summary, auto = run(sim, inp, "cache-itpm-auto", ["--prompt-cache", "auto"])
    sim.stop()
    sim = Sim(scenario)
    budget = 90
    summary_off, off = run(sim, inp, "cache-itpm-off", ["--prompt-cache", "off"], stop_after=budget)
    # Answered in the time given (the simulator's bill; the partial output holds only the in-order prefix).
    done = sum(b.get("messages", {}).get("requests", 0) for b in sim.stats()["billed"].values())
    sim.stop()
    # Without caching the limit itself allows no better: a minute's worth at once, then the rest at the limit.
    floor = max(0.0, (N * 6000 - 1_000_000) / 1_000_000 * 60)
    print(f"| {N:,} records, 6,000-token system prompt, 1,000,000 input tokens/min | with caching {auto:.1f} s "
          f"({summary['records'].get('succeeded', 0)} succeeded, {summary['rateLimited']} 429s); without: {done} records in the first "
          f"{off:.0f} s, and the limit allows no better than {floor:.0f} s for all: {floor / auto:.0f}× faster with caching |")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    backends()
    rate_limited()

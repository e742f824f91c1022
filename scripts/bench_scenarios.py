#!/usr/bin/env python3
"""make bench, part 2: what the circuit breaker and header-driven throttling buy.

Each scenario starts its own promptline-sim, runs promptline against it with and without the
feature, and prints markdown table rows from the simulator's own counters and the summaries.
"""
import json
import os
import subprocess
import sys
import time

from bench_sim import BIN, Sim

OUT = sys.argv[1] if len(sys.argv) > 1 else "bench-out"
PRIMARY, FALLBACK = "claude-sonnet-4-5", "claude-haiku-4-5"


def records(path, n, salt):
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"r{i}", "prompt": f"Bench {salt} question {i}: what is {i} x 7?"}) + "\n")


def run(sim, args, name):
    summary = f"{OUT}/{name}.summary.json"
    env = dict(os.environ, ANTHROPIC_BASE_URL=sim.url, ANTHROPIC_API_KEY="bench")
    subprocess.run([f"{BIN}/promptline", "run", *args, "--db", f"{OUT}/{name}.db", "--progress", "none", "--summary", summary],
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(summary) as f:
        return json.load(f)


def breaker():
    inp = f"{OUT}/outage.jsonl"
    records(inp, 10000, "outage")
    scenario = {"latency": {"fixed_ms": 100}, "outages": [{"model": PRIMARY, "start_s": 3, "end_s": 23, "kind": "529"}]}
    for flag, label in (([], "with the breaker"), (["--no-breaker"], "without (--no-breaker)")):
        sim = Sim(scenario)
        s = run(sim, [inp, "-o", f"{OUT}/outage{len(flag)}.jsonl", "--model", PRIMARY, "--fallback-model", FALLBACK,
                      "--concurrency", "32", *flag], f"outage{len(flag)}")
        hits = sim.stats()["by_model"].get(PRIMARY, {}).get("529", 0)
        sim.stop()
        tiers = ", ".join(f"{k} {v}" for k, v in sorted(s["tiers"].items()))
        print(f"| 20 s 529 outage of the primary, concurrency 32, {label} | {hits} requests reached the down model; tiers: {tiers}; {s['wallSeconds']:.0f} s |")


def totaloutage():
    """Every model down for 15 s (529), primary and fallback: records wait, then every one succeeds."""
    inp = f"{OUT}/total.jsonl"
    records(inp, 3000, "total")
    sim = Sim({"latency": {"fixed_ms": 100}, "outages": [{"model": "*", "start_s": 3, "end_s": 18, "kind": "529"}]})
    s = run(sim, [inp, "-o", f"{OUT}/total.out.jsonl", "--model", PRIMARY, "--fallback-model", FALLBACK, "--concurrency", "32"], "total")
    st = sim.stats()
    sim.stop()
    hits = sum(v.get("529", 0) for v in st["by_model"].values())
    print(f"| 15 s 529 outage of every model, concurrency 32 | {hits} requests reached the down models; "
          f"{s['records'].get('succeeded', 0)} of 3,000 succeeded; {s['wallSeconds']:.0f} s |")


def brownout():
    """Issue 8: a steady share of 529s on one model, no fallback; and a healthy but slow API."""
    inp = f"{OUT}/brownout.jsonl"
    records(inp, 3000, "brownout")
    for rate in (0.0, 0.10, 0.35, 0.60):
        sim = Sim({"latency": {"fixed_ms": 30}, "error_rates": {"529": rate}})
        t0 = time.time()
        s = run(sim, [inp, "-o", f"{OUT}/brownout{int(rate*100)}.jsonl", "--model", PRIMARY, "--concurrency", "32"],
                f"brownout{int(rate*100)}")
        wall = time.time() - t0
        st = sim.stats()
        sim.stop()
        ok = s["records"].get("succeeded", 0)
        errored = s["records"].get("errored", 0)
        print(f"| 529 on {rate:.0%} of requests, one model, 3,000 records, 30 ms, concurrency 32 | {ok / wall:,.0f} records/s; "
              f"{st['requests'] / max(1, ok):.2f} requests per success; {errored} errored; {s['breakerTrips']} breaker trips; "
              f"{s['throttledSends']} throttled sends; {wall:.1f} s |")
    inp = f"{OUT}/slow.jsonl"
    records(inp, 1200, "slow")
    sim = Sim({"latency": {"median_ms": 2000, "p99_ms": 6000}})
    t0 = time.time()
    s = run(sim, [inp, "-o", f"{OUT}/slow.jsonl.out", "--model", PRIMARY, "--concurrency", "64"], "slow")
    wall = time.time() - t0
    sim.stop()
    mean = 2.0 * 2.718281828 ** ((0.4723 ** 2) / 2)  # log-normal mean for median 2 s, p99 6 s
    print(f"| healthy slow API: 1,200 records, latency median 2 s / p99 6 s, concurrency 64 | {wall:.1f} s "
          f"(ideal {1200 * mean / 64:.0f} s = records × mean latency / concurrency); window at the end {s['concurrencyWindow']} |")


def ratelimit():
    inp = f"{OUT}/ratelimit.jsonl"
    records(inp, 2400, "rl")
    rpm = 1200
    scenario = {"rate_limits": {"requests_per_minute": rpm, "input_tokens_per_minute": 200000}}
    for flag, label in (([], "header-aware"), (["--no-rate-limit-headers"], "headers ignored (--no-rate-limit-headers)")):
        sim = Sim(scenario)
        run(sim, [inp, "-o", f"{OUT}/rl{len(flag)}.jsonl", "--model", FALLBACK, "--concurrency", "32", *flag], f"rl{len(flag)}")
        st = sim.stats()
        sim.stop()
        per = {int(k): v for k, v in st["accepted_per_second"].items()}
        secs = sorted(per)
        steady = [s for s in secs if secs[0] + 10 <= s < secs[-1]]
        achieved = sum(per[s] for s in steady) / max(1, len(steady)) * 60
        share = st["by_status"].get("429", 0) / max(1, st["requests"])
        print(f"| {rpm} requests/min limit, 2,400 records, {label} | {achieved / rpm:.1%} of the limit after the first 10 s; 429s {share:.2%} of {st['requests']} requests |")


def twomodels():
    """Issue 9: two models with their own limits (300 and 900 requests/min), one record in four for the slow one."""
    inp = f"{OUT}/twomodels.jsonl"
    with open(inp, "w", encoding="utf-8") as f:
        for i in range(1600):
            model = PRIMARY if i % 4 == 0 else FALLBACK
            f.write(json.dumps({"id": f"r{i}", "prompt": f"Two models question {i}", "model": model}) + "\n")
    limits = {PRIMARY: 300, FALLBACK: 900}
    sim = Sim({"model_rate_limits": {m: {"requests_per_minute": rpm} for m, rpm in limits.items()}})
    run(sim, [inp, "-o", f"{OUT}/twomodels.out.jsonl", "--model", FALLBACK, "--concurrency", "32"], "twomodels")
    st = sim.stats()
    sim.stop()
    start = min(int(k) for k in st["accepted_per_second"])
    uses = []
    for model, rpm in limits.items():
        per = {int(k): v for k, v in st["accepted_per_second_by_model"].get(model, {}).items()}
        steady = [sec for sec in range(start + 10, max(per))]
        achieved = sum(per.get(sec, 0) for sec in steady) / max(1, len(steady)) * 60
        uses.append(f"{model} {achieved / rpm:.1%} of {rpm}/min")
    share = st["by_status"].get("429", 0) / max(1, st["requests"])
    print(f"| two models, 300 and 900 requests/min, 1,600 records (1 in 4 on the slower) | 429s {share:.2%} of {st['requests']} requests; "
          f"use of each limit after the first 10 s: {'; '.join(uses)} |")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    which = sys.argv[2:] or ["brownout", "breaker", "totaloutage", "ratelimit", "twomodels"]
    for name in which:
        globals()[name]()

#!/usr/bin/env python3
"""make bench, part 2: what the circuit breaker and header-driven throttling buy.

Each scenario starts its own promptline-sim, runs promptline against it with and without the
feature, and prints markdown table rows from the simulator's own counters and the summaries.
"""
import json
import math
import os
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.request

from bench_sim import BIN, Sim

# Optional: another build (say main's) to measure against this one, interleaved against the same simulator.
BASE = os.environ.get("PROMPTLINE_BASE_BIN_DIR")
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "1"))
OUT = sys.argv[1] if len(sys.argv) > 1 else "bench-out"
PRIMARY, FALLBACK = "claude-sonnet-4-5", "claude-haiku-4-5"


def records(path, n, salt):
    with open(path, "w", encoding="utf-8") as f:
        for i in range(n):
            f.write(json.dumps({"id": f"r{i}", "prompt": f"Bench {salt} question {i}: what is {i} x 7?"}) + "\n")


def reset(sim):
    urllib.request.urlopen(urllib.request.Request(sim.url + "/_sim/reset", method="POST")).read()


def run(sim, args, name, bin_dir=BIN):
    summary = f"{OUT}/{name}.summary.json"
    for stale in (f"{OUT}/{name}.db", summary):
        if os.path.exists(stale):
            os.remove(stale)
    env = dict(os.environ, ANTHROPIC_BASE_URL=sim.url, ANTHROPIC_API_KEY="bench")
    subprocess.run([f"{bin_dir}/promptline", "run", *args, "--db", f"{OUT}/{name}.db", "--progress", "none", "--summary", summary],
                   env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    with open(summary) as f:
        return json.load(f)


def breaker():
    inp = f"{OUT}/outage.jsonl"
    records(inp, 10000, "outage")
    scenario = {"latency": {"fixed_ms": 100}, "outages": [{"model": PRIMARY, "start_s": 3, "end_s": 23, "kind": "529"}]}
    for flag, label in (([], "with the breaker"), (["--no-breaker"], "without (--no-breaker)")):
        for build, bin_dir in builds():
            # A simulator per run: the outage counts from its start.
            sim = Sim(scenario)
            name = f"outage{len(flag)}-{build}"
            s = run(sim, [inp, "-o", f"{OUT}/{name}.jsonl", "--model", PRIMARY, "--fallback-model", FALLBACK,
                          "--concurrency", "32", *flag], name, bin_dir)
            hits = sim.stats()["by_model"].get(PRIMARY, {}).get("529", 0)
            sim.stop()
            tiers = ", ".join(f"{k} {v}" for k, v in sorted(s["tiers"].items()))
            print(f"| 20 s 529 outage of the primary, concurrency 32, {label} ({build}) | {hits} requests reached the down model; "
                  f"tiers: {tiers}; {s['wallSeconds']:.0f} s |")


def totaloutage():
    """Every model down for 15 s (529), primary and fallback: records wait, then every one succeeds."""
    inp = f"{OUT}/total.jsonl"
    records(inp, 3000, "total")
    for build, bin_dir in builds():
        sim = Sim({"latency": {"fixed_ms": 100}, "outages": [{"model": "*", "start_s": 3, "end_s": 18, "kind": "529"}]})
        name = f"total-{build}"
        s = run(sim, [inp, "-o", f"{OUT}/{name}.out.jsonl", "--model", PRIMARY, "--fallback-model", FALLBACK, "--concurrency", "32"], name,
                bin_dir)
        st = sim.stats()
        sim.stop()
        per_model = {m: v.get("529", 0) for m, v in sorted(st["by_model"].items())}
        print(f"| 15 s 529 outage of every model, concurrency 32 ({build}) | {sum(per_model.values())} requests reached the down models "
              f"({', '.join(f'{m} {n}' for m, n in per_model.items())}); "
              f"{s['records'].get('succeeded', 0)} of 3,000 succeeded; {s['wallSeconds']:.0f} s |")


def builds():
    """The builds measured, interleaved: this one, and BASE's before it when set."""
    return ([("base", BASE)] if BASE else []) + [("this", BIN)]


def lognormal_mean(median, p99):
    sigma = math.log(p99 / median) / 2.326
    return median * math.exp(sigma ** 2 / 2)


def finish_times(db):
    """Seconds from the job's start to each record's commit, sorted (from the store)."""
    con = sqlite3.connect(db)
    start = con.execute("SELECT MIN(started_at) FROM jobs").fetchone()[0]
    times = sorted(t - start for (t,) in con.execute("SELECT updated_at FROM requests WHERE state = 'succeeded'"))
    con.close()
    return times


def brownout():
    """Issues 8 and 21: a steady share of 529s on one model, no fallback, at a real latency's spread;
    the job's wall time against the ideal, and its tail: the last record against the median one."""
    inp = f"{OUT}/brownout.jsonl"
    records(inp, 3000, "brownout")
    mean = lognormal_mean(0.030, 0.120)
    for rate in (0.0, 0.10, 0.35, 0.60):
        sim = Sim({"latency": {"median_ms": 30, "p99_ms": 120}, "error_rates": {"529": rate}})
        ideal = 3000 / (1 - rate) * mean / 32
        for label, bin_dir in builds():
            rows = []
            for rnd in range(ROUNDS):
                reset(sim)
                name = f"brownout{int(rate * 100)}-{label}-{rnd}"
                s = run(sim, [inp, "-o", f"{OUT}/{name}.jsonl", "--model", PRIMARY, "--concurrency", "32"], name, bin_dir)
                st = sim.stats()
                times = finish_times(f"{OUT}/{name}.db")
                ok = s["records"].get("succeeded", 0)
                rows.append((s["wallSeconds"], times[-1], statistics.median(times), st["requests"] / max(1, ok),
                             s["records"].get("errored", 0), s["breakerTrips"]))
            wall, last, median, per, errored, trips = (statistics.median(r[i] for r in rows) for i in range(6))
            print(f"| 529 on {rate:.0%}, one model, 3,000 records, latency median 30 ms / p99 120 ms, concurrency 32 ({label}) | "
                  f"{wall:.1f} s = {wall / ideal:.2f} × ideal ({ideal:.1f} s); last record {last:.1f} s, median record {median:.1f} s "
                  f"({last / median:.2f}×); {per:.2f} requests per success (1 ÷ success share {1 / (1 - rate):.2f}); "
                  f"{errored:.0f} errored; {trips:.0f} breaker trips |")
        sim.stop()


def slowapi():
    """Issue 21: a healthy API at real latencies, against its ideal and against a plain loop with a
    semaphore of the same size (scripts/semaphore_loop.py), interleaved against the same simulator.
    This build runs twice: as a new user's first job (no limit known: the window starts at 10 and
    opens at the first answer's headers) and with the limits known before the first answer (here
    `--rpm 5000`, the Build tier's; a later job in the same store starts the same way from the
    limits it remembers)."""
    inp = f"{OUT}/slow.jsonl"
    records(inp, 1200, "slow")
    sim = Sim({"latency": {"median_ms": 2000, "p99_ms": 6000}})
    ideal = 1200 * lognormal_mean(2.0, 6.0) / 64
    variants = [(label, bin_dir, []) for label, bin_dir in builds()] + [("this, limits known: --rpm 5000", BIN, ["--rpm", "5000"])]
    walls = {}
    for rnd in range(ROUNDS):
        for index, (label, bin_dir, flags) in enumerate(variants):
            reset(sim)
            name = f"slow-{index}-{rnd}"
            s = run(sim, [inp, "-o", f"{OUT}/{name}.jsonl", "--model", PRIMARY, "--concurrency", "64", *flags], name, bin_dir)
            walls.setdefault(label, []).append(s["wallSeconds"])
        reset(sim)
        loop = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "semaphore_loop.py"), sim.url, inp, "64", PRIMARY],
                              capture_output=True, text=True, check=True)
        walls.setdefault("semaphore loop", []).append(json.loads(loop.stdout)["wall_seconds"])
    sim.stop()
    loops = walls["semaphore loop"]
    loop = statistics.median(loops)
    for label, values in walls.items():
        wall = statistics.median(values)
        # Each round's run against that round's loop: the spread of the comparison, not only of the walls.
        ratios = sorted(v / l for v, l in zip(values, loops))
        print(f"| healthy slow API: 1,200 records, latency median 2 s / p99 6 s, concurrency 64 ({label}) | {wall:.1f} s = "
              f"{wall / ideal:.2f} × ideal ({ideal:.1f} s = records × mean latency / concurrency), {wall / loop:.2f} × the semaphore loop "
              f"(per round {ratios[0]:.2f}–{ratios[-1]:.2f}); runs: {', '.join(f'{v:.1f}' for v in values)} |")


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
    which = sys.argv[2:] or ["brownout", "slowapi", "breaker", "totaloutage", "ratelimit", "twomodels"]
    for name in which:
        # The machine is shared: the load around each scenario says how much to trust its figures.
        print(f"<!-- {name}: load average {os.getloadavg()[0]:.1f} at the start -->", flush=True)
        globals()[name]()
        print(f"<!-- {name}: load average {os.getloadavg()[0]:.1f} at the end -->", flush=True)

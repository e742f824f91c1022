#!/usr/bin/env bash
# make bench: throughput, CPU, peak memory and resume figures against promptline-sim (release build).
# Prints a markdown table; the README's figures come from it.
set -euo pipefail
bin=${PROMPTLINE_BIN_DIR:?set by make}
out=bench-out
rm -rf "$out"; mkdir -p "$out"
"$bin/promptline-sim" --port 0 --api-key bench-key > "$out/sim.log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q 'listening on' "$out/sim.log" 2>/dev/null && break; sleep 0.1; done
export ANTHROPIC_BASE_URL=$(grep -o 'http://[0-9.:]*' "$out/sim.log" | head -1) ANTHROPIC_API_KEY=bench-key

measure() { # name, then the command; prints "wall user sys maxrss_kb"
  local name=$1; shift
  /usr/bin/time -f "%e %U %S %M" -o "$out/$name.time" "$@" > /dev/null 2> "$out/$name.err" || true
  cat "$out/$name.time"
}

python3 scripts/gen_records.py 50000 "$out/50k.jsonl.gz" a
read wall user sys rss < <(measure run50k "$bin/promptline" run "$out/50k.jsonl.gz" -o "$out/50k.out.jsonl.gz" \
  --db "$out/50k.db" --model claude-haiku-4-5 --concurrency 64 --progress none --summary "$out/50k.summary.json")
echo "| 50,000 records, sim latency 0, concurrency 64 | $(python3 -c "print(f'{50000/$wall:,.0f} records/s ({$wall:.1f} s)')") |"
echo "| CPU per record, client process (user+sys) | $(python3 -c "print(f'{($user+$sys)/50000*1e6:.0f} µs ({$user:.2f} s user + {$sys:.2f} s sys)')") |"
echo "| store write transactions per record (claims and answers; group commit) | $(python3 -c "import json; s=json.load(open('$out/50k.summary.json')); print(f\"{s['storeTransactions']/50000:.2f} ({s['storeWrites']/s['storeTransactions']:.1f} writes per transaction)\")") |"

python3 scripts/gen_records.py 100000 "$out/100k.jsonl.gz" b
measure run100k "$bin/promptline" run "$out/100k.jsonl.gz" -o "$out/100k.out.jsonl.gz" --db "$out/100k.db" \
  --model claude-haiku-4-5 --concurrency 64 --progress none > /dev/null
read wall user sys rss < <(measure rerun100k "$bin/promptline" run "$out/100k.jsonl.gz" -o "$out/100k.out.jsonl.gz" \
  --db "$out/100k.db" --model claude-haiku-4-5 --concurrency 64 --progress none)
echo "| rerun of a finished 100,000-record job (output in place) | $wall s, 0 requests |"
rm -f "$out/100k.out.jsonl.gz"
read wall user sys rss < <(measure rebuild100k "$bin/promptline" run "$out/100k.jsonl.gz" -o "$out/100k.out.jsonl.gz" \
  --db "$out/100k.db" --model claude-haiku-4-5 --concurrency 64 --progress none)
echo "| same job with its output deleted (every record from the store) | $wall s ($(python3 -c "print(f'{100000/$wall:,.0f}')") records/s), 0 requests |"

python3 scripts/gen_records.py 500000 "$out/500k.jsonl.gz" c
read wall user sys rss < <(measure run500k "$bin/promptline" run "$out/500k.jsonl.gz" -o "$out/500k.out.jsonl.gz" \
  --db "$out/500k.db" --model claude-haiku-4-5 --concurrency 64 --progress none)
echo "| peak RSS, 500,000 records | $(python3 -c "print(f'{$rss/1024:.0f} MiB')") ($(python3 -c "print(f'{500000/$wall:,.0f}')") records/s) |"
read wall user sys rss50 < "$out/run50k.time"
echo "| peak RSS, 50,000 records | $(python3 -c "print(f'{$rss50/1024:.0f} MiB')") |"
python3 scripts/bench_scenarios.py "$out"
python3 scripts/bench_cache.py "$out"
python3 scripts/bench_deadline.py "$out"

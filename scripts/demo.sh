#!/usr/bin/env bash
# Starts promptline-sim on a free loopback port, runs a job over samples/prompts.jsonl.gz,
# shows the summary and the first output lines, and stops the simulator.
set -eu
bin=${PROMPTLINE_BIN_DIR:?set by make}
out=demo-out
rm -rf "$out"; mkdir -p "$out"
"$bin/promptline-sim" --port 0 --api-key demo-key --latency-ms 40 > "$out/sim.log" 2>&1 &
sim=$!
trap 'kill $sim 2>/dev/null || true' EXIT
for _ in $(seq 100); do grep -q 'listening on' "$out/sim.log" 2>/dev/null && break; sleep 0.1; done
url=$(grep -o 'http://[0-9.:]*' "$out/sim.log" | head -1)
echo "promptline-sim is at $url"
set +e
ANTHROPIC_BASE_URL=$url ANTHROPIC_API_KEY=demo-key "$bin/promptline" run samples/prompts.jsonl.gz \
  -o "$out/answers.jsonl.gz" --db "$out/state.db" --model claude-haiku-4-5 --concurrency 16 \
  --summary "$out/summary.json"
code=$?
set -e
echo "promptline exited with $code (1: the sample holds one invalid line on purpose)"
echo "--- first output lines ($out/answers.jsonl.gz):"
gzip -dc "$out/answers.jsonl.gz" | head -n 3
echo "--- the invalid line's annotation:"
gzip -dc "$out/answers.jsonl.gz" | grep '"invalid"' | head -n 1
echo "--- a rerun is a no-op:"
ANTHROPIC_BASE_URL=$url ANTHROPIC_API_KEY=demo-key "$bin/promptline" run samples/prompts.jsonl.gz \
  -o "$out/answers.jsonl.gz" --db "$out/state.db" --model claude-haiku-4-5 || true

#!/usr/bin/env python3
"""The plain loop the bench measures promptline against (issue 21): N worker threads, a semaphore of
N in effect, each sending the next record to /v1/messages over its own keep-alive connection and
retrying a failure after the SDKs' backoff (0.5 s doubling to 8 s, up to 25 % jitter off) until it
succeeds. No window, no rate limiter, no store: what a user writes first.

Usage: semaphore_loop.py BASE_URL RECORDS.jsonl CONCURRENCY MODEL  → prints one JSON line
{"records", "requests", "wall_seconds"}.
"""
import http.client
import json
import random
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor


def main():
    base, path, concurrency, model = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    url = urllib.parse.urlparse(base)
    with open(path, encoding="utf-8") as f:
        prompts = [json.loads(line)["prompt"] for line in f if line.strip()]
    local = threading.local()
    requests = [0]
    lock = threading.Lock()

    def send(prompt):
        body = json.dumps({"model": model, "max_tokens": 256, "messages": [{"role": "user", "content": prompt}]})
        headers = {"content-type": "application/json", "x-api-key": "bench", "anthropic-version": "2023-06-01"}
        retry = 0
        while True:
            if getattr(local, "conn", None) is None:
                local.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)
            try:
                local.conn.request("POST", "/v1/messages", body, headers)
                response = local.conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                local.conn.close()
                local.conn = None
                status = None
            with lock:
                requests[0] += 1
            if status == 200:
                return
            time.sleep(min(0.5 * 2 ** retry, 8) * (1 - 0.25 * random.random()))
            retry += 1

    start = time.monotonic()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        list(pool.map(send, prompts))
    print(json.dumps({"records": len(prompts), "requests": requests[0], "wall_seconds": time.monotonic() - start}))


if __name__ == "__main__":
    main()

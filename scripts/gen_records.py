#!/usr/bin/env python3
"""Writes N synthetic records (the three shapes, unicode text) as gzip JSONL, streaming: gen_records.py N PATH [SALT]."""
import gzip
import sys

n, path = int(sys.argv[1]), sys.argv[2]
salt = sys.argv[3] if len(sys.argv) > 3 else ""
with gzip.open(path, "wt", encoding="utf-8", compresslevel=1) as out:
    for i in range(n):
        prompt = f"Question {salt}{i}: summarise record {i} of the ledger — café ☕ naïve"
        if i % 3 == 0:
            out.write('{"custom_id":"r%d","params":{"max_tokens":64,"messages":[{"role":"user","content":"%s"}]}}\n' % (i, prompt))
        elif i % 3 == 1:
            out.write('{"id":"r%d","prompt":"%s","temperature":0.5}\n' % (i, prompt))
        else:
            out.write('{"messages":[{"role":"user","content":[{"type":"text","text":"%s"}]}],"max_tokens":32}\n' % prompt)

#!/usr/bin/env python3
"""answers (promptline output on stdin) -> a TSV report: id, result type, tier, model, answer length."""
import json
import sys

print("id\tresult\ttier\tmodel\tanswer_chars")
for line in sys.stdin:
    rec = json.loads(line)
    result, served = rec["result"], rec["served_by"]
    text = ""
    if result["type"] == "succeeded":
        text = "".join(b.get("text", "") for b in result["message"]["content"])
    print(f'{rec["custom_id"]}\t{result["type"]}\t{served["tier"]}\t{served["model"]}\t{len(text)}')

#!/usr/bin/env python3
"""raw/questions.tsv -> prompts (simple record shape), one JSON object a line, on stdout."""
import csv
import json
import sys

with open(sys.argv[1], encoding="utf-8", newline="") as f:
    for row in csv.DictReader(f, delimiter="\t"):
        print(json.dumps({"id": row["id"], "prompt": row["question"],
                          "system": f"You answer questions about {row['topic']} in two sentences."},
                         ensure_ascii=False))

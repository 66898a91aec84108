"""One Kubernetes Job per shard of `cxetl plan` (its JSON line on stdin),
stamped from cxetl-job.yaml beside this file: the Job's name gets the shard's
dates, the container's args become the shard's `args` (plus the summary
file). The Secret is printed once. Needs PyYAML.

    cxetl plan genesys --start 2026-09-01 --end 2026-11-01 --shards 4 --output s3://lake/cx \\
      | python3 jobs_from_plan.py | kubectl apply -f -
"""
import copy
import json
import pathlib
import sys

import yaml

template = list(yaml.safe_load_all((pathlib.Path(__file__).parent / "cxetl-job.yaml").read_text()))
secret = next(d for d in template if d["kind"] == "Secret")
job = next(d for d in template if d["kind"] == "Job")
plan = json.loads(sys.stdin.read().strip().splitlines()[-1])
docs = [secret]
for shard in plan["shards"]:
    j = copy.deepcopy(job)
    vendor = shard["args"][1]
    j["metadata"]["name"] = f"cxetl-{vendor}-{shard['start'][:10]}-{shard['end'][:10]}"
    container = j["spec"]["template"]["spec"]["containers"][0]
    container["args"] = shard["args"] + ["--summary-file", "/var/run/cxetl/summary.json"]
    docs.append(j)
yaml.safe_dump_all(docs, sys.stdout, sort_keys=False)

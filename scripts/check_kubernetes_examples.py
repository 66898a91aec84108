"""Checks the Kubernetes examples (examples/kubernetes/): every YAML document
parses, the Job runs `cxetl run` with its secrets from a Secret (never in the
args) and a summary file, and its args are a valid `cxetl run` line: cxetl
itself accepts them with --dry-run. Then `cxetl plan` against the running
simulator is stamped into one Job per shard by jobs_from_plan.py, and each
shard's args pass --dry-run too. kpo_dag.py must parse and write the summary
to the KubernetesPodOperator's XCom file.

    check_kubernetes_examples.py CXETL_BIN WORK_DIR   (GENESYS_* of a simulator in the environment)
"""
import ast
import json
import os
import pathlib
import subprocess
import sys

import yaml

cxetl, work = sys.argv[1], pathlib.Path(sys.argv[2])
examples = pathlib.Path(__file__).resolve().parent.parent / "examples" / "kubernetes"


def check_job(job, secret_names):
    spec = job["spec"]["template"]["spec"]
    assert spec["restartPolicy"] == "Never", "a Job's pod must not restart in place"
    (container,) = spec["containers"]
    assert container["command"] == ["cxetl"], container["command"]
    args = container["args"]
    assert args[:2] in (["run", "genesys"], ["run", "cxone"]), args[:2]
    assert all(isinstance(a, str) for a in args), "every arg must be a string (quote numbers)"
    assert "--summary-file" in args
    text = " ".join(args).lower()
    assert "secret" not in text and "client_id" not in text, "secrets belong in the Secret"
    refs = {e["secretRef"]["name"] for e in container.get("envFrom", [])}
    assert refs and refs <= secret_names, f"envFrom {refs} not among {secret_names}"
    return args


def dry_run(args, env):
    done = subprocess.run([cxetl, *args, "--dry-run"], capture_output=True, text=True, env=env)
    assert done.returncode == 0, f"cxetl {' '.join(args)} --dry-run exited {done.returncode}: {done.stderr}"
    plan = json.loads(done.stdout.strip().splitlines()[-1])
    assert plan["dry_run"] is True and plan["slices"], plan
    return plan


# The static manifest, dry-run with placeholder credentials (no request is made).
docs = list(yaml.safe_load_all((examples / "cxetl-job.yaml").read_text()))
assert [d["kind"] for d in docs] == ["Secret", "Job"], [d["kind"] for d in docs]
secrets = {d["metadata"]["name"] for d in docs if d["kind"] == "Secret"}
args = check_job(docs[1], secrets)
placeholder = {k: v for k, v in os.environ.items() if not k.startswith(("GENESYS_", "CXONE_", "AWS_"))}
placeholder.update(docs[0]["stringData"])
plan = dry_run(args, placeholder)
print(f"cxetl-job.yaml: {len(plan['slices'])} slices planned by `cxetl {' '.join(args[:2])} … --dry-run`")

# One Job per shard of a real plan, against the simulator in the environment.
sim = json.loads((work / "genesys.sim.json").read_text())
planned = subprocess.run(
    [cxetl, "plan", "genesys", "--start", sim["interval"]["start"], "--end", sim["interval"]["end"],
     "--shards", "3", "--output", str(work / "k8s-lake")],
    capture_output=True, text=True, check=True,
).stdout
stamped = subprocess.run(
    [sys.executable, str(examples / "jobs_from_plan.py")], input=planned,
    capture_output=True, text=True, check=True,
).stdout
docs = list(yaml.safe_load_all(stamped))
jobs = [d for d in docs if d["kind"] == "Job"]
assert len(jobs) == 3 and len(docs) == 4, [d["kind"] for d in docs]
assert len({j["metadata"]["name"] for j in jobs}) == 3, "Job names must differ"
days = 0
for job in jobs:
    args = check_job(job, secrets)
    days += len(dry_run(args, dict(os.environ))["slices"])
print(f"jobs_from_plan.py: {len(jobs)} Jobs, {days} one-day slices, every args line passes --dry-run")

tree = ast.parse((examples / "kpo_dag.py").read_text())
strings = {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
assert "/airflow/xcom/return.json" in strings and "--summary-file" in strings
assert any(isinstance(n, ast.Attribute) and n.attr == "expand" for n in ast.walk(tree))
print("kpo_dag.py: parses, maps KubernetesPodOperator over the plan, summary to /airflow/xcom/return.json")
print("kubernetes examples check: ok")

"""cxetl on Airflow: plan the shards, run them in parallel, fail on gaps.

    plan ──► run_shard ×N (mapped, in the `cxetl` pool) ──► status

* ``plan`` runs ``cxetl plan`` and pushes each shard's ``args`` (the exact
  ``cxetl run`` argument list, never a secret) to XCom.
* ``run_shard`` maps one ``BashOperator`` per shard. Shards cover disjoint
  whole UTC days; the per-date leases keep every conversation exactly once
  in the one lake. The last stdout line of each is its JSON summary (XCom).
  Size the ``cxetl`` pool (``airflow pools set cxetl 4 cxetl``) to the
  shards you want at once: each shard has its own token and budget.
* ``status`` runs ``cxetl status`` over the same interval and fails the DAG
  run when any stream has a gap (a day without a succeeded run). It runs
  even when a shard failed (``all_done``) so the task log says which days.

Credentials stay in the environment of the worker (``GENESYS_*`` or
``CXONE_*``; a Kubernetes secret, an Airflow connection exported by a
secrets backend) and reach ``cxetl`` through ``append_env``.

The interval is the run's data interval unless the ``start``/``end`` params
are given (a backfill of 60 days in one run: trigger with
``{"start": "2026-09-01", "end": "2026-10-31", "shards": 4}``). The binary,
the lake and the vendor are params too, with defaults from ``CXETL_BIN``,
``CXETL_OUTPUT`` and ``CXETL_VENDOR``; CI runs this file with
``airflow dags test`` against the simulators (``.ci/run``).

Written for Airflow 3 (``airflow.sdk``); the imports fall back to Airflow 2.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from datetime import datetime, timedelta

try:  # Airflow 3
    from airflow.providers.standard.operators.bash import BashOperator
    from airflow.sdk import DAG, Param, task
    from airflow.sdk.exceptions import AirflowFailException
except ImportError:  # Airflow 2.4+
    from airflow import DAG
    from airflow.decorators import task
    from airflow.exceptions import AirflowFailException
    from airflow.models.param import Param
    from airflow.operators.bash import BashOperator

POOL = os.environ.get("CXETL_POOL", "cxetl")
START = "{{ params.start or data_interval_start }}"
END = "{{ params.end or data_interval_end }}"


def last_json_line(cmd: list[str]) -> dict:
    """Runs cxetl, fails the task with its stderr on a non-zero exit, and
    returns the JSON of its last stdout line (logs are on stderr)."""
    done = subprocess.run(cmd, capture_output=True, text=True)
    print(done.stderr, end="")
    if done.returncode != 0:
        raise RuntimeError(f"{shlex.join(cmd)} exited {done.returncode}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def as_command(args: list[str]) -> str:
    """One shard's bash command: the binary (from the task's env) and the
    planned arguments, each quoted."""
    return '"$CXETL" ' + shlex.join(args)


with DAG(
    dag_id="cxetl",
    start_date=datetime(2026, 11, 1),
    schedule="@daily",
    catchup=False,
    max_active_runs=1,
    # A retried shard resumes after its last published slice. CI sets 0.
    default_args={
        "retries": int(os.environ.get("CXETL_TASK_RETRIES", "2")),
        "retry_delay": timedelta(minutes=5),
    },
    params={
        "cxetl": Param(os.environ.get("CXETL_BIN", "cxetl"), type="string"),
        "vendor": Param(
            os.environ.get("CXETL_VENDOR", "genesys"), enum=["genesys", "cxone"]
        ),
        "output": Param(os.environ.get("CXETL_OUTPUT", "s3://lake/cx"), type="string"),
        "shards": Param(4, type="integer", minimum=1),
        "start": Param("", type="string", description="default: data_interval_start"),
        "end": Param("", type="string", description="default: data_interval_end"),
    },
) as dag:

    @task
    def plan(start: str, end: str, params=None) -> list[list[str]]:
        """`cxetl plan`: each shard's `cxetl run` arguments, to XCom."""
        shards = last_json_line(
            [
                params["cxetl"], "plan", params["vendor"],
                "--start", start, "--end", end,
                "--shards", str(params["shards"]),
                "--output", params["output"],
            ]
        )["shards"]
        for s in shards:
            print(f"shard {s['start']} .. {s['end']}: {shlex.join(s['args'])}")
        return [s["args"] for s in shards]

    shards = plan(START, END)

    run_shard = BashOperator.partial(
        task_id="run_shard",
        pool=POOL,
        env={"CXETL": "{{ params.cxetl }}"},
        append_env=True,
        # Exit 2, 3 and 4 (settings, credentials, permission) will fail again;
        # 5 and 6 (upstream, a lease held) are worth the retries.
        retry_exponential_backoff=True,
    ).expand(bash_command=shards.map(as_command))

    @task(trigger_rule="all_done")
    def status(start: str, end: str, params=None) -> dict:
        """`cxetl status` over the interval: fails when a stream has gaps."""
        report = last_json_line(
            [
                params["cxetl"], "status",
                "--output", params["output"], "--vendor", params["vendor"],
                "--start", start, "--end", end,
            ]
        )
        streams = report["streams"]
        if not streams:
            raise AirflowFailException(f"nothing of {params['vendor']} in {params['output']}")
        gaps = {s["stream"]: s["gaps"] for s in streams if s["gaps"]}
        for s in streams:
            print(f"{s['vendor']} {s['stream']}: {s['loaded_days']} days, gaps {s['gaps']}")
        if gaps:
            raise AirflowFailException(f"the lake has gaps: {json.dumps(gaps)}")
        return {s["stream"]: s["loaded_days"] for s in streams}

    run_shard >> status(START, END)

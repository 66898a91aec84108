"""Checks the lake the Airflow example DAG wrote (scripts/ci_airflow.sh): for
each simulator, DuckDB reads back exactly its ground truth (every
conversation once, none outside the interval, partition date = UTC date of
started_at), `cxetl status` reports every day loaded and no gap, no lease
is left, and the DAG ran as many `cxetl run`s (summaries) as shards planned.

    check_airflow_lake.py LAKE CXETL_BIN SHARDS SIM_READY_JSON...

Each SIM_READY_JSON is the line `cxetl simulate <vendor>` printed."""
import glob
import json
import subprocess
import sys

import duckdb

lake, cxetl, shards, *ready_files = sys.argv[1:]
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
conv = f"read_parquet('{lake}/conversations/**/*.parquet', hive_partitioning = true)"
for ready_file in ready_files:
    sim = json.loads(open(ready_file).readline())
    vendor, expected = sim["vendor"], sim["conversations"]
    start, end = sim["interval"]["start"], sim["interval"]["end"]
    rows, ids, outside, bad_dates = con.execute(
        f"""SELECT count(*), count(DISTINCT conversation_id),
                   count(*) FILTER (WHERE started_at < ?::TIMESTAMPTZ OR started_at >= ?::TIMESTAMPTZ),
                   count(*) FILTER (WHERE CAST(started_at AS DATE) <> date)
            FROM {conv} WHERE vendor = ?""",
        [start, end, vendor],
    ).fetchone()
    print(f"{vendor}: duckdb reads {rows} conversations, {ids} distinct; the simulator served {expected}")
    assert rows == ids == expected, f"{vendor}: not exactly once ({rows} rows, {ids} ids, {expected} expected)"
    assert outside == 0 and bad_dates == 0, f"{vendor}: {outside} outside the interval, {bad_dates} in the wrong partition"

    done = subprocess.run(
        [cxetl, "status", "--output", lake, "--vendor", vendor, "--start", start, "--end", end],
        capture_output=True, text=True, check=True,
    )
    report = json.loads(done.stdout.strip().splitlines()[-1])
    streams = report["streams"]
    assert streams, f"{vendor}: status reports no stream"
    for s in streams:
        print(f"  status {s['stream']:<22} {s['kind']:<8} {s['loaded_days']} days, gaps {s['gaps']}")
        assert not s["gaps"], f"{vendor} {s['stream']}: gaps {s['gaps']}"
    days = {d for s in streams if s["kind"] == "interval" for d in s["days"]}
    conversations = next(s for s in streams if s["stream"] in ("conversations", "contacts"))
    status_rows = sum(d["rows"] for d in conversations["days"].values())
    assert status_rows == expected, f"{vendor}: status counts {status_rows} rows, expected {expected}"
    assert not report["leases"], f"leases left: {report['leases']}"

    summaries = [json.load(open(f)) for f in glob.glob(f"{lake}/_summaries/vendor={vendor}/*.json")]
    ok = [s for s in summaries if s["status"] == "succeeded"]
    print(f"  {len(ok)} succeeded runs (one per shard) over {len(days)} days")
    assert len(ok) == int(shards), f"{vendor}: {len(ok)} succeeded runs, {shards} shards planned"
print("airflow lake check: ok")

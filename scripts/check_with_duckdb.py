"""Reads a cxetl output folder with DuckDB, as an analyst would, and checks it
against the run's summary line: same conversations, same duration sum, every
partition date equal to the UTC date of started_at, no duplicate ids."""
import json
import sys

import duckdb

out, stdout_file = sys.argv[1], sys.argv[2]
summary = json.loads(open(stdout_file).read().strip().splitlines()[-1])
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
conv = f"read_parquet('{out}/conversations/**/*.parquet', hive_partitioning = true)"
rows, ids, dur = con.execute(f"SELECT count(*), count(DISTINCT conversation_id), coalesce(sum(duration_ms), 0) FROM {conv}").fetchone()
bad_dates = con.execute(f"SELECT count(*) FROM {conv} WHERE CAST(started_at AS DATE) <> date").fetchone()[0]
print(f"duckdb: {rows} conversations, {ids} distinct, {dur} ms; summary: {summary['conversations']}, {summary['total_duration_ms']} ms")
print(con.execute(f"SELECT vendor, media_type, count(*) AS n, round(avg(duration_ms) / 1000, 1) AS avg_s FROM {conv} GROUP BY ALL ORDER BY ALL").fetchall())
for table, expected in summary["tables"].items():
    got = con.execute(f"SELECT count(*) FROM read_parquet('{out}/{table}/**/*.parquet', hive_partitioning = true)").fetchone()[0]
    assert got == expected, f"{table}: duckdb reads {got} rows, summary says {expected}"
assert rows == ids == summary["conversations"], "conversation count or uniqueness differs"
assert dur == summary["total_duration_ms"], "duration sum differs"
assert bad_dates == 0, "partition date differs from the UTC date of started_at"
print("duckdb check: ok")

"""Reads a cxetl output folder with DuckDB, as an analyst would, and checks it
against the run's summary line: same conversations, same duration sum, every
partition date equal to the UTC date of started_at, no duplicate ids."""
import json
import sys

import duckdb

out, stdout_file = sys.argv[1], sys.argv[2]
# One summary line per vendor run (the demo runs Genesys, then CXone).
summaries = [json.loads(l) for l in open(stdout_file).read().splitlines() if l.startswith("{")]
summary = {
    "conversations": sum(s["conversations"] for s in summaries),
    "total_duration_ms": sum(s["total_duration_ms"] for s in summaries),
    "tables": {},
}
for s in summaries:
    for t, n in s["tables"].items():
        summary["tables"][t] = summary["tables"].get(t, 0) + n
con = duckdb.connect()
# Both vendors' conversations must share one schema: a union read fails otherwise.
types = con.execute(f"DESCRIBE SELECT * FROM read_parquet('{out}/conversations/**/*.parquet', hive_partitioning = true, union_by_name = false)").fetchall()
print("conversations columns:", [(c[0], c[1]) for c in types])
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

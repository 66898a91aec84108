"""Reads the S3-written snapshots of tests/it/exactly_once.rs::export_s3_dataset_for_duckdb with
DuckDB, as an analyst would: after a daily run, an hourly re-run inside it, the daily run again,
and a run of the second day with a day of lookback, every conversation is there exactly once and the duration sum matches the ground truth."""
import json
import sys

import duckdb

export = sys.argv[1]
truth = json.load(open(f"{export}/truth.json"))
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
for step in ["1-daily", "2-hourly", "3-daily-again", "4-lookback"]:
    conv = f"read_parquet('{export}/{step}/conversations/**/*.parquet', hive_partitioning = true)"
    rows, ids, dur = con.execute(
        f"SELECT count(*), count(DISTINCT conversation_id), sum(duration_ms) FROM {conv}"
    ).fetchone()
    # Child tables carry every conversation's rows exactly once too.
    orphans = con.execute(
        f"""SELECT count(*) FROM read_parquet('{export}/{step}/genesys_participants/**/*.parquet') p
            ANTI JOIN {conv} c USING (conversation_id)"""
    ).fetchone()[0]
    dup_participants = con.execute(
        f"""SELECT count(*) FROM (SELECT conversation_id, participant_id, count(*) n
            FROM read_parquet('{export}/{step}/genesys_participants/**/*.parquet') GROUP BY ALL HAVING n > 1)"""
    ).fetchone()[0]
    print(f"{step}: {rows} rows, {ids} distinct, {dur} ms; truth {truth['conversations']}, {truth['total_duration_ms']} ms")
    assert rows == ids == truth["conversations"], f"{step}: not exactly once"
    assert dur == truth["total_duration_ms"], f"{step}: duration sum differs"
    assert orphans == 0 and dup_participants == 0, f"{step}: participants not exactly once"
print("duckdb S3 check: ok")

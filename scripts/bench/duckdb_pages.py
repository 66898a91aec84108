"""DuckDB side of the side-by-side: read_json over captured Genesys job pages,
unnest conversations → participants → sessions → segments / metrics, and
COPY each table to zstd Parquet. Prints one JSON line (seconds, conv/s).

    python duckdb_pages.py PAGES_DIR OUT_DIR [THREADS]

Flattening mirrors cxetl's five tables (all fields of each level, not
cxetl's exact column list or types, so DuckDB is if anything given less work:
no timestamp parsing and no validation)."""
import json
import os
import shutil
import sys
import time

import duckdb

pages, out = sys.argv[1], sys.argv[2]
threads = int(sys.argv[3]) if len(sys.argv) > 3 else os.cpu_count()
shutil.rmtree(out, ignore_errors=True)
os.makedirs(out)
con = duckdb.connect()
con.execute(f"SET threads = {threads}")
con.execute("SET preserve_insertion_order = false")
glob = os.path.join(pages, "page-*.json")
copy = "(FORMAT parquet, COMPRESSION zstd)"
t0 = time.perf_counter()
con.execute(f"""
CREATE TEMP TABLE conv AS
SELECT unnest(conversations) AS c
FROM read_json('{glob}', format = 'auto', maximum_object_size = 268435456)
""")
t_read = time.perf_counter()
con.execute(f"""COPY (SELECT c.* EXCLUDE (participants) FROM conv)
    TO '{out}/conversations.parquet' {copy}""")
con.execute("""CREATE TEMP TABLE part AS
    SELECT c.conversationId AS conversation_id, unnest(c.participants) AS p FROM conv""")
con.execute(f"""COPY (SELECT conversation_id, p.* EXCLUDE (sessions) FROM part)
    TO '{out}/genesys_participants.parquet' {copy}""")
con.execute("""CREATE TEMP TABLE sess AS
    SELECT conversation_id, p.participantId AS participant_id, unnest(p.sessions) AS s FROM part""")
con.execute(f"""COPY (SELECT conversation_id, participant_id, s.* EXCLUDE (segments, metrics) FROM sess)
    TO '{out}/genesys_sessions.parquet' {copy}""")
con.execute(f"""COPY (
    SELECT conversation_id, participant_id, s.sessionId AS session_id,
           generate_subscripts(s.segments, 1) - 1 AS segment_index, unnest(s.segments, recursive := true)
    FROM sess) TO '{out}/genesys_segments.parquet' {copy}""")
con.execute(f"""COPY (
    SELECT conversation_id, participant_id, s.sessionId AS session_id,
           generate_subscripts(s.metrics, 1) - 1 AS metric_index, unnest(s.metrics, recursive := true)
    FROM sess) TO '{out}/genesys_metrics.parquet' {copy}""")
t1 = time.perf_counter()
conversations = con.execute("SELECT count(*) FROM conv").fetchone()[0]
rows = {}
for t in ("conversations", "genesys_participants", "genesys_sessions", "genesys_segments", "genesys_metrics"):
    rows[t] = con.execute(f"SELECT count(*) FROM read_parquet('{out}/{t}.parquet')").fetchone()[0]
print(json.dumps({
    "duckdb": duckdb.__version__, "threads": threads, "conversations": conversations,
    "rows": rows, "read_json_s": round(t_read - t0, 3), "seconds": round(t1 - t0, 3),
    "conversations_per_s": conversations / (t1 - t0),
}))

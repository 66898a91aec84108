"""Runs the README's analyst queries (examples/sql/analyst.sql) on a lake with
DuckDB and checks the answers: every query returns rows, and the joins lose
nothing, i.e. every conversation's queue and agent, every wrap-up code that is
not an ININ-* literal, every CXone disposition and every agent state's agent
has a name, and occupancy lies within 0..100 %."""
import sys

import duckdb

lake = sys.argv[1]
sql = open("examples/sql/analyst.sql").read().replace("LAKE", lake)
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
statements = [s.strip() for s in sql.split(";") if s.strip() and not all(l.startswith("--") for l in s.strip().splitlines())]
answers = []
for statement in statements:
    result = con.execute(statement)
    if "CREATE OR REPLACE VIEW" in statement:
        continue
    rows = result.fetchall()
    first = next(l for l in statement.splitlines() if l.startswith("-- "))
    print(first, "->", rows[:3], f"({len(rows)} rows)")
    assert rows, f"no rows: {first}"
    answers.append(rows)
by_queue, by_agent, by_wrapup, by_disposition, occupancy = answers
with_queue = con.execute("SELECT count(*) FROM conversations WHERE queue_id IS NOT NULL").fetchone()[0]
assert sum(r[2] for r in by_queue) == with_queue, "a conversation's queue has no name"
agents = con.execute("SELECT count(*) FROM (SELECT unnest(agent_ids) FROM conversations)").fetchone()[0]
named = con.execute("SELECT count(*) FROM (SELECT vendor, unnest(agent_ids) AS agent_id FROM conversations) JOIN agent_names USING (vendor, agent_id)").fetchone()[0]
assert agents == named, f"{agents - named} agent references without a name"
unnamed = [r for r in by_wrapup if r[0] is not None and r[0].count("-") == 4 and not r[0].startswith("ININ-")]
assert not unnamed, f"wrap-up codes without a name: {unnamed[:3]}"
coded = con.execute(f"SELECT count(*) FROM read_parquet('{lake}/cxone_contacts/**/*.parquet') WHERE primary_disposition_id IS NOT NULL AND primary_disposition_id <> 0").fetchone()[0]
assert sum(r[1] for r in by_disposition) == coded, "a contact's disposition has no name"
vendors = {r[0] for r in occupancy}
assert vendors == {"genesys", "cxone"}, f"occupancy for {vendors}"
assert all(r[3] is None or 0 <= r[3] <= 100 for r in occupancy), "occupancy outside 0..100 %"
states = con.execute(f"SELECT count(*) FROM read_parquet('{lake}/agent_states/**/*.parquet', hive_partitioning = true)").fetchone()[0]
named_states = con.execute(f"SELECT count(*) FROM read_parquet('{lake}/agent_states/**/*.parquet', hive_partitioning = true) JOIN agent_names USING (vendor, agent_id)").fetchone()[0]
assert states == named_states, f"{states - named_states} agent state rows without an agent name"
print("analyst queries: ok")

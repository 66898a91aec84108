-- The first questions a contact-center analyst asks, over a cxetl lake.
-- Run with: duckdb -c ".read examples/sql/analyst.sql" after replacing LAKE
-- with the output folder (scripts/check_analyst_queries.py does that in CI).

-- Directories are daily snapshots: take each id's latest row.
CREATE OR REPLACE VIEW conversations AS
SELECT * FROM read_parquet('LAKE/conversations/**/*.parquet', hive_partitioning = true);

CREATE OR REPLACE VIEW queue_names AS
SELECT vendor, queue_id, name
FROM read_parquet('LAKE/queues/**/*.parquet', hive_partitioning = true)
QUALIFY row_number() OVER (PARTITION BY vendor, queue_id ORDER BY snapshot_date DESC) = 1;

CREATE OR REPLACE VIEW agent_names AS
SELECT vendor, agent_id, name, active
FROM read_parquet('LAKE/agents/**/*.parquet', hive_partitioning = true)
QUALIFY row_number() OVER (PARTITION BY vendor, agent_id ORDER BY snapshot_date DESC) = 1;

-- 1. Average handle time by queue name, both vendors.
SELECT c.vendor, q.name AS queue, count(*) AS contacts, round(avg(c.handle_ms) / 1000, 1) AS aht_s
FROM conversations c JOIN queue_names q USING (vendor, queue_id)
GROUP BY ALL ORDER BY contacts DESC;

-- 2. Average handle time by agent name (inactive and deleted agents still have names).
SELECT c.vendor, a.name AS agent, a.active, count(*) AS contacts, round(avg(c.handle_ms) / 1000, 1) AS aht_s
FROM (SELECT vendor, unnest(agent_ids) AS agent_id, handle_ms FROM conversations) c
JOIN agent_names a USING (vendor, agent_id)
GROUP BY ALL ORDER BY contacts DESC LIMIT 20;

-- 3. Genesys conversations by wrap-up code name (ININ-* system codes keep their literal).
SELECT coalesce(w.name, s.wrap_up_code) AS wrap_up, count(DISTINCT s.conversation_id) AS conversations
FROM read_parquet('LAKE/genesys_segments/**/*.parquet', hive_partitioning = true) s
LEFT JOIN (
    SELECT id, name FROM read_parquet('LAKE/genesys_wrapup_codes/**/*.parquet', hive_partitioning = true)
    QUALIFY row_number() OVER (PARTITION BY id ORDER BY snapshot_date DESC) = 1
) w ON s.wrap_up_code = w.id
WHERE s.wrap_up_code IS NOT NULL
GROUP BY ALL ORDER BY conversations DESC;

-- 4. CXone contacts by disposition name.
SELECT d.disposition_name AS disposition, count(*) AS contacts
FROM read_parquet('LAKE/cxone_contacts/**/*.parquet', hive_partitioning = true) k
JOIN (
    SELECT disposition_id, disposition_name
    FROM read_parquet('LAKE/cxone_dispositions/**/*.parquet', hive_partitioning = true)
    QUALIFY row_number() OVER (PARTITION BY disposition_id ORDER BY snapshot_date DESC) = 1
) d ON k.primary_disposition_id = d.disposition_id
GROUP BY ALL ORDER BY contacts DESC;

-- 5. Agent occupancy per day: time handling contacts over time ready for them
--    (Genesys routing status, CXone agent states), with the agent name.
SELECT s.vendor, s.date, a.name AS agent,
       round(100 * sum(s.duration_ms) FILTER (WHERE s.state IN
             ('INTERACTING', 'COMMUNICATING', 'InboundContact', 'OutboundContact', 'InboundConsult', 'OutboundConsult'))
           / nullif(sum(s.duration_ms) FILTER (WHERE s.state IN
             ('IDLE', 'INTERACTING', 'COMMUNICATING', 'Available', 'Dialer',
              'InboundContact', 'OutboundContact', 'InboundConsult', 'OutboundConsult')), 0), 1) AS occupancy_pct
FROM read_parquet('LAKE/agent_states/**/*.parquet', hive_partitioning = true) s
JOIN agent_names a USING (vendor, agent_id)
WHERE s.kind IN ('routing', 'state')
GROUP BY ALL ORDER BY ALL;

#!/usr/bin/env bash
# The Airflow example (examples/airflow/cxetl_dag.py) run for real: Airflow
# from PyPI in a venv under target/, `airflow dags test` once per vendor
# against `cxetl simulate`, both into ONE lake; then DuckDB and `cxetl status`
# check the lake (scripts/check_airflow_lake.py), the DAG's status gate is
# shown to fail on a gap, and the Kubernetes examples are checked
# (scripts/check_kubernetes_examples.py). Called by .ci/run after the demo
# step (which builds target/release/cxetl); runs alone as well.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
BIN=${CXETL_BIN:-$ROOT/target/release/cxetl}
VENV=$ROOT/target/ci-airflow-venv
WORK=$ROOT/target/ci-airflow
LAKE=$WORK/lake
SHARDS=3
START=2026-11-14 END=2026-11-23

[[ -x "$BIN" ]] || { echo "$BIN missing: cargo build --release first" >&2; exit 1; }
rm -rf "$WORK" && mkdir -p "$WORK"

SIM_PIDS=()
cleanup() {
    local p
    for p in "${SIM_PIDS[@]}"; do
        kill -INT "$p" 2>/dev/null || true
        wait "$p" 2>/dev/null || true
    done
}
trap cleanup EXIT

# Airflow: the pinned set in requirements.txt installs from PyPI alone (no
# constraints file); an existing venv with it installed is reused.
if ! "$VENV/bin/python" -c 'import airflow, duckdb, yaml' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r examples/airflow/requirements.txt
fi
export AIRFLOW_HOME=$WORK/airflow-home PYTHONDONTWRITEBYTECODE=1
export AIRFLOW__CORE__DAGS_FOLDER=$ROOT/examples/airflow
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__UNIT_TEST_MODE=False
export AIRFLOW__LOGGING__LOGGING_LEVEL=WARNING
airflow() { "$VENV/bin/airflow" "$@"; }
airflow db migrate >"$WORK/db-migrate.log" 2>&1 || { cat "$WORK/db-migrate.log"; exit 1; }
airflow pools set cxetl "$SHARDS" "cxetl shards" >/dev/null

# One simulator per vendor, nine days of data; the credentials they print go
# to the environment the DAG's tasks inherit (append_env).
for vendor in genesys cxone; do
    "$BIN" simulate "$vendor" --conversations 3000 --start "$START" --end "$END" \
        >"$WORK/$vendor.sim.json" 2>"$WORK/$vendor.sim.log" &
    SIM_PIDS+=($!)
done
for vendor in genesys cxone; do
    for _ in $(seq 300); do [[ -s "$WORK/$vendor.sim.json" ]] && break; sleep 0.1; done
    [[ -s "$WORK/$vendor.sim.json" ]] || { echo "$vendor simulator not ready" >&2; cat "$WORK/$vendor.sim.log" >&2; exit 1; }
    eval "$(python3 -c 'import json, shlex, sys
for k, v in json.loads(open(sys.argv[1]).readline())["credentials"].items():
    print(f"export {k}={shlex.quote(str(v))}")' "$WORK/$vendor.sim.json")"
done
export CXETL_JOB_POLL_MS=200 CXETL_TASK_RETRIES=0

# `dags test` runs one DAG run in-process (tasks one after another, mapped
# ones included) and exits 0 only when the run succeeded.
dag_test() {
    local name=$1 date=$2 conf=$3
    echo "airflow dags test cxetl $date -c '$conf'"
    if ! airflow dags test cxetl "$date" -c "$conf" >"$WORK/$name.log" 2>&1; then
        tail -n 40 "$WORK/$name.log"
        return 1
    fi
}
day=23
for vendor in genesys cxone; do
    day=$((day + 1))
    dag_test "dag-$vendor" "2026-11-$day" "{\"cxetl\": \"$BIN\", \"vendor\": \"$vendor\", \"output\": \"$LAKE\", \"shards\": $SHARDS, \"start\": \"$START\", \"end\": \"$END\"}"
    grep -E "shard 20|state=|DagRun Finished" "$WORK/dag-$vendor.log" | sed 's/^/  /' | head -n 12 || true
done

"$VENV/bin/python" scripts/check_airflow_lake.py "$LAKE" "$BIN" "$SHARDS" "$WORK/genesys.sim.json" "$WORK/cxone.sim.json"

# The status gate fails on a gap: the same task over one more day, which
# nobody loaded. `tasks test` runs one task with these params, in a run of
# its own (a logical date without a run, so no earlier conf overrides them);
# it exits 0 whatever the task did, so the log is what tells.
echo "status gate over 2026-11-13..$END, 2026-11-13 never loaded (must fail):"
airflow tasks test cxetl status 2026-11-30 -t "{\"cxetl\": \"$BIN\", \"vendor\": \"genesys\", \"output\": \"$LAKE\", \"start\": \"2026-11-13\", \"end\": \"$END\"}" >"$WORK/gap.log" 2>&1 || true
if ! grep -q "AirflowFailException: the lake has gaps" "$WORK/gap.log"; then
    tail -n 20 "$WORK/gap.log"
    echo "the status task did not fail on a lake with a gap" >&2
    exit 1
fi
grep -o "AirflowFailException: the lake has gaps: .*" "$WORK/gap.log" | head -n 1 | sed 's/^/  /'

"$VENV/bin/python" scripts/check_kubernetes_examples.py "$BIN" "$WORK"

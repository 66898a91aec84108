#!/usr/bin/env bash
# End-to-end benchmarks of cxetl against its loopback simulator (issue 5).
#
#   scripts/bench.sh [quick|full|throughput|replay|ratelimit|rss|dlt|duckdb|backfill]...
#
#   quick       build, throughput (200k), replay (50k), rate-limited run (150 pages)  ~4-6 min
#   full        throughput, replay (100k), rate-limited run (600 pages), RSS 100k vs 1M,
#               dlt and DuckDB side by side                                          ~20+ min
#   throughput  `cxetl run` against `cxetl simulate` with no latency, no rate limit
#               (async jobs: 1000/page; and the synchronous query: 100/page)
#   replay      transform + Parquet write from captured raw pages, no network,
#               1 and 2 threads (examples/capture_pages.rs, examples/replay_pages.rs);
#               REPLAY_PII=hash applies `--pii hash` first (the cost of the PII policy)
#   ratelimit   500 ms per page, the simulator enforcing 300 req/min, cxetl at
#               --rate-per-minute 300: wall time vs pages ÷ 5 req/s, 429 count
#   rss         peak RSS of `cxetl run` at 100k and 1M conversations
#   dlt         the dlt baseline (/work/shared/bench/dlt) in a venv under target/bench/venv
#   duckdb      DuckDB read_json + unnest + COPY … (FORMAT parquet) over the captured pages
#   backfill    a 60-day Genesys backfill (async jobs that take BF_JOB_LATENCY_MS to run,
#               300 req/min enforced per token): `cxetl plan --shards 1` vs `--shards 4`,
#               the shards run as parallel processes, each with its own token; wall
#               time vs the lower bound of each, and the ratio             ~4 min
#   delta       the query-API throughput run as --format parquet and --format delta, alternated
#               DELTA_REPEAT times (default 2) on fresh simulators (issue 14: within 10 %)
#
# Sizes are environment variables: TP_N, REPLAY_N, RL_N, RSS_SMALL, RSS_LARGE, DLT_PAGES,
# BF_N, BF_DAYS, BF_JOB_LATENCY_MS, BF_POLL_MS (CXETL_JOB_POLL_MS of the backfill runs);
# BENCH_NO_BUILD=1 skips the release build (binaries already built).
# Everything lands under target/bench/; the table at the end is also written to
# target/bench/results.md. Only 127.0.0.1 is contacted (plus PyPI for the venv).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=$ROOT/target/bench
BIN=$ROOT/target/release/cxetl
EX=$ROOT/target/release/examples
DLT_DIR=${DLT_DIR:-/work/shared/bench/dlt}
VENV=$BENCH/venv
mkdir -p "$BENCH"
ROWS=$BENCH/rows.tsv
: >"$ROWS"
RATIOS=$BENCH/ratios.tsv
: >"$RATIOS"

SIM_PID=""
cleanup() {
    if [[ -n "$SIM_PID" ]] && kill -0 "$SIM_PID" 2>/dev/null; then
        kill -INT "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
    fi
}
trap cleanup EXIT

log() { printf '\n== %s\n' "$*" >&2; }

# ---------------------------------------------------------------------------
# Tools

TIME_BIN=""
ensure_time() {
    if [[ -x /usr/bin/time ]]; then
        TIME_BIN=/usr/bin/time
    elif [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
        log "installing GNU time (apt-get install -y time)"
        apt-get install -y time >/dev/null 2>&1 || true
        [[ -x /usr/bin/time ]] && TIME_BIN=/usr/bin/time
    fi
    if [[ -z "$TIME_BIN" ]]; then
        echo "warning: /usr/bin/time not found: peak RSS will be reported as n/a" >&2
    fi
}

build() {
    if [[ -n "${BENCH_NO_BUILD:-}" ]]; then
        log "BENCH_NO_BUILD set: using the existing target/release binaries"
        return
    fi
    log "cargo build --release (cxetl, capture_pages, replay_pages)"
    cargo build --release --bin cxetl --example capture_pages --example replay_pages >&2
}

ensure_venv() {
    if [[ ! -x "$VENV/bin/python" ]] || ! "$VENV/bin/python" -c 'import dlt, duckdb' 2>/dev/null; then
        log "creating $VENV with dlt[parquet,duckdb,filesystem]==1.31.0"
        python3 -m venv "$VENV"
        "$VENV/bin/pip" install -q "dlt[parquet,duckdb,filesystem]==1.31.0" >&2
    fi
}

# Runs "$@" under /usr/bin/time -v; the report goes to $1 (first argument).
timed() {
    local report=$1
    shift
    if [[ -n "$TIME_BIN" ]]; then
        "$TIME_BIN" -v -o "$report" "$@"
    else
        local t0 t1
        t0=$(date +%s.%N)
        "$@"
        local rc=$?
        t1=$(date +%s.%N)
        printf 'Elapsed (wall clock) time (h:mm:ss or m:ss): 0:%s\nMaximum resident set size (kbytes): 0\n' \
            "$(python3 -c "print(f'{$t1-$t0:.2f}')")" >"$report"
        return $rc
    fi
}

# ---------------------------------------------------------------------------
# Simulator

# start_sim NAME ARGS...: starts `cxetl simulate genesys` and exports the
# credentials it prints. Generation of large datasets takes a while; waits up
# to SIM_WAIT seconds (default 900).
start_sim() {
    local name=$1
    shift
    local out=$BENCH/$name.sim.out
    local t0
    t0=$(date +%s.%N)
    # Remove the previous run's file first: the child truncates it only
    # after the fork, so the wait below could otherwise read stale output.
    rm -f "$out"
    "$BIN" simulate genesys --port 0 "$@" >"$out" 2>"$BENCH/$name.sim.err" &
    SIM_PID=$!
    local waited=0
    while [[ ! -s "$out" ]]; do
        if ! kill -0 "$SIM_PID" 2>/dev/null; then
            echo "simulator exited early:" >&2
            cat "$BENCH/$name.sim.err" >&2
            exit 1
        fi
        if ((waited >= ${SIM_WAIT:-900} * 10)); then
            echo "simulator not ready after ${SIM_WAIT:-900}s" >&2
            exit 1
        fi
        sleep 0.1
        waited=$((waited + 1))
    done
    SIM_READY_S=$(python3 -c "import time; print(f'{time.time() - $t0:.1f}')")
    eval "$(python3 - "$out" <<'EOF'
import json, shlex, sys
line = open(sys.argv[1]).readline()
for k, v in json.loads(line)["credentials"].items():
    print(f"export {k}={shlex.quote(str(v))}")
EOF
)"
    echo "simulator ready in ${SIM_READY_S}s at $GENESYS_API_URL (pid $SIM_PID)" >&2
}

# Stops the simulator; sets SIM_RSS_MB from its VmHWM.
stop_sim() {
    SIM_RSS_MB=n/a
    if [[ -n "$SIM_PID" ]] && [[ -r /proc/$SIM_PID/status ]]; then
        SIM_RSS_MB=$(awk '/VmHWM/ {printf "%.0f", $2 / 1024}' "/proc/$SIM_PID/status")
    fi
    if [[ -n "$SIM_PID" ]]; then
        kill -INT "$SIM_PID" 2>/dev/null || true
        wait "$SIM_PID" 2>/dev/null || true
    fi
    SIM_PID=""
}

# ---------------------------------------------------------------------------
# cxetl run

# run_cxetl NAME START END BOUND_RATE ARGS...: one `cxetl run genesys`, one
# row in the table. BOUND_RATE (requests/s) > 0 adds the rate-limit bound.
run_cxetl() {
    local name=$1 start=$2 end=$3 rate=$4
    shift 4
    local out=$BENCH/$name.out
    rm -rf "$out"
    log "$name: cxetl run genesys --start $start --end $end $*"
    local rc=0
    LOAD_BEFORE=$(cut -d' ' -f1 /proc/loadavg)
    # The conversations stream alone: the workload the figures have always measured.
    timed "$BENCH/$name.time" "$BIN" run genesys --streams conversations --start "$start" --end "$end" \
        --output "$out" "$@" >"$BENCH/$name.stdout" 2>"$BENCH/$name.stderr" || rc=$?
    if ((rc != 0)); then
        echo "cxetl exited with $rc; last log lines:" >&2
        tail -5 "$BENCH/$name.stderr" >&2
    fi
    stop_sim
    python3 - "$name" "$BENCH" "$rate" "$SIM_RSS_MB" "${SIM_READY_S:-}" "$rc" "$LOAD_BEFORE" >>"$ROWS" <<'EOF'
import json, re, sys
name, bench, rate, sim_rss, sim_ready, rc, load = sys.argv[1:8]
rate = float(rate)
summary = json.loads(open(f"{bench}/{name}.stdout").read().strip().splitlines()[-1])
t = open(f"{bench}/{name}.time").read()
def field(label):
    m = re.search(re.escape(label) + r":\s*(\S+)", t)
    return m.group(1) if m else "0"
wall = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
secs = 0.0
for part in wall.split(":"):
    secs = secs * 60 + float(part)
rss_mb = int(field("Maximum resident set size (kbytes)")) / 1024
http = summary.get("http", {})
conv = summary.get("conversations", 0)
req = http.get("requests", 0)
api_req = req - http.get("token_requests", 0)
notes = [f"exit {rc}"] if rc != "0" else []
notes.append(f"sim ready {sim_ready}s, sim RSS {sim_rss} MB")
notes.append(f"cxetl cpu {field('Percent of CPU this job got')}, load avg before {load}")
if rate > 0:
    bound = api_req / rate
    notes.append(f"bound {bound:.1f}s ({api_req} req ÷ {rate:g}/s), wall/bound {secs / bound:.2f}")
print("\t".join([name, str(conv), str(req), str(http.get("throttled", 0)),
                 f"{secs:.1f}", f"{conv / secs:,.0f}" if secs else "n/a",
                 f"{rss_mb:.0f}" if rss_mb else "n/a", "; ".join(notes)]))
EOF
    tail -1 "$ROWS" | tr '\t' '|' >&2
}

# ---------------------------------------------------------------------------
# Scenarios

throughput() {
    local n=${TP_N:-200000}
    start_sim "tp-jobs-$n" --conversations "$n"
    run_cxetl "tp-jobs-$n" 2026-11-20 2026-11-23 0 --genesys-api jobs --rate-per-minute 1000000
    start_sim "tp-query-$n" --conversations "$n"
    run_cxetl "tp-query-$n" 2026-11-20 2026-11-23 0 --genesys-api query --rate-per-minute 1000000
}

# --format parquet and --format delta back to back, alternated, so drift in
# machine load hits both alike: the query-API throughput run, with slices of
# DELTA_SLICE (default 1d: 3 commits per table; 6h: 12).
delta_vs_parquet() {
    local n=${TP_N:-200000} i slice=${DELTA_SLICE:-1d}
    for ((i = 1; i <= ${DELTA_REPEAT:-2}; i++)); do
        local f
        for f in parquet delta; do
            start_sim "fmt-$f-$slice-$n-$i" --conversations "$n"
            run_cxetl "fmt-$f-$slice-$n-$i" 2026-11-20 2026-11-23 0 --genesys-api query \
                --rate-per-minute 1000000 --slice "$slice" --format "$f"
        done
    done
}

REPLAY_DIR=""
capture() {
    local n=$1
    REPLAY_DIR=$BENCH/pages-$n
    if [[ ! -f "$REPLAY_DIR/window.txt" ]]; then
        log "capturing $n conversations as job result pages into $REPLAY_DIR"
        "$EX/capture_pages" --conversations "$n" --out "$REPLAY_DIR" >&2
    fi
}

replay() {
    local n=${REPLAY_N:-50000}
    # REPLAY_PII=hash|drop applies that personal-data policy before encoding.
    local pii=${REPLAY_PII:-keep}
    capture "$n"
    local threads
    for threads in 1 2; do
        local name="replay-$n-t$threads"
        [[ $pii == keep ]] || name="$name-pii-$pii"
        log "$name: transform + Parquet write from $REPLAY_DIR on $threads thread(s)"
        rm -rf "$BENCH/$name.out"
        timed "$BENCH/$name.time" "$EX/replay_pages" --pages "$REPLAY_DIR" --threads "$threads" \
            --pii "$pii" --out "$BENCH/$name.out" >"$BENCH/$name.stdout"
        python3 - "$name" "$BENCH" >>"$ROWS" <<'EOF'
import json, re, sys
name, bench = sys.argv[1:3]
r = json.loads(open(f"{bench}/{name}.stdout").read().strip().splitlines()[-1])
t = open(f"{bench}/{name}.time").read()
m = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", t)
rss = int(m.group(1)) / 1024 if m else 0
print("\t".join([name, str(r["conversations"]), "0", "0", f"{r['seconds']:.2f}",
                 f"{r['conversations_per_s']:,.0f}", f"{rss:.0f}" if rss else "n/a",
                 f"{r['pages']} pages, {r['json_bytes'] / r['conversations']:.0f} B JSON/conv; "
                 f"RSS includes all pages held in memory ({r['json_bytes'] / 2**20:.0f} MB)"]))
EOF
        tail -1 "$ROWS" | tr '\t' '|' >&2
    done
}

ratelimit() {
    local n=${RL_N:-15000}
    # Four UTC days → four 1-day slices extracted at once (--concurrency 4):
    # enough parallel streams (4 ÷ 0.5 s = 8 req/s) that 5 req/s is the bound.
    start_sim "rl-$n" --conversations "$n" --start 2026-11-20 --end 2026-11-24 \
        --latency-ms 500 --rate-limit 300
    run_cxetl "rl-$n" 2026-11-20 2026-11-24 5 --genesys-api query --rate-per-minute 300 --concurrency 4
}

rss() {
    local n
    for n in ${RSS_SMALL:-100000} ${RSS_LARGE:-1000000}; do
        start_sim "rss-$n" --conversations "$n"
        run_cxetl "rss-$n" 2026-11-20 2026-11-23 0 --genesys-api jobs --rate-per-minute 1000000
    done
}

dlt() {
    ensure_venv
    local pages=${DLT_PAGES:-10}
    local name="dlt-${pages}x1000"
    log "$name: dlt rest_api → parquet against its own fake server ($DLT_DIR)"
    # run_dlt.py writes summary.json next to itself: run a copy under target/.
    rm -rf "$BENCH/dlt-src" && mkdir -p "$BENCH/dlt-src"
    cp "$DLT_DIR"/*.py "$BENCH/dlt-src/"
    local rc=0
    (cd "$BENCH/dlt-src" && timed "$BENCH/$name.time" "$VENV/bin/python" run_dlt.py --spawn-server \
        --pages "$pages" --page-size 1000 --out "$BENCH/$name.out") >"$BENCH/$name.stdout" 2>"$BENCH/$name.stderr" || rc=$?
    ((rc == 0)) || { echo "dlt run failed ($rc):" >&2; tail -5 "$BENCH/$name.stderr" >&2; }
    python3 - "$name" "$BENCH" >>"$ROWS" <<'EOF'
import json, re, sys
name, bench = sys.argv[1:3]
text = open(f"{bench}/{name}.stdout").read()
r = json.loads(text[text.index("{"):])
conv = r["rows_per_table"]["conversations"]
total = float(r["seconds"]["total"])
s = r["seconds"]
t = open(f"{bench}/{name}.time").read()
m = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", t)
rss = int(m.group(1)) / 1024 if m else 0
print("\t".join([name, str(conv), "n/a", "0", f"{total:.1f}", f"{conv / total:,.0f}",
                 f"{rss:.0f}" if rss else "n/a",
                 f"dlt {r['dlt_version']} vs its own fake server; extract {s['extract']}s, normalize {s['normalize']}s, load {s['load']}s (imports excluded)"]))
EOF
    tail -1 "$ROWS" | tr '\t' '|' >&2
}

duckdb_pages() {
    ensure_venv
    local n=${REPLAY_N:-50000}
    capture "$n"
    local name="duckdb-$n"
    log "$name: DuckDB read_json + unnest + COPY (FORMAT parquet) over $REPLAY_DIR"
    rm -rf "$BENCH/$name.out"
    timed "$BENCH/$name.time" "$VENV/bin/python" "$ROOT/scripts/bench/duckdb_pages.py" \
        "$REPLAY_DIR" "$BENCH/$name.out" >"$BENCH/$name.stdout"
    python3 - "$name" "$BENCH" >>"$ROWS" <<'EOF'
import json, re, sys
name, bench = sys.argv[1:3]
r = json.loads(open(f"{bench}/{name}.stdout").read().strip().splitlines()[-1])
t = open(f"{bench}/{name}.time").read()
m = re.search(r"Maximum resident set size \(kbytes\):\s*(\d+)", t)
rss = int(m.group(1)) / 1024 if m else 0
print("\t".join([name, str(r["conversations"]), "0", "0", f"{r['seconds']:.2f}",
                 f"{r['conversations_per_s']:,.0f}", f"{rss:.0f}" if rss else "n/a",
                 f"duckdb {r['duckdb']}, {r['threads']} threads, rows {r['rows']}"]))
EOF
    tail -1 "$ROWS" | tr '\t' '|' >&2
}

# backfill: one simulator (job latency, 300 req/min per token), then for 1 and
# 4 shards: `cxetl plan`, every shard's args as its own process, all at once.
# Its own table (bf.tsv): the rows above are single runs.
BF_ROWS=$BENCH/bf.tsv
backfill() {
    local n=${BF_N:-300000} days=${BF_DAYS:-60} latency=${BF_JOB_LATENCY_MS:-4000}
    local start=2026-09-01 end
    end=$(date -u -d "$start + $days days" +%F)
    : >"$BF_ROWS"
    start_sim "bf-$n" --conversations "$n" --start "$start" --end "$end" \
        --job-latency-ms "$latency" --rate-limit 300
    local shards
    for shards in 1 4; do
        local name="bf-$n-s$shards" out
        out=$BENCH/$name.out
        rm -rf "$out" "$BENCH/$name".shard*
        "$BIN" plan genesys --start "$start" --end "$end" --shards "$shards" \
            --streams conversations --genesys-api jobs --output "$out" >"$BENCH/$name.plan"
        log "$name: $shards shard(s): $(python3 -c "import json,sys; print(', '.join(s['start'][:10] + '..' + s['end'][:10] for s in json.load(open(sys.argv[1]))['shards']))" "$BENCH/$name.plan")"
        local pids=() i=0 t0 t1 line rc=0
        t0=$(date +%s.%N)
        while IFS= read -r line; do
            eval "local args=($line)"
            CXETL_JOB_POLL_MS=${BF_POLL_MS:-1000} "$BIN" "${args[@]}" \
                >"$BENCH/$name.shard$i.stdout" 2>"$BENCH/$name.shard$i.stderr" &
            pids+=($!)
            i=$((i + 1))
        done < <(python3 -c "import json,shlex,sys; [print(shlex.join(s['args'])) for s in json.load(open(sys.argv[1]))['shards']]" "$BENCH/$name.plan")
        for p in "${pids[@]}"; do wait "$p" || rc=$?; done
        t1=$(date +%s.%N)
        ((rc == 0)) || { echo "a shard exited $rc" >&2; tail -n 3 "$BENCH/$name".shard*.stderr >&2; }
        python3 - "$name" "$BENCH" "$shards" "$t0" "$t1" "$latency" "$rc" >>"$BF_ROWS" <<'EOF'
import glob, json, math, sys
from datetime import datetime
name, bench, shards, t0, t1, latency, rc = sys.argv[1:8]
wall = float(t1) - float(t0)
rate = 300 / 60  # requests/s per token, enforced by the simulator
conv = req = throttled = 0
rate_bound = latency_bound = 0.0
for f in sorted(glob.glob(f"{bench}/{name}.shard*.stdout")):
    s = json.loads(open(f).read().strip().splitlines()[-1])
    http = s["http"]
    api = http["requests"] - http["token_requests"]
    conv += s["conversations"]
    req += http["requests"]
    throttled += http["throttled"]
    # Each shard has its own token: its requests at 5/s; and its slices (one
    # job each, --concurrency 4 at once) each wait the job latency.
    rate_bound = max(rate_bound, api / rate)
    iv = [datetime.fromisoformat(s["interval"][k].replace("Z", "+00:00")) for k in ("start", "end")]
    slices = math.ceil((iv[1] - iv[0]).total_seconds() / 86400)  # --slice 1d
    latency_bound = max(latency_bound, math.ceil(slices / 4) * int(latency) / 1000)
bound = max(rate_bound, latency_bound)
print("\t".join([name, shards, str(conv), str(req), str(throttled), f"{wall:.1f}",
                 f"{bound:.1f}", f"{wall / bound:.2f}",
                 f"rate bound {rate_bound:.1f}s, job-latency bound {latency_bound:.1f}s"
                 + ("" if rc == "0" else f"; exit {rc}")]))
EOF
        tail -n 1 "$BF_ROWS" | tr '\t' '|' >&2
    done
    stop_sim
    python3 - "$BF_ROWS" "$n" "$days" "$latency" <<'EOF' | tee "$BENCH/backfill.md"
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
n, days, latency = sys.argv[2:5]
print()
print(f"Backfill of {days} days, {int(n):,} conversations, jobs of {latency} ms, 300 req/min per token")
print()
print("| run | shards | conversations | requests | 429s | wall s | lower bound s | wall/bound | notes |")
print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
if len(rows) == 2:
    w1, w4 = float(rows[0][5]), float(rows[1][5])
    print()
    print(f"1 shard / 4 shards: **{w1 / w4:.2f}×** ({w1:.1f}s vs {w4:.1f}s)")
EOF
}

# ---------------------------------------------------------------------------

report() {
    python3 - "$ROWS" <<'EOF' | tee "$BENCH/results.md"
import sys
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[1]) if l.strip()]
print()
print("| scenario | conversations | requests | 429s | wall s | conv/s | peak RSS MB | notes |")
print("|---|---:|---:|---:|---:|---:|---:|---|")
for r in rows:
    print("| " + " | ".join(r) + " |")
rate = {r[0]: float(r[5].replace(",", "")) for r in rows if r[5] not in ("n/a", "")}
def first(prefix):
    return next((k for k in rate if k.startswith(prefix)), None)
pairs = [("replay-", "-t2", "duckdb-"), ("tp-jobs-", "", "dlt-"), ("replay-", "-t2", "dlt-")]
lines = []
for a, suffix, b in pairs:
    ka = next((k for k in rate if k.startswith(a) and k.endswith(suffix)), None)
    kb = first(b)
    if ka and kb and rate[kb]:
        lines.append(f"- {ka} / {kb}: **{rate[ka] / rate[kb]:.1f}×** ({rate[ka]:,.0f} vs {rate[kb]:,.0f} conv/s)")
if lines:
    print()
    print("Ratios (conversations/s):")
    print("\n".join(lines))
EOF
}

modes=("$@")
[[ ${#modes[@]} -eq 0 ]] && modes=(quick)
ensure_time
build
for m in "${modes[@]}"; do
    case $m in
    quick)
        TP_N=${TP_N:-200000} throughput
        REPLAY_N=${REPLAY_N:-50000} replay
        RL_N=${RL_N:-15000} ratelimit
        ;;
    full)
        throughput
        REPLAY_N=${REPLAY_N:-100000} replay
        REPLAY_N=${REPLAY_N:-100000} duckdb_pages
        dlt
        RL_N=${RL_N:-60000} ratelimit
        rss
        ;;
    throughput) throughput ;;
    replay) replay ;;
    ratelimit) ratelimit ;;
    rss) rss ;;
    dlt) dlt ;;
    duckdb) duckdb_pages ;;
    backfill) backfill ;;
    delta) delta_vs_parquet ;;
    *)
        echo "unknown scenario $m (quick|full|throughput|replay|ratelimit|rss|dlt|duckdb|backfill|delta)" >&2
        exit 2
        ;;
    esac
done
# The backfill prints its own table.
if [[ -s "$ROWS" ]]; then report; fi

#!/usr/bin/env bash
# Import benchmark (issue: foundation). Not a test: it prints figures.
#
#   bash scripts/bench-import.sh [MEMBERS] [YEARS]      (defaults: 47411 3 ≈ 80 million events)
#
# 1. `vanguard seed --files-only` writes the reference dataset as §3 CSV files, and DuckDB
#    (from PyPI, in a venv under the cache) converts the events to Parquet.
# 2. Baseline: psql \copy of the same events CSV into a typed PostgreSQL table with the same
#    unique key on event_id.
# 3. `vanguard import` of the CSV directory and of the Parquet directory, into a fresh SQLite
#    file and into a fresh PostgreSQL database, each under /usr/bin/time -v for peak memory.
# Prints events/s for each and the ratio to the psql baseline.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh

MEMBERS="${1:-47411}"
YEARS="${2:-3}"
PG="${VANGUARD_BENCH_PG:-postgres://postgres@127.0.0.1:5432}"
WORK="${VANGUARD_BENCH_DIR:-$VG_CACHE_DIR/bench-import-$MEMBERS-$YEARS}"
BIN="$CARGO_TARGET_DIR/release/vanguard"

command -v /usr/bin/time >/dev/null || vg_apt_install time
vg_say "building the release binary"
cargo build --release -p server --locked
mkdir -p "$WORK/csv" "$WORK/parquet"

if [ ! -f "$WORK/csv/.complete" ]; then
    vg_say "generating $MEMBERS members × $YEARS years into $WORK/csv"
    "$BIN" seed --files-only --out "$WORK/csv" --members "$MEMBERS" --years "$YEARS" --seed 42
    touch "$WORK/csv/.complete"
fi
if [ ! -f "$WORK/parquet/.complete" ]; then
    VENV="$VG_CACHE_DIR/venv"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/python" -c 'import duckdb' 2>/dev/null || "$VENV/bin/pip" install -q duckdb
    vg_say "converting the CSV files to Parquet with DuckDB (all columns as strings)"
    "$VENV/bin/python" - "$WORK/csv" "$WORK/parquet" <<'PY'
import duckdb, pathlib, sys
src, dst = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
con = duckdb.connect()
for f in sorted(src.glob("*.csv")):
    out = dst / (f.stem + ".parquet")
    con.execute(f"COPY (SELECT * FROM read_csv('{f}', header=true, all_varchar=true)) TO '{out}' (FORMAT parquet, ROW_GROUP_SIZE 1000000)")
PY
    touch "$WORK/parquet/.complete"
fi

EVENTS=$(cat "$WORK"/csv/events*.csv | wc -l)
EVENTS=$((EVENTS - $(ls "$WORK"/csv/events*.csv | wc -l)))
vg_say "dataset: $EVENTS events"

psql_admin() { psql -X -q -v ON_ERROR_STOP=1 "$PG/postgres" "$@"; }
fresh_pg() { psql_admin -c "DROP DATABASE IF EXISTS $1 WITH (FORCE)" -c "CREATE DATABASE $1"; }

# Baseline: psql \copy of the same CSV files.
fresh_pg vg_bench_copy
psql -X -q -v ON_ERROR_STOP=1 "$PG/vg_bench_copy" -c "CREATE TABLE events (event_id text PRIMARY KEY, member_id text NOT NULL, kind text NOT NULL, occurred_at timestamp NOT NULL, activity_id text, quantity numeric, period text, source text NOT NULL)"
t0=$(date +%s.%N)
for f in "$WORK"/csv/events*.csv; do
    psql -X -q -v ON_ERROR_STOP=1 "$PG/vg_bench_copy" -c "\\copy events FROM '$f' WITH (FORMAT csv, HEADER true)"
done
t1=$(date +%s.%N)
BASE=$(python3 -c "print(round($EVENTS / ($t1 - $t0)))")
vg_say "baseline psql \\copy: $BASE events/s"

run_import() { # label url dir
    local label="$1" url="$2" dir="$3" log="$WORK/$1.log"
    /usr/bin/time -v "$BIN" import --db "$url" "$dir" >"$log" 2>"$log.time" || { tail -5 "$log" "$log.time"; vg_die "$label failed"; }
    local secs rss rate
    secs=$(grep -oP 'in \K[0-9.]+(?=s \()' "$log" | tail -1)
    rss=$(grep -oP 'Maximum resident set size \(kbytes\): \K[0-9]+' "$log.time")
    rate=$(python3 -c "print(round($EVENTS / $secs))")
    printf '%-26s %10s events/s  %6.2f × psql \\copy  peak RSS %5d MB  (%ss)\n' "$label" "$rate" "$(python3 -c "print($rate / $BASE)")" $((rss / 1024)) "$secs" | tee -a "$WORK/results.txt"
}

: >"$WORK/results.txt"
for fmt in csv parquet; do
    rm -f "$WORK/bench.db" "$WORK/bench.db-wal" "$WORK/bench.db-shm"
    run_import "sqlite-$fmt" "sqlite://$WORK/bench.db" "$WORK/$fmt"
    fresh_pg vg_bench_import
    run_import "postgres-$fmt" "$PG/vg_bench_import" "$WORK/$fmt"
done
vg_say "results (baseline psql \\copy $BASE events/s):"
cat "$WORK/results.txt"

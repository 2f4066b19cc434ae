#!/usr/bin/env bash
# Engine benchmark (issue: analytics engine). Not a test: it prints figures.
#
#   bash scripts/bench-engine.sh [MEMBERS] [YEARS] [YEAR] [MONTH]   (defaults: 47411 3 2025 2026-10)
#
# Full recompute of the Vanguard Index for YEAR and the member lights, branch lights and
# subtree counts for MONTH, at the reference scale (≈ 78 million events over three years):
#   - vanguard recompute: from its columnar copy (brought up to date first, not timed), best
#     of 3, wall time and peak RSS;
#   - DuckDB, same machine, same run: the same rules (scripts/bench/duckdb_recompute.py runs
#     the rule SQL of the independent reference in scripts/crosscheck) from Parquet files of
#     the same data, best of 3, 2 threads, wall time and peak RSS.
# Prints both and the ratio (engine / DuckDB; target ≤ 1.0), and the time from one new event
# until every figure is current again (imported into a copy of the benchmark database made with
# `vanguard backup`, so that the database DuckDB's data is compared with never changes: an event
# it kept made the index of its member differ from DuckDB's whenever YEAR was the newest
# month's year. A database an earlier version of this script wrote such events into — ids
# `BENCH…` — disagrees likewise: generate it anew).
# Then checks that DuckDB's exports and `vanguard export` agree row by row at this scale, and
# times the three exports as a user runs them (`vanguard export index`, `member-lights`,
# `branch-lights`, one process after another, best of 3) against DuckDB's figure (issue 11
# item 7; target ≤ 0.5).
# Reuses the dataset and SQLite database of scripts/bench-import.sh when they exist.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh
# shellcheck source=scripts/lib/bench-data.sh
source scripts/lib/bench-data.sh

MEMBERS="${1:-47411}"
YEARS="${2:-3}"
YEAR="${3:-2025}"
MONTH="${4:-2026-10}"
WORK="${VANGUARD_BENCH_DIR:-$VG_CACHE_DIR/bench-import-$MEMBERS-$YEARS}"
PY="$(bash scripts/crosscheck/env.sh)"

command -v /usr/bin/time >/dev/null || vg_apt_install time
vg_bench_dataset "$MEMBERS" "$YEARS"
if [ ! -f "$WORK/engine-parquet/.complete" ]; then
    vg_say "writing the same data as typed Parquet for DuckDB (not timed)"
    rm -rf "$WORK/engine-parquet"
    "$PY" scripts/bench/csv_to_engine_parquet.py "$WORK/csv" "$WORK/engine-parquet" --segments 20
    touch "$WORK/engine-parquet/.complete"
fi

vg_say "vanguard recompute --year $YEAR --month $MONTH (best of 3)"
/usr/bin/time -v "$BIN" recompute --db "$DB" --year "$YEAR" --month "$MONTH" --repeat 3 >"$WORK/engine.out" 2>"$WORK/engine.time"
cat "$WORK/engine.out"
vg_say "DuckDB from Parquet, 2 threads (best of 3)"
"$PY" scripts/bench/duckdb_recompute.py "$WORK/engine-parquet" --year "$YEAR" --month "$MONTH" --threads 2 --repeat 3 --dump "$WORK/duckdb-dump" | tee "$WORK/duckdb.out"

e_best=$(grep -oP 'ENGINE_RESULT best_s=\K[0-9.]+' "$WORK/engine.out")
e_compute=$(grep -oP 'ENGINE_RESULT .* compute_s=\K[0-9.]+' "$WORK/engine.out")
e_rss=$(grep -oP 'Maximum resident set size \(kbytes\): \K[0-9]+' "$WORK/engine.time")
d_best=$(grep -oP 'DUCKDB_RESULT best_s=\K[0-9.]+' "$WORK/duckdb.out")
d_rss=$(grep -oP 'peak_rss_mb=\K[0-9]+' "$WORK/duckdb.out")


vg_say "checking that both agree row by row (vanguard export vs DuckDB's dump)"
for what in "index --year $YEAR index-$YEAR" "member-lights --month $MONTH member-lights-$MONTH" "branch-lights --month $MONTH branch-lights-$MONTH"; do
    read -r kind flag value name <<<"$what"
    "$BIN" export "$kind" --db "$DB" "$flag" "$value" --out "$WORK/engine-$name.csv" 2>/dev/null
    "$PY" scripts/crosscheck/compare.py "$WORK/duckdb-dump/$name.csv" "$WORK/engine-$name.csv"
done

# Issue 11 item 7: the three exports as a user runs them — one process after another, each
# loading the columnar copy itself (the agreement check above has run them once already, so
# the copy and its image are as a user's earlier exports leave them). Best of 3 rounds.
vg_say "vanguard export index, member-lights, branch-lights, one process after another (best of 3)"
x_best=""
for round in 1 2 3; do
    t0=$(date +%s.%N)
    "$BIN" export index --db "$DB" --year "$YEAR" --out "$WORK/x-index.csv" 2>>"$WORK/exports.log"
    "$BIN" export member-lights --db "$DB" --month "$MONTH" --out "$WORK/x-member-lights.csv" 2>>"$WORK/exports.log"
    "$BIN" export branch-lights --db "$DB" --month "$MONTH" --out "$WORK/x-branch-lights.csv" 2>>"$WORK/exports.log"
    t=$(python3 -c "print(f'{$(date +%s.%N) - $t0:.3f}')")
    echo "    round $round: $t s"
    x_best=$(python3 -c "print(min(float(x) for x in '$x_best $t'.split()))")
done
grep -o 'wrote .*' "$WORK/exports.log" | tail -n 3 | sed 's/^/    /'

vg_say "one new event, in a copy of the database (vanguard backup; its columnar copy built first, not timed)"
rm -rf "$WORK/one-event"
mkdir -p "$WORK/one-event"
"$BIN" backup --db "$DB" --out "$WORK/one-event/bench.db"
"$BIN" recompute --db "sqlite://$WORK/one-event/bench.db" --year "$YEAR" --month "$MONTH" --repeat 1 --one-event >"$WORK/one-event.out"
grep -E '^(one new event|hub ready)' "$WORK/one-event.out" | sed 's/^/    /'
e_incr=$(grep -oP 'INCREMENTAL_RESULT refresh_and_recompute_s=\K[0-9.]+' "$WORK/one-event.out")
rm -rf "$WORK/one-event"

printf '\n==> full recompute (index %s, lights and subtree counts %s), %s members, %s years:\n' "$YEAR" "$MONTH" "$MEMBERS" "$YEARS"
printf '    vanguard (polars)  %7.3f s (compute alone %.3f s)  peak RSS %5d MB\n' "$e_best" "$e_compute" $((e_rss / 1024))
printf '    DuckDB (Parquet)   %7.3f s                          peak RSS %5d MB\n' "$d_best" "$d_rss"
printf '    ratio vanguard / DuckDB = %.2f (target ≤ 1.0)\n' "$(python3 -c "print($e_best / $d_best)")"
printf '    one new event -> every figure current again: %.3f s (target < 1 s)\n' "$e_incr"
printf '    three exports, one process each: %.3f s; ratio to DuckDB (all three and the subtree counts) = %.2f (target ≤ 0.5)\n' "$x_best" "$(python3 -c "print($x_best / $d_best)")"

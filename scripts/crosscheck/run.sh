#!/usr/bin/env bash
# Cross-check: the engine's exports against the independent DuckDB reference, row by row.
#
#   bash scripts/crosscheck/run.sh VANGUARD_BIN [MEMBERS] [YEARS] [SEED]
#
# Seeds §3 files with `vanguard seed --files-only`, imports them into a fresh SQLite file
# and — when VANGUARD_TEST_PG names a server — into a fresh PostgreSQL database, then for
# every year of data and several months (first, middle, last, one before the data) writes
# each export with `vanguard export` and with reference.py and compares them byte for byte.
# Exit 1 on the first difference (compare.py prints the differing rows).
set -euo pipefail

BIN="${1:?usage: run.sh VANGUARD_BIN [MEMBERS] [YEARS] [SEED]}"
MEMBERS="${2:-1500}"
YEARS="${3:-2}"
SEED="${4:-11}"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$(bash "$HERE/env.sh")"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/vanguard-xc.XXXXXX")"
PG_DB=""
cleanup() {
    if [ -n "$PG_DB" ]; then psql -q "${VANGUARD_TEST_PG%/*}/postgres" -c "drop database if exists $PG_DB with (force)" >/dev/null 2>&1 || true; fi
    rm -rf "$WORK"
}
trap cleanup EXIT

echo "==> crosscheck: seeding $MEMBERS members × $YEARS years (seed $SEED) into $WORK/data"
"$BIN" seed --files-only --out "$WORK/data" --members "$MEMBERS" --years "$YEARS" --seed "$SEED" >/dev/null

urls=("sqlite://$WORK/xc.db")
if [ -n "${VANGUARD_TEST_PG:-}" ]; then
    PG_DB="vg_xc_$$_$RANDOM"
    psql -q "${VANGUARD_TEST_PG%/*}/postgres" -c "create database $PG_DB" >/dev/null
    urls+=("${VANGUARD_TEST_PG%/*}/$PG_DB")
fi

# Years and months of the data, from the event files' names (events-YYYY.csv).
mapfile -t years < <(ls "$WORK/data" | sed -n 's/^events-\([0-9]\{4\}\)\.csv$/\1/p' | sort)
[ "${#years[@]}" -gt 0 ] || { echo "no events-YYYY.csv files in $WORK/data" >&2; exit 1; }
first="${years[0]}"
last="${years[${#years[@]}-1]}"
months=("$((first - 1))-12" "$first-01" "$first-07" "$last-03" "$last-10" "$last-12")

checks=()
for y in "${years[@]}"; do checks+=("index --year $y"); done
for m in "${months[@]}"; do checks+=("member-lights --month $m" "branch-lights --month $m"); done

n=0
for url in "${urls[@]}"; do
    label="${url%%:*}"
    echo "==> crosscheck: importing into $label"
    "$BIN" import --db "$url" "$WORK/data" >/dev/null
    for c in "${checks[@]}"; do
        read -r what flag value <<<"$c"
        name="$what-$value"
        [ -f "$WORK/ref-$name.csv" ] || "$PY" "$HERE/reference.py" "$WORK/data" "$what" "$flag" "$value" --out "$WORK/ref-$name.csv"
        "$BIN" export "$what" --db "$url" "$flag" "$value" --out "$WORK/$label-$name.csv" 2>/dev/null
        if ! "$PY" "$HERE/compare.py" "$WORK/ref-$name.csv" "$WORK/$label-$name.csv" >"$WORK/cmp.txt"; then
            echo "==> crosscheck FAILED: $label $what $flag $value differs from the reference:" >&2
            cat "$WORK/cmp.txt" >&2
            exit 1
        fi
        rows=$(($(wc -l <"$WORK/ref-$name.csv") - 1))
        printf '    %-8s %-14s %-8s %6s rows identical\n' "$label" "$what" "$value" "$rows"
        n=$((n + 1))
    done
done
echo "==> crosscheck: $n exports identical to the reference"

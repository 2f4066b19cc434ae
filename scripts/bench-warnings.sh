#!/usr/bin/env bash
# Warning delivery benchmark (docs/RULES.md §11; issue: the operations loop). Not a test: it
# prints figures.
#
#   bash scripts/bench-warnings.sh [MEMBERS] [YEARS] [RUNS]   (defaults: 47411 1 5)
#
# Serves a seeded district (its own copy of the database, so the other benchmarks' data is not
# touched) with a generic webhook on a local receiver, then RUNS times imports one member who
# turns a red dues light on, and prints the time from the import to the receiver's request
# (target <= 5 s) beside the time until the server published the new data (the baseline).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh
# shellcheck source=scripts/lib/bench-data.sh
source scripts/lib/bench-data.sh

MEMBERS="${1:-47411}"
YEARS="${2:-1}"
RUNS="${3:-5}"
WORK="${VANGUARD_BENCH_DIR:-$VG_CACHE_DIR/bench-$MEMBERS-$YEARS}"
PORT="${VANGUARD_BENCH_PORT:-3392}"
RECEIVER_PORT="${VANGUARD_BENCH_RECEIVER_PORT:-3393}"

command -v curl >/dev/null || vg_apt_install curl
vg_bench_dataset "$MEMBERS" "$YEARS"

# A copy: the runs add members and warnings.
COPY="$WORK/warnings"
rm -rf "$COPY"
mkdir -p "$COPY"
# A consistent copy (the WAL may still hold the import's last pages): vanguard backup.
"$BIN" backup --db "sqlite://$WORK/bench.db" --out "$COPY/bench.db"
DB="sqlite://$COPY/bench.db"
ORG=$(python3 -c 'import csv,sys; print(next(r["org_id"] for r in csv.DictReader(open(sys.argv[1])) if r["kind"] == "branch"))' "$WORK/csv/orgs.csv")
ROOT=$(python3 -c 'import csv,sys; print(next(r["org_id"] for r in csv.DictReader(open(sys.argv[1])) if not r["parent_id"]))' "$WORK/csv/orgs.csv")
"$BIN" webhook add --db "$DB" --org "$ROOT" --kind generic --url "http://127.0.0.1:$RECEIVER_PORT/hook" --secret bench

# The receiver and the runs first (they wait for the server), so no message finds it down.
python3 scripts/bench/warning_latency.py "http://127.0.0.1:$PORT" "$BIN" "$DB" "$RECEIVER_PORT" "$COPY" "$ORG" "$RUNS" &
DRIVER=$!
vg_bench_serve "$COPY/server.log"
wait "$DRIVER"

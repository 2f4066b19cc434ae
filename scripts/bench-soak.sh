#!/usr/bin/env bash
# Soak benchmark (issue 11: run it 24/7). Not a test: it prints figures.
#
#   bash scripts/bench-soak.sh [MEMBERS] [YEARS] [CLIENTS] [IMPORTS] [EVENTS] [MINUTES]
#                                          (defaults: 47411 1 200 20 10000 10)
#
# Serves a fresh copy of the seeded district (made with `vanguard backup` from the dataset the
# other benchmarks share, which is never written to) with the release binary on loopback, and
# runs scripts/bench/soak.py against it: CLIENTS simulated walls (the compiled client
# server/examples/soak_walls.rs, built here), each holding the event stream the pages open
# (/api/v1/events?events=version) and fetching /api/v1/snapshot once per version announced,
# accepting gzip as a browser does (ACCEPT_ENCODING= for none), all with the session cookie
# of the first-run admin; over MINUTES minutes, IMPORTS evenly spread `vanguard import`s of
# EVENTS new valid events each (existing members and activities, fresh event ids). Prints,
# with PASS/FAIL against the targets of issue 11:
#   - errors (non-2xx, streams refused, dropped or silent, timeouts, failed imports): 0;
#   - snapshot latency p50/p99 as the walls see it: p99 <= 20 ms;
#   - the server's RSS after the warm-up (every wall has the first import) and at the end:
#     growth <= 10 %;
#   - for each import, from the import command's end to each wall's `version` event
#     (p50 and max over imports of the slowest wall): <= 2 s.
# Bounded: the whole script is stopped after VANGUARD_SOAK_TIMEOUT seconds (default
# MINUTES × 60 + 90 min, which leaves room to build the dataset), the soak itself after
# MINUTES × 60 + 10 min.
set -euo pipefail
SELF="$(cd "$(dirname "$0")" && pwd)/$(basename "$0")"
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh
# shellcheck source=scripts/lib/bench-data.sh
source scripts/lib/bench-data.sh

MEMBERS="${1:-47411}"
YEARS="${2:-1}"
CLIENTS="${3:-200}"
IMPORTS="${4:-20}"
EVENTS="${5:-10000}"
MINUTES="${6:-10}"
for a in "$MEMBERS" "$YEARS" "$CLIENTS" "$IMPORTS" "$EVENTS" "$MINUTES"; do
    [[ "$a" =~ ^[1-9][0-9]*$ ]] || vg_die "arguments are positive integers: MEMBERS YEARS CLIENTS IMPORTS EVENTS MINUTES (got '$a')"
done
WORK="${VANGUARD_BENCH_DIR:-$VG_CACHE_DIR/bench-$MEMBERS-$YEARS}"
PORT="${VANGUARD_BENCH_PORT:-3395}"

# A hard bound on the whole run: the script re-runs itself under timeout(1), which stops its
# process group (the server, the walls and any import with it).
if [ -z "${VG_SOAK_BOUNDED:-}" ]; then
    export VG_SOAK_BOUNDED=1
    exec timeout -k 30 "${VANGUARD_SOAK_TIMEOUT:-$((MINUTES * 60 + 5400))}" bash "$SELF" "$@"
fi

command -v curl >/dev/null || vg_apt_install curl
vg_bench_dataset "$MEMBERS" "$YEARS"
vg_say "building the walls (server/examples/soak_walls.rs)"
cargo build --release -p server --example soak_walls --locked
WALLS="$CARGO_TARGET_DIR/release/examples/soak_walls"

# A fresh copy each run: the imports add events to it, and every run starts from the same data.
COPY="$WORK/soak"
vg_say "copying the dataset to $COPY"
rm -rf "$COPY"
mkdir -p "$COPY"
# A consistent copy (the WAL may still hold the import's last pages): vanguard backup.
"$BIN" backup --db "sqlite://$WORK/bench.db" --out "$COPY/bench.db"
# The first-run admin's file, when a server has already made one in the shared database.
if [ -f "$WORK/bench.db.first-run.txt" ]; then cp "$WORK/bench.db.first-run.txt" "$COPY/"; fi
DB="sqlite://$COPY/bench.db"

vg_bench_serve "$COPY/server.log"
vg_bench_login

vg_say "soak: $CLIENTS walls, $IMPORTS imports × $EVENTS events over $MINUTES min (server pid $SERVER)"
SERVER_LOG="$COPY/server.log" timeout -k 10 $((MINUTES * 60 + 600)) \
    python3 scripts/bench/soak.py "$URL" "$BIN" "$DB" "$SERVER" "$COPY" "$WORK/csv" "$CLIENTS" "$IMPORTS" "$EVENTS" "$MINUTES" "$WALLS" |
    tee "$COPY/soak.out"
kill -0 "$SERVER" 2>/dev/null || { tail -n 30 "$COPY/server.log"; vg_die "the server exited during the soak"; }
printf '    (%s members × %s years; server log %s, imports log %s/imports.log)\n' "$MEMBERS" "$YEARS" "$COPY/server.log" "$COPY"

#!/usr/bin/env bash
# QR check-in load benchmark (docs/RULES.md §10; issue: people and access). Not a test: it
# prints figures.
#
#   bash scripts/bench-checkin.sh [MEMBERS] [YEARS] [RATE] [SECONDS]   (defaults: 47411 1 100 60)
#
# Serves a seeded district (a copy of the benchmark dataset the other benchmarks share, made
# once and kept, so their database is not touched) with the release binary, adds RATE × SECONDS
# member accounts with `vanguard user import` (once, kept with the copy),
# creates an activity held now, and runs scripts/bench/checkin_load.py: RATE check-ins a
# second for SECONDS seconds, each from a distinct member, on loopback only. Prints the answer
# latency (target p99 ≤ 100 ms) and the time until each followed check-in is on the member's
# profile (target ≤ 2 s).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh
# shellcheck source=scripts/lib/bench-data.sh
source scripts/lib/bench-data.sh

MEMBERS="${1:-47411}"
YEARS="${2:-1}"
RATE="${3:-100}"
SECS="${4:-60}"
WORK="${VANGUARD_BENCH_DIR:-$VG_CACHE_DIR/bench-$MEMBERS-$YEARS}"
PORT="${VANGUARD_BENCH_PORT:-3391}"
NEED=$((RATE * SECS))

command -v curl >/dev/null || vg_apt_install curl
[ "$NEED" -le "$MEMBERS" ] || vg_die "$NEED distinct members needed, the district has $MEMBERS"
vg_bench_dataset "$MEMBERS" "$YEARS"

# The copy: check-ins and accounts accumulate in it, never in the shared database.
COPY="$WORK/checkin"
if [ ! -f "$COPY/.complete" ] || [ "$WORK/.bench-db-complete" -nt "$COPY/.complete" ]; then
    vg_say "copying the dataset to $COPY"
    rm -rf "$COPY"
    mkdir -p "$COPY"
    # A consistent copy (the WAL may still hold the import's last pages): vanguard backup.
    "$BIN" backup --db "sqlite://$WORK/bench.db" --out "$COPY/bench.db"
    # The first-run admin's file, when a server has already made one in the shared database.
    if [ -f "$WORK/bench.db.first-run.txt" ]; then cp "$WORK/bench.db.first-run.txt" "$COPY/"; fi
    touch "$COPY/.complete"
fi
DB="sqlite://$COPY/bench.db"

vg_bench_serve "$COPY/server.log"

FIRST_RUN="${DB#sqlite://}.first-run.txt"
[ -f "$FIRST_RUN" ] || vg_die "no first-run file $FIRST_RUN"
ADMIN=$(sed -n 's/^login: //p' "$FIRST_RUN")
ADMIN_PW=$(sed -n 's/^password: //p' "$FIRST_RUN")

# One member account per seeded member, the first NEED of them (kept between runs).
ACCOUNTS="$COPY/checkin-accounts.csv"
if [ ! -f "$COPY/.checkin-accounts-$NEED" ]; then
    vg_say "adding $NEED member accounts"
    python3 - "$WORK/csv/members.csv" "$NEED" >"$ACCOUNTS" <<'PY'
import csv, sys
rows = csv.DictReader(open(sys.argv[1]))
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["login", "role", "org_id", "member_id", "password"])
for i, r in zip(range(int(sys.argv[2])), rows):
    w.writerow([f"bench-{r['member_id']}", "member", r["org_id"], r["member_id"], "bench password 123"])
PY
    t1=$SECONDS
    "$BIN" user import --db "$DB" --file "$ACCOUNTS" | tail -n 1 || true
    vg_say "accounts added in $((SECONDS - t1)) s"
    touch "$COPY/.checkin-accounts-$NEED"
fi

# An activity held now, of the district (any member may check in at it).
COOKIE=$(curl -sfi -X POST -H 'Content-Type: application/json' \
    -d "$(python3 -c 'import json,sys; print(json.dumps({"login": sys.argv[1], "password": sys.argv[2]}))' "$ADMIN" "$ADMIN_PW")" \
    "$URL/api/v1/session" | sed -n 's/^[Ss]et-[Cc]ookie: \(vanguard_session=[^;]*\).*/\1/p')
ROOT=$(curl -sf -H "Cookie: $COOKIE" "$URL/api/v1/orgs" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["org_id"])')
TITLE="压力测试签到 $(date +%H%M%S)"
NOW=$(TZ=Asia/Shanghai date +%Y-%m-%dT%H:%M:%S)  # the server's local time (§3)
ACT=$(curl -sf -H "Cookie: $COOKIE" -H "Origin: $URL" -H 'Content-Type: application/json' \
    -d "{\"org_id\":\"$ROOT\",\"kind\":\"theme_day\",\"held_at\":\"$NOW\",\"title\":\"$TITLE\"}" \
    "$URL/api/v1/activities" | python3 -c 'import json,sys; print(json.load(sys.stdin)["activity_id"])')
vg_say "activity $ACT ($TITLE); $RATE check-ins a second for $SECS s"
python3 scripts/bench/checkin_load.py "$URL" "$ACCOUNTS" "$ADMIN" "$ADMIN_PW" "$ACT" "$TITLE" "$RATE" "$SECS"

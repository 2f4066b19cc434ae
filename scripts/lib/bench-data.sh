# shellcheck shell=bash
# The benchmark dataset shared by scripts/bench-engine.sh and scripts/bench-api.sh (the same
# files and SQLite database as scripts/bench-import.sh). Source after scripts/lib/tools.sh.

# vg_bench_dataset MEMBERS YEARS: builds the release binary, then (once) writes MEMBERS × YEARS
# of seeded §3 files into $WORK/csv and imports them into $WORK/bench.db. Sets BIN and DB.
vg_bench_dataset() {
    local members="$1" years="$2"
    BIN="$CARGO_TARGET_DIR/release/vanguard"
    DB="sqlite://$WORK/bench.db"
    vg_say "building the release binary"
    cargo build --release -p server --locked
    mkdir -p "$WORK/csv"
    if [ ! -f "$WORK/csv/.complete" ]; then
        vg_say "generating $members members × $years years into $WORK/csv"
        "$BIN" seed --files-only --out "$WORK/csv" --members "$members" --years "$years" --seed 42
        touch "$WORK/csv/.complete"
        rm -f "$WORK/bench.db" "$WORK/.bench-db-complete"
    fi
    if [ ! -f "$WORK/bench.db" ] || [ ! -f "$WORK/.bench-db-complete" ]; then
        vg_say "importing into $DB"
        rm -f "$WORK/bench.db" "$WORK/bench.db-wal" "$WORK/bench.db-shm"
        "$BIN" import --db "$DB" "$WORK/csv" >/dev/null
        touch "$WORK/.bench-db-complete"
    fi
}

# vg_bench_serve LOG: serves $DB at 127.0.0.1:$PORT with $BIN (log in LOG), stops it on exit, and
# waits until the hub has computed its figures (/readyz). Sets SERVER and URL (used after it).
vg_bench_serve() {
    local log="$1" t0
    URL="http://127.0.0.1:$PORT"
    vg_say "serving $DB at $URL"
    "$BIN" serve --db "$DB" --addr "127.0.0.1:$PORT" >"$log" 2>&1 &
    SERVER=$!
    trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
    t0=$SECONDS
    until curl -sf "$URL/readyz" >/dev/null 2>&1; do
        kill -0 "$SERVER" 2>/dev/null || { tail -n 30 "$log"; vg_die "the server exited"; }
        [ $((SECONDS - t0)) -lt 1800 ] || vg_die "figures not ready after 30 minutes"
        sleep 1
    done
    vg_say "figures ready after $((SECONDS - t0)) s ($(curl -s "$URL/readyz"))"
}

# vg_bench_login: logs in to $URL as the first-run admin of $DB (its file lies beside the
# SQLite database; the server writes it when the store has no account). Sets and exports
# COOKIE (`vanguard_session=…`).
vg_bench_login() {
    local first_run="${DB#sqlite://}.first-run.txt" login_json
    [ -f "$first_run" ] || vg_die "no first-run file $first_run (the server writes it when the store has no account)"
    login_json=$(python3 -c 'import json,sys
f = dict(l.split(": ", 1) for l in open(sys.argv[1]).read().splitlines() if ": " in l and not l.startswith("#"))
print(json.dumps({"login": f["login"], "password": f["password"]}))' "$first_run")
    COOKIE=$(command curl -sfi -X POST -H 'Content-Type: application/json' -d "$login_json" "$URL/api/v1/session" |
        sed -n 's/^[Ss]et-[Cc]ookie: \(vanguard_session=[^;]*\).*/\1/p')
    [ -n "$COOKIE" ] || vg_die "logging in as the first-run admin failed"
    export COOKIE
}

#!/usr/bin/env bash
# Set up and run all tests:
#   0. cargo fmt --check and cargo clippy -D warnings (the workspace but the wasm entry crate)
#   1. cargo test --workspace --exclude frontend --locked   (Rust unit and integration tests,
#      SQLite and PostgreSQL; the wasm entry crate is left out because building it beside the
#      server would turn on app's `hydrate` feature in the server binary the CLI tests run)
#   2. Cross-check of the §9 exports against an independent DuckDB implementation
#      (scripts/crosscheck) on seeded data, SQLite and PostgreSQL
#   3. Playwright end-to-end tests against a debug build serving a small seeded SQLite database
# Installs what is missing first: the build tools (scripts/lib/tools.sh), Chromium and a CJK
# font from Debian, the end2end Node packages, and PostgreSQL if nothing answers on
# 127.0.0.1:5432. Stops at the first failing step.
# Usage: bash scripts/test.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/tools.sh
source scripts/lib/tools.sh

VG_T0=$SECONDS
VG_PG_HOST=127.0.0.1
VG_PG_PORT="${VG_PG_PORT:-5432}"

vg_elapsed() { local s=$((SECONDS - ${1:-$VG_T0})); printf '%dm%02ds' $((s / 60)) $((s % 60)); }

# Print the failing step and stop with its exit code.
vg_fail_step() {
    local step="$1" rc="$2"
    printf '\n==> FAILED: %s (exit %s) after %s\n' "$step" "$rc" "$(vg_elapsed)" >&2
    exit "$rc"
}

# ---- end2end Node packages -------------------------------------------------------------
# Hash of what node_modules was installed from: package.json, package-lock.json (if any)
# and the Node version.
vg_e2e_deps_hash() {
    {
        cat end2end/package.json
        [ ! -f end2end/package-lock.json ] || cat end2end/package-lock.json
        node --version
    } | sha256sum | awk '{print $1}'
}
vg_have_e2e_deps() {
    [ -f end2end/node_modules/.vanguard-lock-hash ] &&
        [ "$(cat end2end/node_modules/.vanguard-lock-hash)" = "$(vg_e2e_deps_hash)" ]
}
vg_ensure_e2e_deps() {
    [ -f end2end/package.json ] || vg_die "end2end/package.json not found"
    if vg_have_e2e_deps; then
        vg_say "end2end Node packages: up to date"
        return 0
    fi
    # Browsers come from Debian (/usr/bin/chromium); never let Playwright download one.
    export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
    if [ -f end2end/package-lock.json ]; then
        vg_say "Installing end2end Node packages (npm ci, under a minute)"
        (cd end2end && npm ci --no-fund --no-audit)
    else
        vg_say "Installing end2end Node packages (npm install, under a minute)"
        (cd end2end && npm install --no-fund --no-audit)
    fi
    vg_e2e_deps_hash >end2end/node_modules/.vanguard-lock-hash
}

# ---- PostgreSQL ------------------------------------------------------------------------
vg_pg_ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h "$VG_PG_HOST" -p "$VG_PG_PORT"; }
vg_redact_url() { printf '%s\n' "$1" | sed 's#//\([^:/@]*\):[^@]*@#//\1:***@#'; }

# Prints "VERSION NAME" of the local cluster configured for $VG_PG_PORT, or nothing.
vg_pg_cluster() {
    command -v pg_lsclusters >/dev/null 2>&1 || return 0
    pg_lsclusters -h 2>/dev/null | awk -v p="$VG_PG_PORT" '$3 == p { print $1, $2; exit }'
}

vg_ensure_postgres() {
    local installed_now=0 cluster ver name
    if vg_pg_ready; then
        vg_say "PostgreSQL on $VG_PG_HOST:$VG_PG_PORT: answering"
    else
        if ! compgen -G "/usr/lib/postgresql/*/bin/postgres" >/dev/null; then
            vg_say "PostgreSQL not installed: installing it from Debian (a few minutes)"
            vg_apt_install postgresql
            installed_now=1
        fi
        cluster="$(vg_pg_cluster)"
        if [ -z "$cluster" ]; then
            if [ -n "$(pg_lsclusters -h 2>/dev/null)" ]; then
                vg_die "no local PostgreSQL cluster uses port $VG_PG_PORT (pg_lsclusters: $(pg_lsclusters -h | awk '{print $1 "/" $2 ":" $3}' | tr '\n' ' ')). Start one on $VG_PG_PORT or set VANGUARD_TEST_PG."
            fi
            ver="$(ls /usr/lib/postgresql | sort -V | tail -n 1)"
            vg_say "Creating PostgreSQL $ver cluster 'main' on port $VG_PG_PORT"
            vg_as_root pg_createcluster --port "$VG_PG_PORT" "$ver" main
            cluster="$ver main"
        fi
        read -r ver name <<<"$cluster"
        vg_say "Starting PostgreSQL cluster $ver/$name"
        vg_as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" start || true
        for _ in $(seq 1 60); do
            vg_pg_ready && break
            sleep 1
        done
        vg_pg_ready || vg_die "PostgreSQL cluster $ver/$name does not answer on $VG_PG_HOST:$VG_PG_PORT after 60 s (see /var/log/postgresql/)"
        vg_say "PostgreSQL on $VG_PG_HOST:$VG_PG_PORT: answering"
    fi

    command -v psql >/dev/null 2>&1 || {
        vg_note "psql not found; not checking the connection or creating the test database"
        return 0
    }
    local admin_url="${VANGUARD_TEST_PG%/*}/postgres" db="${VANGUARD_TEST_PG##*/}"
    db="${db%%\?*}"
    if ! PGCONNECT_TIMEOUT=5 psql -w "$admin_url" -Atqc 'select 1' >/dev/null 2>&1; then
        # A fresh Debian install only allows password logins over TCP. The test URL has no
        # password, so let the postgres user in from 127.0.0.1 — but only on a cluster this
        # script installed or on CI, never silently on a developer's own cluster.
        cluster="$(vg_pg_cluster)"
        if [ -n "$cluster" ] && { [ "$installed_now" -eq 1 ] || [ -n "${CI:-}" ]; }; then
            read -r ver name <<<"$cluster"
            local hba="/etc/postgresql/$ver/$name/pg_hba.conf"
            vg_say "Allowing passwordless TCP logins for user postgres from 127.0.0.1 ($hba)"
            vg_as_root sh -c '{ printf "%s\n" "# added by vanguard scripts/test.sh" "host all postgres 127.0.0.1/32 trust"; cat "$1"; } >"$1.vanguard" && cat "$1.vanguard" >"$1" && rm -f "$1.vanguard"' sh "$hba"
            vg_as_root pg_ctlcluster --skip-systemctl-redirect "$ver" "$name" reload
            sleep 1
        fi
        PGCONNECT_TIMEOUT=5 psql -w "$admin_url" -Atqc 'select 1' >/dev/null ||
            vg_die "cannot log in with $(vg_redact_url "$admin_url"). Allow the postgres user from 127.0.0.1 in pg_hba.conf, or set VANGUARD_TEST_PG to a URL that works."
    fi
    if [ -n "$db" ] && [ "$db" != postgres ] &&
        [ -z "$(psql -w "$admin_url" -Atqc "select 1 from pg_database where datname = '$db'")" ]; then
        vg_say "Creating database $db"
        psql -w "$admin_url" -qc "create database \"$db\"" >/dev/null
    fi
}

# ---- end-to-end server -----------------------------------------------------------------
VG_TMP=""
VG_SERVER_PID=""
VG_KEEP_TMP=0
vg_cleanup() {
    if [ -n "$VG_SERVER_PID" ] && kill -0 "$VG_SERVER_PID" 2>/dev/null; then
        kill "$VG_SERVER_PID" 2>/dev/null || true
        wait "$VG_SERVER_PID" 2>/dev/null || true
    fi
    # A server the end-to-end tests restarted writes its pid here.
    if [ -n "$VG_TMP" ] && [ -f "$VG_TMP/server.pid" ]; then
        kill "$(cat "$VG_TMP/server.pid")" 2>/dev/null || true
    fi
    if [ -n "$VG_TMP" ] && [ "$VG_KEEP_TMP" -eq 0 ]; then rm -rf "$VG_TMP"; fi
}
trap vg_cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

vg_port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
vg_free_port() {
    local p
    for p in 3000 $(seq 3100 3199); do
        if ! vg_port_in_use "$p"; then
            echo "$p"
            return 0
        fi
    done
    vg_die "no free port among 3000 and 3100-3199"
}

# =======================================================================================
vg_say "Setting up (each step is skipped when already done)"
vg_ensure_build_tools
vg_ensure_browser
vg_ensure_e2e_deps
if [ -n "${VANGUARD_TEST_PG:-}" ]; then
    vg_say "Using VANGUARD_TEST_PG=$(vg_redact_url "$VANGUARD_TEST_PG") as given (local PostgreSQL not set up)"
    export VANGUARD_TEST_PG
else
    export VANGUARD_TEST_PG="postgres://postgres@$VG_PG_HOST:$VG_PG_PORT/test"
    vg_ensure_postgres
fi
vg_say "Setup done after $(vg_elapsed)"

# ---- 0. Gates: formatting and lints -----------------------------------------------------
vg_say "[0/3] cargo fmt --all --check (rustfmt.toml) and cargo clippy -D warnings"
t=$SECONDS
cargo fmt --all -- --check || vg_fail_step "cargo fmt --all -- --check (run cargo fmt --all)" $?
cargo clippy --workspace --exclude frontend --all-targets --locked -- -D warnings || vg_fail_step "cargo clippy --workspace --exclude frontend --all-targets -- -D warnings" $?
vg_say "[0/3] gates passed ($(vg_elapsed "$t"))"

# ---- 1. Rust tests ---------------------------------------------------------------------
vg_say "[1/3] cargo test --workspace --exclude frontend --locked (SQLite and PostgreSQL at $(vg_redact_url "$VANGUARD_TEST_PG"))"
vg_note "the first run compiles the workspace and its tests; later runs are incremental"
t=$SECONDS
cargo test --workspace --exclude frontend --locked || vg_fail_step "cargo test --workspace --exclude frontend --locked" $?
vg_say "[1/3] cargo test passed ($(vg_elapsed "$t"))"

# ---- 2. End-to-end tests ---------------------------------------------------------------
vg_say "[2/3] Building the debug site and server (cargo leptos build)"
vg_note "a cold debug build takes about 8 minutes on 2 cores"
t=$SECONDS
cargo leptos build || vg_fail_step "cargo leptos build" $?
VANGUARD_BIN="$CARGO_TARGET_DIR/debug/vanguard"
[ -x "$VANGUARD_BIN" ] || vg_die "build finished but $VANGUARD_BIN does not exist"

vg_say "[2/3] Cross-check: vanguard export against the DuckDB reference (scripts/crosscheck/run.sh)"
bash scripts/crosscheck/run.sh "$VANGUARD_BIN" 1500 2 11 || vg_fail_step "cross-check of the exports" $?
vg_say "[2/3] Cross-check passed ($(vg_elapsed "$t"))"

t=$SECONDS
vg_say "[3/3] End-to-end tests"

VG_TMP="$(mktemp -d "${TMPDIR:-/tmp}/vanguard-e2e.XXXXXX")"
E2E_DB="sqlite://$VG_TMP/e2e.db"
vg_say "Seeding a fresh end-to-end database $E2E_DB (2000 members, 1 year, seed 7)"
"$VANGUARD_BIN" seed --db "$E2E_DB" --members 2000 --years 1 --seed 7 ||
    vg_fail_step "vanguard seed (end-to-end database)" $?

PORT="$(vg_free_port)"
[ "$PORT" = 3000 ] || vg_note "port 3000 is taken; using $PORT"
export VANGUARD_URL="http://127.0.0.1:$PORT"
# The end-to-end tests stop and restart the server (stale badge) and import events while the
# wall is open, so they need to know how it was started.
export VANGUARD_BIN VANGUARD_DB_URL="$E2E_DB" VANGUARD_PORT="$PORT" VANGUARD_SERVER_LOG="$VG_TMP/server.log"
# Test-only endpoints (POST /api/v1/dev/bump, for the 500 live update cycles).
export VANGUARD_DEV_ENDPOINTS=1
vg_say "Starting vanguard serve at $VANGUARD_URL (log: $VG_TMP/server.log)"
"$VANGUARD_BIN" serve --db "$E2E_DB" --addr "127.0.0.1:$PORT" >"$VG_TMP/server.log" 2>&1 &
VG_SERVER_PID=$!
export VANGUARD_SERVER_PID="$VG_SERVER_PID" VANGUARD_SERVER_PIDFILE="$VG_TMP/server.pid"
# /readyz answers 200 once the figures are computed (/healthz as soon as the server listens).
for _ in $(seq 1 300); do
    curl -sf "$VANGUARD_URL/readyz" >/dev/null 2>&1 && break
    if ! kill -0 "$VG_SERVER_PID" 2>/dev/null; then
        echo "---- server log ----" >&2
        tail -n 50 "$VG_TMP/server.log" >&2 || true
        vg_fail_step "vanguard serve exited before answering $VANGUARD_URL/readyz" 1
    fi
    sleep 1
done
if ! curl -sf "$VANGUARD_URL/readyz" >/dev/null 2>&1; then
    echo "---- server log ----" >&2
    tail -n 50 "$VG_TMP/server.log" >&2 || true
    vg_fail_step "vanguard serve did not compute its figures within 300 s" 1
fi

# The server's first run made an admin and a kiosk token (docs/RULES.md §10) and wrote them here;
# the tests log in with them (end2end/global-setup.ts).
export VANGUARD_FIRST_RUN="$VG_TMP/e2e.db.first-run.txt"
[ -f "$VANGUARD_FIRST_RUN" ] || vg_fail_step "vanguard serve wrote no first-run file at $VANGUARD_FIRST_RUN" 1

vg_say "[3/3] npx playwright test (end2end/, VANGUARD_URL=$VANGUARD_URL, browser /usr/bin/chromium)"
(cd end2end && npx --no playwright test) || {
    rc=$?
    VG_KEEP_TMP=1
    printf '\n==> Server log kept at %s/server.log\n' "$VG_TMP" >&2
    vg_fail_step "npx playwright test" "$rc"
}
vg_say "[3/3] End-to-end tests passed ($(vg_elapsed "$t"))"

printf '\n==> All tests passed in %s: cargo test --workspace (SQLite + PostgreSQL), DuckDB cross-check, Playwright end-to-end\n' "$(vg_elapsed)"

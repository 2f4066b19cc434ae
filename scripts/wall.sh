#!/usr/bin/env bash
# Set up and run the wall on the embedded SQLite database:
#   installs missing build tools (and Chromium with a CJK font, which prints the monthly
#   reports to PDF), builds the release site and server, seeds the demo data
#   into sqlite://data/vanguard.db if that database is empty, and serves it at
#   http://127.0.0.1:3000.
# Usage: bash scripts/wall.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/tools.sh
source scripts/lib/tools.sh

vg_ensure_build_tools
# The monthly reports are printed to PDF by headless Chromium (with a CJK font).
vg_ensure_browser

vg_say "Building the release site and server (cargo leptos build --release)"
vg_note "a cold release build takes about 13 minutes on 2 cores; later builds are incremental"
cargo leptos build --release

VANGUARD_BIN="$CARGO_TARGET_DIR/release/vanguard"
[ -x "$VANGUARD_BIN" ] || vg_die "build finished but $VANGUARD_BIN does not exist"

# The default database is the embedded SQLite file sqlite://data/vanguard.db, relative to
# the repository root.
mkdir -p data
vg_say "Seeding the demo data (skipped by vanguard itself when the database already has data)"
"$VANGUARD_BIN" seed

# Nothing answers without a credential (docs/RULES.md §10). The server's first run creates an
# admin and a kiosk token and prints them; later runs find them in this file.
FIRST_RUN=data/vanguard.db.first-run.txt
if [ -f "$FIRST_RUN" ]; then
    vg_say "The wall (kiosk, names masked): http://127.0.0.1:3000$(sed -n 's/^kiosk URL: //p' "$FIRST_RUN")"
    vg_say "Log in with names shown: http://127.0.0.1:3000/login as $(sed -n 's/^login: //p' "$FIRST_RUN") (password in $FIRST_RUN)"
else
    vg_say "First run: the server prints the admin login and the wall's kiosk URL below (and keeps them in $FIRST_RUN)"
fi
vg_say "Serving the wall at http://127.0.0.1:3000 (Ctrl-C to stop)"
exec "$VANGUARD_BIN" serve

#!/usr/bin/env bash
# Monthly report benchmark (docs/RULES.md §11; issue: the operations loop). Not a test: it
# prints figures and ratios against baselines measured in the same run.
#
#   bash scripts/bench-reports.sh [MEMBERS] [YEARS] [RUNS]   (defaults: 47411 1 5)
#
# On its own copy of the seeded district (the other benchmarks' data is not touched):
#   1. baseline: `vanguard export member-lights` of the newest month (load the data and
#      compute one month's figures), then `vanguard report generate` of that month: the time
#      to generate every member and branch report (target <= 60 s) and the process's peak
#      memory (target <= 2 GB);
#   2. on a warm server: RUNS times one member's PDF (target <= 2 s) and the PDF of the
#      members of the largest branch (target <= 10 s), each beside the HTML page of the same
#      report (the baseline: the PDF's cost is the printing).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh
# shellcheck source=scripts/lib/bench-data.sh
source scripts/lib/bench-data.sh

MEMBERS="${1:-47411}"
YEARS="${2:-1}"
RUNS="${3:-5}"
WORK="${VANGUARD_BENCH_DIR:-$VG_CACHE_DIR/bench-$MEMBERS-$YEARS}"
PORT="${VANGUARD_BENCH_PORT:-3394}"

command -v curl >/dev/null || vg_apt_install curl
vg_ensure_browser
vg_bench_dataset "$MEMBERS" "$YEARS"

COPY="$WORK/reports"
rm -rf "$COPY"
mkdir -p "$COPY"
# A consistent copy (the WAL may still hold the import's last pages): vanguard backup.
"$BIN" backup --db "sqlite://$WORK/bench.db" --out "$COPY/bench.db"
DB="sqlite://$COPY/bench.db"
MONTH=$(python3 -c 'import csv,sys; print(max(r["held_at"][:7] for r in csv.DictReader(open(sys.argv[1]))))' "$WORK/csv/activities.csv")

# Runs a command, prints "SECONDS PEAK_MB" of it (the child's wall time and maximum RSS).
measure() {
    python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=sys.stderr)
dt = time.monotonic() - t
if r.returncode != 0:
    sys.exit(f"{sys.argv[1:]} exited with {r.returncode}")
print(f"{dt:.3f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024}")
PY
}

vg_say "baseline: export member-lights of $MONTH (a first, untimed run brings the columnar copy up to date)"
"$BIN" export member-lights --db "$DB" --month "$MONTH" --out /dev/null
read -r BASE_S BASE_MB < <(measure "$BIN" export member-lights --db "$DB" --month "$MONTH" --out /dev/null)
vg_say "report generate of $MONTH"
read -r GEN_S GEN_MB < <(measure "$BIN" report generate --db "$DB" --month "$MONTH" 2> >(tee "$COPY/generate.log" >&2))
read -r AGAIN_S _ < <(measure "$BIN" report generate --db "$DB" --month "$MONTH")

VANGUARD_REPORT_JOB=off vg_bench_serve "$COPY/server.log"
vg_bench_login

python3 scripts/bench/report_pdfs.py "$URL" "$COOKIE" "$MONTH" "$RUNS" "$COPY" >"$COPY/pdfs.txt"
cat "$COPY/pdfs.txt"

python3 - "$MEMBERS" "$YEARS" "$MONTH" "$BASE_S" "$BASE_MB" "$GEN_S" "$GEN_MB" "$AGAIN_S" "$COPY/generate.log" <<'PY'
import re, sys
members, years, month, base_s, base_mb, gen_s, gen_mb, again_s, log = sys.argv[1:]
text = open(log).read()
m = re.search(r"generated the reports of \S+: (\d+) member reports, (\d+) branch reports in ([\d.]+)s", text)
reports, branches, inner = (m.group(1), m.group(2), float(m.group(3))) if m else ("?", "?", float("nan"))
print(f"\n==> monthly reports of {month}, {members} members x {years} years (SQLite):")
print(f"    baseline export member-lights (load + one month's figures): {float(base_s):.2f} s, peak {base_mb} MB")
print(f"    report generate (process):   {float(gen_s):.2f} s, peak {gen_mb} MB  ({float(gen_s) / float(base_s):.2f}x the baseline)")
print(f"    of which generating {reports} member and {branches} branch reports: {inner:.2f} s  (target <= 60 s: {'met' if inner <= 60 else 'NOT met'}; memory target <= 2048 MB: {'met' if int(gen_mb) <= 2048 else 'NOT met'})")
print(f"    generating the same month again (a no-op): {float(again_s):.2f} s")
PY

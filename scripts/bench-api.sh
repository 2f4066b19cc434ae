#!/usr/bin/env bash
# API load benchmark (issue: analytics engine). Not a test: it prints figures.
#
#   bash scripts/bench-api.sh [MEMBERS] [YEARS] [SECONDS]      (defaults: 47411 3 20)
#
# Serves the benchmark database of scripts/bench-import.sh (seeded and imported here when
# missing) with the release binary, waits until the hub has computed the figures, then runs
# wrk with 64 connections against /api/v1 wall snapshots:
#   1. baseline, same server, same run: GET /healthz (a fixed string, no figures);
#   2. GET /api/v1/snapshot for the district and its street-level organisations in turn
#      (each answered from the snapshot cached with its JSON for the data version);
#   3. the same for every month of the last year (a request mix that also exercises the
#      per-month figures).
# Every request carries the session cookie of the first-run admin (docs/RULES.md §10: nothing
# but health answers without a credential), so the figures include the access layer.
# Prints requests/s, latency percentiles (p50/p99) and the ratio of each to the baseline.
# wrk runs one thread: on 2 cores a second wrk thread only takes CPU from the server.
#
# The baseline and the snapshots run in alternating rounds (VANGUARD_BENCH_ROUNDS, default 5,
# each SECONDS long), and the ratio is taken within each round: on a shared machine the speed
# drifts by ±10 % from one minute to the next, which one baseline run followed by one snapshot
# run reads as a change in the ratio. Every round is printed; the verdict is on the median.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/tools.sh
# shellcheck source=scripts/lib/bench-data.sh
source scripts/lib/bench-data.sh

MEMBERS="${1:-47411}"
YEARS="${2:-3}"
SECS="${3:-20}"
ROUNDS="${VANGUARD_BENCH_ROUNDS:-5}"
WORK="${VANGUARD_BENCH_DIR:-$VG_CACHE_DIR/bench-import-$MEMBERS-$YEARS}"
PORT="${VANGUARD_BENCH_PORT:-3390}"

command -v wrk >/dev/null || vg_apt_install wrk
command -v curl >/dev/null || vg_apt_install curl
vg_bench_dataset "$MEMBERS" "$YEARS"

vg_bench_serve "$WORK/api-server.log"

vg_bench_login
curl() { command curl -H "Cookie: $COOKIE" "$@"; }

# Paths to cycle through: the district and each organisation one level below it.
ROOT=$(curl -sf "$URL/api/v1/orgs" | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["org_id"])')
PATHS="$WORK/api-paths.txt"
{
    echo "/api/v1/snapshot"
    curl -sf "$URL/api/v1/orgs/$ROOT/children" | python3 -c 'import json,sys; [print("/api/v1/snapshot?org=" + c["org_id"]) for c in json.load(sys.stdin)]'
} >"$PATHS"
MONTHS="$WORK/api-months.txt"
curl -sf "$URL/api/v1/snapshot" | python3 -c '
import json, sys
s = json.load(sys.stdin)
for m in s["available_months"][-12:]:
    print("/api/v1/snapshot?month=" + m)
' >"$MONTHS"
# Warm every path once (each snapshot is computed on its first request of a version).
while read -r p; do curl -sf -o /dev/null "$URL$p"; done <"$PATHS"
while read -r p; do curl -sf -o /dev/null "$URL$p"; done <"$MONTHS"
bytes=$(curl -sf "$URL/api/v1/snapshot" | wc -c)

LUA="$WORK/api-paths.lua"
cat >"$LUA" <<'LUA'
local paths = {}
local file = os.getenv("PATHS_FILE")
for line in io.lines(file) do paths[#paths + 1] = line end
local i = 0
wrk.headers["Cookie"] = os.getenv("COOKIE")
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT rps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout))
end
LUA

run() { # name, paths file
    local name="$1" file="$2"
    vg_say "wrk -t1 -c64 -d${SECS}s: $name"
    PATHS_FILE="$file" wrk -t1 -c64 -d"${SECS}s" --latency -s "$LUA" "$URL" | tee "$WORK/wrk-$name.out" | grep -E 'Requests/sec|Latency|99%|RESULT'
}
echo "/healthz" >"$WORK/api-health.txt"
for r in $(seq 1 "$ROUNDS"); do
    run "baseline-$r" "$WORK/api-health.txt"
    run "snapshots-$r" "$PATHS"
done
run months "$MONTHS"

res() { grep -oP "RESULT .*$2=\K[0-9.]+" "$WORK/wrk-$1.out"; }
row() { printf '    %-12s %9s req/s  p50 %7s ms  p99 %7s ms  errors %s\n' "$1" "$(res "$1" rps)" "$(res "$1" p50_ms)" "$(res "$1" p99_ms)" "$(res "$1" errors)"; }
printf '\n==> /api/v1 load with a session cookie, 64 connections, %s s each, %s members × %s years (snapshot JSON %s bytes):\n' "$SECS" "$MEMBERS" "$YEARS" "$bytes"
ratios=()
for r in $(seq 1 "$ROUNDS"); do
    row "baseline-$r"
    row "snapshots-$r"
    ratio=$(python3 -c "print(round($(res "snapshots-$r" rps) / $(res "baseline-$r" rps), 3))")
    ratios+=("$ratio")
    printf '    round %s: snapshots / baseline req/s %s, p99 %.2f×\n' "$r" "$ratio" "$(python3 -c "print($(res "snapshots-$r" p99_ms) / max($(res "baseline-$r" p99_ms), 1e-9))")"
done
row months
p99s=$(for r in $(seq 1 "$ROUNDS"); do res "snapshots-$r" p99_ms; done | tr '\n' ' ')
python3 - "${ratios[*]}" "$p99s" <<'PY'
import statistics, sys
ratios = [float(x) for x in sys.argv[1].split()]
p99 = max(float(x) for x in sys.argv[2].split())
med = statistics.median(ratios)
ok = med >= 0.7 and p99 <= 10
print(f"    snapshots / baseline: req/s median {med:.2f} of rounds {', '.join(f'{r:.2f}' for r in ratios)}; "
      f"snapshot p99 at most {p99:.2f} ms (targets: median ≥ 0.7× the baseline req/s, p99 ≤ 10 ms): {'met' if ok else 'NOT met'}")
PY
grep -E 'figures current' "$WORK/api-server.log" | tail -n 2 || true

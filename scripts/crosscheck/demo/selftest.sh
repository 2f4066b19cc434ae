#!/usr/bin/env bash
# Self-test of the crosscheck reference: writes the hand-made demo dataset, runs every
# export on it and compares with the hand-computed files in expected/. Exit 1 on a difference.
#   bash scripts/crosscheck/demo/selftest.sh [WORK_DIR]   (default /tmp/xc-demo)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
PY="$(bash "$HERE/../env.sh")"
WORK="${1:-/tmp/xc-demo}"
mkdir -p "$WORK/out"
"$PY" "$HERE/make_demo.py" "$WORK/data"
fail=0
for exp in "$HERE"/expected/*.csv; do
    name="$(basename "$exp" .csv)"            # e.g. member-lights-2025-06, index-2025
    case "$name" in
        index-*) args=(index --year "${name#index-}") ;;
        member-lights-*) args=(member-lights --month "${name#member-lights-}") ;;
        branch-lights-*) args=(branch-lights --month "${name#branch-lights-}") ;;
    esac
    "$PY" "$HERE/../reference.py" "$WORK/data" "${args[@]}" --out "$WORK/out/$name.csv" 2>/dev/null
    if "$PY" "$HERE/../compare.py" "$exp" "$WORK/out/$name.csv" >"$WORK/out/$name.diff"; then
        echo "ok   $name"
    else
        echo "FAIL $name (see $WORK/out/$name.diff)"; fail=1
    fi
done
exit "$fail"

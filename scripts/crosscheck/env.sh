#!/usr/bin/env bash
# Ensure the Python venv used by the crosscheck scripts exists and has duckdb, then print
# the path of its python. Idempotent: does nothing but print when everything is present.
#
#   PY="$(bash scripts/crosscheck/env.sh)"
#   "$PY" scripts/crosscheck/reference.py DATA_DIR index --year 2025 --out ref-index.csv
set -euo pipefail

VENV="${VG_CROSSCHECK_VENV:-$HOME/.cache/vanguard/venv}"

if [ ! -x "$VENV/bin/python" ]; then
    echo "==> creating venv $VENV" >&2
    python3 -m venv "$VENV" >&2
fi
if ! "$VENV/bin/python" -c 'import duckdb' 2>/dev/null; then
    echo "==> installing duckdb into $VENV" >&2
    "$VENV/bin/python" -m pip install --quiet duckdb >&2
fi
echo "$VENV/bin/python"

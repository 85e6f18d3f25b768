#!/usr/bin/env bash
# Benchmark entry point: bench/run.sh [--small] [options]; see bench/run.py --help.
# Uses the repository's .venv (scripts/bootstrap-venv.sh) plus bench/requirements.txt.
set -euo pipefail
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PY="${PYTHON:-$REPO_ROOT/.venv/bin/python}"
if [ ! -x "$PY" ]; then
  bash "$REPO_ROOT/scripts/bootstrap-venv.sh"
fi
if ! "$PY" -c 'import networkx, numpy' 2>/dev/null; then
  "$PY" -m pip install --quiet -r "$REPO_ROOT/bench/requirements.txt"
fi
cd "$REPO_ROOT"
exec "$PY" "$REPO_ROOT/bench/run.py" "$@"

#!/usr/bin/env bash
# The README's second command: every test, on a machine where nothing runs yet.
#   scripts/test.sh          unit + module integration tests + molecule scenarios default, rebuild
#   scripts/test.sh quick    unit + module integration tests only (the edit-test loop)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

bash scripts/bootstrap-venv.sh
python -m pytest -q tests/unit tests/integration
[ "${1:-}" = quick ] && exit 0

bash lab/setup.sh
source scripts/env.sh
molecule test -s default
molecule test -s rebuild

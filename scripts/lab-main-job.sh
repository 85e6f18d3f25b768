#!/usr/bin/env bash
# The README's first command: set the lab up on this machine, put both customers
# in today's state (LightRAG on file storage with a real code base indexed),
# then run the main job exactly as on the real host.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$REPO_ROOT"

step() { printf '\n=== %s (%s)\n' "$1" "$(date +%T)"; }

step "Tooling (.venv)"
bash scripts/bootstrap-venv.sh
step "Lab: Docker engine, Compose v2, images, stand-ins"
bash lab/setup.sh
source scripts/env.sh
step "Lab: customers as they are today (file storage, code indexed)"
# From scratch every time, so each run shows the whole migration.
bash lab/reset.sh
ansible-playbook -i inventories/lab lab/seed.yml

step "Main job: ansible-playbook site.yml -l h200"
SECONDS=0
ansible-playbook -i inventories/lab site.yml -l h200
echo "first run: ${SECONDS}s"

step "Idempotence: the same again"
SECONDS=0
ansible-playbook -i inventories/lab site.yml -l h200 | tee /tmp/loomgraph-site-rerun.log
echo "rerun: ${SECONDS}s"
grep -Eq 'changed=0 +unreachable=0 +failed=0' /tmp/loomgraph-site-rerun.log

step "Cold rebuild of one customer: --tags rebuild -e customer=pinpianyi"
SECONDS=0
ansible-playbook -i inventories/lab site.yml -l h200 --tags rebuild -e customer=pinpianyi
echo "rebuild: ${SECONDS}s"

step "Cross-check: workspace_stats against plain SQL, NetworkX files kept"
ansible-playbook -i inventories/lab playbooks/check_rebuild.yml -l h200 -e customer=pinpianyi

step "Workspace statistics, read from PostgreSQL"
ansible-playbook -i inventories/lab playbooks/stats.yml -l h200

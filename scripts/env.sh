# shellcheck shell=bash
# Sourced by the scripts: the venv's tools first, the lab vault, the collection from this checkout.
REPO_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$REPO_ROOT/.venv/bin:$PATH"
export ANSIBLE_CONFIG="$REPO_ROOT/ansible.cfg"
# The lab's vault password exists once lab/setup.sh ran; source this file again after it.
if [ -f /var/lib/loomgraph-lab/vault-pass ]; then
  export ANSIBLE_VAULT_IDENTITY_LIST="lab@/var/lib/loomgraph-lab/vault-pass"
fi
export ANSIBLE_FORCE_COLOR=${ANSIBLE_FORCE_COLOR:-0}

#!/usr/bin/env bash
# Creates the lab vault password and, if absent, the encrypted lab vault.yml
# with random (partly hostile) PostgreSQL passwords. Idempotent.
# The machine keeps one lab vault ($STATE_DIR/vault.yml): every checkout on it
# gets a copy, so a second clone talks to the same lab databases.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PASS_FILE=$STATE_DIR/vault-pass
VAULT=$REPO_DIR/inventories/lab/group_vars/h200/vault.yml
CUSTOMERS=$REPO_DIR/inventories/lab/group_vars/h200/customers.yml
VENV=$REPO_DIR/.venv/bin
umask 077

if [ ! -s "$PASS_FILE" ]; then
  [ ! -e "$VAULT" ] || die "$VAULT exists but $PASS_FILE does not: remove the vault to regenerate it"
  python3 -c 'import secrets; print(secrets.token_urlsafe(32))' > "$PASS_FILE.tmp"
  mv "$PASS_FILE.tmp" "$PASS_FILE"
fi
chmod 600 "$PASS_FILE"

SHARED=$STATE_DIR/vault.yml
FORMAT=$(sed -n 's/^LAB_VAULT_FORMAT = //p' "$LAB_DIR/tools/lab_vault.py")
# Whether a vault opens and was made by this lab_vault.py's format (quiet: no banner at -vvv).
current() {
  ANSIBLE_VERBOSITY=0 "$VENV/ansible-vault" view --vault-id "lab@$PASS_FILE" "$1" 2>/dev/null \
    | grep -qx "lab_vault_format: $FORMAT"
}
if [ -s "$SHARED" ] && current "$SHARED"; then
  # The machine's lab vault is up to date: every checkout uses it.
  cmp -s "$SHARED" "$VAULT" 2>/dev/null || install -m 600 "$SHARED" "$VAULT"
  exit 0
fi
if [ -e "$VAULT" ] && current "$VAULT"; then
  install -m 600 "$VAULT" "$SHARED"
  exit 0
fi
# No vault yet, or only ones made by an older lab_vault.py (passwords without the cases
# added since): new passwords. Every molecule scenario's prepare recreates the lab customers.
[ ! -e "$VAULT" ] || note "the lab vault predates format $FORMAT: generating new lab passwords"
rm -f "$VAULT" "$SHARED"

plain=$(mktemp "$STATE_DIR/vault.XXXXXX")
trap 'rm -f "$plain"' EXIT
"$VENV/python" "$LAB_DIR/tools/lab_vault.py" "$CUSTOMERS" > "$plain"
run vault "$VENV/ansible-vault" encrypt --vault-id "lab@$PASS_FILE" --encrypt-vault-id lab \
  --output "$VAULT" "$plain"
chmod 600 "$VAULT"
cp "$VAULT" "$SHARED"

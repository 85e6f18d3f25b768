"""Fail when any lab password shows up in a log (the whole test run's output).

Usage: no_secrets_in_log.py LOG...   (run with the repo's .venv; needs the lab vault)

Reads every password of the lab vault with ansible-vault and looks for each in the
raw text and in the escaped forms tools print (JSON, Python repr); a hostile password
is also looked for by its longest plain-ASCII run, so an escaped variant is caught too.
Prints counts only, never a password."""

import json
import os
import re
import subprocess
import sys

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
VAULT = os.path.join(REPO, 'inventories', 'lab', 'group_vars', 'h200', 'vault.yml')
VAULT_ID = 'lab@/var/lib/loomgraph-lab/vault-pass'


def passwords():
    plain = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-vault'), 'view',
                            '--vault-id', VAULT_ID, VAULT], capture_output=True, text=True, check=True).stdout
    found = []

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, str):
            found.append(node)
    walk(yaml.safe_load(plain))
    return found


def needles(secret):
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1], repr(secret)[1:-1]}
    # The random tail every lab password has (token_urlsafe): unmistakable on its own.
    tail = max(re.findall(r'[A-Za-z0-9_-]{12,}', secret), key=len, default=None)
    if tail:
        forms.add(tail)
    return [f for f in forms if len(f) >= 8]


def main():
    secrets = passwords()
    leaks = 0
    size = 0
    for path in sys.argv[1:]:
        with open(path, encoding='utf-8', errors='replace') as handle:
            text = handle.read()
        size += len(text)
        for number, secret in enumerate(secrets):
            hits = sum(text.count(n) for n in needles(secret))
            if hits:
                leaks += hits
                print('LEAK: lab password #%d appears %d times in %s' % (number, hits, path))
    print('%d lab passwords looked for in %d characters of log: %d occurrences' % (len(secrets), size, leaks))
    return 1 if leaks else 0


if __name__ == '__main__':
    sys.exit(main())

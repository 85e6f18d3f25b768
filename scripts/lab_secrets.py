"""The lab's passwords, for the checks that look for them where they must not be.

Decrypts the lab vault with ansible-vault (run with the repo's .venv, after lab/setup.sh)
and returns every string in it. Ansible's `!unsafe` tag (which the lab vault uses, so that
a password with `{{` is never templated) is read as the plain string it marks.
`needles()` gives the forms a password takes when a tool prints it escaped."""

import json
import os
import re
import subprocess
import sys

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..'))
VAULT = os.path.join(REPO, 'inventories', 'lab', 'group_vars', 'h200', 'vault.yml')
VAULT_ID = 'lab@/var/lib/loomgraph-lab/vault-pass'


class _VaultLoader(yaml.SafeLoader):
    """YAML as Ansible reads it, as far as the lab vault needs: `!unsafe` is a plain string."""


_VaultLoader.add_constructor('!unsafe', lambda loader, node: loader.construct_scalar(node))


def load_vault_text(plain):
    return yaml.load(plain, Loader=_VaultLoader)  # noqa: S506 - SafeLoader plus one tag


def passwords(vault=VAULT):
    tools = [os.path.join(os.path.dirname(sys.executable), 'ansible-vault'),
             os.path.join(REPO, '.venv', 'bin', 'ansible-vault')]
    tool = next((t for t in tools if os.path.exists(t)), 'ansible-vault')
    # At any verbosity above 0, ansible-vault prints its banner on stdout, before the vault.
    env = dict(os.environ, ANSIBLE_VERBOSITY='0')
    env.pop('ANSIBLE_LOG_PATH', None)
    plain = subprocess.run([tool, 'view', '--vault-id', VAULT_ID, vault],
                           capture_output=True, text=True, check=True, env=env).stdout
    found = []

    def walk(node):
        if isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, str):
            found.append(node)
    walk(load_vault_text(plain))
    return found


def needles(secret):
    """The password raw and as JSON or Python repr print it, and its random tail alone."""
    forms = {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1], repr(secret)[1:-1]}
    # The random tail every lab password has (token_urlsafe): unmistakable on its own.
    tail = max(re.findall(r'[A-Za-z0-9_-]{12,}', secret), key=len, default=None)
    if tail:
        forms.add(tail)
    return [f for f in forms if len(f) >= 8]

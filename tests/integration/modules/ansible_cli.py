"""Run modules the way operators do: through ansible / ansible-playbook from the
repository root, so ansible.cfg's collections_path resolves loomgraph.lightrag_pg."""

import json
import os
import re
import subprocess
import sys

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))
BIN = os.path.dirname(sys.executable)


def _env(extra=None):
    env = dict(os.environ)
    # The modules need no vault; a vault identity whose file does not exist yet
    # (fresh CI, before the lab is set up) would stop every ansible command.
    for name in ('ANSIBLE_VAULT_IDENTITY_LIST', 'ANSIBLE_VAULT_PASSWORD_FILE'):
        env.pop(name, None)
    env.update(ANSIBLE_CONFIG=os.path.join(REPO_ROOT, 'ansible.cfg'), ANSIBLE_CALLBACK_RESULT_FORMAT='json',
               ANSIBLE_NOCOLOR='1', ANSIBLE_DEPRECATION_WARNINGS='0', ANSIBLE_PYTHON_INTERPRETER=sys.executable)
    env.update(extra or {})
    return env


class Result(object):
    def __init__(self, proc, data):
        self.rc = proc.returncode
        self.stdout = proc.stdout
        self.stderr = proc.stderr
        self.data = data

    def __getitem__(self, key):
        return self.data[key]

    def __repr__(self):
        return 'Result(rc=%s, stdout=%s, stderr=%s)' % (self.rc, self.stdout[-2000:], self.stderr[-2000:])


def adhoc(module, args, check=False, env=None):
    """`ansible localhost -m <module> -a <json>`; returns the module result."""
    cmd = [os.path.join(BIN, 'ansible'), 'localhost', '-i', 'localhost,', '-c', 'local',
           '-m', 'loomgraph.lightrag_pg.' + module, '-a', json.dumps(args)]
    if check:
        cmd.append('--check')
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=_env(env), capture_output=True, text=True, timeout=120, check=False)
    # minimal callback: "localhost | SUCCESS => {...}" (or FAILED!), after any error lines
    match = re.search(r'^localhost \| [A-Z!]+ => ', proc.stdout, re.M)
    data = json.loads(proc.stdout[match.end():]) if match else {}
    return Result(proc, data)


def playbook(path, extra_vars):
    cmd = [os.path.join(BIN, 'ansible-playbook'), '-i', 'localhost,', '-c', 'local', path,
           '-e', json.dumps(extra_vars)]
    proc = subprocess.run(cmd, cwd=REPO_ROOT, env=_env(), capture_output=True, text=True, timeout=300, check=False)
    return Result(proc, None)

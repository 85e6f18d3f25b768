"""`site.yml --check --diff` changes nothing and fails nowhere, whatever state the host is in."""

import hashlib
import os
import re
import subprocess
import sys

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GROUP_VARS = os.path.join(REPO, "inventories", "lab", "group_vars", "h200")
CUSTOMERS = yaml.safe_load(open(os.path.join(GROUP_VARS, "customers.yml")))["lightrag_pg_customers"]
BASE = yaml.safe_load(open(os.path.join(GROUP_VARS, "zz_lab_overrides.yml")))["lightrag_pg_base_dir"]
CLI_ENV = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"))


def _sh(cmd):
    return subprocess.run(cmd, shell=True, capture_output=True, text=True, check=False).stdout


def _snapshot():
    """Containers, every file under the customers' folders, and each database's contents."""
    state = {"containers": _sh(
        "docker ps -aq | xargs -r docker inspect -f '{{.Name}} {{.Id}} {{.State.StartedAt}} {{.RestartCount}}' | sort"
    )}
    files = {}
    for root, _dirs, names in os.walk(BASE):
        for name in names:
            path = os.path.join(root, name)
            with open(path, "rb") as handle:
                files[path] = (hashlib.sha256(handle.read()).hexdigest(), oct(os.stat(path).st_mode))
    state["files"] = files
    for customer in CUSTOMERS:
        container = "lightrag-%s-postgres-1" % customer["name"]
        state["db_" + customer["name"]] = _sh(
            "docker exec %s psql -U postgres -Atc 'select datname from pg_database order by 1' "
            "-c 'select rolname, rolpassword from pg_authid order by 1' 2>/dev/null" % container
        ) + _sh(
            # Row counts of every table and the extensions, in LightRAG's database.
            "printf '%%s\\n' \"select format('select %%L, count(*) from %%I', tablename, tablename) "
            "from pg_tables where schemaname = 'public' order by 1 \\\\gexec\" "
            "\"select extname, extversion from pg_extension order by 1;\" "
            "| docker exec -i %s psql -U postgres -d lightrag -At 2>/dev/null" % container
        )
    return state


def test_check_mode_changes_nothing_and_fails_nowhere():
    before = _snapshot()
    run = subprocess.run(
        ["ansible-playbook", "-i", "inventories/lab", "site.yml", "-l", "h200", "--check", "--diff"],
        cwd=REPO, env=CLI_ENV, capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    recap = re.search(r"lab-h200\s+: ok=\d+\s+changed=(\d+)\s+unreachable=0\s+failed=0", run.stdout)
    assert recap, run.stdout[-2000:]
    after = _snapshot()
    assert after["containers"] == before["containers"]
    assert after["files"] == before["files"]
    for customer in CUSTOMERS:
        assert after["db_" + customer["name"]] == before["db_" + customer["name"]]
    # On a converged host, check mode also predicts no change at all.
    if before["db_" + CUSTOMERS[0]["name"]].strip():
        assert recap.group(1) == "0", run.stdout[-3000:]


def _lab_passwords():
    sys.path.insert(0, os.path.join(REPO, "scripts"))
    from lab_secrets import passwords  # pylint: disable=import-outside-toplevel
    return passwords(os.path.join(GROUP_VARS, "vault.yml"))


def test_check_mode_diff_shows_no_password():
    run = subprocess.run(
        ["ansible-playbook", "-i", "inventories/lab", "site.yml", "-l", "h200", "--check", "--diff", "-vvv"],
        cwd=REPO, env=CLI_ENV, capture_output=True, text=True, check=False,
    )
    assert run.returncode == 0
    output = run.stdout + run.stderr
    passwords = _lab_passwords()
    assert passwords and all(len(p) >= 16 for p in passwords)
    for password in passwords:
        assert password not in output

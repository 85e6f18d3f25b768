"""Bad inputs, the operator's commands that carry them, and how each is refused.

Shared by test_bad_input.py (asserts every promise) and bad_inputs_doc.py (writes
docs/bad-inputs.md from the same runs). Every case runs the operator's real command
against the lab inventory (connection local), with the bad value given in an extra
vars file, and must stop in the validation before anything is touched.

Safety on a shared lab: site.yml and switch.yml cases first run with a tag no task
has (only the tasks tagged `always`, i.e. the checks, run). That run must already
fail; only then is the real command run. A check that wrongly let a bad input
through therefore never reaches a task that changes the lab.
"""

import contextlib
import copy
import json
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable, Optional, Tuple

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
GROUP_VARS = os.path.join(REPO, "inventories", "lab", "group_vars", "h200")
LAB_VAULT = os.path.join(GROUP_VARS, "vault.yml")
VAULT_PASS = "/var/lib/loomgraph-lab/vault-pass"
LAB_BASE = yaml.safe_load(open(os.path.join(GROUP_VARS, "zz_lab_overrides.yml"), encoding="utf-8"))["lightrag_pg_base_dir"]
HOST = "lab-h200"
GUARD_TAG = "bad_input_guard_no_task_has_this_tag"
VENV_BIN = os.path.join(REPO, ".venv", "bin")

# The inventory's customers, passwords still as vault references.
BASE_CUSTOMERS = yaml.safe_load(open(os.path.join(GROUP_VARS, "customers.yml"), encoding="utf-8"))["lightrag_pg_customers"]
P, Z = 0, 1  # pinpianyi (vault passwords, hostile ones in the lab), zhicaiyunlian (the test's own passwords)
assert [c["name"] for c in BASE_CUSTOMERS[:2]] == ["pinpianyi", "zhicaiyunlian"], BASE_CUSTOMERS

# zhicaiyunlian gets literal passwords that no output may show: non-ASCII, shell and
# YAML metacharacters, and a random ASCII tail found even if the rest were escaped.
TEST_PASSWORDS = {
    "pg_password": "测试 #${X}'\"" + secrets.token_hex(12),
    "pg_superuser_password": "超级 %s&|" + secrets.token_hex(12),
}

# Task names that belong to validation: anything else in a refused run is a failure.
_VALIDATION_FILES = ["roles/pg_customer/tasks/%s" % f for f in sorted(os.listdir(os.path.join(REPO, "roles/pg_customer/tasks")))
                     if f.startswith("assert")] + ["roles/cold_rebuild/tasks/select.yml"]


class _TaskLoader(yaml.SafeLoader):
    """Reads task files as YAML, Ansible's !unsafe / !vault tags as plain strings."""


_TaskLoader.add_multi_constructor("!", lambda loader, suffix, node: loader.construct_scalar(node)
                                  if isinstance(node, yaml.ScalarNode) else None)


def _task_names(path):
    names = []
    for task in yaml.load(open(os.path.join(REPO, path), encoding="utf-8"), Loader=_TaskLoader) or []:
        if isinstance(task, dict) and task.get("name"):
            names.append(task["name"])
    return names


def validation_task_names():
    names = {"Check the customers"}  # site.yml's validation play includes assert.yml under this name
    for path in _VALIDATION_FILES:
        names.update(_task_names(path))
    switch = yaml.safe_load(open(os.path.join(REPO, "playbooks/switch.yml"), encoding="utf-8"))
    names.update(t["name"] for t in switch[0].get("pre_tasks", []))
    return names


def cli_env(path_override=None):
    """What scripts/env.sh sets, plus plain output."""
    env = dict(os.environ)
    env["PATH"] = path_override or (VENV_BIN + os.pathsep + env.get("PATH", ""))
    env["ANSIBLE_CONFIG"] = os.path.join(REPO, "ansible.cfg")
    if os.path.exists(VAULT_PASS):
        env["ANSIBLE_VAULT_IDENTITY_LIST"] = "lab@" + VAULT_PASS
    env.update(ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1", ANSIBLE_DEPRECATION_WARNINGS="0")
    env.pop("ANSIBLE_VERBOSITY", None)
    return env


def lab_ready():
    return os.path.exists(VAULT_PASS) and os.path.exists(LAB_VAULT)


_LAB_SECRETS = None


def lab_secrets():
    """Every password of the lab vault (decrypted here only to look for it in outputs)."""
    global _LAB_SECRETS
    if _LAB_SECRETS is None:
        sys.path.insert(0, os.path.join(REPO, "scripts"))
        from lab_secrets import passwords  # pylint: disable=import-outside-toplevel
        _LAB_SECRETS = passwords(LAB_VAULT)
    return _LAB_SECRETS


def secrets_to_hide():
    """Each password, and its last 16 characters (found even if the rest is escaped)."""
    out = set()
    for s in list(lab_secrets()) + list(TEST_PASSWORDS.values()):
        out.add(s)
        if len(s) >= 16:
            out.add(s[-16:])
    return sorted(out)


# ---------------------------------------------------------------- the cases

@dataclass
class Case:
    id: str
    what: str                                   # the bad input, in words
    how: str                                    # the command / variable that carries it
    expect: Tuple[str, ...]                     # what the message must name (customer, variable)
    playbook: str = "site.yml"
    args: Tuple[str, ...] = ()
    change: Optional[Callable] = None           # change(customers, extra_vars, ctx)
    verbose: bool = False                       # run at -vvv
    guard: bool = True                          # see the module docstring
    listener: bool = False                      # ctx["port"]: a port this test listens on
    no_docker: bool = False                     # run with no docker command on PATH
    needs: Optional[Callable] = None            # returns a reason to skip, or None
    ctx: dict = field(default_factory=dict)


def _set(i, key, value):
    def change(cs, ev, ctx):
        cs[i][key] = value
    return change


def _del(i, key):
    def change(cs, ev, ctx):
        del cs[i][key]
    return change


def _embedding(dim):
    """Complete shared embedding settings, but for their dim."""
    return {"binding": "openai", "host": "http://host.docker.internal:8090/v1",
            "model": "jinaai/jina-embeddings-v2-base-code", "dim": dim}


def _top(**values):
    def change(cs, ev, ctx):
        ev.update(values)
    return change


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _taken_port(cs, ev, ctx):
    cs[Z]["lightrag_port"] = ctx["port"]


def _taken_port_no_docker(cs, ev, ctx):
    # Every other port fresh, so the message is about the test's port whatever the lab runs.
    for c in cs:
        c["pg_port"], c["lightrag_port"] = _free_port(), _free_port()
    cs[P]["pg_port"] = ctx["port"]


def _docker_published():
    try:
        out = subprocess.run(["docker", "ps", "--format", '{{.Label "com.docker.compose.project"}}\t{{.Ports}}'],
                             capture_output=True, text=True, timeout=30, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return {}
    ports = {}
    for line in out.splitlines():
        project, published = (line.split("\t", 1) + [""])[:2]
        for port in re.findall(r":(\d+)->", published):
            ports[int(port)] = project
    return ports


def _needs_deployed_lab():
    published = _docker_published()
    for c in BASE_CUSTOMERS[:2]:
        if published.get(c["pg_port"]) != "lightrag-" + c["name"]:
            return "the lab's customers are not deployed (no lightrag-%s publishing %s)" % (c["name"], c["pg_port"])
    return None


def _swap_ports(cs, ev, ctx):
    for key in ("pg_port", "lightrag_port"):
        cs[P][key], cs[Z][key] = cs[Z][key], cs[P][key]


def _password_cases():
    cases = []
    for var, vault_key in (("pg_password", "lightrag"), ("pg_superuser_password", "superuser")):
        cases += [
            Case("%s-missing" % var, "%s missing from a customer entry" % var,
                 "pinpianyi's entry without `%s`" % var,
                 ("Customer 'pinpianyi'", "%s is not set" % var), change=_del(P, var), verbose=True),
            Case("%s-undefined" % var, "%s pointing at a vault key that does not exist" % var,
                 "`%s: \"{{ vault_lightrag_pg_passwords['nosuch']['%s'] }}\"`" % (var, vault_key),
                 ("Customer 'pinpianyi'", "%s refers to a variable that is not defined" % var),
                 change=_set(P, var, "{{ vault_lightrag_pg_passwords['nosuch']['%s'] }}" % vault_key), verbose=True),
            Case("%s-empty" % var, "%s empty" % var, "`%s: \"\"`" % var,
                 ("Customer 'pinpianyi'", "%s is empty" % var), change=_set(P, var, ""), verbose=True),
            Case("%s-placeholder" % var, "%s still the vault.yml.example placeholder" % var, "`%s: CHANGE-ME`" % var,
                 ("Customer 'pinpianyi'", "%s is still the placeholder CHANGE-ME" % var),
                 change=_set(P, var, "CHANGE-ME"), verbose=True),
        ]
    return cases


CASES = [
    # Host ports shared between customers.
    Case("dup-pg-pg", "two customers with the same pg_port", "zhicaiyunlian `pg_port: 5432` (pinpianyi's pg_port)",
         ("Host port 5432", "pg_port of customer 'pinpianyi'", "pg_port of customer 'zhicaiyunlian'"),
         change=_set(Z, "pg_port", 5432)),
    Case("dup-lr-lr", "two customers with the same lightrag_port",
         "zhicaiyunlian `lightrag_port: 9610` (pinpianyi's lightrag_port)",
         ("Host port 9610", "lightrag_port of customer 'pinpianyi'", "lightrag_port of customer 'zhicaiyunlian'"),
         change=_set(Z, "lightrag_port", 9610)),
    Case("dup-pg-lr", "one customer's pg_port is another's lightrag_port",
         "zhicaiyunlian `pg_port: 9610` (pinpianyi's lightrag_port)",
         ("Host port 9610", "lightrag_port of customer 'pinpianyi'", "pg_port of customer 'zhicaiyunlian'"),
         change=_set(Z, "pg_port", 9610)),
    Case("dup-own", "a customer's pg_port equal to its own lightrag_port", "pinpianyi `lightrag_port: 5432`",
         ("Host port 5432", "pg_port of customer 'pinpianyi'", "lightrag_port of customer 'pinpianyi'"),
         change=_set(P, "lightrag_port", 5432)),
    Case("dup-name", "two customers with the same name", "zhicaiyunlian renamed `name: pinpianyi`",
         ("Customer name 'pinpianyi' is used 2 times",), change=_set(Z, "name", "pinpianyi")),
    # Ports taken on the host by something else.
    Case("port-taken", "a port something else already listens on",
         "zhicaiyunlian `lightrag_port:` a port the test listens on (127.0.0.1)",
         ("Customer 'zhicaiyunlian'", "lightrag_port {port} is already taken", "127.0.0.1:{port}"),
         change=_taken_port, listener=True),
    Case("port-taken-no-docker", "a port taken, on a host without Docker yet",
         "pinpianyi `pg_port:` a port the test listens on; no `docker` command on PATH (other ports fresh)",
         ("Customer 'pinpianyi'", "pg_port {port} is already taken", "Docker is not installed"),
         change=_taken_port_no_docker, listener=True, no_docker=True),
    Case("port-of-other-customer", "ports published by another customer's containers (deployed lab)",
         "pinpianyi and zhicaiyunlian swap their pg_port and lightrag_port",
         ("Customer 'pinpianyi'", "pg_port 5433 is already taken", "Compose project 'lightrag-zhicaiyunlian'"),
         change=_swap_ports, needs=_needs_deployed_lab),
    # Names unsafe as folder and Compose project names.
    Case("name-upper", "name with upper-case letters", "`name: PinPianyi`",
         ("Customer 'PinPianyi'", "name 'PinPianyi'", "upper-case"), change=_set(P, "name", "PinPianyi")),
    Case("name-space", "name with a space", "`name: pin pianyi`",
         ("Customer 'pin pianyi'", "name 'pin pianyi'", "spaces"), change=_set(P, "name", "pin pianyi")),
    Case("name-dotdot", "name with '..'", "`name: ../pinpianyi`",
         ("Customer '../pinpianyi'", "name '../pinpianyi'", "'..'"), change=_set(P, "name", "../pinpianyi")),
    Case("name-dash", "name starting with '-'", "`name: -pinpianyi`",
         ("Customer '-pinpianyi'", "name '-pinpianyi'", "starts with '-'"), change=_set(P, "name", "-pinpianyi")),
    Case("name-long", "name longer than 48 characters", "`name: pinpianyi-pinpianyi-...` (50 characters)",
         ("Customer 'pinpianyi-pinpianyi", "50 characters long"), change=_set(P, "name", ("pinpianyi-" * 5))),
    Case("name-non-ascii", "non-ASCII name", "`name: 拼便宜`",
         ("Customer '拼便宜'", "name '拼便宜'", "non-ASCII"), change=_set(P, "name", "拼便宜")),
    Case("name-missing", "customer entry without a name", "pinpianyi's entry without `name`",
         ("lightrag_pg_customers[0]", "name is not set"), change=_del(P, "name")),
    Case("name-number", "name that is a number", "`name: 123`",
         ("Customer '123'", "name 123 is not text"), change=_set(P, "name", 123)),
] + _password_cases() + [
    # Storage names.
    Case("storage-site", "unknown storage for site.yml", "`site.yml -e lightrag_switch_storage=pg`",
         ("lightrag_switch_storage is 'pg'",), args=("-e", "lightrag_switch_storage=pg")),
    Case("storage-switch", "unknown storage for switch.yml",
         "`playbooks/switch.yml -e storage=pg -e customer=pinpianyi`",
         ("-e storage=pg", "storage must be 'file'"), playbook="playbooks/switch.yml",
         args=("-e", "storage=pg", "-e", "customer=pinpianyi")),
    Case("switch-no-storage", "switch.yml without a storage", "`playbooks/switch.yml -e customer=pinpianyi`",
         ("Name the storage", "-e storage=file"), playbook="playbooks/switch.yml", args=("-e", "customer=pinpianyi")),
    Case("switch-no-customer", "switch.yml without a customer", "`playbooks/switch.yml -e storage=file`",
         ("Name the customers to switch", "-e customer=NAME"), playbook="playbooks/switch.yml",
         args=("-e", "storage=file")),
    Case("switch-unknown-customer", "switch.yml with an unknown customer",
         "`playbooks/switch.yml -e storage=file -e customer=nosuch`",
         ("-e customer=nosuch", "no customer is named nosuch"), playbook="playbooks/switch.yml",
         args=("-e", "storage=file", "-e", "customer=nosuch")),
    # Cold rebuild without exactly one known customer (roles/cold_rebuild/tasks/select.yml).
    Case("rebuild-no-customer", "`--tags rebuild` without a customer", "`site.yml --tags rebuild`",
         ("A cold rebuild needs the customer named", "-e customer=NAME"), args=("--tags", "rebuild"), guard=False),
    Case("rebuild-unknown-customer", "`--tags rebuild` with an unknown customer",
         "`site.yml --tags rebuild -e customer=nosuch`",
         ("-e customer=nosuch (cold_rebuild_customer)", "Unknown customer(s): nosuch"),
         args=("--tags", "rebuild", "-e", "customer=nosuch"), guard=False),
    Case("rebuild-two-customers", "`--tags rebuild` with two customers",
         "`site.yml --tags rebuild -e customer=pinpianyi,zhicaiyunlian`",
         ("pinpianyi, zhicaiyunlian", "-e cold_rebuild_allow_many=true"),
         args=("--tags", "rebuild", "-e", "customer=pinpianyi,zhicaiyunlian"), guard=False),
    # Embedding overrides.
    Case("embedding-dim-text", "embedding override with a dim that is not a number", "pinpianyi `embedding: {dim: abc}`",
         ("Customer 'pinpianyi'", "embedding.dim is 'abc'"), change=_set(P, "embedding", {"dim": "abc"})),
    Case("embedding-dim-zero", "embedding override with dim 0", "pinpianyi `embedding: {dim: 0}`",
         ("Customer 'pinpianyi'", "embedding.dim is '0'"), change=_set(P, "embedding", {"dim": 0})),
    Case("embedding-dim-float", "embedding override with a fractional dim", "pinpianyi `embedding: {dim: 768.5}`",
         ("Customer 'pinpianyi'", "embedding.dim is '768.5'"), change=_set(P, "embedding", {"dim": 768.5})),
    Case("embedding-unknown-key", "embedding override with a misspelt key", "pinpianyi `embedding: {dims: 1024}`",
         ("Customer 'pinpianyi'", "embedding has unknown key(s) dims"), change=_set(P, "embedding", {"dims": 1024})),
    Case("embedding-shared-dim", "shared embedding with a bad dim",
         "`lightrag_pg_embedding: {binding: openai, host: ..., model: ..., dim: big}`",
         ("lightrag_pg_embedding: dim is 'big'",),
         change=_top(lightrag_pg_embedding=_embedding("big"))),
    Case("embedding-switch-dim", "switch.yml with a negative embedding dim",
         "`playbooks/switch.yml -e storage=postgres -e customer=pinpianyi` and `lightrag_switch_embedding: {..., dim: -768}`",
         ("lightrag_switch_embedding: dim is '-768'",), playbook="playbooks/switch.yml",
         args=("-e", "storage=postgres", "-e", "customer=pinpianyi"),
         change=_top(lightrag_switch_embedding=_embedding(-768))),
    Case("embedding-rebuild-dim", "the rebuild's shared embedding with a dim that is not a number",
         "`cold_rebuild_embedding: {..., dim: 768d}`",
         ("cold_rebuild_embedding: dim is '768d'",),
         change=_top(cold_rebuild_embedding=_embedding("768d"))),
    # Role variables of the wrong type: every role's argument spec is checked up front, not when its play starts.
    Case("role-var-switch-timeout", "a role variable of the wrong type (a later play's role)",
         "`lightrag_switch_health_timeout: 5m`",
         ("Role lightrag_switch:", "lightrag_switch_health_timeout", "5m"),
         change=_top(lightrag_switch_health_timeout="5m")),
    Case("role-var-rebuild-choice", "a rebuild variable of the wrong type, on a rebuild",
         "`--tags rebuild -e customer=pinpianyi` and `cold_rebuild_allow_many: maybe`",
         ("Role cold_rebuild:", "cold_rebuild_allow_many"),
         args=("--tags", "rebuild", "-e", "customer=pinpianyi"), guard=False,
         change=_top(cold_rebuild_allow_many="maybe")),
    # Ports that are not ports.
    Case("port-text", "pg_port that is not a number", "pinpianyi `pg_port: abc`",
         ("Customer 'pinpianyi'", "pg_port is 'abc', not a whole number"), change=_set(P, "pg_port", "abc")),
    Case("port-float", "pg_port with a fraction", "pinpianyi `pg_port: 5432.5`",
         ("Customer 'pinpianyi'", "pg_port is '5432.5', not a whole number"), change=_set(P, "pg_port", 5432.5)),
    Case("port-bool", "lightrag_port that is a boolean", "zhicaiyunlian `lightrag_port: true`",
         ("Customer 'zhicaiyunlian'", "lightrag_port is 'True', not a whole number"),
         change=_set(Z, "lightrag_port", True)),
    Case("port-high", "lightrag_port above 65535", "pinpianyi `lightrag_port: 70000`",
         ("Customer 'pinpianyi'", "lightrag_port is 70000, outside the TCP port range"),
         change=_set(P, "lightrag_port", 70000)),
    Case("port-zero", "pg_port 0", "zhicaiyunlian `pg_port: 0`",
         ("Customer 'zhicaiyunlian'", "pg_port is 0, outside the TCP port range"), change=_set(Z, "pg_port", 0)),
    Case("port-negative", "pg_port below 1", "zhicaiyunlian `pg_port: -5433`",
         ("Customer 'zhicaiyunlian'", "pg_port is -5433, outside the TCP port range"), change=_set(Z, "pg_port", -5433)),
    Case("port-missing", "lightrag_port missing", "zhicaiyunlian's entry without `lightrag_port`",
         ("Customer 'zhicaiyunlian'", "lightrag_port is not set"), change=_del(Z, "lightrag_port")),
    # The list itself, and the other keys of an entry.
    Case("list-mapping", "lightrag_pg_customers as one mapping", "`lightrag_pg_customers: {name: pinpianyi, ...}`",
         ("lightrag_pg_customers is one mapping, not a list",),
         change=lambda cs, ev, ctx: ev.update(lightrag_pg_customers=cs[P])),
    Case("list-empty", "no customers", "`lightrag_pg_customers: []`",
         ("lightrag_pg_customers is empty or not set",), change=lambda cs, ev, ctx: ev.update(lightrag_pg_customers=[])),
    Case("entry-not-mapping", "a customer entry that is a plain word", "a third entry `- zhicaiyunlian2`",
         ("lightrag_pg_customers[2] is not a customer entry",), change=lambda cs, ev, ctx: cs.append("zhicaiyunlian2")),
    Case("unknown-key", "a misspelt key in an entry", "pinpianyi `pg_prot: 5432`",
         ("Customer 'pinpianyi'", "unknown key(s) pg_prot"), change=_set(P, "pg_prot", 5432)),
    Case("workspace", "a workspace that is a path", "pinpianyi `workspace: ../other`",
         ("Customer 'pinpianyi'", "workspace '../other'"), change=_set(P, "workspace", "../other")),
    Case("pg-memory", "a memory limit Compose does not understand", "pinpianyi `pg_memory: 4 GiB`",
         ("Customer 'pinpianyi'", "pg_memory '4 GiB'"), change=_set(P, "pg_memory", "4 GiB")),
    Case("pg-cpus", "a CPU limit of 0", "pinpianyi `pg_cpus: 0`",
         ("Customer 'pinpianyi'", "pg_cpus '0'"), change=_set(P, "pg_cpus", 0)),
]
assert len({c.id for c in CASES}) == len(CASES)


# ---------------------------------------------------------------- running one case

@dataclass
class Run:
    rc: int
    output: str
    seconds: float


@dataclass
class Outcome:
    case: Case
    skipped: Optional[str] = None
    guard: Optional[Run] = None
    run: Optional[Run] = None
    expect: Tuple[str, ...] = ()
    changed_files: Tuple[str, ...] = ()
    foreign: Tuple[str, ...] = ()               # other processes that may write to the lab meanwhile
    base_existed: bool = False
    base_exists_after: bool = False

    @property
    def message(self):
        return error_message(self.run.output) if self.run else ""


def snapshot(base=LAB_BASE):
    """mtime and size of every file and folder under the lab's base folder."""
    seen = {}
    if not os.path.isdir(base):
        return seen
    for root, dirs, files in os.walk(base):
        for name in dirs + files:
            path = os.path.join(root, name)
            try:
                st = os.lstat(path)
            except FileNotFoundError:
                continue
            seen[path] = (st.st_mtime_ns, st.st_size)
    try:
        seen[base] = (os.lstat(base).st_mtime_ns, 0)
    except FileNotFoundError:
        pass
    return seen


def error_message(output):
    """The message(s) the operator reads: ansible-core's `[ERROR]: Task failed: ...` lines."""
    found = re.findall(r"^\[ERROR\]: Task failed: (?:Action|Module) failed: (.*?)\n(?:Origin: |\S+ \[)", output, re.S | re.M)
    if not found:
        found = re.findall(r"^\[ERROR\]: (.*?)\n(?:Origin: |\S+ \[|$)", output, re.S | re.M)
    return "\n".join(m.strip() for m in found)


def task_banners(output):
    names = re.findall(r"^TASK \[(.*?)\] \*+", output, re.M)
    return [re.sub(r"^[\w.]+ : ", "", n) for n in names]


def recap(output):
    m = re.search(r"^%s\s*: ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)" % re.escape(HOST), output, re.M)
    return {k: int(v) for k, v in zip(("ok", "changed", "unreachable", "failed"), m.groups())} if m else None


@contextlib.contextmanager
def _listener():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        yield s.getsockname()[1]


_NO_DOCKER_PATH = None


def no_docker_path():
    """A PATH like ours with every docker* command left out: a host without Docker."""
    global _NO_DOCKER_PATH
    if _NO_DOCKER_PATH is None:
        farm = tempfile.mkdtemp(prefix="no-docker-bin-")
        for d in os.environ.get("PATH", "").split(os.pathsep):
            if not os.path.isdir(d) or os.path.abspath(d) == os.path.abspath(VENV_BIN):
                continue
            for name in os.listdir(d):
                target = os.path.join(d, name)
                if name.startswith("docker") or os.path.exists(os.path.join(farm, name)):
                    continue
                if os.path.isfile(target) and os.access(target, os.X_OK):
                    os.symlink(target, os.path.join(farm, name))
        _NO_DOCKER_PATH = VENV_BIN + os.pathsep + farm
    return _NO_DOCKER_PATH


def command(case, extra_file):
    cmd = [os.path.join(VENV_BIN, "ansible-playbook"), "-i", "inventories/lab", case.playbook, "-l", "h200",
           "-e", "@" + extra_file] + list(case.args)
    if case.verbose:
        cmd.append("-vvv")
    return cmd


# Other people's runs on the same lab (another ansible-playbook, molecule, a lab
# script, docker compose) write under the lab's base folder on their own.
_FOREIGN = re.compile(r"ansible-playbook|molecule|docker-compose|docker compose|lab/(setup|reset|seed)|lab-main-job")


def _lab_writers():
    """Command lines of lab-writing processes that are not this process or its descendants."""
    parents, cmdlines = {}, {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % pid, "rb") as f:
                parents[int(pid)] = int(f.read().rsplit(b")", 1)[1].split()[1])
            with open("/proc/%s/cmdline" % pid, "rb") as f:
                cmdlines[int(pid)] = f.read().replace(b"\0", b" ").decode("utf-8", "replace").strip()
        except (OSError, IndexError, ValueError):
            continue
    me = os.getpid()
    found = set()
    for pid, cmd in cmdlines.items():
        if not _FOREIGN.search(cmd):
            continue
        p, seen = pid, 0
        while p not in (0, 1, me) and seen < 64:
            p, seen = parents.get(p, 0), seen + 1
        if p != me:
            found.add(cmd[:160])
    return found


@contextlib.contextmanager
def _watch_lab_writers():
    found, stop = set(), threading.Event()

    def poll():
        while not stop.is_set():
            found.update(_lab_writers())
            stop.wait(0.3)

    t = threading.Thread(target=poll, daemon=True)
    t.start()
    try:
        yield found
    finally:
        stop.set()
        t.join()


def _ansible(cmd, env):
    t0 = time.monotonic()
    proc = subprocess.run(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          text=True, timeout=600, check=False)
    return Run(proc.returncode, proc.stdout, time.monotonic() - t0)


def run_case(case):
    """Run one case (guard first when it has one); never raises on a bad outcome, the caller judges."""
    if case.needs:
        reason = case.needs()
        if reason:
            return Outcome(case, skipped=reason)
    with contextlib.ExitStack() as stack:
        ctx = dict(case.ctx)
        if case.listener:
            ctx["port"] = stack.enter_context(_listener())
        customers = copy.deepcopy(BASE_CUSTOMERS)
        customers[Z].update(TEST_PASSWORDS)
        extra = {}
        if case.change:
            case.change(customers, extra, ctx)
        extra.setdefault("lightrag_pg_customers", customers)
        tmp = stack.enter_context(tempfile.NamedTemporaryFile("w", suffix=".json", prefix="bad-input-", encoding="utf-8"))
        json.dump(extra, tmp, ensure_ascii=False)
        tmp.flush()
        env = cli_env(no_docker_path() if case.no_docker else None)
        outcome = Outcome(case, expect=tuple(e.format(**ctx) for e in case.expect))
        cmd = command(case, tmp.name)
        with _watch_lab_writers() as foreign:
            before = snapshot()
            outcome.base_existed = os.path.isdir(LAB_BASE)
            if case.guard:
                outcome.guard = _ansible(cmd + ["--tags", GUARD_TAG], env)
            if outcome.guard is None or outcome.guard.rc != 0:  # else the checks let it through: no real run
                outcome.run = _ansible(cmd, env)
            after = snapshot()
            outcome.base_exists_after = os.path.isdir(LAB_BASE)
        outcome.foreign = tuple(sorted(foreign))
        outcome.changed_files = tuple(sorted(p for p in set(before) | set(after) if before.get(p) != after.get(p)))
        return outcome


def unsettled(outcome):
    """Why a failed case cannot be held against the collection (the lab moved underneath it), or None.

    Only when other processes were seen working on the lab meanwhile (or the state the case
    needs is gone), and never when a password showed.
    """
    found = problems(outcome)
    if not found or any("password" in p for p in found):
        return None
    now = outcome.case.needs() if outcome.case.needs else None
    if now:
        return "the lab changed during the run: %s" % now
    if outcome.foreign:
        return "other processes worked on the lab during the run (%s): %s" % (
            "; ".join(outcome.foreign)[:300], "; ".join(found)[:300])
    return None


def problems(outcome):
    """Every broken promise of one outcome (empty: refused cleanly)."""
    out = []
    if outcome.run is None:
        return ["the checks let it through (the run limited to the validation passed): real command not run"]
    run = outcome.run
    if run.rc == 0:
        out.append("the run succeeded")
    message = " ".join(outcome.message.split())
    if not message:
        out.append("no [ERROR] message in the output")
    for want in outcome.expect:
        if want not in message:
            out.append("message lacks %r" % want)
    if "Nothing has been changed" not in message:
        out.append("message lacks 'Nothing has been changed'")
    r = recap(run.output)
    if r is None:
        out.append("no play recap for %s" % HOST)
    elif r["changed"] or not r["failed"]:
        out.append("recap %s" % r)
    if re.search(r"^changed: \[", run.output, re.M):
        out.append("a task reported changed")
    allowed = validation_task_names()
    extra_tasks = [t for t in task_banners(run.output)
                   if t not in allowed and not t.startswith("Validating arguments against arg spec")]
    if extra_tasks:
        out.append("tasks after the validation ran: %s" % extra_tasks)
    if (outcome.changed_files or outcome.base_existed != outcome.base_exists_after) and not outcome.foreign:
        out.append("files changed under %s: %s" % (LAB_BASE, list(outcome.changed_files)[:10] or LAB_BASE))
    texts = [run.output] + ([outcome.guard.output] if outcome.guard else [])
    for secret in secrets_to_hide():
        if any(secret in t for t in texts):
            out.append("a password shows in the output")
            break
    return out


def lab_note(outcome):
    """Why the mtime comparison could not be held against this run, if it could not."""
    if outcome.run is None or not (outcome.changed_files or outcome.base_existed != outcome.base_exists_after):
        return None
    return "%d path(s) under %s changed while other processes worked on the lab (%s); not counted against this run" % (
        len(outcome.changed_files), LAB_BASE, "; ".join(outcome.foreign)[:300])


def run_all(cases, workers=3):
    """Cases in parallel (each run only reads); results in the order given."""
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return list(pool.map(run_case, cases))


if __name__ == "__main__":
    chosen = [c for c in CASES if not sys.argv[1:] or c.id in sys.argv[1:]]
    for o in run_all(chosen):
        print("==", o.case.id, o.skipped or problems(o) or "ok")
        print(o.message)

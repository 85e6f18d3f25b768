"""One customer can never reach another's data: every attempt here must fail.

Attempts run from inside customer A's LightRAG container (python3 and asyncpg are
there, as LightRAG uses them) against customer B's PostgreSQL, with B's own, correct
credentials, so only isolation can stop them. Passwords travel on stdin, never on a
command line (the lab host is this machine: subprocess feeds stdin directly)."""

import json
import os
import subprocess
import sys

import pytest
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "collections"))

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils import dotenv  # noqa: E402

GROUP_VARS = os.path.join(REPO, "inventories", "lab", "group_vars", "h200")
CUSTOMERS = {c["name"]: c for c in yaml.safe_load(open(os.path.join(GROUP_VARS, "customers.yml")))["lightrag_pg_customers"]}
BASE = yaml.safe_load(open(os.path.join(GROUP_VARS, "zz_lab_overrides.yml")))["lightrag_pg_base_dir"]
PAIRS = [(a, b) for a in CUSTOMERS for b in CUSTOMERS if a != b]

# Runs inside A's LightRAG container (python3 - < script); T is prepended.
ATTEMPT = r"""
import asyncio, json
import asyncpg
t = T
async def main():
    try:
        conn = await asyncio.wait_for(asyncpg.connect(host=t["host"], port=t["port"], user="lightrag",
                                                      password=t["password"], database="lightrag"), 10)
        rows = await conn.fetchval("select count(*) from pg_tables")
        print(json.dumps({"opened": True, "tables": rows}))
    except Exception as exc:
        print(json.dumps({"opened": False, "error": "%s: %s" % (type(exc).__name__, exc)}))
asyncio.run(main())
"""


def _password(host, name):
    return dotenv.parse(host.file("%s/%s/.env" % (BASE, name)).content_string)["POSTGRES_PASSWORD"]


def _attempt(host, src, target_host, port, password):
    script = "T = %r\n%s" % (dict(host=target_host, port=port, password=password), ATTEMPT)
    run = subprocess.run(["docker", "exec", "-i", "lightrag-%s-lightrag-1" % src, "python3", "-"],
                         input=script, capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])


def _address(host, container):
    out = host.check_output("docker inspect -f '{{json .NetworkSettings.Networks}}' %s", container)
    return [n["IPAddress"] for n in json.loads(out).values()]


def test_the_attempt_itself_works_on_the_customers_own_postgres(host):
    # Guards the guard: the same script opens A's own database by service name.
    for name in CUSTOMERS:
        result = _attempt(host, name, "postgres", 5432, _password(host, name))
        assert result["opened"] is True, result


@pytest.mark.parametrize("src, dst", PAIRS)
def test_no_route_by_the_other_customers_service_or_container_name(host, src, dst):
    for target in ("lightrag-%s-postgres-1" % dst, "lightrag-%s-postgres" % dst):
        result = _attempt(host, src, target, 5432, _password(host, dst))
        # Unknown names fail to resolve (or time out resolving): never a session.
        assert result["opened"] is False, result


@pytest.mark.parametrize("src, dst", PAIRS)
def test_no_session_by_the_other_customers_container_address(host, src, dst):
    (address,) = _address(host, "lightrag-%s-postgres-1" % dst)
    result = _attempt(host, src, address, 5432, _password(host, dst))
    assert result["opened"] is False, result


@pytest.mark.parametrize("src, dst", PAIRS)
def test_no_session_through_the_other_customers_host_port(host, src, dst):
    result = _attempt(host, src, "host.docker.internal", CUSTOMERS[dst]["pg_port"], _password(host, dst))
    assert result["opened"] is False, result


@pytest.mark.parametrize("src, dst", PAIRS)
def test_one_customers_credentials_do_not_open_another_customers_database(host, src, dst):
    # From the host, through B's published port, as `lightrag` with A's password.
    script = (
        "import json, sys, psycopg2\n"
        "t = json.loads(sys.stdin.readline())\n"
        "try:\n"
        "    psycopg2.connect(host='127.0.0.1', port=t['port'], user='lightrag', password=t['password'],"
        " dbname='lightrag', connect_timeout=5).close(); print('opened')\n"
        "except psycopg2.OperationalError as exc:\n"
        "    print('refused: %s' % exc)\n"
    )
    run = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False,
                         input=json.dumps(dict(port=CUSTOMERS[dst]["pg_port"], password=_password(host, src))) + "\n")
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("refused") and "password authentication failed" in run.stdout, run.stdout


@pytest.mark.parametrize("name", list(CUSTOMERS))
def test_postgres_is_published_on_loopback_only(host, name):
    ports = json.loads(host.check_output(
        "docker inspect -f '{{json .NetworkSettings.Ports}}' lightrag-%s-postgres-1", name))
    bindings = ports["5432/tcp"]
    assert [b["HostIp"] for b in bindings] == ["127.0.0.1"]
    assert [b["HostPort"] for b in bindings] == [str(CUSTOMERS[name]["pg_port"])]
    # And nothing answers on the host's other addresses.
    for address in host.check_output("hostname -I").split():
        probe = host.run("timeout 3 bash -c 'exec 3<>/dev/tcp/%s/%s'", address, str(CUSTOMERS[name]["pg_port"]))
        assert probe.rc != 0, "PostgreSQL of %s answers on %s" % (name, address)

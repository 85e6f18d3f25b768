"""What site.yml promises on h200, checked on the lab host after converge."""

import json
import os
import sys

import pytest
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "collections"))

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils import dotenv  # noqa: E402

GROUP_VARS = os.path.join(REPO, "inventories", "lab", "group_vars", "h200")
CUSTOMERS = yaml.safe_load(open(os.path.join(GROUP_VARS, "customers.yml")))["lightrag_pg_customers"]
BASE = yaml.safe_load(open(os.path.join(GROUP_VARS, "zz_lab_overrides.yml")))["lightrag_pg_base_dir"]
NAMES = [c["name"] for c in CUSTOMERS]
PG_CLASSES = {
    "kv_storage": "PGKVStorage",
    "vector_storage": "PGVectorStorage",
    "graph_storage": "PGTableGraphStorage",
    "doc_status_storage": "PGDocStatusStorage",
}


@pytest.fixture(params=CUSTOMERS, ids=NAMES)
def customer(request):
    return request.param


def _psql(host, customer, sql):
    # Inside the container, over the local socket: no password on any command line.
    cmd = host.run(
        "docker exec lightrag-%s-postgres-1 psql -U postgres -d lightrag -Atc %s",
        customer["name"],
        sql,
    )
    assert cmd.rc == 0, cmd.stderr
    return cmd.stdout.strip()


def test_both_services_run_and_postgres_is_healthy(host, customer):
    state = host.check_output(
        "docker inspect -f '{{.State.Status}} {{.State.Health.Status}}' lightrag-%s-postgres-1",
        customer["name"],
    )
    assert state == "running healthy"
    assert host.check_output(
        "docker inspect -f '{{.State.Status}}' lightrag-%s-lightrag-1", customer["name"]
    ) == "running"


def test_postgres_is_published_on_loopback_only(host, customer):
    published = host.check_output("docker port lightrag-%s-postgres-1 5432/tcp", customer["name"])
    assert published.splitlines() == ["127.0.0.1:%d" % customer["pg_port"]]
    assert host.socket("tcp://127.0.0.1:%d" % customer["pg_port"]).is_listening
    assert not host.socket("tcp://0.0.0.0:%d" % customer["pg_port"]).is_listening


def test_env_is_private_and_points_at_postgres(host, customer):
    env_file = host.file("%s/%s/.env" % (BASE, customer["name"]))
    assert env_file.mode == 0o600
    assert env_file.user == "root"
    values = dotenv.parse(env_file.content_string)
    assert values["LIGHTRAG_KV_STORAGE"] == "PGKVStorage"
    assert values["LIGHTRAG_VECTOR_STORAGE"] == "PGVectorStorage"
    assert values["LIGHTRAG_GRAPH_STORAGE"] == "PGTableGraphStorage"
    assert values["LIGHTRAG_DOC_STATUS_STORAGE"] == "PGDocStatusStorage"
    assert values["POSTGRES_HOST"] == "postgres"
    assert values["POSTGRES_DATABASE"] == "lightrag"
    assert values["EMBEDDING_DIM"] == "768"
    # Lines the collection does not own survive the switch.
    assert values["WORKSPACE"] == customer["workspace"]
    assert values["LLM_BINDING"] == "openai"


def test_previous_env_is_kept_as_private_backup(host, customer):
    folder = "%s/%s" % (BASE, customer["name"])
    # File.listdir() hides dot files.
    backups = sorted(host.check_output("find %s -maxdepth 1 -name '.env.*.bak'", folder).split())
    assert backups, "no .env backup written by the switch"
    first = host.file(backups[0])
    assert first.mode == 0o600
    assert dotenv.parse(first.content_string)["LIGHTRAG_KV_STORAGE"] == "JsonKVStorage"


def test_secrets_are_not_in_compose_file_or_world_readable(host, customer):
    folder = "%s/%s" % (BASE, customer["name"])
    password = dotenv.parse(host.file(folder + "/.env").content_string)["POSTGRES_PASSWORD"]
    assert password not in host.file(folder + "/compose.yaml").content_string
    secret = host.file(folder + "/secrets/pg_superuser_password")
    assert secret.mode == 0o600
    assert host.file(folder + "/secrets").mode == 0o700
    inspect = host.check_output("docker inspect lightrag-%s-postgres-1", customer["name"])
    assert "POSTGRES_PASSWORD=" not in inspect


def test_pgvector_is_installed_in_lightrag_database(host, customer):
    version = _psql(host, customer, "select extversion from pg_extension where extname = 'vector'")
    assert version.split(".")[0] == "0" and len(version.split(".")) == 3


def test_lightrag_role_is_not_superuser_and_uses_scram(host, customer):
    row = _psql(
        host,
        customer,
        "select rolsuper, left(rolpassword, 13) from pg_authid where rolname = 'lightrag'",
    )
    assert row == "f|SCRAM-SHA-256"
    owner = _psql(host, customer, "select pg_get_userbyid(datdba) from pg_database where datname = 'lightrag'")
    assert owner == "lightrag"


def test_lightrag_created_its_tables_as_its_own_role(host, customer):
    owners = _psql(
        host,
        customer,
        "select distinct tableowner from pg_tables where tablename like 'lightrag_%'",
    )
    assert owners == "lightrag"
    assert _psql(host, customer, "select to_regclass('lightrag_graph_nodes') is not null") == "t"


def test_health_reports_postgres_storage(host, customer):
    body = host.check_output("curl -fsS http://127.0.0.1:%s/health" % customer["lightrag_port"])
    health = json.loads(body)
    assert health["status"] == "healthy"
    for key, cls in PG_CLASSES.items():
        assert health["configuration"][key] == cls
    assert health["configuration"]["workspace"] == customer["workspace"]


def test_file_storage_is_left_on_disk(host, customer):
    graph = host.file(
        "%s/%s/data/rag_storage/%s/graph_chunk_entity_relation.graphml"
        % (BASE, customer["name"], customer["workspace"])
    )
    assert graph.exists
    assert graph.size > 0
    assert "<node " in graph.content_string


def test_each_customer_has_its_own_network_and_volume(host, customer):
    network = "lightrag-%s_internal" % customer["name"]
    members = json.loads(host.check_output("docker network inspect %s", network))[0]["Containers"]
    names = sorted(c["Name"] for c in members.values())
    assert names == sorted(
        ["lightrag-%s-lightrag-1" % customer["name"], "lightrag-%s-postgres-1" % customer["name"]]
    )
    mounts = json.loads(host.check_output("docker inspect lightrag-%s-postgres-1", customer["name"]))[0]["Mounts"]
    volumes = [m["Name"] for m in mounts if m["Type"] == "volume"]
    assert volumes == ["lightrag-%s_pgdata" % customer["name"]]


def test_postgres_memory_and_cpu_limits_are_in_force(host, customer):
    limits = host.check_output(
        "docker inspect -f '{{.HostConfig.Memory}} {{.HostConfig.NanoCpus}}' lightrag-%s-postgres-1",
        customer["name"],
    )
    memory, nano_cpus = (int(x) for x in limits.split())
    assert memory == 4 * 1024 ** 3
    assert nano_cpus == 2 * 10 ** 9

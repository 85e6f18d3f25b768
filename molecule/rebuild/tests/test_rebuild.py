"""After a cold rebuild of pinpianyi: PostgreSQL agrees with LightRAG; zhicaiyunlian untouched."""

import json
import os
import subprocess

import pytest
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GROUP_VARS = os.path.join(REPO, "inventories", "lab", "group_vars", "h200")
CUSTOMERS = {c["name"]: c for c in yaml.safe_load(open(os.path.join(GROUP_VARS, "customers.yml")))["lightrag_pg_customers"]}
BASE = yaml.safe_load(open(os.path.join(GROUP_VARS, "zz_lab_overrides.yml")))["lightrag_pg_base_dir"]
REBUILT = CUSTOMERS["pinpianyi"]
# The operator's own command line, with the repository's ansible.cfg.
CLI_ENV = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"))


def _psql(host, name, sql):
    return host.check_output(
        "docker exec lightrag-%s-postgres-1 psql -U postgres -d lightrag -Atc %s", name, sql
    )


def _api(host, path):
    return json.loads(host.check_output("curl -fsS 'http://127.0.0.1:%s%s'" % (REBUILT["lightrag_port"], path)))


def _count(host, table, extra=""):
    sql = "select count(*) from %s where workspace = 'pinpianyi' %s" % (table, extra)
    return int(_psql(host, "pinpianyi", sql))


def test_every_source_document_is_processed(host):
    sources = host.check_output(
        "find %s/pinpianyi/data/inputs/pinpianyi -type f | wc -l", BASE
    )
    processed = _count(host, "lightrag_doc_status", "and status = 'processed'")
    assert processed == int(sources) > 0
    assert _count(host, "lightrag_doc_status", "and status <> 'processed'") == 0


def test_postgres_counts_match_lightrags_own_answers(host):
    counts = _api(host, "/documents/status_counts")["status_counts"]
    assert counts["processed"] == _count(host, "lightrag_doc_status", "and status = 'processed'")
    labels = _api(host, "/graph/label/list")
    entities = _count(host, "lightrag_graph_nodes")
    assert entities > 0
    assert len(labels) == entities
    graph = _api(host, "/graphs?label=*&max_depth=100&max_nodes=100000")
    assert len(graph["nodes"]) == entities
    relations = _count(host, "lightrag_graph_edges")
    assert relations > 0
    assert len(graph["edges"]) == relations


def test_rebuilt_graph_matches_the_file_graph_it_replaces(host):
    # Same sources, same deterministic LLM stand-in: the same graph as before the switch.
    graphml = host.file("%s/pinpianyi/data/rag_storage/pinpianyi/graph_chunk_entity_relation.graphml" % BASE)
    assert graphml.content_string.count("<node ") == _count(host, "lightrag_graph_nodes")
    assert graphml.content_string.count("<edge ") == _count(host, "lightrag_graph_edges")


def test_other_customer_is_untouched(host):
    assert _psql(host, "zhicaiyunlian", "select count(*) from lightrag_doc_status") == "0"
    before = host.file("/tmp/loomgraph-molecule-untouched.txt").content_string
    after = host.check_output(
        "cd %s/zhicaiyunlian && { find data .env compose.yaml -type f -print0 | sort -z | xargs -0 sha256sum; "
        "docker inspect -f '{{.Name}} {{.Id}} {{.State.StartedAt}}' "
        "lightrag-zhicaiyunlian-lightrag-1 lightrag-zhicaiyunlian-postgres-1; }",
        BASE,
    )
    assert after.strip() == before.strip()


@pytest.mark.parametrize(
    "extra, message",
    [
        ([], "A cold rebuild needs the customer named"),
        (["-e", "customer=pinpianyi,zhicaiyunlian"], "needs -e cold_rebuild_allow_many=true"),
        (["-e", "customer=nobody"], "Unknown customer(s): nobody"),
    ],
)
def test_rebuild_tag_refuses_unless_one_known_customer_is_named(extra, message):
    run = subprocess.run(
        ["ansible-playbook", "-i", "inventories/lab", "site.yml", "-l", "h200", "--tags", "rebuild"] + extra,
        cwd=REPO, env=CLI_ENV, capture_output=True, text=True, check=False,
    )
    assert run.returncode != 0
    assert message in " ".join(run.stdout.split())
    assert "Send the source documents" not in run.stdout


def test_main_run_never_rebuilds():
    run = subprocess.run(
        ["ansible-playbook", "-i", "inventories/lab", "site.yml", "-l", "h200", "--list-tasks"],
        cwd=REPO, env=CLI_ENV, capture_output=True, text=True, check=True,
    )
    assert "cold_rebuild : Send" not in run.stdout
    assert "cold_rebuild : Rebuild each named customer" not in run.stdout

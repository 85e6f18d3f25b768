"""After rolling pinpianyi back: file storage serves the old graph, PostgreSQL keeps its data."""

import json
import os

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GROUP_VARS = os.path.join(REPO, "inventories", "lab", "group_vars", "h200")
CUSTOMERS = {c["name"]: c for c in yaml.safe_load(open(os.path.join(GROUP_VARS, "customers.yml")))["lightrag_pg_customers"]}
BASE = yaml.safe_load(open(os.path.join(GROUP_VARS, "zz_lab_overrides.yml")))["lightrag_pg_base_dir"]
FILE_CLASSES = {
    "kv_storage": "JsonKVStorage",
    "vector_storage": "NanoVectorDBStorage",
    "graph_storage": "NetworkXStorage",
    "doc_status_storage": "JsonDocStatusStorage",
}


def _api(host, name, path, body=None):
    cmd = "curl -fsS 'http://127.0.0.1:%s%s'" % (CUSTOMERS[name]["lightrag_port"], path)
    if body is not None:
        cmd += " -H 'Content-Type: application/json' -d '%s'" % json.dumps(body)
    return json.loads(host.check_output(cmd))


def test_health_reports_file_storage(host):
    config = _api(host, "pinpianyi", "/health")["configuration"]
    for key, cls in FILE_CLASSES.items():
        assert config[key] == cls


def _pg_count(host, sql):
    return int(host.check_output(
        "docker exec lightrag-pinpianyi-postgres-1 psql -U postgres -d lightrag -Atc \"%s\"" % sql))


def test_old_graph_serves_again(host):
    graphml = host.file("%s/pinpianyi/data/rag_storage/pinpianyi/graph_chunk_entity_relation.graphml" % BASE)
    nodes = graphml.content_string.count("<node ")
    assert nodes > 0
    labels = _api(host, "pinpianyi", "/graph/label/list")
    assert len(labels) == nodes
    # PostgreSQL learned more after the switch (prepare.yml): the files, not it, answer.
    assert _pg_count(host, "select count(*) from lightrag_graph_nodes where workspace = 'pinpianyi'") > nodes
    assert not [label for label in labels if "RollbackMarker" in label]
    counts = _api(host, "pinpianyi", "/documents/status_counts")["status_counts"]
    assert counts.get("processed", 0) > 0


def test_a_query_is_answered_from_the_old_data(host):
    answer = _api(host, "pinpianyi", "/query", {"query": "What does the Signer class do?", "mode": "local",
                                                "only_need_context": True})
    assert "Signer" in json.dumps(answer)


def test_what_only_postgres_learned_is_not_served(host):
    answer = _api(host, "pinpianyi", "/query", {"query": "What does RollbackMarkerLedger settle?", "mode": "local",
                                                "only_need_context": True})
    assert "RollbackMarker" not in json.dumps(answer)


def test_postgres_keeps_the_rebuilt_data(host):
    processed = host.check_output(
        "docker exec lightrag-pinpianyi-postgres-1 psql -U postgres -d lightrag -Atc "
        "\"select count(*) from lightrag_doc_status where workspace = 'pinpianyi' and status = 'processed'\""
    )
    assert int(processed) > 0
    assert host.docker("lightrag-pinpianyi-postgres-1").is_running


def test_the_other_customer_stays_on_postgres(host):
    config = _api(host, "zhicaiyunlian", "/health")["configuration"]
    assert config["kv_storage"] == "PGKVStorage"

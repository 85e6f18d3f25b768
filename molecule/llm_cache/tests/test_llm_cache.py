"""The same rebuild of pinpianyi, without and with the LLM cache carried over from files."""

import json
import os

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GROUP_VARS = os.path.join(REPO, "inventories", "lab", "group_vars", "h200")
BASE = yaml.safe_load(open(os.path.join(GROUP_VARS, "zz_lab_overrides.yml")))["lightrag_pg_base_dir"]


def _count(host, table, extra=""):
    return int(host.check_output(
        "docker exec lightrag-pinpianyi-postgres-1 psql -U postgres -d lightrag -Atc "
        "\"select count(*) from %s where workspace = 'pinpianyi' %s\"" % (table, extra)))


def _calls(host):
    return json.loads(host.file("/tmp/loomgraph-molecule-llm-calls.json").content_string)


def test_without_the_cache_every_chunk_costs_llm_calls(host):
    without = _calls(host)["without_cache"]
    chunks = _count(host, "lightrag_doc_chunks")
    # One extraction and one gleaning pass per chunk (LightRAG's default).
    assert without["calls"] == {"extract": chunks, "glean": chunks} and chunks > 0


def test_with_the_cache_the_rebuild_asks_the_llm_nothing(host):
    assert _calls(host)["with_cache"]["total"] == 0


def test_the_cached_rebuild_gives_the_same_graph(host):
    graphml = host.file("%s/pinpianyi/data/rag_storage/pinpianyi/graph_chunk_entity_relation.graphml" % BASE)
    assert graphml.content_string.count("<node ") == _count(host, "lightrag_graph_nodes") > 0
    assert graphml.content_string.count("<edge ") == _count(host, "lightrag_graph_edges") > 0
    assert _count(host, "lightrag_doc_status", "and status <> 'processed'") == 0


def test_the_carried_entries_are_in_postgres(host):
    cache = json.loads(host.file(
        "%s/pinpianyi/data/rag_storage/pinpianyi/kv_store_llm_response_cache.json" % BASE).content_string)
    assert _count(host, "lightrag_llm_cache") == len(cache) > 0

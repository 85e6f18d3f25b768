"""The same rebuild of pinpianyi, without and with the LLM cache carried over from files;
then two customers rebuilt at once, one fed by an operator command."""

import json
import os
import re
import subprocess

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GROUP_VARS = os.path.join(REPO, "inventories", "lab", "group_vars", "h200")
BASE = yaml.safe_load(open(os.path.join(GROUP_VARS, "zz_lab_overrides.yml")))["lightrag_pg_base_dir"]
CLI_ENV = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"))


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


# An operator's own indexer, as `loomgraph index` would be: it posts a folder's files to
# the LightRAG named in its environment (the role passes LIGHTRAG_URL and friends).
FEEDER = r"""
import json, os, sys, urllib.request
names, texts = [], []
for root, _dirs, files in sorted(os.walk(sys.argv[1])):
    for name in sorted(files):
        with open(os.path.join(root, name), encoding="utf-8") as handle:
            names.append(name)
            texts.append(handle.read())
body = json.dumps({"texts": texts, "file_sources": names}).encode()
headers = {"Content-Type": "application/json"}
if os.environ.get("LIGHTRAG_API_KEY"):
    headers["X-API-Key"] = os.environ["LIGHTRAG_API_KEY"]
request = urllib.request.Request(os.environ["LIGHTRAG_URL"] + "/documents/texts", data=body, headers=headers)
print("fed %d documents of %s: %s" % (len(texts), os.environ["LIGHTRAG_CUSTOMER"], urllib.request.urlopen(request).read()))
"""


def _zhi_count(host, table, extra=""):
    return int(host.check_output(
        "docker exec lightrag-zhicaiyunlian-postgres-1 psql -U postgres -d lightrag -Atc "
        "\"select count(*) from %s where workspace = 'zhicaiyunlian' %s\"" % (table, extra)))


def test_two_customers_rebuild_at_once_one_fed_by_its_own_command(host, tmp_path):
    feeder = tmp_path / "feed.py"
    feeder.write_text(FEEDER)
    sources = "%s/zhicaiyunlian/data/inputs/zhicaiyunlian" % BASE
    command = json.dumps({"cold_rebuild_source_commands": {"zhicaiyunlian": "python3 %s %s" % (feeder, sources)}})

    def start(*extra):
        return subprocess.Popen(["ansible-playbook", "-i", "inventories/lab", "site.yml", "-l", "h200", "--tags", "rebuild"]
                                + list(extra), cwd=REPO, env=CLI_ENV, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
    zhi = start("-e", "customer=zhicaiyunlian", "-e", command)
    pin = start("-e", "customer=pinpianyi")
    zhi_out, pin_out = zhi.communicate(timeout=1200)[0], pin.communicate(timeout=1200)[0]
    assert zhi.returncode == 0, zhi_out[-4000:]
    assert pin.returncode == 0, pin_out[-4000:]
    zhi_text = " ".join(zhi_out.split())
    files = int(host.check_output("find %s -type f | wc -l" % sources))
    # The command, not the role's own sender, fed LightRAG (the sender's task is skipped).
    assert "source command: python3" in zhi_text and "fed %d documents of zhicaiyunlian" % files in zhi_text, \
        zhi_text[-3000:]
    assert not re.search(r"Send the documents LightRAG does not know yet: zhicaiyunlian\] \*+ (changed|ok):", zhi_text)

    processed = _zhi_count(host, "lightrag_doc_status", "and status = 'processed'")
    assert processed == files > 0
    graphml = host.file("%s/zhicaiyunlian/data/rag_storage/zhicaiyunlian/graph_chunk_entity_relation.graphml" % BASE)
    assert graphml.content_string.count("<node ") == _zhi_count(host, "lightrag_graph_nodes")
    assert graphml.content_string.count("<edge ") == _zhi_count(host, "lightrag_graph_edges")

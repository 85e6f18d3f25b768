"""After a cold rebuild of pinpianyi: PostgreSQL agrees with LightRAG; zhicaiyunlian untouched."""

import json
import os
import re
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


def _one(host, pattern):
    found = host.check_output("ls -d %s 2>/dev/null || true" % pattern).split()  # unquoted: a glob
    assert len(found) == 1, found
    return found[0]


def test_a_backup_was_taken_before_the_rebuild(host):
    folder = _one(host, "%s/pinpianyi/backups/*-cold-rebuild" % BASE)
    assert host.file(folder).mode == 0o700
    for name in ("lightrag.dump", "inputs.tar.gz", "backup.json"):
        assert host.file("%s/%s" % (folder, name)).mode == 0o600
    # A pg_dump custom-format archive, and every source document in the tarball.
    assert host.check_output("head -c 5 %s/lightrag.dump", folder) == "PGDMP"
    listed = host.check_output("tar -tzf %s/inputs.tar.gz", folder).split()
    sources = host.check_output("cd %s/pinpianyi/data && find inputs -type f", BASE).split()
    assert sorted(f for f in listed if not f.endswith("/")) == sorted(sources) and sources
    # Taken before anything was sent: PostgreSQL held no document then.
    assert json.loads(host.file(folder + "/backup.json").content_string)["totals"]["documents"] == 0


def test_the_report_puts_file_counts_and_postgres_counts_side_by_side(host):
    report = json.loads(host.file(_one(host, "%s/pinpianyi/reports/cold-rebuild-*.json" % BASE)).content_string)
    text = json.dumps(report)
    graphml = host.file("%s/pinpianyi/data/rag_storage/pinpianyi/graph_chunk_entity_relation.graphml" % BASE)
    nodes = graphml.content_string.count("<node ")
    assert str(nodes) in text and str(_count(host, "lightrag_graph_nodes")) in text
    markdown = host.file(_one(host, "%s/pinpianyi/reports/cold-rebuild-*.md" % BASE)).content_string
    assert "pinpianyi" in markdown and "|" in markdown


def test_the_rebuild_lock_is_released(host):
    assert not host.file("%s/pinpianyi/.cold-rebuild.lock" % BASE).exists


def _rebuild(*extra):
    return subprocess.run(
        ["ansible-playbook", "-i", "inventories/lab", "site.yml", "-l", "h200", "--tags", "rebuild",
         "-e", "customer=pinpianyi"] + list(extra),
        cwd=REPO, env=CLI_ENV, capture_output=True, text=True, check=False,
    )


def _hold_lock(host, pid):
    owner = json.dumps(dict(controller=host.check_output("hostname -f 2>/dev/null || hostname"), pid=pid,
                            since="2026-01-01T00:00:00+00:00"))
    host.check_output("printf '%%s\\n' %s > %s/pinpianyi/.cold-rebuild.lock", owner, BASE)


def test_a_second_rebuild_of_the_same_customer_is_refused(host):
    holder = subprocess.Popen(["sleep", "300"])
    try:
        _hold_lock(host, holder.pid)
        run = _rebuild()
        assert run.returncode != 0
        out = " ".join(run.stdout.split())
        assert "another cold rebuild holds" in out and str(holder.pid) in out
        assert "Send the documents" not in run.stdout
        # The refused run leaves the other run's lock alone.
        assert str(holder.pid) in host.file("%s/pinpianyi/.cold-rebuild.lock" % BASE).content_string
    finally:
        holder.kill()
        holder.wait()
        host.check_output("rm -f %s/pinpianyi/.cold-rebuild.lock", BASE)


def test_a_lock_left_by_a_killed_rebuild_is_taken_over(host):
    gone = subprocess.Popen(["true"])
    gone.wait()
    _hold_lock(host, gone.pid)
    run = _rebuild()
    assert run.returncode == 0, run.stdout[-3000:]
    out = " ".join(run.stdout.split())
    assert "took over the lock of an earlier rebuild" in out
    # Nothing left to do, and the progress line says so.
    assert re.search(r"pinpianyi: (\d+)/\1 documents processed, 0 failed, 0 to go, pipeline idle", out), out[-2000:]
    assert not host.file("%s/pinpianyi/.cold-rebuild.lock" % BASE).exists


OTHER_MODEL = json.dumps({"lightrag_pg_embedding": {"binding": "openai", "host": "http://host.docker.internal:8090/v1",
                                                    "model": "BAAI/bge-m3", "dim": 1024}})


def test_an_embedding_model_change_is_refused_before_anything_changes(host):
    env_before = host.file("%s/pinpianyi/.env" % BASE).sha256sum
    run = subprocess.run(["ansible-playbook", "-i", "inventories/lab", "site.yml", "-l", "h200", "-e", OTHER_MODEL],
                         cwd=REPO, env=CLI_ENV, capture_output=True, text=True, check=False)
    out = " ".join(run.stdout.split())
    assert run.returncode != 0
    assert "Customer 'pinpianyi', variable 'embedding': its data in PostgreSQL was built with " \
           "jinaai_jina_embeddings_v2_base_code/768" in out, out[-3000:]
    assert "lightrag_switch_accept_embedding_change=true" in out and "cold_rebuild_fresh=true" in out
    assert host.file("%s/pinpianyi/.env" % BASE).sha256sum == env_before


def test_a_rebuild_with_another_embedding_dimension_stops_in_preflight(host):
    run = _rebuild("-e", OTHER_MODEL)
    out = " ".join(run.stdout.split())
    assert run.returncode != 0
    assert "check 'embedding dimension'" in out and "returns 768-dimension vectors, the inventory says 1024" in out, \
        out[-3000:]
    assert "Nothing has been changed" in out
    assert not host.file("%s/pinpianyi/.cold-rebuild.lock" % BASE).exists


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
    assert "Send the documents" not in run.stdout


def test_main_run_never_rebuilds():
    run = subprocess.run(
        ["ansible-playbook", "-i", "inventories/lab", "site.yml", "-l", "h200", "--list-tasks"],
        cwd=REPO, env=CLI_ENV, capture_output=True, text=True, check=True,
    )
    assert "cold_rebuild : Send" not in run.stdout
    assert "cold_rebuild : Rebuild each named customer" not in run.stdout

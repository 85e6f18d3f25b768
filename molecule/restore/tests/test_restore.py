"""After restoring pinpianyi from its backup: everything the backup held is back."""

import json
import os

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GROUP_VARS = os.path.join(REPO, "inventories", "lab", "group_vars", "h200")
BASE = yaml.safe_load(open(os.path.join(GROUP_VARS, "zz_lab_overrides.yml")))["lightrag_pg_base_dir"]
RECORD = "/tmp/loomgraph-molecule-restore.txt"
TABLES = dict(documents="lightrag_doc_status", chunks="lightrag_doc_chunks",
              entities="lightrag_graph_nodes", relations="lightrag_graph_edges")


def _recorded(host):
    lines = host.file(RECORD).content_string.splitlines()
    counts = dict(line.split() for line in lines[:4])
    return dict((k, int(v)) for k, v in counts.items()), sorted(lines[4:])


def _count(host, table):
    return int(host.check_output(
        "docker exec lightrag-pinpianyi-postgres-1 psql -U postgres -d lightrag -Atc "
        "\"select count(*) from %s where workspace = 'pinpianyi'\"" % table))


def test_postgres_holds_what_the_backup_held(host):
    counts, _files = _recorded(host)
    assert counts["documents"] > 0 and counts["entities"] > 0
    assert dict((k, _count(host, t)) for k, t in TABLES.items()) == counts


def test_the_source_files_are_back_byte_for_byte(host):
    _counts, files = _recorded(host)
    assert files
    now = host.check_output(
        "cd %s/pinpianyi/data && find inputs -type f -print0 | sort -z | xargs -0 sha256sum" % BASE).splitlines()
    assert sorted(now) == files


def test_lightrag_serves_the_restored_graph(host):
    labels = json.loads(host.check_output("curl -fsS http://127.0.0.1:9610/graph/label/list"))
    assert len(labels) == _count(host, "lightrag_graph_nodes") > 0
    counts = json.loads(host.check_output("curl -fsS http://127.0.0.1:9610/documents/status_counts"))
    assert counts["status_counts"].get("processed", 0) == _count(host, "lightrag_doc_status")


def test_the_state_before_the_restore_was_kept(host):
    folders = host.check_output("ls -1d %s/pinpianyi/backups/*-before-restore" % BASE).split()
    assert len(folders) == 1
    before = json.loads(host.file(folders[0] + "/backup.json").content_string)
    assert before["totals"]["documents"] == 0  # the state right after the disaster
    assert host.file(folders[0] + "/lightrag.dump").size > 0

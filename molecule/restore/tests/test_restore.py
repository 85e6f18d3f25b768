"""After restoring pinpianyi from its backup: everything the backup held is back."""

import json
import os
import signal
import subprocess
import time

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


def test_the_scheduled_backup_is_installed_runs_keeps_n_days_and_restores(host):
    for name in ("pinpianyi", "zhicaiyunlian"):
        cron = host.file("/etc/cron.d/lightrag-pg-backup-%s" % name)
        assert cron.mode == 0o644 and "root /usr/local/sbin/lightrag-pg-backup" in cron.content_string
        assert "%s/%s 14" % (BASE, name) in cron.content_string
    backups = "%s/pinpianyi/backups" % BASE
    # One scheduled and one manual backup from long ago: only the scheduled one may go.
    host.check_output("mkdir -p %s/20000101T000000Z-scheduled %s/20000101T000000Z-manual && "
                      "touch -d '30 days ago' %s/20000101T000000Z-scheduled %s/20000101T000000Z-manual"
                      % ((backups,) * 4))
    run = host.run("/usr/local/sbin/lightrag-pg-backup %s/pinpianyi 14" % BASE)  # what cron runs
    assert run.rc == 0, run.stderr
    assert "removed (older than 14 days) backups/20000101T000000Z-scheduled" in run.stdout
    assert not host.file(backups + "/20000101T000000Z-scheduled").exists
    assert host.file(backups + "/20000101T000000Z-manual").exists
    host.check_output("rmdir %s/20000101T000000Z-manual" % backups)
    folders = host.check_output("ls -1d %s/*-scheduled" % backups).split()
    assert len(folders) == 1
    folder = folders[0]
    assert host.file(folder).mode == 0o700
    for name in ("lightrag.dump", "inputs.tar.gz", "backup.json"):
        assert host.file("%s/%s" % (folder, name)).mode == 0o600
    # restore.yml checks the restored counts against the ones the script wrote.
    restore = subprocess.run(
        ["ansible-playbook", "-i", "inventories/lab", "playbooks/restore.yml", "-l", "h200",
         "-e", "customer=pinpianyi", "-e", "backup=" + os.path.basename(folder)],
        cwd=REPO, env=dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg")),
        capture_output=True, text=True, check=False)
    assert restore.returncode == 0, restore.stdout[-4000:]
    assert "restored from %s" % os.path.basename(folder) in " ".join(restore.stdout.split())


def _databases(host):
    return host.check_output("docker exec lightrag-pinpianyi-postgres-1 psql -U postgres -Atc "
                             "'select datname from pg_database order by 1'").split()


def test_a_restore_killed_while_replacing_the_database_keeps_it_whole_and_finishes_when_run_again(host):
    counts, _files = _recorded(host)  # what the live database holds now (the previous test restored it)
    folder = os.path.basename(host.check_output("ls -1d %s/pinpianyi/backups/*-scheduled" % BASE).split()[-1])
    cmd = ["ansible-playbook", "-i", "inventories/lab", "playbooks/restore.yml", "-l", "h200",
           "-e", "customer=pinpianyi", "-e", "backup=" + folder]
    env = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"))
    play = subprocess.Popen(cmd, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    seen = []
    for line in play.stdout:
        seen.append(line)
        if "Replace the database with the dump: pinpianyi" in line:
            break
    # Killed while the dump is being restored beside the live database.
    caught = False
    for _attempt in range(300):
        if "lightrag_restoring" in _databases(host):
            caught = True
            break
        time.sleep(0.05)
    os.killpg(play.pid, signal.SIGKILL)
    play.wait()
    assert caught, "never saw the restore under way: " + "".join(seen)[-2000:]
    # The customer is down (LightRAG stopped for the replacement), but its database is whole.
    assert host.check_output("docker inspect -f '{{.State.Status}}' lightrag-pinpianyi-lightrag-1") != "running"
    for key, table in TABLES.items():
        assert _count(host, table) == counts[key], key
    # The same command again clears the leftover and finishes.
    again = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stdout[-4000:]
    assert "restored from %s" % folder in " ".join(again.stdout.split())
    assert "lightrag_restoring" not in _databases(host) and "lightrag_replaced" not in _databases(host)
    for key, table in TABLES.items():
        assert _count(host, table) == counts[key], key
    assert host.check_output("curl -sS --retry 10 --retry-all-errors -o /dev/null -w '%{http_code}' http://127.0.0.1:9610/health") == "200"

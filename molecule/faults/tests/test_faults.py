"""Faults survived, in order: each test breaks one real part, checks nothing was lost
and that running again converges. They share the lab, so they run top to bottom."""

import hashlib
import json
import os
import re
import signal
import subprocess
import time

import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
GROUP_VARS = os.path.join(REPO, "inventories", "lab", "group_vars", "h200")
CUSTOMERS = {c["name"]: c for c in yaml.safe_load(open(os.path.join(GROUP_VARS, "customers.yml")))["lightrag_pg_customers"]}
BASE = yaml.safe_load(open(os.path.join(GROUP_VARS, "zz_lab_overrides.yml")))["lightrag_pg_base_dir"]
CLI_ENV = dict(os.environ, ANSIBLE_CONFIG=os.path.join(REPO, "ansible.cfg"))
STANDINS = "/var/lib/loomgraph-lab/standins/compose.yaml"  # lab/setup.sh runs the stand-ins from there


def _playbook(*args, timeout=1200):
    return subprocess.run(["ansible-playbook", "-i", "inventories/lab"] + list(args), cwd=REPO, env=CLI_ENV,
                          capture_output=True, text=True, timeout=timeout, check=False)


def _rebuild(name, *extra):
    return _playbook("site.yml", "-l", "h200", "--tags", "rebuild", "-e", "customer=" + name, *extra)


def _out(run):
    return " ".join(run.stdout.split())


def _sql(name, sql):
    return subprocess.run(["docker", "exec", "lightrag-%s-postgres-1" % name, "psql", "-U", "postgres", "-d", "lightrag",
                           "-Atc", sql], capture_output=True, text=True, check=True).stdout.strip()


def _counts(name):
    ws = CUSTOMERS[name].get("workspace", name)
    q = "select count(*) from %s where workspace = '" + ws + "'"
    return dict(
        documents=int(_sql(name, q % "lightrag_doc_status" + " and id not like 'dup-%'")),
        duplicates=int(_sql(name, q % "lightrag_doc_status" + " and id like 'dup-%'")),
        unfinished=int(_sql(name, q % "lightrag_doc_status" + " and status <> 'processed'")),
        entities=int(_sql(name, q % "lightrag_graph_nodes")),
        relations=int(_sql(name, q % "lightrag_graph_edges")),
    )


def _file_graph(name):
    ws = CUSTOMERS[name].get("workspace", name)
    text = open("%s/%s/data/rag_storage/%s/graph_chunk_entity_relation.graphml" % (BASE, name, ws)).read()
    return text.count("<node "), text.count("<edge ")


def _tree_digest(path):
    digest = hashlib.sha256()
    for root, dirs, files in sorted(os.walk(path)):
        dirs.sort()
        for f in sorted(files):
            with open(os.path.join(root, f), "rb") as handle:
                digest.update(f.encode() + handle.read())
    return digest.hexdigest()


def _wait_healthy(container, timeout=180):
    end = time.time() + timeout
    while time.time() < end:
        state = subprocess.run(["docker", "inspect", "-f", "{{.State.Health.Status}}", container],
                               capture_output=True, text=True, check=False).stdout.strip()
        if state == "healthy":
            return
        time.sleep(2)
    raise AssertionError("%s not healthy after %s s" % (container, timeout))


def test_embedding_service_down_stops_a_rebuild_before_anything_changes():
    backups = "%s/pinpianyi/backups" % BASE
    before = sorted(os.listdir(backups)) if os.path.isdir(backups) else []
    subprocess.run(["docker", "compose", "-f", STANDINS, "stop", "embedding"], check=True, capture_output=True)
    try:
        run = _rebuild("pinpianyi")
    finally:
        subprocess.run(["docker", "compose", "-f", STANDINS, "start", "embedding"], check=True, capture_output=True)
    assert run.returncode != 0
    out = _out(run)
    assert "Customer 'pinpianyi', check 'embedding'" in out and "Nothing has been changed" in out, out[-2000:]
    assert (sorted(os.listdir(backups)) if os.path.isdir(backups) else []) == before
    assert _counts("pinpianyi")["documents"] == 0
    assert not os.path.exists("%s/pinpianyi/.cold-rebuild.lock" % BASE)


def test_rebuild_survives_postgres_killed_and_the_play_killed():
    rag_before = _tree_digest("%s/pinpianyi/data/rag_storage" % BASE)
    play = subprocess.Popen(
        ["ansible-playbook", "-i", "inventories/lab", "site.yml", "-l", "h200", "--tags", "rebuild",
         "-e", "customer=pinpianyi", "-e", "cold_rebuild_poll_interval=2"],
        cwd=REPO, env=CLI_ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen = []
    for line in play.stdout:  # wait until LightRAG is working on the documents
        seen.append(line)
        if re.search(r"pinpianyi: \d+/\d+ documents processed", line):
            break
    # PostgreSQL dies under LightRAG (its main process, as an OOM kill would), then the play dies.
    # SIGKILL from the host: PID 1 ignores it from inside its own namespace.
    pid = subprocess.run(["docker", "inspect", "-f", "{{.State.Pid}}", "lightrag-pinpianyi-postgres-1"],
                         capture_output=True, text=True, check=True).stdout.strip()
    os.kill(int(pid), signal.SIGKILL)
    os.killpg(play.pid, signal.SIGKILL)
    play.wait()
    assert any("documents processed" in line for line in seen), "".join(seen)[-3000:]
    _wait_healthy("lightrag-pinpianyi-postgres-1")  # restart: unless-stopped brings it back

    # The same command again: takes over the dead run's lock, resumes, finishes.
    # Short stall and overall timeouts: this test may fail, never hang. LightRAG 1.5.7 can
    # stay busy after PostgreSQL died mid-merge; the rebuild then restarts it (next test).
    run = _rebuild("pinpianyi", "-e", "cold_rebuild_stall_timeout=60", "-e", "cold_rebuild_timeout=600")
    assert run.returncode == 0, run.stdout[-4000:]
    assert "took over the lock" in _out(run)
    counts = _counts("pinpianyi")
    sources = sum(len(f) for _r, _d, f in os.walk("%s/pinpianyi/data/inputs/pinpianyi" % BASE))
    assert counts["documents"] == sources and counts["unfinished"] == 0
    assert counts["duplicates"] == 0, "a document was sent twice"
    assert (counts["entities"], counts["relations"]) == _file_graph("pinpianyi")
    assert _tree_digest("%s/pinpianyi/data/rag_storage" % BASE) == rag_before


def test_a_rebuild_whose_lightrag_stops_making_progress_restarts_it_and_finishes():
    # The LLM stand-in is frozen mid-rebuild, so LightRAG's pipeline stays busy without
    # moving. Without the carried cache every chunk needs the LLM, so the freeze bites.
    rag_before = _tree_digest("%s/zhicaiyunlian/data/rag_storage" % BASE)
    play = subprocess.Popen(
        ["ansible-playbook", "-i", "inventories/lab", "site.yml", "-l", "h200", "--tags", "rebuild",
         "-e", "customer=zhicaiyunlian", "-e", "cold_rebuild_poll_interval=2", "-e", "cold_rebuild_stall_timeout=30",
         "-e", "cold_rebuild_timeout=600", "-e", "cold_rebuild_reuse_llm_cache=false"],
        cwd=REPO, env=CLI_ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen, frozen = [], False
    try:
        for line in play.stdout:
            seen.append(line)
            # Frozen once the documents are on their way, thawed once the rebuild restarts LightRAG.
            if not frozen and "Send the documents LightRAG does not know yet: zhicaiyunlian" in line:
                subprocess.run(["docker", "compose", "-f", STANDINS, "pause", "llm"], check=True, capture_output=True)
                frozen = True
            if frozen and "Restart LightRAG: zhicaiyunlian" in line:
                subprocess.run(["docker", "compose", "-f", STANDINS, "unpause", "llm"], check=True, capture_output=True)
                frozen = False
        play.wait(timeout=900)
    finally:
        if frozen:
            subprocess.run(["docker", "compose", "-f", STANDINS, "unpause", "llm"], check=False, capture_output=True)
        if play.poll() is None:
            os.killpg(play.pid, signal.SIGKILL)
    out = " ".join("".join(seen).split())
    assert play.returncode == 0, out[-4000:]
    assert "zhicaiyunlian: LightRAG made no progress for" in out, out[-4000:]
    # The restart task's own output, up to the next task (at -vvv, connection lines come first).
    restart = out.split("Restart LightRAG: zhicaiyunlian]", 1)[1].split("TASK [", 1)[0]
    assert "changed: [" in restart, restart[-3000:]
    counts = _counts("zhicaiyunlian")
    sources = sum(len(f) for _r, _d, f in os.walk("%s/zhicaiyunlian/data/inputs/zhicaiyunlian" % BASE))
    assert counts["documents"] == sources and counts["unfinished"] == 0
    assert counts["duplicates"] == 0, "a document was sent twice"
    assert (counts["entities"], counts["relations"]) == _file_graph("zhicaiyunlian")
    assert _tree_digest("%s/zhicaiyunlian/data/rag_storage" % BASE) == rag_before


def test_a_fresh_rebuild_killed_while_emptying_the_workspace_finishes_when_run_again():
    rag_before = _tree_digest("%s/zhicaiyunlian/data/rag_storage" % BASE)
    cmd = ["ansible-playbook", "-i", "inventories/lab", "site.yml", "-l", "h200", "--tags", "rebuild",
           "-e", "customer=zhicaiyunlian", "-e", "cold_rebuild_fresh=true", "-e", "cold_rebuild_stall_timeout=120",
           "-e", "cold_rebuild_timeout=600"]
    play = subprocess.Popen(cmd, cwd=REPO, env=CLI_ENV, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    seen = []
    for line in play.stdout:  # killed once LightRAG is stopped for the wipe
        seen.append(line)
        if "Delete the workspace's rows from LightRAG's tables: zhicaiyunlian" in line:
            break
    os.killpg(play.pid, signal.SIGKILL)
    play.wait()
    assert any("Stop LightRAG while its workspace is emptied" in line for line in seen), "".join(seen)[-3000:]
    state = subprocess.run(["docker", "inspect", "-f", "{{.State.Status}}", "lightrag-zhicaiyunlian-lightrag-1"],
                           capture_output=True, text=True, check=True).stdout.strip()
    assert state != "running"  # the customer is down until someone acts

    # The same command again: takes over the lock, starts LightRAG, empties and rebuilds.
    run = subprocess.run(cmd, cwd=REPO, env=CLI_ENV, capture_output=True, text=True, timeout=1200, check=False)
    out = _out(run)
    assert run.returncode == 0, out[-4000:]
    assert "took over the lock" in out
    assert "Start LightRAG again if the rebuild taken over left it stopped: zhicaiyunlian]" in out
    started = out.split("Start LightRAG again if the rebuild taken over left it stopped: zhicaiyunlian]", 1)[1]
    assert "changed: [" in started.split("TASK [", 1)[0]
    counts = _counts("zhicaiyunlian")
    sources = sum(len(f) for _r, _d, f in os.walk("%s/zhicaiyunlian/data/inputs/zhicaiyunlian" % BASE))
    assert counts["documents"] == sources and counts["unfinished"] == 0 and counts["duplicates"] == 0
    assert (counts["entities"], counts["relations"]) == _file_graph("zhicaiyunlian")
    assert _tree_digest("%s/zhicaiyunlian/data/rag_storage" % BASE) == rag_before


def test_a_switch_whose_lightrag_does_not_come_up_puts_the_previous_env_back():
    env_path = "%s/zhicaiyunlian/.env" % BASE
    before = open(env_path, "rb").read()
    # A PostgreSQL port LightRAG cannot reach: the new settings never come up healthy.
    run = _playbook("playbooks/switch.yml", "-l", "h200", "-e", "storage=postgres", "-e", "customer=zhicaiyunlian",
                    "-e", "lightrag_switch_pg_port=1", "-e", "lightrag_switch_health_timeout=45")
    assert run.returncode != 0
    out = _out(run)
    assert "Switching customer 'zhicaiyunlian' to postgres storage failed" in out, out[-3000:]
    assert "The previous .env was put back" in out
    assert open(env_path, "rb").read() == before
    assert oct(os.stat(env_path).st_mode & 0o777) == "0o600"
    health = json.loads(subprocess.run(
        ["curl", "-fsS", "--retry", "30", "--retry-delay", "2", "--retry-all-errors",
         "http://127.0.0.1:%s/health" % CUSTOMERS["zhicaiyunlian"]["lightrag_port"]],
        capture_output=True, text=True, check=True).stdout)
    assert health["configuration"]["kv_storage"] == "PGKVStorage"
    # And the next normal run converges without a change.
    again = _playbook("site.yml", "-l", "h200")
    assert again.returncode == 0 and re.search(r"changed=0 +unreachable=0 +failed=0", again.stdout), again.stdout[-3000:]


def test_the_customers_come_back_with_their_data_after_a_docker_engine_restart():
    before = _counts("pinpianyi")
    subprocess.run(["pkill", "-x", "dockerd"], check=True)
    for _second in range(60):
        if subprocess.run(["pgrep", "-x", "dockerd"], capture_output=True, check=False).returncode != 0:
            break
        time.sleep(1)
    setup = subprocess.run(["bash", "lab/setup.sh"], cwd=REPO, capture_output=True, text=True, timeout=900, check=False)
    assert setup.returncode == 0, setup.stderr[-3000:]
    for name in CUSTOMERS:
        for service in ("postgres", "lightrag"):
            policy = subprocess.run(["docker", "inspect", "-f", "{{.HostConfig.RestartPolicy.Name}}",
                                     "lightrag-%s-%s-1" % (name, service)],
                                    capture_output=True, text=True, check=False).stdout.strip()
            assert policy == "unless-stopped"
        _wait_healthy("lightrag-%s-postgres-1" % name)
    assert _counts("pinpianyi") == before
    run = _playbook("site.yml", "-l", "h200")
    assert run.returncode == 0 and re.search(r"changed=0 +unreachable=0 +failed=0", run.stdout), run.stdout[-3000:]

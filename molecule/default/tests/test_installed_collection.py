"""The main job as users get it: the collection built into a tarball, installed
into an empty collections path, and `loomgraph.lightrag_pg.site` run by FQCN
against the converged lab. Nothing of the checkout takes part but the lab
inventory (an operator brings their own). Converged means it must change nothing."""

import importlib.util
import os
import re
import shutil
import subprocess
import sys
import tempfile

import pytest

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", ".."))
BIN = os.path.dirname(sys.executable)
VAULT_PASS = "/var/lib/loomgraph-lab/vault-pass"


def _tool(name):
    path = os.path.join(BIN, name)
    return path if os.path.exists(path) else shutil.which(name)


@pytest.fixture(scope="module")
def installed():
    root = tempfile.mkdtemp(prefix="lightrag_pg-installed-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("ANSIBLE_", "MOLECULE_"))}
    cfg = os.path.join(root, "ansible.cfg")
    with open(cfg, "w") as f:
        f.write("[defaults]\n")
    cols = os.path.join(root, "collections")

    def run(*args, timeout=300):
        return subprocess.run(list(args), cwd=root, env=env, capture_output=True, text=True,
                              timeout=timeout, check=False)

    try:
        built = run(_tool("ansible-galaxy"), "collection", "build", "--output-path", root, REPO)
        assert built.returncode == 0, built.stdout + built.stderr
        tarball = [f for f in os.listdir(root) if f.endswith(".tar.gz")][0]
        got = run(_tool("ansible-galaxy"), "collection", "install", "--offline", "--no-deps",
                  "-p", cols, os.path.join(root, tarball))
        assert got.returncode == 0, got.stdout + got.stderr
        # community.* from the `ansible` package, as on an operator's controller.
        spec = importlib.util.find_spec("ansible_collections.community.docker")
        site_cols = os.path.abspath(os.path.join(list(spec.submodule_search_locations)[0], "..", "..", ".."))
        env.update(ANSIBLE_CONFIG=cfg, ANSIBLE_COLLECTIONS_PATH=os.pathsep.join([cols, site_cols]),
                   ANSIBLE_COLLECTIONS_SCAN_SYS_PATH="false", ANSIBLE_NOCOLOR="1",
                   ANSIBLE_VAULT_IDENTITY_LIST="lab@" + VAULT_PASS)
        yield run
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_installed_site_playbook_converges_the_lab(installed):
    run = installed(_tool("ansible-playbook"), "-i", os.path.join(REPO, "inventories", "lab"),
                    "loomgraph.lightrag_pg.site", "-l", "h200", timeout=900)
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    recap = re.search(r"lab-h200\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=0\s+failed=0", run.stdout)
    assert recap, run.stdout[-2000:]
    assert int(recap.group(1)) > 20, "the whole main job ran, not just the checks"
    assert recap.group(2) == "0", run.stdout[-4000:]

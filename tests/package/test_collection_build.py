"""The collection as users get it: build the tarball, install it offline into an
empty collections path, and run the main job's entry points from that copy only.

No Docker, no network: community.docker / community.postgresql come from the
`ansible` package's site-packages, which is on the collections path after the
fresh one (as on an operator's controller). Everything lives in one temporary
folder, removed at the end."""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile

import pytest

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
BIN = os.path.dirname(sys.executable)
FQCN = 'loomgraph.lightrag_pg'

# Never in the tarball: tooling, caches, the checkout's own collection link, secrets.
MUST_NOT_SHIP = ('.venv/', 'collections/', '.cache/', '.ansible/', '.pytest_cache/', '.git/', '.lab/',
                 'bench/results/', '__pycache__/', 'tests/output/', '.molecule/')
# What a user of the collection needs.
MUST_SHIP = ('MANIFEST.json', 'FILES.json', 'meta/runtime.yml', 'playbooks/site.yml', 'README.md')


def _site_collections():
    """The folder holding the `ansible` package's ansible_collections/."""
    spec = importlib.util.find_spec('ansible_collections.community.docker')
    return os.path.dirname(os.path.dirname(os.path.dirname(list(spec.submodule_search_locations)[0])))


class Installed(object):
    def __init__(self, root):
        self.root = root
        self.cols = os.path.join(root, 'collections')
        self.path = os.path.join(self.cols, 'ansible_collections', 'loomgraph', 'lightrag_pg')
        cfg = os.path.join(root, 'ansible.cfg')
        with open(cfg, 'w') as f:
            f.write('[defaults]\n')
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith('ANSIBLE_') and k not in ('PYTHONPATH',)}
        self.env.update(
            # An empty config and a neutral working folder: nothing of this checkout
            # (ansible.cfg, collections/ link, roles/) can take part.
            ANSIBLE_CONFIG=cfg,
            ANSIBLE_HOME=os.path.join(root, 'home'),
            ANSIBLE_COLLECTIONS_PATH=os.pathsep.join([self.cols, _site_collections()]),
            ANSIBLE_COLLECTIONS_SCAN_SYS_PATH='false',
            ANSIBLE_NOCOLOR='1',
            ANSIBLE_DEPRECATION_WARNINGS='0',
        )

    def run(self, tool, *args):
        proc = subprocess.run([os.path.join(BIN, tool)] + list(args), cwd=self.root, env=self.env,
                              capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, '%s %s\n%s\n%s' % (tool, ' '.join(args), proc.stdout[-3000:], proc.stderr[-3000:])
        return proc.stdout

    def doc(self, kind, *names):
        return json.loads(self.run('ansible-doc', '-t', kind, '--json', *names))


@pytest.fixture(scope='module')
def tarball():
    root = tempfile.mkdtemp(prefix='lightrag_pg-build-')
    try:
        proc = subprocess.run([os.path.join(BIN, 'ansible-galaxy'), 'collection', 'build', '--output-path', root, REPO_ROOT],
                              cwd=root, capture_output=True, text=True, timeout=120, check=False)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        built = [f for f in os.listdir(root) if f.endswith('.tar.gz')]
        assert len(built) == 1, built
        yield os.path.join(root, built[0])
    finally:
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope='module')
def installed(tarball):
    inst = Installed(tempfile.mkdtemp(prefix='lightrag_pg-install-'))
    try:
        # Without --no-deps: the dependencies resolve as already installed from
        # site-packages, and --offline keeps Galaxy out of it.
        out = inst.run('ansible-galaxy', 'collection', 'install', '--offline', '-p', inst.cols, tarball)
        assert os.path.isfile(os.path.join(inst.path, 'MANIFEST.json')), out
        yield inst
    finally:
        shutil.rmtree(inst.root, ignore_errors=True)


def test_tarball_holds_the_collection_and_nothing_of_the_checkout(tarball):
    with tarfile.open(tarball) as tar:
        names = [m.name + ('/' if m.isdir() else '') for m in tar.getmembers()]
    for needed in MUST_SHIP:
        assert needed in names, needed
    for role in sorted(os.listdir(os.path.join(REPO_ROOT, 'roles'))):
        assert 'roles/%s/tasks/main.yml' % role in names, role
    leaked = [n for n in names
              if any(('/' + n).find('/' + bad) >= 0 for bad in MUST_NOT_SHIP)
              or n.endswith(('.pyc', 'vault.yml')) or n.endswith('.tar.gz')]
    assert leaked == []


def test_installed_copy_is_the_one_resolved(installed):
    listed = json.loads(installed.run('ansible-galaxy', 'collection', 'list', FQCN, '--format', 'json'))
    assert list(listed) == [os.path.join(installed.cols, 'ansible_collections')], listed
    # Every file is as MANIFEST/FILES.json say.
    installed.run('ansible-galaxy', 'collection', 'verify', '--offline', '-p', installed.cols, FQCN)


def test_main_job_resolves_from_the_installed_collection(installed):
    """The README's main job, `site.yml`, is the collection's playbook `loomgraph.lightrag_pg.site`."""
    out = installed.run('ansible-playbook', '-i', os.path.join(REPO_ROOT, 'inventories', 'lab'),
                        FQCN + '.site', '--syntax-check')
    assert 'playbook: %s' % os.path.join(installed.path, 'playbooks', 'site.yml') in out, out


def test_every_playbook_resolves_from_the_installed_collection(installed):
    names = sorted(f[:-4] for f in os.listdir(os.path.join(REPO_ROOT, 'playbooks')) if f.endswith('.yml'))
    for name in names:
        out = installed.run('ansible-playbook', '-i', os.path.join(REPO_ROOT, 'inventories', 'lab'),
                            '%s.%s' % (FQCN, name), '--syntax-check')
        assert os.path.join(installed.path, 'playbooks', name + '.yml') in out, out


def test_every_module_is_documented_from_the_installed_collection(installed):
    modules = sorted(f[:-3] for f in os.listdir(os.path.join(REPO_ROOT, 'plugins', 'modules'))
                     if f.endswith('.py') and not f.startswith('_'))
    assert modules
    assert sorted(installed.doc('module', '--list', FQCN)) == ['%s.%s' % (FQCN, m) for m in modules]
    docs = installed.doc('module', *['%s.%s' % (FQCN, m) for m in modules])
    for m in modules:
        doc = docs['%s.%s' % (FQCN, m)]['doc']
        assert doc['filename'] == os.path.join(installed.path, 'plugins', 'modules', m + '.py')
        assert doc['short_description'] and doc['options']


def test_filters_and_roles_are_documented_from_the_installed_collection(installed):
    filters = sorted(installed.doc('filter', '--list', FQCN))
    assert filters
    for name, entry in installed.doc('filter', *filters).items():
        assert entry['doc']['filename'].startswith(installed.path + os.sep), name
    roles = sorted(os.listdir(os.path.join(REPO_ROOT, 'roles')))
    docs = installed.doc('role', *['%s.%s' % (FQCN, r) for r in roles])
    for r in roles:
        assert docs['%s.%s' % (FQCN, r)]['entry_points']['main']['options'], r

"""Argument specs and DOCUMENTATION (with the shared fragment) must agree.

ansible-doc does the fragment merge, so this checks what operators read."""

import json
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.loomgraph.lightrag_pg.plugins.modules import lightrag_llm_cache, pg_check, workspace_stats

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
# The PostgreSQL modules: shared login options, doc fragment and action group.
MODULES = {'lightrag_llm_cache': lightrag_llm_cache, 'pg_check': pg_check, 'workspace_stats': workspace_stats}


def rendered_doc(name):
    fqcn = 'loomgraph.lightrag_pg.' + name
    # ansible-test units gives module tests a PYTHONPATH with only ansible's
    # module_utils; ansible-doc is controller code and needs its own installation.
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-doc'), '--json', fqcn],
                         cwd=REPO_ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)[fqcn]


@pytest.fixture(scope='module', params=sorted(MODULES))
def module_doc(request):
    return request.param, MODULES[request.param], rendered_doc(request.param)


def test_every_option_documented_and_nothing_more(module_doc):
    name, module, doc = module_doc
    assert sorted(module.argument_spec()) == sorted(doc['doc']['options'])


def test_option_details_agree(module_doc):
    name, module, doc = module_doc
    for option, spec in module.argument_spec().items():
        documented = doc['doc']['options'][option]
        where = '%s.%s' % (name, option)
        assert documented.get('type', 'str') == spec.get('type', 'str'), where
        assert documented.get('default') == spec.get('default'), where
        assert documented.get('choices') == spec.get('choices'), where
        assert sorted(documented.get('aliases', [])) == sorted(spec.get('aliases', [])), where
        assert documented.get('elements') == spec.get('elements'), where
        assert documented.get('required', False) == spec.get('required', False), where
        assert documented['description'], where


def test_password_is_no_log(module_doc):
    name, module, doc = module_doc
    assert module.argument_spec()['login_password']['no_log'] is True


def test_return_keys_are_complete(module_doc):
    name, module, doc = module_doc

    def walk(entries, path):
        for key, entry in entries.items():
            where = '%s: %s%s' % (name, path, key)
            for field in ('description', 'type', 'returned'):
                assert entry.get(field) not in (None, ''), '%s lacks %s' % (where, field)
            if entry['type'] not in ('list', 'dict') or 'contains' not in entry:
                assert 'sample' in entry, '%s lacks a sample' % where
            walk(entry.get('contains', {}), path + key + '.')
    walk(doc['return'], '')


def test_examples_use_fqcn_and_parse(module_doc):
    name, module, doc = module_doc
    tasks = yaml.safe_load(doc['examples'])
    modules_used = set()

    def collect(items):
        for task in items:
            if 'block' in task:
                collect(task['block'])
            modules_used.update(k for k in task if '.' in k)
    collect(tasks)
    assert 'loomgraph.lightrag_pg.' + name in modules_used
    assert all(m.count('.') == 2 for m in modules_used)  # FQCN, builtins included
    assert 'register' in doc['examples']
    assert 'group/loomgraph.lightrag_pg.postgres' in doc['examples']


def test_action_group_lists_the_postgresql_modules():
    with open(os.path.join(REPO_ROOT, 'meta', 'runtime.yml')) as handle:
        runtime = yaml.safe_load(handle)
    assert sorted(runtime['action_groups']['postgres']) == sorted(MODULES)

"""lightrag_llm_cache: argument spec and DOCUMENTATION (with the shared fragment)
agree, as test_argspec_docs.py checks for the read-only modules."""

import json
import os
import subprocess
import sys

import pytest
import yaml

from ansible_collections.loomgraph.lightrag_pg.plugins.modules import lightrag_llm_cache

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
FQCN = 'loomgraph.lightrag_pg.lightrag_llm_cache'


@pytest.fixture(scope='module')
def doc():
    # ansible-doc is controller code: not ansible-test units' PYTHONPATH.
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-doc'), '--json', FQCN],
                         cwd=REPO_ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)[FQCN]


def test_llm_cache_options_documented_and_nothing_more(doc):
    assert sorted(lightrag_llm_cache.argument_spec()) == sorted(doc['doc']['options'])


def test_llm_cache_option_details_agree(doc):
    for option, spec in lightrag_llm_cache.argument_spec().items():
        documented = doc['doc']['options'][option]
        for field, default in (('type', 'str'), ('default', None), ('choices', None), ('elements', None),
                               ('required', False)):
            assert documented.get(field, default) == spec.get(field, default), (option, field)
        assert sorted(documented.get('aliases', [])) == sorted(spec.get('aliases', [])), option
        assert documented['description'], option


def test_llm_cache_password_is_no_log():
    assert lightrag_llm_cache.argument_spec()['login_password']['no_log'] is True


def test_llm_cache_return_keys_are_complete(doc):
    def walk(entries, path):
        for key, entry in entries.items():
            for field in ('description', 'type', 'returned'):
                assert entry.get(field) not in (None, ''), '%s%s lacks %s' % (path, key, field)
            if entry['type'] not in ('list', 'dict') or 'contains' not in entry:
                assert 'sample' in entry, '%s%s lacks a sample' % (path, key)
            walk(entry.get('contains', {}), path + key + '.')
    walk(doc['return'], '')


def test_llm_cache_examples_use_fqcn_and_parse(doc):
    tasks = yaml.safe_load(doc['examples'])
    used = set(k for task in tasks for k in task if '.' in k)
    assert FQCN in used
    assert all(m.count('.') == 2 for m in used)
    assert 'register' in doc['examples']


def test_llm_cache_check_mode_is_declared(doc):
    assert doc['doc']['attributes']['check_mode']['support'] == 'full'

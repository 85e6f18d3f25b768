"""loomgraph.lightrag_pg.file_stats against file storage LightRAG 1.5.7 wrote itself
(tests/unit/fixtures/file_store/make_fixtures.py): the empty workspace (files in
rag_storage/ itself), Acme_Prod, 客户A, and partial (two files missing)."""

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml
from ansible.module_utils.testing import patch_module_args

from ansible_collections.loomgraph.lightrag_pg.plugins.modules import file_stats

FIXTURES = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures', 'file_store'))
RAG = os.path.join(FIXTURES, 'rag_storage')
REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..', '..'))
IGNORED = {'changed', 'invocation', 'warnings', 'deprecations', 'failed', 'msg', 'rc'}


def status(processed=0, failed=0, duplicates=0):
    result = dict(pending=0, parsing=0, analyzing=0, processing=0, preprocessed=0, processed=processed, failed=failed)
    result['duplicates'] = duplicates
    return result


# What networkx.read_graphml and json.load count in the fixtures.
EXPECTED = {
    'default': dict(documents=1, chunks=2, entities=4, relations=2, doc_status=status(processed=1, duplicates=1),
                    last_update='2026-12-03T15:36:50.474931+00:00', full_docs=1,
                    llm_cache=dict(entries=2, by_type={'extract': 2}), missing_files=[]),
    'Acme_Prod': dict(documents=2, chunks=4, entities=7, relations=4, doc_status=status(processed=2, duplicates=1),
                      last_update='2026-12-03T15:36:50.553638+00:00', full_docs=2,
                      llm_cache=dict(entries=6, by_type={'extract': 4, 'keywords': 1, 'query': 1}), missing_files=[]),
    'partial': dict(documents=1, chunks=2, entities=3, relations=2, doc_status=status(processed=1, duplicates=1),
                    last_update='2026-12-03T15:36:50.947242+00:00', full_docs=1,
                    llm_cache=dict(entries=0, by_type={}),
                    missing_files=['kv_store_llm_response_cache.json', 'vdb_relationships.json']),
    '客户A': dict(documents=3, chunks=6, entities=9, relations=7, doc_status=status(processed=2, failed=1, duplicates=1),
                last_update='2026-12-03T15:36:50.917941+00:00', full_docs=3,
                llm_cache=dict(entries=4, by_type={'extract': 4}), missing_files=[]),
}


@pytest.fixture(autouse=True)
def warned(monkeypatch):
    """The module's warnings. Caught at AnsibleModule.warn: once another test has loaded
    controller code, ansible-core sends warnings to the display instead of the result."""
    texts = []
    monkeypatch.setattr(file_stats.AnsibleModule, 'warn', lambda self, text: texts.append(text))
    return texts


def run(args, capsys, check_mode=False):
    if check_mode:
        args = dict(args, _ansible_check_mode=True)
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exited:
            file_stats.main()
    result = json.loads(capsys.readouterr().out)
    result['rc'] = exited.value.code
    return result


def names(result):
    return [ws['workspace'] for ws in result['workspaces']]


@pytest.fixture
def rag(tmp_path):
    """A copy of the fixture storage to break."""
    target = tmp_path / 'rag_storage'
    shutil.copytree(RAG, str(target))
    return target


@pytest.mark.parametrize('exact', [True, False])
def test_counts_are_what_lightrag_wrote(capsys, warned, exact):
    result = run(dict(path=RAG, exact=exact), capsys)
    assert result['rc'] == 0 and result['changed'] is False
    assert names(result) == ['Acme_Prod', 'default', 'partial', '客户A']
    for ws in result['workspaces']:
        expected = dict(EXPECTED[ws['workspace']], embedding_dim=8, errors={}, estimated=not exact)
        assert dict((k, ws[k]) for k in expected) == expected, ws['workspace']
    partial = result['workspaces'][2]
    assert partial['embedding_dims'] == {'chunks': 8, 'entities': 8, 'relationships': None}
    assert partial['path'] == os.path.join(RAG, 'partial')
    assert result['workspaces'][1]['path'] == RAG
    assert warned == []   # a missing file is expected, not a warning


def test_totals(capsys):
    totals = run(dict(path=RAG), capsys)['totals']
    assert totals == dict(workspaces=4, documents=7, chunks=14, entities=23, relations=15,
                          doc_status=status(processed=6, failed=1, duplicates=4), full_docs=7,
                          llm_cache=dict(entries=12, by_type={'extract': 10, 'keywords': 1, 'query': 1}))


def test_check_mode_reads_the_same(capsys):
    assert run(dict(path=RAG), capsys, check_mode=True) == run(dict(path=RAG), capsys)


@pytest.mark.parametrize('args, expected', [
    (dict(filter=['!default']), ['Acme_Prod', 'partial', '客户A']),
    (dict(filter=['客户*']), ['客户A']),
    (dict(filter=['acme*']), []),                         # case-sensitive, as names are
    (dict(search='ACME'), ['Acme_Prod']),                 # case-insensitive
    (dict(filter=['*', '!partial'], search='a'), ['Acme_Prod', 'default', '客户A']),
    (dict(sort_by='entities', sort_order='desc'), ['客户A', 'Acme_Prod', 'default', 'partial']),
    (dict(sort_by='documents'), ['default', 'partial', 'Acme_Prod', '客户A']),   # ties by name
])
def test_filter_search_sort(capsys, args, expected):
    result = run(dict(args, path=RAG), capsys)
    assert names(result) == expected
    assert result['totals']['workspaces'] == len(expected)


def test_left_out_workspaces_are_not_read(capsys, rag, warned):
    (rag / 'partial' / 'kv_store_text_chunks.json').write_text('{"broken": ')
    result = run(dict(path=str(rag), filter=['Acme_Prod']), capsys)
    assert names(result) == ['Acme_Prod'] and warned == []


def test_unreadable_file_is_an_error_entry_not_a_failure(capsys, rag, warned):
    (rag / '客户A' / 'kv_store_text_chunks.json').write_text('{"chunk-1": {"content": "cut short')
    (rag / '客户A' / 'graph_chunk_entity_relation.graphml').write_text('<graphml><graph><node id="a">')
    result = run(dict(path=str(rag), filter=['客户A']), capsys)
    assert result['rc'] == 0
    ws = result['workspaces'][0]
    assert sorted(ws['errors']) == ['graph_chunk_entity_relation.graphml', 'kv_store_text_chunks.json']
    assert 'invalid JSON' in ws['errors']['kv_store_text_chunks.json']
    assert (ws['chunks'], ws['entities'], ws['relations']) == (0, 0, 0)
    assert ws['documents'] == 3 and ws['full_docs'] == 3   # the rest is still counted
    assert len(warned) == 2 and all('客户A' in w for w in warned)


def test_empty_file_counts_as_missing(capsys, rag):
    (rag / 'Acme_Prod' / 'kv_store_doc_status.json').write_text('')
    ws = run(dict(path=str(rag), filter=['Acme_Prod']), capsys)['workspaces'][0]
    assert ws['missing_files'] == ['kv_store_doc_status.json']
    assert ws['documents'] == 0 and ws['doc_status'] == status() and ws['last_update'] is None
    assert ws['chunks'] == 4


def test_workspace_with_only_some_files(capsys, tmp_path):
    shutil.copy(os.path.join(RAG, 'Acme_Prod', 'graph_chunk_entity_relation.graphml'), str(tmp_path))
    result = run(dict(path=str(tmp_path)), capsys)
    ws = result['workspaces'][0]
    assert (ws['workspace'], ws['entities'], ws['relations'], ws['documents'], ws['chunks']) == ('default', 7, 4, 0, 0)
    assert ws['missing_files'] == ['kv_store_doc_status.json', 'kv_store_text_chunks.json', 'kv_store_full_docs.json',
                                   'kv_store_llm_response_cache.json', 'vdb_chunks.json', 'vdb_entities.json',
                                   'vdb_relationships.json']
    assert ws['embedding_dim'] is None and ws['last_update'] is None


def test_empty_workspace_layout_alone(capsys, tmp_path):
    for name in os.listdir(RAG):
        if os.path.isfile(os.path.join(RAG, name)):
            shutil.copy(os.path.join(RAG, name), str(tmp_path))
    result = run(dict(path=str(tmp_path)), capsys)
    assert names(result) == ['default']
    ws = result['workspaces'][0]
    assert dict((k, ws[k]) for k in EXPECTED['default']) == EXPECTED['default']


def test_vector_files_that_disagree(capsys, rag, warned):
    path = rag / 'Acme_Prod' / 'vdb_entities.json'
    path.write_text(path.read_text().replace('"embedding_dim": 8', '"embedding_dim": 1024', 1))
    result = run(dict(path=str(rag), filter=['Acme_Prod']), capsys)
    ws = result['workspaces'][0]
    assert ws['embedding_dim'] is None
    assert ws['embedding_dims'] == {'chunks': 8, 'entities': 1024, 'relationships': 8}
    assert len(warned) == 1 and 'disagree' in warned[0]


def test_no_workspace_yet(capsys, tmp_path):
    (tmp_path / 'unrelated').mkdir()
    result = run(dict(path=str(tmp_path)), capsys)
    assert result['rc'] == 0 and result['workspaces'] == [] and result['totals']['workspaces'] == 0


@pytest.mark.parametrize('make, message', [
    (lambda tmp: tmp / 'nowhere', 'does not exist'),
    (lambda tmp: tmp / 'file.json', 'is not a folder'),
])
def test_path_must_be_a_folder(capsys, tmp_path, make, message):
    (tmp_path / 'file.json').write_text('{}')
    result = run(dict(path=str(make(tmp_path))), capsys)
    assert result['rc'] == 1 and result['failed'] is True
    assert message in result['msg']


# --- documentation agrees with the code ----------------------------------------

@pytest.fixture(scope='module')
def doc():
    env = dict(os.environ)
    env.pop('PYTHONPATH', None)   # ansible-doc is controller code (see test_argspec_docs.py)
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-doc'), '--json',
                          'loomgraph.lightrag_pg.file_stats'],
                         cwd=REPO_ROOT, env=env, check=True, capture_output=True, text=True).stdout
    return json.loads(out)['loomgraph.lightrag_pg.file_stats']


def test_every_option_documented_alike(doc):
    options = doc['doc']['options']
    assert sorted(file_stats.argument_spec()) == sorted(options)
    for name, spec in file_stats.argument_spec().items():
        documented = options[name]
        for field, default in (('type', 'str'), ('default', None), ('choices', None), ('elements', None),
                               ('required', False)):
            assert documented.get(field, default) == spec.get(field, default), (name, field)


def compare(value, entries, path=''):
    for key in set(value) - IGNORED:
        assert key in entries, 'undocumented return key %s%s' % (path, key)
        contains = entries[key].get('contains')
        if contains and isinstance(value[key], dict):
            compare(value[key], contains, path + key + '.')
        elif contains and isinstance(value[key], list):
            for item in value[key]:
                compare(item, contains, path + key + '[].')
    for key, entry in entries.items():
        for field in ('description', 'type', 'returned'):
            assert entry.get(field) not in (None, ''), '%s%s lacks %s' % (path, key, field)
        if entry['type'] not in ('list', 'dict') or 'contains' not in entry:
            assert 'sample' in entry, '%s%s lacks a sample' % (path, key)
        if entry['returned'] in ('always', 'success'):
            assert key in value, 'documented as returned but missing: %s%s' % (path, key)


def test_returned_keys_documented(doc, capsys):
    compare(run(dict(path=RAG), capsys), doc['return'])


def test_examples_use_fqcn_and_parse(doc):
    tasks = yaml.safe_load(doc['examples'])
    used = set(k for task in tasks for k in task if '.' in k)
    assert 'loomgraph.lightrag_pg.file_stats' in used
    assert all(m.count('.') == 2 for m in used)
    assert 'register' in doc['examples']

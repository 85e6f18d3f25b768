"""workspace_stats against LightRAG's real schema, run through `ansible`."""

import json

import pytest

from ansible_cli import adhoc
from ansible_collections.loomgraph.lightrag_pg.plugins.modules import workspace_stats
from in_process import run_main
from seed import MODEL_A, MODEL_B

ZERO_STATUS = dict(pending=0, parsing=0, analyzing=0, processing=0, preprocessed=0, processed=0,
                   failed=0, duplicates=0)


def stats(login, db, **options):
    args = login(db)
    args.update(options)
    result = adhoc('workspace_stats', args)
    assert result.rc == 0, result
    assert result['changed'] is False
    return result.data


def by_name(data):
    return dict((ws['workspace'], ws) for ws in data['workspaces'])


def status(**counts):
    expected = dict(ZERO_STATUS)
    expected.update(counts)
    return expected


def test_fresh_database_gives_zeros(databases, login):
    data = stats(login, 'lightrag_fresh')
    assert data['workspaces'] == [] and data['tables'] == []
    assert data['totals'] == dict(workspaces=0, documents=0, chunks=0, entities=0, relations=0,
                                  doc_status=ZERO_STATUS)


def test_counts_per_workspace(databases, login):
    data = stats(login, 'lightrag')
    ws = by_name(data)
    assert sorted(ws) == ['Acme_Prod', 'default', "o'brien 100%", 'pinpianyi', '客户A']

    default = ws['default']
    assert (default['documents'], default['chunks'], default['entities'], default['relations']) == (2, 5, 4, 3)
    assert default['doc_status'] == status(processed=2)
    assert default['last_update'] == '2025-01-01T10:00:00+00:00'

    pin = ws['pinpianyi']
    # 5 documents; the 2 duplicate-upload markers are failed rows but not documents.
    assert pin['documents'] == 5
    assert pin['doc_status'] == status(processed=3, pending=1, failed=1, duplicates=2)
    assert (pin['chunks'], pin['entities'], pin['relations']) == (12, 10, 7)  # other namespace ignored
    assert (pin['entities_source'], pin['relations_source'], pin['chunks_source']) == ('graph', 'graph', 'doc_chunks')
    # From doc_status only: the newer chunk/graph/vector rows (2025-06-01) are not read.
    assert pin['last_update'] == '2025-03-01T08:00:00+00:00'
    assert pin['estimated'] is False

    acme = ws['Acme_Prod']
    assert acme['doc_status'] == status(processing=1, preprocessed=1)
    assert (acme['documents'], acme['chunks'], acme['entities'], acme['relations']) == (2, 3, 2, 1)

    odd = ws["o'brien 100%"]
    assert odd['doc_status'] == status(parsing=1, analyzing=1) and odd['chunks'] == 0
    assert odd['embeddings'] == []
    assert ws['客户A']['chunks'] == 2

    assert data['totals']['workspaces'] == 5
    assert data['totals']['documents'] == 2 + 5 + 2 + 2 + 1
    assert data['totals']['doc_status']['duplicates'] == 2
    assert data['totals']['entities'] == 4 + 10 + 2


def test_one_workspace_in_two_embedding_models(databases, login, capsys):
    counted = run_main(workspace_stats, dict(login('lightrag'), count_vectors=True), capsys)
    pin = by_name(counted)['pinpianyi']
    assert [(e['model'], e['dim'], e['chunks'], e['entities'], e['relations']) for e in pin['embeddings']] == [
        ('baai_bge_m3', 1024, 12, 10, 7),
        ('jinaai_jina_embeddings_v2_base_code', 768, 4, 3, 2),
    ]
    assert set(t['count_method'] for t in counted['tables'] if t['kind'].startswith('vdb')) == {'exact'}
    # By default the vector tables only say which models hold the workspace.
    presence = run_main(workspace_stats, login('lightrag'), capsys)
    assert [(e['model'], e['dim'], e['chunks'], e['entities'], e['relations'])
            for e in by_name(presence)['pinpianyi']['embeddings']] == [
        ('baai_bge_m3', 1024, None, None, None),
        ('jinaai_jina_embeddings_v2_base_code', 768, None, None, None),
    ]
    assert set(t['count_method'] for t in presence['tables'] if t['kind'].startswith('vdb')) == {'presence'}
    # The workspace's own figures do not depend on it.
    for key in ('documents', 'chunks', 'entities', 'relations'):
        assert by_name(presence)['pinpianyi'][key] == pin[key]
    jina = pin['embeddings'][1]
    assert jina['legacy'] is False and jina['vector_type'] == 'vector'
    assert jina['tables'] == ['lightrag_vdb_%s_%s' % (store, MODEL_A[0])
                              for store in ('chunks', 'entity', 'relation')]


def test_tables_found(databases, login, capsys):
    tables = dict((t['name'], t) for t in run_main(workspace_stats, login('lightrag'), capsys)['tables'])
    for name in ('lightrag_doc_status', 'lightrag_doc_chunks', 'lightrag_doc_full', 'lightrag_llm_cache',
                 'lightrag_full_entities', 'lightrag_full_relations', 'lightrag_entity_chunks',
                 'lightrag_relation_chunks', 'lightrag_graph_nodes', 'lightrag_graph_edges'):
        assert name in tables
    vdb = tables['lightrag_vdb_entity_' + MODEL_B[0]]
    assert (vdb['kind'], vdb['model'], vdb['dim'], vdb['schema']) == ('vdb_entity', 'baai_bge_m3', 1024, 'public')
    assert tables['lightrag_doc_status']['count_method'] == 'exact'
    assert tables['lightrag_llm_cache']['count_method'] == 'not_counted'
    # Read only for the workspaces without graph rows ("o'brien 100%", 客户A).
    assert tables['lightrag_full_entities']['count_method'] == 'exact'
    assert not any('error' in t for t in tables.values())


def test_fallback_sources_and_legacy_tables(databases, login):
    data = stats(login, 'lightrag_fallback')
    ws = by_name(data)
    full = ws['ws_full']
    assert (full['entities'], full['entities_source']) == (4, 'full_entities')   # A B C D
    assert (full['relations'], full['relations_source']) == (3, 'full_relations')  # A-B B-C C-D
    vdb = ws['ws_vdb']
    assert (vdb['entities'], vdb['entities_source'], vdb['relations'], vdb['relations_source']) == (6, 'vdb', 5, 'vdb')
    legacy = ws['ws_legacy']
    assert legacy['embeddings'] == [dict(model=None, dim=768, legacy=True, vector_type='vector', chunks=4,
                                         entities=0, relations=0, tables=['lightrag_vdb_chunks'])]
    assert (legacy['chunks'], legacy['chunks_source']) == (4, 'vdb')
    half = ws['ws_half']['embeddings'][0]
    assert (half['model'], half['dim'], half['vector_type']) == ('tiny_model', 8, 'halfvec')
    assert ws['ws_full']['entities_source'] != 'graph'
    assert not any(t['kind'].startswith('graph') for t in data['tables'])


@pytest.mark.parametrize('options, expected', [
    (dict(filter=['p*']), ['pinpianyi']),
    (dict(filter=['*', '!default', '!p*']), ['Acme_Prod', "o'brien 100%", '客户A']),
    (dict(filter=['!default']), ['Acme_Prod', "o'brien 100%", 'pinpianyi', '客户A']),
    (dict(filter=['ACME*']), []),                               # filter is case-sensitive
    (dict(search='ACME'), ['Acme_Prod']),                       # search is not
    (dict(search="'BRIEN 1"), ["o'brien 100%"]),
    (dict(search='客户a'), ['客户A']),
    (dict(search='A', filter=['!Acme*']), ['default', 'pinpianyi', '客户A']),
    (dict(sort_by='chunks', sort_order='desc'), ['pinpianyi', 'default', 'Acme_Prod', '客户A', "o'brien 100%"]),
    (dict(sort_by='documents'), ['客户A', 'Acme_Prod', 'default', "o'brien 100%", 'pinpianyi']),
    (dict(sort_by='workspace', sort_order='desc'), ['客户A', 'pinpianyi', "o'brien 100%", 'default', 'Acme_Prod']),
])
def test_filter_search_sort(databases, login, capsys, options, expected):
    data = run_main(workspace_stats, dict(login('lightrag'), **options), capsys)
    assert data['rc'] == 0 and data['changed'] is False
    assert [ws['workspace'] for ws in data['workspaces']] == expected
    assert data['totals']['workspaces'] == len(expected)


def test_filter_through_ansible(databases, login):
    data = stats(login, 'lightrag', filter=['*', '!default', '!p*'], sort_by='documents', sort_order='desc')
    assert [ws['workspace'] for ws in data['workspaces']] == ['Acme_Prod', "o'brien 100%", '客户A']


def test_check_mode(databases, login):
    normal = stats(login, 'lightrag')
    result = adhoc('workspace_stats', login('lightrag'), check=True)
    assert result.rc == 0 and result['changed'] is False
    assert result['workspaces'] == normal['workspaces']


def test_unreadable_table_gives_partial_result(databases, login):
    result = adhoc('workspace_stats', login('lightrag_denied'))
    assert result.rc == 0, result
    tables = dict((t['name'], t) for t in result['tables'])
    denied = tables['lightrag_vdb_chunks_secret_8d']
    assert denied['count_method'] == 'failed' and 'permission denied' in denied['error']
    pin = by_name(result.data)['pinpianyi']
    assert (pin['documents'], pin['chunks']) == (1, 2)
    assert 'lightrag_vdb_chunks_secret_8d' in result.stderr  # warned, not failed


def test_cannot_connect_is_a_failure(databases, login):
    result = adhoc('workspace_stats', login('lightrag', login_password='nope-nope'))
    assert result.rc != 0 and 'localhost | FAILED!' in result.stdout
    assert result['error_kind'] == 'authentication' and 'authentication failed' in result['msg']
    # The module result never carries it (ansible-core itself echoes literal -a
    # arguments of a failed ad-hoc task, so the whole stdout is not checked).
    assert 'nope-nope' not in json.dumps(result.data)


def test_invalid_schema_option(databases, login, capsys):
    result = run_main(workspace_stats, login('lightrag', schema='x' * 64), capsys)
    assert result['rc'] == 1 and result['failed'] and 'invalid schema' in result['msg']


def test_other_schema(databases, login, capsys):
    data = run_main(workspace_stats, login('lightrag', schema='pg_catalog'), capsys)
    assert data['workspaces'] == [] and data['tables'] == []

"""Reading LightRAG 1.5.7's file storage without LightRAG (plugins/module_utils/file_store.py).

The fixtures under tests/unit/fixtures/file_store/ were written by LightRAG 1.5.7 itself
(make_fixtures.py there); the expected figures are what networkx.read_graphml and
json.load give for them."""

import io
import json
import os
import tracemalloc

import pytest

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils import file_store as fs
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils import workspace_report

FIXTURES = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures', 'file_store'))
RAG = os.path.join(FIXTURES, 'rag_storage')
WORKSPACE_DIRS = ['', 'Acme_Prod', 'partial', '客户A']


def fixture_files(suffix):
    for ws in WORKSPACE_DIRS:
        folder = os.path.join(RAG, ws)
        for name in sorted(os.listdir(folder)):
            if name.endswith(suffix) and os.path.isfile(os.path.join(folder, name)):
                yield os.path.join(folder, name)


def write(tmp_path, name, text, encoding='utf-8'):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return str(path)


@pytest.fixture
def tiny_chunks(monkeypatch):
    """Reads of a few characters: every value ends up split across reads."""
    monkeypatch.setattr(fs, '_CHUNK', 7)
    monkeypatch.setattr(fs, '_OVERLAP', 300)


def test_doc_statuses_match_workspace_stats():
    assert fs.DOC_STATUSES == workspace_report.DOC_STATUSES


# --- JSON, one member at a time ------------------------------------------------

@pytest.mark.parametrize('path', list(fixture_files('.json')), ids=lambda p: os.path.relpath(p, RAG))
def test_members_are_what_json_load_gives(path, tiny_chunks):
    with open(path, encoding='utf-8-sig') as handle:
        expected = json.load(handle)
    assert list(fs.iter_members(path)) == list(expected.items())


@pytest.mark.parametrize('text, members', [
    ('{}', []),
    ('  {  }  \n', []),
    ('{"a": 12345678, "b": 6}', [('a', 12345678), ('b', 6)]),   # a number split across reads
    ('{"a":-1.5e+10}', [('a', -1.5e10)]),
    ('{"k\\"ey": "v\\u00e9", "客户": [1, {"x": null}], "t": true, "f": false}',
     [('k"ey', 'vé'), ('客户', [1, {'x': None}]), ('t', True), ('f', False)]),
    ('\ufeff{"bom": 1}', [('bom', 1)]),                         # load_json reads utf-8-sig
])
def test_members_of_small_objects(tmp_path, tiny_chunks, text, members):
    assert list(fs.iter_members(write(tmp_path, 'x.json', text))) == members


@pytest.mark.parametrize('text', ['', '   \n  '])
def test_blank_file_is_empty_store(tmp_path, text):
    with pytest.raises(fs.EmptyStore):
        list(fs.iter_members(write(tmp_path, 'x.json', text)))


@pytest.mark.parametrize('text, message', [
    ('[1, 2]', "expected '{'"),
    ('{"a": 1', "expected ',' or '}'"),
    ('{"a": "unterminated', 'invalid JSON'),
    ('{"a": 1}{"b": 2}', 'extra data'),
    ('{a: 1}', "expected '\"'"),
    ('{"a" 1}', "expected ':'"),
    ('{"a": tru}', 'invalid JSON'),
])
def test_broken_json_raises_value_error(tmp_path, tiny_chunks, text, message):
    with pytest.raises(ValueError, match=message):
        list(fs.iter_members(write(tmp_path, 'x.json', text)))


def test_large_member_is_decoded_a_few_times_not_once_per_read(tmp_path, monkeypatch):
    monkeypatch.setattr(fs, '_CHUNK', 1000)
    path = write(tmp_path, 'x.json', json.dumps({'big': 'x' * 1000000, 'small': 1}))
    calls = []
    real = fs._DECODER.raw_decode

    class Counting(object):
        def raw_decode(self, text, pos):
            calls.append(pos)
            return real(text, pos)
    monkeypatch.setattr(fs, '_DECODER', Counting())
    assert [k for k, _v in fs.iter_members(path)] == ['big', 'small']
    assert len(calls) < 30   # doubling reads: ~log2(1000000 / 1000) retries, not 1000


# --- layout scan (exact=false) ---------------------------------------------------

@pytest.mark.parametrize('path', [p for p in fixture_files('.json') if '/kv_store_' in p.replace(os.sep, '/')],
                         ids=lambda p: os.path.relpath(p, RAG))
def test_layout_count_equals_decoded_count(path, tiny_chunks):
    exact = fs.count_keys(path, exact=True)
    quick = fs.count_keys(path, exact=False)
    assert exact == (quick[0], False)
    assert quick[1] is (exact[0] > 0)   # '{}' is decoded: it has no indent=2 layout


def test_layout_scan_reads_escaped_keys(tmp_path, tiny_chunks):
    data = {'default:extract:a"b': {'x': '\n  "not a key": 1'}, '客户:query:1': {'return': 'y'}, 'plain': [{'k': 1}]}
    path = write(tmp_path, 'x.json', json.dumps(data, indent=2, ensure_ascii=False))
    assert [fs._key_text(k) for k in fs._scan_top_keys(path)] == list(data)


def test_other_layouts_are_decoded(tmp_path):
    path = write(tmp_path, 'x.json', json.dumps({'a': 1, 'b': {'c': 2}}))   # no indent
    assert fs.count_keys(path, exact=False) == (2, False)
    path = write(tmp_path, 'y.json', json.dumps({'a': 1, 'b': {'c': 2}}, indent=4))
    assert fs.count_keys(path, exact=False) == (2, False)


# --- doc status ------------------------------------------------------------------

def test_doc_status_of_fixture():
    result = fs.read_doc_status(os.path.join(RAG, '客户A', fs.DOC_STATUS))
    assert result['statuses'] == {'processed': 2, 'failed': 1}
    assert result['duplicates'] == 1
    assert result['last_update'].isoformat() == '2026-12-03T15:36:50.917941+00:00'   # the dup- row's time


def test_duplicate_rules_match_workspace_counts(tmp_path):
    rows = {
        'dup-1': {'status': 'failed', 'metadata': {'is_duplicate': True}},
        'dup-2': {'status': 'failed'},                                         # by id alone
        'doc-3': {'status': 'processed', 'metadata': {'is_duplicate': 'true'}},  # demoted primary
        'doc-4': {'status': 'failed', 'metadata': {'is_duplicate': False}},
        'dup-5': {'status': 'processed', 'metadata': {}},                      # not failed: a document
        'doc-6': {'status': 'failed', 'metadata': 'not a dict'},
        'doc-7': {'status': 'pending', 'metadata': {'is_duplicate': 'on'}},
        'doc-8': {'metadata': {}},
        'doc-9': 'not a row',
        'doc-10': {'status': 'queued'},
    }
    result = fs.read_doc_status(write(tmp_path, 'x.json', json.dumps(rows, indent=2)))
    assert result['duplicates'] == 4
    assert result['statuses'] == {'failed': 2, 'processed': 1, 'unknown': 2, 'queued': 1}


@pytest.mark.parametrize('value, expected', [
    ('2026-12-03T15:36:50.917941+00:00', '2026-12-03T15:36:50.917941+00:00'),
    ('2026-12-03T15:36:50Z', '2026-12-03T15:36:50+00:00'),
    ('2026-12-03T16:36:50+01:00', '2026-12-03T15:36:50+00:00'),
    ('2026-12-03T15:36:50', '2026-12-03T15:36:50+00:00'),   # naive: LightRAG's times are UTC
    (1796312057, '2026-12-03T15:34:17+00:00'),
    ('yesterday', None),
    (None, None),
    (True, None),
])
def test_parse_time(value, expected):
    parsed = fs.parse_time(value)
    assert (parsed.isoformat() if parsed else None) == expected


def test_last_update_falls_back_to_created_at(tmp_path):
    rows = {'a': {'status': 'processed', 'created_at': '2026-01-02T00:00:00+00:00'},
            'b': {'status': 'processed', 'created_at': '2026-01-03T00:00:00+00:00', 'updated_at': '2026-01-01T00:00:00+00:00'}}
    result = fs.read_doc_status(write(tmp_path, 'x.json', json.dumps(rows)))
    assert result['last_update'].isoformat() == '2026-01-02T00:00:00+00:00'


# --- LLM cache -------------------------------------------------------------------

@pytest.mark.parametrize('exact', [True, False])
def test_llm_cache_by_type(exact):
    by_type, estimated = fs.read_llm_cache(os.path.join(RAG, 'Acme_Prod', fs.LLM_CACHE), exact)
    assert by_type == {'extract': 4, 'keywords': 1, 'query': 1}
    assert estimated is not exact


@pytest.mark.parametrize('exact', [True, False])
def test_legacy_nested_cache_is_counted_like_the_migration(exact):
    # default:{a1 extract, a2 without cache_type -> extract}, local:{b1 query}
    assert fs.read_llm_cache(os.path.join(FIXTURES, 'legacy_llm_cache.json'), exact) == ({'extract': 2, 'query': 1}, False)


def test_cache_type_from_key_when_the_entry_has_none(tmp_path):
    data = {'mix:query:1': {'return': 'a'}, 'global:keywords:2': {'return': 'b', 'cache_type': ''}, 'odd': {'x': 1}}
    path = write(tmp_path, 'x.json', json.dumps(data, indent=2))
    assert fs.read_llm_cache(path, True) == ({'query': 1, 'keywords': 1, 'unknown': 1}, False)


# --- GraphML ---------------------------------------------------------------------

@pytest.mark.parametrize('path, expected', [
    (os.path.join(RAG, fs.GRAPH), (4, 2)),
    (os.path.join(RAG, 'Acme_Prod', fs.GRAPH), (7, 4)),
    (os.path.join(RAG, '客户A', fs.GRAPH), (9, 7)),
    (os.path.join(RAG, 'partial', fs.GRAPH), (3, 2)),
    (os.path.join(FIXTURES, 'stdlib_writer.graphml'), (7, 4)),   # networkx without lxml
])
def test_graph_counts_equal_networkx(path, expected):
    assert fs.count_graph(path) == expected
    assert fs.scan_graph(path) == expected


def test_graph_without_namespace_and_with_prefixes(tmp_path):
    path = write(tmp_path, 'g.graphml', '<graphml><graph edgedefault="undirected"><node id="a"/><node id="b">'
                 '<data key="d0">&lt;node id="fake"&gt;</data></node><edge source="a" target="b"/></graph></graphml>')
    assert fs.count_graph(path) == (2, 1)
    assert fs.scan_graph(path) == (2, 1)
    path = write(tmp_path, 'p.graphml', '<g:graphml xmlns:g="http://graphml.graphdrawing.org/xmlns"><g:graph>'
                 '<g:node id="a"/><g:node id="b"/><g:edge source="a" target="b"/></g:graph></g:graphml>')
    assert fs.count_graph(path) == (2, 1)
    assert fs.scan_graph(path) == (2, 1)


def test_only_the_first_graph_counts_like_read_graphml(tmp_path):
    path = write(tmp_path, 'g.graphml', '<graphml><graph><node id="a"/></graph><graph><node id="b"/><node id="c"/>'
                 '<edge source="b" target="c"/></graph></graphml>')
    assert fs.count_graph(path) == (1, 0)


def test_broken_graph_raises(tmp_path):
    path = write(tmp_path, 'g.graphml', '<graphml><graph><node id="a"></graph>')
    with pytest.raises(SyntaxError):   # xml.etree.ElementTree.ParseError
        fs.count_graph(path)


def lightrag_graphml(handle, nodes, edges):
    """The shape networkx's lxml writer gives NetworkXStorage's graph (see the fixtures)."""
    handle.write("<?xml version='1.0' encoding='utf-8'?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\">"
                 '<key id="d0" for="node" attr.name="entity_id" attr.type="string"/>\n'
                 '<key id="d1" for="node" attr.name="description" attr.type="string"/>\n'
                 '<graph edgedefault="undirected">')
    for n in range(nodes):
        handle.write('<node id="实体%d">\n  <data key="d0">实体%d</data>\n  <data key="d1">%s</data>\n</node>\n'
                     % (n, n, 'A description of the entity. ' * 8))
    for e in range(edges):
        handle.write('<edge source="实体%d" target="实体%d">\n  <data key="d1">related</data>\n</edge>\n'
                     % (e % nodes, (e * 7 + 1) % nodes))
    handle.write('</graph></graphml>\n')


def test_graph_memory_does_not_grow_with_the_graph(tmp_path):
    peaks = []
    for nodes in (2000, 20000):
        path = tmp_path / ('g%d.graphml' % nodes)
        with io.open(str(path), 'w', encoding='utf-8') as handle:
            lightrag_graphml(handle, nodes, 2 * nodes)
        tracemalloc.start()
        assert fs.count_graph(str(path)) == (nodes, 2 * nodes)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    assert peaks[1] < 2 * peaks[0] + 256 * 1024, peaks   # ten times the graph, not ten times the memory


# --- vector files ----------------------------------------------------------------

@pytest.mark.parametrize('path', [p for p in fixture_files('.json') if '/vdb_' in p.replace(os.sep, '/')],
                         ids=lambda p: os.path.relpath(p, RAG))
def test_embedding_dim_of_fixture(path):
    assert fs.read_embedding_dim(path) == 8


def test_embedding_dim_elsewhere_in_the_file(tmp_path):
    path = write(tmp_path, 'v.json', json.dumps({'data': [{'__id__': 'x', 'embedding_dim': 3}], 'matrix': '', 'embedding_dim': 1024}))
    assert fs.read_embedding_dim(path) == 1024


@pytest.mark.parametrize('text, error', [
    ('{"data": [], "matrix": ""}', ValueError),
    ('{"embedding_dim": true, "data": []}', ValueError),
    ('', fs.EmptyStore),
])
def test_embedding_dim_missing_or_bad(tmp_path, text, error):
    with pytest.raises(error):
        fs.read_embedding_dim(write(tmp_path, 'v.json', text))


# --- workspaces ------------------------------------------------------------------

def test_find_workspaces(tmp_path):
    (tmp_path / 'kv_store_doc_status.json').write_text('{}')
    for name in ('Acme_Prod', '客户A', 'empty', 'only_tmp', 'notes'):
        (tmp_path / name).mkdir()
    (tmp_path / 'Acme_Prod' / 'graph_chunk_entity_relation.graphml').write_text('<graphml/>')
    (tmp_path / '客户A' / 'vdb_chunks.json').write_text('{}')
    (tmp_path / 'only_tmp' / 'kv_store_doc_status.json.tmp.123.abc').write_text('{}')   # atomic_write leftovers
    (tmp_path / 'notes' / 'readme.txt').write_text('x')
    (tmp_path / 'kv_store_full_docs.json.bak').write_text('{}')
    found = fs.find_workspaces(str(tmp_path))
    assert found == [('default', str(tmp_path)), ('Acme_Prod', str(tmp_path / 'Acme_Prod')),
                     ('客户A', str(tmp_path / '客户A'))]


def test_root_and_default_folder_both_warn(tmp_path):
    (tmp_path / 'kv_store_doc_status.json').write_text('{}')
    (tmp_path / 'default').mkdir()
    (tmp_path / 'default' / 'kv_store_doc_status.json').write_text('{}')
    warnings = []
    assert [name for name, _f in fs.find_workspaces(str(tmp_path), warnings.append)] == ['default', 'default']
    assert len(warnings) == 1 and 'both' in warnings[0]

"""loomgraph.lightrag_pg.rebuild_report: file_stats (before) beside workspace_stats (after)."""

import os

import pytest
import yaml

from ansible_collections.loomgraph.lightrag_pg.plugins.filter.rebuild_report import EXAMPLES, FilterModule, rebuild_report
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils import file_store

RAG = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', 'fixtures', 'file_store', 'rag_storage'))
CUSTOMER = {'name': 'pinpianyi', 'display_name': '拼便宜', 'pg_password': 's3cret-pw', 'pg_superuser_password': 'root-pw'}
WHEN = '2025-12-03T12:40:01Z'


def ws(name, documents=0, chunks=0, entities=0, relations=0, failed=0, **extra):
    entry = dict(workspace=name, documents=documents, chunks=chunks, entities=entities, relations=relations,
                 doc_status=dict(pending=0, processed=documents - failed, failed=failed, duplicates=1))
    entry.update(extra)
    return entry


def result(*workspaces):
    return dict(changed=False, workspaces=list(workspaces), totals={})


@pytest.fixture(scope='module')
def before():
    """file_stats of the fixture storage LightRAG 1.5.7 wrote."""
    found = [file_store.read_workspace(n, f) for n, f in file_store.find_workspaces(RAG)]
    return dict(changed=False, workspaces=found, totals=file_store.totals(found), exact=True)


@pytest.fixture(scope='module')
def after():
    """workspace_stats after a rebuild through the server: 客户A is stored as __A."""
    return result(ws('default', 1, 2, 4, 2), ws('Acme_Prod', 2, 4, 6, 4, failed=1, estimated=True),
                  ws('__A', 3, 6, 9, 7, failed=1), ws('extra_test', 1, 1, 1, 0))


@pytest.fixture(scope='module')
def report(before, after):
    return rebuild_report(before, after, CUSTOMER, WHEN)


def by_name(report):
    return dict((w['workspace'], w) for w in report['json']['workspaces'])


def test_registered_as_a_filter():
    assert FilterModule().filters()['rebuild_report'] is rebuild_report


def test_pairs_and_differences(report):
    rows = by_name(report)
    assert sorted(rows) == ['Acme_Prod', '__A', 'default', 'extra_test', 'partial']
    acme = rows['Acme_Prod']
    assert acme['side'] == 'both'
    assert acme['before'] == dict(documents=2, chunks=4, entities=7, relations=4, failed=0)
    assert acme['after'] == dict(documents=2, chunks=4, entities=6, relations=4, failed=1)
    assert acme['delta'] == dict(documents=0, chunks=0, entities=-1, relations=0, failed=1)
    assert rows['default']['delta'] == dict(documents=0, chunks=0, entities=0, relations=0, failed=0)


def test_server_renamed_workspace_is_paired(report):
    row = by_name(report)['__A']
    assert (row['before_workspace'], row['after_workspace'], row['side']) == ('客户A', '__A', 'both')
    assert row['before'] == row['after'] == dict(documents=3, chunks=6, entities=9, relations=7, failed=1)


def test_one_sided_workspaces(report):
    rows = by_name(report)
    partial, extra = rows['partial'], rows['extra_test']
    assert (partial['side'], partial['after'], partial['after_workspace']) == ('before', None, None)
    assert partial['delta'] == dict(documents=-1, chunks=-2, entities=-3, relations=-2, failed=0)
    assert (extra['side'], extra['before'], extra['before_workspace']) == ('after', None, None)
    assert extra['delta'] == dict(documents=1, chunks=1, entities=1, relations=0, failed=0)


def test_totals_count_every_workspace_of_each_side(report):
    totals = report['json']['totals']
    assert totals['before'] == dict(workspaces=4, documents=7, chunks=14, entities=23, relations=15, failed=1)
    assert totals['after'] == dict(workspaces=4, documents=7, chunks=13, entities=20, relations=13, failed=2)
    assert totals['delta'] == dict(workspaces=0, documents=0, chunks=-1, entities=-3, relations=-2, failed=1)


def test_notes(report):
    notes = [(n['workspace'], n['kind']) for n in report['json']['notes']]
    assert notes == [('Acme_Prod', 'estimated_after'), ('__A', 'renamed'), ('extra_test', 'after_only'),
                     ('partial', 'before_only'), ('partial', 'missing_files')]
    messages = dict(((n['workspace'], n['kind']), n['message']) for n in report['json']['notes'])
    assert messages[('__A', 'renamed')].startswith('客户A of the file storage is __A in PostgreSQL')
    assert 'vdb_relationships.json' in messages[('partial', 'missing_files')]


def test_customer_secrets_never_copied(report):
    text = repr(report)
    assert 's3cret-pw' not in text and 'root-pw' not in text
    assert (report['json']['customer'], report['json']['display_name']) == ('pinpianyi', '拼便宜')


def test_customer_as_a_name(before, after):
    report = rebuild_report(before, after, 'pinpianyi', WHEN)
    assert (report['json']['customer'], report['json']['display_name']) == ('pinpianyi', None)
    assert report['markdown'].startswith('# Cold rebuild report: pinpianyi\n')


def test_markdown(report):
    md = report['markdown']
    assert md.startswith('# Cold rebuild report: 拼便宜 (pinpianyi)\n\nGenerated 2025-12-03T12:40:01Z.')
    assert '\n## Workspace `Acme_Prod`\n\n| | before (files) | after (PostgreSQL) | difference |\n|---|--:|--:|--:|\n' \
           '| documents | 2 | 2 | 0 |\n| chunks | 4 | 4 | 0 |\n| entities | 7 | 6 | -1 |\n| relations | 4 | 4 | 0 |\n' \
           '| failed documents | 0 | 1 | +1 |\n' in md
    assert '\n## Workspace `__A` (files: `客户A`)\n' in md
    assert '| documents | 1 | — | -1 |' in md            # partial: nothing in PostgreSQL
    assert '| entities | — | 1 | +1 |' in md             # extra_test: nothing in the files
    assert '\n## All workspaces\n' in md and '| workspaces | 4 | 4 | 0 |' in md
    assert '- `partial` is only in the file storage: PostgreSQL has nothing for it.' in md
    assert '- `partial`: the file storage has no `kv_store_llm_response_cache.json`, `vdb_relationships.json`' in md
    assert md.endswith('\n')
    assert md.index('## Workspace `Acme_Prod`') < md.index('## Workspace `__A`') < md.index('## Workspace `partial`')


def test_markdown_escapes_names_and_groups_thousands():
    before = result(ws('a`b|c', 12345, 1234567, 2, 0))
    after = result(ws('a`b|c', 12345, 1234000, 2, 0))
    md = rebuild_report(before, after, {'name': 'x', 'display_name': 'A*B_[c]'}, '<now>')['markdown']
    assert md.startswith('# Cold rebuild report: A\\*B\\_\\[c\\] (x)\n\nGenerated \\<now\\>.')
    assert '## Workspace ``a`b|c``\n' in md
    assert '| chunks | 1,234,567 | 1,234,000 | -567 |' in md
    assert '| documents | 12,345 | 12,345 | 0 |' in md


def test_rename_only_when_unambiguous():
    before = result(ws('a-b', 1), ws('a.b', 2))
    report = rebuild_report(before, result(ws('a_b', 3)), 'x', WHEN)['json']
    assert sorted((w['before_workspace'], w['after_workspace']) for w in report['workspaces'] if w['before_workspace']) \
        == [('a-b', None), ('a.b', None)]


def test_same_name_twice_is_summed(after):
    # rag_storage/ and rag_storage/default/: both are 'default' in PostgreSQL
    before = result(ws('default', 1, 2, 3, 4), ws('default', 10, 20, 30, 40, failed=1))
    row = by_name(rebuild_report(before, after, 'x', WHEN))['default']
    assert row['before'] == dict(documents=11, chunks=22, entities=33, relations=44, failed=1)


def test_unread_side_is_reported_not_raised(before):
    failed = dict(failed=True, msg='cannot connect to PostgreSQL: connection refused')
    report = rebuild_report(before, failed, CUSTOMER, WHEN)
    assert report['json']['errors'] == {'after': 'cannot connect to PostgreSQL: connection refused'}
    assert all(w['side'] == 'before' for w in report['json']['workspaces'])
    assert '**PostgreSQL could not be read:** cannot connect to PostgreSQL: connection refused' in report['markdown']


def test_nothing_on_either_side():
    report = rebuild_report(result(), result(), 'x', WHEN)
    assert report['json']['workspaces'] == [] and report['json']['notes'] == []
    assert 'No workspace on either side.' in report['markdown']
    assert report['json']['totals']['delta']['workspaces'] == 0


def test_unreadable_and_estimated_files_are_noted():
    before = result(ws('w', 1, errors={'kv_store_text_chunks.json': 'invalid JSON at character 9'}, estimated=True,
                       missing_files=[]))
    report = rebuild_report(before, result(ws('w', 1)), 'x', WHEN)
    assert [n['kind'] for n in report['json']['notes']] == ['unreadable_file', 'estimated_before']
    assert '`kv_store_text_chunks.json` could not be read (counted as 0): invalid JSON at character 9' in report['markdown']


def test_examples_parse_and_use_fqcn():
    tasks = yaml.safe_load(EXAMPLES)
    used = set(k for task in tasks for k in task if '.' in k)
    assert used and all(m.count('.') == 2 for m in used)
    assert all('loomgraph.lightrag_pg.rebuild_report(' in str(task) for task in tasks[2:])

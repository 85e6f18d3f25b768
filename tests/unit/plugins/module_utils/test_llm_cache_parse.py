# -*- coding: utf-8 -*-
"""Reading kv_store_llm_response_cache.json and deciding what becomes a row.

Entries are written the way LightRAG 1.5.7 writes them: utils.save_to_cache builds
{return, cache_type, chunk_id, original_prompt, queryparam} under the key
generate_cache_key(mode, cache_type, hash), JsonKVStorage.upsert adds create_time,
update_time and _id."""

import hashlib
import json

import pytest

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.llm_cache import (
    CACHE_TYPE_MAX_CHARS,
    MALFORMED_REPORTED,
    CacheFileError,
    batches,
    differs,
    flatten_entries,
    read_cache_file,
    select_rows,
    server_workspace,
    split_key,
    text_md5,
    to_row,
    workspace_problem,
)


def key(cache_type='extract', mode='default', text='prompt'):
    return '%s:%s:%s' % (mode, cache_type, hashlib.md5(text.encode('utf-8')).hexdigest())


def entry(cache_type='extract', chunk_id='chunk-1', prompt='extract from: 客户 text', answer='("entity"<|>A)',
          queryparam=None, ts=1764770000, k=None):
    value = {'return': answer, 'cache_type': cache_type, 'chunk_id': chunk_id, 'original_prompt': prompt,
             'queryparam': queryparam, 'create_time': ts, 'update_time': ts}
    value['_id'] = k or key(cache_type, text=prompt)
    return value


def write(tmp_path, content, name='kv_store_llm_response_cache.json'):
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding='utf-8')
    return str(path)


# --- the file ---------------------------------------------------------------

def test_reads_the_object(tmp_path):
    k = key()
    path = write(tmp_path, json.dumps({k: entry(k=k)}, ensure_ascii=False, indent=2))
    assert list(read_cache_file(path)) == [k]


@pytest.mark.parametrize('content', ['', '   \n\t', b'\xef\xbb\xbf', b'\xef\xbb\xbf  \n'])
def test_empty_or_blank_file_is_an_empty_cache(tmp_path, content):
    # lightrag.utils.load_json: an empty file is treated as missing, i.e. {}.
    assert read_cache_file(write(tmp_path, content)) == {}


def test_byte_order_mark_is_accepted(tmp_path):
    # load_json opens with utf-8-sig.
    path = write(tmp_path, b'\xef\xbb\xbf' + json.dumps({'a:b:c': {}}).encode('utf-8'))
    assert read_cache_file(path) == {'a:b:c': {}}


@pytest.mark.parametrize('content, message', [
    ('{"a": ', 'not valid JSON'),
    ('[1, 2]', 'holds a JSON list'),
    ('"text"', 'holds a JSON str'),
    (b'{"a": "\xff"}', 'not UTF-8'),
])
def test_unusable_file_is_an_error(tmp_path, content, message):
    with pytest.raises(CacheFileError, match=message):
        read_cache_file(write(tmp_path, content))


def test_missing_file_is_an_error(tmp_path):
    with pytest.raises(CacheFileError, match='cannot read'):
        read_cache_file(str(tmp_path / 'nothing.json'))


# --- keys ---------------------------------------------------------------------

@pytest.mark.parametrize('text, parts', [
    ('default:extract:abc', ('default', 'extract', 'abc')),
    ('mix:query:abc', ('mix', 'query', 'abc')),
    ('default:extract:a:b', ('default', 'extract', 'a:b')),   # split(':', 2), as parse_cache_key
    ('abc', None),
    ('default:extract', None),
    ('default::abc', None),
    (':extract:abc', None),
])
def test_split_key(text, parts):
    assert split_key(text) == parts


def test_legacy_nested_groups_are_flattened_as_lightrag_does():
    # JsonKVStorage._migrate_legacy_cache_structure: {mode: {hash: entry}} becomes
    # mode:<entry cache_type, default extract>:hash.
    data = {
        'default': {'h1': {'return': 'r1', 'cache_type': 'extract', 'original_prompt': 'p1'},
                    'h2': {'return': 'r2', 'original_prompt': 'p2'}},
        'global': {'h3': {'return': 'r3', 'cache_type': 'keywords', 'original_prompt': 'p3'}},
        'default:summary:h4': {'return': 'r4', 'cache_type': 'summary', 'original_prompt': 'p4'},
    }
    assert list(flatten_entries(data)) == ['default:extract:h1', 'default:extract:h2', 'global:keywords:h3',
                                           'default:summary:h4']


def test_an_empty_object_under_a_plain_key_is_not_a_legacy_group():
    assert list(flatten_entries({'default': {}})) == ['default']


# --- one entry ------------------------------------------------------------------

def test_a_lightrag_entry_becomes_its_row_unchanged():
    k = key()
    row, reason = to_row(k, entry(k=k))
    assert reason is None
    assert row.id == k                       # the lookup key, byte for byte
    assert row.cache_type == 'extract' and row.stored_cache_type == 'extract'
    assert row.original_prompt == 'extract from: 客户 text'
    assert row.return_value == '("entity"<|>A)'
    assert row.chunk_id == 'chunk-1'
    assert row.queryparam is None
    assert (row.create_time, row.update_time) == (1764770000, 1764770000)


def test_query_entry_keeps_its_queryparam_as_json():
    qp = {'mode': 'mix', 'top_k': 40, 'user_prompt': 'réponds', 'enable_rerank': True}
    k = key('query', 'mix')
    row, reason = to_row(k, entry('query', chunk_id=None, queryparam=qp, k=k))
    assert reason is None and row.chunk_id is None and row.cache_type == 'query'
    assert json.loads(row.queryparam) == qp


@pytest.mark.parametrize('empty', [None, {}, ''])
def test_empty_queryparam_is_null_as_pgkvstorage_stores_it(empty):
    row, dummy = to_row(key(), entry(queryparam=empty))
    assert row.queryparam is None


def test_missing_cache_type_falls_back_to_the_key():
    value = entry('summary', chunk_id=None)
    del value['cache_type']
    row, dummy = to_row(key('summary'), value)
    assert row.stored_cache_type == 'summary'


def test_cache_type_field_is_stored_as_written():
    # The key selects (cache_types, lookups); the column keeps what the file says.
    row, dummy = to_row(key('extract'), entry('summary'))
    assert (row.cache_type, row.stored_cache_type) == ('extract', 'summary')


@pytest.mark.parametrize('ts, expected', [
    (1764770000, 1764770000),
    (1764770000.9, 1764770000),
    (0, None),                 # JsonKVStorage's default for "unknown"
    (-5, None),
    (True, None),
    ('1764770000', None),
    (float('inf'), None),
    (10 ** 12, None),          # past year 9999
])
def test_times(ts, expected):
    row, dummy = to_row(key(), entry(ts=ts))
    assert row.create_time == expected and row.update_time == expected


def test_missing_times_are_none():
    value = entry()
    del value['create_time'], value['update_time']
    row, dummy = to_row(key(), value)
    assert row.create_time is None and row.update_time is None


@pytest.mark.parametrize('k, change, reason', [
    ('no-colon-key', {}, 'key is not mode:cache_type:hash'),
    ('default:extract:' + 'x' * 300, {}, 'longer than 255'),
    ('default:extract:a\x00b', {}, 'key contains a NUL'),
    (key(), {'return': None}, "'return' is missing"),
    (key(), {'return': ''}, "'return' is missing, empty"),
    (key(), {'return': ['a']}, "'return' is missing, empty or not text"),
    (key(), {'original_prompt': None}, "'original_prompt' is missing"),
    (key(), {'chunk_id': 7}, "'chunk_id'"),
    (key(), {'chunk_id': 'c' * 256}, "'chunk_id'"),
    (key(), {'cache_type': 'x' * (CACHE_TYPE_MAX_CHARS + 1)}, "'cache_type'"),
    (key(), {'cache_type': ''}, "'cache_type'"),
    (key(), {'return': 'a\x00b'}, "'return' contains a NUL"),
    (key(), {'original_prompt': 'a\ud800b'}, "'original_prompt' contains a lone surrogate"),
    (key(), {'queryparam': {'k': 'a\x00'}}, "'queryparam' contains a NUL"),
    (key(), {'queryparam': {'a\x00': 1}}, "'queryparam' contains a NUL"),
    (key(), {'queryparam': {'x': float('nan')}}, "'queryparam' holds NaN"),
])
def test_malformed_entries(k, change, reason):
    value = entry()
    value.update(change)
    row, why = to_row(k, value)
    assert row is None and reason in why


@pytest.mark.parametrize('value', [None, 'text', ['a'], 3])
def test_value_must_be_an_object(value):
    assert to_row(key(), value) == (None, 'value is not an object')


# --- the whole file ---------------------------------------------------------------

def sample_cache():
    data = {}
    for i in range(3):
        k = key('extract', text='chunk %d' % i)
        data[k] = entry('extract', chunk_id='chunk-%d' % i, prompt='chunk %d' % i, k=k)
    k = key('summary', text='sum')
    data[k] = entry('summary', chunk_id=None, prompt='sum', k=k)
    k = key('query', 'mix', text='q')
    data[k] = entry('query', chunk_id=None, prompt='q', queryparam={'mode': 'mix'}, k=k)
    data['garbage'] = {'return': 'x'}
    data[key('extract', text='no answer')] = {'original_prompt': 'no answer'}
    return data


def test_every_entry_is_counted_once():
    rows, report = select_rows(sample_cache())
    assert report['entries_in_file'] == 7
    assert len(rows) == 5
    assert (report['skipped_by_type'], report['skipped_malformed']) == (0, 2)
    assert {t: c['in_file'] for t, c in report['by_cache_type'].items()} == dict(extract=3, summary=1, query=1)
    assert sorted(m['reason'] for m in report['malformed']) == [
        "'return' is missing, empty or not text", 'key is not mode:cache_type:hash']


def test_cache_types_select_by_the_key():
    rows, report = select_rows(sample_cache(), ['extract', 'summary'])
    assert sorted(r.cache_type for r in rows) == ['extract', 'extract', 'extract', 'summary']
    assert (report['skipped_by_type'], report['skipped_malformed']) == (1, 2)
    assert report['by_cache_type']['query'] == dict(in_file=1, inserted=0, updated=0, already_present=0,
                                                    skipped=1)


def test_empty_cache():
    rows, report = select_rows({})
    assert rows == [] and report == dict(entries_in_file=0, skipped_by_type=0, skipped_malformed=0,
                                         by_cache_type={}, malformed=[])


def test_malformed_examples_are_few_and_short():
    data = dict(('bad-%03d-%s' % (i, 'k' * 200), {}) for i in range(50))
    rows, report = select_rows(data)
    assert report['skipped_malformed'] == 50
    assert len(report['malformed']) == MALFORMED_REPORTED
    assert all(len(m['key']) <= 123 for m in report['malformed'])


def test_prompts_and_answers_stay_out_of_the_report():
    rows, report = select_rows(sample_cache())
    text = json.dumps(report)
    assert 'chunk 0' not in text and '("entity"' not in text


# --- batches and comparison -----------------------------------------------------

def test_batches_by_count_and_by_size():
    rows, dummy = select_rows(dict((key(text=str(i)), entry(prompt=str(i) * 10)) for i in range(7)))
    assert [len(b) for b in batches(rows, 3)] == [3, 3, 1]
    big = [r._replace(original_prompt='p' * 600) for r in rows]
    assert [len(b) for b in batches(big, 100, max_chars=1500)] == [2, 2, 2, 1]
    huge = [big[0]._replace(original_prompt='p' * 5000)]
    assert [len(b) for b in batches(huge, 100, max_chars=1500)] == [1]


def stored_of(row, **change):
    values = dict(prompt=text_md5(row.original_prompt), answer=text_md5(row.return_value), chunk_id=row.chunk_id,
                  cache_type=row.stored_cache_type,
                  queryparam=json.loads(row.queryparam) if row.queryparam else None,
                  create_time=row.create_time, update_time=row.update_time)
    values.update(change)
    return (values['prompt'], values['answer'], values['chunk_id'], values['cache_type'], values['queryparam'],
            values['create_time'], values['update_time'])


def test_identical_row_does_not_differ():
    row, dummy = to_row(key('query', 'mix'), entry('query', queryparam={'mode': 'mix', 'top_k': 5}))
    assert not differs(row, stored_of(row))
    # psycopg may hand back jsonb as text (asyncpg always does).
    assert not differs(row, stored_of(row, queryparam='{"top_k": 5, "mode": "mix"}'))


@pytest.mark.parametrize('change', [
    dict(prompt=text_md5('other')), dict(answer=text_md5('other')), dict(chunk_id='chunk-9'),
    dict(cache_type='summary'), dict(queryparam={'mode': 'local'}), dict(create_time=1),
    dict(update_time=1),
])
def test_any_column_difference_counts(change):
    row, dummy = to_row(key('query', 'mix'), entry('query', queryparam={'mode': 'mix'}))
    assert differs(row, stored_of(row, **change))


def test_times_the_file_lacks_do_not_count():
    value = entry()
    del value['create_time'], value['update_time']
    row, dummy = to_row(key(), value)
    assert not differs(row, stored_of(row, create_time=1700000000, update_time=1700000001))


def test_md5_matches_postgresql_on_utf8():
    # md5(convert_to('客户', 'UTF8')) in PostgreSQL
    assert text_md5('客户') == hashlib.md5('客户'.encode('utf-8')).hexdigest()


# --- workspace names --------------------------------------------------------------

@pytest.mark.parametrize('name', ['default', 'pinpianyi', 'Acme_Prod', '客户A', "o'brien 100%", 'v1.0'])
def test_workspaces_lightrag_accepts(name):
    assert workspace_problem(name) is None


@pytest.mark.parametrize('name', ['', 'a/b', 'a\\b', '.', '..', 'x' * 256, 'a\x00b'])
def test_workspaces_lightrag_rejects(name):
    assert workspace_problem(name)


@pytest.mark.parametrize('name, stored', [
    ('Acme-Prod', 'Acme_Prod'), ('pinpianyi', 'pinpianyi'), ('客户A', '__A'), ('MixedCase_1', 'MixedCase_1'),
])
def test_server_workspace(name, stored):
    assert server_workspace(name) == stored

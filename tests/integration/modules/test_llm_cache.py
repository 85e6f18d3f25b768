# -*- coding: utf-8 -*-
"""lightrag_llm_cache against a real PostgreSQL whose table comes from LightRAG's own DDL.

The strongest check reads the rows back with PGKVStorage's own SELECT (SQL_TEMPLATES
of LightRAG 1.5.7, taken out of its source with `ast`) and compares them with what
JsonKVStorage.get_by_id returns for the same key from the file. The mapping PGKVStorage
applies after its SELECT (return_value -> return, JSON text -> dict, update_time falls back
to create_time) is reproduced in `pg_read` from reading postgres_impl.py, not imported.
"""

import copy
import hashlib
import json

import psycopg2
import pytest

from ansible_cli import adhoc
from ansible_collections.loomgraph.lightrag_pg.plugins.modules import lightrag_llm_cache
from in_process import run_main
from seed import APP_ROLE
from test_return_docs import compare, return_doc

DB = 'lightrag_llmcache'          # LightRAG's tables, written to by these tests
RO_DB = 'lightrag_llmcache_ro'    # the table exists, the role may only read it


def md5(text):
    return hashlib.md5(text.encode('utf-8')).hexdigest()


def lightrag_entry(mode, cache_type, prompt, answer, chunk_id=None, queryparam=None, ts=None):
    """(key, value) as utils.save_to_cache + JsonKVStorage.upsert write them."""
    key = '%s:%s:%s' % (mode, cache_type, md5(prompt))
    value = {'return': answer, 'cache_type': cache_type, 'chunk_id': chunk_id, 'original_prompt': prompt,
             'queryparam': queryparam}
    if ts is not None:
        value.update(create_time=ts, update_time=ts)
    value['_id'] = key
    return key, value


def sample_cache():
    entries = [
        lightrag_entry('default', 'extract', '---Goal--- 客户 chunk one, 100% "quoted" \\ $1 %s',
                       '("entity"<|>拼便宜<|>organization<|>a shop)\n<|COMPLETE|>', 'chunk-aaa', ts=1764770001),
        # gleaning: a second extract entry for the same chunk, a little later
        lightrag_entry('default', 'extract', 'continue extracting chunk one', '("entity"<|>B<|>x<|>y)',
                       'chunk-aaa', ts=1764770002),
        lightrag_entry('default', 'extract', 'chunk two', '{"entities": []}', 'chunk-bbb', ts=1764770000),
        lightrag_entry('default', 'summary', 'summarize 拼便宜', 'A shop.', ts=1764770100),
        lightrag_entry('default', 'analysis', 'describe drawing', '{"name": "d"}', ts=1764770200),
        lightrag_entry('mix', 'query', 'what is 拼便宜?', 'A shop.',
                       queryparam={'answer_cache_version': 'query-answer-cache-v2', 'mode': 'mix', 'top_k': 40,
                                   'user_prompt': '', 'enable_rerank': True}, ts=1764770300),
        lightrag_entry('hybrid', 'keywords', 'what is 拼便宜?', '{"high_level_keywords": []}', ts=1764770301),
    ]
    # an entry written before JsonKVStorage stamped times
    key, value = lightrag_entry('default', 'extract', 'chunk three', 'answer three', 'chunk-ccc')
    entries.append((key, value))
    return dict(entries)


def write_cache(tmp_path, data, name='kv_store_llm_response_cache.json'):
    path = tmp_path / name
    # as lightrag.utils.write_json writes it
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding='utf-8')
    return str(path)


def connect(pg, app_password, db=DB):
    conn = psycopg2.connect(host=pg.host, port=pg.port, dbname=db, user=APP_ROLE, password=app_password)
    conn.autocommit = True
    return conn


@pytest.fixture(scope='module')
def cache_db(pg, admin, upstream, databases, app_password):
    """A database LightRAG has started on once: its tables, made from its DDL."""
    with admin.cursor() as cur:
        cur.execute('CREATE DATABASE %s OWNER %s' % (DB, APP_ROLE))
        cur.execute('CREATE DATABASE %s' % RO_DB)
    conn = connect(pg, app_password)
    with conn.cursor() as cur:
        for ddl in upstream.plain_ddl():
            cur.execute(ddl)
    conn.close()
    su = psycopg2.connect(host=pg.host, port=pg.port, dbname=RO_DB, user=pg.superuser,
                          password=pg.superuser_password)
    su.autocommit = True
    with su.cursor() as cur:
        cur.execute(upstream.tables['LIGHTRAG_LLM_CACHE']['ddl'])
        cur.execute('GRANT SELECT ON lightrag_llm_cache TO %s' % APP_ROLE)
    su.close()
    return DB


@pytest.fixture
def db(cache_db, pg, app_password):
    conn = connect(pg, app_password)
    yield conn
    conn.close()


def run(login, capsys, src, workspace, check=False, **options):
    args = login(DB, src=src, workspace=workspace, **options)
    if check:
        args['_ansible_check_mode'] = True
    return run_main(lightrag_llm_cache, args, capsys)


def count(conn, workspace):
    with conn.cursor() as cur:
        cur.execute('SELECT count(*) FROM lightrag_llm_cache WHERE workspace = %s', (workspace,))
        return cur.fetchone()[0]


def pg_read(conn, upstream, workspace, key):
    """PGKVStorage.get_by_id for llm_response_cache: its SELECT, then its mapping."""
    sql, params = upstream.kv_statement('get_by_id_llm_response_cache', workspace, key)
    with conn.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
        if row is None:
            return None
        response = dict(zip([d[0] for d in cur.description], row))
    queryparam = response.get('queryparam')
    if isinstance(queryparam, str):           # asyncpg hands jsonb over as text
        queryparam = json.loads(queryparam)
    create_time = response.get('create_time', 0)
    update_time = response.get('update_time', 0)
    return dict(response, **{'return': response.get('return_value', ''), 'cache_type': response.get('cache_type'),
                             'original_prompt': response.get('original_prompt', ''),
                             'chunk_id': response.get('chunk_id'), 'queryparam': queryparam,
                             'create_time': create_time,
                             'update_time': create_time if update_time == 0 else update_time})


def json_read(data, key):
    """JsonKVStorage.get_by_id: the entry, times defaulting to 0."""
    result = copy.deepcopy(data[key])
    result.setdefault('create_time', 0)
    result.setdefault('update_time', 0)
    result['_id'] = key
    return result


def warnings(result):
    # In-process, ansible-core 2.19 hands warnings over as structured events (and
    # keeps those of earlier runs in the same process).
    return json.dumps(result.get('warnings', []))


FIELDS = ('return', 'cache_type', 'chunk_id', 'original_prompt', 'queryparam')


def test_llm_cache_check_mode_run_and_rerun(cache_db, db, login, tmp_path):
    """Through `ansible`, as operators run it."""
    data = sample_cache()
    src = write_cache(tmp_path, data)
    args = login(DB, src=src, workspace='pinpianyi')

    preview = adhoc('lightrag_llm_cache', args, check=True)
    assert preview.rc == 0, preview
    assert preview['changed'] is True and preview['inserted'] == len(data)
    assert count(db, 'pinpianyi') == 0

    first = adhoc('lightrag_llm_cache', args)
    assert first.rc == 0, first
    assert first['changed'] is True
    assert (first['inserted'], first['already_present'], first['entries_in_file']) == (8, 0, 8)
    assert first['table'] == 'public.lightrag_llm_cache'
    assert first['by_cache_type']['extract'] == dict(in_file=4, inserted=4, updated=0, already_present=0, skipped=0)
    assert count(db, 'pinpianyi') == 8

    second = adhoc('lightrag_llm_cache', args)
    assert second.rc == 0, second
    assert second['changed'] is False
    assert (second['inserted'], second['already_present']) == (0, 8)

    again = adhoc('lightrag_llm_cache', args, check=True)
    assert again['changed'] is False and again['inserted'] == 0


def test_llm_cache_rows_read_back_as_the_file_gave_them(cache_db, db, upstream, login, tmp_path, capsys):
    data = sample_cache()
    result = run(login, capsys, write_cache(tmp_path, data), 'read_back')
    assert result['rc'] == 0 and result['inserted'] == len(data), result
    for key in data:
        from_pg = pg_read(db, upstream, 'read_back', key)
        from_file = json_read(data, key)
        assert from_pg is not None, key
        assert dict((f, from_pg[f]) for f in FIELDS) == dict((f, from_file[f]) for f in FIELDS), key
        if from_file['create_time']:
            # the file's times survive: the rebuild orders cached extractions by them
            assert (from_pg['create_time'], from_pg['update_time']) == (from_file['create_time'],
                                                                        from_file['update_time'])
        else:
            # like every row PGKVStorage writes: the column default (now), not 0 / 1970
            assert from_pg['create_time'] > 1700000000


def test_llm_cache_rows_equal_what_lightrag_upsert_writes(cache_db, db, upstream, login, tmp_path, capsys):
    """The same entries written by PGKVStorage.upsert's own statement, with the values
    it builds, read back identically (times aside: LightRAG's upsert stamps now)."""
    data = sample_cache()
    for key, v in data.items():
        sql, params = upstream.kv_statement(
            'upsert_llm_response_cache', 'by_lightrag', key, v['original_prompt'], v['return'], v.get('chunk_id'),
            v.get('cache_type', 'extract'), json.dumps(v.get('queryparam')) if v.get('queryparam') else None)
        with db.cursor() as cur:
            cur.execute(sql, params)
    result = run(login, capsys, write_cache(tmp_path, data), 'by_module')
    assert result['inserted'] == len(data)
    for key in data:
        theirs = pg_read(db, upstream, 'by_lightrag', key)
        ours = pg_read(db, upstream, 'by_module', key)
        for row in (theirs, ours):
            for name in ('create_time', 'update_time'):
                row.pop(name)
        assert ours == theirs, key


def test_llm_cache_rebuild_finds_the_extractions(cache_db, db, upstream, login, tmp_path, capsys):
    """What operate._get_cached_extraction_results keeps from get_by_ids: extract entries
    of the chunks asked for, each chunk's results in create_time order."""
    data = sample_cache()
    run(login, capsys, write_cache(tmp_path, data), 'rebuild')
    sql, params = upstream.kv_statement('get_by_ids_llm_response_cache', 'rebuild', list(data))
    with db.cursor() as cur:
        cur.execute(sql, params)
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r)) for r in cur.fetchall()]
    per_chunk = {}
    for row in rows:
        if row['cache_type'] == 'extract' and row['chunk_id'] in ('chunk-aaa', 'chunk-bbb'):
            per_chunk.setdefault(row['chunk_id'], []).append((row['return_value'], row['create_time']))
    for results in per_chunk.values():
        results.sort(key=lambda item: item[1])
    assert [r for r, t in per_chunk['chunk-aaa']] == [
        data[k]['return'] for k in data if data[k]['chunk_id'] == 'chunk-aaa']
    assert len(per_chunk['chunk-bbb']) == 1


def test_llm_cache_types(cache_db, db, login, tmp_path, capsys):
    data = sample_cache()
    result = run(login, capsys, write_cache(tmp_path, data), 'types_only', cache_types=['extract', 'summary'])
    assert result['inserted'] == 5
    assert (result['skipped_by_type'], result['skipped_malformed']) == (3, 0)
    assert result['by_cache_type']['query'] == dict(in_file=1, inserted=0, updated=0, already_present=0, skipped=1)
    with db.cursor() as cur:
        cur.execute("SELECT DISTINCT split_part(id, ':', 2) FROM lightrag_llm_cache WHERE workspace = 'types_only'")
        assert sorted(r[0] for r in cur.fetchall()) == ['extract', 'summary']
    typo = run(login, capsys, write_cache(tmp_path, data), 'types_only', cache_types=['extracts'])
    assert typo['inserted'] == 0 and typo['changed'] is False
    assert 'no entry of cache type extracts' in warnings(typo)


def test_llm_cache_overwrite(cache_db, db, upstream, login, tmp_path, capsys):
    data = sample_cache()
    src = write_cache(tmp_path, data)
    key = next(k for k in data if data[k]['cache_type'] == 'summary')
    sql, params = upstream.kv_statement('upsert_llm_response_cache', 'overwrite', key, 'old prompt',
                                        'old answer', None, 'summary', None)
    with db.cursor() as cur:
        cur.execute(sql, params)

    kept = run(login, capsys, src, 'overwrite')
    assert (kept['inserted'], kept['already_present'], kept['updated']) == (7, 1, 0)
    assert pg_read(db, upstream, 'overwrite', key)['return'] == 'old answer'

    preview = run(login, capsys, src, 'overwrite', check=True, overwrite=True)
    assert (preview['changed'], preview['updated'], preview['already_present']) == (True, 1, 7)
    assert pg_read(db, upstream, 'overwrite', key)['return'] == 'old answer'

    replaced = run(login, capsys, src, 'overwrite', overwrite=True)
    assert (replaced['changed'], replaced['updated'], replaced['inserted']) == (True, 1, 0)
    row = pg_read(db, upstream, 'overwrite', key)
    assert dict((f, row[f]) for f in FIELDS) == dict((f, data[key][f]) for f in FIELDS)
    assert row['create_time'] == data[key]['create_time']

    rerun = run(login, capsys, src, 'overwrite', overwrite=True)
    assert (rerun['changed'], rerun['updated'], rerun['already_present']) == (False, 0, 8)


def test_llm_cache_workspace_names_are_kept(cache_db, db, login, tmp_path, capsys):
    data = sample_cache()
    src = write_cache(tmp_path, data)
    before = count(db, 'pinpianyi')
    for name in ('客户A', 'Acme_Prod', 'acme_prod', "o'brien 100%"):
        result = run(login, capsys, src, name)
        assert result['rc'] == 0 and result['inserted'] == len(data), (name, result)
        assert result['workspace'] == name
        assert count(db, name) == len(data)
    assert count(db, 'pinpianyi') == before
    warned = run(login, capsys, src, '客户A')
    assert "stores the workspace '\\u5ba2\\u6237A' as '__A'" in warnings(warned)
    assert 'Acme_Prod' not in warnings(run(login, capsys, src, 'Acme_Prod'))


def test_llm_cache_malformed_entries_are_counted_not_written(cache_db, db, login, tmp_path, capsys):
    data = sample_cache()
    data['no-colons'] = {'return': 'x', 'original_prompt': 'y'}
    data['default:extract:' + md5('nul')] = {'return': 'a\x00b', 'original_prompt': 'nul'}
    data['default:extract:' + md5('empty')] = {'return': '', 'original_prompt': 'empty'}
    result = run(login, capsys, write_cache(tmp_path, data), 'malformed')
    assert result['rc'] == 0
    assert (result['entries_in_file'], result['inserted'], result['skipped_malformed']) == (11, 8, 3)
    assert sorted(m['key'] for m in result['malformed'])[0].startswith('default:extract:')
    assert count(db, 'malformed') == 8


def test_llm_cache_legacy_nested_file(cache_db, db, upstream, login, tmp_path, capsys):
    legacy = {'default': {md5('p1'): {'return': 'r1', 'cache_type': 'extract', 'original_prompt': 'p1'},
                          md5('p2'): {'return': 'r2', 'original_prompt': 'p2'}}}
    result = run(login, capsys, write_cache(tmp_path, legacy), 'legacy')
    assert result['inserted'] == 2
    assert pg_read(db, upstream, 'legacy', 'default:extract:' + md5('p2'))['return'] == 'r2'


@pytest.mark.parametrize('content', ['', '  \n', '{}'])
def test_llm_cache_empty_file(cache_db, db, login, tmp_path, capsys, content):
    path = tmp_path / 'kv_store_llm_response_cache.json'
    path.write_text(content)
    result = run(login, capsys, str(path), 'empty')
    assert result['rc'] == 0 and result['changed'] is False
    assert (result['entries_in_file'], result['inserted'], result['src_exists']) == (0, 0, True)


def test_llm_cache_missing_file(cache_db, db, login, tmp_path, capsys):
    src = str(tmp_path / 'nope' / 'kv_store_llm_response_cache.json')
    failed = run(login, capsys, src, 'missing')
    assert failed['rc'] == 1 and 'does not exist' in failed['msg'] and 'missing_ok' in failed['msg']
    fine = run(login, capsys, src, 'missing', missing_ok=True)
    assert fine['rc'] == 0 and fine['changed'] is False and fine['src_exists'] is False
    assert fine['table'] == 'public.lightrag_llm_cache'   # the database was still checked


def test_llm_cache_directory_or_bad_json(cache_db, login, tmp_path, capsys):
    assert 'is a directory' in run(login, capsys, str(tmp_path), 'bad')['msg']
    path = tmp_path / 'kv_store_llm_response_cache.json'
    path.write_text('{"default:extract:x": ')
    failed = run(login, capsys, str(path), 'bad')
    assert failed['rc'] == 1 and 'not valid JSON' in failed['msg']


@pytest.mark.parametrize('check', [False, True])
def test_llm_cache_without_lightrag_table_fails_and_creates_nothing(databases, login, tmp_path, capsys, check,
                                                                    pg, app_password):
    args = login('lightrag_fresh', src=write_cache(tmp_path, sample_cache()), workspace='pinpianyi', missing_ok=True)
    if check:
        args['_ansible_check_mode'] = True
    result = run_main(lightrag_llm_cache, args, capsys)
    assert result['rc'] == 1
    assert 'lightrag_llm_cache not found' in result['msg'] and 'Start it once' in result['msg']
    conn = connect(pg, app_password, 'lightrag_fresh')
    with conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM pg_class WHERE relname LIKE 'lightrag%'")
        assert cur.fetchone()[0] == 0
    conn.close()


def test_llm_cache_read_only_table(cache_db, login, tmp_path, capsys):
    src = write_cache(tmp_path, sample_cache())
    args = login(RO_DB, src=src, workspace='pinpianyi')
    failed = run_main(lightrag_llm_cache, args, capsys)
    assert failed['rc'] == 1 and 'lacks INSERT privilege' in failed['msg']
    args['_ansible_check_mode'] = True
    preview = run_main(lightrag_llm_cache, args, capsys)
    assert preview['rc'] == 0 and preview['inserted'] == 8
    assert 'lacks INSERT privilege on public.lightrag_llm_cache; a real run would fail' in warnings(preview)


def test_llm_cache_one_transaction(cache_db, db, pg, login, tmp_path, capsys):
    """A failure in a late batch undoes the batches before it."""
    data = sample_cache()
    boom = 'default:extract:' + md5('boom')
    data[boom] = {'return': 'r', 'original_prompt': 'boom', 'cache_type': 'extract'}
    su = psycopg2.connect(host=pg.host, port=pg.port, dbname=DB, user=pg.superuser, password=pg.superuser_password)
    su.autocommit = True
    with su.cursor() as cur:
        cur.execute("CREATE FUNCTION llm_cache_boom() RETURNS trigger LANGUAGE plpgsql AS "
                    "$$BEGIN RAISE EXCEPTION 'refused %', NEW.id; END$$")
        cur.execute("CREATE TRIGGER llm_cache_boom BEFORE INSERT ON lightrag_llm_cache FOR EACH ROW "
                    "WHEN (NEW.id = '%s') EXECUTE FUNCTION llm_cache_boom()" % boom)
    try:
        result = run(login, capsys, write_cache(tmp_path, data), 'atomic', batch_size=2)
    finally:
        with su.cursor() as cur:
            cur.execute('DROP TRIGGER llm_cache_boom ON lightrag_llm_cache')
            cur.execute('DROP FUNCTION llm_cache_boom()')
        su.close()
    assert result['rc'] == 1 and result['msg'].startswith('nothing was written') and 'refused' in result['msg']
    assert result['inserted'] == 0 and result['changed'] is False
    assert count(db, 'atomic') == 0


def test_llm_cache_result_holds_no_prompt_nor_answer(cache_db, login, tmp_path):
    data = sample_cache()
    result = adhoc('lightrag_llm_cache', login(DB, src=write_cache(tmp_path, data), workspace='quiet'))
    assert result.rc == 0, result
    for value in data.values():
        for text in (value['original_prompt'], value['return']):
            assert json.dumps(text)[1:-1] not in result.stdout


def test_llm_cache_wrong_password(cache_db, login, tmp_path, capsys):
    result = run_main(lightrag_llm_cache, login(DB, src=write_cache(tmp_path, {}), workspace='x',
                                                login_password='not-the-password'), capsys)
    assert result['rc'] == 1 and result['error_kind'] == 'authentication'
    assert 'not-the-password' not in result['msg']


@pytest.mark.parametrize('workspace', ['a/b', '..', ''])
def test_llm_cache_workspace_lightrag_rejects(cache_db, login, tmp_path, capsys, workspace):
    result = run(login, capsys, write_cache(tmp_path, sample_cache()), workspace)
    assert result['rc'] == 1 and 'workspace' in result['msg']


def test_llm_cache_returned_keys_documented(cache_db, login, tmp_path):
    data = sample_cache()
    data['broken'] = {}
    result = adhoc('lightrag_llm_cache', login(DB, src=write_cache(tmp_path, data), workspace='documented'))
    assert result.rc == 0, result
    compare(result.data, return_doc('lightrag_llm_cache'))

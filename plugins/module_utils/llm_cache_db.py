# -*- coding: utf-8 -*-
# Copyright: (c) 2025, LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)
"""Write LLM cache rows into LightRAG's own LIGHTRAG_LLM_CACHE table.

The table is never created or altered here: LightRAG 1.5.7 creates it (and its
indexes, and migrates older layouts) when PGKVStorage starts, and a table made
any other way could differ from what LightRAG expects.
"""

import datetime

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.llm_cache import batches, differs
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_connection import (
    classify_error,
    connect_kwargs,
    fetch_all,
    pg_driver,
    scrub,
)
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_identifiers import qualified_name

TABLE = 'lightrag_llm_cache'
# What PGKVStorage 1.5.7 reads and writes (TABLES['LIGHTRAG_LLM_CACHE']).
COLUMNS = ('workspace', 'id', 'original_prompt', 'return_value', 'chunk_id', 'cache_type',
           'queryparam', 'create_time', 'update_time')

_EPOCH = datetime.datetime(1970, 1, 1)


def open_session(params, read_only):
    """Connect and start the one transaction everything runs in.

    Returns (connection, None) or (None, {'error', 'error_kind'}). Unlike
    pg_connection.connect(), the session can write; check mode asks for a
    read-only transaction so the server itself refuses any write.
    """
    conn = None
    try:
        conn = pg_driver.connect(**connect_kwargs(params))
        conn.autocommit = False
        fetch_all(conn, 'SET TRANSACTION READ ONLY' if read_only else 'SET TRANSACTION READ WRITE',
                  fetch=False)
    except Exception as exc:  # driver errors differ between psycopg 2 and 3
        if conn is not None:
            conn.close()
        message = scrub(exc, params.get('login_password'))
        return None, dict(error=message, error_kind=classify_error(message))
    return conn, None


_FIND_SQL = """
SELECT n.nspname, c.relname,
       array_agg(a.attname::text ORDER BY a.attnum),
       pg_catalog.has_table_privilege(c.oid, 'SELECT'),
       pg_catalog.has_table_privilege(c.oid, 'INSERT'),
       pg_catalog.has_table_privilege(c.oid, 'UPDATE')
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p')
   AND c.relname = %s
   AND CASE WHEN %s::text IS NULL THEN pg_catalog.pg_table_is_visible(c.oid)
            ELSE n.nspname = %s::text END
 GROUP BY n.nspname, c.relname, c.oid
"""


def find_table(conn, schema=None):
    """The cache table LightRAG's unqualified name resolves to (or the one in
    `schema`), as dict(schema, name, columns, select, insert, update); None if absent."""
    rows = fetch_all(conn, _FIND_SQL, (TABLE, schema, schema))
    if not rows:
        return None
    nspname, relname, columns, can_select, can_insert, can_update = rows[0]
    return dict(schema=nspname, name=relname, columns=list(columns),
                select=can_select, insert=can_insert, update=can_update)


def missing_columns(table):
    return [c for c in COLUMNS if c not in table['columns']]


def lacking_privileges(table, overwrite):
    """Privileges a real run needs and the login role lacks, upper case."""
    needed = ['select', 'insert'] + (['update'] if overwrite else [])
    return [p.upper() for p in needed if not table[p]]


def _timestamp(epoch):
    # TIMESTAMP without time zone holding UTC, as LightRAG stores its times:
    # its read path, EXTRACT(EPOCH FROM create_time), gives these seconds back.
    return None if epoch is None else _EPOCH + datetime.timedelta(seconds=epoch)


def _stored(conn, target, workspace, ids, compare):
    """{id: None} for ids already in the workspace, or {id: comparison tuple}."""
    if not compare:
        rows = fetch_all(conn, 'SELECT id FROM %s WHERE workspace = %%s AND id = ANY(%%s)' % target,
                         (workspace, ids))
        return dict((row[0], None) for row in rows)
    # Hashes, not the texts: a prompt can be tens of kilobytes.
    rows = fetch_all(
        conn,
        "SELECT id, md5(convert_to(original_prompt, 'UTF8')), md5(convert_to(return_value, 'UTF8')), "
        'chunk_id, cache_type, queryparam, '
        'EXTRACT(EPOCH FROM create_time)::bigint, EXTRACT(EPOCH FROM update_time)::bigint '
        'FROM %s WHERE workspace = %%s AND id = ANY(%%s)' % target, (workspace, ids))
    return dict((row[0], tuple(row[1:])) for row in rows)


def _insert(conn, target, workspace, rows):
    """Insert new rows; returns the ids really inserted.

    A time the file lacks is left to the column default (CURRENT_TIMESTAMP), as
    PGKVStorage.upsert does for every row. A row someone else inserted meanwhile
    is left alone (ON CONFLICT DO NOTHING) and not counted as inserted.
    """
    values, args = [], []
    for row in rows:
        values.append('(%%s, %%s, %%s, %%s, %%s, %%s, %%s::jsonb, %s, %s)' % (
            'DEFAULT' if row.create_time is None else '%s',
            'DEFAULT' if row.update_time is None else '%s'))
        args.extend([workspace, row.id, row.original_prompt, row.return_value, row.chunk_id,
                     row.stored_cache_type, row.queryparam])
        args.extend(_timestamp(t) for t in (row.create_time, row.update_time) if t is not None)
    sql = ('INSERT INTO %s (%s) VALUES %s ON CONFLICT (workspace, id) DO NOTHING RETURNING id'
           % (target, ', '.join(COLUMNS), ', '.join(values)))
    return set(row[0] for row in fetch_all(conn, sql, args))


def _update(conn, target, workspace, rows):
    """Overwrite differing rows; returns the ids updated.

    Like PGKVStorage.upsert on conflict: every cache column, update_time now
    (unless the file has one); create_time only when the file has one.
    """
    values, args = [], []
    for row in rows:
        values.append('(%s::text, %s::text, %s::text, %s::text, %s::text, %s::jsonb, '
                      '%s::timestamp, %s::timestamp)')
        args.extend([row.id, row.original_prompt, row.return_value, row.chunk_id, row.stored_cache_type,
                     row.queryparam, _timestamp(row.create_time), _timestamp(row.update_time)])
    args.append(workspace)
    sql = ('UPDATE %s AS t SET original_prompt = v.original_prompt, return_value = v.return_value, '
           'chunk_id = v.chunk_id, cache_type = v.cache_type, queryparam = v.queryparam, '
           'create_time = COALESCE(v.create_time, t.create_time), '
           'update_time = COALESCE(v.update_time, CURRENT_TIMESTAMP) '
           'FROM (VALUES %s) AS v (id, original_prompt, return_value, chunk_id, cache_type, queryparam, '
           'create_time, update_time) '
           'WHERE t.workspace = %%s AND t.id = v.id RETURNING t.id' % (target, ', '.join(values)))
    return set(row[0] for row in fetch_all(conn, sql, args))


def carry(conn, table, workspace, rows, by_cache_type, overwrite=False, check_mode=False, batch_size=200):
    """Insert (and with `overwrite`, update) rows batch by batch, in the caller's
    transaction, adding inserted / updated / already_present to `by_cache_type`.

    Check mode runs the same lookups and counts what would be written.
    """
    # psycopg's placeholders are %s, so a literal % in a quoted name must be doubled.
    target = qualified_name(table['schema'], table['name']).replace('%', '%%')
    for batch in batches(rows, batch_size):
        stored = _stored(conn, target, workspace, [row.id for row in batch], overwrite)
        new = [row for row in batch if row.id not in stored]
        stale = [row for row in batch if overwrite and row.id in stored and differs(row, stored[row.id])]
        if check_mode:
            inserted = set(row.id for row in new)
            updated = set(row.id for row in stale)
        else:
            inserted = _insert(conn, target, workspace, new) if new else set()
            updated = _update(conn, target, workspace, stale) if stale else set()
        for row in batch:
            counts = by_cache_type[row.cache_type]
            if row.id in inserted:
                counts['inserted'] += 1
            elif row.id in updated:
                counts['updated'] += 1
            else:
                counts['already_present'] += 1

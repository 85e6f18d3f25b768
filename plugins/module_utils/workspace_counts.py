# -*- coding: utf-8 -*-
# Copyright: (c) 2025, LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)
"""One grouped query per table: the number of queries never depends on the
number of workspaces. Each function returns {workspace: {...}} and lets errors
propagate, so the caller can record them per table."""

import datetime

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.lightrag_tables import GRAPH_NAMESPACE
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_connection import fetch_all
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_identifiers import (
    qualified_name,
    quote_identifier,
)

# Accepted spellings of a true boolean, as PostgreSQL's ::boolean reads them, but
# without the cast, which would abort the query on a malformed value.
_TRUE_TEXT = "('true', 't', 'yes', 'y', 'on', '1')"


def timestamp_column(table):
    for name in ('updated_at', 'update_time'):
        if name in table['columns']:
            return name
    return None


def _max_ts(table):
    column = timestamp_column(table)
    return 'max(%s)' % column if column else 'NULL'


def _duplicate_expr(table):
    """LightRAG 1.5.7 records a rejected re-upload as its own doc_status row with
    status 'failed', id 'dup-<hash>' and metadata.is_duplicate = true; a primary
    demoted by source-conflict repair keeps its status and gains the same flag."""
    by_id = "(status = 'failed' AND id LIKE %s)"
    if table['columns'].get('metadata') in ('jsonb', 'json'):
        return "(lower(COALESCE(metadata->>'is_duplicate', '')) IN %s OR %s)" % (_TRUE_TEXT, by_id)
    return by_id


def count_doc_status(conn, table):
    sql = ('SELECT workspace, status, %s, count(*), %s FROM %s '
           'WHERE workspace IS NOT NULL GROUP BY 1, 2, 3'
           % (_duplicate_expr(table), _max_ts(table), qualified_name(table['schema'], table['name'])))
    result = {}
    for workspace, status, duplicate, count, last in fetch_all(conn, sql, ('dup-%',)):
        entry = result.setdefault(workspace, dict(statuses={}, duplicates=0, last_update=None))
        if duplicate:
            entry['duplicates'] += count
        else:
            key = status if status else 'unknown'
            entry['statuses'][key] = entry['statuses'].get(key, 0) + count
        entry['last_update'] = latest(entry['last_update'], last)
    return result


def count_rows(conn, table, workspaces=None):
    """count(*) per workspace; graph tables only count LightRAG's graph namespace.

    No max(updated_at) here: on the big tables it forces a heap visit per row,
    while count(*) alone is an index-only scan of LightRAG's (workspace, id)
    primary key (docs/performance.md). last_update comes from doc_status."""
    where, args = ['workspace IS NOT NULL'], []
    if workspaces is not None:  # only these (an index range each)
        where.append('workspace = ANY(%s)')
        args.append(list(workspaces))
    if table['kind'] in ('graph_nodes', 'graph_edges') and 'namespace' in table['columns']:
        where.append('namespace = %s')
        args.append(GRAPH_NAMESPACE)
    sql = ('SELECT workspace, count(*) FROM %s WHERE %s GROUP BY 1'
           % (qualified_name(table['schema'], table['name']), ' AND '.join(where)))
    return dict((ws, dict(rows=count, last_update=None))
                for ws, count in fetch_all(conn, sql, tuple(args)))


def list_workspaces(conn, table):
    """Which workspaces have rows, without counting them: a loose index scan that
    hops from one workspace to the next along the (workspace, ...) primary key,
    one index probe per workspace instead of a visit per row."""
    name = qualified_name(table['schema'], table['name'])
    sql = ('WITH RECURSIVE w(workspace) AS ('
           ' (SELECT workspace FROM {t} WHERE workspace IS NOT NULL ORDER BY workspace LIMIT 1)'
           ' UNION ALL'
           ' SELECT (SELECT t.workspace FROM {t} t WHERE t.workspace > w.workspace ORDER BY t.workspace LIMIT 1)'
           ' FROM w WHERE w.workspace IS NOT NULL)'
           ' SELECT workspace FROM w WHERE workspace IS NOT NULL').format(t=name)
    return dict((ws, dict(rows=None, last_update=None)) for (ws,) in fetch_all(conn, sql))


def count_distinct_elements(conn, table, column, workspaces):
    """Distinct entity names / relation pairs across a workspace's documents
    (full_entities / full_relations hold one JSON list per document)."""
    sql = ('SELECT t.workspace, count(DISTINCT e.item) FROM %s t '
           'CROSS JOIN LATERAL jsonb_array_elements('
           "CASE WHEN jsonb_typeof(t.%s::jsonb) = 'array' THEN t.%s::jsonb ELSE '[]'::jsonb END) AS e(item) "
           'WHERE t.workspace = ANY(%%s) GROUP BY 1'
           % (qualified_name(table['schema'], table['name']), quote_identifier(column), quote_identifier(column)))
    return dict((ws, dict(rows=count, last_update=None))
                for ws, count in fetch_all(conn, sql, (list(workspaces),)))


_STATS_SQL = """
SELECT s.schemaname, s.tablename, s.null_frac, s.n_distinct,
       s.most_common_vals::text::text[], s.most_common_freqs
  FROM pg_catalog.pg_stats s
  JOIN unnest(%s::text[], %s::text[]) AS t(schema_name, table_name)
    ON s.schemaname = t.schema_name AND s.tablename = t.table_name
 WHERE s.attname = 'workspace' AND NOT s.inherited
"""


def fetch_workspace_stats(conn, tables):
    """Planner statistics of the workspace column, one query for all tables."""
    rows = fetch_all(conn, _STATS_SQL, ([t['schema'] for t in tables], [t['name'] for t in tables]))
    return dict(((schema, name), dict(null_frac=null_frac, n_distinct=n_distinct,
                                      values=values or [], freqs=freqs or []))
                for schema, name, null_frac, n_distinct, values, freqs in rows)


def estimate_counts(reltuples, stats, workspaces):
    """Rows per workspace the way the planner guesses them: most-common-value
    frequencies times the table's row estimate, and an even share of the rest
    for workspaces outside that list."""
    counts = dict((value, int(round(freq * reltuples)))
                  for value, freq in zip(stats['values'], stats['freqs']))
    rest = max(0.0, 1.0 - (stats['null_frac'] or 0.0) - sum(stats['freqs']))
    n_distinct = stats['n_distinct'] or 0
    total_distinct = n_distinct if n_distinct >= 0 else -n_distinct * reltuples
    share = rest * reltuples / max(1.0, total_distinct - len(counts))
    for workspace in workspaces:
        counts.setdefault(workspace, int(round(share)))
    return dict((ws, dict(rows=n, last_update=None)) for ws, n in counts.items() if n > 0)


def latest(current, candidate):
    """Newest of two timestamps as aware UTC; LightRAG stores naive UTC."""
    if candidate is None:
        return current
    if candidate.tzinfo is None:
        candidate = candidate.replace(tzinfo=datetime.timezone.utc)
    candidate = candidate.astimezone(datetime.timezone.utc)
    return candidate if current is None or candidate > current else current

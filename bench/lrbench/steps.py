"""The measured steps. Each runs in its own process (python -m lrbench.steps STEP ARGS.json),
so the parent can take its wall time and peak RSS from wait4(); the step itself
prints one JSON line with its inner timings and the totals it counted.

  stats         workspace_stats' own code path (workspace_stats.run: catalog, one grouped
                query per table, selection, sorting) on an open connection; the
                time is the pure query time (connect excluded, reported apart).
  module        workspace_stats.main() with patched arguments: what the module does on
                the managed host, argument parsing and JSON output included.
  per_workspace The same counts, issued one workspace at a time: per workspace and
                table one query (N x tables round trips).
  files         Count the file stores like a directory-scanning endpoint must: for each
                rag_storage/<workspace>/ load the graphml with networkx and parse the
                JSON stores (as LightRAG's load_json / NanoVectorDB load them).
"""

import json
import os
import sys
import time


def _now():
    return time.perf_counter()


def _connect_params(args):
    return dict(login_host=args['host'], login_port=args['port'], login_user=args['user'],
                login_password=args['password'], login_db=args['db'], connect_timeout=10, ssl_mode='disable',
                ca_cert=None)


def _totals_from_workspaces(workspaces):
    totals = dict(workspaces=0, documents=0, duplicates=0, chunks=0, entities=0, relations=0,
                  vdb_chunks=0, vdb_entities=0, vdb_relations=0, statuses={})
    for ws in workspaces:
        totals['workspaces'] += 1
        for key in ('documents', 'chunks', 'entities', 'relations'):
            totals[key] += ws[key]
        for status, count in ws['doc_status'].items():
            if status == 'duplicates':
                totals['duplicates'] += count
            elif count:
                totals['statuses'][status] = totals['statuses'].get(status, 0) + count
        for emb in ws.get('embeddings', []):
            for key, field in (('vdb_chunks', 'chunks'), ('vdb_entities', 'entities'), ('vdb_relations', 'relations')):
                # None: presence only (count_vectors=false), nothing to add up.
                totals[key] = None if emb[field] is None or totals[key] is None else totals[key] + emb[field]
    return totals


def step_stats(args):
    from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_connection import connect
    from ansible_collections.loomgraph.lightrag_pg.plugins.modules import workspace_stats

    class Module(object):  # what run() uses of AnsibleModule
        params = dict(filter=[], search=None, exact=args['exact'], sort_by='workspace', sort_order='asc',
                      schema=None, count_vectors=args.get('count_vectors', False))
        warnings = []

        def warn(self, msg):
            self.warnings.append(msg)

    t0 = _now()
    conn, failure, _ms = connect(_connect_params(args))
    if failure:
        raise SystemExit('cannot connect: %s' % failure)
    t1 = _now()
    module = Module()
    result = workspace_stats.run(module, conn)
    t2 = _now()
    conn.close()
    methods = dict((t['name'], t['count_method']) for t in result['tables'])
    return dict(connect_s=t1 - t0, query_s=t2 - t1, totals=_totals_from_workspaces(result['workspaces']),
                module_totals=result['totals'], count_methods=methods, warnings=module.warnings)


def step_module(args):
    from ansible.module_utils.testing import patch_module_args
    from ansible_collections.loomgraph.lightrag_pg.plugins.modules import workspace_stats

    params = _connect_params(args)
    params.pop('ca_cert')
    params['exact'] = args['exact']
    params['count_vectors'] = args.get('count_vectors', False)
    with patch_module_args(params):
        try:
            workspace_stats.main()
        except SystemExit as exc:
            return exc.code  # the module already printed its JSON result


def step_per_workspace(args):
    """workspace_stats' counts, per workspace: WHERE workspace = %s instead of GROUP BY workspace."""
    from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils import workspace_counts as wc
    from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.lightrag_tables import (
        GRAPH_NAMESPACE, discover_tables)
    from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_connection import connect, fetch_all
    from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_identifiers import qualified_name
    from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.workspace_report import COUNTED_KINDS

    t0 = _now()
    conn, failure, _ms = connect(_connect_params(args))
    if failure:
        raise SystemExit('cannot connect: %s' % failure)
    t1 = _now()
    tables = discover_tables(conn)
    counted = [t for t in tables if t['kind'] in COUNTED_KINDS]
    status_table = [t for t in tables if t['kind'] == 'doc_status'][0]
    status_sql = ('SELECT status, %s, count(*), %s FROM %s WHERE workspace = %%s GROUP BY 1, 2'
                  % (wc._duplicate_expr(status_table),
                     'max(%s)' % wc.timestamp_column(status_table),
                     qualified_name(status_table['schema'], status_table['name'])))
    count_sql = {}
    for table in counted:
        where = 'workspace = %s'
        if table['kind'] in ('graph_nodes', 'graph_edges'):
            where += ' AND namespace = %s'
        # As the module does by default: vector tables only say whether they hold the workspace.
        shape = 'SELECT EXISTS (SELECT 1 FROM {t} WHERE {w})' if table['kind'].startswith('vdb_') \
            else 'SELECT count(*) FROM {t} WHERE {w}'
        count_sql[table['name']] = (shape.format(t=qualified_name(table['schema'], table['name']), w=where),
                                    table['kind'])
    totals = dict(workspaces=0, documents=0, duplicates=0, chunks=0, entities=0, relations=0,
                  vdb_chunks=None, vdb_entities=None, vdb_relations=None, statuses={})
    field = dict(chunks='chunks', graph_nodes='entities', graph_edges='relations')
    queries = 0
    for ws in args['workspaces']:
        totals['workspaces'] += 1
        for status, dup, count, _last in fetch_all(conn, status_sql, ('dup-%', ws)):
            if dup:
                totals['duplicates'] += count
            else:
                totals['documents'] += count
                totals['statuses'][status] = totals['statuses'].get(status, 0) + count
        queries += 1
        for name, (sql, kind) in sorted(count_sql.items()):
            params = (ws, GRAPH_NAMESPACE) if kind.startswith('graph') else (ws,)
            rows = fetch_all(conn, sql, params)
            if kind in field:
                totals[field[kind]] += rows[0][0]
            queries += 1
    t2 = _now()
    conn.close()
    return dict(connect_s=t1 - t0, query_s=t2 - t1, queries=queries, totals=totals)


def step_counts_only(args):
    """Diagnostic, not the module: only the grouped count(*) queries, without
    the catalog discovery cost counted and without assembling workspaces."""
    from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils import workspace_counts as wc
    from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.lightrag_tables import (
        GRAPH_NAMESPACE, discover_tables)
    from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_connection import connect, fetch_all
    from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_identifiers import qualified_name
    from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.workspace_report import COUNTED_KINDS

    conn, failure, _ms = connect(_connect_params(args))
    if failure:
        raise SystemExit('cannot connect: %s' % failure)
    t1 = _now()
    tables = discover_tables(conn)
    totals = dict(workspaces=0, documents=0, duplicates=0, chunks=0, entities=0, relations=0,
                  vdb_chunks=0, vdb_entities=0, vdb_relations=0, statuses={})
    seen = set()
    for table in tables:
        if table['kind'] == 'doc_status':
            for ws, status, dup, count in fetch_all(conn, 'SELECT workspace, status, %s, count(*) FROM %s '
                                                    'WHERE workspace IS NOT NULL GROUP BY 1, 2, 3' % (
                                                        wc._duplicate_expr(table),
                                                        qualified_name(table['schema'], table['name'])), ('dup-%',)):
                seen.add(ws)
                if dup:
                    totals['duplicates'] += count
                else:
                    totals['documents'] += count
                    totals['statuses'][status] = totals['statuses'].get(status, 0) + count
    field = dict(chunks='chunks', graph_nodes='entities', graph_edges='relations', vdb_chunks='vdb_chunks',
                 vdb_entity='vdb_entities', vdb_relation='vdb_relations')
    plans = {}
    for table in tables:
        if table['kind'] not in COUNTED_KINDS:
            continue
        where, params = 'workspace IS NOT NULL', ()
        if table['kind'] in ('graph_nodes', 'graph_edges'):
            where, params = where + ' AND namespace = %s', (GRAPH_NAMESPACE,)
        if table['kind'].startswith('vdb_'):  # as the module: which workspaces, not how many rows
            seen.update(wc.list_workspaces(conn, table))
            totals[field[table['kind']]] = None
            continue
        sql = 'SELECT workspace, count(*) FROM %s WHERE %s GROUP BY 1' % (
            qualified_name(table['schema'], table['name']), where)
        for ws, count in fetch_all(conn, sql, params):
            seen.add(ws)
            totals[field[table['kind']]] += count
        if args.get('explain'):
            plans[table['name']] = [r[0] for r in fetch_all(conn, 'EXPLAIN ' + sql, params)][:3]
    totals['workspaces'] = len(seen)
    t2 = _now()
    conn.close()
    return dict(query_s=t2 - t1, totals=totals, plans=plans)


def _load_json(path):
    """lightrag.utils.load_json: read the whole file, then json.loads."""
    with open(path, encoding='utf-8-sig') as handle:
        return json.loads(handle.read())


def step_files(args):
    import networkx as nx

    root = args['root']
    totals = dict(workspaces=0, documents=0, duplicates=0, chunks=0, entities=0, relations=0,
                  vdb_chunks=0, vdb_entities=0, vdb_relations=0, statuses={})
    seconds = dict(doc_status=0.0, text_chunks=0.0, graphml=0.0, vdb=0.0)
    t0 = _now()
    for name in sorted(os.listdir(root)):
        folder = os.path.join(root, name)
        if not os.path.isdir(folder):
            continue
        totals['workspaces'] += 1
        s = _now()
        status = _load_json(os.path.join(folder, 'kv_store_doc_status.json'))
        for record in status.values():
            if (record.get('metadata') or {}).get('is_duplicate'):
                totals['duplicates'] += 1
            else:
                totals['documents'] += 1
                totals['statuses'][record['status']] = totals['statuses'].get(record['status'], 0) + 1
        del status
        seconds['doc_status'] += _now() - s
        s = _now()
        totals['chunks'] += len(_load_json(os.path.join(folder, 'kv_store_text_chunks.json')))
        seconds['text_chunks'] += _now() - s
        s = _now()
        graph = nx.read_graphml(os.path.join(folder, 'graph_chunk_entity_relation.graphml'))
        totals['entities'] += graph.number_of_nodes()
        totals['relations'] += graph.number_of_edges()
        del graph
        seconds['graphml'] += _now() - s
        s = _now()
        for store, key in (('chunks', 'vdb_chunks'), ('entities', 'vdb_entities'),
                           ('relationships', 'vdb_relations')):
            # NanoVectorDB's load_storage: json.load; the base64 matrix is not decoded here.
            with open(os.path.join(folder, 'vdb_%s.json' % store), encoding='utf-8') as handle:
                totals[key] += len(json.load(handle)['data'])
        seconds['vdb'] += _now() - s
    return dict(query_s=_now() - t0, totals=totals, seconds=seconds)


def vmhwm_mb():
    """Peak RSS of this process since its exec (cross-check of the parent's figure)."""
    with open('/proc/self/status') as handle:
        for line in handle:
            if line.startswith('VmHWM:'):
                return round(int(line.split()[1]) / 1024.0, 1)
    return None


def main():
    step, path = sys.argv[1], sys.argv[2]
    with open(path) as handle:
        args = json.load(handle)
    started = _now()
    result = globals()['step_' + step](args)
    if step == 'module':
        sys.stderr.write('\nLRBENCH %s\n' % json.dumps(dict(process_s=_now() - started, vmhwm_mb=vmhwm_mb())))
        sys.exit(result)
    result['process_s'] = _now() - started
    result['vmhwm_mb'] = vmhwm_mb()
    sys.stdout.write(json.dumps(result, default=str) + '\n')


if __name__ == '__main__':
    main()

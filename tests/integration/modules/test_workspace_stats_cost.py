"""Estimates, query budget and the module's main() called in-process."""

import psycopg2
import pytest

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.workspace_report import Collector
from ansible_collections.loomgraph.lightrag_pg.plugins.modules import workspace_stats
from ansible_cli import adhoc
from in_process import run_main
from seed import APP_ROLE, MODEL_A, Seeder


def _by_name(data):
    return dict((ws['workspace'], ws) for ws in data['workspaces'])


def test_exact_versus_estimated(databases, login, pg, app_password):
    def run(exact):
        result = adhoc('workspace_stats', dict(login('lightrag_est'), exact=exact))
        assert result.rc == 0, result
        return result.data

    # Never analysed: nothing to estimate from, so counted exactly anyway.
    before = run(False)
    chunks_table = [t for t in before['tables'] if t['name'] == 'lightrag_doc_chunks'][0]
    assert chunks_table['count_method'] == 'exact' and chunks_table['estimated_rows'] is None
    assert _by_name(before)['big']['chunks'] == 3000 and _by_name(before)['big']['estimated'] is False

    conn = psycopg2.connect(host=pg.host, port=pg.port, dbname='lightrag_est', user=APP_ROLE,
                            password=app_password)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute('ANALYZE')
    with conn.cursor() as cur:  # rows the statistics have not seen yet
        cur.execute("INSERT INTO lightrag_doc_chunks (workspace, id) "
                    "SELECT 'big', 'late-' || g FROM generate_series(1, 100) g")
    conn.close()

    exact, estimated = run(True), run(False)
    big_exact, big_est = _by_name(exact)['big'], _by_name(estimated)['big']
    assert big_exact['chunks'] == 3100 and big_exact['estimated'] is False
    assert big_est['chunks'] == 3000 and big_est['estimated'] is True   # as of the last ANALYZE
    assert (big_est['entities'], big_est['relations']) == (400, 300)
    assert _by_name(estimated)['small']['chunks'] == 200
    assert big_est['documents'] == 30 and big_est['doc_status']['processed'] == 30  # always exact
    methods = dict((t['name'], t['count_method']) for t in estimated['tables'])
    assert methods['lightrag_doc_chunks'] == 'estimated'
    assert methods['lightrag_graph_nodes'] == 'estimated'
    assert methods['lightrag_doc_status'] == 'exact'
    assert estimated['exact'] is False and exact['exact'] is True


class CountingConnection(object):
    """Wraps a connection and counts the statements sent."""

    def __init__(self, conn):
        self.conn = conn
        self.statements = []

    def cursor(self):
        outer = self
        inner = self.conn.cursor()

        class Cursor(object):
            def execute(self, query, args=None):
                outer.statements.append(query)
                return inner.execute(query, args)

            def __getattr__(self, name):
                return getattr(inner, name)
        return Cursor()


@pytest.mark.parametrize('exact', [True, False])
def test_query_count_does_not_grow_with_workspaces(databases, pg, app_password, upstream, exact):
    conn = psycopg2.connect(host=pg.host, port=pg.port, dbname='lightrag_many', user=APP_ROLE,
                            password=app_password)
    conn.autocommit = True
    seeder = Seeder(conn, upstream)
    with conn.cursor() as cur:
        cur.execute("SELECT to_regclass('lightrag_doc_status')")
        fresh = cur.fetchone()[0] is None
    if fresh:
        seeder.create_core()
        seeder.create_vector_tables(*MODEL_A)

    def add(names):
        for name in names:
            seeder.docs(name, {'processed': 1})
            seeder.chunks(name, 2)
            seeder.graph(name, nodes=2, edges=1)
        with conn.cursor() as cur:
            cur.execute('ANALYZE')

    def measure():
        counting = CountingConnection(conn)
        workspaces, tables = Collector(counting, exact=exact).collect()
        return len(workspaces), len(counting.statements)

    if fresh:
        add(['ws_%02d' % i for i in range(3)])
    small, small_queries = measure()
    add(['more_%02d_%s' % (i, exact) for i in range(40)])
    large, large_queries = measure()
    assert large == small + 40
    assert large_queries == small_queries
    # exact: catalog + one per table (doc_status, chunks, 2 graph, 3 vector).
    # estimated: catalog + pg_stats + doc_status + the 3 vector tables, which are
    # empty and so have no statistics to estimate from.
    assert large_queries == (8 if exact else 6)
    conn.close()


def test_main_in_process_check_mode(databases, login, capsys):
    result = run_main(workspace_stats, dict(login('lightrag'), filter=['pinpianyi'], _ansible_check_mode=True),
                      capsys)
    assert result['rc'] == 0 and result['changed'] is False
    assert [ws['workspace'] for ws in result['workspaces']] == ['pinpianyi']
    assert result['totals']['documents'] == 5

"""Session fixtures: one real PostgreSQL 18 + pgvector, LightRAG's schema from
LightRAG's own source, and a few databases seeded with known contents."""

import secrets

import psycopg2
import pytest

from lightrag_upstream import LightRAGSchema
from pg_server import EmbeddedPostgres
from seed import APP_ROLE, MODEL_A, MODEL_B, Seeder, server_workspace, utc


@pytest.fixture(scope='session')
def pg():
    server = EmbeddedPostgres(superuser_password=secrets.token_urlsafe(18))
    try:
        server.start()
    except Exception:
        print(server.log())
        server.stop()
        raise
    yield server
    server.stop()


@pytest.fixture(scope='session')
def upstream():
    return LightRAGSchema()


@pytest.fixture(scope='session')
def app_password():
    # Includes characters a careless DSN builder would mangle.
    return "pw'%s %%x" % secrets.token_urlsafe(12)


def _connect(pg, dbname, user=None, password=None):
    conn = psycopg2.connect(host=pg.host, port=pg.port, dbname=dbname, user=user or pg.superuser,
                            password=password or pg.superuser_password)
    conn.autocommit = True
    return conn


@pytest.fixture(scope='session')
def admin(pg):
    conn = _connect(pg, 'postgres')
    yield conn
    conn.close()


@pytest.fixture(scope='session')
def login(pg, app_password):
    """Module arguments for a database, as LightRAG's application role."""
    def build(db, **override):
        args = dict(login_host=pg.host, login_port=pg.port, login_user=APP_ROLE,
                    login_password=app_password, login_db=db)
        args.update(override)
        return args
    return build


@pytest.fixture(scope='session')
def databases(pg, admin, upstream, app_password):
    """Create and seed every database once; tests only read them."""
    with admin.cursor() as cur:
        cur.execute('CREATE ROLE %s LOGIN PASSWORD %%s' % APP_ROLE, (app_password,))
        for db in ('lightrag', 'lightrag_fallback', 'lightrag_est', 'lightrag_denied', 'lightrag_fresh',
                   'lightrag_many'):
            cur.execute('CREATE DATABASE %s OWNER %s' % (db, APP_ROLE))
    for db in ('lightrag', 'lightrag_fallback', 'lightrag_est', 'lightrag_denied', 'lightrag_many'):
        conn = _connect(pg, db)
        with conn.cursor() as cur:
            cur.execute('CREATE EXTENSION vector')  # as the superuser, like the roles do
        conn.close()

    def seeder(db):
        return Seeder(_connect(pg, db, APP_ROLE, app_password), upstream)

    _seed_main(seeder('lightrag'))
    _seed_fallback(seeder('lightrag_fallback'))
    _seed_estimates(seeder('lightrag_est'))
    _seed_denied(seeder('lightrag_denied'), _connect(pg, 'lightrag_denied'))
    return dict(upstream=upstream.origin)


def _seed_main(s):
    s.create_core()
    a = s.create_vector_tables(*MODEL_A)
    b = s.create_vector_tables(*MODEL_B)
    # A lightrag-server started without WORKSPACE stores 'default'.
    s.docs('default', {'processed': 2}, ts=utc('2025-01-01 10:00:00'))
    s.chunks('default', 5, ts=utc('2025-01-01 10:00:00'))
    s.graph('default', nodes=4, edges=3, ts=utc('2025-01-01 10:00:00'))
    for store, n in (('chunks', 5), ('entity', 4), ('relation', 3)):
        s.vectors(a[store], 'default', n, MODEL_A[1], ts=utc('2025-01-01 10:00:00'))
    # pinpianyi: re-embedded with model B; model A still holds part of the old vectors.
    s.docs('pinpianyi', {'processed': 3, 'pending': 1, 'failed': 1}, duplicates=2,
           ts=utc('2025-03-01 08:00:00'))
    s.chunks('pinpianyi', 12, ts=utc('2025-03-02 09:30:00'))
    s.graph('pinpianyi', nodes=10, edges=7, ts=utc('2025-03-01 08:00:00'))
    s.graph('pinpianyi', nodes=3, edges=1, namespace='some_other_graph')  # not LightRAG's graph
    for store, n in (('chunks', 4), ('entity', 3), ('relation', 2)):
        s.vectors(a[store], 'pinpianyi', n, MODEL_A[1])
    for store, n in (('chunks', 12), ('entity', 10), ('relation', 7)):
        s.vectors(b[store], 'pinpianyi', n, MODEL_B[1])
    # Sent as 'Acme-Prod' to lightrag-server, stored sanitised.
    acme = server_workspace('Acme-Prod')
    s.docs(acme, {'processing': 1, 'preprocessed': 1})
    s.chunks(acme, 3)
    s.graph(acme, nodes=2, edges=1)
    s.vectors(b['chunks'], acme, 3, MODEL_B[1])
    # The library itself accepts any name without '/' or '\\'.
    s.docs("o'brien 100%", {'parsing': 1, 'analyzing': 1})
    s.docs('客户A', {'processed': 1})
    s.chunks('客户A', 2)


def _seed_fallback(s):
    s.create_core(graph=False)                     # no PGTableGraphStorage tables
    a = s.create_vector_tables(*MODEL_A)
    legacy = s.create_vector_tables(None, 768)     # lightrag_vdb_* from before model suffixes
    half = s.create_vector_tables('tiny_model_8d', 8, vector_type='HALFVEC')
    s.docs('ws_full', {'processed': 2})
    s.chunks('ws_full', 6)
    s.full_lists('ws_full', {'doc-1': ['A', 'B', 'C'], 'doc-2': ['B', 'C', 'D']})
    s.docs('ws_vdb', {'processed': 1})
    s.vectors(a['entity'], 'ws_vdb', 6, 768)
    s.vectors(a['relation'], 'ws_vdb', 5, 768)
    s.vectors(legacy['chunks'], 'ws_legacy', 4, 768)
    s.vectors(half['chunks'], 'ws_half', 2, 8)


def _seed_estimates(s):
    s.create_core()
    s.docs('big', {'processed': 30})
    s.docs('small', {'processed': 2})
    s.chunks('big', 3000)
    s.chunks('small', 200)
    s.graph('big', nodes=400, edges=300)
    s.graph('small', nodes=40, edges=30)


def _seed_denied(s, superuser_conn):
    s.create_core()
    s.docs('pinpianyi', {'processed': 1})
    s.chunks('pinpianyi', 2)
    with superuser_conn.cursor() as cur:  # a table the application role may not read
        cur.execute(s.schema.vector_ddl('LIGHTRAG_VDB_CHUNKS', 'lightrag_vdb_chunks_secret_8d', 8))
        cur.execute("INSERT INTO lightrag_vdb_chunks_secret_8d (workspace, id) VALUES ('pinpianyi', 'x')")

"""pg_check against a real PostgreSQL 18 + pgvector, run through `ansible`."""

import pytest

from ansible_cli import adhoc
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_connection import connect, fetch_all
from pg_server import free_port


def test_available_with_pgvector(databases, login):
    result = adhoc('pg_check', login('lightrag'))
    assert result.rc == 0, result
    data = result.data
    assert data['is_available'] is True and data['changed'] is False
    assert data['error'] == '' and data['error_kind'] == ''
    assert data['server_version'] == '18.6'
    assert data['server_version_info']['major'] == 18 and data['server_version_info']['minor'] == 6
    assert data['server_version_info']['raw'].startswith('PostgreSQL 18.6')
    assert data['pgvector']['installed'] is True
    assert data['pgvector']['version'] == '0.8.6'
    assert data['pgvector']['available_versions'][-1] == '0.8.6'
    assert data['apache_age'] is False and data['apache_age_available'] is False
    assert data['ssl'] is False
    assert data['can_create'] is True and data['owns_database'] is True
    assert data['default_schema'] == 'public'
    assert data['user'] == 'lightrag' and data['database'] == 'lightrag' and data['superuser'] is False
    assert data['max_connections'] == 40
    assert data['connections'] >= 1
    assert 0 < data['latency_ms'] < 1000 and 0 < data['connect_ms'] < 10000


def test_check_mode_gives_the_same_answer(databases, login):
    result = adhoc('pg_check', login('lightrag'), check=True)
    assert result.rc == 0, result
    assert result['is_available'] is True and result['changed'] is False


def test_pgvector_not_created_yet(databases, login):
    data = adhoc('pg_check', login('lightrag_fresh')).data
    assert data['is_available'] is True
    assert data['pgvector'] == dict(installed=False, version=None, available=True, default_version='0.8.6',
                                    available_versions=data['pgvector']['available_versions'])
    assert data['pgvector']['available_versions']


def test_cannot_create_in_someone_elses_database(databases, login):
    # PostgreSQL 15+: only the database owner may create in `public`.
    data = adhoc('pg_check', login('postgres')).data
    assert data['is_available'] is True
    assert data['can_create'] is False and data['owns_database'] is False


def test_unreachable_is_not_a_failure(databases, login):
    result = adhoc('pg_check', login('lightrag', login_port=free_port(), connect_timeout=3))
    assert result.rc == 0, result
    assert result['is_available'] is False and result['changed'] is False
    assert result['error_kind'] == 'unreachable'
    assert 'refused' in result['error']
    assert 'server_version' not in result.data


def test_wrong_password_names_authentication_not_the_password(databases, login):
    wrong = 'Wr0ng-Secret-Value'
    result = adhoc('pg_check', login('lightrag', login_password=wrong))
    assert result.rc == 0, result
    assert result['is_available'] is False
    assert result['error_kind'] == 'authentication'
    assert 'authentication' in result['error']
    assert wrong not in result.stdout and wrong not in result.stderr


def test_unknown_database(databases, login):
    result = adhoc('pg_check', login('no_such_db'))
    assert result['is_available'] is False and result['error_kind'] == 'database_missing'


def test_ssl_required_but_server_has_none(databases, login):
    result = adhoc('pg_check', login('lightrag', ssl_mode='require'))
    assert result['is_available'] is False and result['error_kind'] == 'ssl'


def test_sessions_are_read_only(databases, login):
    conn, failure, connect_ms = connect(dict(login('lightrag'), connect_timeout=5, ssl_mode='prefer', ca_cert=None))
    assert failure is None and connect_ms > 0
    try:
        with pytest.raises(Exception) as refused:
            fetch_all(conn, 'CREATE TABLE should_not_exist (x int)', fetch=False)
        assert 'read-only transaction' in str(refused.value)
    finally:
        conn.close()


@pytest.mark.parametrize('module', ['pg_check', 'workspace_stats'])
def test_missing_driver_fails_cleanly(databases, login, tmp_path, module):
    for name in ('psycopg2', 'psycopg'):  # shadow both drivers on the "managed host"
        (tmp_path / name).mkdir()
        (tmp_path / name / '__init__.py').write_text('raise ImportError("not installed")\n')
    result = adhoc(module, login('lightrag'), env=dict(PYTHONPATH=str(tmp_path)))
    assert result.rc != 0
    assert 'Failed to import the required Python library (psycopg2 (or psycopg 3))' in result['msg']


def test_connection_budget_fits_lightrags_default_pool(databases, login):
    # The test server has max_connections 40 and 3 reserved for superusers.
    result = adhoc('pg_check', login('lightrag', lightrag_max_connections=30))
    assert result['connection_budget'] == dict(needed=30, allowed=37, fits=True)
    assert 'raise max_connections' not in result.stdout + result.stderr


def test_connection_budget_warns_when_workers_need_more(databases, login):
    result = adhoc('pg_check', login('lightrag', lightrag_workers=4, lightrag_max_connections=50))
    assert result.rc == 0, result
    assert result['connection_budget'] == dict(needed=200, allowed=37, fits=False)
    # The callback prints module warnings beside the result, not inside it.
    assert 'raise max_connections' in ' '.join((result.stdout + result.stderr).split())

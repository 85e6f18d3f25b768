import pytest

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils import pg_connection
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_connection import (
    classify_error,
    connect,
    connect_kwargs,
    connection_argument_spec,
    ensure_driver,
    scrub,
)


def params(**override):
    spec = connection_argument_spec()
    values = dict((k, v.get('default')) for k, v in spec.items())
    values.update(override)
    return values


@pytest.mark.parametrize('message, kind', [
    ('connection to server at "127.0.0.1", port 5432 failed: FATAL:  password authentication failed '
     'for user "lightrag"', 'authentication'),
    ('connection to server at "db", port 5432 failed: fe_sendauth: no password supplied', 'authentication'),
    ('FATAL:  no pg_hba.conf entry for host "10.0.0.5", user "lightrag", database "lightrag", no encryption',
     'authentication'),
    ('FATAL:  role "nobody" does not exist', 'authentication'),
    ('FATAL:  database "lightrag_x" does not exist', 'database_missing'),
    ('connection to server at "127.0.0.1", port 1 failed: Connection refused Is the server running',
     'unreachable'),
    ('could not translate host name "nohost" to address: Name or service not known', 'unreachable'),
    ('connection to server at "10.255.255.1", port 5432 failed: timeout expired', 'timeout'),
    ('server does not support SSL, but SSL was required', 'ssl'),
    ('FATAL:  the database system is starting up', 'unavailable'),
    ('FATAL:  sorry, too many clients already', 'unavailable'),
    ('something new', 'other'),
])
def test_classify(message, kind):
    assert classify_error(message) == kind


def test_scrub_masks_password_and_flattens():
    text = scrub('failed:\n\tpassword "s3cret-pw" rejected\n', 's3cret-pw')
    assert text == 'failed: password "********" rejected'


def test_scrub_leaves_short_secrets_to_ansible():
    # Masking a 1-2 character password would garble the message.
    assert scrub('a failed', 'a') == 'a failed'


def test_connect_kwargs_omit_unset():
    kwargs = connect_kwargs(params(login_password='pw', login_db=None, ca_cert=''))
    assert kwargs['password'] == 'pw'
    assert 'dbname' not in kwargs and 'sslrootcert' not in kwargs
    assert kwargs['host'] == 'localhost' and kwargs['port'] == 5432 and kwargs['user'] == 'lightrag'
    assert kwargs['application_name'] == 'ansible-loomgraph.lightrag_pg'
    assert kwargs['sslmode'] == 'prefer' and kwargs['connect_timeout'] == 10


def test_connect_failure_is_returned_not_raised(monkeypatch):
    class Driver(object):
        @staticmethod
        def connect(**kwargs):
            raise RuntimeError('password authentication failed for user "lightrag" (password=%s)'
                               % kwargs['password'])
    monkeypatch.setattr(pg_connection, 'pg_driver', Driver)
    conn, failure, elapsed = connect(params(login_password='topsecret'))
    assert conn is None and elapsed is None
    assert failure['error_kind'] == 'authentication'
    assert 'topsecret' not in failure['error']


def test_missing_driver_fails_with_missing_required_lib(monkeypatch):
    class Module(object):
        def fail_json(self, **kwargs):
            raise SystemExit(kwargs['msg'])
    monkeypatch.setattr(pg_connection, 'HAS_PSYCOPG', False)
    with pytest.raises(SystemExit) as exited:
        ensure_driver(Module())
    assert 'psycopg2' in str(exited.value) and 'Failed to import' in str(exited.value)

# -*- coding: utf-8 -*-
# Copyright: (c) 2025, LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)
"""Login options, driver import and connect helper shared by every module.

The option list here and plugins/doc_fragments/lightrag_pg.py describe the same
options; tests/unit/plugins/modules/test_argspec_docs.py keeps them in step.
"""

import re
import time

from ansible.module_utils.basic import missing_required_lib
from ansible.module_utils.common.text.converters import to_native

# psycopg2 first (what Debian ships as python3-psycopg2); psycopg 3 speaks the
# same DB-API subset these modules use, so either will do.
try:
    import psycopg2 as pg_driver
    HAS_PSYCOPG = True
except ImportError:
    try:
        import psycopg as pg_driver
        HAS_PSYCOPG = True
    except ImportError:
        pg_driver = None
        HAS_PSYCOPG = False

SSL_MODES = ['disable', 'allow', 'prefer', 'require', 'verify-ca', 'verify-full']
APPLICATION_NAME = 'ansible-loomgraph.lightrag_pg'


def connection_argument_spec():
    """Options every module of the collection accepts (group `postgres`)."""
    return dict(
        login_host=dict(type='str', default='localhost'),
        login_port=dict(type='int', default=5432, aliases=['port']),
        login_user=dict(type='str', default='lightrag'),
        login_password=dict(type='str', no_log=True),
        login_db=dict(type='str', aliases=['db']),
        connect_timeout=dict(type='int', default=10),
        ssl_mode=dict(type='str', default='prefer', choices=SSL_MODES),
        ca_cert=dict(type='path', aliases=['ssl_rootcert']),
    )


def ensure_driver(module):
    """Fail before anything else when the managed host has no psycopg."""
    if not HAS_PSYCOPG:
        module.fail_json(msg=missing_required_lib('psycopg2 (or psycopg 3)'))


def connect_kwargs(params):
    """Map module parameters to libpq keywords, leaving unset ones to libpq."""
    kwargs = dict(
        host=params['login_host'],
        port=params['login_port'],
        user=params['login_user'],
        connect_timeout=params['connect_timeout'],
        sslmode=params['ssl_mode'],
        application_name=APPLICATION_NAME,
    )
    optional = dict(password='login_password', dbname='login_db', sslrootcert='ca_cert')
    for keyword, option in optional.items():
        if params.get(option) not in (None, ''):
            kwargs[keyword] = params[option]
    return kwargs


def scrub(message, secret):
    """Collapse libpq's multi-line message and mask the password if it shows up."""
    text = ' '.join(to_native(message).split())
    # Ansible masks no_log values in results too, but these helpers are also
    # used outside a module run, so do not rely on that.
    if secret and len(secret) >= 3:
        text = text.replace(secret, '********')
    return text


_ERROR_KINDS = (
    ('database_missing', re.compile(r'database ".*" does not exist')),
    ('authentication', re.compile(
        r'authentication failed|no password supplied|password is required|pg_hba\.conf'
        r'|role ".*" does not exist|not permitted to log in', re.I)),
    ('ssl', re.compile(r'\bSSL\b|certificate', re.I)),
    ('timeout', re.compile(r'timeout expired|timed out', re.I)),
    ('unavailable', re.compile(
        r'starting up|shutting down|in recovery mode|too many (clients|connections)', re.I)),
    ('unreachable', re.compile(
        r'connection refused|could not connect|could not translate host name'
        r'|no route to host|network is unreachable|name or service not known', re.I)),
)


def classify_error(message):
    """A stable keyword for playbooks to branch on; the message may change wording."""
    for kind, pattern in _ERROR_KINDS:
        if pattern.search(message):
            return kind
    return 'other'


def connect(params):
    """Open an autocommit, read-only session.

    Returns (connection, None, connect_ms) or (None, {'error', 'error_kind'}, None).
    Never raises for connection problems: the caller decides what is a failure.
    """
    started = time.perf_counter()
    conn = None
    try:
        conn = pg_driver.connect(**connect_kwargs(params))
        # Autocommit: a failing statement must not abort the ones after it.
        conn.autocommit = True
        # Both modules only read; the server refuses writes even if a bug tried.
        # A SET rather than the `options` startup parameter, which PgBouncer rejects.
        fetch_all(conn, 'SET default_transaction_read_only = on', fetch=False)
    except Exception as exc:  # driver errors differ between psycopg 2 and 3
        if conn is not None:
            conn.close()
        message = scrub(exc, params.get('login_password'))
        return None, dict(error=message, error_kind=classify_error(message)), None
    return conn, None, round((time.perf_counter() - started) * 1000.0, 3)


def fetch_all(conn, query, args=None, fetch=True):
    cursor = conn.cursor()
    try:
        cursor.execute(query, args)
        return cursor.fetchall() if fetch else None
    finally:
        cursor.close()

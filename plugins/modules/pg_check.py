#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)

DOCUMENTATION = r'''
---
module: pg_check
short_description: Check that a LightRAG PostgreSQL database is reachable and ready
version_added: 0.1.0
description:
  - Logs in to PostgreSQL with the given credentials and reports whether that
    worked, the server version, pgvector and Apache AGE, the round-trip latency,
    whether the session uses TLS, whether the login role can create LightRAG's
    tables, and C(max_connections).
  - An unreachable server or a refused login is not a module failure; the module
    returns RV(is_available=false) with the reason in RV(error) and a stable
    keyword in RV(error_kind). Use C(failed_when) to decide what is fatal.
  - Read-only; never reports a change.
author:
  - LoomGraph infrastructure team (!UNKNOWN)
options:
  lightrag_workers:
    description:
      - How many LightRAG worker processes share this database (LightRAG's C(WORKERS)).
      - With O(lightrag_max_connections), what LightRAG may open at most; RV(connection_budget)
        compares it with the server's C(max_connections) and a warning says when it does not fit.
    type: int
    default: 1
  lightrag_max_connections:
    description: LightRAG's C(POSTGRES_MAX_CONNECTIONS), the pool size of each worker (LightRAG's default is 50).
    type: int
    default: 50
extends_documentation_fragment:
  - loomgraph.lightrag_pg.lightrag_pg
  - loomgraph.lightrag_pg.lightrag_pg.read_only
seealso:
  - module: loomgraph.lightrag_pg.workspace_stats
  - module: community.postgresql.postgresql_ping
'''

EXAMPLES = r'''
- name: Check the customer's database as LightRAG's own role
  loomgraph.lightrag_pg.pg_check:
    login_host: 127.0.0.1
    login_port: 5432
    login_user: lightrag
    login_password: "{{ vault_lightrag_pg_passwords.pinpianyi.lightrag }}"
    login_db: lightrag
  register: pg

- name: Stop when LightRAG could not use this database
  ansible.builtin.assert:
    that:
      - pg.is_available
      - pg.pgvector.installed
      - pg.can_create
    fail_msg: >-
      {{ pg.error if not pg.is_available
         else 'pgvector is missing or the role cannot create tables' }}

- name: Wait for a freshly started container to accept logins
  loomgraph.lightrag_pg.pg_check:
    login_host: 127.0.0.1
    login_port: 5432
    login_password: "{{ vault_lightrag_pg_passwords.pinpianyi.lightrag }}"
    connect_timeout: 3
  register: pg
  # A wrong password will not fix itself: stop retrying at once.
  until: pg.is_available or pg.error_kind == 'authentication'
  retries: 20
  delay: 3
  failed_when: not pg.is_available

# Set the login options once for every module of the collection.
- name: Check and count with shared login options
  module_defaults:
    group/loomgraph.lightrag_pg.postgres:
      login_host: 127.0.0.1
      login_user: lightrag
      login_password: "{{ vault_lightrag_pg_passwords.pinpianyi.lightrag }}"
      login_db: lightrag
  block:
    - name: Check the server
      loomgraph.lightrag_pg.pg_check:
      register: pg

    - name: Warn when latency is high
      ansible.builtin.debug:
        msg: "PostgreSQL {{ pg.server_version }} answers in {{ pg.latency_ms }} ms"
      when: pg.is_available and pg.latency_ms > 50
'''

RETURN = r'''
is_available:
  description: Whether the login succeeded and a query ran.
  returned: always
  type: bool
  sample: true
error:
  description:
    - Why the server could not be used, as libpq reported it, on one line.
    - Empty when RV(is_available) is true. Never contains the password.
  returned: always
  type: str
  sample: 'connection to server at "127.0.0.1", port 5432 failed: FATAL: password authentication failed for user "lightrag"'
error_kind:
  description:
    - A stable keyword for RV(error), for playbooks to branch on.
    - One of C(authentication) (wrong password, unknown role, refused by pg_hba.conf),
      C(database_missing), C(ssl), C(timeout), C(unavailable) (starting up, shutting
      down, too many connections), C(unreachable) (refused, unknown host, no route),
      C(other); empty when RV(is_available) is true.
  returned: always
  type: str
  sample: authentication
connect_ms:
  description: Milliseconds it took to connect and authenticate.
  returned: when RV(is_available) is true
  type: float
  sample: 4.512
latency_ms:
  description: Milliseconds for the round trip of C(SELECT 1), the median of three runs.
  returned: when RV(is_available) is true
  type: float
  sample: 0.231
server_version:
  description: The server version as the server reports it.
  returned: when RV(is_available) is true
  type: str
  sample: '18.6'
server_version_info:
  description: The server version in parts.
  returned: when RV(is_available) is true
  type: dict
  sample: {major: 18, minor: 6, num: 180006, raw: 'PostgreSQL 18.6 on x86_64-pc-linux-gnu, 64-bit'}
  contains:
    major:
      description: Major version.
      type: int
      returned: always
      sample: 18
    minor:
      description: Minor version.
      type: int
      returned: always
      sample: 6
    num:
      description: C(server_version_num), for numeric comparisons.
      type: int
      returned: always
      sample: 180006
    raw:
      description: The output of C(version()).
      type: str
      returned: always
      sample: PostgreSQL 18.6 on x86_64-pc-linux-gnu, 64-bit
database:
  description: The database the session is connected to.
  returned: when RV(is_available) is true
  type: str
  sample: lightrag
user:
  description: The role the session runs as.
  returned: when RV(is_available) is true
  type: str
  sample: lightrag
superuser:
  description: Whether that role is a superuser.
  returned: when RV(is_available) is true
  type: bool
  sample: false
pgvector:
  description: The C(vector) extension, which LightRAG's PGVectorStorage needs.
  returned: when RV(is_available) is true
  type: dict
  sample: {installed: true, version: 0.8.6, available: true, default_version: 0.8.6, available_versions: ['0.8.6']}
  contains:
    installed:
      description: Whether the extension is created in this database.
      type: bool
      returned: always
      sample: true
    version:
      description: Installed version, or null.
      type: str
      returned: always
      sample: 0.8.6
    available:
      description: Whether the server has the extension's files, so C(CREATE EXTENSION vector) can work.
      type: bool
      returned: always
      sample: true
    default_version:
      description: Version C(CREATE EXTENSION vector) would install, or null.
      type: str
      returned: always
      sample: 0.8.6
    available_versions:
      description:
        - Versions the server has install scripts for, oldest first (C(pg_available_extension_versions));
          often just one, since older versions are reached as update paths.
      type: list
      elements: str
      returned: always
      sample: ['0.8.6']
apache_age:
  description:
    - Whether the Apache AGE extension (C(age)) is created in this database.
    - Only LightRAG's PGGraphStorage needs it; PGTableGraphStorage does not.
  returned: when RV(is_available) is true
  type: bool
  sample: false
apache_age_available:
  description: Whether the server has Apache AGE's files, so it could be created.
  returned: when RV(is_available) is true
  type: bool
  sample: false
ssl:
  description: Whether this session is encrypted with TLS.
  returned: when RV(is_available) is true
  type: bool
  sample: false
can_create:
  description:
    - Whether the login role may create tables where LightRAG creates them,
      the first schema of its C(search_path) (usually C(public)).
  returned: when RV(is_available) is true
  type: bool
  sample: true
default_schema:
  description: That schema (C(current_schema())), or null when no schema on the search path exists.
  returned: when RV(is_available) is true
  type: str
  sample: public
owns_database:
  description: Whether the login role owns the database it is connected to.
  returned: when RV(is_available) is true
  type: bool
  sample: true
max_connections:
  description: The server's C(max_connections) setting.
  returned: when RV(is_available) is true
  type: int
  sample: 100
connection_budget:
  description:
    - What LightRAG may open (O(lightrag_workers) x O(lightrag_max_connections)) against what the
      server allows to non-superusers (C(max_connections) - C(superuser_reserved_connections)).
  returned: when RV(is_available) is true
  type: dict
  sample: {needed: 50, allowed: 197, fits: true}
  contains:
    needed:
      description: Connections LightRAG may open.
      type: int
      returned: always
      sample: 50
    allowed:
      description: Connections the server accepts from non-superusers.
      type: int
      returned: always
      sample: 197
    fits:
      description: Whether RV(connection_budget.needed) is within RV(connection_budget.allowed).
      type: bool
      returned: always
      sample: true
connections:
  description: Connections to the server right now, this one included.
  returned: when RV(is_available) is true
  type: int
  sample: 7
'''

import statistics
import time

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_connection import (
    connect,
    connection_argument_spec,
    ensure_driver,
    fetch_all,
    scrub,
)

_IDENTITY_SQL = """
SELECT current_setting('server_version'), current_setting('server_version_num')::int, version(),
       current_database(), current_user, r.rolsuper, d.datdba = r.oid,
       current_schema(), COALESCE(has_schema_privilege(current_schema(), 'CREATE'), false),
       current_setting('max_connections')::int,
       current_setting('superuser_reserved_connections')::int,
       (SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE backend_type = 'client backend')
  FROM pg_catalog.pg_roles r, pg_catalog.pg_database d
 WHERE r.rolname = current_user AND d.datname = current_database()
"""

_EXTENSIONS_SQL = """
SELECT n.name, x.extversion IS NOT NULL, x.extversion,
       a.name IS NOT NULL, a.default_version,
       ARRAY(SELECT v.version FROM pg_catalog.pg_available_extension_versions v WHERE v.name = n.name)
  FROM unnest(ARRAY['vector', 'age']) AS n(name)
  LEFT JOIN pg_catalog.pg_extension x ON x.extname = n.name
  LEFT JOIN pg_catalog.pg_available_extensions a ON a.name = n.name
"""

_SSL_SQL = "SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_backend_pid()"


def argument_spec():
    spec = connection_argument_spec()
    spec.update(
        lightrag_workers=dict(type='int', default=1),
        lightrag_max_connections=dict(type='int', default=50),
    )
    return spec


def connection_budget(params, max_connections, reserved):
    needed = params['lightrag_workers'] * params['lightrag_max_connections']
    allowed = max_connections - reserved
    return dict(needed=needed, allowed=allowed, fits=needed <= allowed)


def version_key(version):
    """'0.10.0' after '0.8.6': compare numerically where the parts are numbers."""
    return [(0, int(p), '') if p.isdigit() else (1, 0, p) for p in version.replace('-', '.').split('.')]


def latency_ms(conn):
    runs = []
    for dummy in range(3):
        started = time.perf_counter()
        fetch_all(conn, 'SELECT 1')
        runs.append((time.perf_counter() - started) * 1000.0)
    return round(statistics.median(runs), 3)


def identity(conn):
    (version, num, raw, database, user, superuser, owns, schema, can_create,
     max_connections, reserved, connections) = fetch_all(conn, _IDENTITY_SQL)[0]
    return dict(
        # Distribution builds append a suffix: '17.2 (Debian 17.2-1.pgdg120+1)'.
        server_version=version.split()[0],
        server_version_info=dict(major=num // 10000, minor=num % 10000, num=num, raw=raw),
        database=database, user=user, superuser=superuser, owns_database=owns,
        default_schema=schema, can_create=can_create,
        max_connections=max_connections, connections=connections,
        superuser_reserved_connections=reserved,
    )


def extensions(conn):
    found = {}
    for name, installed, version, available, default, versions in fetch_all(conn, _EXTENSIONS_SQL):
        found[name] = dict(installed=installed, version=version, available=available,
                           default_version=default,
                           available_versions=sorted(versions or [], key=version_key))
    return dict(pgvector=found['vector'], apache_age=found['age']['installed'],
                apache_age_available=found['age']['available'])


def ssl_in_use(conn):
    rows = fetch_all(conn, _SSL_SQL)
    return dict(ssl=bool(rows and rows[0][0]))


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    ensure_driver(module)
    result = dict(changed=False, is_available=False, error='', error_kind='')

    conn, failure, connect_ms = connect(module.params)
    if failure:
        result.update(failure)
        module.exit_json(**result)

    try:
        result.update(connect_ms=connect_ms, latency_ms=latency_ms(conn))
        result.update(identity(conn))
        result['is_available'] = True
        budget = connection_budget(module.params, result['max_connections'],
                                   result.pop('superuser_reserved_connections'))
        result['connection_budget'] = budget
        if not budget['fits']:
            module.warn('LightRAG may open %d connections (%d workers x POSTGRES_MAX_CONNECTIONS %d) '
                        'but this server accepts %d from non-superusers: raise max_connections or '
                        'lower POSTGRES_MAX_CONNECTIONS.' % (budget['needed'], module.params['lightrag_workers'],
                                                             module.params['lightrag_max_connections'],
                                                             budget['allowed']))
        # Optional probes: a failure is a warning and a null, not a failed check.
        for probe, keys in ((extensions, ('pgvector', 'apache_age', 'apache_age_available')),
                            (ssl_in_use, ('ssl',))):
            try:
                result.update(probe(conn))
            except Exception as exc:
                module.warn('%s: %s' % (probe.__name__, scrub(exc, module.params['login_password'])))
                result.update(dict.fromkeys(keys))
    except Exception as exc:
        message = scrub(exc, module.params['login_password'])
        result.update(is_available=False, error=message, error_kind='other')
    finally:
        conn.close()
    module.exit_json(**result)


if __name__ == '__main__':
    main()

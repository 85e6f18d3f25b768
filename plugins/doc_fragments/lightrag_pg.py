# -*- coding: utf-8 -*-
# Copyright: (c) 2025, LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)
# Documents plugins/module_utils/pg_connection.py:connection_argument_spec();
# tests/unit/plugins/modules/test_argspec_docs.py fails when the two drift apart.


class ModuleDocFragment(object):

    DOCUMENTATION = r'''
options:
  login_host:
    description:
      - Host name or IP address of the PostgreSQL server.
      - A path starting with C(/) is taken as the directory of a Unix domain socket.
    type: str
    default: localhost
  login_port:
    description:
      - TCP port of the PostgreSQL server (for a socket, the number in its file name).
    type: int
    default: 5432
    aliases: [ port ]
  login_user:
    description:
      - Role to log in as. The default is LightRAG's application role of this collection.
    type: str
    default: lightrag
  login_password:
    description:
      - Password of O(login_user).
      - When omitted, libpq looks in C(PGPASSWORD) and C(~/.pgpass) on the managed host.
      - Never shown in results or error messages.
    type: str
  login_db:
    description:
      - Database to connect to. When omitted, libpq uses the database named after O(login_user).
    type: str
    aliases: [ db ]
  connect_timeout:
    description:
      - Seconds to wait for the connection to be established before giving up.
    type: int
    default: 10
  ssl_mode:
    description:
      - How hard to insist on TLS, as libpq's C(sslmode).
      - See U(https://www.postgresql.org/docs/current/libpq-ssl.html).
    type: str
    default: prefer
    choices: [ disable, allow, prefer, require, verify-ca, verify-full ]
  ca_cert:
    description:
      - File with the certificate authorities that must have signed the server's
        certificate, as libpq's C(sslrootcert).
      - Used with O(ssl_mode=verify-ca) or O(ssl_mode=verify-full).
    type: path
    aliases: [ ssl_rootcert ]
notes:
  - Sessions carry C(application_name=ansible-loomgraph.lightrag_pg), so they are
    easy to spot in C(pg_stat_activity).
  - All login options can be set once for every module of this collection with
    C(module_defaults) and the action group C(group/loomgraph.lightrag_pg.postgres).
requirements:
  - psycopg2 (or psycopg 3) on the managed host
'''

    # For modules that only read: same answers in check mode, never a diff.
    READ_ONLY = r'''
notes:
  - Sessions are opened read-only (C(default_transaction_read_only=on)).
attributes:
  check_mode:
    support: full
    description: Runs the same read-only queries in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
'''

    # For modules that talk to LightRAG's HTTP API (argument spec: module_utils/lightrag_api.py).
    LIGHTRAG_API = r'''
options:
  url:
    description: LightRAG's base address as the host reaches it.
    type: str
    required: true
  api_key:
    description: LightRAG's C(LIGHTRAG_API_KEY), sent as C(X-API-Key) when set.
    type: str
'''

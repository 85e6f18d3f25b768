#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)

DOCUMENTATION = r'''
---
module: lightrag_llm_cache
short_description: Carry a LightRAG LLM response cache from file storage into PostgreSQL
version_added: 0.1.0
description:
  - Reads the LLM response cache LightRAG kept on file storage
    (C(kv_store_llm_response_cache.json), in C(<rag_storage>/<workspace>/), or directly in
    C(<rag_storage>/) for a LightRAG run without workspace) and inserts its entries into
    LightRAG's PostgreSQL table C(lightrag_llm_cache) for one workspace, so that a cold
    rebuild on PostgreSQL storage finds the LLM answers for chunks already extracted instead
    of asking the LLM again.
  - Each entry keeps its key (C(mode:cache_type:hash)) and becomes the row LightRAG's
    C(PGKVStorage) would have written for it, with the entry's C(create_time) and
    C(update_time) when the file has them. LightRAG looks entries up by that key only.
  - Nothing is created. The table must exist; LightRAG creates it the first time it starts
    with C(LIGHTRAG_KV_STORAGE=PGKVStorage). Without it the task fails and says so.
  - Existing rows are left alone unless O(overwrite=true), so a second run inserts
    nothing and reports no change.
  - All rows are written in batches within one transaction. If any statement fails,
    nothing is written.
  - Prompts and answers are never part of the result.
author:
  - LoomGraph infrastructure team (!UNKNOWN)
extends_documentation_fragment:
  - loomgraph.lightrag_pg.lightrag_pg
options:
  src:
    description:
      - Path of the cache file on the managed host, usually
        C(<base>/<customer>/data/rag_storage/<workspace>/kv_store_llm_response_cache.json).
      - An empty file is an empty cache, as for LightRAG.
    type: path
    required: true
  missing_ok:
    description:
      - What to do when O(src) does not exist (a LightRAG with the LLM cache turned off
        never writes one).
      - V(false) fails the task. V(true) returns RV(src_exists=false) and changes nothing; the
        database is still checked, so a missing table or a refused login fails all the same.
    type: bool
    default: false
  workspace:
    description:
      - The LightRAG workspace the rows belong to, exactly as LightRAG stores it in PostgreSQL
        (case and non-ASCII characters are kept as given).
      - A server started without C(WORKSPACE) stores V(default). C(lightrag-server) stores
        C(WORKSPACE) with every character outside C([A-Za-z0-9_]) replaced by C(_) (C(Acme-Prod)
        becomes C(Acme_Prod)); a name it would rewrite gets a warning. C(POSTGRES_WORKSPACE),
        when set in LightRAG's environment, overrides both.
    type: str
    required: true
  cache_types:
    description:
      - Carry only entries of these cache types, the middle part of the key. An empty list
        carries every type.
      - LightRAG 1.5.7 writes V(extract) (entity extraction per chunk, gleaning included),
        V(summary) (merged entity and relation descriptions), V(analysis) (multimodal items),
        V(smartheading) (parser heading decisions), V(query) and V(keywords) (query answers).
        A rebuild uses the first four.
      - Entries of other types are counted in RV(skipped_by_type).
    type: list
    elements: str
    default: []
  overwrite:
    description:
      - V(false) leaves every row that already has the key in this workspace as it is.
      - V(true) replaces rows whose contents differ from the file's entry (all cache columns;
        the times only when the file has them). Identical rows are left alone, so a rerun
        reports no change.
    type: bool
    default: false
  batch_size:
    description:
      - Entries per statement. A batch is also cut when it holds about 8 million characters of text.
    type: int
    default: 200
  schema:
    description:
      - Schema holding C(lightrag_llm_cache).
      - By default, the table LightRAG's unqualified name resolves to for O(login_user),
        following its C(search_path).
    type: str
attributes:
  check_mode:
    support: full
    description:
      - Reads the file and runs the same lookups in a read-only transaction, then reports what
        would be inserted or updated. Nothing is written.
  diff_mode:
    support: none
    description: The cache is data, not configuration; the counts say what changes.
notes:
  - Unlike the collection's read-only modules, this one opens a writable session
    (a read-only transaction in check mode).
  - An entry is malformed, counted in RV(skipped_malformed) and not written, when its key is
    not C(mode:cache_type:hash) or longer than 255 characters, its value is not an object,
    C(return) is missing, empty or not text, C(original_prompt) is not text, C(chunk_id) or
    C(cache_type) do not fit their columns, or a text holds a NUL character or a lone surrogate
    (PostgreSQL cannot store either).
  - A file from before LightRAG flattened its cache keys (one object per mode, holding
    entries by hash) is flattened the way LightRAG does when it loads it.
  - LightRAG hashes the prompt, the response format and the LLM's role, binding, model and
    host into the key. Entries are found again only if LightRAG on PostgreSQL uses the same
    LLM settings and builds the same prompts (same chunking, language and entity types).
  - Run it before LightRAG processes the documents again, with the data already extracted
    on file storage; LightRAG reads the cache at the moment it extracts a chunk.
seealso:
  - module: loomgraph.lightrag_pg.workspace_stats
  - name: LightRAG's own interactive migration tool
    description: C(python -m lightrag.tools.migrate_llm_cache), between any two KV storages.
    link: https://github.com/HKUDS/LightRAG/blob/main/lightrag/tools/migrate_llm_cache.py
'''

EXAMPLES = r'''
- name: Carry pinpianyi's extraction and summary cache into its PostgreSQL
  loomgraph.lightrag_pg.lightrag_llm_cache:
    login_host: 127.0.0.1
    login_port: 5432
    login_password: "{{ vault_lightrag_pg_passwords.pinpianyi.lightrag }}"
    login_db: lightrag
    src: /srv/lightrag/pinpianyi/data/rag_storage/pinpianyi/kv_store_llm_response_cache.json
    workspace: pinpianyi
    cache_types: [extract, summary, analysis, smartheading]
  register: llm_cache

- name: Say what was carried
  ansible.builtin.debug:
    msg: >-
      {{ llm_cache.inserted }} inserted, {{ llm_cache.already_present }} already there,
      {{ llm_cache.skipped_malformed }} malformed of {{ llm_cache.entries_in_file }}

- name: Stop when the file had entries that could not be carried
  ansible.builtin.assert:
    that: llm_cache.skipped_malformed == 0
    fail_msg: "{{ llm_cache.malformed }}"

# The login once for every module of the collection (action group `postgres`).
- name: Carry zhicaiyunlian's cache, login from module_defaults
  module_defaults:
    group/loomgraph.lightrag_pg.postgres:
      login_host: 127.0.0.1
      login_port: 5433
      login_password: "{{ vault_lightrag_pg_passwords.zhicaiyunlian.lightrag }}"
      login_db: lightrag
  block:
    - name: Carry the cache
      loomgraph.lightrag_pg.lightrag_llm_cache:
        src: /srv/lightrag/zhicaiyunlian/data/rag_storage/zhicaiyunlian/kv_store_llm_response_cache.json
        workspace: zhicaiyunlian

# Every customer of the inventory; a customer without cache file is not an error.
- name: Carry every customer's cache
  loomgraph.lightrag_pg.lightrag_llm_cache:
    login_host: 127.0.0.1
    login_port: "{{ item.pg_port }}"
    login_password: "{{ item.pg_password }}"
    login_db: lightrag
    src: "/srv/lightrag/{{ item.name }}/data/rag_storage/{{ item.workspace }}/kv_store_llm_response_cache.json"
    workspace: "{{ item.workspace }}"
    missing_ok: true
  loop: "{{ lightrag_pg_customers }}"
  loop_control:
    label: "{{ item.name }}"
  register: carried

- name: Preview, without writing, what a run would insert
  loomgraph.lightrag_pg.lightrag_llm_cache:
    login_host: 127.0.0.1
    login_password: "{{ vault_lightrag_pg_passwords.pinpianyi.lightrag }}"
    login_db: lightrag
    src: /srv/lightrag/pinpianyi/data/rag_storage/pinpianyi/kv_store_llm_response_cache.json
    workspace: pinpianyi
  check_mode: true
  register: preview
'''

RETURN = r'''
src:
  description: The file read (O(src)).
  returned: always
  type: str
  sample: /srv/lightrag/pinpianyi/data/rag_storage/pinpianyi/kv_store_llm_response_cache.json
src_exists:
  description: Whether O(src) existed. False only with O(missing_ok=true).
  returned: always
  type: bool
  sample: true
workspace:
  description: The workspace the rows belong to (O(workspace)).
  returned: always
  type: str
  sample: pinpianyi
table:
  description: The table written to, as C(schema.name).
  returned: success
  type: str
  sample: public.lightrag_llm_cache
entries_in_file:
  description:
    - Cache entries in the file. Each one is counted in exactly one of RV(inserted), RV(updated),
      RV(already_present), RV(skipped_by_type) and RV(skipped_malformed).
  returned: always
  type: int
  sample: 1250
inserted:
  description: Rows inserted (in check mode, that would be inserted).
  returned: always
  type: int
  sample: 1180
updated:
  description: Rows replaced because they differed, with O(overwrite=true) (in check mode, that would be).
  returned: always
  type: int
  sample: 0
already_present:
  description:
    - Entries whose key the workspace already had. With O(overwrite=true), only those whose row
      was already identical.
  returned: always
  type: int
  sample: 40
skipped_by_type:
  description: Entries not written because their cache type is not in O(cache_types).
  returned: always
  type: int
  sample: 28
skipped_malformed:
  description:
    - Entries not written because LightRAG could not use them or PostgreSQL could not store
      them (see the notes and RV(malformed)).
  returned: always
  type: int
  sample: 2
by_cache_type:
  description:
    - The counts per cache type (the middle part of the key), for well-formed entries. Each holds
      C(in_file), C(inserted), C(updated), C(already_present) and C(skipped) (not in O(cache_types)).
  returned: always
  type: dict
  sample:
    extract: {in_file: 1100, inserted: 1060, updated: 0, already_present: 40, skipped: 0}
    summary: {in_file: 120, inserted: 120, updated: 0, already_present: 0, skipped: 0}
    query: {in_file: 28, inserted: 0, updated: 0, already_present: 0, skipped: 28}
malformed:
  description:
    - Up to 20 malformed entries, with their key (cut to 120 characters) and the reason.
  returned: always
  type: list
  elements: dict
  sample:
    - {key: 'default:extract:9f86d081884c7d659a2feaa0c55ad015', reason: "'return' is missing, empty or not text"}
  contains:
    key:
      description: The entry's key.
      type: str
      returned: always
      sample: default:extract:9f86d081884c7d659a2feaa0c55ad015
    reason:
      description: Why it was not written.
      type: str
      returned: always
      sample: "'return' is missing, empty or not text"
'''

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.llm_cache import (
    CacheFileError,
    read_cache_file,
    select_rows,
    server_workspace,
    workspace_problem,
)
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.llm_cache_db import (
    carry,
    find_table,
    lacking_privileges,
    missing_columns,
    open_session,
)
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_connection import (
    connection_argument_spec,
    ensure_driver,
    scrub,
)
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_identifiers import (
    IdentifierError,
    validate_identifier,
)


def argument_spec():
    spec = connection_argument_spec()
    spec.update(
        src=dict(type='path', required=True),
        missing_ok=dict(type='bool', default=False),
        workspace=dict(type='str', required=True),
        cache_types=dict(type='list', elements='str', default=[]),
        overwrite=dict(type='bool', default=False),
        batch_size=dict(type='int', default=200),
        schema=dict(type='str'),
    )
    return spec


def empty_result(params):
    return dict(changed=False, src=params['src'], src_exists=False, workspace=params['workspace'],
                entries_in_file=0, inserted=0, updated=0, already_present=0,
                skipped_by_type=0, skipped_malformed=0, by_cache_type={}, malformed=[])


def validate(module):
    params = module.params
    problem = workspace_problem(params['workspace'])
    if problem:
        module.fail_json(msg=problem, **empty_result(params))
    if params['batch_size'] < 1:
        module.fail_json(msg='batch_size must be at least 1', **empty_result(params))
    if params['schema'] is not None:
        try:
            validate_identifier(params['schema'])
        except IdentifierError as exc:
            module.fail_json(msg='invalid schema: %s' % exc, **empty_result(params))
    stored = server_workspace(params['workspace'])
    if stored != params['workspace']:
        # Valid for the library, but a lightrag-server would look elsewhere.
        module.warn("lightrag-server stores the workspace %r as %r; rows for %r are seen only by a "
                    "LightRAG that uses that exact name (the library, or POSTGRES_WORKSPACE)."
                    % (params['workspace'], stored, params['workspace']))


def read_file(module, result):
    """Rows to carry (empty when the file is missing and that is fine)."""
    params = module.params
    src = params['src']
    if not os.path.exists(src):
        if params['missing_ok']:
            return []
        module.fail_json(msg='%s does not exist (set missing_ok=true if that is expected)' % src, **result)
    if os.path.isdir(src):
        module.fail_json(msg='%s is a directory; give the cache file in it (kv_store_llm_response_cache.json)'
                         % src, **result)
    result['src_exists'] = True
    try:
        data = read_cache_file(src)
    except CacheFileError as exc:
        module.fail_json(msg=str(exc), **result)
    rows, report = select_rows(data, params['cache_types'])
    result.update(report)
    unknown = sorted(set(params['cache_types']) - set(report['by_cache_type']))
    if unknown and report['entries_in_file']:
        module.warn('no entry of cache type %s in %s' % (', '.join(unknown), src))
    return rows


def check_table(module, table, result):
    """Fail when there is no table that can take the rows.

    Nothing is rolled back by hand on failure: closing the session ends its
    transaction, and nothing has been written yet.
    """
    if table is None:
        where = ('schema %s' % module.params['schema'] if module.params['schema']
                 else 'the search_path of %s' % module.params['login_user'])
        module.fail_json(msg='table lightrag_llm_cache not found in %s: LightRAG creates its tables when it first '
                             'starts with LIGHTRAG_KV_STORAGE=PGKVStorage. Start it once on this database, then run '
                             'this again.' % where, **result)
    result['table'] = '%s.%s' % (table['schema'], table['name'])
    missing = missing_columns(table)
    if missing:
        module.fail_json(msg='%s has no column %s: it was made by an older LightRAG. Start LightRAG 1.5.7 once on '
                             'this database (it migrates the table), then run this again.'
                             % (result['table'], ', '.join(missing)), **result)
    lacking = lacking_privileges(table, module.params['overwrite'])
    if lacking:
        message = 'the login role lacks %s privilege on %s' % (' and '.join(lacking), result['table'])
        # A preview needs only SELECT; it still tells that the real run would fail.
        if module.check_mode and 'SELECT' not in lacking:
            module.warn(message + '; a real run would fail')
        else:
            module.fail_json(msg=message, **result)


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    ensure_driver(module)
    params = module.params
    validate(module)
    result = empty_result(params)
    rows = read_file(module, result)

    conn, failure = open_session(params, read_only=module.check_mode)
    if failure:
        result.update(failure)
        module.fail_json(msg='cannot connect to PostgreSQL: %s' % failure['error'], **result)
    try:
        table = find_table(conn, params['schema'])
        check_table(module, table, result)
        carry(conn, table, params['workspace'], rows, result['by_cache_type'],
              overwrite=params['overwrite'], check_mode=module.check_mode, batch_size=params['batch_size'])
        if module.check_mode:
            conn.rollback()  # a read-only transaction: there is nothing to keep
        else:
            conn.commit()
    except Exception as exc:  # any failed statement: the whole transaction is undone
        conn.rollback()
        for counts in result['by_cache_type'].values():
            counts.update(inserted=0, updated=0, already_present=0)
        module.fail_json(msg='nothing was written: %s' % scrub(exc, params['login_password']), **result)
    finally:
        conn.close()

    for key in ('inserted', 'updated', 'already_present'):
        result[key] = sum(counts[key] for counts in result['by_cache_type'].values())
    result['changed'] = result['inserted'] + result['updated'] > 0
    module.exit_json(**result)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)

DOCUMENTATION = r'''
---
module: workspace_stats
short_description: Count documents, chunks, entities and relations per LightRAG workspace
version_added: 0.1.0
description:
  - Finds LightRAG's tables in the PostgreSQL catalog and reports, per workspace,
    how many documents, chunks, entities and relations it holds, how its documents
    are spread over processing states, which embedding models' vector tables it has
    rows in, and when it last changed.
  - Nothing is assumed to exist. A database LightRAG has never started against
    gives an empty RV(workspaces) list, not an error.
  - Every table is read with one grouped query, so the number of queries does not
    grow with the number of workspaces. A table that cannot be read (for example,
    no privilege) gets an C(error) in RV(tables) and a warning; the other figures
    are still returned.
  - Read-only; never reports a change.
author:
  - LoomGraph infrastructure team (!UNKNOWN)
extends_documentation_fragment:
  - loomgraph.lightrag_pg.lightrag_pg
  - loomgraph.lightrag_pg.lightrag_pg.read_only
options:
  filter:
    description:
      - Limit the result to workspaces whose name matches one of these shell-style
        patterns (C(*), C(?), C([abc])), case-sensitively.
      - A pattern starting with C(!) excludes matching workspaces. Exclusions apply
        after inclusions, so C([cust_*, '!cust_test']) keeps every C(cust_) workspace
        but C(cust_test); with exclusions only, all other workspaces are kept.
      - LightRAG's server stores a workspace name with every character outside
        C([A-Za-z0-9_]) replaced by C(_) (C(Acme-Prod) becomes C(Acme_Prod)); match the
        stored name. A server started without a workspace stores C(default).
    type: list
    elements: str
    default: []
  search:
    description:
      - Keep only workspaces whose name contains this text, ignoring case.
      - Combined with O(filter), a workspace must satisfy both.
    type: str
  exact:
    description:
      - When V(true), every figure is counted with C(count(*)).
      - When V(false), row counts of chunks, graph and vector tables are taken from the
        planner's statistics (C(pg_stats) of the C(workspace) column times C(reltuples)),
        which costs no table scan. Tables that were never analysed are still counted
        exactly. Document counts and the status breakdown are always exact.
      - Estimates are close for large workspaces and rough for small ones; use them
        for dashboards, not for migration checks.
    type: bool
    default: true
  count_vectors:
    description:
      - With O(exact=true), also count the rows of the vector tables.
      - Without it, a vector table that mirrors a counted table (chunk vectors and
        C(lightrag_doc_chunks), entity and relation vectors and the graph) is only asked
        which workspaces it holds, by hopping along its primary key (one index probe per
        workspace, not a visit per row). RV(workspaces[].embeddings) then still says which
        models and dimensions a workspace lives in, with null counts. The vector tables
        hold about half the rows of a LightRAG database, so this halves the cost of O(exact).
      - Turn it on to see how far the vectors of each model have got, for example while a
        workspace is being rebuilt after an embedding model change.
    type: bool
    default: false
  sort_by:
    description:
      - Order of RV(workspaces). Ties are broken by workspace name.
    type: str
    default: workspace
    choices: [ workspace, documents, chunks, entities, relations ]
  sort_order:
    description:
      - V(asc) for ascending, V(desc) for descending.
    type: str
    default: asc
    choices: [ asc, desc ]
  schema:
    description:
      - Schema holding LightRAG's tables.
      - By default, the tables LightRAG's unqualified names resolve to for O(login_user),
        following its C(search_path).
    type: str
notes:
  - LightRAG marks a rejected re-upload of a known document as a C(failed) row in
    C(lightrag_doc_status) with C(metadata.is_duplicate=true) (id C(dup-...)); its
    source-conflict repair flags a demoted document the same way. Such rows are not
    documents; they are counted only under C(duplicates) in RV(workspaces[].doc_status).
    LightRAG's own status counts show them as C(failed).
  - Entities and relations come from the graph tables of PGTableGraphStorage
    (C(lightrag_graph_nodes), C(lightrag_graph_edges), namespace C(chunk_entity_relation)).
    For a workspace without rows there, they come from the distinct names in
    C(lightrag_full_entities) / C(lightrag_full_relations), then from the largest
    entity / relation vector table. RV(workspaces[].entities_source) tells which.
  - The graph of PGGraphStorage (Apache AGE) is not read.
seealso:
  - module: loomgraph.lightrag_pg.pg_check
  - module: community.postgresql.postgresql_info
'''

EXAMPLES = r'''
- name: Count everything in the customer's database
  loomgraph.lightrag_pg.workspace_stats:
    login_host: 127.0.0.1
    login_user: lightrag
    login_password: "{{ vault_lightrag_pg_passwords.pinpianyi.lightrag }}"
    login_db: lightrag
  register: stats

- name: Fail when the rebuild left a workspace without its graph
  ansible.builtin.assert:
    that:
      - item.documents == item.doc_status.processed
      - item.entities > 0
    fail_msg: "{{ item.workspace }}: {{ item.doc_status }} / {{ item.entities }} entities"
    quiet: true
  loop: "{{ stats.workspaces }}"
  loop_control:
    label: "{{ item.workspace }}"

- name: Report tables that could not be read
  ansible.builtin.debug:
    msg: "{{ stats.tables | selectattr('error', 'defined') | map(attribute='name') | list }}"
  when: stats.tables | selectattr('error', 'defined') | list | length > 0

- name: Biggest customer workspaces first, test workspaces left out, estimates are enough
  loomgraph.lightrag_pg.workspace_stats:
    login_password: "{{ vault_lightrag_pg_passwords.pinpianyi.lightrag }}"
    filter:
      - "cust_*"
      - "!*_test"
    sort_by: chunks
    sort_order: desc
    exact: false
  register: biggest

- name: Find a workspace by part of its name
  loomgraph.lightrag_pg.workspace_stats:
    login_password: "{{ vault_lightrag_pg_passwords.pinpianyi.lightrag }}"
    search: pinpian
  register: found

- name: Find workspaces still embedded with an old model
  ansible.builtin.debug:
    msg: "{{ stats.workspaces | selectattr('embeddings', 'ne', []) | map(attribute='workspace') | list }}"

# Set the login options once for every module of the collection.
- name: Check, then count, with shared login options
  module_defaults:
    group/loomgraph.lightrag_pg.postgres:
      login_host: 127.0.0.1
      login_password: "{{ vault_lightrag_pg_passwords.pinpianyi.lightrag }}"
      login_db: lightrag
  block:
    - name: Check the server
      loomgraph.lightrag_pg.pg_check:
      register: pg
      failed_when: not pg.is_available

    - name: Count the workspace
      loomgraph.lightrag_pg.workspace_stats:
        filter: [pinpianyi]
      register: stats
'''

RETURN = r'''
workspaces:
  description:
    - One entry per workspace found in any counted table, after O(filter) and
      O(search), in the order of O(sort_by) and O(sort_order).
  returned: success
  type: list
  elements: dict
  sample:
    - workspace: pinpianyi
      documents: 12
      chunks: 340
      chunks_source: doc_chunks
      entities: 910
      entities_source: graph
      relations: 1204
      relations_source: graph
      doc_status: {pending: 0, parsing: 0, analyzing: 0, processing: 0, preprocessed: 0,
                   processed: 11, failed: 1, duplicates: 2}
      embeddings:
        - {model: jinaai_jina_embeddings_v2_base_code, dim: 768, legacy: false, vector_type: vector,
           chunks: 340, entities: 910, relations: 1204,
           tables: [lightrag_vdb_chunks_jinaai_jina_embeddings_v2_base_code_768d,
                    lightrag_vdb_entity_jinaai_jina_embeddings_v2_base_code_768d,
                    lightrag_vdb_relation_jinaai_jina_embeddings_v2_base_code_768d]}
      last_update: '2025-12-03T12:40:01+00:00'
      estimated: false
  contains:
    workspace:
      description: The workspace name as stored (see O(filter) for how LightRAG rewrites names).
      type: str
      returned: always
      sample: pinpianyi
    documents:
      description: Rows of C(lightrag_doc_status) that are not duplicate markers, in any state.
      type: int
      returned: always
      sample: 12
    chunks:
      description: Text chunks (rows of C(lightrag_doc_chunks)).
      type: int
      returned: always
      sample: 340
    chunks_source:
      description:
        - C(doc_chunks); C(vdb) (largest chunk vector table) when the workspace has no rows
          in C(lightrag_doc_chunks); C(none) without either table.
      type: str
      returned: always
      sample: doc_chunks
    entities:
      description: Entities of the knowledge graph.
      type: int
      returned: always
      sample: 910
    entities_source:
      description: Where RV(workspaces[].entities) comes from, C(graph), C(full_entities), C(vdb) or C(none).
      type: str
      returned: always
      sample: graph
    relations:
      description: Relations of the knowledge graph.
      type: int
      returned: always
      sample: 1204
    relations_source:
      description: Where RV(workspaces[].relations) comes from, C(graph), C(full_relations), C(vdb) or C(none).
      type: str
      returned: always
      sample: graph
    doc_status:
      description:
        - Documents per processing state, every state of LightRAG 1.5.7 present even at 0,
          plus any unknown state found, plus C(duplicates), the duplicate-marker rows
          (not included in the states nor in RV(workspaces[].documents)).
      type: dict
      returned: always
      sample: {pending: 0, parsing: 0, analyzing: 0, processing: 0, preprocessed: 0,
               processed: 11, failed: 1, duplicates: 2}
    embeddings:
      description:
        - One entry per embedding model and dimension whose vector tables hold rows of this workspace.
        - O(exact=false) may list a model with a small estimated count the workspace does not really have.
      type: list
      elements: dict
      returned: always
      contains:
        model:
          description:
            - The model part of the table name (LightRAG lower-cases the model name and turns
              other characters into C(_)); null for a legacy table.
          type: str
          returned: always
          sample: jinaai_jina_embeddings_v2_base_code
        dim:
          description: Embedding dimension, from the table name or, for a legacy table, its vector column.
          type: int
          returned: always
          sample: 768
        legacy:
          description: True for a table without model suffix (C(lightrag_vdb_chunks)), from before per-model tables.
          type: bool
          returned: always
          sample: false
        vector_type:
          description: Type of the C(content_vector) column, C(vector) or C(halfvec).
          type: str
          returned: always
          sample: vector
        chunks:
          description: Rows in the chunk vector table; null when not counted (O(count_vectors=false)).
          type: int
          returned: always
          sample: 340
        entities:
          description: Rows in the entity vector table; null when not counted (O(count_vectors=false)).
          type: int
          returned: always
          sample: 910
        relations:
          description: Rows in the relation vector table; null when not counted (O(count_vectors=false)).
          type: int
          returned: always
          sample: 1204
        tables:
          description: The vector tables these counts come from.
          type: list
          elements: str
          returned: always
          sample: [lightrag_vdb_chunks_jinaai_jina_embeddings_v2_base_code_768d]
    last_update:
      description:
        - Newest update time of the workspace's document status rows, ISO 8601 in UTC; null if none.
        - LightRAG touches a document's status row whenever it is added, processed or deleted, so
          this is the last time the workspace's content changed through the document pipeline.
          Direct graph edits (entity/relation edit endpoints) do not show here; reading their time
          would cost a heap visit per row of the largest tables.
      type: str
      returned: always
      sample: '2025-12-03T12:40:01+00:00'
    estimated:
      description: Whether any figure of this workspace is a planner estimate.
      type: bool
      returned: always
      sample: false
totals:
  description: Sums over the workspaces in RV(workspaces).
  returned: success
  type: dict
  sample: {workspaces: 2, documents: 20, chunks: 500, entities: 1400, relations: 1900,
           doc_status: {pending: 0, parsing: 0, analyzing: 0, processing: 0, preprocessed: 0,
                        processed: 19, failed: 1, duplicates: 2}}
  contains:
    workspaces:
      description: Number of workspaces listed.
      type: int
      returned: always
      sample: 2
    documents:
      description: Sum of documents.
      type: int
      returned: always
      sample: 20
    chunks:
      description: Sum of chunks.
      type: int
      returned: always
      sample: 500
    entities:
      description: Sum of entities.
      type: int
      returned: always
      sample: 1400
    relations:
      description: Sum of relations.
      type: int
      returned: always
      sample: 1900
    doc_status:
      description: Sum of each state and of duplicates.
      type: dict
      returned: always
      sample: {pending: 0, processed: 19, failed: 1, duplicates: 2}
tables:
  description: Every table named C(lightrag_*) found, whether counted or not, regardless of O(filter).
  returned: success
  type: list
  elements: dict
  sample:
    - {name: lightrag_doc_status, schema: public, kind: doc_status, model: null, dim: null,
       legacy: false, vector_type: null, estimated_rows: 14, count_method: exact}
    - {name: lightrag_vdb_entity_bge_m3_1024d, schema: public, kind: vdb_entity, model: bge_m3,
       dim: 1024, legacy: false, vector_type: vector, estimated_rows: null, count_method: failed,
       error: permission denied for table lightrag_vdb_entity_bge_m3_1024d}
  contains:
    name:
      description: Table name.
      type: str
      returned: always
      sample: lightrag_doc_status
    schema:
      description: Schema of the table.
      type: str
      returned: always
      sample: public
    kind:
      description:
        - What the table holds, C(doc_status), C(chunks), C(full_docs), C(full_entities),
          C(full_relations), C(entity_chunks), C(relation_chunks), C(llm_cache),
          C(graph_nodes), C(graph_edges), C(vdb_chunks), C(vdb_entity), C(vdb_relation),
          or C(unknown) for another C(lightrag_*) table.
      type: str
      returned: always
      sample: doc_status
    model:
      description: Model part of a vector table's name; null otherwise.
      type: str
      returned: always
      sample: bge_m3
    dim:
      description: Dimension of a vector table; null otherwise.
      type: int
      returned: always
      sample: 1024
    legacy:
      description: True for a vector table without model suffix.
      type: bool
      returned: always
      sample: false
    vector_type:
      description: Type of the C(content_vector) column; null for tables without one.
      type: str
      returned: always
      sample: vector
    estimated_rows:
      description: The planner's row estimate for the whole table (C(reltuples)); null if never analysed.
      type: int
      returned: always
      sample: 14
    count_method:
      description:
        - C(exact), C(estimated), C(presence) (which workspaces it holds, not how many rows),
          C(failed) or C(not_counted) (not needed for the figures).
      type: str
      returned: always
      sample: exact
    error:
      description: Why the table could not be counted.
      type: str
      returned: when RV(tables[].count_method) is C(failed)
      sample: permission denied for table lightrag_vdb_entity_bge_m3_1024d
exact:
  description: The value of O(exact) used.
  returned: success
  type: bool
  sample: true
'''

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_connection import (
    connect,
    connection_argument_spec,
    ensure_driver,
    scrub,
)
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_identifiers import (
    IdentifierError,
    validate_identifier,
)
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.workspace_report import Collector, totals
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.workspace_select import (
    SORT_KEYS,
    select,
    sort_workspaces,
)


def argument_spec():
    spec = connection_argument_spec()
    spec.update(
        filter=dict(type='list', elements='str', default=[]),
        search=dict(type='str'),
        exact=dict(type='bool', default=True),
        count_vectors=dict(type='bool', default=False),
        sort_by=dict(type='str', default='workspace', choices=SORT_KEYS),
        sort_order=dict(type='str', default='asc', choices=['asc', 'desc']),
        schema=dict(type='str'),
    )
    return spec


def run(module, conn):
    params = module.params
    collector = Collector(conn, schema=params['schema'], exact=params['exact'], warn=module.warn,
                          count_vectors=params['count_vectors'])
    workspaces, tables = collector.collect()
    chosen = sort_workspaces(select(workspaces, params['filter'], params['search']),
                             params['sort_by'], params['sort_order'])
    return dict(workspaces=chosen, totals=totals(chosen), tables=tables, exact=params['exact'])


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    ensure_driver(module)
    if module.params['schema'] is not None:
        try:
            validate_identifier(module.params['schema'])
        except IdentifierError as exc:
            module.fail_json(msg='invalid schema: %s' % exc)

    conn, failure, dummy = connect(module.params)
    if failure:
        module.fail_json(msg='cannot connect to PostgreSQL: %s' % failure['error'], **failure)
    try:
        result = run(module, conn)
    except Exception as exc:  # the catalog itself could not be read
        module.fail_json(msg='cannot read the catalog: %s' % scrub(exc, module.params['login_password']))
    finally:
        conn.close()
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: (c) 2025, LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)

DOCUMENTATION = r'''
---
module: file_stats
short_description: Count documents, chunks, entities and relations per workspace of LightRAG's file storage
version_added: 0.1.0
description:
  - Reads a LightRAG C(rag_storage) folder (NetworkX graph, JSON key-value and document
    status stores, NanoVectorDB vector files) and reports, per workspace, the same figures
    as M(loomgraph.lightrag_pg.workspace_stats) does for PostgreSQL, plus the LLM response
    cache entries and the embedding dimension. Meant for the "before" column of a cold
    rebuild (see the P(loomgraph.lightrag_pg.rebuild_report#filter) filter).
  - A workspace is a sub-folder of O(path) holding any of LightRAG's storage files
    (C(kv_store_*.json), C(vdb_*.json), C(graph_*.graphml)). Files directly in O(path)
    belong to the workspace of a server started without one, reported as C(default),
    the name PostgreSQL storage gives it.
  - A file of a workspace that is missing (or empty, which LightRAG treats the same) counts
    as zero and is listed in RV(workspaces[].missing_files). A file that cannot be read
    gets an entry in RV(workspaces[].errors) and a warning; the other figures are still
    returned. A missing O(path) fails the task.
  - Needs only Python's standard library on the managed host (no networkx, no numpy).
    No file is loaded whole, so memory stays flat however large the stores are.
  - Read-only; never reports a change.
author:
  - LoomGraph infrastructure team (!UNKNOWN)
options:
  path:
    description:
      - LightRAG's working folder (C(WORKING_DIR)), C(<customer>/data/rag_storage) in this
        collection's layout.
    type: path
    required: true
  filter:
    description:
      - Limit the result to workspaces whose name matches one of these shell-style
        patterns (C(*), C(?), C([abc])), case-sensitively.
      - A pattern starting with C(!) excludes matching workspaces. Exclusions apply
        after inclusions, so C([cust_*, '!cust_test']) keeps every C(cust_) workspace
        but C(cust_test); with exclusions only, all other workspaces are kept.
      - Workspaces left out are not read at all.
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
      - When V(true), every JSON store is decoded (one member at a time) and the graph is
        parsed as XML.
      - When V(false), chunks, stored documents and LLM cache entries are counted from the
        layout LightRAG writes (C(json.dump) with C(indent=2) puts each top-level key on a
        line of its own) and entities and relations from the C(<node>) and C(<edge>) tags,
        without decoding. Exact for files LightRAG wrote, several times faster on large
        stores, but a truncated or hand-edited file is not noticed. A file in another layout
        is decoded anyway. Document counts and the status breakdown are always exact.
    type: bool
    default: true
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
attributes:
  check_mode:
    support: full
    description: Reads the same files in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
notes:
  - Formats are those of LightRAG 1.5.7 (C(lightrag/kg/networkx_impl.py),
    C(json_kv_impl.py), C(json_doc_status_impl.py), C(nano_vector_db_impl.py)).
  - LightRAG records a rejected re-upload of a known document as a C(failed) row of
    C(kv_store_doc_status.json) with C(metadata.is_duplicate=true) (id C(dup-...)). As in
    M(loomgraph.lightrag_pg.workspace_stats), such rows are not documents; they are counted
    only under C(duplicates) in RV(workspaces[].doc_status).
  - Entities and relations are the nodes and edges of C(graph_chunk_entity_relation.graphml)
    (the first C(<graph>), as C(networkx.read_graphml) reads it). A node named only by an
    edge, which networkx would add, is not counted; NetworkXStorage never writes one.
  - A JSON key written twice in one file is counted twice (C(json.load) keeps the last);
    LightRAG never writes one.
  - LightRAG's server stores a workspace name with every character outside C([A-Za-z0-9_])
    replaced by C(_), so a folder of another name was written through the Python API; after
    a rebuild through the server its PostgreSQL workspace has the rewritten name.
seealso:
  - module: loomgraph.lightrag_pg.workspace_stats
'''

EXAMPLES = r'''
- name: Count what the customer's file storage holds before the rebuild
  loomgraph.lightrag_pg.file_stats:
    path: /srv/lightrag/pinpianyi/data/rag_storage
  register: before

- name: Stop when a workspace lacks files or has unreadable ones
  ansible.builtin.assert:
    that:
      - item.missing_files == []
      - item.errors == {}
    fail_msg: "{{ item.workspace }}: missing {{ item.missing_files }}, errors {{ item.errors }}"
    quiet: true
  loop: "{{ before.workspaces }}"
  loop_control:
    label: "{{ item.workspace }}"

- name: Only the customer's workspace, counted from the file layout (fast on big stores)
  loomgraph.lightrag_pg.file_stats:
    path: /srv/lightrag/pinpianyi/data/rag_storage
    filter: [pinpianyi]
    exact: false
  register: quick

- name: Biggest workspaces first, test workspaces left out
  loomgraph.lightrag_pg.file_stats:
    path: /srv/lightrag/pinpianyi/data/rag_storage
    filter: ["*", "!*_test"]
    sort_by: entities
    sort_order: desc
  register: biggest

- name: The embedding dimension PostgreSQL must be set up with
  ansible.builtin.debug:
    msg: "{{ before.workspaces | map(attribute='embedding_dim') | unique | list }}"
'''

RETURN = r'''
workspaces:
  description:
    - One entry per workspace found under O(path), after O(filter) and O(search), in the
      order of O(sort_by) and O(sort_order).
  returned: success
  type: list
  elements: dict
  sample:
    - workspace: pinpianyi
      path: /srv/lightrag/pinpianyi/data/rag_storage/pinpianyi
      documents: 12
      chunks: 340
      entities: 910
      relations: 1204
      doc_status: {pending: 0, parsing: 0, analyzing: 0, processing: 0, preprocessed: 0,
                   processed: 11, failed: 1, duplicates: 2}
      last_update: '2025-12-03T12:40:01.123456+00:00'
      full_docs: 12
      llm_cache: {entries: 355, by_type: {extract: 340, keywords: 5, query: 10}}
      embedding_dim: 768
      embedding_dims: {chunks: 768, entities: 768, relationships: 768}
      missing_files: []
      errors: {}
      estimated: false
  contains:
    workspace:
      description: The folder name; C(default) for the files directly in O(path).
      type: str
      returned: always
      sample: pinpianyi
    path:
      description: The folder the figures were read from.
      type: str
      returned: always
      sample: /srv/lightrag/pinpianyi/data/rag_storage/pinpianyi
    documents:
      description: Rows of C(kv_store_doc_status.json) that are not duplicate markers, in any state.
      type: int
      returned: always
      sample: 12
    chunks:
      description: Text chunks (keys of C(kv_store_text_chunks.json)).
      type: int
      returned: always
      sample: 340
    entities:
      description: Nodes of C(graph_chunk_entity_relation.graphml).
      type: int
      returned: always
      sample: 910
    relations:
      description: Edges of C(graph_chunk_entity_relation.graphml).
      type: int
      returned: always
      sample: 1204
    doc_status:
      description:
        - Documents per processing state, every state of LightRAG 1.5.7 present even at 0,
          plus any unknown state found (C(unknown) for a row without one), plus C(duplicates),
          the duplicate-marker rows (not included in the states nor in RV(workspaces[].documents)).
      type: dict
      returned: always
      sample: {pending: 0, parsing: 0, analyzing: 0, processing: 0, preprocessed: 0,
               processed: 11, failed: 1, duplicates: 2}
    last_update:
      description:
        - Newest C(updated_at) of the workspace's document status rows (duplicate markers
          included), ISO 8601 in UTC; null if none.
      type: str
      returned: always
      sample: '2025-12-03T12:40:01.123456+00:00'
    full_docs:
      description: Documents whose full text LightRAG keeps (keys of C(kv_store_full_docs.json)).
      type: int
      returned: always
      sample: 12
    llm_cache:
      description: Entries of C(kv_store_llm_response_cache.json).
      type: dict
      returned: always
      contains:
        entries:
          description: All entries.
          type: int
          returned: always
          sample: 355
        by_type:
          description:
            - Entries per C(cache_type) (C(extract), C(summary), C(keywords), C(query), ...);
              from the key C(<mode>:<cache_type>:<hash>) when an entry has none.
          type: dict
          returned: always
          sample: {extract: 340, keywords: 5, query: 10}
    embedding_dim:
      description:
        - The C(embedding_dim) of the workspace's C(vdb_*.json) files; null when it has none,
          or when they disagree (then a warning, and see RV(workspaces[].embedding_dims)).
      type: int
      returned: always
      sample: 768
    embedding_dims:
      description: C(embedding_dim) of C(vdb_chunks.json), C(vdb_entities.json) and C(vdb_relationships.json); null for a missing file.
      type: dict
      returned: always
      sample: {chunks: 768, entities: 768, relationships: 768}
    missing_files:
      description:
        - Expected files that are absent or empty, each counted as zero. A workspace that
          never cached an LLM answer, for example, has no C(kv_store_llm_response_cache.json).
      type: list
      elements: str
      returned: always
      sample: [kv_store_llm_response_cache.json]
    errors:
      description: Files that could not be read (not valid JSON or GraphML, no permission), and why; counted as zero.
      type: dict
      returned: always
      sample: {kv_store_text_chunks.json: "invalid JSON at character 1048576: Unterminated string starting at: line 1 column 9 (char 8)"}
    estimated:
      description: Whether any figure was counted from the file layout (O(exact=false)) rather than decoded.
      type: bool
      returned: always
      sample: false
totals:
  description: Sums over the workspaces in RV(workspaces).
  returned: success
  type: dict
  sample: {workspaces: 2, documents: 20, chunks: 500, entities: 1400, relations: 1900,
           doc_status: {pending: 0, parsing: 0, analyzing: 0, processing: 0, preprocessed: 0,
                        processed: 19, failed: 1, duplicates: 2},
           full_docs: 20, llm_cache: {entries: 520, by_type: {extract: 500, query: 20}}}
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
    full_docs:
      description: Sum of stored full documents.
      type: int
      returned: always
      sample: 20
    llm_cache:
      description: Sum of LLM cache entries, in all and per C(cache_type).
      type: dict
      returned: always
      sample: {entries: 520, by_type: {extract: 500, query: 20}}
exact:
  description: The value of O(exact) used.
  returned: success
  type: bool
  sample: true
'''

import os

from ansible.module_utils.basic import AnsibleModule
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.file_store import (
    find_workspaces,
    read_workspace,
    totals,
)
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.workspace_select import (
    SORT_KEYS,
    select,
    sort_workspaces,
)


def argument_spec():
    return dict(
        path=dict(type='path', required=True),
        filter=dict(type='list', elements='str', default=[]),
        search=dict(type='str'),
        exact=dict(type='bool', default=True),
        sort_by=dict(type='str', default='workspace', choices=SORT_KEYS),
        sort_order=dict(type='str', default='asc', choices=['asc', 'desc']),
    )


def run(params, warn):
    # Select on names first: workspaces left out are never read.
    found = [dict(workspace=name, path=folder) for name, folder in find_workspaces(params['path'], warn)]
    chosen = select(found, params['filter'], params['search'])
    workspaces = [read_workspace(ws['workspace'], ws['path'], params['exact'], warn) for ws in chosen]
    workspaces = sort_workspaces(workspaces, params['sort_by'], params['sort_order'])
    # No top-level 'path' key: AnsibleModule.exit_json would add the folder's stat to the result.
    return dict(workspaces=workspaces, totals=totals(workspaces), exact=params['exact'])


def main():
    module = AnsibleModule(argument_spec=argument_spec(), supports_check_mode=True)
    path = module.params['path']
    if not os.path.exists(path):
        module.fail_json(msg='%s does not exist: no LightRAG file storage there' % path)
    if not os.path.isdir(path):
        module.fail_json(msg='%s is not a folder' % path)
    try:
        result = run(module.params, module.warn)
    except OSError as exc:  # the folder itself cannot be listed
        module.fail_json(msg='cannot read %s: %s' % (path, exc))
    module.exit_json(changed=False, **result)


if __name__ == '__main__':
    main()

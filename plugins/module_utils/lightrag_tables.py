# -*- coding: utf-8 -*-
# Copyright: (c) 2025, LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)
"""Find LightRAG's tables in the catalog and tell what each one holds.

Nothing is assumed to exist: LightRAG creates its tables on first start, a
vector table per embedding model and dimension, so the catalog is the truth.
"""

import re

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_connection import fetch_all
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_identifiers import is_plain_identifier

# PGTableGraphStorage keeps LightRAG's single graph under this namespace.
GRAPH_NAMESPACE = 'chunk_entity_relation'

# Fixed names (LightRAG 1.5.7 creates them unquoted, so they fold to lower case).
FIXED_TABLES = {
    'lightrag_doc_status': 'doc_status',
    'lightrag_doc_chunks': 'chunks',
    'lightrag_doc_full': 'full_docs',
    'lightrag_full_entities': 'full_entities',
    'lightrag_full_relations': 'full_relations',
    'lightrag_entity_chunks': 'entity_chunks',
    'lightrag_relation_chunks': 'relation_chunks',
    'lightrag_llm_cache': 'llm_cache',
    'lightrag_graph_nodes': 'graph_nodes',
    'lightrag_graph_edges': 'graph_edges',
}

# lightrag_vdb_<store>_<model>_<dim>d, where <model> is the embedding model name
# lower-cased with every character outside [a-z0-9_] replaced by "_"; without
# the suffix it is a legacy table from before per-model tables.
_VDB = re.compile(r'^lightrag_vdb_(chunks|entity|relation)(?:_([a-z0-9_]+?)_([0-9]+)d)?$')
VDB_KINDS = {'chunks': 'vdb_chunks', 'entity': 'vdb_entity', 'relation': 'vdb_relation'}
_VECTOR_TYPE = re.compile(r'^(\w+)\((\d+)\)$')

TABLE_PREFIX_LIKE = 'lightrag\\_%'


def model_suffix(model_name, dim):
    """The suffix LightRAG appends for an embedding model (for matching and tests)."""
    return '%s_%dd' % (re.sub(r'[^a-zA-Z0-9_]', '_', model_name.strip().lower()), int(dim))


def parse_table_name(name):
    """Classify a table name: dict(kind, model, dim, legacy) or None if not LightRAG's."""
    if name in FIXED_TABLES:
        return dict(kind=FIXED_TABLES[name], model=None, dim=None, legacy=False)
    match = _VDB.match(name)
    if not match:
        return None
    store, model, dim = match.groups()
    return dict(kind=VDB_KINDS[store], model=model, dim=int(dim) if dim else None,
                legacy=model is None)


def parse_vector_type(type_text):
    """'vector(768)' -> ('vector', 768); LightRAG may also use halfvec."""
    match = _VECTOR_TYPE.match(type_text or '')
    if not match:
        return None, None
    return match.group(1), int(match.group(2))


_DISCOVER_SQL = """
SELECT n.nspname, c.relname, c.reltuples::bigint,
       array_agg(a.attname::text ORDER BY a.attnum),
       array_agg(pg_catalog.format_type(a.atttypid, a.atttypmod) ORDER BY a.attnum)
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
 WHERE c.relkind IN ('r', 'p')
   AND NOT c.relispartition
   AND c.relname LIKE %s
   AND CASE WHEN %s::text IS NULL THEN pg_catalog.pg_table_is_visible(c.oid)
            ELSE n.nspname = %s::text END
 GROUP BY n.nspname, c.relname, c.reltuples
 ORDER BY n.nspname, c.relname
"""


def discover_tables(conn, schema=None):
    """One catalog query; without `schema`, only what LightRAG's unqualified names resolve to."""
    tables = []
    for nspname, relname, reltuples, columns, types in fetch_all(
            conn, _DISCOVER_SQL, (TABLE_PREFIX_LIKE, schema, schema)):
        info = parse_table_name(relname) if is_plain_identifier(relname) else None
        entry = dict(
            name=relname,
            schema=nspname,
            kind=info['kind'] if info else 'unknown',
            model=info['model'] if info else None,
            dim=info['dim'] if info else None,
            legacy=info['legacy'] if info else False,
            vector_type=None,
            # -1 means never vacuumed or analysed (PostgreSQL 14+).
            estimated_rows=reltuples if reltuples is not None and reltuples >= 0 else None,
            columns=dict(zip(columns, types)),
        )
        if 'content_vector' in entry['columns']:
            vtype, vdim = parse_vector_type(entry['columns']['content_vector'])
            entry['vector_type'] = vtype
            if entry['dim'] is None:
                entry['dim'] = vdim
        tables.append(entry)
    return tables

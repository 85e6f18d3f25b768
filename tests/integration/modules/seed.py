"""Write rows the way LightRAG 1.5.7 writes them, into tables made from its own DDL.

Row shapes follow LightRAG's upserts: ids from compute_mdhash_id ('doc-',
'chunk-', 'ent-', 'rel-', 'dup-' + md5), naive UTC timestamps, duplicate
uploads as separate failed doc_status rows flagged metadata.is_duplicate.
"""

import datetime
import hashlib
import json
import re

GRAPH_NAMESPACE = 'chunk_entity_relation'
APP_ROLE = 'lightrag'
MODEL_A = ('jinaai_jina_embeddings_v2_base_code_768d', 768)   # jinaai/jina-embeddings-v2-base-code
MODEL_B = ('baai_bge_m3_1024d', 1024)                          # BAAI/bge-m3
VECTOR_BASES = {'chunks': 'LIGHTRAG_VDB_CHUNKS', 'entity': 'LIGHTRAG_VDB_ENTITY',
                'relation': 'LIGHTRAG_VDB_RELATION'}


def mdhash(text, prefix):
    return prefix + hashlib.md5(text.encode('utf-8')).hexdigest()


def server_workspace(name):
    """What lightrag-server stores for WORKSPACE / the LIGHTRAG-WORKSPACE header
    (lightrag/api/config.py): anything outside [a-zA-Z0-9_] becomes '_'."""
    return re.sub(r'[^a-zA-Z0-9_]', '_', name)


def utc(text):
    return datetime.datetime.strptime(text, '%Y-%m-%d %H:%M:%S')


NOW = utc('2025-06-01 00:00:00')


class Seeder(object):
    def __init__(self, conn, schema):
        self.conn = conn
        self.schema = schema

    def execute(self, sql, args=None):
        with self.conn.cursor() as cursor:
            cursor.execute(sql, args)

    def create_core(self, graph=True):
        for ddl in self.schema.plain_ddl():
            self.execute(ddl)
        if graph:
            self.execute(self.schema.graph_ddl)

    def create_vector_tables(self, suffix=None, dim=768, vector_type='VECTOR'):
        """Returns {'chunks'|'entity'|'relation': table name}; no suffix = legacy table."""
        names = {}
        for store, base in VECTOR_BASES.items():
            name = '%s_%s' % (base, suffix.upper()) if suffix else base
            self.execute(self.schema.vector_ddl(base, name, dim, vector_type))
            names[store] = name.lower()
        return names

    def docs(self, workspace, statuses, duplicates=0, ts=NOW):
        """statuses: {'processed': 3, ...}; duplicates: rejected re-uploads of the first doc."""
        first = None
        for status, count in sorted(statuses.items()):
            for i in range(count):
                file_path = '%s-%d.md' % (status, i)
                doc_id = mdhash('%s/%s' % (workspace, file_path), 'doc-')
                first = first or (doc_id, file_path)
                self._doc_row(workspace, doc_id, status, file_path, {}, ts,
                              'failed to extract' if status == 'failed' else '')
        for i in range(duplicates):
            original, file_path = first
            track = 'insert_%d' % i
            # pipeline.py: dup-<md5(doc_id-track_id-index-file_path)>
            dup_id = mdhash('%s-%s-%d-%s' % (original, track, i, file_path), 'dup-')
            meta = {'is_duplicate': True, 'duplicate_kind': 'filename',
                    'original_doc_id': original, 'original_track_id': 'insert_0'}
            self._doc_row(workspace, dup_id, 'failed', file_path, meta, ts,
                          'File name already exists. Original doc_id: %s, Status: processed' % original,
                          summary='[DUPLICATE:filename] Original document: %s' % original, track=track)

    def _doc_row(self, workspace, doc_id, status, file_path, metadata, ts, error, summary=None, track='t'):
        self.execute(
            'INSERT INTO LIGHTRAG_DOC_STATUS (workspace, id, content_summary, content_length, '
            'chunks_count, status, file_path, chunks_list, track_id, metadata, error_msg, '
            'created_at, updated_at) VALUES (%s, %s, %s, 100, 0, %s, %s, %s, %s, %s, %s, %s, %s)',
            (workspace, doc_id, summary or 'summary of %s' % file_path, status, file_path, '[]', track,
             json.dumps(metadata), error, ts, ts))

    def chunks(self, workspace, count, ts=NOW):
        self.execute(
            'INSERT INTO LIGHTRAG_DOC_CHUNKS (workspace, id, full_doc_id, chunk_order_index, tokens, '
            'content, file_path, create_time, update_time) '
            "SELECT %s, 'chunk-' || md5(%s || g), 'doc-x', g, 100, 'text ' || g, 'a.md', %s, %s "
            'FROM generate_series(1, %s) AS g', (workspace, workspace, ts, ts, count))

    def graph(self, workspace, nodes, edges, namespace=GRAPH_NAMESPACE, ts=NOW):
        """A chain of nodes: edges connect node i and i+1 (stored as min, max)."""
        assert edges < nodes
        self.execute(
            'INSERT INTO lightrag_graph_nodes (workspace, namespace, id, properties, updated_at) '
            "SELECT %s, %s, 'Entity ' || g, jsonb_build_object('entity_id', 'Entity ' || g), %s "
            'FROM generate_series(1, %s) AS g', (workspace, namespace, ts, nodes))
        for i in range(1, edges + 1):
            a, b = sorted(['Entity %d' % i, 'Entity %d' % (i + 1)])
            self.execute(
                'INSERT INTO lightrag_graph_edges (workspace, namespace, src_id, tgt_id, properties, '
                'updated_at) VALUES (%s, %s, %s, %s, %s, %s)',
                (workspace, namespace, a, b, json.dumps({'weight': 1.0}), ts))

    def vectors(self, table, workspace, count, dim, ts=NOW):
        store = 'chunks' if '_chunks' in table else 'entity' if '_entity' in table else 'relation'
        extra = {'chunks': ('full_doc_id', "'doc-x'"), 'entity': ('entity_name', "'Entity ' || g"),
                 'relation': ('source_id', "'Entity ' || g")}[store]
        self.execute(
            'INSERT INTO %s (workspace, id, %s, content, content_vector, create_time, update_time) '
            "SELECT %%s, 'vec-' || md5(%%s || g), %s, 'text', array_fill(0.5::real, ARRAY[%%s])::vector, %%s, %%s "
            'FROM generate_series(1, %%s) AS g' % (table, extra[0], extra[1]),
            (workspace, workspace, dim, ts, ts, count))

    def full_lists(self, workspace, doc_entities):
        """doc_entities: {doc_id: [names]}; relations pair neighbours, sorted as LightRAG does."""
        for doc_id, names in doc_entities.items():
            pairs = [sorted(p) for p in zip(names, names[1:])]
            self.execute('INSERT INTO LIGHTRAG_FULL_ENTITIES (workspace, id, entity_names, count) '
                         'VALUES (%s, %s, %s, %s)', (workspace, doc_id, json.dumps(names), len(names)))
            self.execute('INSERT INTO LIGHTRAG_FULL_RELATIONS (workspace, id, relation_pairs, count) '
                         'VALUES (%s, %s, %s, %s)', (workspace, doc_id, json.dumps(pairs), len(pairs)))

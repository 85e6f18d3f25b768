"""Load the benchmark customer into PostgreSQL with binary COPY.

Tables come from LightRAG's own DDL (tests/integration/modules/lightrag_upstream.py
reads it out of the lightrag-hku wheel); vector tables are named as LightRAG
names them for jinaai/jina-embeddings-v2-base-code, 768 dimensions.

Per table group, in one transaction: run LightRAG's DDL, note the primary
keys, indexes and foreign keys it created (pg_get_constraintdef /
pg_get_indexdef, so nothing of the DDL is restated here), drop them, COPY
... (FORMAT binary, FREEZE) every workspace's rows, then create them again
from the noted definitions. Same end state as loading into LightRAG's tables
row by row, minus the time; FREEZE leaves the rows as a vacuumed table has
them (hint bits and visibility map set), as autovacuum would on a live server.
With wal_level=minimal the COPY into a table created in the same transaction
writes no WAL.
"""

import datetime
import json
import struct
import time

from lrbench import dataset

PG_EPOCH = datetime.datetime(2000, 1, 1)
NULL = b'\xff\xff\xff\xff'
_LEN = struct.Struct('>i')
VARCHAR_OID = 1043
GRAPH_NAMESPACE = 'chunk_entity_relation'


def text(value):
    if value is None:
        return NULL
    data = value.encode('utf-8')
    return _LEN.pack(len(data)) + data


def int4(value):
    return b'\x00\x00\x00\x04' + _LEN.pack(int(value))


def timestamp(value):
    """timestamp and timestamptz share the binary form: microseconds since 2000-01-01 (UTC)."""
    micro = (value - PG_EPOCH) // datetime.timedelta(microseconds=1)
    return b'\x00\x00\x00\x08' + struct.pack('>q', micro)


def jsonb(value):
    data = b'\x01' + json.dumps(value, ensure_ascii=False).encode('utf-8')
    return _LEN.pack(len(data)) + data


def varchar_array(items):
    body = struct.pack('>iiiii', 1, 0, VARCHAR_OID, len(items), 1) + b''.join(text(x) for x in items)
    return _LEN.pack(len(body)) + body


VECTOR_HEADER = _LEN.pack(4 + dataset.DIM * 4) + struct.pack('>hh', dataset.DIM, 0)


def vector_fields(batch):
    """pgvector's binary input: int16 dim, int16 unused, float4 big-endian each."""
    raw = batch.astype('>f4').tobytes()
    step = dataset.DIM * 4
    return [VECTOR_HEADER + raw[k:k + step] for k in range(0, len(raw), step)]


def row(*fields):
    return struct.pack('>h', len(fields)) + b''.join(fields)


class Stream(object):
    """File-like object for copy_expert: binary COPY header, rows from a
    generator in blocks of about 1 MB, trailer."""

    def __init__(self, rows):
        self.rows = iter(rows)
        self.pending = [b'PGCOPY\n\xff\r\n\x00' + struct.pack('>ii', 0, 0)]
        self.done = False
        self.count = 0

    def read(self, size=-1):
        if self.done:
            return b''
        block, length = self.pending, sum(len(x) for x in self.pending)
        self.pending = []
        for data in self.rows:
            block.append(data)
            self.count += 1
            length += len(data)
            if length >= 1 << 20:
                return b''.join(block)
        block.append(struct.pack('>h', -1))
        self.done = True
        return b''.join(block)


# ------------------------------------------------------------------ row generators
# Column lists name what LightRAG's upserts write; the others keep their DDL defaults.

def doc_status_rows(data_list):
    cols = ('workspace', 'id', 'content_summary', 'content_length', 'chunks_count', 'status', 'file_path',
            'chunks_list', 'track_id', 'metadata', 'error_msg', 'created_at', 'updated_at')

    def rows():
        for wd in data_list:
            ws, ts = wd.ws, timestamp(wd.ws.ts)
            for doc in wd.docs:
                yield row(text(ws.name), text(doc.id), text('%s: module source' % doc.file_path),
                          int4(len(doc.chunk_ids) * wd.spec.chunk_chars), int4(len(doc.chunk_ids)),
                          text(doc.status), text(doc.file_path), jsonb(doc.chunk_ids), text('insert_0'),
                          jsonb({}), text('extraction failed' if doc.status == 'failed' else None), ts, ts)
            for k, dup in enumerate(wd.dups):
                meta = {'is_duplicate': True, 'duplicate_kind': 'filename', 'original_doc_id': dup.duplicate_of,
                        'original_track_id': 'insert_0'}
                yield row(text(ws.name), text(dup.id), text('[DUPLICATE:filename] Original document: %s'
                                                            % dup.duplicate_of),
                          int4(0), int4(0), text('failed'), text(dup.file_path), jsonb([]),
                          text('insert_%d' % (k + 1)), jsonb(meta),
                          text('File name already exists. Original doc_id: %s, Status: processed'
                               % dup.duplicate_of), ts, ts)
    return cols, rows()


def doc_full_rows(data_list):
    cols = ('id', 'workspace', 'doc_name', 'content', 'create_time', 'update_time')

    def rows():
        for wd in data_list:
            ts = timestamp(wd.ws.ts)
            for doc, content in wd.doc_contents():
                yield row(text(doc.id), text(wd.ws.name), text(doc.file_path), text(content), ts, ts)
    return cols, rows()


def chunk_rows(data_list, vectors=False):
    cols = ['id', 'workspace', 'full_doc_id', 'chunk_order_index', 'tokens', 'content', 'file_path',
            'create_time', 'update_time']
    if vectors:
        cols.append('content_vector')
    else:
        cols.append('llm_cache_list')

    def rows():
        for wd in data_list:
            ts, ws = timestamp(wd.ws.ts), text(wd.ws.name)
            vecs = _vector_iter(wd, 'chunks', wd.ws.chunks) if vectors else None
            for chunk_id, doc, order, content, tokens in wd.chunks():
                last = next(vecs) if vectors else jsonb(['default:extract:' + chunk_id[6:]])
                yield row(text(chunk_id), ws, text(doc.id), int4(order), int4(tokens), text(content),
                          text(doc.file_path), ts, ts, last)
    return cols, rows()


def _vector_iter(wd, store, count):
    for batch in wd.vectors(store, count):
        for field in vector_fields(batch):
            yield field


def llm_cache_rows(data_list):
    cols = ('workspace', 'id', 'original_prompt', 'return_value', 'chunk_id', 'cache_type',
            'create_time', 'update_time')

    def rows():
        for wd in data_list:
            ts, ws = timestamp(wd.ws.ts), text(wd.ws.name)
            for chunk_id, doc, order, content, tokens in wd.chunks():
                prompt = '---Task---\nExtract entities and relationships from the input text.\n%s' % content[:600]
                answer = 'entity<|#|>%s<|#|>class<|#|>%s\n<|COMPLETE|>' % (chunk_id, wd.text.description(order))
                yield row(ws, text('default:extract:' + chunk_id[6:]), text(prompt), text(answer),
                          text(chunk_id), text('extract'), ts, ts)
    return cols, rows()


def full_list_rows(data_list, which):
    cols = ('id', 'workspace', 'entity_names' if which == 'entities' else 'relation_pairs', 'count',
            'create_time', 'update_time')

    def rows():
        for wd in data_list:
            ts, ws = timestamp(wd.ws.ts), text(wd.ws.name)
            for doc, names, pairs in wd.doc_entity_lists():
                items = names if which == 'entities' else pairs
                yield row(text(doc.id), ws, jsonb(items), int4(len(items)), ts, ts)
    return cols, rows()


def item_chunk_rows(data_list, which):
    cols = ('id', 'workspace', 'chunk_ids', 'count', 'create_time', 'update_time')

    def rows():
        for wd in data_list:
            ts, ws = timestamp(wd.ws.ts), text(wd.ws.name)
            if which == 'entities':
                for vid, name, props, content, sources in wd.entities():
                    yield row(text(name), ws, jsonb(sources), int4(len(sources)), ts, ts)
            else:
                for vid, src, tgt, props, content, sources in wd.relations():
                    yield row(text(src + dataset.GRAPH_FIELD_SEP + tgt), ws, jsonb(sources),
                              int4(len(sources)), ts, ts)
    return cols, rows()


def node_rows(data_list):
    cols = ('workspace', 'namespace', 'id', 'properties', 'updated_at')

    def rows():
        ns = text(GRAPH_NAMESPACE)
        for wd in data_list:
            ts, ws = timestamp(wd.ws.ts), text(wd.ws.name)
            for vid, name, props, content, sources in wd.entities():
                yield row(ws, ns, text(name), jsonb(props), ts)
    return cols, rows()


def edge_rows(data_list):
    cols = ('workspace', 'namespace', 'src_id', 'tgt_id', 'properties', 'updated_at')

    def rows():
        ns = text(GRAPH_NAMESPACE)
        for wd in data_list:
            ts, ws = timestamp(wd.ws.ts), text(wd.ws.name)
            for vid, src, tgt, props, content, sources in wd.relations():
                yield row(ws, ns, text(src), text(tgt), jsonb(props), ts)
    return cols, rows()


def vdb_entity_rows(data_list):
    cols = ('id', 'workspace', 'entity_name', 'content', 'content_vector', 'chunk_ids', 'file_path',
            'create_time', 'update_time')

    def rows():
        for wd in data_list:
            ts, ws = timestamp(wd.ws.ts), text(wd.ws.name)
            vecs = _vector_iter(wd, 'entities', wd.ws.entities)
            for vid, name, props, content, sources in wd.entities():
                yield row(text(vid), ws, text(name), text(content), next(vecs), varchar_array(sources),
                          text(props['file_path']), ts, ts)
    return cols, rows()


def vdb_relation_rows(data_list):
    cols = ('id', 'workspace', 'source_id', 'target_id', 'content', 'content_vector', 'chunk_ids',
            'file_path', 'create_time', 'update_time')

    def rows():
        for wd in data_list:
            ts, ws = timestamp(wd.ws.ts), text(wd.ws.name)
            vecs = _vector_iter(wd, 'relationships', wd.ws.relations)
            for vid, src, tgt, props, content, sources in wd.relations():
                yield row(text(vid), ws, text(src), text(tgt), text(content), next(vecs),
                          varchar_array(sources), text(props['file_path']), ts, ts)
    return cols, rows()


# ------------------------------------------------------------------ loading

_CONSTRAINTS = """
SELECT conrelid::regclass::text, conname, contype, pg_get_constraintdef(oid)
  FROM pg_constraint WHERE conrelid = ANY(%s::regclass[]) AND contype IN ('p', 'u', 'f')
"""
_INDEXES = """
SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid)
  FROM pg_index i
 WHERE indrelid = ANY(%s::regclass[])
   AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                    WHERE c.conrelid = i.indrelid AND c.conindid = i.indexrelid AND c.contype IN ('p', 'u'))
"""


def _q(name):
    return '"%s"' % name.replace('"', '""')


def load_group(conn, ddl, tables, log):
    """ddl: statements creating the tables; tables: [(name, (cols, rows))]."""
    timings = {}
    started = time.perf_counter()
    conn.autocommit = False
    with conn.cursor() as cur:
        for statement in ddl:
            cur.execute(statement)
        names = [t[0] for t in tables]
        cur.execute(_CONSTRAINTS, (names,))
        constraints = cur.fetchall()
        cur.execute(_INDEXES, (names,))
        indexes = cur.fetchall()
        for table, name, kind, _def in sorted(constraints, key=lambda c: c[2] != 'f'):
            cur.execute('ALTER TABLE %s DROP CONSTRAINT %s' % (table, _q(name)))
        for index, _def in indexes:
            cur.execute('DROP INDEX %s' % index)
        for name, (cols, rows) in tables:
            t0 = time.perf_counter()
            stream = Stream(rows)
            cur.copy_expert('COPY %s (%s) FROM STDIN WITH (FORMAT binary, FREEZE)' % (name, ', '.join(cols)),
                            stream, size=1 << 20)
            timings[name] = dict(rows=stream.count, copy_s=round(time.perf_counter() - t0, 2))
            log('  %-62s %9d rows  %6.1f s' % (name, stream.count, timings[name]['copy_s']))
        t0 = time.perf_counter()
        for table, name, kind, definition in sorted(constraints, key=lambda c: c[2] == 'f'):
            if kind != 'f':
                cur.execute('ALTER TABLE %s ADD CONSTRAINT %s %s' % (table, _q(name), definition))
        for index, definition in indexes:
            cur.execute(definition)
        for table, name, kind, definition in constraints:
            if kind == 'f':
                cur.execute('ALTER TABLE %s ADD CONSTRAINT %s %s' % (table, _q(name), definition))
        timings['_indexes_s'] = round(time.perf_counter() - t0, 2)
        log('  %-62s %6.1f s' % ('keys, indexes, foreign keys of ' + ', '.join(names), timings['_indexes_s']))
    conn.commit()
    conn.autocommit = True
    timings['_total_s'] = round(time.perf_counter() - started, 2)
    return timings


def vector_table(base):
    return ('%s_%s' % (base, dataset.TABLE_SUFFIX.upper())).lower()


def load_all(conn, schema, data_list, log):
    """Every LightRAG table of a PostgreSQL-backed deployment (PGKVStorage,
    PGDocStatusStorage, PGVectorStorage, PGTableGraphStorage)."""
    t = schema.tables
    vdb = dict((store, vector_table(base)) for store, base in (
        ('chunks', 'LIGHTRAG_VDB_CHUNKS'), ('entity', 'LIGHTRAG_VDB_ENTITY'), ('relation', 'LIGHTRAG_VDB_RELATION')))
    groups = [
        ([t['LIGHTRAG_DOC_STATUS']['ddl']], [('lightrag_doc_status', doc_status_rows(data_list))]),
        ([t['LIGHTRAG_DOC_FULL']['ddl']], [('lightrag_doc_full', doc_full_rows(data_list))]),
        ([t['LIGHTRAG_DOC_CHUNKS']['ddl']], [('lightrag_doc_chunks', chunk_rows(data_list))]),
        ([t['LIGHTRAG_LLM_CACHE']['ddl']], [('lightrag_llm_cache', llm_cache_rows(data_list))]),
        ([t['LIGHTRAG_FULL_ENTITIES']['ddl']], [('lightrag_full_entities', full_list_rows(data_list, 'entities'))]),
        ([t['LIGHTRAG_FULL_RELATIONS']['ddl']],
         [('lightrag_full_relations', full_list_rows(data_list, 'relations'))]),
        ([t['LIGHTRAG_ENTITY_CHUNKS']['ddl']], [('lightrag_entity_chunks', item_chunk_rows(data_list, 'entities'))]),
        ([t['LIGHTRAG_RELATION_CHUNKS']['ddl']],
         [('lightrag_relation_chunks', item_chunk_rows(data_list, 'relations'))]),
        ([schema.graph_ddl], [('lightrag_graph_nodes', node_rows(data_list)),
                              ('lightrag_graph_edges', edge_rows(data_list))]),
        ([schema.vector_ddl('LIGHTRAG_VDB_CHUNKS', vdb['chunks'].upper(), dataset.DIM)],
         [(vdb['chunks'], chunk_rows(data_list, vectors=True))]),
        ([schema.vector_ddl('LIGHTRAG_VDB_ENTITY', vdb['entity'].upper(), dataset.DIM)],
         [(vdb['entity'], vdb_entity_rows(data_list))]),
        ([schema.vector_ddl('LIGHTRAG_VDB_RELATION', vdb['relation'].upper(), dataset.DIM)],
         [(vdb['relation'], vdb_relation_rows(data_list))]),
    ]
    return [load_group(conn, ddl, tables, log) for ddl, tables in groups]

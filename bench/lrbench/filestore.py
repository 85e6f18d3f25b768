"""Write the benchmark customer as LightRAG's file storage:

    rag_storage/<workspace>/
        graph_chunk_entity_relation.graphml      NetworkXStorage (nx.write_graphml layout)
        kv_store_<namespace>.json                 JsonKVStorage / JsonDocStatusStorage (indent=2)
        vdb_<namespace>.json                      NanoVectorDBStorage ({embedding_dim, data, matrix})

Same content as the PostgreSQL load (lrbench.dataset). The files are streamed
out entry by entry instead of built in memory and dumped, but read back the
same: every kv_store is a JSON object of id -> record, the vdb files hold the
records in `data` and the float32 vectors base64-encoded in `matrix`.
"""

import base64
import datetime
import json
import os
from xml.sax.saxutils import escape, quoteattr

from lrbench import dataset

_NODE_KEYS = (('entity_id', 'string'), ('entity_type', 'string'), ('description', 'string'),
              ('source_id', 'string'), ('file_path', 'string'), ('created_at', 'long'), ('truncate', 'string'))
_EDGE_KEYS = (('weight', 'double'), ('description', 'string'), ('keywords', 'string'), ('source_id', 'string'),
              ('file_path', 'string'), ('created_at', 'long'), ('truncate', 'string'))


def _iso(ts):
    return ts.replace(tzinfo=datetime.timezone.utc).isoformat()


class KVWriter(object):
    """A JSON object written one member at a time, formatted as json.dump(indent=2)."""

    def __init__(self, path):
        self.handle = open(path, 'w', encoding='utf-8')
        self.first = True
        self.handle.write('{')

    def add(self, key, value):
        body = json.dumps(value, indent=2, ensure_ascii=False).replace('\n', '\n  ')
        self.handle.write('%s\n  %s: %s' % ('' if self.first else ',', json.dumps(key, ensure_ascii=False), body))
        self.first = False

    def close(self):
        self.handle.write('\n}' if not self.first else '}')
        self.handle.close()


def _write_graphml(path, wd):
    keys = [('node', name, kind) for name, kind in _NODE_KEYS] + [('edge', name, kind) for name, kind in _EDGE_KEYS]
    with open(path, 'w', encoding='utf-8') as out:
        out.write("<?xml version='1.0' encoding='utf-8'?>\n"
                  '<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
                  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
                  'xsi:schemaLocation="http://graphml.graphdrawing.org/xmlns '
                  'http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">\n')
        ids = {}
        for number, (target, name, kind) in reversed(list(enumerate(keys))):
            ids[(target, name)] = 'd%d' % number
            out.write('  <key id="d%d" for="%s" attr.name="%s" attr.type="%s" />\n' % (number, target, name, kind))
        out.write('  <graph edgedefault="undirected">\n')

        def data(target, props, names):
            parts = []
            for name, _kind in names:
                value = props[name]
                if value == '':
                    parts.append('      <data key="%s" />\n' % ids[(target, name)])
                else:
                    parts.append('      <data key="%s">%s</data>\n' % (ids[(target, name)], escape(str(value))))
            return ''.join(parts)

        for vid, name, props, content, sources in wd.entities():
            out.write('    <node id=%s>\n%s    </node>\n' % (quoteattr(name), data('node', props, _NODE_KEYS)))
        for vid, src, tgt, props, content, sources in wd.relations():
            out.write('    <edge source=%s target=%s>\n%s    </edge>\n'
                      % (quoteattr(src), quoteattr(tgt), data('edge', props, _EDGE_KEYS)))
        out.write('  </graph>\n</graphml>\n')


def _write_vdb(path, records, vector_batches):
    """NanoVectorDB.save(): json.dump({embedding_dim, data, matrix}) without indent."""
    with open(path, 'w', encoding='utf-8') as out:
        out.write('{"embedding_dim": %d, "data": [' % dataset.DIM)
        first = True
        for record in records:
            out.write(('' if first else ', ') + json.dumps(record, ensure_ascii=False))
            first = False
        out.write('], "matrix": "')
        for batch in vector_batches:   # 768 * 4 bytes per vector is a multiple of 3: base64 concatenates
            out.write(base64.b64encode(batch.astype('<f4').tobytes()).decode('ascii'))
        out.write('"}')


def write_workspace(root, wd):
    ws = wd.ws
    folder = os.path.join(root, ws.name)
    os.makedirs(folder, exist_ok=True)
    created = wd.graph.created
    iso = _iso(ws.ts)

    kv = KVWriter(os.path.join(folder, 'kv_store_doc_status.json'))
    for doc in wd.docs:
        kv.add(doc.id, dict(status=doc.status, content_summary='%s: module source' % doc.file_path,
                            content_length=len(doc.chunk_ids) * wd.spec.chunk_chars, chunks_count=len(doc.chunk_ids),
                            chunks_list=doc.chunk_ids, file_path=doc.file_path, track_id='insert_0', metadata={},
                            error_msg='extraction failed' if doc.status == 'failed' else None,
                            created_at=iso, updated_at=iso))
    for k, dup in enumerate(wd.dups):
        kv.add(dup.id, dict(status='failed', content_summary='[DUPLICATE:filename] Original document: %s'
                            % dup.duplicate_of, content_length=0, chunks_count=0, chunks_list=[],
                            file_path=dup.file_path, track_id='insert_%d' % (k + 1),
                            metadata={'is_duplicate': True, 'duplicate_kind': 'filename',
                                      'original_doc_id': dup.duplicate_of, 'original_track_id': 'insert_0'},
                            error_msg='File name already exists. Original doc_id: %s, Status: processed'
                            % dup.duplicate_of, created_at=iso, updated_at=iso))
    kv.close()

    kv = KVWriter(os.path.join(folder, 'kv_store_full_docs.json'))
    for doc, content in wd.doc_contents():
        kv.add(doc.id, dict(content=content, file_path=doc.file_path, create_time=created,
                            update_time=created, _id=doc.id))
    kv.close()

    chunks = KVWriter(os.path.join(folder, 'kv_store_text_chunks.json'))
    cache = KVWriter(os.path.join(folder, 'kv_store_llm_response_cache.json'))
    chunk_records = []
    for chunk_id, doc, order, content, tokens in wd.chunks():
        cache_key = 'default:extract:' + chunk_id[6:]
        chunks.add(chunk_id, dict(tokens=tokens, content=content, chunk_order_index=order, full_doc_id=doc.id,
                                  file_path=doc.file_path, llm_cache_list=[cache_key], create_time=created,
                                  update_time=created, _id=chunk_id))
        cache.add(cache_key, dict(
            original_prompt='---Task---\nExtract entities and relationships from the input text.\n%s' % content[:600],
            **{'return': 'entity<|#|>%s<|#|>class<|#|>%s\n<|COMPLETE|>' % (chunk_id, wd.text.description(order))},
            cache_type='extract', chunk_id=chunk_id, create_time=created, update_time=created, _id=cache_key))
        chunk_records.append(dict(__id__=chunk_id, __created_at__=created, full_doc_id=doc.id, content=content,
                                  file_path=doc.file_path))
    chunks.close()
    cache.close()
    _write_vdb(os.path.join(folder, 'vdb_chunks.json'), chunk_records, wd.vectors('chunks', ws.chunks))
    del chunk_records

    ents = KVWriter(os.path.join(folder, 'kv_store_full_entities.json'))
    rels = KVWriter(os.path.join(folder, 'kv_store_full_relations.json'))
    for doc, names, pairs in wd.doc_entity_lists():
        ents.add(doc.id, dict(entity_names=names, count=len(names), create_time=created, update_time=created,
                              _id=doc.id))
        rels.add(doc.id, dict(relation_pairs=pairs, count=len(pairs), create_time=created, update_time=created,
                              _id=doc.id))
    ents.close()
    rels.close()

    kv = KVWriter(os.path.join(folder, 'kv_store_entity_chunks.json'))
    for vid, name, props, content, sources in wd.entities():
        kv.add(name, dict(chunk_ids=sources, count=len(sources), create_time=created, update_time=created, _id=name))
    kv.close()
    kv = KVWriter(os.path.join(folder, 'kv_store_relation_chunks.json'))
    for vid, src, tgt, props, content, sources in wd.relations():
        key = src + dataset.GRAPH_FIELD_SEP + tgt
        kv.add(key, dict(chunk_ids=sources, count=len(sources), create_time=created, update_time=created, _id=key))
    kv.close()

    _write_graphml(os.path.join(folder, 'graph_chunk_entity_relation.graphml'), wd)

    _write_vdb(os.path.join(folder, 'vdb_entities.json'),
               (dict(__id__=vid, __created_at__=created, entity_name=name, source_id=props['source_id'],
                     content=content, file_path=props['file_path'])
                for vid, name, props, content, sources in wd.entities()),
               wd.vectors('entities', ws.entities))
    _write_vdb(os.path.join(folder, 'vdb_relationships.json'),
               (dict(__id__=vid, __created_at__=created, src_id=src, tgt_id=tgt, source_id=props['source_id'],
                     content=content, file_path=props['file_path'])
                for vid, src, tgt, props, content, sources in wd.relations()),
               wd.vectors('relationships', ws.relations))


def write_all(root, spec, log=None):
    text = dataset.Text(spec)
    for ws in dataset.workspaces(spec):
        write_workspace(root, dataset.WorkspaceData(spec, ws, text))

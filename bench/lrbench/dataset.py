"""The benchmark's customer: deterministic LightRAG-shaped content.

Everything here is a pure function of (Spec, workspace index), so the
PostgreSQL loader and the file-store writer, running in two processes, produce
the same documents, chunks, entities, relations and the same vectors.

Shapes follow LightRAG 1.5.7's writers (lightrag/operate.py, pipeline.py,
kg/postgres_impl.py): ids from compute_mdhash_id ('doc-', 'chunk-', 'ent-',
'rel-', 'dup-' + md5), relation pairs stored as (min, max), entity and relation
descriptions as the LLM merge leaves them, one vector per chunk, entity and
relation (random unit vectors of the embedding dimension).
"""

import dataclasses
import datetime
import hashlib

import numpy as np

from seed import MODEL_A, mdhash  # tests/integration/modules: LightRAG's id scheme

GRAPH_FIELD_SEP = '<SEP>'          # lightrag/constants.py
MODEL_NAME = 'jinaai/jina-embeddings-v2-base-code'
TABLE_SUFFIX, DIM = MODEL_A        # ('jinaai_jina_embeddings_v2_base_code_768d', 768)
VECTOR_BATCH = 4096

ENTITY_TYPES = ('function', 'class', 'method', 'module', 'variable', 'interface', 'constant', 'package')
_WORDS = ('request', 'handler', 'service', 'payload', 'cache', 'index', 'worker', 'queue', 'token',
          'session', 'config', 'schema', 'router', 'client', 'buffer', 'stream', 'parser', 'model',
          'vector', 'graph', 'entity', 'relation', 'chunk', 'document', 'storage', 'lock', 'retry',
          'timeout', 'batch', 'upsert', 'query', 'result', 'error', 'status', 'pipeline', 'embedding')
_KEYWORDS = ('calls', 'imports', 'inherits from', 'depends on', 'configures', 'returns', 'wraps',
             'validates', 'reads', 'writes', 'instantiates', 'overrides')


@dataclasses.dataclass(frozen=True)
class Spec:
    workspaces: int
    entities: int
    relations: int
    chunks: int
    chunks_per_doc: int = 10
    chunk_chars: int = 3600        # ~1200 tokens of code, LightRAG's default chunk_token_size
    zipf: float = 0.7              # workspace i gets a share proportional to 1 / i**zipf
    seed: int = 20251203

    def as_dict(self):
        return dataclasses.asdict(self)


def _rng(spec, *parts):
    digest = hashlib.sha256(repr((spec.seed,) + parts).encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], 'little'))


def _allocate(total, weights, minimum):
    """Integers proportional to weights, each >= minimum, summing to total (largest remainder)."""
    n = len(weights)
    spare = total - minimum * n
    if spare < 0:
        raise ValueError('%d rows cannot give %d workspaces %d each' % (total, n, minimum))
    exact = [spare * w / sum(weights) for w in weights]
    counts = [int(x) for x in exact]
    order = sorted(range(n), key=lambda i: exact[i] - counts[i], reverse=True)
    for i in order[:spare - sum(counts)]:
        counts[i] += 1
    return [c + minimum for c in counts]


@dataclasses.dataclass
class Workspace:
    index: int
    name: str
    entities: int
    relations: int
    chunks: int
    docs: int
    ts: datetime.datetime      # naive UTC, as LightRAG stores it


def workspaces(spec):
    weights = [1.0 / (i + 1) ** spec.zipf for i in range(spec.workspaces)]
    entities = _allocate(spec.entities, weights, 8)
    chunks = _allocate(spec.chunks, weights, 2)
    # Relations follow entities: the same ratio in every workspace.
    relations = _allocate(spec.relations, entities, 0)
    base = datetime.datetime(2025, 6, 1, 8, 0, 0)
    result = []
    for i in range(spec.workspaces):
        rel = relations[i]
        if -(-rel // entities[i]) > (entities[i] - 1) // 2:   # see Graph
            raise ValueError('workspace %d: %d relations do not fit %d entities' % (i, rel, entities[i]))
        result.append(Workspace(
            index=i, name='cust_%03d_repo' % i, entities=entities[i], relations=rel, chunks=chunks[i],
            docs=max(1, -(-chunks[i] // spec.chunks_per_doc)),
            ts=base + datetime.timedelta(hours=i)))
    return result


# ---------------------------------------------------------------- documents


def doc_status_of(j):
    """Mostly processed, a few failed / pending / still processing."""
    r = j % 200
    return {0: 'failed', 1: 'pending', 2: 'processing'}.get(r, 'processed')


@dataclasses.dataclass
class Doc:
    id: str
    file_path: str
    status: str
    chunk_ids: list
    content_length: int = 0
    duplicate_of: str = None   # set for the 'dup-' rows LightRAG writes for a rejected re-upload


def documents(spec, ws):
    """Documents with their chunk ids, then the duplicate-marker rows (not documents)."""
    docs = []
    for j in range(ws.docs):
        path = 'src/pkg%02d/module_%05d.py' % (j % 37, j)
        docs.append(Doc(id=mdhash('%s/%s' % (ws.name, path), 'doc-'), file_path=path,
                        status=doc_status_of(j), chunk_ids=[]))
    processed = [d for d in docs if d.status == 'processed'] or docs[:1]
    if processed[0].status != 'processed':
        processed[0].status = 'processed'
    for c in range(ws.chunks):
        doc = processed[c % len(processed)]
        doc.chunk_ids.append(mdhash('%s/%s/%d' % (ws.name, doc.id, len(doc.chunk_ids)), 'chunk-'))
    dups = []
    for k, doc in enumerate(processed[::100]):
        dups.append(Doc(id=mdhash('%s-insert_%d-%d-%s' % (doc.id, k, k, doc.file_path), 'dup-'),
                        file_path=doc.file_path, status='failed', chunk_ids=[], duplicate_of=doc.id))
    return docs, dups


class Text(object):
    """Code-like text from a fixed pool of lines: cheap to build, and realistic to compress."""

    def __init__(self, spec):
        rng = _rng(spec, 'lines')
        words = np.array(_WORDS)
        self.lines = []
        for k in range(509):
            w = words[rng.integers(0, len(words), 12)]
            self.lines.append('    def %s_%s(self, %s, %s=None):  # %s %s %s %s %s %s %s %d' % (
                w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7], w[8], w[9], w[10], k))
        self.line_len = sum(len(x) + 1 for x in self.lines) / len(self.lines)
        self.per_chunk = max(1, int(spec.chunk_chars / self.line_len))
        self.sentences = ['The %s %s %s the %s %s when the %s %s is %s.' % tuple(
            words[rng.integers(0, len(words), 8)]) for _ in range(257)]

    def chunk(self, ws_index, doc_index, order):
        start = (ws_index * 7919 + doc_index * 104729 + order * 31) % len(self.lines)
        body = [self.lines[(start + t * 13) % len(self.lines)] for t in range(self.per_chunk)]
        return '# chunk %d of document %d\n%s' % (order, doc_index, '\n'.join(body))

    def description(self, key, sentences=3):
        return ' '.join(self.sentences[(key * 7 + s * 101) % len(self.sentences)] for s in range(sentences))


def chunks(spec, ws, docs, text):
    """(chunk_id, doc, order, content, tokens) in chunk order of the workspace."""
    for j, doc in enumerate(docs):
        for order, chunk_id in enumerate(doc.chunk_ids):
            content = text.chunk(ws.index, j, order)
            yield chunk_id, doc, order, content, len(content) // 3


def doc_contents(spec, ws, docs, text):
    for j, doc in enumerate(docs):
        yield doc, '\n'.join(text.chunk(ws.index, j, order) for order in range(len(doc.chunk_ids)))


# ---------------------------------------------------------------- graph


def entity_name(ws, i):
    w = _WORDS
    return '%s%s_%s.%s%d' % (w[i % 36].capitalize(), w[(i // 36) % 36].capitalize(),
                              ENTITY_TYPES[i % 8], w[(i * 7) % 36], i)


class Graph(object):
    """Entities 0..E-1 and R unique undirected relations: relation j links node
    j % E to node (j % E + d) % E with an offset d < E/2 that differs per round
    j // E, so no pair repeats in either direction."""

    def __init__(self, spec, ws, all_chunk_ids, processed_docs):
        self.ws = ws
        e = ws.entities
        self.names = [entity_name(ws, i) for i in range(e)]
        rng = _rng(spec, ws.name, 'graph')
        half = (e - 1) // 2
        rounds = -(-ws.relations // e)
        base = rng.integers(0, half, e)
        j = np.arange(ws.relations)
        node = j % e
        offset = 1 + (base[node] + j // e) % half
        self.src = node
        self.tgt = (node + offset) % e
        assert rounds <= half
        n_chunks = len(all_chunk_ids)
        self.chunk_ids = all_chunk_ids
        self.entity_chunk = rng.integers(0, n_chunks, e)     # first chunk mentioning the entity
        self.relation_chunk = rng.integers(0, n_chunks, ws.relations)
        self.entity_doc = np.arange(e) % len(processed_docs)  # document that introduced it
        self.relation_doc = self.src % len(processed_docs)
        self.created = int((ws.ts - datetime.datetime(1970, 1, 1)).total_seconds())

    def entity_sources(self, i):
        a = self.chunk_ids[self.entity_chunk[i]]
        b = self.chunk_ids[(self.entity_chunk[i] + 1) % len(self.chunk_ids)]
        return [a] if a == b or i % 3 else [a, b]

    def pair(self, j):
        a, b = self.names[self.src[j]], self.names[self.tgt[j]]
        return (a, b) if a <= b else (b, a)   # PGTableGraphStorage stores (min, max)

    def relation_sources(self, j):
        return [self.chunk_ids[self.relation_chunk[j]]]


def entities(spec, ws, graph, text, file_paths):
    """(vdb id, name, node properties, vdb content, chunk ids) per entity."""
    for i, name in enumerate(graph.names):
        sources = graph.entity_sources(i)
        description = text.description(i, 2 + i % 3)
        props = dict(entity_id=name, entity_type=ENTITY_TYPES[i % 8], description=description,
                     source_id=GRAPH_FIELD_SEP.join(sources), file_path=file_paths[graph.entity_doc[i]],
                     created_at=graph.created, truncate='')
        yield mdhash(name, 'ent-'), name, props, '%s\n%s' % (name, description), sources


def relations(spec, ws, graph, text, file_paths):
    """(vdb id, src, tgt, edge properties, vdb content, chunk ids) per relation."""
    for j in range(ws.relations):
        src, tgt = graph.pair(j)
        sources = graph.relation_sources(j)
        keywords = '%s, %s' % (_KEYWORDS[j % 12], _KEYWORDS[(j // 12) % 12])
        description = text.description(j + 17, 1 + j % 2)
        props = dict(weight=1.0 + j % 3, description=description, keywords=keywords,
                     source_id=GRAPH_FIELD_SEP.join(sources), file_path=file_paths[graph.relation_doc[j]],
                     created_at=graph.created, truncate='')
        content = '%s\t%s\n%s\n%s' % (keywords, src, tgt, description)
        yield mdhash(src + tgt, 'rel-'), src, tgt, props, content, sources


def vectors(spec, ws, store, count):
    """Random unit vectors, float32, in batches; the same for every caller."""
    rng = _rng(spec, ws.name, 'vectors', store)
    for start in range(0, count, VECTOR_BATCH):
        n = min(VECTOR_BATCH, count - start)
        batch = rng.standard_normal((n, DIM), dtype=np.float32)
        batch /= np.linalg.norm(batch, axis=1, keepdims=True)
        yield batch


class WorkspaceData(object):
    """Everything of one workspace, computed lazily and identically in every process."""

    def __init__(self, spec, ws, text):
        self.spec, self.ws, self.text = spec, ws, text
        self.docs, self.dups = documents(spec, ws)
        self.processed = [d for d in self.docs if d.status == 'processed']
        self.chunk_ids = [c for d in self.docs for c in d.chunk_ids]
        self.graph = Graph(spec, ws, self.chunk_ids, self.processed)
        self.file_paths = [d.file_path for d in self.processed]

    def chunks(self):
        return chunks(self.spec, self.ws, self.docs, self.text)

    def doc_contents(self):
        return doc_contents(self.spec, self.ws, self.docs, self.text)

    def entities(self):
        return entities(self.spec, self.ws, self.graph, self.text, self.file_paths)

    def relations(self):
        return relations(self.spec, self.ws, self.graph, self.text, self.file_paths)

    def vectors(self, store, count):
        return vectors(self.spec, self.ws, store, count)

    def doc_entity_lists(self):
        """Per processed document: entity names and relation pairs it introduced
        (LightRAG's full_entities / full_relations)."""
        names = [[] for _ in self.processed]
        pairs = [[] for _ in self.processed]
        for i, name in enumerate(self.graph.names):
            names[self.graph.entity_doc[i]].append(name)
        for j in range(self.ws.relations):
            pairs[self.graph.relation_doc[j]].append(list(self.graph.pair(j)))
        return list(zip(self.processed, names, pairs))

    def expected(self):
        statuses = {}
        for d in self.docs:
            statuses[d.status] = statuses.get(d.status, 0) + 1
        return dict(documents=len(self.docs), duplicates=len(self.dups), chunks=self.ws.chunks,
                    entities=self.ws.entities, relations=self.ws.relations, statuses=statuses)

# -*- coding: utf-8 -*-
# Copyright: (c) 2025, LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)
"""Count what LightRAG 1.5.7's file storage holds, with the standard library only.

The managed host has neither networkx nor numpy, and a customer's files can be
gigabytes, so nothing here loads a whole file: JSON stores are decoded one
top-level member at a time, GraphML is parsed as a stream. Peak memory is one
read buffer plus the largest single member (one document, one chunk), whatever
the size of the file.

Layout (lightrag/kg/*_impl.py, __post_init__): <working_dir>/<workspace>/ holds
graph_<namespace>.graphml (NetworkXStorage), kv_store_<namespace>.json
(JsonKVStorage, JsonDocStatusStorage) and vdb_<namespace>.json
(NanoVectorDBStorage); with an empty workspace the files sit in working_dir.
"""

import datetime
import json
import os
import re
from xml.etree import ElementTree

# DocStatus values of LightRAG 1.5.7 (lightrag/base.py); the same list as
# workspace_report.DOC_STATUSES, which is not imported so that this module needs
# no PostgreSQL code (tests check the two agree).
DOC_STATUSES = ['pending', 'parsing', 'analyzing', 'processing', 'preprocessed', 'processed', 'failed']

# PostgreSQL storages name the empty workspace 'default' (postgres_impl.py,
# pgtable_impl.py); the files LightRAG keeps directly in working_dir are that workspace.
ROOT_WORKSPACE = 'default'

GRAPH = 'graph_chunk_entity_relation.graphml'
DOC_STATUS = 'kv_store_doc_status.json'
TEXT_CHUNKS = 'kv_store_text_chunks.json'
FULL_DOCS = 'kv_store_full_docs.json'
LLM_CACHE = 'kv_store_llm_response_cache.json'
VDB_FILES = (('chunks', 'vdb_chunks.json'), ('entities', 'vdb_entities.json'),
             ('relationships', 'vdb_relationships.json'))
# The files a workspace is expected to have, in the order missing_files lists them.
EXPECTED_FILES = [GRAPH, DOC_STATUS, TEXT_CHUNKS, FULL_DOCS, LLM_CACHE] + [name for _key, name in VDB_FILES]

# Spellings of a true is_duplicate, as workspace_counts accepts them in PostgreSQL.
_TRUE_TEXT = ('true', 't', 'yes', 'y', 'on', '1')
_WS = re.compile(r'[ \t\n\r]*')
_DECODER = json.JSONDecoder()
_CHUNK = 1 << 20   # characters per read


class EmptyStore(ValueError):
    """An empty or blank file: LightRAG's load_json treats it as missing."""


def is_storage_file(name):
    """A file one of LightRAG's file storages writes (not its *.tmp.* siblings)."""
    return (((name.startswith('kv_store_') or name.startswith('vdb_')) and name.endswith('.json'))
            or (name.startswith('graph_') and name.endswith('.graphml')))


def _holds_storage(folder):
    return any(is_storage_file(name) and os.path.isfile(os.path.join(folder, name))
               for name in os.listdir(folder))


def find_workspaces(root, warn=None):
    """[(workspace, folder)]: working_dir itself if it holds storage files, then
    every sub-folder that does (a workspace is one path component, utils.validate_workspace)."""
    warn = warn or (lambda msg: None)
    found = []
    names = sorted(os.listdir(root))
    if _holds_storage(root):
        found.append((ROOT_WORKSPACE, root))
    for name in names:
        folder = os.path.join(root, name)
        if not os.path.isdir(folder):
            continue
        try:
            holds = _holds_storage(folder)
        except OSError as exc:
            warn('cannot list %s: %s' % (folder, exc))
            continue
        if holds:
            found.append((name, folder))
    if found and found[0][1] == root and any(name == ROOT_WORKSPACE for name, folder in found[1:]):
        warn('%s and its folder %s/ both hold LightRAG files; PostgreSQL storage calls both %r'
             % (root, ROOT_WORKSPACE, ROOT_WORKSPACE))
    return found


class _Stream(object):
    """A text file read in chunks, with a position; consumed text is dropped."""

    def __init__(self, handle):
        self.handle = handle
        self.buf = ''
        self.pos = 0
        self.dropped = 0   # characters before buf, for error positions
        self.eof = False

    def more(self, at_least=0):
        if self.eof:
            return False
        if self.pos > _CHUNK:
            self.dropped += self.pos
            self.buf = self.buf[self.pos:]
            self.pos = 0
        data = self.handle.read(max(_CHUNK, at_least))
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def peek(self):
        """Next character after white space, '' at the end of the file."""
        while True:
            self.pos = _WS.match(self.buf, self.pos).end()
            if self.pos < len(self.buf) or not self.more():
                return self.buf[self.pos:self.pos + 1]

    def expect(self, chars):
        found = self.peek()
        if not found or found not in chars:
            raise ValueError('expected %s at character %d, found %s'
                             % (' or '.join(repr(c) for c in chars), self.dropped + self.pos,
                                repr(found) if found else 'the end of the file'))
        self.pos += 1
        return found

    def value(self):
        """Decode the JSON value at the position, reading on until it is complete."""
        while True:
            try:
                value, end = _DECODER.raw_decode(self.buf, self.pos)
            except ValueError:
                value, end = None, None
            # A number that ends the buffer may go on in the next read.
            if end is not None and (end < len(self.buf) or self.eof):
                self.pos = end
                return value
            # Read at least as much again as the value has so far, so a large
            # member is re-decoded a few times, not once per chunk.
            if not self.more(len(self.buf) - self.pos):
                if end is not None:
                    self.pos = end
                    return value
                try:
                    _DECODER.raw_decode(self.buf, self.pos)
                except ValueError as exc:
                    raise ValueError('invalid JSON at character %d: %s' % (self.dropped + self.pos, exc))


def iter_members(path):
    """Yield (key, value) of the JSON object in a file, one member at a time.

    Same reading as lightrag.utils.load_json (utf-8-sig, blank file = missing),
    but memory stays at one member. A key written twice is yielded twice
    (json.load would keep the last); LightRAG's json.dump never writes one.
    """
    with open(path, encoding='utf-8-sig') as handle:
        stream = _Stream(handle)
        if not stream.peek():
            raise EmptyStore('%s is empty' % path)
        stream.expect('{')
        if stream.peek() == '}':
            stream.pos += 1
        else:
            while True:
                if stream.peek() != '"':
                    stream.expect('"')   # raises: a key is a string
                key = stream.value()
                stream.expect(':')
                stream.peek()
                yield key, stream.value()
                if stream.expect(',}') == '}':
                    break
        if stream.peek():
            raise ValueError('extra data after the JSON object at character %d' % (stream.dropped + stream.pos))


# --- Layout scans (exact=false) ------------------------------------------------
# lightrag.utils.write_json is json.dump(indent=2): every top-level key, and only
# a top-level key, starts a line with exactly two spaces (newlines inside strings
# are escaped). The scan counts those lines without decoding anything.

_INDENT2_START = re.compile(rb'(?:\xef\xbb\xbf)?[ \t\r\n]*\{\r?\n  "')
_TOP_KEY = re.compile(rb'\n  "((?:[^"\\\n]|\\.){0,1024})"[ \t]*:')
_OVERLAP = 4096


def _indent2_layout(path):
    """True when the file starts the way json.dump(indent=2) writes a non-empty object."""
    with open(path, 'rb') as handle:
        head = handle.read(64)
    if not head.strip(b' \t\r\n\xef\xbb\xbf'):
        raise EmptyStore('%s is empty' % path)
    return bool(_INDENT2_START.match(head))


def _scan_top_keys(path):
    """Yield the raw (UTF-8, JSON-escaped) top-level keys of an indent=2 file.

    Bytes, not text: nothing is decoded but the keys (a multi-byte UTF-8 sequence
    never contains the ASCII bytes the pattern looks for)."""
    with open(path, 'rb') as handle:
        tail = b''
        while True:
            data = handle.read(_CHUNK)
            text = tail + data
            limit = len(text) if not data else len(text) - _OVERLAP
            for match in _TOP_KEY.finditer(text):
                if match.start() >= limit:
                    break
                yield match.group(1)
            if not data:
                return
            tail = text[max(limit, 0):]


def _key_text(raw):
    text = raw.decode('utf-8', 'replace')
    try:
        return json.loads('"%s"' % text)
    except ValueError:
        return text


def count_keys(path, exact=True):
    """Members of a kv_store file; (count, estimated)."""
    if not exact and _indent2_layout(path):
        return sum(1 for _key in _scan_top_keys(path)), True
    return sum(1 for _member in iter_members(path)), False


# --- Stores ----------------------------------------------------------------------

def parse_time(value):
    """LightRAG's ISO 8601 text (datetime.now(timezone.utc).isoformat()) as aware UTC."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        try:
            return datetime.datetime.fromtimestamp(value, datetime.timezone.utc)
        except (ValueError, OverflowError, OSError):
            return None
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.endswith('Z'):   # fromisoformat reads 'Z' only from Python 3.11 on
        text = text[:-1] + '+00:00'
    try:
        moment = datetime.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone.utc)
    return moment.astimezone(datetime.timezone.utc)


def is_duplicate(doc_id, row):
    """The rule workspace_counts applies in PostgreSQL: metadata.is_duplicate (a rejected
    re-upload's 'dup-...' row, or a primary demoted by source-conflict repair), or a
    'failed' row whose id starts with 'dup-'."""
    metadata = row.get('metadata')
    if isinstance(metadata, dict) and str(metadata.get('is_duplicate')).lower() in _TRUE_TEXT:
        return True
    return row.get('status') == 'failed' and str(doc_id).startswith('dup-')


def read_doc_status(path):
    """{statuses, duplicates, last_update} of kv_store_doc_status.json.

    last_update is the newest updated_at (created_at when missing) of any row,
    duplicates included, as workspace_stats takes max(updated_at) over the table."""
    statuses, duplicates, last = {}, 0, None
    for doc_id, row in iter_members(path):
        if not isinstance(row, dict):
            row = {}
        if is_duplicate(doc_id, row):
            duplicates += 1
        else:
            status = row.get('status')
            key = status if isinstance(status, str) and status else 'unknown'
            statuses[key] = statuses.get(key, 0) + 1
        moment = parse_time(row.get('updated_at', row.get('created_at')))
        if moment is not None and (last is None or moment > last):
            last = moment
    return dict(statuses=statuses, duplicates=duplicates, last_update=last)


def _cache_type(key, entry):
    if isinstance(entry, dict) and isinstance(entry.get('cache_type'), str) and entry['cache_type']:
        return entry['cache_type']
    parts = key.split(':', 2)   # utils.generate_cache_key: {mode}:{cache_type}:{hash}
    return parts[1] if len(parts) == 3 and parts[1] else 'unknown'


def _is_legacy_mode(value):
    """The nested layout before flattened keys: {mode: {hash: {return, ...}}}
    (json_kv_impl._migrate_legacy_cache_structure), still migrated on load."""
    return (isinstance(value, dict) and bool(value)
            and all(isinstance(v, dict) and 'return' in v for v in value.values()))


def read_llm_cache(path, exact=True):
    """({cache_type: entries}, estimated) of kv_store_llm_response_cache.json."""
    by_type = {}
    if not exact and _indent2_layout(path):
        raw_types = {}   # counted by the raw bytes, decoded once at the end
        for raw in _scan_top_keys(path):
            parts = raw.split(b':', 2)
            if len(parts) != 3:
                raw_types = None   # a legacy mode key: only decoding can tell its entries
                break
            raw_types[parts[1]] = raw_types.get(parts[1], 0) + 1
        if raw_types is not None:
            for raw, count in raw_types.items():
                kind = _key_text(raw) or 'unknown'
                by_type[kind] = by_type.get(kind, 0) + count
            return by_type, True
    for key, value in iter_members(path):
        if ':' not in key and _is_legacy_mode(value):
            for entry in value.values():
                kind = entry.get('cache_type') or 'extract'   # the migration's default
                by_type[kind] = by_type.get(kind, 0) + 1
        else:
            kind = _cache_type(key, value)
            by_type[kind] = by_type.get(kind, 0) + 1
    return by_type, False


# --- GraphML ---------------------------------------------------------------------

def _local(tag):
    return tag.rsplit('}', 1)[-1]


def count_graph(path):
    """(nodes, edges) of a GraphML file, as networkx.read_graphml would count them.

    NetworkXStorage writes an undirected nx.Graph with nx.write_graphml: one
    <node> per node and one <edge> per edge in the first <graph>. Elements are
    cleared as soon as they are counted, so memory does not grow with the graph.
    Nodes that only appear in an edge (networkx would add them) are not counted.
    """
    nodes = edges = 0
    depth = 0
    graph = None        # the first top-level <graph>, the one read_graphml returns
    graph_depth = None
    done = False
    for event, elem in ElementTree.iterparse(path, events=('start', 'end')):
        if event == 'start':
            depth += 1
            if graph is None and not done and depth == 2 and _local(elem.tag) == 'graph':
                graph, graph_depth = elem, depth
            continue
        depth -= 1
        name = _local(elem.tag)
        if graph is not None:
            if name == 'node':
                nodes += 1
            elif name == 'edge':
                edges += 1
            elif elem is graph:
                graph, done = None, True
            if depth == graph_depth and elem is not graph:
                # A child of the graph is complete: drop it and its data.
                elem.clear()
                graph.remove(elem)
        else:
            elem.clear()   # <key>s, and any graph after the first: not counted
    return nodes, edges


_NODE_TAG = re.compile(rb'<(?:[A-Za-z_][\w.-]{0,32}:)?(node|edge)[\s/>]')


def scan_graph(path):
    """(nodes, edges) from the element tags alone, for exact=false: networkx escapes
    '<' in every value, so each '<node' / '<edge' starts an element."""
    nodes = edges = 0
    with open(path, 'rb') as handle:
        tail = b''
        while True:
            data = handle.read(_CHUNK)
            text = tail + data
            limit = len(text) if not data else len(text) - 64
            for match in _NODE_TAG.finditer(text):
                if match.start() >= limit:
                    break
                if match.group(1) == b'node':
                    nodes += 1
                else:
                    edges += 1
            if not data:
                return nodes, edges
            tail = text[max(limit, 0):]


# --- Vector stores ---------------------------------------------------------------

_DIM_HEAD = re.compile(r'[ \t\r\n]*\{[ \t\r\n]*"embedding_dim"[ \t\r\n]*:[ \t\r\n]*(\d+)[ \t\r\n]*[,}]')


def read_embedding_dim(path):
    """embedding_dim of a vdb_*.json file (NanoVectorDB.save: {embedding_dim, data, matrix}).

    NanoVectorDB writes embedding_dim first, so the file's first bytes tell; the
    vectors (base64 in matrix, zlib'd in each record) are never read. Otherwise
    the members are decoded until embedding_dim appears."""
    with open(path, encoding='utf-8-sig') as handle:
        head = handle.read(256)
    if not head.strip():
        raise EmptyStore('%s is empty' % path)
    match = _DIM_HEAD.match(head)
    if match:
        return int(match.group(1))
    for key, value in iter_members(path):
        if key == 'embedding_dim':
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            raise ValueError('embedding_dim is not a number: %r' % (value,))
    raise ValueError('no embedding_dim in %s' % path)


# --- A workspace -----------------------------------------------------------------

def _empty_workspace(name, folder):
    return dict(
        workspace=name, path=folder,
        documents=0, chunks=0, entities=0, relations=0,
        doc_status=dict((s, 0) for s in DOC_STATUSES + ['duplicates']),
        last_update=None, full_docs=0,
        llm_cache=dict(entries=0, by_type={}),
        embedding_dim=None, embedding_dims=dict((key, None) for key, _name in VDB_FILES),
        missing_files=[], errors={}, estimated=False,
    )


def read_workspace(name, folder, exact=True, warn=None):
    """Every figure of one workspace; a missing, empty or unreadable file counts 0."""
    warn = warn or (lambda msg: None)
    ws = _empty_workspace(name, folder)

    def read(file_name, func):
        path = os.path.join(folder, file_name)
        if not os.path.isfile(path):
            ws['missing_files'].append(file_name)
            return None
        try:
            return func(path)
        except EmptyStore:
            ws['missing_files'].append(file_name)   # LightRAG starts it afresh, as if missing
        except Exception as exc:  # one broken file must not hide the others
            ws['errors'][file_name] = str(exc)
            warn('workspace %r: cannot read %s: %s' % (name, file_name, exc))
        return None

    graph = read(GRAPH, count_graph if exact else scan_graph)
    if graph is not None:
        ws['entities'], ws['relations'] = graph
        ws['estimated'] = ws['estimated'] or not exact

    status = read(DOC_STATUS, read_doc_status)
    if status is not None:
        ws['doc_status'].update(status['statuses'])
        ws['doc_status']['duplicates'] = status['duplicates']
        ws['documents'] = sum(status['statuses'].values())
        ws['last_update'] = status['last_update'].isoformat() if status['last_update'] else None

    for file_name, field in ((TEXT_CHUNKS, 'chunks'), (FULL_DOCS, 'full_docs')):
        counted = read(file_name, lambda path: count_keys(path, exact))
        if counted is not None:
            ws[field] = counted[0]
            ws['estimated'] = ws['estimated'] or counted[1]

    cache = read(LLM_CACHE, lambda path: read_llm_cache(path, exact))
    if cache is not None:
        ws['llm_cache'] = dict(entries=sum(cache[0].values()), by_type=dict(sorted(cache[0].items())))
        ws['estimated'] = ws['estimated'] or cache[1]

    for key, file_name in VDB_FILES:
        ws['embedding_dims'][key] = read(file_name, read_embedding_dim)
    dims = set(d for d in ws['embedding_dims'].values() if d is not None)
    if len(dims) == 1:
        ws['embedding_dim'] = dims.pop()
    elif dims:
        warn('workspace %r: its vector files disagree on the embedding dimension: %s'
             % (name, ', '.join('%s=%s' % kv for kv in sorted(ws['embedding_dims'].items()) if kv[1] is not None)))

    # Same order as workspace_stats: the seven states, unknown ones, then duplicates.
    ordered = dict((s, ws['doc_status'][s]) for s in DOC_STATUSES)
    ordered.update((k, v) for k, v in sorted(ws['doc_status'].items()) if k not in ordered and k != 'duplicates')
    ordered['duplicates'] = ws['doc_status']['duplicates']
    ws['doc_status'] = ordered
    return ws


def totals(workspaces):
    """Sums over the workspaces; the keys of workspace_report.totals plus the file-only ones."""
    result = dict(workspaces=len(workspaces), documents=0, chunks=0, entities=0, relations=0,
                  doc_status=dict((s, 0) for s in DOC_STATUSES + ['duplicates']),
                  full_docs=0, llm_cache=dict(entries=0, by_type={}))
    for ws in workspaces:
        for key in ('documents', 'chunks', 'entities', 'relations', 'full_docs'):
            result[key] += ws[key]
        for status, count in ws['doc_status'].items():
            result['doc_status'][status] = result['doc_status'].get(status, 0) + count
        result['llm_cache']['entries'] += ws['llm_cache']['entries']
        for kind, count in ws['llm_cache']['by_type'].items():
            result['llm_cache']['by_type'][kind] = result['llm_cache']['by_type'].get(kind, 0) + count
    result['llm_cache']['by_type'] = dict(sorted(result['llm_cache']['by_type'].items()))
    return result

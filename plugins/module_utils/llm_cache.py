# -*- coding: utf-8 -*-
# Copyright: (c) 2025, LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)
"""Read LightRAG's file LLM cache and turn its entries into LIGHTRAG_LLM_CACHE rows.

How LightRAG 1.5.7 keeps the cache (the contract this file follows):

- JsonKVStorage stores the namespace `llm_response_cache` in
  `<working_dir>/[<workspace>/]kv_store_llm_response_cache.json`, one JSON object
  keyed `{mode}:{cache_type}:{hash}` (utils.generate_cache_key). A value, as
  utils.save_to_cache and JsonKVStorage.upsert write it, holds `return`,
  `cache_type`, `chunk_id`, `original_prompt`, `queryparam`, `create_time`,
  `update_time` (epoch seconds) and `_id`.
- A lookup (utils.handle_cache) reads exactly that key in the workspace, so a row
  is reused when its id is the file's key, unchanged.
- PGKVStorage.upsert stores (workspace, id, original_prompt, return_value,
  chunk_id, cache_type, queryparam); its read path maps `return_value` back to
  `return` and the timestamps to epoch seconds.

No driver and no Ansible here: this part is unit-tested on its own.
"""

import collections
import hashlib
import json
import math
import re

CACHE_FILE_NAME = 'kv_store_llm_response_cache.json'

# Column sizes of LightRAG 1.5.7's LIGHTRAG_LLM_CACHE (varchar counts characters).
ID_MAX_CHARS = 255
CHUNK_ID_MAX_CHARS = 255
CACHE_TYPE_MAX_CHARS = 32
WORKSPACE_MAX_CHARS = 255

# A timestamp column holds years 1..9999; anything else is not a real time.
_MAX_EPOCH = 253402300799

MALFORMED_REPORTED = 20     # at most this many examples in the result
KEY_REPORTED_CHARS = 120    # a key shown in the result is cut to this length

# One cache entry as it will be stored. `cache_type` is the key's own type (what
# lookups use and what `cache_types` selects); `stored_cache_type` is the column.
CacheRow = collections.namedtuple('CacheRow', [
    'id', 'cache_type', 'original_prompt', 'return_value', 'chunk_id',
    'stored_cache_type', 'queryparam', 'create_time', 'update_time'])


class CacheFileError(Exception):
    pass


def read_cache_file(path):
    """The file's top-level object.

    Like LightRAG's load_json: UTF-8 with or without BOM, and an empty or blank
    file is an empty cache, not an error.
    """
    try:
        with open(path, 'rb') as handle:
            raw = handle.read()
    except (IOError, OSError) as exc:
        raise CacheFileError('cannot read %s: %s' % (path, exc))
    try:
        text = raw.decode('utf-8-sig')
    except UnicodeDecodeError as exc:
        raise CacheFileError('%s is not UTF-8 text: %s' % (path, exc))
    if not text.strip():
        return {}
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise CacheFileError('%s is not valid JSON: %s' % (path, exc))
    if not isinstance(data, dict):
        raise CacheFileError('%s holds a JSON %s, not an object of cache entries'
                             % (path, type(data).__name__))
    return data


def workspace_problem(workspace):
    """Why LightRAG could never use this workspace name, or None."""
    if not workspace:
        return 'workspace must not be empty (a server started without WORKSPACE stores "default")'
    if len(workspace) > WORKSPACE_MAX_CHARS:
        return 'workspace is longer than %d characters' % WORKSPACE_MAX_CHARS
    # utils.validate_workspace, which PGKVStorage runs too.
    if '/' in workspace or '\\' in workspace or workspace in ('.', '..'):
        return "workspace must not contain '/' or '\\' nor be '.' or '..'"
    return _text_problem(workspace)


def server_workspace(workspace):
    """The name lightrag-server stores for WORKSPACE (api/config.py): every
    character outside [a-zA-Z0-9_] (so every non-ASCII one too) becomes '_'."""
    return re.sub(r'[^a-zA-Z0-9_]', '_', workspace)


def split_key(key):
    """(mode, cache_type, hash) of a flattened key, or None."""
    parts = key.split(':', 2)
    if len(parts) != 3 or not all(parts):
        return None
    return tuple(parts)


def _legacy_group(key, value):
    # Before flattened keys LightRAG kept {mode: {hash: entry}}; JsonKVStorage
    # flattens such groups when it loads the file (_migrate_legacy_cache_structure).
    return (':' not in key and isinstance(value, dict) and bool(value)
            and all(isinstance(entry, dict) and 'return' in entry for entry in value.values()))


def flatten_entries(data):
    """{key: value} with legacy nested groups flattened the way LightRAG does it."""
    flat = collections.OrderedDict()
    for key, value in data.items():
        if _legacy_group(key, value):
            for hash_value, entry in value.items():
                cache_type = entry.get('cache_type', 'extract')
                flat['%s:%s:%s' % (key, cache_type, hash_value)] = entry
        else:
            flat[key] = value
    return flat


def _text_problem(text):
    """Why PostgreSQL could not store this text, or None."""
    if '\x00' in text:
        return 'contains a NUL character (PostgreSQL text cannot hold it)'
    try:
        text.encode('utf-8')
    except UnicodeEncodeError:
        return 'contains a lone surrogate (not valid Unicode)'
    return None


def _json_problem(value):
    """The first problem of any string (keys included) in a JSON value, or None."""
    if isinstance(value, str):
        return _text_problem(value)
    if isinstance(value, dict):
        for key, item in value.items():
            problem = _text_problem(key) or _json_problem(item)
            if problem:
                return problem
    elif isinstance(value, list):
        for item in value:
            problem = _json_problem(item)
            if problem:
                return problem
    return None


def _epoch(value):
    """Whole epoch seconds, or None when the file has no usable time."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    seconds = int(value)
    # JsonKVStorage reads a missing time as 0; 0 is "unknown", not 1970.
    if seconds <= 0 or seconds > _MAX_EPOCH:
        return None
    return seconds


def to_row(key, value):
    """(CacheRow, None) for a usable entry, (None, reason) for a malformed one."""
    problem = _text_problem(key)
    if problem:
        return None, 'key %s' % problem
    parts = split_key(key)
    if parts is None:
        # An id without ':' is what PGKVStorage treats as a pre-flattening key and
        # rewrites at startup; such an entry cannot be looked up anyway.
        return None, 'key is not mode:cache_type:hash'
    if len(key) > ID_MAX_CHARS:
        return None, 'key is longer than %d characters' % ID_MAX_CHARS
    if not isinstance(value, dict):
        return None, 'value is not an object'

    returned = value.get('return')
    # save_to_cache never stores an empty answer; a lookup would replay it.
    if not isinstance(returned, str) or not returned:
        return None, "'return' is missing, empty or not text"
    prompt = value.get('original_prompt')
    # PGKVStorage.upsert requires it (v["original_prompt"]).
    if not isinstance(prompt, str):
        return None, "'original_prompt' is missing or not text"
    chunk_id = value.get('chunk_id')
    if chunk_id is not None and (not isinstance(chunk_id, str) or len(chunk_id) > CHUNK_ID_MAX_CHARS):
        return None, "'chunk_id' is not text of at most %d characters" % CHUNK_ID_MAX_CHARS
    stored_type = value.get('cache_type')
    if stored_type is None:
        stored_type = parts[1]
    elif not isinstance(stored_type, str) or not stored_type or len(stored_type) > CACHE_TYPE_MAX_CHARS:
        return None, "'cache_type' is not text of 1 to %d characters" % CACHE_TYPE_MAX_CHARS

    for name, text in (('return', returned), ('original_prompt', prompt),
                       ('chunk_id', chunk_id or ''), ('cache_type', stored_type)):
        problem = _text_problem(text)
        if problem:
            return None, "'%s' %s" % (name, problem)

    queryparam = value.get('queryparam')
    # As PGKVStorage.upsert: an empty or missing queryparam is stored as NULL.
    if queryparam:
        problem = _json_problem(queryparam)
        if problem:
            return None, "'queryparam' %s" % problem
        try:
            queryparam = json.dumps(queryparam, ensure_ascii=False, allow_nan=False)
        except ValueError:
            return None, "'queryparam' holds NaN or Infinity (not valid in jsonb)"
    else:
        queryparam = None

    return CacheRow(id=key, cache_type=parts[1], original_prompt=prompt, return_value=returned,
                    chunk_id=chunk_id, stored_cache_type=stored_type, queryparam=queryparam,
                    create_time=_epoch(value.get('create_time')),
                    update_time=_epoch(value.get('update_time'))), None


def new_counts():
    return dict(in_file=0, inserted=0, updated=0, already_present=0, skipped=0)


def short_key(key):
    return key if len(key) <= KEY_REPORTED_CHARS else key[:KEY_REPORTED_CHARS] + '...'


def select_rows(data, cache_types=None):
    """Rows to carry and the report so far.

    Every entry of the file ends up in exactly one of: the returned rows,
    skipped_by_type (not in `cache_types`), skipped_malformed.
    """
    wanted = set(cache_types or ())
    # Not one `skipped` dict: Ansible reads a true `skipped` in a result as a skipped task.
    report = dict(entries_in_file=0, skipped_by_type=0, skipped_malformed=0, by_cache_type={}, malformed=[])
    rows = []
    for key, value in flatten_entries(data).items():
        report['entries_in_file'] += 1
        row, reason = to_row(key, value)
        if row is None:
            report['skipped_malformed'] += 1
            if len(report['malformed']) < MALFORMED_REPORTED:
                report['malformed'].append(dict(key=short_key(key), reason=reason))
            continue
        counts = report['by_cache_type'].setdefault(row.cache_type, new_counts())
        counts['in_file'] += 1
        if wanted and row.cache_type not in wanted:
            counts['skipped'] += 1
            report['skipped_by_type'] += 1
            continue
        rows.append(row)
    return rows, report


def batches(rows, size, max_chars=8 * 1024 * 1024):
    """Split rows into lists of at most `size` rows and about `max_chars` of text,
    so a batch of unusually long prompts does not make one huge statement."""
    batch, weight = [], 0
    for row in rows:
        chars = len(row.original_prompt) + len(row.return_value) + len(row.queryparam or '')
        if batch and (len(batch) >= size or weight + chars > max_chars):
            yield batch
            batch, weight = [], 0
        batch.append(row)
        weight += chars
    if batch:
        yield batch


def text_md5(text):
    """md5 of the UTF-8 bytes, as PostgreSQL's md5(convert_to(text, 'UTF8'))."""
    return None if text is None else hashlib.md5(text.encode('utf-8')).hexdigest()


def differs(row, stored):
    """Whether a stored row differs from the file's entry.

    `stored` is (md5 of original_prompt, md5 of return_value, chunk_id, cache_type,
    queryparam as decoded JSON or text, create_time, update_time as epoch seconds).
    Times count only when the file has them.
    """
    prompt_md5, return_md5, chunk_id, cache_type, queryparam, create_time, update_time = stored
    if isinstance(queryparam, str):
        queryparam = json.loads(queryparam)
    wanted_queryparam = json.loads(row.queryparam) if row.queryparam is not None else None
    return (prompt_md5 != text_md5(row.original_prompt)
            or return_md5 != text_md5(row.return_value)
            or chunk_id != row.chunk_id
            or cache_type != row.stored_cache_type
            or queryparam != wanted_queryparam
            or (row.create_time is not None and create_time != row.create_time)
            or (row.update_time is not None and update_time != row.update_time))

"""LightRAG's own table definitions, read from the released package at test time.

The repository holds no copy of upstream DDL. The source comes from, in order:
an installed `lightrag` package (located, never imported: importing it pulls
in numpy, pandas and more), a directory in LIGHTRAG_SRC_DIR, or the
lightrag-hku wheel fetched with `pip download --no-deps` (5 MB) into a cache.
The files are parsed with `ast`, so nothing of LightRAG is executed.
"""

import ast
import importlib.util
import os
import re
import subprocess
import sys
import zipfile

LIGHTRAG_VERSION = '1.5.7'
WHEEL_CACHE = os.environ.get(
    'LIGHTRAG_WHEEL_CACHE', os.path.join(os.path.expanduser('~'), '.cache', 'loomgraph-tests'))
FILES = ('lightrag/kg/postgres_impl.py', 'lightrag/kg/pgtable_impl.py')


def _from_dir(root):
    return dict((name, open(os.path.join(root, name), encoding='utf-8').read()) for name in FILES)


def _from_wheel():
    os.makedirs(WHEEL_CACHE, exist_ok=True)
    wheel = os.path.join(WHEEL_CACHE, 'lightrag_hku-%s-py3-none-any.whl' % LIGHTRAG_VERSION)
    if not os.path.exists(wheel):
        subprocess.run([sys.executable, '-m', 'pip', 'download', '--quiet', '--no-deps',
                        '--only-binary', ':all:', '-d', WHEEL_CACHE,
                        'lightrag-hku==%s' % LIGHTRAG_VERSION], check=True)
    with zipfile.ZipFile(wheel) as archive:
        return dict((name, archive.read(name).decode('utf-8')) for name in FILES)


def load_sources():
    """(where it came from, {relative path: source text})."""
    spec = importlib.util.find_spec('lightrag')  # finds the package, runs none of it
    if spec is not None and spec.submodule_search_locations:
        root = os.path.dirname(list(spec.submodule_search_locations)[0])
        if all(os.path.exists(os.path.join(root, name)) for name in FILES):
            return 'installed package at %s' % root, _from_dir(root)
    if os.environ.get('LIGHTRAG_SRC_DIR'):
        return os.environ['LIGHTRAG_SRC_DIR'], _from_dir(os.environ['LIGHTRAG_SRC_DIR'])
    return 'lightrag-hku %s wheel' % LIGHTRAG_VERSION, _from_wheel()


def _module_constant(source, name):
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise LookupError('%s not found in LightRAG source' % name)


class LightRAGSchema(object):
    """TABLES of PGKVStorage/PGVectorStorage/PGDocStatusStorage and the DDL of
    PGTableGraphStorage, applied the way LightRAG applies them."""

    def __init__(self):
        self.origin, sources = load_sources()
        self.tables = _module_constant(sources[FILES[0]], 'TABLES')
        self.graph_ddl = _module_constant(sources[FILES[1]], '_DDL')
        # PGKVStorage's statements (get_by_id_<namespace>, upsert_..., ...).
        self.sql_templates = _module_constant(sources[FILES[0]], 'SQL_TEMPLATES')

    def plain_ddl(self):
        """DDL of every table that is not a vector table."""
        return [v['ddl'] for k, v in sorted(self.tables.items()) if 'VECTOR(dimension)' not in v['ddl']]

    def kv_statement(self, name, *args):
        """(sql, params) to run a PGKVStorage statement of SQL_TEMPLATES with psycopg,
        LightRAG's asyncpg parameters $1, $2, ... becoming %(p1)s, %(p2)s, ..."""
        sql = self.sql_templates[name]
        if '%' in sql:
            raise ValueError('%s contains %%, which psycopg would read as a placeholder' % name)
        return (re.sub(r'\$([0-9]+)\b', r'%(p\1)s', sql),
                dict(('p%d' % (i + 1), arg) for i, arg in enumerate(args)))

    def vector_ddl(self, base, table_name, dim, vector_type='VECTOR'):
        """What PGVectorStorage._pg_create_table does: fill in the dimension and
        rename the table to its model-suffixed name."""
        ddl = self.tables[base]['ddl'].replace('VECTOR(dimension)', '%s(%d)' % (vector_type, dim))
        return ddl.replace(base, table_name)

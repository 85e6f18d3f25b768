"""Data generation, run as child processes so that PostgreSQL and file stores are
written at the same time (python -m lrbench.generate pg|files SPEC.json TARGET.json)."""

import json
import sys
import time

from lrbench import dataset


def _log(msg):
    sys.stderr.write(msg + '\n')
    sys.stderr.flush()


def generate_pg(spec, target):
    import psycopg2

    from lightrag_upstream import LightRAGSchema
    from lrbench import pgload

    schema = LightRAGSchema()
    text = dataset.Text(spec)
    started = time.perf_counter()
    data_list = [dataset.WorkspaceData(spec, ws, text) for ws in dataset.workspaces(spec)]
    prepare_s = time.perf_counter() - started
    conn = psycopg2.connect(host=target['host'], port=target['port'], user=target['user'],
                            password=target['password'], dbname=target['db'])
    conn.autocommit = True
    groups = pgload.load_all(conn, schema, data_list, _log)
    conn.close()
    return dict(prepare_s=prepare_s, groups=groups, lightrag_schema_from=schema.origin)


def generate_files(spec, target):
    from lrbench import filestore

    text = dataset.Text(spec)
    for ws in dataset.workspaces(spec):
        filestore.write_workspace(target['root'], dataset.WorkspaceData(spec, ws, text))
    return {}


def main():
    kind, spec_json, target_json = sys.argv[1:4]
    spec = dataset.Spec(**json.loads(spec_json))
    target = json.loads(target_json)
    started = time.perf_counter()
    result = (generate_pg if kind == 'pg' else generate_files)(spec, target)
    result['seconds'] = time.perf_counter() - started
    sys.stdout.write(json.dumps(result) + '\n')


if __name__ == '__main__':
    main()

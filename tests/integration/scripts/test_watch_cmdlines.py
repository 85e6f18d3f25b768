"""scripts/watch_cmdlines.py, the suite's watch on process command lines: it must catch a
password on a real process's command line, and say nothing of the password itself."""

import json
import os
import secrets
import signal
import subprocess
import sys
import time

import pytest

WATCH = os.path.join(os.path.dirname(__file__), '..', '..', '..', 'scripts', 'watch_cmdlines.py')
pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason='the process connector needs root')


def _watch(tmp_path, secret, *commands):
    path = tmp_path / 'secrets.json'
    path.write_text(json.dumps([secret]))
    path.chmod(0o600)
    watcher = subprocess.Popen([sys.executable, WATCH, '--secrets-file', str(path)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    first = watcher.stdout.readline()
    assert 'watching' in first, first
    for command in commands:
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    watcher.send_signal(signal.SIGTERM)
    out = first + watcher.communicate(timeout=30)[0]
    return watcher.returncode, out


def test_a_password_on_a_short_lived_command_line_is_caught(tmp_path):
    secret = 'Zz-' + secrets.token_urlsafe(18)
    # sh -c takes the word after the script as $0: the password sits in argv for 0.3 s,
    # less than the once-a-second /proc scan would be sure to see. `; :` keeps a shell that
    # would exec its last command from replacing itself (and its argv) with sleep at once.
    code, out = _watch(tmp_path, secret, ['/bin/sh', '-c', 'sleep 0.3; :', secret])
    assert code == 1, out
    assert 'LEAK: pid' in out and '(sh): lab password #0 on its command line' in out, out
    assert secret not in out and secret[-12:] not in out
    assert 'exec events + /proc scans' in out  # the connector was used, not only the scans


def test_command_lines_without_the_password_pass(tmp_path):
    code, out = _watch(tmp_path, 'Zz-' + secrets.token_urlsafe(18), ['/bin/sh', '-c', 'sleep 0.3; :', 'harmless'])
    assert code == 0, out
    assert ': 0 leaks' in out
    execs = int(out.split('execs seen as they happened')[0].rsplit('(', 1)[1])
    assert execs >= 2  # sh and sleep at least

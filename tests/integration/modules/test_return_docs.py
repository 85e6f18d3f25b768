"""Every key a module really returns is in its RETURN, and nothing documented as
'always' is missing."""

import json
import os
import subprocess
import sys

import pytest

from ansible_cli import REPO_ROOT, adhoc

IGNORED = {'changed', 'invocation', 'warnings', 'deprecations', 'failed', 'msg'}


def return_doc(module):
    fqcn = 'loomgraph.lightrag_pg.' + module
    out = subprocess.run([os.path.join(os.path.dirname(sys.executable), 'ansible-doc'), '--json', fqcn],
                         cwd=REPO_ROOT, check=True, capture_output=True, text=True).stdout
    return json.loads(out)[fqcn]['return']


def compare(value, doc, path=''):
    """Walk a value against its `contains`; dicts keyed by data (doc_status) are skipped."""
    for key in set(value) - IGNORED:
        assert key in doc, 'undocumented return key %s%s' % (path, key)
        entry = doc[key]
        contains = entry.get('contains')
        if contains and isinstance(value[key], dict):
            compare(value[key], contains, path + key + '.')
        elif contains and isinstance(value[key], list):
            for item in value[key]:
                compare(item, contains, path + key + '[].')
    for key, entry in doc.items():
        if entry['returned'] == 'always':
            assert key in value, 'documented as always returned but missing: %s%s' % (path, key)


@pytest.mark.parametrize('module, db', [
    ('pg_check', 'lightrag'),
    ('workspace_stats', 'lightrag'),
    ('workspace_stats', 'lightrag_fallback'),
    ('workspace_stats', 'lightrag_denied'),
])
def test_returned_keys_documented(databases, login, module, db):
    result = adhoc(module, login(db))
    assert result.rc == 0, result
    compare(result.data, return_doc(module))


def test_unavailable_pg_check_returns_the_always_keys(databases, login):
    result = adhoc('pg_check', login('lightrag', login_password='wrong-wrong'))
    compare(result.data, return_doc('pg_check'))

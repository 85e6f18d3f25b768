"""The action group in meta/runtime.yml, exercised by a real playbook run."""

import os

from ansible_cli import playbook

PLAYBOOK = os.path.join(os.path.dirname(__file__), 'playbooks', 'module_defaults.yml')


def test_module_defaults_group(databases, pg, app_password):
    result = playbook(PLAYBOOK, dict(pg_host=pg.host, pg_port=pg.port, pg_password=app_password))
    assert result.rc == 0, result
    assert 'failed=0' in result.stdout and 'ok=4' in result.stdout
    assert app_password not in result.stdout

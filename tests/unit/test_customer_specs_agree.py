"""The customer entry is declared in every role's argument spec (ansible-core cannot
share one spec across roles): the copies must not drift apart. Only `required` may
differ (a role may not need a password it never uses)."""

import os

import pytest
import yaml

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..'))
ROLES = {
    'pg_customer': 'pg_customer_customers',
    'lightrag_switch': 'lightrag_switch_customers',
    'cold_rebuild': 'cold_rebuild_customers',
    'customer_backup': 'customer_backup_customers',
}


def _entry_specs():
    for role, option in sorted(ROLES.items()):
        with open(os.path.join(REPO, 'roles', role, 'meta', 'argument_specs.yml')) as handle:
            specs = yaml.safe_load(handle)['argument_specs']
        for entry_point, spec in sorted(specs.items()):
            if option in spec['options']:
                yield '%s:%s' % (role, entry_point), spec['options'][option]['options']


def _shape(options):
    # Sub-options too: a role that leaves `embedding` unchecked lets a bad dim through.
    return dict((name, (o.get('type', 'str'), o.get('no_log', False), o.get('elements'),
                        _shape(o['options']) if 'options' in o else None))
                for name, o in options.items())


def test_every_role_declares_the_customer_entry():
    assert set(where.split(':')[0] for where, _options in _entry_specs()) == set(ROLES)


@pytest.mark.parametrize('where, options', list(_entry_specs()), ids=[w for w, _options in _entry_specs()])
def test_customer_entry_is_the_same_everywhere(where, options):
    reference = dict(_entry_specs())['pg_customer:main']
    assert _shape(options) == _shape(reference), where
    for name in ('name', 'pg_port', 'lightrag_port', 'pg_password'):
        assert options[name].get('required') is True, '%s: %s' % (where, name)

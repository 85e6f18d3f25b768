# -*- coding: utf-8 -*-
# Copyright: LoomGraph infrastructure team
# Apache License 2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: customer_public
short_description: A customer entry without its secrets, safe to loop over
version_added: 0.1.0
author:
  - LoomGraph infrastructure team
description:
  - Ansible prints a looped task's item at C(-v). Loop over this instead of the entry
    from the inventory. Every key whose name holds C(password), C(secret), C(token) or C(api_key)
    is replaced by C(has_<key>), true when the value is set, not blank and not the
    C(CHANGE-ME) placeholder of C(vault.yml.example), and by C(<key>_state), which says
    which of these it is. Nested dicts (such as C(embedding)) are treated the same way.
options:
  _input:
    description: One customer entry from C(lightrag_pg_customers).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Check every customer without printing a password, even at -vvv
  ansible.builtin.assert:
    that: item.has_pg_password
    fail_msg: "Customer {{ item.name }}: pg_password is {{ item.pg_password_state | default('missing') }}"
  loop: "{{ lightrag_pg_customers | map('loomgraph.lightrag_pg.customer_public') | list }}"
"""

RETURN = r"""
_value:
  description:
    - The entry, each secret replaced by C(has_<key>) (a boolean) and C(<key>_state), one of
      C(set), C(empty) (blank), C(placeholder) (still C(CHANGE-ME)) or C(undefined) (it refers
      to a variable that is not defined, e.g. a key missing from the vault).
    - A secret key absent from the entry has neither.
  type: dict
"""

import re

from ansible.errors import AnsibleFilterError

_SECRET = re.compile(r"password|secret|token|api_key", re.IGNORECASE)
# The value vault.yml.example ships with, and its usual spellings.
_PLACEHOLDER = re.compile(r"^\s*change[-_ ]?me\s*$", re.IGNORECASE)


def _secret_state(entry, key):
    """set / empty / placeholder / undefined, without ever returning the value."""
    try:
        value = entry[key]
        if value is None or str(value).strip() == "":
            return "empty"
        if _PLACEHOLDER.match(str(value)):
            return "placeholder"
        return "set"
    except Exception:  # an undefined vault variable: not set, which is what we report
        return "undefined"


def _public(entry):
    public = {}
    for key in list(entry.keys()):
        if _SECRET.search(str(key)):
            state = _secret_state(entry, key)
            public["has_%s" % key] = state == "set"
            public["%s_state" % key] = state
        else:
            value = entry[key]
            public[key] = _public(value) if isinstance(value, dict) else value
    return public


def customer_public(entry):
    if not isinstance(entry, dict):
        raise AnsibleFilterError("customer_public expects a customer entry (a dict), got %s" % type(entry).__name__)
    return _public(entry)


class FilterModule(object):
    def filters(self):
        return {"customer_public": customer_public}

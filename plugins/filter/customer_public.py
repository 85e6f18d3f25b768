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
    is replaced by C(has_<key>), true when the value is set and not empty.
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
  loop: "{{ lightrag_pg_customers | map('loomgraph.lightrag_pg.customer_public') | list }}"
"""

RETURN = r"""
_value:
  description: The entry, secrets replaced by C(has_<key>) booleans.
  type: dict
"""

import re

from ansible.errors import AnsibleFilterError

_SECRET = re.compile(r"password|secret|token|api_key", re.IGNORECASE)


def customer_public(entry):
    if not isinstance(entry, dict):
        raise AnsibleFilterError("customer_public expects a customer entry (a dict), got %s" % type(entry).__name__)
    public = {}
    for key in list(entry.keys()):
        if _SECRET.search(str(key)):
            try:
                value = entry[key]
                public["has_" + key] = value is not None and str(value) != ""
            except Exception:  # an undefined vault variable: not set, which is what we report
                public["has_" + key] = False
        else:
            public[key] = entry[key]
    return public


class FilterModule(object):
    def filters(self):
        return {"customer_public": customer_public}

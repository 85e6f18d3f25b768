# -*- coding: utf-8 -*-
# Copyright: LoomGraph infrastructure team
# Apache License 2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: stats_report
short_description: One customer's entry of the JSON statistics report
version_added: 0.1.0
author:
  - LoomGraph infrastructure team
description:
  - Takes the registered result of M(loomgraph.lightrag_pg.workspace_stats) for one customer
    and keeps what LoomGraph reads - customer, workspaces, totals, tables - or the error when
    the customer's database did not answer.
  - Never copies the customer entry itself, which holds passwords.
options:
  _input:
    description: The registered result (run with C(failed_when=false) so an error is kept, not raised).
    type: dict
    required: true
  customer:
    description: The customer's inventory entry (only C(name) and C(display_name) are read).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Write the report
  ansible.builtin.copy:
    dest: /srv/lightrag/reports/workspace_stats.json
    mode: "0640"
    content: "{{ stats | loomgraph.lightrag_pg.stats_report(customer) | to_nice_json }}"
"""

RETURN = r"""
_value:
  description: C(customer), C(display_name), and either C(workspaces), C(totals), C(tables) or C(error).
  type: dict
"""


def stats_report(item, customer):
    entry = {"customer": customer.get("name"), "display_name": customer.get("display_name")}
    if "workspaces" not in item:
        entry["error"] = item.get("msg", "unknown error")
        return entry
    for key in ("workspaces", "totals", "tables"):
        entry[key] = item.get(key)
    return entry


class FilterModule(object):
    def filters(self):
        return {"stats_report": stats_report}

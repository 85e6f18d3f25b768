# -*- coding: utf-8 -*-
# Copyright: LoomGraph infrastructure team
# Apache License 2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: stats_table
short_description: Format a workspace_stats result as text table lines
version_added: 0.1.0
author:
  - LoomGraph infrastructure team
description:
  - One line per workspace with documents, chunks, entities, relations and the
    document-status breakdown, then a totals line. Meant for C(ansible.builtin.debug).
options:
  _input:
    description: The registered result of M(loomgraph.lightrag_pg.workspace_stats).
    type: dict
    required: true
"""

EXAMPLES = r"""
- name: Show the table
  ansible.builtin.debug:
    msg: "{{ stats | loomgraph.lightrag_pg.stats_table }}"
"""

RETURN = r"""
_value:
  description: The table, one string per line.
  type: list
  elements: str
"""

_ROW = "%-28s %9s %8s %9s %10s  %s"
_COUNTS = ("documents", "chunks", "entities", "relations")


def _status(breakdown):
    return " ".join("%s=%s" % (k, v) for k, v in sorted((breakdown or {}).items()) if v)


def stats_table(result):
    rows = [_ROW % (("workspace",) + _COUNTS + ("document status",))]
    workspaces = (result or {}).get("workspaces") or []
    for ws in workspaces:
        rows.append(_ROW % ((ws.get("workspace"),) + tuple(ws.get(k, 0) for k in _COUNTS) + (_status(ws.get("doc_status")),)))
    if not workspaces:
        rows.append("(no LightRAG data in this database yet)")
    totals = (result or {}).get("totals") or {}
    if totals and len(workspaces) > 1:
        rows.append(_ROW % (("TOTAL",) + tuple(totals.get(k, 0) for k in _COUNTS) + ("",)))
    return rows


class FilterModule(object):
    def filters(self):
        return {"stats_table": stats_table}

# -*- coding: utf-8 -*-
# Copyright: LoomGraph infrastructure team
# Apache License 2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: rebuild_report
short_description: Before/after report of a cold rebuild, as a structure and as Markdown
version_added: 0.1.0
author:
  - LoomGraph infrastructure team
description:
  - Takes what M(loomgraph.lightrag_pg.file_stats) counted in a customer's file storage
    (before) and what M(loomgraph.lightrag_pg.workspace_stats) counts in its PostgreSQL
    (after) and puts them side by side per workspace - documents, chunks, entities,
    relations and failed documents - with the difference (after minus before) and totals.
  - Workspaces are paired by name. A file-storage workspace whose name LightRAG's server
    would rewrite (characters outside C([A-Za-z0-9_]) become C(_)) is paired with the
    rewritten name when that is found only in PostgreSQL. A workspace found on one side
    only is listed with a note; the missing side counts as zero in the difference.
  - Also notes files missing or unreadable in the file storage, estimated figures, and a
    side that could not be read at all (a result registered with C(failed_when=false)).
  - Never copies the customer entry itself, which holds passwords.
options:
  _input:
    description: The registered result of M(loomgraph.lightrag_pg.file_stats) (before).
    type: dict
    required: true
  after:
    description: The registered result of M(loomgraph.lightrag_pg.workspace_stats) (after).
    type: dict
    required: true
  customer:
    description:
      - The customer's name, or its inventory entry (only C(name) and C(display_name) are read).
    type: raw
    required: true
  generated_at:
    description: When the report was made, shown as given (for example C(ansible_date_time.iso8601)).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Count the file storage before the rebuild
  loomgraph.lightrag_pg.file_stats:
    path: /srv/lightrag/pinpianyi/data/rag_storage
  register: before

# ... cold rebuild ...

- name: Count PostgreSQL after it
  loomgraph.lightrag_pg.workspace_stats:
    login_host: 127.0.0.1
    login_password: "{{ vault_lightrag_pg_passwords.pinpianyi.lightrag }}"
    login_db: lightrag
  register: after

- name: Write the Markdown report
  ansible.builtin.copy:
    dest: /srv/lightrag/pinpianyi/reports/rebuild.md
    mode: "0640"
    content: "{{ (before | loomgraph.lightrag_pg.rebuild_report(after, customer, ansible_date_time.iso8601)).markdown }}"

- name: And its JSON form, for LoomGraph
  ansible.builtin.copy:
    dest: /srv/lightrag/pinpianyi/reports/rebuild.json
    mode: "0640"
    content: "{{ (before | loomgraph.lightrag_pg.rebuild_report(after, customer, ansible_date_time.iso8601)).json | to_nice_json }}"

- name: Every workspace came back with all its documents
  ansible.builtin.assert:
    that: item.delta.documents == 0
    fail_msg: "{{ item.workspace }}: {{ item.before }} -> {{ item.after }}"
  loop: "{{ (before | loomgraph.lightrag_pg.rebuild_report(after, 'pinpianyi', 'now')).json.workspaces }}"
  loop_control:
    label: "{{ item.workspace }}"
"""

RETURN = r"""
_value:
  description:
    - C(json) - C(customer), C(display_name), C(generated_at), C(workspaces) (each with
      C(workspace), C(before_workspace), C(after_workspace), C(side) - C(both), C(before) or
      C(after) -, C(before), C(after) - null on the side it is missing from - and C(delta)),
      C(totals) (C(before), C(after), C(delta), each with C(workspaces) too), C(notes) (each
      with C(workspace), C(kind) and C(message)) and C(errors) (C(before) / C(after), the
      message of a side that could not be read).
    - C(markdown) - the same as a Markdown document, one table per workspace.
  type: dict
"""

import re

FIGURES = ("documents", "chunks", "entities", "relations", "failed")
_LABELS = {"documents": "documents", "chunks": "chunks", "entities": "entities",
           "relations": "relations", "failed": "failed documents", "workspaces": "workspaces"}
_UNSAFE = re.compile(r"[^A-Za-z0-9_]")


def server_name(workspace):
    """The name LightRAG's server stores a workspace under (lightrag/api/config.py)."""
    return _UNSAFE.sub("_", workspace)


def _figures(ws):
    status = ws.get("doc_status") or {}
    values = dict((key, ws.get(key) or 0) for key in FIGURES if key != "failed")
    values["failed"] = status.get("failed") or 0
    return values


def _add(total, values):
    for key, value in values.items():
        total[key] = total.get(key, 0) + value
    return total


def _side(result):
    """{workspace: figures, ...} and the entries themselves, or an error message."""
    if not isinstance(result, dict) or "workspaces" not in result:
        message = result.get("msg") if isinstance(result, dict) else None
        return None, None, message or "no workspaces in this result"
    figures, entries = {}, {}
    for ws in result.get("workspaces") or []:
        name = ws.get("workspace")
        # file_stats may list 'default' twice (rag_storage/ and rag_storage/default/):
        # PostgreSQL merges them, so does the report.
        figures[name] = _add(figures.get(name, {}), _figures(ws))
        entries.setdefault(name, []).append(ws)
    return figures, entries, None


def _delta(before, after):
    before, after = before or {}, after or {}
    return dict((key, (after.get(key) or 0) - (before.get(key) or 0)) for key in FIGURES)


def _pairs(before, after):
    """[(before name or None, after name or None)], by name, then by the server's rewrite."""
    pairs = [(name, name) for name in sorted(set(before) & set(after))]
    only_before = sorted(set(before) - set(after))
    only_after = set(after) - set(before)
    for name in list(only_before):
        target = server_name(name)
        if (target != name and target in only_after
                and [server_name(other) for other in only_before].count(target) == 1):
            pairs.append((name, target))
            only_before.remove(name)
            only_after.discard(target)
    pairs += [(name, None) for name in only_before] + [(None, name) for name in sorted(only_after)]
    return sorted(pairs, key=lambda pair: pair[1] if pair[1] is not None else pair[0])


def _notes(pairs, before_entries, after_entries):
    """[(workspace, kind, values)]; _note_text words them for JSON and for Markdown."""
    notes = []
    for old, new in pairs:
        name = new if new is not None else old
        if new is None:
            notes.append((name, "before_only", dict(name=old)))
        elif old is None:
            notes.append((name, "after_only", dict(name=new)))
        elif old != new:
            notes.append((name, "renamed", dict(old=old, new=new)))
        for ws in before_entries.get(old, []) if old is not None else []:
            if ws.get("missing_files"):
                notes.append((name, "missing_files", dict(name=old, files=list(ws["missing_files"]))))
            for file_name, error in sorted((ws.get("errors") or {}).items()):
                notes.append((name, "unreadable_file", dict(name=old, file=file_name, error=error)))
            if ws.get("estimated"):
                notes.append((name, "estimated_before", dict(name=old)))
        for ws in after_entries.get(new, []) if new is not None else []:
            if ws.get("estimated"):
                notes.append((name, "estimated_after", dict(name=new)))
    return notes


def _note_text(kind, values, code, plain):
    """One note in words; code() marks names, plain() the rest (identity for JSON)."""
    name = code(values.get("name", ""))
    if kind == "before_only":
        return "%s is only in the file storage: PostgreSQL has nothing for it." % name
    if kind == "after_only":
        return "%s is only in PostgreSQL: the file storage had no such workspace." % name
    if kind == "renamed":
        return ("%s of the file storage is %s in PostgreSQL (LightRAG's server replaces characters "
                "outside %s with %s)." % (code(values["old"]), code(values["new"]), code("[A-Za-z0-9_]"), code("_")))
    if kind == "missing_files":
        return "%s: the file storage has no %s (counted as 0)." % (name, ", ".join(code(f) for f in values["files"]))
    if kind == "unreadable_file":
        return "%s: %s could not be read (counted as 0): %s" % (name, code(values["file"]), plain(values["error"]))
    if kind == "estimated_before":
        return "%s: the file storage figures were counted from the file layout (exact=false)." % name
    return "%s: the PostgreSQL figures are planner estimates (exact=false)." % name


# --- Markdown --------------------------------------------------------------------

def _code(text):
    """A Markdown code span that survives backticks in the text (never used in a table)."""
    text = str(text)
    longest = max([len(run) for run in re.findall("`+", text)] or [0])
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return "%s%s%s%s%s" % (fence, pad, text, pad, fence)


def _plain(text):
    return re.sub(r"([\\`*_\[\]<>|~#])", r"\\\1", str(text))


def _number(value):
    return "{:,}".format(value) if value is not None else "—"


def _signed(value):
    return "{:+,}".format(value) if value else "0"


def _table(before, after, delta, keys):
    rows = ["| | before (files) | after (PostgreSQL) | difference |", "|---|--:|--:|--:|"]
    for key in keys:
        rows.append("| %s | %s | %s | %s |" % (_LABELS[key], _number(None if before is None else before.get(key, 0)),
                                               _number(None if after is None else after.get(key, 0)),
                                               _signed(delta.get(key, 0))))
    return rows


def _markdown(report, notes):
    title = report["customer"] or "unknown customer"
    if report["display_name"] and report["display_name"] != report["customer"]:
        title = "%s (%s)" % (report["display_name"], report["customer"])
    lines = ["# Cold rebuild report: %s" % _plain(title), "",
             "Generated %s. Before: LightRAG's file storage; after: PostgreSQL." % _plain(report["generated_at"]), ""]
    for side, label in (("before", "The file storage"), ("after", "PostgreSQL")):
        if report["errors"].get(side):
            lines += ["**%s could not be read:** %s" % (label, _plain(report["errors"][side])), ""]
    totals = report["totals"]
    lines += ["## All workspaces", ""]
    lines += _table(totals["before"], totals["after"], totals["delta"], ("workspaces",) + FIGURES) + [""]
    for entry in report["workspaces"]:
        heading = _code(entry["workspace"])
        if entry["before_workspace"] not in (None, entry["workspace"]):
            heading += " (files: %s)" % _code(entry["before_workspace"])
        lines += ["## Workspace %s" % heading, ""]
        lines += _table(entry["before"], entry["after"], entry["delta"], FIGURES) + [""]
    if not report["workspaces"]:
        lines += ["No workspace on either side.", ""]
    if notes:
        lines += ["## Notes", ""]
        lines += ["- " + _note_text(kind, values, _code, _plain) for _workspace, kind, values in notes]
        lines.append("")
    return "\n".join(lines)


def rebuild_report(before, after, customer, generated_at):
    if isinstance(customer, dict):
        name, display_name = customer.get("name"), customer.get("display_name")
    else:
        name, display_name = customer, None
    before_figures, before_entries, before_error = _side(before)
    after_figures, after_entries, after_error = _side(after)
    before_figures, after_figures = before_figures or {}, after_figures or {}
    before_entries, after_entries = before_entries or {}, after_entries or {}

    pairs = _pairs(before_figures, after_figures)
    notes = _notes(pairs, before_entries, after_entries)
    workspaces = []
    for old, new in pairs:
        b = before_figures.get(old) if old is not None else None
        a = after_figures.get(new) if new is not None else None
        workspaces.append(dict(
            workspace=new if new is not None else old,
            before_workspace=old, after_workspace=new,
            side="both" if old is not None and new is not None else ("before" if new is None else "after"),
            before=b, after=a, delta=_delta(b, a)))

    total_before = dict((key, 0) for key in FIGURES)
    total_after = dict((key, 0) for key in FIGURES)
    for values in before_figures.values():
        _add(total_before, values)
    for values in after_figures.values():
        _add(total_after, values)
    total_delta = _delta(total_before, total_after)
    total_before["workspaces"], total_after["workspaces"] = len(before_figures), len(after_figures)
    total_delta["workspaces"] = len(after_figures) - len(before_figures)

    errors = {}
    if before_error:
        errors["before"] = before_error
    if after_error:
        errors["after"] = after_error
    report = dict(customer=name, display_name=display_name, generated_at=str(generated_at),
                  workspaces=workspaces,
                  totals=dict(before=total_before, after=total_after, delta=total_delta),
                  notes=[dict(workspace=workspace, kind=kind, message=_note_text(kind, values, str, str))
                         for workspace, kind, values in notes],
                  errors=errors)
    return {"json": report, "markdown": _markdown(report, notes)}


class FilterModule(object):
    def filters(self):
        return {"rebuild_report": rebuild_report}

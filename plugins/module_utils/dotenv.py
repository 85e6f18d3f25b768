# -*- coding: utf-8 -*-
# Copyright: LoomGraph infrastructure team
# Apache License 2.0
"""Read and write the dotenv files that LightRAG and Docker Compose consume.

Compose (compose-go) is the parser that matters: the LightRAG container gets
its environment from ``env_file: .env``. Values are written so that compose
reads back exactly the same string, whatever printable characters it holds.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

_KEY_LINE = re.compile(r"^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.]*)\s*=(.*)$")
# Characters that need no quoting in any dotenv dialect.
_PLAIN = re.compile(r"^[A-Za-z0-9_./:,+=@%-]*$")
_DOUBLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\", "$": "$"}


def parse_value(raw):
    """Return the string a dotenv parser reads from the text after ``=``."""
    text = raw.strip()
    if text.startswith("'"):
        end = text.find("'", 1)
        return text[1:end] if end > 0 else text[1:]
    if text.startswith('"'):
        out = []
        i = 1
        while i < len(text):
            ch = text[i]
            if ch == "\\" and i + 1 < len(text):
                nxt = text[i + 1]
                out.append(_DOUBLE_ESCAPES.get(nxt, "\\" + nxt))
                i += 2
                continue
            if ch == '"':
                break
            out.append(ch)
            i += 1
        return "".join(out)
    # Unquoted: an inline comment starts at " #".
    return re.split(r"\s+#", text, maxsplit=1)[0].strip()


def format_value(value):
    """Quote ``value`` so compose-go and python-dotenv read it back unchanged."""
    value = "" if value is None else str(value)
    if _PLAIN.match(value):
        return value
    # Double quotes with every special character escaped: compose-go treats
    # backslashes inside single quotes as escapes too, so those are not literal.
    escaped = (
        value.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("$", "\\$")
        .replace("\n", "\\n")
    )
    return '"' + escaped + '"'


def parse(text):
    """Return a dict of the assignments in ``text`` (the last one wins)."""
    values = {}
    for line in text.splitlines():
        match = _KEY_LINE.match(line)
        if match:
            values[match.group(1)] = parse_value(match.group(2))
    return values


def merge(text, wanted, header):
    """Set the keys of ``wanted`` in ``text``, keeping every other line.

    A key already present keeps its place (its first line is rewritten only
    if its value differs; later duplicates are dropped so it cannot be
    overridden). Missing keys are appended below ``header``. Returns the new
    text and the sorted list of keys whose value changed.
    """
    lines = text.splitlines()
    seen = set()
    changed = set()
    out = []
    for line in lines:
        match = _KEY_LINE.match(line)
        key = match.group(1) if match else None
        if key not in wanted:
            out.append(line)
            continue
        if key in seen:
            changed.add(key)
            continue
        seen.add(key)
        if parse_value(match.group(2)) == str(wanted[key]):
            out.append(line)
        else:
            out.append("%s=%s" % (key, format_value(wanted[key])))
            changed.add(key)
    missing = [k for k in wanted if k not in seen]
    if missing:
        if header not in out:
            if out and out[-1].strip():
                out.append("")
            out.append(header)
        for key in missing:
            out.append("%s=%s" % (key, format_value(wanted[key])))
            changed.add(key)
    return "\n".join(out) + "\n", sorted(changed)


def mask(text, secret_keys, placeholder="********"):
    """Return ``text`` with the values of ``secret_keys`` replaced."""
    out = []
    for line in text.splitlines():
        match = _KEY_LINE.match(line)
        if match and match.group(1) in secret_keys:
            out.append("%s=%s" % (match.group(1), placeholder))
        else:
            out.append(line)
    return "\n".join(out) + ("\n" if text.endswith("\n") else "")

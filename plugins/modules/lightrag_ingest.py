#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: LoomGraph infrastructure team
# Apache License 2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lightrag_ingest
short_description: Send a customer's source documents to LightRAG through its HTTP API
description:
  - Reads the source documents of a LightRAG workspace from the host (the files in
    LightRAG's input folder, including those it moved to C(__parsed__/)) and posts
    their text to LightRAG's C(POST /documents/texts), in batches, each document
    named by its path relative to the input folder.
  - Documents named in O(skip_sources) (for example those LightRAG already holds as
    processed) are not sent again, so an interrupted run can simply be repeated.
  - It does not wait for LightRAG to finish; poll C(/documents/pipeline_status) for that.
version_added: 0.1.0
author:
  - LoomGraph infrastructure team (!UNKNOWN)
extends_documentation_fragment:
  - loomgraph.lightrag_pg.lightrag_pg.lightrag_api
options:
  source_dir:
    description: The workspace's input folder on the host (C(<customer>/data/inputs/<workspace>)).
    type: path
    required: true
  patterns:
    description: Shell patterns of the file names to send.
    type: list
    elements: str
    default: ["*"]
  skip_sources:
    description: Document names (paths relative to O(source_dir), without C(__parsed__/)) not to send.
    type: list
    elements: str
    default: []
  batch_size:
    description: How many documents one request carries.
    type: int
    default: 20
  timeout:
    description: Seconds one request may take.
    type: int
    default: 120
attributes:
  check_mode:
    support: full
    description: Lists the documents it would send without sending any.
  diff_mode:
    support: none
    description: Sending documents changes no file on the host, so there is nothing to diff.
"""

EXAMPLES = r"""
- name: Re-ingest what pinpianyi's LightRAG has in its input folder
  loomgraph.lightrag_pg.lightrag_ingest:
    url: http://127.0.0.1:9610
    source_dir: /srv/lightrag/pinpianyi/data/inputs/pinpianyi
    patterns: ["*.py", "*.md"]
  register: ingest

- name: Say what was sent
  ansible.builtin.debug:
    msg: "{{ ingest.submitted | length }} sent, {{ ingest.skipped | length }} already there"
"""

RETURN = r"""
sources:
  description: Every document name found in the source folder.
  type: list
  elements: str
  returned: always
  sample: [itsdangerous/signer.py]
submitted:
  description: The document names sent (in check mode, that would be sent).
  type: list
  elements: str
  returned: always
  sample: [itsdangerous/signer.py]
skipped:
  description: Document names not sent because they were in O(skip_sources).
  type: list
  elements: str
  returned: always
  sample: []
empty:
  description: Files not sent because they hold no text (LightRAG refuses empty documents).
  type: list
  elements: str
  returned: always
  sample: [itsdangerous/py.typed]
track_ids:
  description: LightRAG's track ids of the accepted batches.
  type: list
  elements: str
  returned: always
  sample: [insert_20261203_120000_abcd]
"""

import fnmatch
import json
import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_text
from ansible.module_utils.urls import open_url

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.lightrag_api import api_headers, lightrag_api_argument_spec

PARSED = "__parsed__"


def find_sources(source_dir, patterns):
    """Map document name -> file path; a file still waiting in the input folder wins over its parsed copy."""
    found = {}
    for root, dirs, files in os.walk(source_dir):
        dirs.sort()
        rel_root = os.path.relpath(root, source_dir)
        parts = [] if rel_root == "." else rel_root.split(os.sep)
        in_parsed = bool(parts) and parts[0] == PARSED
        name_parts = parts[1:] if in_parsed else parts
        for filename in sorted(files):
            if not any(fnmatch.fnmatch(filename, p) for p in patterns):
                continue
            name = "/".join(name_parts + [filename])
            if name in found and in_parsed:
                continue
            found[name] = os.path.join(root, filename)
    return found


def post_texts(module, url, headers, texts, names):
    body = json.dumps({"texts": texts, "file_sources": names})
    try:
        resp = open_url(
            url.rstrip("/") + "/documents/texts",
            data=body,
            headers=headers,
            method="POST",
            timeout=module.params["timeout"],
        )
        return json.loads(to_text(resp.read()))
    except Exception as exc:  # urllib raises several types; all mean the same here
        detail = ""
        if hasattr(exc, "read"):
            try:
                detail = to_text(exc.read())[:500]
            except Exception:
                pass
        module.fail_json(msg="LightRAG refused documents %s..: %s %s" % (names[0], exc, detail))


def main():
    module = AnsibleModule(
        argument_spec=dict(
            lightrag_api_argument_spec(),
            source_dir=dict(type="path", required=True),
            patterns=dict(type="list", elements="str", default=["*"]),
            skip_sources=dict(type="list", elements="str", default=[]),
            batch_size=dict(type="int", default=20),
            timeout=dict(type="int", default=120),
        ),
        supports_check_mode=True,
    )
    source_dir = module.params["source_dir"]
    if not os.path.isdir(source_dir):
        module.fail_json(msg="No source documents: %s is not a folder." % source_dir)

    sources = find_sources(source_dir, module.params["patterns"])
    skip = set(module.params["skip_sources"])
    todo, texts, empty = [], [], []
    for name in sorted(sources):
        if name in skip:
            continue
        with open(sources[name], "rb") as handle:
            text = to_text(handle.read(), errors="surrogate_then_replace")
        if not text.strip():
            empty.append(name)
            continue
        todo.append(name)
        texts.append(text)

    result = dict(
        changed=bool(todo),
        sources=sorted(sources),
        submitted=todo,
        skipped=sorted(skip & set(sources)),
        empty=empty,
        track_ids=[],
    )
    if module.check_mode or not todo:
        module.exit_json(**result)

    headers = dict(api_headers(module.params["api_key"]), **{"Content-Type": "application/json"})
    size = max(1, module.params["batch_size"])
    for start in range(0, len(todo), size):
        answer = post_texts(module, module.params["url"], headers, texts[start:start + size], todo[start:start + size])
        if answer.get("track_id"):
            result["track_ids"].append(answer["track_id"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()

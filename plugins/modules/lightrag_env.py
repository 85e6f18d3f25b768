#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: LoomGraph infrastructure team
# Apache License 2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lightrag_env
short_description: Set the keys this collection owns in a LightRAG C(.env), keep every other line
description:
  - Sets the given keys in a dotenv file that LightRAG and Docker Compose read,
    leaving every other line (comments, order, operator settings) as it is.
  - A key already present keeps its place; missing keys are appended under a
    marker comment. Values are quoted so that Compose reads back exactly the
    same string, whatever printable characters it holds.
  - Before a change, the previous file is kept as a timestamped backup with mode
    C(0600). The file itself is written atomically with the given mode.
  - Values of secret keys never appear in the result or in C(--diff) output.
version_added: 0.1.0
author:
  - LoomGraph infrastructure team (!UNKNOWN)
options:
  path:
    description: The dotenv file. It must exist; this module never creates a LightRAG configuration from nothing.
    type: path
    required: true
  values:
    description: The keys to set and their values. Values are converted to strings.
    type: dict
    default: {}
  secret_values:
    description:
      - Keys to set whose values are secrets (passwords, API keys). They are set
        like O(values) but never shown, not even in C(--diff) output or C(-vvv) logs.
      - Values of keys whose names contain C(PASSWORD), C(SECRET), C(TOKEN) or
        C(API_KEY) are masked in the diff wherever they come from.
    type: dict
    default: {}
  backup:
    description: Keep the previous file as C(<path>.<timestamp>.bak) (mode C(0600)) before changing it.
    type: bool
    default: true
  mode:
    description: The file mode to enforce. A C(.env) holds passwords, so the default is owner-only.
    type: raw
    default: "0600"
  header:
    description: The comment line under which missing keys are appended.
    type: str
    default: "# --- keys managed by loomgraph.lightrag_pg (edit the inventory, not here) ---"
attributes:
  check_mode:
    support: full
    description: Reports which keys would change without writing the file or a backup.
  diff_mode:
    support: full
    description: Shows the file before and after, with secret values masked.
notes:
  - Duplicate assignments of a managed key are removed so a later line cannot override it.
"""

EXAMPLES = r"""
- name: Point LightRAG at the customer's PostgreSQL
  loomgraph.lightrag_pg.lightrag_env:
    path: /srv/lightrag/pinpianyi/.env
    values:
      LIGHTRAG_KV_STORAGE: PGKVStorage
      POSTGRES_HOST: postgres
    secret_values:
      POSTGRES_PASSWORD: "{{ vault_password }}"
  register: env_result

- name: Recreate LightRAG only when its settings changed
  community.docker.docker_compose_v2:
    project_src: /srv/lightrag/pinpianyi
    services: [lightrag]
    recreate: always
  when: env_result is changed
"""

RETURN = r"""
changed_keys:
  description: The managed keys whose value was (or, in check mode, would be) changed. Names only.
  type: list
  elements: str
  returned: always
  sample: [LIGHTRAG_KV_STORAGE, POSTGRES_HOST]
backup_file:
  description: The backup of the previous file, when one was written.
  type: str
  returned: changed and backup is true and not check mode
  sample: /srv/lightrag/pinpianyi/.env.20261203T120000.bak
values:
  description: The resulting values of the managed keys, secrets masked.
  type: dict
  returned: always
  sample: {LIGHTRAG_KV_STORAGE: PGKVStorage, POSTGRES_PASSWORD: "********"}
"""

import os
import re
import shutil
import tempfile
import time

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils import dotenv

_SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|API_KEY", re.IGNORECASE)
_MASK = "********"


def _is_secret(key, secret_keys):
    return key in secret_keys or bool(_SECRET_NAME.search(key))


def _as_text(values):
    return dict((k, to_text(v)) for k, v in (values or {}).items())


def _backup(module, path):
    stamp = time.strftime("%Y%m%dT%H%M%S")
    dest = "%s.%s.bak" % (path, stamp)
    suffix = 1
    while os.path.exists(dest):
        dest = "%s.%s-%d.bak" % (path, stamp, suffix)
        suffix += 1
    # Create owner-only first, then fill: the old file may hold secrets too.
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as out, open(path, "rb") as src:
        shutil.copyfileobj(src, out)
    return dest


def _write(module, path, text):
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=folder, prefix=".env.", suffix=".tmp")
    with os.fdopen(fd, "wb") as out:
        out.write(to_bytes(text))
    module.atomic_move(tmp, path)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            values=dict(type="dict", default={}),
            secret_values=dict(type="dict", default={}, no_log=True),
            backup=dict(type="bool", default=True),
            mode=dict(type="raw", default="0600"),
            header=dict(
                type="str",
                default="# --- keys managed by loomgraph.lightrag_pg (edit the inventory, not here) ---",
            ),
        ),
        supports_check_mode=True,
    )
    path = module.params["path"]
    secrets = _as_text(module.params["secret_values"])
    secret_keys = set(secrets)
    wanted = _as_text(module.params["values"])
    overlap = secret_keys & set(wanted)
    if overlap:
        module.fail_json(msg="keys given both as values and secret_values: %s" % ", ".join(sorted(overlap)))
    wanted.update(secrets)

    if not os.path.isfile(path):
        module.fail_json(
            msg="%s does not exist. Create the customer's LightRAG .env first "
            "(from LightRAG's env.example, with its LLM settings); this module "
            "only sets the keys the collection owns." % path
        )

    with open(path, "rb") as handle:
        before = to_text(handle.read(), errors="surrogate_or_strict")
    after, changed_keys = dotenv.merge(before, wanted, module.params["header"])
    content_changed = after != before

    result = dict(
        changed=False,
        changed_keys=changed_keys,
        values=dict((k, _MASK if _is_secret(k, secret_keys) else v) for k, v in wanted.items()),
    )
    masked = set(k for k in dotenv.parse(after + before) if _is_secret(k, secret_keys))
    if module._diff:
        result["diff"] = dict(
            before_header=path,
            after_header=path,
            before=dotenv.mask(before, masked),
            after=dotenv.mask(after, masked),
        )

    if content_changed:
        result["changed"] = True
        if not module.check_mode:
            if module.params["backup"]:
                result["backup_file"] = _backup(module, path)
            _write(module, path, after)

    file_args = module.load_file_common_arguments(dict(path=path, mode=module.params["mode"]))
    result["changed"] = module.set_fs_attributes_if_different(file_args, result["changed"])
    module.exit_json(**result)


if __name__ == "__main__":
    main()

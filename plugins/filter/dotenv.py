# -*- coding: utf-8 -*-
# Copyright: LoomGraph infrastructure team
# Apache License 2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
name: dotenv
short_description: Parse the text of a dotenv file into a dict
version_added: 0.1.0
author:
  - LoomGraph infrastructure team
description:
  - Reads C(KEY=VALUE) lines the way Docker Compose does (quotes, escapes, C(export), comments).
  - The last assignment of a key wins.
options:
  _input:
    description: The text of the file.
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Read LightRAG's API key from its .env
  ansible.builtin.slurp:
    src: /srv/lightrag/pinpianyi/.env
  register: env_file
  no_log: true

- name: Use it
  ansible.builtin.set_fact:
    api_key: "{{ (env_file.content | b64decode | loomgraph.lightrag_pg.dotenv).LIGHTRAG_API_KEY | default('') }}"
  no_log: true
"""

RETURN = r"""
_value:
  description: The keys and their values.
  type: dict
"""

from ansible.module_utils.common.text.converters import to_text
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.dotenv import parse


def dotenv(text):
    return parse(to_text(text))


class FilterModule(object):
    def filters(self):
        return {"dotenv": dotenv}

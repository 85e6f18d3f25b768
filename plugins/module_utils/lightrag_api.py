# -*- coding: utf-8 -*-
# Copyright: LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)
"""The options every module that talks to LightRAG's HTTP API takes (documented by the
doc fragment loomgraph.lightrag_pg.lightrag_pg.lightrag_api)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def lightrag_api_argument_spec():
    return dict(
        url=dict(type='str', required=True),
        api_key=dict(type='str', no_log=True),
    )


def api_headers(api_key):
    """LightRAG reads its key from X-API-Key; no header at all when it has none."""
    return {'X-API-Key': api_key} if api_key else {}

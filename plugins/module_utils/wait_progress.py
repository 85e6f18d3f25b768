# -*- coding: utf-8 -*-
# Copyright: LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)
"""The progress line lightrag_wait's action plugin prints on the controller (kept
here, free of controller imports, so it is tested like the rest of module_utils)."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type


def progress_line(label, look, elapsed, timeout):
    if look.get('error'):
        return '%s: LightRAG not answering (%s) [%ds / %ds]' % (label, look['error'], elapsed, timeout)
    line = '%s: %d/%d documents processed, %d failed, %d to go, pipeline %s [%ds / %ds]' % (
        label, look['processed'], look['total'], look['failed_documents'], look['unfinished'],
        'busy' if look['busy'] else 'idle', elapsed, timeout)
    if look.get('busy') and look.get('latest_message'):
        line += ': %s' % look['latest_message'][:100]
    return line

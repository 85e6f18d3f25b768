# -*- coding: utf-8 -*-
# Copyright: LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)
"""What lightrag_wait's action plugin needs besides the HTTP look: the progress line it
prints on the controller and the watch that tells a stuck pipeline from a slow one (kept
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


def progress_signature(look):
    """What changes while LightRAG makes progress. Its latest message moves with every chunk
    extracted and every merge, so a pipeline working through one big document still counts
    as moving; an answer after silence counts too."""
    if look.get('error'):
        return ('not answering',)
    return (look['processed'], look['failed_documents'], look['unfinished'], look['total'],
            look['busy'], look.get('latest_message', ''))


class StallWatch(object):
    """Says when nothing has moved for `stall_timeout` seconds (0: never)."""

    def __init__(self, stall_timeout, now):
        self.stall_timeout = int(stall_timeout or 0)
        self.last_change = now
        self.signature = None

    def stalled(self, look, now):
        signature = progress_signature(look)
        if signature != self.signature:
            self.signature, self.last_change = signature, now
        return bool(self.stall_timeout) and now - self.last_change >= self.stall_timeout

    def still_for(self, now):
        return int(now - self.last_change)

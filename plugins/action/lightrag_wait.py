# -*- coding: utf-8 -*-
# Copyright: LoomGraph infrastructure team
# Apache License 2.0
"""The polling loop of loomgraph.lightrag_pg.lightrag_wait runs here, on the
controller, because only an action plugin can print while a task is running:
each look is the module, run on the managed host where LightRAG listens."""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import time

from ansible.plugins.action import ActionBase
from ansible.utils.display import Display

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.wait_progress import StallWatch, progress_line

display = Display()

MODULE = 'loomgraph.lightrag_pg.lightrag_wait'


class ActionModule(ActionBase):

    TRANSFERS_FILES = False
    _requires_connection = True

    def run(self, tmp=None, task_vars=None):
        result = super(ActionModule, self).run(tmp, task_vars)
        args = dict(self._task.args)
        # Validate once, with the module's own spec, before looping.
        probe = self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
        if probe.get('failed'):
            return probe
        timeout = int(args.get('timeout', 3600))
        interval = max(1, int(args.get('poll_interval', 10)))
        label = args.get('label') or 'lightrag'
        start = time.time()
        watch = StallWatch(args.get('stall_timeout', 0), start)
        polls, look, stalled = 1, probe, False
        while True:
            now = time.time()
            elapsed = int(now - start)
            display.display(progress_line(label, look, elapsed, timeout))
            stalled = not look.get('finished') and watch.stalled(look, now)
            if look.get('finished') or elapsed >= timeout or stalled:
                break
            time.sleep(min(interval, max(1, timeout - elapsed)))
            look = self._execute_module(module_name=MODULE, module_args=args, task_vars=task_vars)
            polls += 1
            if look.get('failed'):  # the module itself could not run this time
                look = dict(probe, error=look.get('msg', 'module failed'), finished=False)
        self._remove_tmp_path(self._connection._shell.tmpdir)

        result.update(dict((k, v) for k, v in look.items() if k not in ('invocation', '_ansible_no_log')))
        result.update(changed=False, elapsed=int(time.time() - start), polls=polls, stalled=stalled)
        if stalled:
            result.update(failed=True, msg=(
                '%s: LightRAG made no progress for %d s (%s). Restarting LightRAG clears a '
                'pipeline stuck after its PostgreSQL went away; running the rebuild again resumes.' % (
                    label, watch.still_for(time.time()),
                    look.get('error') or 'latest message: %s' % (look.get('latest_message') or 'none'))))
        elif not look.get('finished'):
            result.update(failed=True, msg=(
                '%s: LightRAG has not finished after %d s: %s. Waiting longer is safe; running the '
                'rebuild again resumes where it stopped.' % (
                    label, result['elapsed'],
                    look.get('error') or '%d documents still to go, %d failed' % (look['unfinished'], look['failed_documents']))))
        elif look.get('failed_documents') and args.get('fail_on_failed', True):
            result.update(failed=True, msg=(
                '%s: LightRAG finished with %d failed documents out of %d. Their error is in '
                'lightrag_doc_status.error_msg; POST /documents/reprocess_failed retries them once.' % (
                    label, look['failed_documents'], look['total'])))
        else:
            result['msg'] = '%s: %d documents processed, none failed, in %d s.' % (
                label, look['processed'], result['elapsed'])
        return result

#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: LoomGraph infrastructure team
# Apache License 2.0

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
---
module: lightrag_wait
short_description: Wait for LightRAG to finish its document queue, showing progress
description:
  - Polls LightRAG's C(GET /documents/status_counts) and C(GET /documents/pipeline_status)
    from the managed host until no document is pending, parsing, analyzing, processing or
    preprocessed and the pipeline is idle, or until O(timeout) seconds have passed.
  - Every O(poll_interval) seconds it prints one progress line on the controller
    (documents processed / total, failures so far, what LightRAG is doing), so a long
    rebuild is visible at a steady pace; this is done by the action plugin of the same name.
  - A LightRAG that does not answer for a while (restarting, recreated) is reported in the
    progress line and waited for.
  - With O(stall_timeout), the wait also ends when nothing has moved for that long (no
    document finished, no new pipeline message, no answer). The result then says
    RV(stalled), so the caller can restart LightRAG instead of waiting out O(timeout)
    (LightRAG 1.5.7 can stay busy for good after its PostgreSQL died mid-merge).
  - Without the action plugin (for example with C(ansible -m) on a plain module path) it
    looks once and returns what it saw.
version_added: 0.1.0
author:
  - LoomGraph infrastructure team (!UNKNOWN)
extends_documentation_fragment:
  - loomgraph.lightrag_pg.lightrag_pg.lightrag_api
options:
  label:
    description: Name shown at the start of every progress line (the customer).
    type: str
    default: lightrag
  timeout:
    description: Seconds to wait in all before failing.
    type: int
    default: 3600
  poll_interval:
    description: Seconds between two looks (and two progress lines).
    type: int
    default: 10
  stall_timeout:
    description:
      - Seconds without any progress after which the wait ends with RV(stalled=true).
      - V(0) waits for the whole O(timeout) whatever happens.
      - Keep it above the longest silence LightRAG can have while working. It tries a timed-out
        LLM call three times, so that is at least three times its C(LLM_TIMEOUT).
      - A LightRAG that keeps crashing and coming back answers in between, which counts as
        movement; only O(timeout) ends such a wait.
    type: int
    default: 0
  request_timeout:
    description: Seconds one HTTP request may take.
    type: int
    default: 30
  fail_on_failed:
    description: Fail at the end when LightRAG reports failed documents.
    type: bool
    default: true
attributes:
  action:
    support: full
    description: The polling loop and the progress lines run in the action plugin on the controller.
  check_mode:
    support: full
    description: Only reads; runs the same in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is nothing to diff.
notes:
  - LightRAG reports duplicate uploads as C(failed) rows too; re-sending a document it already
    holds therefore shows up here. The cold_rebuild role never sends a document twice.
"""

EXAMPLES = r"""
- name: Wait for pinpianyi's LightRAG to process everything, at most two hours
  loomgraph.lightrag_pg.lightrag_wait:
    url: http://127.0.0.1:9610
    api_key: "{{ lightrag_api_key }}"
    label: pinpianyi
    timeout: 7200
    poll_interval: 15
"""

RETURN = r"""
finished:
  description: Whether the queue was empty and the pipeline idle at the last look.
  type: bool
  returned: always
  sample: true
status_counts:
  description: LightRAG's document counts by status at the last look (lower-case status names); empty when it did not answer.
  type: dict
  returned: always
  sample: {processed: 8, failed: 0}
total:
  description: Documents LightRAG holds, whatever their status.
  type: int
  returned: always
  sample: 8
processed:
  description: Documents in status C(processed).
  type: int
  returned: always
  sample: 8
failed_documents:
  description: Documents in status C(failed) (not C(failed), which Ansible reserves for the task).
  type: int
  returned: always
  sample: 0
unfinished:
  description: Documents not yet processed nor failed.
  type: int
  returned: always
  sample: 0
busy:
  description: Whether LightRAG's pipeline was busy at the last look.
  type: bool
  returned: always
  sample: false
latest_message:
  description: The pipeline's latest message.
  type: str
  returned: always
  sample: Document processing pipeline completed
error:
  description: Why LightRAG could not be read at the last look; empty when it answered.
  type: str
  returned: always
  sample: ''
elapsed:
  description: Seconds spent waiting; 0 from the module alone (without its action plugin).
  type: int
  returned: always
  sample: 42
stalled:
  description: Whether the wait ended because nothing moved for O(stall_timeout) seconds; always false from the module alone.
  type: bool
  returned: always
  sample: false
polls:
  description: How many times LightRAG was asked; 1 from the module alone.
  type: int
  returned: always
  sample: 5
"""

import json

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.urls import open_url

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.lightrag_api import api_headers, lightrag_api_argument_spec

UNFINISHED = ('pending', 'parsing', 'analyzing', 'processing', 'preprocessed')


def get_json(url, headers, timeout):
    resp = open_url(url, headers=headers, method='GET', timeout=timeout, validate_certs=False)
    return json.loads(resp.read().decode('utf-8'))


def look(url, api_key, timeout):
    """One look at LightRAG's queue; never raises, the error goes into the result."""
    headers = api_headers(api_key)
    base = url.rstrip('/')
    result = dict(status_counts={}, total=0, processed=0, failed_documents=0, unfinished=0,
                  busy=False, latest_message='', error='')
    try:
        counts = get_json(base + '/documents/status_counts', headers, timeout).get('status_counts') or {}
        pipeline = get_json(base + '/documents/pipeline_status', headers, timeout)
    except Exception as exc:  # LightRAG restarting or down: the caller decides how long to wait
        result['error'] = str(exc)
        return result
    counts = dict((str(k).lower(), int(v)) for k, v in counts.items() if str(k).lower() != 'all')
    result.update(
        status_counts=counts,
        total=sum(counts.values()),
        processed=counts.get('processed', 0),
        failed_documents=counts.get('failed', 0),
        unfinished=sum(counts.get(s, 0) for s in UNFINISHED),
        busy=bool(pipeline.get('busy')),
        latest_message=str(pipeline.get('latest_message') or ''),
    )
    return result


def is_finished(result):
    return not result['error'] and result['unfinished'] == 0 and not result['busy']


def main():
    module = AnsibleModule(
        argument_spec=dict(
            lightrag_api_argument_spec(),
            label=dict(type='str', default='lightrag'),
            timeout=dict(type='int', default=3600),
            poll_interval=dict(type='int', default=10),
            stall_timeout=dict(type='int', default=0),
            request_timeout=dict(type='int', default=30),
            fail_on_failed=dict(type='bool', default=True),
        ),
        supports_check_mode=True,
    )
    p = module.params
    result = look(p['url'], p['api_key'], p['request_timeout'])
    result.update(changed=False, finished=is_finished(result), stalled=False, elapsed=0, polls=1)
    module.exit_json(**result)


if __name__ == '__main__':
    main()

"""The progress line lightrag_wait prints while LightRAG works."""

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.wait_progress import progress_line


def test_progress_line():
    busy = dict(processed=3, total=8, failed_documents=1, unfinished=4, busy=True, latest_message='x' * 300, error='')
    line = progress_line('pinpianyi', busy, 40, 3600)
    assert line.startswith('pinpianyi: 3/8 documents processed, 1 failed, 4 to go, pipeline busy [40s / 3600s]: ')
    assert len(line) < 200
    down = progress_line('pinpianyi', dict(busy, error='Connection refused'), 50, 3600)
    assert down == 'pinpianyi: LightRAG not answering (Connection refused) [50s / 3600s]'

"""The progress line lightrag_wait prints while LightRAG works."""

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.wait_progress import StallWatch, progress_line


def test_progress_line():
    busy = dict(processed=3, total=8, failed_documents=1, unfinished=4, busy=True, latest_message='x' * 300, error='')
    line = progress_line('pinpianyi', busy, 40, 3600)
    assert line.startswith('pinpianyi: 3/8 documents processed, 1 failed, 4 to go, pipeline busy [40s / 3600s]: ')
    assert len(line) < 200
    down = progress_line('pinpianyi', dict(busy, error='Connection refused'), 50, 3600)
    assert down == 'pinpianyi: LightRAG not answering (Connection refused) [50s / 3600s]'


def _look(processed=3, message='Chunk 1 of 5 extracted', error=''):
    return dict(processed=processed, total=8, failed_documents=0, unfinished=8 - processed, busy=True,
                latest_message=message, error=error)


def test_a_moving_message_is_progress_even_without_a_finished_document():
    watch = StallWatch(60, now=0)
    for second, chunk in ((0, 1), (50, 2), (100, 3), (150, 4)):
        assert not watch.stalled(_look(message='Chunk %d of 5 extracted' % chunk), now=second)


def test_nothing_moving_for_the_stall_timeout_is_a_stall():
    watch = StallWatch(60, now=0)
    assert not watch.stalled(_look(message='Merging stage failed in document 4/8'), now=0)
    assert not watch.stalled(_look(message='Merging stage failed in document 4/8'), now=59)
    assert watch.stalled(_look(message='Merging stage failed in document 4/8'), now=60)
    assert watch.still_for(75) == 75


def test_not_answering_is_a_stall_once_long_enough_and_an_answer_resets_it():
    watch = StallWatch(30, now=0)
    assert not watch.stalled(_look(error='timed out'), now=0)
    assert watch.stalled(_look(error='timed out'), now=31)
    assert not watch.stalled(_look(), now=32)  # answering again: the clock restarts


def test_stall_timeout_zero_never_stalls():
    watch = StallWatch(0, now=0)
    assert not watch.stalled(_look(), now=10 ** 6)

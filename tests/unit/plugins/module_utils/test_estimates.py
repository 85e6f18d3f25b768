import datetime

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.workspace_counts import (
    estimate_counts,
    latest,
)


def stats(values, freqs, null_frac=0.0, n_distinct=None):
    return dict(values=values, freqs=freqs, null_frac=null_frac,
                n_distinct=len(values) if n_distinct is None else n_distinct)


def rows(result):
    return dict((ws, entry['rows']) for ws, entry in result.items())


def test_all_workspaces_in_the_most_common_values():
    result = estimate_counts(3200.0, stats(['big', 'small'], [0.9375, 0.0625]), {'big', 'small'})
    assert rows(result) == {'big': 3000, 'small': 200}


def test_rest_is_shared_among_workspaces_outside_the_list():
    # 1000 rows: 'a' holds 80 %, the other 20 % spread over 4 more distinct values.
    result = estimate_counts(1000.0, stats(['a'], [0.8], n_distinct=5), {'a', 'b', 'c'})
    assert rows(result) == {'a': 800, 'b': 50, 'c': 50}


def test_negative_n_distinct_is_a_fraction_of_rows():
    result = estimate_counts(1000.0, stats([], [], n_distinct=-0.01), {'x'})
    assert rows(result) == {'x': 100}  # 10 distinct values share 1000 rows


def test_workspace_absent_when_list_is_complete():
    result = estimate_counts(100.0, stats(['a'], [1.0]), {'a', 'b'})
    assert rows(result) == {'a': 100}


def test_latest_reads_naive_as_utc():
    naive = datetime.datetime(2025, 1, 1, 12, 0, 0)
    aware = datetime.datetime(2025, 1, 1, 13, 0, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=2)))
    assert latest(None, naive).isoformat() == '2025-01-01T12:00:00+00:00'
    assert latest(latest(None, naive), aware).isoformat() == '2025-01-01T12:00:00+00:00'  # 11:00 UTC is older
    assert latest(naive.replace(tzinfo=datetime.timezone.utc), None).hour == 12

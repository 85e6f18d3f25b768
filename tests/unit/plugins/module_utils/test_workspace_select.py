import pytest

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.workspace_select import (
    matches_filter,
    matches_search,
    select,
    sort_workspaces,
    split_filter,
)


def ws(name, **counts):
    entry = dict(workspace=name, documents=0, chunks=0, entities=0, relations=0)
    entry.update(counts)
    return entry


@pytest.mark.parametrize('name, patterns, expected', [
    ('pinpianyi', None, True),
    ('pinpianyi', [], True),
    ('pinpianyi', ['pin*'], True),
    ('pinpianyi', ['PIN*'], False),                 # case-sensitive, as names are
    ('pinpianyi', ['pinpianyi'], True),
    ('pinpianyi', ['pinpianyi_old'], False),
    ('cust_a', ['cust_?'], True),
    ('cust_ab', ['cust_?'], False),
    ('cust_b', ['cust_[ab]'], True),
    ('cust_c', ['cust_[ab]'], False),
    ('default', ['!default'], False),
    ('pinpianyi', ['!default'], True),
    ('cust_test', ['cust_*', '!cust_test'], False),  # exclusions still apply with includes
    ('cust_prod', ['cust_*', '!cust_test'], True),
    ('other', ['cust_*', '!cust_test'], False),
    ('a', ['x*', 'a'], True),                         # any include may match
    ('a', [' a '], True),                             # stray spaces from comma lists
    ('a', ['!'], True),                               # a bare '!' excludes nothing
    ("o'brien 100%", ["o'brien*"], True),
    ('客户A', ['客户*'], True),
])
def test_matches_filter(name, patterns, expected):
    assert matches_filter(name, patterns) is expected


def test_split_filter():
    assert split_filter(['a*', '!b', '', ' !c ', '!']) == (['a*'], ['b', 'c'])


@pytest.mark.parametrize('name, text, expected', [
    ('Acme_Prod', 'acme', True),
    ('Acme_Prod', 'PROD', True),
    ('Acme_Prod', 'beta', False),
    ('Acme_Prod', None, True),
    ('Acme_Prod', '', True),
    ('客户A', '客户a', True),
    ('STRASSE', 'straße', True),    # casefold, not lower: ß folds to ss
])
def test_matches_search(name, text, expected):
    assert matches_search(name, text) is expected


def test_select_combines_filter_and_search():
    items = [ws('cust_a'), ws('cust_b'), ws('other_a')]
    assert [w['workspace'] for w in select(items, ['cust_*'], 'A')] == ['cust_a']
    assert [w['workspace'] for w in select(items, ['!cust_b'], None)] == ['cust_a', 'other_a']


def test_sort_by_name_both_ways():
    items = [ws('b'), ws('a'), ws('C')]
    assert [w['workspace'] for w in sort_workspaces(items)] == ['C', 'a', 'b']  # code point order
    assert [w['workspace'] for w in sort_workspaces(items, 'workspace', 'desc')] == ['b', 'a', 'C']


def test_sort_by_count_breaks_ties_by_name():
    items = [ws('b', chunks=5), ws('a', chunks=5), ws('c', chunks=9), ws('d', chunks=1)]
    assert [w['workspace'] for w in sort_workspaces(items, 'chunks', 'desc')] == ['c', 'a', 'b', 'd']
    assert [w['workspace'] for w in sort_workspaces(items, 'chunks', 'asc')] == ['d', 'a', 'b', 'c']


def test_sort_rejects_unknown_key():
    with pytest.raises(ValueError):
        sort_workspaces([], 'size')

# -*- coding: utf-8 -*-
# Copyright: (c) 2025, LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)
"""Choosing and ordering workspaces: `filter`, `search`, `sort_by`, `sort_order`."""

from fnmatch import fnmatchcase

SORT_KEYS = ['workspace', 'documents', 'chunks', 'entities', 'relations']


def split_filter(patterns):
    """Split into (include, exclude) lists; a leading '!' marks an exclusion."""
    include, exclude = [], []
    for raw in patterns or []:
        pattern = raw.strip()
        if pattern.startswith('!'):
            if pattern[1:]:
                exclude.append(pattern[1:])
        elif pattern:
            include.append(pattern)
    return include, exclude


def matches_filter(name, patterns):
    """Shell-style, case-sensitive (workspace names are).

    No include pattern means "all"; exclusions then remove from that set. Unlike
    postgresql_info, exclusions also apply when includes are given, so
    ['cust_*', '!cust_test'] does what it reads as.
    """
    include, exclude = split_filter(patterns)
    if include and not any(fnmatchcase(name, p) for p in include):
        return False
    return not any(fnmatchcase(name, p) for p in exclude)


def matches_search(name, text):
    """Case-insensitive substring; empty or None matches everything."""
    if not text:
        return True
    return text.casefold() in name.casefold()


def select(workspaces, patterns=None, search=None):
    return [ws for ws in workspaces
            if matches_filter(ws['workspace'], patterns) and matches_search(ws['workspace'], search)]


def sort_workspaces(workspaces, sort_by='workspace', sort_order='asc'):
    """Stable order: ties on a count are broken by name, always ascending."""
    if sort_by not in SORT_KEYS:
        raise ValueError('cannot sort by %r' % sort_by)
    ordered = sorted(workspaces, key=lambda ws: ws['workspace'])
    if sort_by == 'workspace':
        return ordered[::-1] if sort_order == 'desc' else ordered
    return sorted(ordered, key=lambda ws: ws[sort_by] or 0, reverse=(sort_order == 'desc'))

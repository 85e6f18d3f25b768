# -*- coding: utf-8 -*-
# Copyright: (c) 2025, LoomGraph infrastructure team
# Apache License 2.0 (see galaxy.yml)
"""Assemble per-workspace figures from the per-table counts.

Query budget: one catalog query, at most one statistics query, then one grouped
query per LightRAG table, whatever the number of workspaces.
"""

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils import workspace_counts as wc
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.lightrag_tables import discover_tables
from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_connection import scrub

# DocStatus values of LightRAG 1.5.7 (lightrag/base.py), always reported, even at 0.
DOC_STATUSES = ['pending', 'parsing', 'analyzing', 'processing', 'preprocessed', 'processed', 'failed']
# Counted with count(*) or, with exact=false, estimated. doc_status is always
# counted exactly: it is small and its breakdown needs the rows.
COUNTED_KINDS = ('chunks', 'graph_nodes', 'graph_edges', 'vdb_chunks', 'vdb_entity', 'vdb_relation')
VDB_FIELDS = {'vdb_chunks': 'chunks', 'vdb_entity': 'entities', 'vdb_relation': 'relations'}
# Where entities / relations come from, best first: the graph itself, then the
# per-document lists (distinct), then the largest vector table.
ENTITY_SOURCES = ('graph_nodes', 'full_entities', 'vdb_entity')
RELATION_SOURCES = ('graph_edges', 'full_relations', 'vdb_relation')
LIST_COLUMNS = {'full_entities': 'entity_names', 'full_relations': 'relation_pairs'}
SOURCE_NAMES = {'graph_nodes': 'graph', 'graph_edges': 'graph', 'full_entities': 'full_entities',
                'full_relations': 'full_relations', 'vdb_entity': 'vdb', 'vdb_relation': 'vdb',
                'chunks': 'doc_chunks', 'vdb_chunks': 'vdb'}


# Vector tables whose rows need not be counted when this kind of table is there:
# the vectors mirror it, and only which workspaces and models they hold is asked.
MIRRORED = {'vdb_chunks': 'chunks', 'vdb_entity': 'graph_nodes', 'vdb_relation': 'graph_edges'}


class Collector(object):
    def __init__(self, conn, schema=None, exact=True, warn=None, count_vectors=False):
        self.conn = conn
        self.schema = schema
        self.exact = exact
        self.count_vectors = count_vectors
        self.warn = warn or (lambda msg: None)
        self.tables = []
        self.counts = {}   # table name -> {workspace: {rows, last_update}}
        self.doc_status = {}

    def _run(self, table, func, *args):
        try:
            result = func(self.conn, table, *args)
        except Exception as exc:  # one broken table must not hide the others
            table['count_method'] = 'failed'
            table['error'] = scrub(exc, None)
            self.warn('could not count %s.%s: %s' % (table['schema'], table['name'], table['error']))
            return None
        table['count_method'] = 'presence' if func is wc.list_workspaces else 'exact'
        return result

    def _presence_only(self, table):
        """Exact mode skips counting vector rows that mirror a counted table."""
        mirrored = MIRRORED.get(table['kind'])
        return (self.exact and not self.count_vectors and mirrored is not None
                and bool(self._of_kind(mirrored)))

    def _of_kind(self, kind):
        return [t for t in self.tables if t['kind'] == kind]

    def _known_workspaces(self):
        names = set(self.doc_status)
        for result in self.counts.values():
            names.update(result)
        return names

    def collect(self):
        self.tables = discover_tables(self.conn, self.schema)
        for table in self.tables:
            table['count_method'] = 'not_counted'
        for table in self._of_kind('doc_status'):
            self.doc_status = self._run(table, wc.count_doc_status) or {}

        counted = [t for t in self.tables if t['kind'] in COUNTED_KINDS]
        estimates = self._planner_stats(counted) if not self.exact else {}
        # Exact counts first, so estimates can also cover the workspaces they found.
        for table in counted:
            if (table['schema'], table['name']) not in estimates:
                func = wc.list_workspaces if self._presence_only(table) else wc.count_rows
                result = self._run(table, func)
                if result is not None:
                    self.counts[table['name']] = result
        self._count_uncovered_vectors()
        known = self._known_workspaces()
        for table in counted:
            stats = estimates.get((table['schema'], table['name']))
            if stats is not None:
                self.counts[table['name']] = wc.estimate_counts(table['estimated_rows'], stats, known)
                table['count_method'] = 'estimated'
        self._fallback_counts()
        return self._workspaces(), self._public_tables()

    def _count_uncovered_vectors(self):
        """A workspace with vectors but no rows in the mirrored table (its chunks or
        graph live elsewhere) gets its vector rows counted after all: they may be its
        only figure. Usually there is none, and no query is sent."""
        for table in self.tables:
            if table.get('count_method') != 'presence':
                continue
            covered = set()
            for mirrored in self._of_kind(MIRRORED[table['kind']]):
                covered.update(ws for ws, c in self.counts.get(mirrored['name'], {}).items() if c['rows'])
            present = self.counts.get(table['name'], {})
            missing = sorted(ws for ws in present if ws not in covered)
            if missing:
                result = self._run(table, wc.count_rows, missing)
                table['count_method'] = 'presence'
                if result is not None:
                    present.update(result)

    def _planner_stats(self, counted):
        analysed = [t for t in counted if t['estimated_rows'] is not None]
        if not analysed:
            return {}
        try:
            return wc.fetch_workspace_stats(self.conn, analysed)
        except Exception as exc:
            self.warn('planner statistics unavailable, counting exactly: %s' % scrub(exc, None))
            return {}

    def _fallback_counts(self):
        """Query the per-document lists only for workspaces the graph does not cover."""
        known = self._known_workspaces()
        for primary, kind, _vdb in (ENTITY_SOURCES, RELATION_SOURCES):
            covered = set()
            for table in self._of_kind(primary):
                covered.update(ws for ws, c in self.counts.get(table['name'], {}).items() if c['rows'])
            missing = sorted(known - covered)
            for table in self._of_kind(kind):
                if missing:
                    result = self._run(table, wc.count_distinct_elements, LIST_COLUMNS[kind], missing)
                    if result is not None:
                        self.counts[table['name']] = result

    def _rows(self, kind, workspace):
        """Largest count among the tables of a kind (several vector tables may exist)."""
        best = None
        for table in self._of_kind(kind):
            if table['count_method'] == 'failed':
                continue
            rows = self.counts.get(table['name'], {}).get(workspace, {}).get('rows', 0)
            if rows is None:  # presence only: its mirror has the figure
                continue
            best = rows if best is None else max(best, rows)
        return best  # None: no usable table of this kind

    def _pick(self, workspace, kinds):
        fallback = None
        for kind in kinds:
            rows = self._rows(kind, workspace)
            if rows:
                return rows, SOURCE_NAMES[kind]
            if rows is not None and fallback is None:
                fallback = (0, SOURCE_NAMES[kind])
        return fallback or (0, 'none')

    def _workspace(self, name):
        status = self.doc_status.get(name, dict(statuses={}, duplicates=0, last_update=None))
        breakdown = dict((s, 0) for s in DOC_STATUSES)
        breakdown.update(status['statuses'])
        entities, entities_source = self._pick(name, ENTITY_SOURCES)
        relations, relations_source = self._pick(name, RELATION_SOURCES)
        chunks, chunks_source = self._pick(name, ('chunks', 'vdb_chunks'))
        last_update = status['last_update']
        estimated = False
        for table in self.tables:
            row = self.counts.get(table['name'], {}).get(name)
            if row:
                last_update = wc.latest(last_update, row['last_update'])
                estimated = estimated or table['count_method'] == 'estimated'
        breakdown['duplicates'] = status['duplicates']
        return dict(
            workspace=name,
            documents=sum(status['statuses'].values()),
            chunks=chunks, chunks_source=chunks_source,
            entities=entities, entities_source=entities_source,
            relations=relations, relations_source=relations_source,
            doc_status=breakdown,
            embeddings=self._embeddings(name),
            last_update=last_update.isoformat() if last_update else None,
            estimated=estimated,
        )

    def _embeddings(self, workspace):
        groups = {}
        for table in self.tables:
            field = VDB_FIELDS.get(table['kind'])
            entry = self.counts.get(table['name'], {}).get(workspace)
            if not field or not entry or entry['rows'] == 0:
                continue
            key = (table['model'] or '', table['dim'] or 0, table['legacy'])
            group = groups.setdefault(key, dict(
                model=table['model'], dim=table['dim'], legacy=table['legacy'],
                vector_type=table['vector_type'], chunks=0, entities=0, relations=0, tables=[]))
            # None: the workspace has rows there, not counted (presence only).
            group[field] = None if entry['rows'] is None or group[field] is None else group[field] + entry['rows']
            group['tables'].append(table['name'])
        return [groups[k] for k in sorted(groups)]

    def _workspaces(self):
        return [self._workspace(name) for name in sorted(self._known_workspaces())]

    def _public_tables(self):
        keep = ('name', 'schema', 'kind', 'model', 'dim', 'legacy', 'vector_type',
                'estimated_rows', 'count_method', 'error')
        return [dict((k, t[k]) for k in keep if k in t) for t in self.tables]


def totals(workspaces):
    result = dict(workspaces=len(workspaces), documents=0, chunks=0, entities=0, relations=0,
                  doc_status=dict((s, 0) for s in DOC_STATUSES + ['duplicates']))
    for ws in workspaces:
        for key in ('documents', 'chunks', 'entities', 'relations'):
            result[key] += ws[key]
        for status, count in ws['doc_status'].items():
            result['doc_status'][status] = result['doc_status'].get(status, 0) + count
    return result

import pytest

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.lightrag_tables import (
    FIXED_TABLES,
    model_suffix,
    parse_table_name,
    parse_vector_type,
)


@pytest.mark.parametrize('model, dim, suffix', [
    ('jinaai/jina-embeddings-v2-base-code', 768, 'jinaai_jina_embeddings_v2_base_code_768d'),
    ('BAAI/bge-m3', 1024, 'baai_bge_m3_1024d'),
    ('text-embedding-3-large', 3072, 'text_embedding_3_large_3072d'),
    (' nomic-embed-text:v1.5 ', 768, 'nomic_embed_text_v1_5_768d'),
])
def test_model_suffix_follows_lightrag(model, dim, suffix):
    assert model_suffix(model, dim) == suffix


@pytest.mark.parametrize('model, dim, parsed_model', [
    ('jinaai/jina-embeddings-v2-base-code', 768, 'jinaai_jina_embeddings_v2_base_code'),
    ('BAAI/bge-m3', 1024, 'baai_bge_m3'),
    ('text-embedding-3-large', 3072, 'text_embedding_3_large'),
    ('foo_12d', 768, 'foo_12d'),        # a model name that itself ends like a dimension
    ('m', 8, 'm'),
    ('-', 8, '_'),
])
def test_round_trip(model, dim, parsed_model):
    for store, kind in (('chunks', 'vdb_chunks'), ('entity', 'vdb_entity'), ('relation', 'vdb_relation')):
        info = parse_table_name('lightrag_vdb_%s_%s' % (store, model_suffix(model, dim)))
        assert info == dict(kind=kind, model=parsed_model, dim=dim, legacy=False)


@pytest.mark.parametrize('name, kind', [
    ('lightrag_vdb_chunks', 'vdb_chunks'),
    ('lightrag_vdb_entity', 'vdb_entity'),
    ('lightrag_vdb_relation', 'vdb_relation'),
])
def test_legacy_vector_tables(name, kind):
    assert parse_table_name(name) == dict(kind=kind, model=None, dim=None, legacy=True)


@pytest.mark.parametrize('name', [
    'lightrag_vdb_chunks_nodim', 'lightrag_vdb_chunk_x_8d', 'lightrag_vdb_chunks_x_8', 'lightrag_vdb_chunks_x_d',
    'lightrag_vdb_entities_x_8d', 'lightrag_doc_status_old', 'lightrag_graph', 'my_table', 'LIGHTRAG_DOC_STATUS',
    'lightrag_vdb_chunks_X_8d',
])
def test_not_lightrag(name):
    assert parse_table_name(name) is None


def test_fixed_tables():
    assert parse_table_name('lightrag_doc_status')['kind'] == 'doc_status'
    assert parse_table_name('lightrag_graph_edges')['kind'] == 'graph_edges'
    assert len(FIXED_TABLES) == 10


@pytest.mark.parametrize('text, parsed', [
    ('vector(768)', ('vector', 768)),
    ('halfvec(1024)', ('halfvec', 1024)),
    ('vector', (None, None)),
    ('text', (None, None)),
    (None, (None, None)),
])
def test_vector_type(text, parsed):
    assert parse_vector_type(text) == parsed

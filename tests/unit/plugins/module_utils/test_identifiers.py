import pytest

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils.pg_identifiers import (
    IdentifierError,
    is_plain_identifier,
    qualified_name,
    quote_identifier,
    validate_identifier,
)


@pytest.mark.parametrize('name', ['lightrag_doc_status', 'public', '_x', 'a$b',
                                  'lightrag_vdb_relation_jinaai_jina_embeddings_v2_base_code_768d'])
def test_plain(name):
    assert is_plain_identifier(name)


@pytest.mark.parametrize('name', ['', None, 'Upper', '1abc', 'a-b', 'a b', 'a"b', 'x' * 64, 'ä'])
def test_not_plain(name):
    assert not is_plain_identifier(name)


@pytest.mark.parametrize('name, quoted', [
    ('public', '"public"'),
    ('My Schema', '"My Schema"'),
    ('a"b', '"a""b"'),
    ("it's", '"it\'s"'),
])
def test_quote(name, quoted):
    assert quote_identifier(name) == quoted


@pytest.mark.parametrize('name', ['', None, 'a\x00b', 'x' * 64, 'ä' * 32])
def test_invalid(name):
    with pytest.raises(IdentifierError):
        validate_identifier(name)


def test_63_bytes_is_the_limit():
    assert validate_identifier('x' * 63)
    assert validate_identifier('ä' * 31)  # 62 bytes


def test_qualified():
    assert qualified_name('public', 'lightrag_doc_status') == '"public"."lightrag_doc_status"'
    assert qualified_name('we"ird', 't') == '"we""ird"."t"'

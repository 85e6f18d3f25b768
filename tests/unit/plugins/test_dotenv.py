"""The .env writer: every printable password survives Compose's parser, other lines survive us."""

import pytest

from ansible_collections.loomgraph.lightrag_pg.plugins.module_utils import dotenv

HEADER = "# managed"
HOSTILE = [
    "plain",
    "拼便宜@智采云链:/%#'\" $HOME ${X} \\ end",
    "no'quote $x",
    "back\\slash$",
    "$$dollar",
    "trail\\",
    "  lead space",
    "a #b",
    "`cmd` !bang ~ ;|&<>",
    "",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_written_value_reads_back_unchanged(value):
    text, changed = dotenv.merge("", {"POSTGRES_PASSWORD": value}, HEADER)
    assert dotenv.parse(text)["POSTGRES_PASSWORD"] == value
    assert changed == ["POSTGRES_PASSWORD"]


def test_other_lines_keep_their_text_and_order():
    before = "# LLM settings\nLLM_BINDING=openai\nexport MAX_ASYNC=4  # tuned\n\nLIGHTRAG_KV_STORAGE=JsonKVStorage\nSUMMARY_LANGUAGE='Chinese'\n"
    after, changed = dotenv.merge(before, {"LIGHTRAG_KV_STORAGE": "PGKVStorage"}, HEADER)
    assert after == before.replace("JsonKVStorage", "PGKVStorage")
    assert changed == ["LIGHTRAG_KV_STORAGE"]


def test_missing_keys_go_below_the_header_once():
    after = dotenv.merge("A=1\n", {"B": "2", "C": "3"}, HEADER)[0]
    assert after == "A=1\n\n# managed\nB=2\nC=3\n"
    again, changed = dotenv.merge(after, {"B": "2", "C": "3", "D": "4"}, HEADER)
    assert again.count(HEADER) == 1
    assert again.endswith("C=3\nD=4\n")
    assert changed == ["D"]


def test_merge_is_idempotent_and_keeps_equal_values_as_written():
    before = "POSTGRES_HOST='postgres'\n"
    after, changed = dotenv.merge(before, {"POSTGRES_HOST": "postgres"}, HEADER)
    assert after == before
    assert changed == []


def test_duplicate_assignments_of_owned_keys_are_dropped():
    before = "X=1\nLIGHTRAG_GRAPH_STORAGE=NetworkXStorage\nY=2\nLIGHTRAG_GRAPH_STORAGE=Neo4JStorage\n"
    after, changed = dotenv.merge(before, {"LIGHTRAG_GRAPH_STORAGE": "PGTableGraphStorage"}, HEADER)
    assert after == "X=1\nLIGHTRAG_GRAPH_STORAGE=PGTableGraphStorage\nY=2\n"
    assert changed == ["LIGHTRAG_GRAPH_STORAGE"]


def test_parse_reads_quotes_comments_and_export():
    values = dotenv.parse("export A=1\nB='two words'\nC=\"x\\\"y\"\nD=plain # comment\n#E=no\n")
    assert values == {"A": "1", "B": "two words", "C": 'x"y', "D": "plain"}


def test_mask_hides_only_the_named_values():
    text = "POSTGRES_PASSWORD=s3cret\nPOSTGRES_USER=lightrag\n"
    masked = dotenv.mask(text, {"POSTGRES_PASSWORD"})
    assert "s3cret" not in masked
    assert "POSTGRES_USER=lightrag" in masked

"""Which files the cold rebuild sends, and under which names."""

from ansible_collections.loomgraph.lightrag_pg.plugins.modules.lightrag_ingest import find_sources


def _write(path, text="x = 1\n"):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_parsed_files_keep_their_original_names(tmp_path):
    _write(tmp_path / "__parsed__" / "pkg" / "a.py")
    _write(tmp_path / "b.py")
    assert sorted(find_sources(str(tmp_path), ["*"])) == ["b.py", "pkg/a.py"]


def test_a_waiting_file_wins_over_its_parsed_copy(tmp_path):
    _write(tmp_path / "__parsed__" / "a.py", "old\n")
    _write(tmp_path / "a.py", "new\n")
    found = find_sources(str(tmp_path), ["*"])
    assert found == {"a.py": str(tmp_path / "a.py")}


def test_patterns_select_file_names(tmp_path):
    _write(tmp_path / "a.py")
    _write(tmp_path / "README.md")
    _write(tmp_path / "data.bin")
    assert sorted(find_sources(str(tmp_path), ["*.py", "*.md"])) == ["README.md", "a.py"]

"""A front matter closed by YAML's `...` (Jekyll takes it as a closer) is written like any."""

from __future__ import annotations

from pathlib import Path

from reader.data.article import Decision
from reader.data.library import Library
from reader.data.writeback import writer as writeback

DOTS = b"---\ntitle: Closed by dots\npublished: true\n...\nThe body.\n---\nNot front matter.\n"


def test_a_decision_on_a_file_closed_by_dots_is_written(tmp_path: Path) -> None:
    root = tmp_path / "news"
    root.mkdir()
    (root / "dots.md").write_bytes(DOTS)
    library = Library(root, tmp_path / "data" / "decisions.db")
    try:
        library.refresh()
        library.decide(["dots.md"], Decision.SKIPPED)
        found = writeback.plan(library)
        assert found.skipped == [] and [e.id for e in found.edits] == ["dots.md"]
        done = writeback.apply(library, found.edits)
        assert done.ok and [e.id for e in done.written] == ["dots.md"]
    finally:
        library.close()
    assert (root / "dots.md").read_bytes() == DOTS.replace(b"published: true", b"published: false")

"""What is new to the editor: each article's `seen` (the rescan that first listed it), the
count of rescans, the last one a session listed, and the filter of new articles."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.data import query
from reader.data.index.schema import SCHEMA_VERSION, connect
from reader.data.library import Library
from reader.data.query import Filter
from tests.data.index.test_index import writable, write


@pytest.fixture
def library(seeds_dir: Path, tmp_path: Path) -> Iterator[Library]:
    lib = Library(writable(seeds_dir), tmp_path / "state" / "decisions.db")
    yield lib
    lib.close()


def seen(library: Library) -> dict[str, int]:
    """Each listed article's `seen`."""
    return {row.id: row.seen for row in query.rows(library)}


def test_a_first_index_is_one_rescan_and_lists_every_article_in_it(library: Library) -> None:
    assert library.rescans() == 0
    library.refresh()
    assert library.rescans() == 1
    assert set(seen(library).values()) == {1}
    library.refresh()  # nothing new: no rescan counted
    assert library.rescans() == 1


def test_a_new_file_is_seen_by_the_next_rescan_and_a_changed_one_keeps_its_own(
    library: Library, seeds_dir: Path
) -> None:
    library.refresh()
    (old,) = seeds_dir.glob("004_*")
    old.write_text(old.read_text().replace("AI improves precision", "AI sharpens precision"))
    write(seeds_dir / "new.md", "Brand new")
    result = library.refresh()
    assert result.added == ["new.md"] and result.changed == [old.name]
    found = seen(library)
    assert library.rescans() == 2
    assert found["new.md"] == 2
    assert found[old.name] == 1  # edited, not new
    rows = query.rows(library, Filter(new_after=1))
    assert [row.id for row in rows] == ["new.md"]
    assert query.rows(library, Filter(new_after=2)) == []
    assert len(query.rows(library, Filter(new_after=0))) == len(found)


def test_the_last_rescan_a_session_listed_is_kept(library: Library) -> None:
    library.refresh()
    assert library.last_shown() is None
    library.keep_shown(1)
    assert library.last_shown() == 1


def test_an_index_made_anew_has_nothing_new_and_no_session_listed_it(tmp_path: Path) -> None:
    """Every article is listed again by a rebuilt index: none of them is new to the editor,
    whatever the old index counted."""
    db = tmp_path / "index.db"
    conn = connect(db)
    with conn:
        conn.execute("INSERT INTO meta VALUES ('rescans', '7'), ('shown', '6'), ('place', 'x')")
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION - 1}")
    conn.close()
    conn = connect(db)
    try:
        kept = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        assert "rescans" not in kept and "shown" not in kept
        assert kept["place"] == "x"  # where the editor was is still worth keeping
        assert not conn.in_transaction
    finally:
        conn.close()


def test_an_unreadable_mark_is_an_error_the_caller_sees(library: Library) -> None:
    library.refresh()
    library.index.conn.execute("DROP TABLE meta")
    with pytest.raises(sqlite3.Error):
        library.last_shown()

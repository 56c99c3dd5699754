"""The index's page cache: a reader's by default, SQLite's usual size while writing many rows."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reader.data.index import schema
from reader.data.index.index import Index


def cache(conn: sqlite3.Connection) -> int:
    return int(conn.execute("PRAGMA cache_size").fetchone()[0])


def test_a_connection_reads_with_a_small_cache_and_writes_with_the_usual_one(
    tmp_path: Path,
) -> None:
    conn = schema.connect(tmp_path / "index.db")
    assert cache(conn) == -schema.READ_CACHE_KIB
    with schema.bulk(conn):
        assert cache(conn) == -schema.WRITE_CACHE_KIB
    assert cache(conn) == -schema.READ_CACHE_KIB
    with pytest.raises(RuntimeError), schema.bulk(conn):
        raise RuntimeError("a write that fails")
    assert cache(conn) == -schema.READ_CACHE_KIB
    conn.close()


def test_a_refresh_that_writes_uses_the_usual_cache_and_gives_it_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "news"
    root.mkdir()
    (root / "a.md").write_text("---\ntitle: A\n---\nBody\n", encoding="utf-8")
    index = Index(tmp_path / "index.db", root)
    seen: list[int] = []
    store = Index._store

    def spy(self: Index, *args: object) -> None:
        seen.append(cache(self.conn))
        store(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Index, "_store", spy)
    assert index.refresh().added == ["a.md"]
    assert seen == [-schema.WRITE_CACHE_KIB]
    assert cache(index.conn) == -schema.READ_CACHE_KIB
    index.close()


def test_the_decisions_file_attached_to_the_index_reads_with_the_small_cache_too(
    tmp_path: Path,
) -> None:
    from reader.data.library import Library

    root = tmp_path / "news"
    root.mkdir()
    library = Library(root, tmp_path / "state" / "decisions.db")
    conn = library.index.conn
    assert int(conn.execute("PRAGMA triage.cache_size").fetchone()[0]) == -schema.READ_CACHE_KIB
    assert cache(conn) == -schema.READ_CACHE_KIB
    library.close()

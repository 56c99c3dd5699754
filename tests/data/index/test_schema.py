"""reader.data.index.schema: the index file's tables, and how it is opened."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reader.data.index import index as cache
from reader.data.index import schema as cache_schema
from reader.data.index.schema import SCHEMA_VERSION, WAL_LIMIT, connect

TABLES = {"meta", "articles", "blobs", "stories", "story_urls", "articles_fts"}


def tables(conn: sqlite3.Connection) -> set[str]:
    return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


@pytest.mark.parametrize("name", ["SCHEMA_VERSION", "WAL_LIMIT"])
def test_the_names_are_still_importable_from_cache(name: str) -> None:
    assert getattr(cache, name) is getattr(cache_schema, name)


def test_a_new_file_gets_every_table_the_version_and_wal(tmp_path: Path) -> None:
    conn = connect(tmp_path / "index.db")
    try:
        assert tables(conn) >= TABLES
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA journal_size_limit").fetchone()[0] == WAL_LIMIT
    finally:
        conn.close()


def test_reopening_keeps_the_rows(tmp_path: Path) -> None:
    db = tmp_path / "index.db"
    conn = connect(db)
    with conn:
        conn.execute("INSERT INTO meta VALUES ('stories', 'fresh')")
    conn.close()
    conn = connect(db)
    try:
        assert conn.execute("SELECT value FROM meta").fetchall() == [("fresh",)]
    finally:
        conn.close()


def test_opening_a_current_file_writes_nothing(tmp_path: Path) -> None:
    """Another connection (a worker's) leaves the index as it was: an open one sees no
    commit, so what it read by rowid stays valid (see `query.index_version`)."""
    db = tmp_path / "index.db"
    first = connect(db)
    try:
        before = first.execute("PRAGMA data_version").fetchone()[0]
        connect(db).close()
        assert first.execute("PRAGMA data_version").fetchone()[0] == before
        with sqlite3.connect(db) as other:  # a real commit by another connection shows
            other.execute("INSERT INTO meta VALUES ('x', 'y')")
        assert first.execute("PRAGMA data_version").fetchone()[0] != before
    finally:
        first.close()


@pytest.mark.parametrize("version", [1, SCHEMA_VERSION - 1, SCHEMA_VERSION + 1])
def test_another_schema_version_is_emptied_and_made_again(tmp_path: Path, version: int) -> None:
    db = tmp_path / "index.db"
    old = sqlite3.connect(db)
    old.execute("CREATE TABLE articles (key TEXT, stale INTEGER)")
    old.execute("INSERT INTO articles VALUES ('a.md', 1)")
    old.execute(f"PRAGMA user_version={version}")
    old.commit()
    old.close()
    conn = connect(db)
    try:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(articles)")}
        assert "stale" not in columns and "digest" in columns
        assert conn.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        conn.close()


def test_a_file_that_is_not_a_database_raises_for_the_index_to_rebuild(tmp_path: Path) -> None:
    db = tmp_path / "index.db"
    db.write_bytes(b"not a database, " * 100)
    with pytest.raises(sqlite3.DatabaseError):
        connect(db)


def test_no_copy_of_the_articles_is_kept(tmp_path: Path) -> None:
    """An article's body, images and related links are read from its file when shown: the
    index keeps no `records` table, nor anything else of that name."""
    conn = connect(tmp_path / "index.db")
    try:
        assert "records" not in tables(conn)
        assert conn.execute("SELECT count(*) FROM sqlite_schema WHERE name = 'records'"
                            ).fetchone() == (0,)
    finally:
        conn.close()


def test_an_older_file_is_vacuumed_when_emptied(tmp_path: Path) -> None:
    """A big index of an older version shrinks when it is made anew, rather than keep its
    pages for the new rows."""
    db = tmp_path / "index.db"
    old = sqlite3.connect(db)
    old.execute("CREATE TABLE records (rowid INTEGER PRIMARY KEY, record TEXT)")
    old.execute("CREATE VIRTUAL TABLE articles_fts USING fts5(title)")
    old.executemany("INSERT INTO records (record) VALUES (?)", [("x" * 4000,)] * 500)
    old.execute(f"PRAGMA user_version={SCHEMA_VERSION - 1}")
    old.commit()
    old.close()
    before = db.stat().st_size
    connect(db).close()
    assert db.stat().st_size < before // 10

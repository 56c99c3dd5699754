"""The integrity checks started early (reader.data.checks): a clean result only skips work."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from reader.data.article import Decision
from reader.data.checks import Checks
from reader.data.decisions.dbfile import DamagedStoreError
from reader.data.library import Library
from reader.paths import index_path_for
from tests.data.decisions.test_store import GARBAGE, _corrupt_pages


def _library(seeds_dir: Path, db: Path) -> None:
    """An indexed folder with one decision, closed."""
    library = Library(seeds_dir, db)
    try:
        library.refresh()
        library.store.decide(["001.md"], Decision.PUBLISHED)
    finally:
        library.close()


def test_clean_files_pass_and_the_open_skips_the_same_checks(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "data" / "decisions.db"
    _library(seeds_dir, db)
    checks = Library.start_checks(seeds_dir, db)
    assert checks.store_ok(db) and checks.index_ok(index_path_for(db))
    assert not checks.store_ok(tmp_path / "other.db")  # a result is for its own file only
    ran: list[str] = []
    real = sqlite3.Connection.execute

    class Counting(sqlite3.Connection):
        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:  # type: ignore[override]
            ran.append(sql)
            return real(self, sql, *args)

    connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: connect(*a, factory=Counting, **k))
    library = Library(seeds_dir, db, checks=checks)
    try:
        assert library.store.decision("001.md") is Decision.PUBLISHED
    finally:
        library.close()
    assert not any("quick_check" in sql or "count(*) FROM story_urls" in sql for sql in ran), ran
    again = Library(seeds_dir, db)  # without checks, the open runs both itself
    again.close()
    assert any("quick_check" in sql for sql in ran)
    assert any("count(*) FROM story_urls" in sql for sql in ran)


def test_files_that_do_not_exist_yet_are_left_to_the_open(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "new" / "decisions.db"
    checks = Library.start_checks(seeds_dir, db)
    assert not checks.store_ok(db) and not checks.index_ok(index_path_for(db))
    library = Library(seeds_dir, db, checks=checks)  # a new store and index, as ever
    try:
        assert library.store.is_empty()
    finally:
        library.close()


@pytest.mark.parametrize(("garbage", "make"), GARBAGE)
def test_a_damaged_or_foreign_store_is_refused_as_without_checks(
    seeds_dir: Path, tmp_path: Path, garbage: bytes | None, make: object
) -> None:
    db = tmp_path / "data" / "decisions.db"
    db.parent.mkdir(parents=True)
    if garbage is not None:
        db.write_bytes(garbage)
    else:
        make(db)  # type: ignore[operator]
    checks = Library.start_checks(seeds_dir, db)
    refused = []
    for attempt in ("with checks", "without"):
        if attempt == "without" and isinstance(refused[0], DamagedStoreError):
            break  # the damaged file was set aside: nothing is left to refuse again
        with pytest.raises(Exception) as raised:
            Library(seeds_dir, db, checks=checks if attempt == "with checks" else None).close()
        refused.append(raised.value)
    assert str(db) in str(refused[0])
    if len(refused) == 2:
        assert type(refused[0]) is type(refused[1]) and str(refused[0]) == str(refused[1])


def test_corrupt_pages_fail_the_check(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "decisions.db"
    _corrupt_pages(db)
    assert not Checks(db, index_path_for(db)).store_ok(db)


def test_a_damaged_index_is_still_rebuilt(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "data" / "decisions.db"
    _library(seeds_dir, db)
    index = index_path_for(db)
    conn = sqlite3.connect(index)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    data = bytearray(index.read_bytes())
    data[8192:] = bytes(len(data) - 8192)  # the schema page survives; the tables do not
    index.write_bytes(bytes(data))
    checks = Library.start_checks(seeds_dir, db)
    assert checks.store_ok(db) and not checks.index_ok(index)
    library = Library(seeds_dir, db, checks=checks)
    try:
        assert library.index.rebuilt
        library.refresh()
        assert library.store.decision("001.md") is Decision.PUBLISHED  # no decision lost
    finally:
        library.close()

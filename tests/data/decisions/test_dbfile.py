"""reader.data.decisions.dbfile:
Stub refusal, setting a damaged file aside, errors, transactions."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from reader.data.decisions.dbfile import (
    DamagedStoreError,
    FilesStepError,
    StoreError,
    _refuse_a_stub,
    _Transaction,
    set_aside,
    write_failure,
)

NOW = datetime(2024, 5, 17, 9, 30, 5, tzinfo=UTC)
STAMP = "20240517T093005Z"

NAMES = [
    pytest.param("decisions.db", id="plain"),
    pytest.param("décisions 東京.db", id="unicode-and-space"),
    pytest.param("-rf --db", id="dashes"),
    pytest.param("x" * 150 + ".db", id="long"),
]

# -- refusing a stub ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "size",
    [pytest.param(1, id="one-byte"), pytest.param(2, id="two"), pytest.param(99, id="99")],
)
def test_a_file_shorter_than_the_header_is_refused_untouched(tmp_path: Path, size: int) -> None:
    """SQLite would take such a file for a new database and write over it."""
    db = tmp_path / "decisions.db"
    db.write_bytes(b"g" * size)
    with pytest.raises(sqlite3.DatabaseError, match=rf"not an SQLite database \({size} bytes\)"):
        _refuse_a_stub(db)
    assert db.read_bytes() == b"g" * size


@pytest.mark.parametrize(
    "size",
    [
        pytest.param(None, id="missing"),
        pytest.param(0, id="empty"),
        pytest.param(100, id="header-sized"),
        pytest.param(4096, id="a-page"),
    ],
)
def test_a_missing_empty_or_header_sized_file_is_left_to_sqlite(
    tmp_path: Path, size: int | None
) -> None:
    db = tmp_path / "decisions.db"
    if size is not None:
        db.write_bytes(bytes(size))
    assert _refuse_a_stub(db) is None
    assert db.exists() is (size is not None)  # never created
    if size is not None:
        assert db.read_bytes() == bytes(size)


def test_a_stub_under_a_file_instead_of_a_folder_is_a_store_error_naming_it(
    tmp_path: Path,
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("x")
    db = blocker / "decisions.db"
    with pytest.raises(StoreError) as raised:
        _refuse_a_stub(db)
    assert str(raised.value).startswith(f"{db}: cannot read the decisions database: ")


# -- setting a damaged file aside --------------------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_set_aside_moves_the_file_with_its_wal_and_shm_unchanged(tmp_path: Path, name: str) -> None:
    db = tmp_path / name
    files = {"": b"main bytes", "-wal": b"wal bytes", "-shm": b"shm bytes"}
    for suffix, data in files.items():
        Path(f"{db}{suffix}").write_bytes(data)
    aside = set_aside(db, NOW)
    assert aside == tmp_path / f"{name}.damaged-{STAMP}"
    for suffix, data in files.items():
        assert Path(f"{aside}{suffix}").read_bytes() == data
        assert not Path(f"{db}{suffix}").exists()


def test_set_aside_without_wal_or_shm(tmp_path: Path) -> None:
    db = tmp_path / "decisions.db"
    db.write_bytes(b"main")
    aside = set_aside(db, NOW)
    assert sorted(p.name for p in tmp_path.iterdir()) == [aside.name]
    assert aside.read_bytes() == b"main"


def test_the_stamp_is_utc_whatever_the_clocks_zone(tmp_path: Path) -> None:
    db = tmp_path / "decisions.db"
    db.write_bytes(b"main")
    tokyo = NOW.astimezone(timezone(timedelta(hours=9)))
    assert set_aside(db, tokyo).name == f"decisions.db.damaged-{STAMP}"


def test_set_aside_twice_in_one_second_keeps_both(tmp_path: Path) -> None:
    db = tmp_path / "decisions.db"
    kept = []
    for n in range(3):
        db.write_bytes(b"damaged %d" % n)
        kept.append(set_aside(db, NOW))
    assert [p.name for p in kept] == [
        f"decisions.db.damaged-{STAMP}",
        f"decisions.db.damaged-{STAMP}-2",
        f"decisions.db.damaged-{STAMP}-3",
    ]
    assert [p.read_bytes() for p in kept] == [b"damaged 0", b"damaged 1", b"damaged 2"]


def test_a_leftover_wal_of_an_earlier_aside_is_never_overwritten(tmp_path: Path) -> None:
    db = tmp_path / "decisions.db"
    earlier = Path(f"{tmp_path}/decisions.db.damaged-{STAMP}-wal")
    earlier.write_bytes(b"earlier wal")
    db.write_bytes(b"main")
    Path(f"{db}-wal").write_bytes(b"new wal")
    aside = set_aside(db, NOW)
    assert aside.name == f"decisions.db.damaged-{STAMP}-2"
    assert earlier.read_bytes() == b"earlier wal"
    assert Path(f"{aside}-wal").read_bytes() == b"new wal"


def test_set_aside_of_a_missing_file_moves_nothing(tmp_path: Path) -> None:
    db = tmp_path / "decisions.db"
    aside = set_aside(db, NOW)
    assert not aside.exists() and list(tmp_path.iterdir()) == []


# -- the errors and their messages -------------------------------------------------------


def test_the_error_classes() -> None:
    assert issubclass(FilesStepError, StoreError)
    assert issubclass(DamagedStoreError, StoreError)


@pytest.mark.parametrize("name", NAMES)
def test_a_damaged_store_set_aside_says_where_it_went(tmp_path: Path, name: str) -> None:
    db = tmp_path / name
    aside = tmp_path / f"{name}.damaged-{STAMP}"
    error = DamagedStoreError(db, "file is not a database", aside)
    text = str(error)
    assert error.aside == aside
    assert text.startswith(f"{db}: the decisions database is damaged (file is not a database)")
    assert f"moved, unchanged, to {aside};" in text
    assert "new, empty decisions database" in text and "sqlite3 FILE .recover" in text


def test_a_damaged_store_that_could_not_be_moved_says_so(tmp_path: Path) -> None:
    db = tmp_path / "decisions.db"
    error = DamagedStoreError(db, "malformed", None, "Permission denied")
    text = str(error)
    assert error.aside is None
    assert text.startswith(f"{db}: the decisions database is damaged (malformed)")
    assert "could not be set aside (Permission denied)" in text
    assert "left as it is" in text and "moved" not in text.replace("Move it away", "")


WRITE_FAILURES = [
    pytest.param("database or disk is full", True, id="full"),
    pytest.param("attempt to write a readonly database", True, id="readonly"),
    pytest.param("unable to open database file", True, id="unable-to-open"),
    pytest.param("disk I/O error", True, id="io"),
    pytest.param("UNIQUE constraint failed: decisions.key", False, id="constraint"),
    pytest.param("", False, id="no-words"),
]


@pytest.mark.parametrize(("why", "hinted"), WRITE_FAILURES)
def test_write_failure_names_the_file_the_reason_and_a_likely_cause(
    tmp_path: Path, why: str, hinted: bool
) -> None:
    db = tmp_path / "data 東京" / "decisions.db"
    text = write_failure(db, sqlite3.OperationalError(why))
    assert text.startswith(f"{db}: cannot write the decisions database: {why}")
    assert text.endswith("; nothing was changed")
    assert (f"(is the disk full, or {db.parent} read-only?)" in text) is hinted
    assert "\n" not in text


# -- one transaction ---------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "decisions.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)")
    conn.commit()
    conn.close()
    return path


@pytest.fixture
def conn(db: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(db, isolation_level=None, timeout=0)
    yield connection
    connection.close()


def rows(db: Path) -> list[int]:
    """What another connection sees: only what was committed."""
    other = sqlite3.connect(db)
    try:
        return [x for (x,) in other.execute("SELECT x FROM t ORDER BY x")]
    finally:
        other.close()


def test_a_transaction_commits_on_success(db: Path, conn: sqlite3.Connection) -> None:
    with _Transaction(conn, db):
        conn.execute("INSERT INTO t VALUES (1)")
        conn.execute("INSERT INTO t VALUES (2)")
    assert rows(db) == [1, 2]
    assert not conn.in_transaction


def test_another_exception_rolls_back_and_passes_through(
    db: Path, conn: sqlite3.Connection
) -> None:
    with pytest.raises(ZeroDivisionError), _Transaction(conn, db):
        conn.execute("INSERT INTO t VALUES (1)")
        _ = 1 / 0
    assert rows(db) == []
    assert not conn.in_transaction


def test_an_sqlite_error_inside_rolls_back_as_a_store_error_naming_the_file(
    db: Path, conn: sqlite3.Connection
) -> None:
    with pytest.raises(StoreError) as raised, _Transaction(conn, db):
        conn.execute("INSERT INTO t VALUES (1)")
        conn.execute("INSERT INTO t VALUES (1)")  # UNIQUE
    assert str(raised.value).startswith(f"{db}: cannot write the decisions database: UNIQUE")
    assert rows(db) == []
    assert not conn.in_transaction


def test_a_failed_commit_keeps_nothing_and_names_the_file(
    db: Path, conn: sqlite3.Connection
) -> None:
    conn.execute("PRAGMA foreign_keys=ON")
    conn.execute("CREATE TABLE child (p INTEGER REFERENCES t(x) DEFERRABLE INITIALLY DEFERRED)")
    with pytest.raises(StoreError) as raised, _Transaction(conn, db):
        conn.execute("INSERT INTO t VALUES (5)")
        conn.execute("INSERT INTO child VALUES (99)")  # fails only at COMMIT
    assert str(raised.value).startswith(f"{db}: cannot write the decisions database: FOREIGN")
    assert rows(db) == []
    assert not conn.in_transaction
    with _Transaction(conn, db):  # and the connection is usable again
        conn.execute("INSERT INTO t VALUES (6)")
    assert rows(db) == [6]


def test_a_busy_database_is_a_store_error_and_nothing_changes(
    db: Path, conn: sqlite3.Connection
) -> None:
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match=r"busy .*nothing was changed") as raised, \
                _Transaction(conn, db):
            pytest.fail("the body ran without the write lock")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert str(raised.value).startswith(f"{db}: ")  # which file, as every store error says
    assert not conn.in_transaction


def test_a_begin_sqlite_refuses_otherwise_names_the_file(
    db: Path, conn: sqlite3.Connection
) -> None:
    conn.execute("BEGIN")  # already in a transaction: not busy, just refused
    with pytest.raises(StoreError) as raised, _Transaction(conn, db):
        pytest.fail("the body ran")
    assert str(raised.value).startswith(f"{db}: cannot write the decisions database: ")
    conn.execute("ROLLBACK")

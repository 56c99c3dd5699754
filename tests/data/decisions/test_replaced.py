"""reader.data.decisions (store and dbfile): a decisions file deleted or replaced while the
store has it open is refused, every time after, and no write is acknowledged that is lost."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from reader.data.article import Decision
from reader.data.decisions.dbfile import OpenedFile, StoreError, _Transaction
from reader.data.decisions.store import TriageStore

SKIP, UND = Decision.SKIPPED, Decision.UNDECIDED
GONE = "the decisions database was deleted or replaced while newsreader had it open"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Where the store under test keeps its decisions."""
    return tmp_path / "data" / "decisions.db"


@pytest.fixture
def store(db: Path) -> Iterator[TriageStore]:
    """A store on `db`, with one decision already saved."""
    s = TriageStore(db)
    assert s.decide(["a.md"], SKIP) is not None
    yield s
    s.close()


def fresh(db: Path, article_id: str) -> Decision:
    """What a store opened afresh at `db` holds for the article."""
    s = TriageStore(db)
    try:
        return s.decision(article_id)
    finally:
        s.close()


def delete(db: Path) -> None:
    """Remove the database and its -wal and -shm, as removing the data folder does."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def replace_file(db: Path) -> None:
    """Put another (empty) decisions database in its place; the -wal and -shm stay."""
    other = db.with_name("other.db")
    TriageStore(other).close()
    os.replace(other, db)


def replace(db: Path) -> None:
    """Put another (empty) decisions database in its place with no -wal or -shm, as
    restoring the data folder from a backup does."""
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    replace_file(db)


def rename(db: Path) -> None:
    """Move the database aside (its -wal and -shm too) and leave nothing at its path."""
    for suffix in ("-wal", "-shm", ""):
        if Path(f"{db}{suffix}").exists():
            os.replace(f"{db}{suffix}", db.with_name(f"aside.db{suffix}"))


@pytest.mark.parametrize(
    "change",
    [delete, replace, replace_file, rename],
    ids=["deleted", "replaced", "main-file-replaced", "moved"],
)
def test_a_write_after_the_file_went_is_refused_and_not_saved(
    store: TriageStore, db: Path, change: Callable[[Path], None]
) -> None:
    change(db)
    with pytest.raises(StoreError) as raised:
        store.decide(["b.md"], SKIP)
    message = str(raised.value)
    assert message.startswith(f"{db}: {GONE}; this change was not saved")
    assert "Quit newsreader and start it again" in message
    assert "\n" not in message
    assert not store.conn.in_transaction
    assert fresh(db, "b.md") is UND


def test_a_moved_file_gets_no_refused_write(store: TriageStore, db: Path) -> None:
    rename(db)
    with pytest.raises(StoreError):
        store.decide(["b.md"], SKIP)
    assert fresh(db.with_name("aside.db"), "a.md") is SKIP  # the one saved before the move
    assert fresh(db.with_name("aside.db"), "b.md") is UND  # rolled back, not written there


@pytest.mark.parametrize("change", [delete, replace], ids=["deleted", "replaced"])
def test_the_refusal_lasts_for_every_write_after(
    store: TriageStore, db: Path, change: Callable[[Path], None]
) -> None:
    change(db)
    with pytest.raises(StoreError, match=GONE):
        store.decide(["b.md"], SKIP)
    TriageStore(db).close()  # a new file at the path (a CLI run made one): still refused
    with pytest.raises(StoreError, match=GONE):
        store.decide(["c.md"], SKIP)
    with pytest.raises(StoreError, match=GONE):
        store.undo()
    with pytest.raises(StoreError, match=GONE):
        store.seed([("d.md", SKIP)])
    assert [fresh(db, i) for i in ("b.md", "c.md", "d.md")] == [UND, UND, UND]


def test_a_file_replaced_during_the_commit_is_not_acknowledged(
    store: TriageStore, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = sqlite3.Connection.execute
    conn = store.conn

    class Replacing:
        """The store's connection, but the file is replaced just as COMMIT runs."""

        def __getattr__(self, name: str) -> object:
            return getattr(conn, name)

        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
            if sql == "COMMIT":
                replace(db)
            return real(conn, sql, *args)

    monkeypatch.setattr(store, "conn", Replacing())
    with pytest.raises(StoreError, match=GONE):
        store.decide(["b.md"], SKIP)
    assert fresh(db, "b.md") is UND


def test_the_same_file_keeps_working(store: TriageStore, db: Path) -> None:
    other = TriageStore(db)  # another instance writes, checkpoints and closes: same file
    try:
        other.decide(["b.md"], SKIP)
        other.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        other.close()
    assert store.decide(["c.md"], SKIP) is not None
    assert [fresh(db, i) for i in ("a.md", "b.md", "c.md")] == [SKIP, SKIP, SKIP]


# -- the write-ahead log beside it ---------------------------------------------------------

LOG_GONE = "the decisions database's write-ahead log was deleted or replaced while newsreader"


def delete_log(db: Path) -> None:
    """Remove only the -wal beside the database (where the last commits are)."""
    Path(f"{db}-wal").unlink()


def replace_log(db: Path) -> None:
    """Put a copy of the -wal in its place: the same bytes, another file."""
    copy = db.with_name("copy-wal")
    copy.write_bytes(Path(f"{db}-wal").read_bytes())
    os.replace(copy, f"{db}-wal")


def empty_log(db: Path) -> None:
    """Delete the -wal, and put a new, empty file at its path."""
    delete_log(db)
    Path(f"{db}-wal").touch()


LOG_CHANGES = [
    pytest.param(delete_log, id="log-deleted"),
    pytest.param(replace_log, id="log-replaced-by-a-copy"),
    pytest.param(empty_log, id="log-deleted-and-made-anew"),
]


@pytest.mark.parametrize("change", LOG_CHANGES)
def test_a_write_after_the_log_went_is_refused_and_not_saved(
    store: TriageStore, db: Path, change: Callable[[Path], None]
) -> None:
    change(db)
    with pytest.raises(StoreError) as raised:
        store.decide(["b.md"], SKIP)
    message = str(raised.value)
    assert message.startswith(f"{db}-wal: {LOG_GONE} had it open; this change was not saved")
    assert "Quit newsreader and start it again" in message
    assert "\n" not in message
    assert not store.conn.in_transaction
    with pytest.raises(StoreError, match=LOG_GONE):  # every write after, too
        store.decide(["c.md"], SKIP)
    with pytest.raises(StoreError, match=LOG_GONE):
        store.undo()
    store.close()
    assert [fresh(db, i) for i in ("b.md", "c.md")] == [UND, UND]


def test_a_log_deleted_before_the_first_write_is_noticed(store: TriageStore, db: Path) -> None:
    store.close()
    again = TriageStore(db)  # its reads made the -wal; nothing written yet
    try:
        assert Path(f"{db}-wal").exists()
        delete_log(db)
        with pytest.raises(StoreError, match=LOG_GONE):
            again.decide(["b.md"], SKIP)
    finally:
        again.close()
    assert fresh(db, "b.md") is UND


def test_a_log_deleted_during_the_commit_is_not_acknowledged(
    store: TriageStore, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = sqlite3.Connection.execute
    conn = store.conn

    class Deleting:
        """The store's connection, but the -wal is deleted just as COMMIT runs."""

        def __getattr__(self, name: str) -> object:
            return getattr(conn, name)

        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
            if sql == "COMMIT":
                delete_log(db)
            return real(conn, sql, *args)

    monkeypatch.setattr(store, "conn", Deleting())
    with pytest.raises(StoreError, match=LOG_GONE):
        store.decide(["b.md"], SKIP)


def test_a_check_outside_a_write_notices_a_deleted_log(store: TriageStore, db: Path) -> None:
    delete_log(db)  # as the app's look before a key (TriageModel.store_lost) finds it
    with pytest.raises(StoreError, match=LOG_GONE):
        store._opened.check()
    assert store._opened.lost


def test_the_log_of_the_same_file_keeps_working(store: TriageStore, db: Path) -> None:
    other = TriageStore(db)  # another instance writes, truncates the log and closes
    try:
        other.decide(["b.md"], SKIP)
        other.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        other.close()
    assert Path(f"{db}-wal").stat().st_size == 0  # the same file, emptied: not a new one
    assert store.decide(["c.md"], SKIP) is not None
    store._opened.check()
    assert [fresh(db, i) for i in ("a.md", "b.md", "c.md")] == [SKIP, SKIP, SKIP]


def test_a_file_not_in_wal_mode_has_no_log_to_check(db: Path) -> None:
    # Where SQLite cannot keep a log (no shared memory), `journal_mode=WAL` leaves the
    # file in its rollback mode: there is no -wal, and none is missing.
    db.parent.mkdir()
    conn = sqlite3.connect(db, isolation_level=None)
    try:
        conn.execute("CREATE TABLE t (x)")
        opened = OpenedFile(db)
        for n in range(3):
            with _Transaction(conn, db, opened):
                conn.execute("INSERT INTO t VALUES (?)", (n,))
        opened.check()
        assert not Path(f"{db}-wal").exists() and not opened.lost
        assert conn.execute("SELECT count(*) FROM t").fetchone() == (3,)
    finally:
        conn.close()

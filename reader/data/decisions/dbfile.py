"""The decisions file itself: its errors, transactions, and setting a damaged one aside."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from datetime import UTC, datetime
from pathlib import Path


class StoreError(Exception):
    """The decisions database cannot be used; the message says why and what to do."""


class FilesStepError(StoreError):
    """The step to undo or redo wrote article files: only Library.undo/redo may do it."""


def _refuse_a_stub(db_path: Path) -> None:
    """SQLite reads a file too short to hold its 100-byte header (one byte) as a new, empty
    database and writes over it; every longer file that is not a database fails its first
    read. Checked with stat, never open(): see `TriageStore._open`."""
    try:
        size = os.stat(db_path).st_size
    except FileNotFoundError:
        return
    except OSError as error:
        raise StoreError(f"{db_path}: cannot read the decisions database: {error}") from None
    if 0 < size < 100:
        raise sqlite3.DatabaseError(f"not an SQLite database ({size} bytes)")


def set_aside(db_path: Path, now: datetime) -> Path:
    """Rename a damaged decisions file (with its -wal and -shm) beside itself; its new path.

    The bytes are kept as they are, for the user to restore or inspect; nothing is deleted.
    """
    stamp = now.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    aside = db_path.with_name(f"{db_path.name}.damaged-{stamp}")
    n = 1
    while any(Path(f"{aside}{s}").exists() for s in ("", "-wal", "-shm")):
        n += 1
        aside = db_path.with_name(f"{db_path.name}.damaged-{stamp}-{n}")
    for suffix in ("-wal", "-shm", ""):  # the main file last: it is what a retry looks for
        if Path(f"{db_path}{suffix}").exists():
            os.replace(f"{db_path}{suffix}", f"{aside}{suffix}")
    return aside


class DamagedStoreError(StoreError):
    """The decisions file was damaged and has been set aside; this run must not go on."""

    def __init__(self, db_path: Path, why: str, aside: Path | None, failure: str = ""):
        """The error for the damaged `db_path`: `why` it is damaged, where it went (`aside`),
        or `failure`, why it could not be moved."""
        self.aside = aside
        """Where the damaged file went (None when it could not be moved)."""
        if aside is None:
            super().__init__(
                f"{db_path}: the decisions database is damaged ({why}) and could not be set "
                f"aside ({failure}); it was left as it is. Move it away to start a new one"
            )
        else:
            super().__init__(
                f"{db_path}: the decisions database is damaged ({why}). It was moved, "
                f"unchanged, to {aside}; nothing was decided in this run. The next start "
                "begins a new, empty decisions database; to get the old one back, move it "
                "back (or recover it with `sqlite3 FILE .recover`)"
            )


class OpenedFile:
    """The decisions file a store opened, by device and inode, and the write-ahead log
    (`-wal`) beside it: SQLite goes on writing to either when it is deleted or replaced
    under it, so each commit first asks whether the paths still name those files. Once
    they do not, every later write is refused: the file now there may hold other
    decisions (or the log may be one that no new start will read), and only a new start
    should open it."""

    def __init__(self, db_path: Path):
        """Remember which file `db_path` names now (just after SQLite opened it)."""
        self.db_path = db_path
        self.wal = Path(f"{db_path}-wal")
        """The log beside the file; in WAL mode a commit is written there first."""
        try:
            found = os.stat(db_path)
        except OSError as error:
            why = error.strerror or str(error)
            raise StoreError(f"{db_path}: cannot read the decisions database: {why}") from None
        self.identity = (found.st_dev, found.st_ino)
        """(st_dev, st_ino) of the file opened; its descriptor stays open, so no new file
        can be given the same inode while the store runs."""
        self.wal_identity: tuple[int, int] | None = None
        """(st_dev, st_ino) of the log, from the first check that finds one (see
        `_same_wal`): not now, as SQLite opens (or makes) it only at its first read."""
        self._wal_mode: bool | None = None
        """Whether the store's connection is in WAL mode; asked at the first write."""
        self.lost = False
        """True once a path was found to name another file, or none."""
        self.why = ""
        """The one line that says which file went (set with `lost`)."""

    def refuse_if_lost(self) -> None:
        """A `StoreError` when an earlier check found the file or its log gone."""
        if self.lost:
            raise StoreError(self.why)

    def check(self, conn: sqlite3.Connection | None = None) -> None:
        """A `StoreError` unless the path still names the file opened and the log beside it
        is the one SQLite opened (a stat each). `conn`, the store's connection in a write
        transaction, tells whether there must be a log when none was seen yet (WAL mode)."""
        found = self._identity_of(self.db_path)
        if found != self.identity:
            self._lose(replaced_message(self.db_path))
        elif not self._same_wal(conn):
            self._lose(log_lost_message(self.wal))
        self.refuse_if_lost()

    def _same_wal(self, conn: sqlite3.Connection | None) -> bool:
        """Whether the log at its path is the one SQLite opened. The first one seen is taken
        for it: once the store's connection has read in WAL mode (its opening did), SQLite
        keeps the log open, and no other connection deletes it (only the last to close
        does). In WAL mode a log that was never seen is one deleted already."""
        found = self._identity_of(self.wal)
        if self.wal_identity is None:
            if found is None:  # gone already, or there is none: `conn` can tell
                return conn is None or not self._in_wal_mode(conn)
            self.wal_identity = found
        return found == self.wal_identity

    def _in_wal_mode(self, conn: sqlite3.Connection) -> bool:
        """Whether `conn` writes through a log (asked once: a store never leaves WAL mode)."""
        if self._wal_mode is None:
            self._wal_mode = str(conn.execute("PRAGMA journal_mode").fetchone()[0]) == "wal"
        return self._wal_mode

    def _lose(self, why: str) -> None:
        """Note that a file went; the first line found says why, every time after."""
        if not self.lost:
            self.lost, self.why = True, why

    def _identity_of(self, path: Path) -> tuple[int, int] | None:
        """(st_dev, st_ino) of the file at `path`, None when there is none; a `StoreError`
        when it cannot be known."""
        try:
            found = os.stat(path)
        except FileNotFoundError:
            return None
        except OSError as error:
            why = error.strerror or str(error)
            raise StoreError(f"{path}: cannot check the decisions database: {why}; "
                             "nothing was changed") from None  # fmt: skip
        return (found.st_dev, found.st_ino)


def replaced_message(db_path: Path) -> str:
    """One line for a write refused because the decisions file went from under the store."""
    return (
        f"{db_path}: the decisions database was deleted or replaced while newsreader had it "
        "open; this change was not saved. Quit newsreader and start it again"
    )


def log_lost_message(wal: Path) -> str:
    """One line for a write refused because the log beside the decisions file went: the
    commits since the last checkpoint went with it."""
    return (
        f"{wal}: the decisions database's write-ahead log was deleted or replaced while "
        "newsreader had it open; this change was not saved. Quit newsreader and start it again"
    )


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error: one decision, one commit."""

    def __init__(self, conn: sqlite3.Connection, db_path: Path, opened: OpenedFile | None = None):
        """A transaction on `conn`, the decisions file `db_path` (named in its errors);
        `opened`, when given, must still be the file at `db_path` to commit."""
        self.conn = conn
        self.db_path = db_path
        self.opened = opened

    def __enter__(self) -> None:
        """BEGIN IMMEDIATE; a busy or failing file, or one known gone, is a `StoreError`."""
        if self.opened is not None:
            self.opened.refuse_if_lost()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise StoreError(write_failure(self.db_path, error)) from None
            raise StoreError(
                f"{self.db_path}: the decisions database is busy ({error}); nothing was changed"
            ) from None

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        """COMMIT (to the file opened only: see `_commit`), or ROLLBACK after an error; an
        SQLite error (the block's or the commit's) becomes a `StoreError`."""
        if kind is None:
            self._commit()
            return
        try:
            self.conn.execute("ROLLBACK")
        except sqlite3.Error as error:
            raise StoreError(write_failure(self.db_path, error)) from None
        if isinstance(value, sqlite3.Error):  # a full disk, a read-only folder, damage
            raise StoreError(write_failure(self.db_path, value)) from None

    def _commit(self) -> None:
        """COMMIT while the path still names the file opened, and check it again after: a
        file replaced during the commit has the change, the path does not. Either way,
        nothing is acknowledged that a new start would not find."""
        try:
            self._same_file()
            self.conn.execute("COMMIT")
        except (sqlite3.Error, StoreError) as error:
            with contextlib.suppress(sqlite3.Error):  # a failed commit: SQLite keeps none
                self.conn.execute("ROLLBACK")
            if isinstance(error, StoreError):
                raise
            raise StoreError(write_failure(self.db_path, error)) from None
        self._same_file()

    def _same_file(self) -> None:
        """A `StoreError` when the file opened, or its log, is no longer at its path."""
        if self.opened is not None:
            self.opened.check(self.conn)


def write_failure(db_path: Path, error: BaseException) -> str:
    """One line for a write SQLite refused: the file, the reason, a likely cause."""
    text = str(error)
    hint = ""
    if "full" in text or "readonly" in text or "unable to open" in text or "I/O" in text:
        hint = f" (is the disk full, or {db_path.parent} read-only?)"
    return f"{db_path}: cannot write the decisions database: {text}{hint}; nothing was changed"

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


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error: one decision, one commit."""

    def __init__(self, conn: sqlite3.Connection, db_path: Path):
        """A transaction on `conn`, the decisions file `db_path` (named in its errors)."""
        self.conn = conn
        self.db_path = db_path

    def __enter__(self) -> None:
        """BEGIN IMMEDIATE; a busy or failing file is a `StoreError`."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise StoreError(write_failure(self.db_path, error)) from None
            raise StoreError(
                f"{self.db_path}: the decisions database is busy ({error}); nothing was changed"
            ) from None

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        """COMMIT, or ROLLBACK after an error; an SQLite error (the block's or the commit's)
        becomes a `StoreError`."""
        try:
            self.conn.execute("COMMIT" if kind is None else "ROLLBACK")
        except sqlite3.Error as error:
            if kind is None:  # the commit failed: SQLite keeps none of it
                with contextlib.suppress(sqlite3.Error):
                    self.conn.execute("ROLLBACK")
            raise StoreError(write_failure(self.db_path, error)) from None
        if isinstance(value, sqlite3.Error):  # a full disk, a read-only folder, damage
            raise StoreError(write_failure(self.db_path, value)) from None


def write_failure(db_path: Path, error: BaseException) -> str:
    """One line for a write SQLite refused: the file, the reason, a likely cause."""
    text = str(error)
    hint = ""
    if "full" in text or "readonly" in text or "unable to open" in text or "I/O" in text:
        hint = f" (is the disk full, or {db_path.parent} read-only?)"
    return f"{db_path}: cannot write the decisions database: {text}{hint}; nothing was changed"

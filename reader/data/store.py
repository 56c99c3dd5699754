"""TriageStore: every decision in SQLite, with an append-only journal for undo and redo."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reader.data.article import Decision
from reader.data.keys import id_from_key, key_from_id

SCHEMA_VERSION = 1
_SCHEMA = """
CREATE TABLE IF NOT EXISTS decisions (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('undecided', 'published', 'skipped')),
    reason TEXT,
    origin TEXT NOT NULL CHECK (origin IN ('file', 'editor')),
    at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS batches (
    batch INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('decide', 'undo', 'redo')),
    ref INTEGER,                  -- for undo/redo: the decide batch it acts on
    status TEXT,                  -- decide batches: done | undone | dropped
    top INTEGER                   -- where a done batch sits on the undo stack
);
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY,
    batch INTEGER NOT NULL REFERENCES batches(batch),
    at TEXT NOT NULL,
    key TEXT NOT NULL,
    old_state TEXT, old_reason TEXT, old_origin TEXT,   -- old_state NULL: there was no row
    new_state TEXT, new_reason TEXT, new_origin TEXT    -- new_state NULL: the row was removed
);
CREATE INDEX IF NOT EXISTS journal_batch ON journal(batch);
"""


_Row = tuple[str, str | None, str]
"""(state, reason, origin) of a decisions row."""
_Change = tuple[str, _Row | None, _Row | None]
"""(key, old row or None when absent, new row or None to remove it)."""


class StoreError(Exception):
    """The decisions database cannot be used; the message says why and what to do."""


@dataclass(frozen=True, slots=True)
class JournalEntry:
    """One change of one article's state."""

    seq: int
    batch: int
    kind: str
    at: str
    id: str
    old_state: str | None
    new_state: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class Change:
    """What an undo or redo did: the batch and the ids it touched."""

    batch: int
    ids: tuple[str, ...]


_SQLITE_HEADER = b"SQLite format 3\x00"


def _refuse_foreign_file(db_path: Path) -> None:
    """A non-empty file that is not SQLite is never opened (SQLite would write over it)."""
    try:
        with open(db_path, "rb") as handle:
            head = handle.read(len(_SQLITE_HEADER))
    except FileNotFoundError:
        return
    except OSError as error:
        raise StoreError(f"{db_path}: cannot read the decisions database: {error}") from None
    if head and head != _SQLITE_HEADER:
        raise StoreError(f"{db_path}: not an SQLite database; it was left as it is")


Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware; tests and the app pass a fixed one."""


def _system_clock() -> datetime:
    return datetime.now(UTC)


class TriageStore:
    """Decisions keyed by article id; each call commits before it returns."""

    def __init__(self, db_path: Path, *, timeout: float = 10.0, clock: Clock | None = None):
        self.db_path = db_path
        self.clock = clock or _system_clock
        """Stamps every journal entry."""
        db_path.parent.mkdir(parents=True, exist_ok=True)
        _refuse_foreign_file(db_path)
        try:
            self.conn = sqlite3.connect(db_path, timeout=timeout, isolation_level=None)
            version = self._check_file()  # before anything that writes (WAL changes the header)
            self.conn.execute("PRAGMA journal_mode=WAL")
            self.conn.execute("PRAGMA synchronous=FULL")
            self.conn.execute("PRAGMA foreign_keys=ON")
            if version < SCHEMA_VERSION:  # write only when the schema is new
                self.conn.executescript(_SCHEMA)
                self.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.OperationalError as error:
            if "locked" in str(error):
                raise StoreError(f"{db_path}: the decisions database is locked") from None
            raise StoreError(f"{db_path}: cannot open the decisions database: {error}") from None
        except sqlite3.DatabaseError as error:
            raise StoreError(
                f"{db_path}: the decisions database is damaged ({error}); it was left as it is"
            ) from None

    def _check_file(self) -> int:
        """The schema version; a file that is not ours, or is damaged, is refused untouched."""
        version = self.conn.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.db_path}: made by a newer newsreader (schema {version})")
        tables = {row[0] for row in self.conn.execute("SELECT name FROM sqlite_master")}
        if version == 0 and tables:
            raise StoreError(
                f"{self.db_path}: not a newsreader decisions database; it was left as it is"
            )
        check = self.conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(check)
        return int(version)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def _now(self) -> str:
        return self.clock().astimezone(UTC).isoformat(timespec="milliseconds")

    def _write(self) -> _Transaction:
        return _Transaction(self.conn)

    # -- reading -----------------------------------------------------------------

    def decision(self, article_id: str) -> Decision:
        """The article's state (undecided when the store has never heard of it)."""
        row = self.conn.execute(
            "SELECT state FROM decisions WHERE key = ?", (key_from_id(article_id),)
        ).fetchone()
        return Decision(row[0]) if row else Decision.UNDECIDED

    def reason(self, article_id: str) -> str | None:
        """The reason given with the article's decision, if any."""
        row = self.conn.execute(
            "SELECT reason FROM decisions WHERE key = ?", (key_from_id(article_id),)
        ).fetchone()
        return row[0] if row else None

    def is_empty(self) -> bool:
        """Whether the store holds no state at all (new, or replaced)."""
        return self.conn.execute("SELECT 1 FROM decisions LIMIT 1").fetchone() is None

    def states(self) -> dict[str, Decision]:
        """Every known article's state, by id."""
        return {
            id_from_key(key): Decision(state)
            for key, state in self.conn.execute("SELECT key, state FROM decisions")
        }

    def journal(self) -> Iterator[JournalEntry]:
        """Every change ever made, oldest first."""
        for row in self.conn.execute(
            "SELECT j.seq, j.batch, b.kind, j.at, j.key, j.old_state, j.new_state, j.new_reason "
            "FROM journal j JOIN batches b USING (batch) ORDER BY j.seq"
        ):
            yield JournalEntry(row[0], row[1], row[2], row[3], id_from_key(row[4]), *row[5:])

    def decided_since(self, since: str) -> int:
        """How many editor decisions were made at or after an ISO time (for the pace)."""
        row = self.conn.execute(
            "SELECT count(*) FROM journal j JOIN batches b USING (batch) "
            "WHERE b.kind = 'decide' AND j.at >= ?",
            (since,),
        ).fetchone()
        return int(row[0])

    # -- the file's own state ---------------------------------------------------

    def seed(self, initial: Iterable[tuple[str, Decision]]) -> None:
        """Record the state a file implies for articles the editor has not decided.

        New articles get a row; an article never decided by the editor follows its
        file; an editor's decision is never touched. Not journaled: nobody decided.
        """
        at = self._now()
        with self._write():
            self.conn.executemany(
                "INSERT INTO decisions (key, state, reason, origin, at) "
                "VALUES (?, ?, NULL, 'file', ?) "
                "ON CONFLICT (key) DO UPDATE SET state = excluded.state, at = excluded.at "
                "WHERE origin = 'file' AND state != excluded.state",
                ((key_from_id(i), d.value, at) for i, d in initial),
            )

    # -- deciding ----------------------------------------------------------------

    def decide(
        self, ids: Iterable[str], decision: Decision, reason: str | None = None
    ) -> int | None:
        """Set the state of one or more articles as one undoable step.

        Idempotent: articles already in that state (with that reason) are left alone.
        Returns the batch number, or None when nothing changed. Committed on return.
        """
        at = self._now()
        with self._write():
            changes: list[_Change] = []
            for article_id in dict.fromkeys(ids):
                key = key_from_id(article_id)
                old = self.conn.execute(
                    "SELECT state, reason, origin FROM decisions WHERE key = ?", (key,)
                ).fetchone()
                if old and old[0] == decision.value and old[1] == reason and old[2] == "editor":
                    continue
                changes.append((key, old, (decision.value, reason, "editor")))
            if not changes:
                return None
            # A new decision empties the redo stack.
            self.conn.execute("UPDATE batches SET status = 'dropped' WHERE status = 'undone'")
            batch = self._new_batch("decide", at, None)
            self.conn.execute(
                "UPDATE batches SET status = 'done', top = ? WHERE batch = ?", (batch, batch)
            )
            self._apply(batch, at, changes)
            return batch

    def undo(self) -> Change | None:
        """Undo the latest step still done; None when there is nothing to undo."""
        at = self._now()
        with self._write():
            row = self.conn.execute(
                "SELECT batch FROM batches WHERE kind = 'decide' AND status = 'done' "
                "ORDER BY top DESC LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            target = row[0]
            entries = self._entries(target)
            batch = self._new_batch("undo", at, target)
            self.conn.execute(
                "UPDATE batches SET status = 'undone', top = ? WHERE batch = ?", (batch, target)
            )
            changes = [(key, new, old) for key, old, new in reversed(entries)]
            self._apply(batch, at, changes)
            return Change(batch, tuple(id_from_key(key) for key, _, _ in entries))

    def redo(self) -> Change | None:
        """Redo the step undone last; None when there is nothing to redo."""
        at = self._now()
        with self._write():
            row = self.conn.execute(
                "SELECT batch FROM batches WHERE kind = 'decide' AND status = 'undone' "
                "ORDER BY top DESC LIMIT 1"
            ).fetchone()
            if row is None:
                return None
            target = row[0]
            entries = self._entries(target)
            batch = self._new_batch("redo", at, target)
            self.conn.execute(
                "UPDATE batches SET status = 'done', top = ? WHERE batch = ?", (batch, target)
            )
            self._apply(batch, at, entries)
            return Change(batch, tuple(id_from_key(key) for key, _, _ in entries))

    def can_undo(self) -> bool:
        """Whether there is a step to undo."""
        return self._has("done")

    def can_redo(self) -> bool:
        """Whether there is a step to redo."""
        return self._has("undone")

    def _has(self, status: str) -> bool:
        return (
            self.conn.execute(
                "SELECT 1 FROM batches WHERE kind = 'decide' AND status = ? LIMIT 1", (status,)
            ).fetchone()
            is not None
        )

    def _new_batch(self, kind: str, at: str, ref: int | None) -> int:
        cursor = self.conn.execute(
            "INSERT INTO batches (at, kind, ref) VALUES (?, ?, ?)", (at, kind, ref)
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _entries(self, batch: int) -> list[_Change]:
        rows = self.conn.execute(
            "SELECT key, old_state, old_reason, old_origin, new_state, new_reason, new_origin "
            "FROM journal WHERE batch = ? ORDER BY seq",
            (batch,),
        ).fetchall()
        return [
            (r[0], None if r[1] is None else (r[1], r[2], r[3]), (r[4], r[5], r[6])) for r in rows
        ]

    def _apply(self, batch: int, at: str, changes: list[_Change]) -> None:
        """Write each (key, old, new) change and its journal entry; new None removes the row."""
        for key, old, new in changes:
            if new is None:
                self.conn.execute("DELETE FROM decisions WHERE key = ?", (key,))
            else:
                self.conn.execute(
                    "INSERT INTO decisions (key, state, reason, origin, at) VALUES (?,?,?,?,?) "
                    "ON CONFLICT (key) DO UPDATE SET state = excluded.state, "
                    "reason = excluded.reason, origin = excluded.origin, at = excluded.at",
                    (key, *new, at),
                )
            self.conn.execute(
                "INSERT INTO journal (batch, at, key, old_state, old_reason, old_origin, "
                "new_state, new_reason, new_origin) VALUES (?,?,?,?,?,?,?,?,?)",
                (batch, at, key, *(old or (None, None, None)), *(new or (None, None, None))),
            )


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on error: one decision, one commit."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn

    def __enter__(self) -> None:
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as error:
            raise StoreError(
                f"the decisions database is busy ({error}); nothing was changed"
            ) from None

    def __exit__(self, kind: object, value: object, traceback: object) -> None:
        self.conn.execute("COMMIT" if kind is None else "ROLLBACK")

"""TriageStore: every decision in SQLite, with an append-only journal for undo and redo."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import suppress
from datetime import UTC, datetime
from pathlib import Path

from reader.data.article import Decision, Problem
from reader.data.decisions import events as desk
from reader.data.decisions.dbfile import (
    DamagedStoreError,
    FilesStepError,
    OpenedFile,
    StoreError,
    _refuse_a_stub,
    _Transaction,
    set_aside,
    write_failure,
)
from reader.data.decisions.events import Claim, Event, Side
from reader.data.decisions.reading import StoreReader
from reader.data.decisions.records import Change as Change
from reader.data.decisions.records import FilesStep as FilesStep
from reader.data.decisions.records import FileWrite as FileWrite
from reader.data.decisions.records import JournalEntry as JournalEntry
from reader.data.decisions.records import Step as Step
from reader.data.decisions.records import StoryEdit as StoryEdit
from reader.data.decisions.schema import _AFTER_UPGRADE, _SCHEMA, _UPGRADES, SCHEMA_VERSION
from reader.data.ids import id_from_key, key_from_id

_Row = tuple[str, str | None, str]
"""(state, reason, origin) of a decisions row."""
_Change = tuple[str, _Row | None, _Row | None]
"""(key, old row or None when absent, new row or None to remove it)."""
_STEPS = "('decide', 'apply', 'story')"
"""The kinds of batch that are steps on the undo stack (undo and redo batches act on them)."""

Clock = Callable[[], datetime]
"""Returns the current time, timezone-aware; tests and the app pass a fixed one."""


def _identity(path: Path) -> tuple[int, int] | None:
    """(st_dev, st_ino) of the file at `path`, None when there is none (or it cannot be
    seen: the open that follows says why)."""
    try:
        found = os.stat(path)
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def _system_clock() -> datetime:
    """The time now, in UTC: the store's clock unless one is passed."""
    return datetime.now(UTC)


class TriageStore(StoreReader):
    """Decisions keyed by article id; each call commits before it returns.

    The queries (`decision`, `states`, `journal`, ...) are StoreReader's, in reading.py.
    """

    def __init__(self, db_path: Path, *, timeout: float = 10.0, clock: Clock | None = None,
                 checked: bool = False):
        """Open (or create) the decisions file `db_path`, checked and brought up to date;
        `checked`: its quick_check already passed. A damaged file is set aside and refused."""
        self.db_path = db_path
        self.clock = clock or _system_clock
        """Stamps every journal entry."""
        self._checked = checked
        """True when this file's quick_check already passed (see `reader.data.checks`)."""
        try:
            db_path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            why = error.strerror or str(error)
            raise StoreError(f"{db_path.parent}: cannot create the data folder: {why}") from None
        try:
            _refuse_a_stub(db_path)
            self._open(timeout)
        except sqlite3.OperationalError as error:
            if "locked" in str(error):
                raise StoreError(f"{db_path}: the decisions database is locked") from None
            raise StoreError(write_failure(db_path, error).replace("write", "open", 1)) from None
        except sqlite3.DatabaseError as error:
            self._set_aside(str(error))

    def _open(self, timeout: float) -> None:
        """Connect and check the file, waiting up to TIMEOUT while another instance opens it.

        The file is only ever opened through SQLite: a file that is not a database fails the
        first read ("file is not a database") before anything writes to it. Reading its
        header with open() instead would be a bug: closing any descriptor of a file drops
        every POSIX lock this process holds on it, so a worker thread opening its own store
        would silently release the main connection's locks, and another process closing
        last would checkpoint and delete the WAL under it ("database disk image is
        malformed").

        Switching a new file to WAL takes a lock SQLite does not wait for: retry it.
        """
        deadline = time.monotonic() + timeout
        while True:
            before = _identity(self.db_path)
            self.conn = sqlite3.connect(self.db_path, timeout=timeout, isolation_level=None)
            try:
                self._opened = OpenedFile(self.db_path)  # SQLite created it, if new
                if not self._opened_what_is_there(before):
                    self.conn.close()
                    if time.monotonic() > deadline:
                        raise StoreError(f"{self.db_path}: the decisions database kept being "
                                         "replaced while it was opened; nothing was changed")
                    continue
                version = self._check_file()  # before anything that writes (WAL changes it)
                self.conn.execute("PRAGMA journal_mode=WAL")
                self.conn.execute("PRAGMA synchronous=FULL")
                if version < SCHEMA_VERSION:  # write only when the schema is new or old
                    self._upgrade()
                self.conn.execute("PRAGMA foreign_keys=ON")  # after the upgrade (drops a table)
                return
            except sqlite3.OperationalError as error:
                self.conn.close()
                if "locked" not in str(error) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _opened_what_is_there(self, before: tuple[int, int] | None) -> bool:
        """Whether the connection is on the file the path names now: SQLite opens by path,
        and `OpenedFile` stats the path just after, so a file replaced (its folder moved
        away and another put in its place) between the two would be taken for the one
        opened, and every check after would pass while the writes went to the old one.
        The path named one file before and after the open: that one. It named none before:
        SQLite made it, and it is still empty (one with bytes was put there by another)."""
        if before is not None:
            return before == self._opened.identity
        try:
            return os.stat(self.db_path).st_size == 0
        except OSError:
            return False

    def _set_aside(self, why: str) -> None:
        """Move the damaged file out of the way and refuse this run: never guess, never empty."""
        if hasattr(self, "conn"):
            self.conn.close()
        try:
            aside: Path | None = set_aside(self.db_path, self.clock())
            failure = ""
        except OSError as error:
            aside, failure = None, error.strerror or str(error)
        raise DamagedStoreError(self.db_path, why, aside, failure) from None

    def _check_file(self) -> int:
        """The schema version; a file that is not ours, or is damaged, is refused untouched."""
        # One statement, so one snapshot: read apart, another instance could create the
        # tables in between, and a new file would look like someone else's database.
        version, tables = self.conn.execute(
            "SELECT user_version, EXISTS (SELECT 1 FROM sqlite_master) FROM pragma_user_version"
        ).fetchone()
        if version > SCHEMA_VERSION:
            raise StoreError(f"{self.db_path}: made by a newer newsreader (schema {version})")
        if version == 0 and tables:
            raise StoreError(
                f"{self.db_path}: not a newsreader decisions database; it was left as it is"
            )
        check = "ok" if self._checked else self.conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise sqlite3.DatabaseError(check)
        return int(version)

    def _upgrade(self) -> None:
        """Create the tables, or bring an older file's up to date, in one transaction."""
        with self._write():
            # Read again under the lock: another process may have upgraded it meanwhile.
            version = self.conn.execute("PRAGMA user_version").fetchone()[0]
            if version >= SCHEMA_VERSION:
                return
            for statement in _UPGRADES.get(version, ()):
                self.conn.execute(statement)
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.conn.execute(statement)
            for statement in _AFTER_UPGRADE if version else ():
                self.conn.execute(statement)
            self.conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def lost(self) -> bool:
        """Whether the file this store opened was found deleted or replaced (a stat or two):
        the store then refuses every write for good; only a new start opens the file that
        is there now. A folder that cannot be read at the moment is not lost yet."""
        with suppress(StoreError):
            self._opened.check(self.conn)
        return self._opened.lost

    def _now(self) -> str:
        """The clock's time as a journal stamp: ISO 8601 UTC, to the millisecond."""
        return self.clock().astimezone(UTC).isoformat(timespec="milliseconds")

    def _write(self) -> _Transaction:
        """A write transaction on this store's connection; it commits only while the path
        still names the file this store opened (see `OpenedFile`)."""
        return _Transaction(self.conn, self.db_path, self._opened)

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
        return self.decide_each((i, decision, reason) for i in ids)

    def decide_each(self, items: Iterable[tuple[str, Decision, str | None]]) -> int | None:
        """Give each article its own decision and reason, all as one undoable step.

        The same rules as `decide`; an id given twice keeps its last decision.
        """
        at = self._now()
        wanted = {article_id: (d, r) for article_id, d, r in items}
        with self._write():
            changes: list[_Change] = []
            for article_id, (decision, reason) in wanted.items():
                key = key_from_id(article_id)
                old = self._row(key)
                same = old == (decision.value, reason, "editor")
                if same and not desk.is_conflict(self.conn, key):  # deciding resolves one
                    continue
                changes.append((key, old, (decision.value, reason, "editor")))
            if not changes:
                return None
            batch = self._new_step("decide", at)
            self._apply(batch, at, changes)
            return batch

    def move_decisions(self, moves: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
        """Give each (old id, new id) pair's new article the editor's decision on the old
        one, which is dropped, all as one undoable step: a renamed file keeps its decision.

        A pair whose old article has no decision of the editor's, or whose new one has
        one already, is left out. Returns the pairs moved. Committed on return.
        """
        at = self._now()
        with self._write():
            changes: list[_Change] = []
            moved: list[tuple[str, str]] = []
            for old_id, new_id in moves:
                old_key, new_key = key_from_id(old_id), key_from_id(new_id)
                was, there = self._row(old_key), self._row(new_key)
                if was is None or was[2] != "editor" or (there and there[2] == "editor"):
                    continue
                changes += [(old_key, was, None), (new_key, there, (was[0], was[1], "editor"))]
                moved.append((old_id, new_id))
            if changes:
                self._apply(self._new_step("decide", at), at, changes)
            self.conn.executemany(
                "DELETE FROM gone_prints WHERE key = ?", [(key_from_id(o),) for o, _ in moved]
            )
            return moved

    def remember_gone(self, prints: Mapping[str, tuple[str | None, str | None]]) -> None:
        """Keep (digest, web URL) of each article whose file went without being found
        again, while the editor's decision on it stays: a later scan may find it."""
        with self._write():
            self.conn.executemany(
                "INSERT OR REPLACE INTO gone_prints (key, digest, url) SELECT ?, ?, ? "
                "WHERE EXISTS (SELECT 1 FROM decisions WHERE key = ? AND origin = 'editor')",
                [(key_from_id(i), d, u, key_from_id(i)) for i, (d, u) in prints.items()],
            )

    def gone_prints(self) -> dict[str, tuple[str | None, str | None]]:
        """(digest, web URL) of each article whose file went (`remember_gone`) and that the
        editor still has published or skipped."""
        rows = self.conn.execute(
            "SELECT g.key, g.digest, g.url FROM gone_prints g JOIN decisions d USING (key) "
            "WHERE d.origin = 'editor' AND d.state != 'undecided'"
        ).fetchall()
        return {id_from_key(key): (digest, url) for key, digest, url in rows}

    def _row(self, key: str) -> tuple[str, str | None, str] | None:
        """(state, reason, origin) of an article's row, or None when it has none."""
        row = self.conn.execute(
            "SELECT state, reason, origin FROM decisions WHERE key = ?", (key,)
        ).fetchone()
        return None if row is None else (row[0], row[1], row[2])

    # -- correcting the stories -----------------------------------------------------

    def split_story(self, ids: Iterable[str]) -> int | None:
        """Take each article out of its story (each one then a story of its own), as one
        undoable step: the index applies `story_edits` over its clustering.

        Returns the batch number, or None when no id is given. Committed on return.
        """
        return self._story_step([(i, "split", None) for i in dict.fromkeys(ids)])

    def merge_story(self, ids: Iterable[str], into: str) -> int | None:
        """Move each article into the story that article `into` is in, as one undoable step.

        `into` itself is left out. Returns the batch number, or None when no other id is
        given. Committed on return.
        """
        return self._story_step([(i, "merge", into) for i in dict.fromkeys(ids) if i != into])

    def _story_step(self, edits: Sequence[StoryEdit]) -> int | None:
        """Record the edits as one new step; None (and no step) when there are none."""
        if not edits:
            return None
        at = self._now()
        with self._write():
            batch = self._new_step("story", at)
            self.conn.executemany(
                "INSERT INTO story_edits (batch, at, key, action, target) VALUES (?,?,?,?,?)",
                [
                    (batch, at, key_from_id(i), action, None if to is None else key_from_id(to))
                    for i, action, to in edits
                ],
            )
            return batch

    def _story_entries(self, batch: int) -> tuple[StoryEdit, ...]:
        """A story step's edits, in order."""
        return tuple(
            (id_from_key(key), action, None if target is None else id_from_key(target))
            for key, action, target in self.conn.execute(
                "SELECT key, action, target FROM story_edits WHERE batch = ? ORDER BY seq",
                (batch,),
            )
        )

    # -- undo and redo ---------------------------------------------------------------

    def undo(self) -> Change | None:
        """Undo the latest step still done; None when there is nothing to undo."""
        at = self._now()
        with self._write():
            step = self._target(undo=True)
            if step is None:
                return None
            entries = self._entries(step.batch)
            batch = self._new_batch("undo", at, step.batch)
            self.conn.execute(
                "UPDATE batches SET status = 'undone', top = ? WHERE batch = ?",
                (batch, step.batch),
            )
            changes = [(key, new, old) for key, old, new in reversed(entries)]
            changes, kept = self._still_so(changes)
            self._apply(batch, at, changes)
            return self._change(batch, step, entries, kept)

    def redo(self) -> Change | None:
        """Redo the step undone last; None when there is nothing to redo."""
        at = self._now()
        with self._write():
            step = self._target(undo=False)
            if step is None:
                return None
            entries = self._entries(step.batch)
            batch = self._new_batch("redo", at, step.batch)
            self.conn.execute(
                "UPDATE batches SET status = 'done', top = ? WHERE batch = ?", (batch, step.batch)
            )
            changes, kept = self._still_so(entries)
            self._apply(batch, at, changes)
            return self._change(batch, step, entries, kept)

    def _still_so(self, changes: list[_Change]) -> tuple[list[_Change], tuple[str, ...]]:
        """The changes whose article is still as the step left it, and the ids of those
        another editor decided since (a sync brought it): an undo or a redo leaves their
        decision as it is, never taking it back unseen."""
        keep: list[_Change] = []
        kept: list[_Change] = []
        for change in changes:
            (keep if self._row(change[0]) == change[1] else kept).append(change)
        return keep, tuple(id_from_key(key) for key, _, _ in kept)

    def _change(self, batch: int, step: Step, entries: list[_Change],
                kept: tuple[str, ...] = ()) -> Change:
        """What undoing or redoing `step` did: its states, or, for a story step, its edits
        (no state changes: their batch's status alone puts them in force or not)."""
        if step.kind == "story":
            edits = self._story_entries(step.batch)
            return Change(batch, tuple(dict.fromkeys(i for i, _, _ in edits)), "story",
                          edits=edits)
        return Change(batch, tuple(id_from_key(key) for key, _, _ in entries
                                   if id_from_key(key) not in kept), kept=kept)

    def can_undo(self) -> bool:
        """Whether there is a step to undo."""
        return self._has("done")

    def can_redo(self) -> bool:
        """Whether there is a step to redo."""
        return self._has("undone")

    def _has(self, status: str) -> bool:
        """Whether any step has `status` (`done`: one to undo, `undone`: one to redo)."""
        return (
            self.conn.execute(
                f"SELECT 1 FROM batches WHERE kind IN {_STEPS} AND status = ? LIMIT 1",
                (status,),
            ).fetchone()
            is not None
        )

    def next_step(self, undo: bool = True) -> Step | None:
        """The step an undo (or a redo) would act on, or None when there is none."""
        row = self.conn.execute(
            f"SELECT batch, kind FROM batches WHERE kind IN {_STEPS} AND status = ? "
            "ORDER BY top DESC LIMIT 1",
            ("done" if undo else "undone",),
        ).fetchone()
        return Step(row[0], row[1]) if row else None

    def _target(self, undo: bool) -> Step | None:
        """The decide or story step to undo or redo; an apply step there is Library's to undo."""
        step = self.next_step(undo)
        if step is not None and step.kind == "apply":
            verb = "undo" if undo else "redo"
            raise FilesStepError(
                f"the step to {verb} wrote article files: {verb} it with `newsreader {verb}`"
            )
        return step

    # -- lines written into article files (apply) --------------------------------------

    def begin_apply(
        self, writes: Sequence[FileWrite], owe: Collection[str] = ()
    ) -> tuple[int, list[int]]:
        """Journal the file writes about to be made as one undoable step: (batch, seqs).

        Each is `pending` before its file is touched, so a run killed halfway can be
        settled later from the files themselves. The writes of the articles in `owe` are
        owed a git commit (see `owed_writes`) until `commit_made` or `forget_owed` settles
        them. A new step empties the redo stack.
        """
        at = self._now()
        with self._write():
            batch = self._new_step("apply", at)
            seqs = []
            for w in writes:
                row = (w.state, w.line_at, w.old_line, w.new_line, w.old_digest, w.new_digest)
                cursor = self.conn.execute(
                    "INSERT INTO file_writes (batch, at, key, state, line_at, old_line, new_line, "
                    "old_digest, new_digest, status) VALUES (?,?,?,?,?,?,?,?,?, 'pending')",
                    (batch, at, key_from_id(w.id), *row),
                )
                assert cursor.lastrowid is not None
                seqs.append(cursor.lastrowid)
            self.conn.executemany(
                "INSERT INTO commits_owed (seq, batch) VALUES (?, ?)",
                [(seq, batch) for w, seq in zip(writes, seqs, strict=True) if w.id in owe],
            )
            return batch, seqs

    def settle_writes(self, statuses: Iterable[tuple[int, str]]) -> None:
        """Record what became of each write (`written` or `failed`), by seq."""
        with self._write():
            self.conn.executemany(
                "UPDATE file_writes SET status = ? WHERE seq = ?",
                [(status, seq) for seq, status in statuses],
            )
            # An apply step that changed no file is no step to undo.
            self.conn.execute(
                "UPDATE batches SET status = 'dropped' WHERE kind = 'apply' AND status = 'done' "
                "AND NOT EXISTS (SELECT 1 FROM file_writes f WHERE f.batch = batches.batch "
                "AND f.status != 'failed')"
            )

    def record_commit(self, batch: int, sha: str) -> None:
        """Remember the git commit (its sha) apply step `batch` made of the files it wrote;
        a `StoreError` when `batch` is no apply step."""
        at = self._now()
        with self._write():
            found = self.conn.execute(
                "SELECT kind FROM batches WHERE batch = ?", (batch,)
            ).fetchone()
            if found is None or found[0] != "apply":
                raise StoreError(f"{self.db_path}: step {batch} is no apply step; its commit "
                                 "was not recorded")  # fmt: skip
            self.conn.execute(
                "INSERT OR REPLACE INTO apply_commits (batch, at, sha) VALUES (?, ?, ?)",
                (batch, at, sha),
            )

    def commit_made(self, sha: str, seqs: Collection[int]) -> None:
        """Record that git commit `sha` holds the owed writes `seqs`: they are owed no more,
        and each apply step they belong to that had no commit yet now names this one."""
        at = self._now()
        with self._write():
            self.conn.executemany(
                "INSERT OR IGNORE INTO apply_commits (batch, at, sha) "
                "SELECT batch, ?, ? FROM commits_owed WHERE seq = ?",
                [(at, sha, seq) for seq in seqs],
            )
            self.conn.executemany(
                "DELETE FROM commits_owed WHERE seq = ?", [(seq,) for seq in seqs]
            )

    def forget_owed(self, seqs: Collection[int]) -> None:
        """The owed writes `seqs` need no commit any more (git has the file clean: someone
        committed it, or an undo put the old bytes back)."""
        with self._write():
            self.conn.executemany(
                "DELETE FROM commits_owed WHERE seq = ?", [(seq,) for seq in seqs]
            )

    def end_files_step(
        self, target: int, undo: bool, ids: Sequence[str], refused: Sequence[Problem] = ()
    ) -> Change:
        """Record that an apply step's files were restored (undo) or written again (redo)."""
        at = self._now()
        with self._write():
            batch = self._new_batch("undo" if undo else "redo", at, target)
            self.conn.execute(
                "UPDATE batches SET status = ?, top = ? WHERE batch = ?",
                ("undone" if undo else "done", batch, target),
            )
        return Change(batch, tuple(ids), "apply", tuple(refused), commit=self.commit_of(target))

    def _new_step(self, kind: str, at: str) -> int:
        """A new done step on top of the undo stack; like any new step, it empties the
        redo stack (what was undone cannot be redone over it)."""
        self.conn.execute("UPDATE batches SET status = 'dropped' WHERE status = 'undone'")
        batch = self._new_batch(kind, at, None)
        self.conn.execute(
            "UPDATE batches SET status = 'done', top = ? WHERE batch = ?", (batch, batch)
        )
        return batch

    def _new_batch(self, kind: str, at: str, ref: int | None) -> int:
        """Insert a batch of `kind`, referring to `ref` (the step an undo or redo acts on); its
        number."""
        cursor = self.conn.execute(
            "INSERT INTO batches (at, kind, ref) VALUES (?, ?, ?)", (at, kind, ref)
        )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def _entries(self, batch: int) -> list[_Change]:
        """A batch's journal entries in order, as (key, old, new) changes."""
        rows = self.conn.execute(
            "SELECT key, old_state, old_reason, old_origin, new_state, new_reason, new_origin "
            "FROM journal WHERE batch = ? ORDER BY seq",
            (batch,),
        ).fetchall()
        return [
            (r[0], None if r[1] is None else (r[1], r[2], r[3]),
             None if r[4] is None else (r[4], r[5], r[6]))  # new None: the row was removed
            for r in rows
        ]

    def _apply(self, batch: int, at: str, changes: list[_Change], shared: bool = False
               ) -> None:
        """Write each (key, old, new) change and its journal entry; new None removes the row.

        Each change is this store's own decision, and an event of the desk's on top of the
        article's heads (`shared`: the change follows events read from the desk; it makes
        none).
        """
        for key, old, new in changes:
            event = None
            if not shared:
                made = new if new is not None and new[2] == "editor" else None
                event = desk.record_local(self.conn, at, key, made and made[0],
                                          made and made[1])
            elif new is not None and new[2] == "editor":
                event = self._standing_event(key)
            if new is None:
                self.conn.execute("DELETE FROM decisions WHERE key = ?", (key,))
            else:
                self.conn.execute(
                    "INSERT INTO decisions (key, state, reason, origin, at, event) "
                    "VALUES (?,?,?,?,?,?) "
                    "ON CONFLICT (key) DO UPDATE SET state = excluded.state, "
                    "reason = excluded.reason, origin = excluded.origin, at = excluded.at, "
                    "event = excluded.event",
                    (key, *new, at, event if new[2] == "editor" else None),
                )
            self.conn.execute(
                "INSERT INTO journal (batch, at, key, old_state, old_reason, old_origin, "
                "new_state, new_reason, new_origin) VALUES (?,?,?,?,?,?,?,?,?)",
                (batch, at, key, *(old or (None, None, None)), *(new or (None, None, None))),
            )

    def _standing_event(self, key: str) -> str | None:
        """The id of the head event that gives the article its state now."""
        side = desk.standing(self.conn, key)
        return None if side is None else side.event

    # -- the desk: events shared with the other editors ----------------------------------

    def add_events(self, events: Sequence[Event]) -> tuple[int, list[str]]:
        """Add the events read from the desk's logs that this store lacks, in one
        transaction, and let each article they touch take the state its heads give it
        (journaled as a `sync` batch, no step to undo): (how many were new, the ids of the
        articles whose state changed). An article that goes back to its file's state is
        left `undecided` from the file: the caller seeds it from the index."""
        at = self._now()
        with self._write():
            there = desk.known(self.conn, [e.id for e in events])
            new = list({e.id: e for e in events if e.id not in there}.values())
            touched: dict[str, None] = {}
            for event in new:
                if event.kind == "decide" and event.article is not None:
                    touched[desk.add_decision(self.conn, event)] = None
                elif event.kind in ("claim", "release"):
                    desk.record_claim(self.conn, event)
            changes: list[_Change] = []
            for key in touched:
                side, old = desk.standing(self.conn, key), self._row(key)
                if side is None:
                    continue
                if side.state is None:  # back to what the file says
                    want = old if old is None or old[2] == "file" else ("undecided", None, "file")
                else:
                    want = (side.state, side.reason, "editor")
                event_now = self.conn.execute(
                    "SELECT event FROM decisions WHERE key = ?", (key,)).fetchone()
                moved = want is not None and want[2] == "editor" and (
                    event_now is None or event_now[0] != side.event)  # same state, new event
                if want != old or moved:
                    changes.append((key, old, want))
            if changes:
                self._apply(self._new_batch("sync", at, None), at, changes, shared=True)
            return len(new), [id_from_key(key) for key, _, _ in changes]

    def unshared_events(self) -> list[Event]:
        """This store's own events no shared log holds yet, oldest first."""
        return desk.unshared(self.conn)

    def mark_shared(self, ids: Iterable[str], editor: str) -> None:
        """Record that `editor`'s log now holds these events of this store's own."""
        with self._write():
            self.conn.executemany("UPDATE events SET editor = ? WHERE id = ? AND editor IS NULL",
                                  [(editor, i) for i in ids])

    def conflicts(self, ids: Sequence[str] | None = None) -> dict[str, list[Side]]:
        """Each article whose editors decided it differently, neither having seen the
        other's decision: its standing decisions, latest first (the latest gives its state
        until someone decides it again, which resolves it)."""
        keys = None if ids is None else [key_from_id(i) for i in ids]
        return desk.sides(self.conn, keys)

    def decided_by(self) -> dict[str, tuple[str | None, str]]:
        """(editor, when) of each article an editor decided, by id; editor None: this
        store's own decision, not shared yet."""
        return {
            id_from_key(key): (editor, at)
            for key, editor, at in self.conn.execute(
                "SELECT d.key, e.editor, e.at FROM decisions d JOIN events e ON e.id = d.event "
                "WHERE d.origin = 'editor'"
            )
        }

    def claim(self, until: str, articles: Sequence[str] = (), provider: str | None = None,
              topic: str | None = None) -> Event:
        """Claim these articles (or a provider's, or a topic's) until `until` (ISO 8601
        UTC), as an event of this store's own: the other editors' next undecided passes
        them by once they have synced it."""
        event = Event(desk.new_id(), self._now(), None, "claim", until=until,
                      articles=tuple(articles), provider=provider, topic=topic)
        with self._write():
            desk.record_claim(self.conn, event, own=True)
        return event

    def release(self, claims: Sequence[str]) -> Event | None:
        """End these claims (by event id) before their time; None when none is given."""
        if not claims:
            return None
        event = Event(desk.new_id(), self._now(), None, "release", on=tuple(claims))
        with self._write():
            desk.record_claim(self.conn, event, own=True)
        return event

    def claims(self, now: str | None = None) -> list[Claim]:
        """Every claim in force (not released, not ended), oldest first."""
        return desk.claims_in_force(self.conn, now or self._now())

"""The decisions store's reading side: states, reasons, the journal and what changed since."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator

from reader.data.article import Decision
from reader.data.decisions.records import FilesStep, FileWrite, JournalEntry, StoryEdit
from reader.data.ids import id_from_key, key_from_id


class StoreReader:
    """TriageStore's queries: each reads its connection and never writes."""

    conn: sqlite3.Connection
    """The open decisions database; TriageStore connects it (no class value, on purpose:
    `TriageStore._set_aside` asks whether it was set)."""

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

    def rows_of(self, ids: Iterable[str]) -> dict[str, tuple[Decision, str | None, bool]]:
        """(state, reason, whether the editor chose it) of each given id the store knows;
        an id it has never heard of is absent."""
        keys = [key_from_id(i) for i in ids]
        found: dict[str, tuple[Decision, str | None, bool]] = {}
        for start in range(0, len(keys), 500):  # below SQLite's limit on bound values
            part = keys[start : start + 500]
            for key, state, reason, origin in self.conn.execute(
                "SELECT key, state, reason, origin FROM decisions "
                f"WHERE key IN ({','.join('?' * len(part))})",
                part,
            ):
                found[id_from_key(key)] = (Decision(state), reason, origin == "editor")
        return found

    def editor_decisions(self) -> dict[str, tuple[Decision, str | None]]:
        """Every state the editor chose (not the files' own), with its reason, by id."""
        return {
            id_from_key(key): (Decision(state), reason)
            for key, state, reason in self.conn.execute(
                "SELECT key, state, reason FROM decisions WHERE origin = 'editor'"
            )
        }

    def journal(self) -> Iterator[JournalEntry]:
        """Every change of state ever made, oldest first; an undo's or a redo's names the
        step it acts on (`ref`)."""
        for row in self.conn.execute(
            "SELECT j.seq, j.batch, b.kind, j.at, j.key, j.old_state, j.new_state, j.new_reason, "
            "b.ref FROM journal j JOIN batches b USING (batch) ORDER BY j.seq"
        ):
            yield JournalEntry(row[0], row[1], row[2], row[3], id_from_key(row[4]), *row[5:])

    # -- apply steps: the lines written into article files, their commits, their undos ----

    def file_writes(self, batch: int | None = None) -> list[FileWrite]:
        """The writes of one apply step in order; with no batch, every pending one."""
        where, params = ("batch = ?", (batch,)) if batch is not None else ("status = 'pending'", ())
        return self._file_writes(where, params)

    def written_lines(self) -> list[FileWrite]:
        """Every line an apply step wrote into an article file (not those that failed, nor a
        killed run's still pending), oldest first, each with its seq, batch and time."""
        return self._file_writes("status = 'written'", ())

    def owed_writes(self) -> list[FileWrite]:
        """The lines `apply --commit` wrote that no git commit holds yet, oldest first (see
        `TriageStore.begin_apply`); a write that failed, or is still pending, is none."""
        return self._file_writes(
            "status = 'written' AND seq IN (SELECT seq FROM commits_owed)", ()
        )

    def _file_writes(self, where: str, params: tuple[object, ...]) -> list[FileWrite]:
        """The file writes the condition `where` selects, in the order they were journaled."""
        return [
            FileWrite(id_from_key(r[0]), *r[1:])
            for r in self.conn.execute(
                "SELECT key, state, line_at, old_line, new_line, old_digest, new_digest, seq, "
                f"batch, status, at FROM file_writes WHERE {where} ORDER BY seq",
                params,
            )
        ]

    def files_steps(self) -> list[FilesStep]:
        """Every undo and redo of an apply step, oldest first (those of decisions are in the
        journal; see `FilesStep` for what the store keeps of them)."""
        return [
            FilesStep(*row)
            for row in self.conn.execute(
                "SELECT u.batch, u.kind, u.at, u.ref FROM batches u JOIN batches s "
                "ON s.batch = u.ref WHERE u.kind IN ('undo', 'redo') AND s.kind = 'apply' "
                "ORDER BY u.batch"
            )
        ]

    def commit_of(self, batch: int) -> str | None:
        """The git commit (its sha) apply step `batch` made, or None when it made none (or
        was made before the store kept commits)."""
        row = self.conn.execute(
            "SELECT sha FROM apply_commits WHERE batch = ?", (batch,)
        ).fetchone()
        return row[0] if row else None

    def apply_commits(self) -> dict[int, str]:
        """The git commit (its sha) of each apply step that made one, by its batch."""
        return dict(self.conn.execute("SELECT batch, sha FROM apply_commits"))

    def last_change(self) -> int:
        """The number of the journal's latest entry (0 when empty): see `changed_since`."""
        return int(self.conn.execute("SELECT coalesce(max(seq), 0) FROM journal").fetchone()[0])

    def changed_since(self, seq: int) -> tuple[int, set[str]]:
        """The articles the journal changed after entry SEQ (any process's decisions, undos,
        redos), and the latest entry's number, to pass next time."""
        rows = self.conn.execute("SELECT seq, key FROM journal WHERE seq > ?", (seq,)).fetchall()
        return max((r[0] for r in rows), default=seq), {id_from_key(r[1]) for r in rows}

    def decided_since(self, since: str) -> int:
        """How many editor decisions were made at or after an ISO time (for the pace)."""
        row = self.conn.execute(
            "SELECT count(*) FROM journal j JOIN batches b USING (batch) "
            "WHERE b.kind = 'decide' AND j.at >= ?",
            (since,),
        ).fetchone()
        return int(row[0])

    def story_edits(self) -> list[StoryEdit]:
        """(article id, `split` or `merge`, target id or None) of every story edit in force,
        in the order they were made: those of steps done, not undone or dropped.

        The order matters: a merge joins the story its target is in at that point.
        """
        return [
            (id_from_key(key), action, None if target is None else id_from_key(target))
            for key, action, target in self.conn.execute(
                "SELECT e.key, e.action, e.target FROM story_edits e JOIN batches b USING (batch) "
                "WHERE b.status = 'done' ORDER BY e.seq"
            )
        ]

    def story_steps_since(self, batch: int | None) -> tuple[int, bool]:
        """The latest batch's number, and whether any process made, undid or redid a story
        step after batch BATCH (None: the number only). One look at the newest batch when
        nothing happened."""
        latest = int(self.conn.execute("SELECT coalesce(max(batch), 0) FROM batches").fetchone()[0])
        if batch is None or latest <= batch:
            return latest, False
        row = self.conn.execute(
            "SELECT 1 FROM batches b WHERE b.batch > ? AND (b.kind = 'story' OR EXISTS "
            "(SELECT 1 FROM batches s WHERE s.batch = b.ref AND s.kind = 'story')) LIMIT 1",
            (batch,),
        ).fetchone()
        return latest, row is not None

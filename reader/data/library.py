"""Library: one cache folder with its index and its triage store, the API both front ends use."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from pathlib import Path

from reader.data.article import Article, Decision, Problem
from reader.data.cache import Index, Progress, RefreshResult
from reader.data.checks import INDEX_PROBE, Checks
from reader.data.store import Change, Clock, TriageStore
from reader.paths import default_db_path, index_path_for


class LibraryError(Exception):
    """The cache folder cannot be used; the message names it and says why."""


def _index_failure(path: Path, error: BaseException) -> str:
    """One line for an index SQLite could not open or write: the file, why, a likely cause."""
    why = getattr(error, "strerror", None) or str(error)
    return (
        f"{path}: cannot write the index: {why} (is the disk full, or {path.parent} "
        "read-only?); no decision was changed"
    )


class Library:
    """A cache folder, its index (rebuildable) and its decisions (precious)."""

    def __init__(self, root: Path, db_path: Path | None = None, clock: Clock | None = None,
                 checks: Checks | None = None):
        """Open the folder's two files; `checks` may have checked them already (the app
        starts them before its UI import, and a worker reuses its main thread's)."""
        if not root.is_dir():
            what = "does not exist" if not root.exists() else "is not a folder"
            raise LibraryError(f"{root}: {what}")
        self.root = root
        self.db_path = db_path or default_db_path(root)
        checked = checks is not None and checks.store_ok(self.db_path)
        self.store = TriageStore(self.db_path, clock=clock, checked=checked)
        try:
            self.index = Index(index_path_for(self.db_path), root)
            self.index.conn.execute("ATTACH DATABASE ? AS triage", (str(self.db_path),))
            if self.index.rebuilt or checks is None or not checks.index_ok(self.index.db_path):
                self._probe_index()
        except (sqlite3.Error, OSError) as error:  # a full disk, a read-only data folder
            self.store.close()
            raise LibraryError(_index_failure(index_path_for(self.db_path), error)) from None
        self.skipped: list[Problem] = []
        """Entries the last refresh passed over (symbolic links, unreadable folders)."""

    @classmethod
    def start_checks(cls, root: Path, db_path: Path | None = None) -> Checks:
        """Start checking the files a `Library(root, db_path)` opens, on a thread."""
        db_path = db_path or default_db_path(root)
        return Checks(db_path, index_path_for(db_path))

    def passed_checks(self) -> Checks:
        """This library's files as already checked: for another connection of this process."""
        return Checks.passed(self.db_path, self.index.db_path)

    def close(self) -> None:
        """Close both databases."""
        self.index.close()
        self.store.close()

    def refresh(self, progress: Progress | None = None) -> RefreshResult:
        """Re-read new and changed files, then let the store follow what they say."""
        try:
            try:
                result = self.index.refresh(progress)
            except sqlite3.OperationalError:
                raise
            except sqlite3.DatabaseError:  # damaged past its first page: start it again
                self._rebuild_index()
                result = self.index.refresh(progress)
        except sqlite3.OperationalError as error:  # a full disk, a read-only data folder
            raise LibraryError(_index_failure(self.index.db_path, error)) from None
        if result.temps:  # what a write killed halfway left behind (the walk saw them)
            from reader.data.safefile import clean_stale_temps

            clean_stale_temps(self.root)
        self.skipped = result.skipped
        if self.index.stories_stale():
            self.index.update_stories()
        fresh = set(result.added) | set(result.changed)
        everything = self.store.is_empty()  # a new or replaced store follows every file
        if fresh or everything:
            self.store.seed(
                (i, Decision.PUBLISHED if published else Decision.UNDECIDED)
                for i, published in self.index.initial_states()
                if everything or i in fresh
            )
        return result

    def _probe_index(self) -> None:
        """Walk every table of the index once (cheap): damage past its first page shows
        here, before a list is read from it, and the index is made anew."""
        try:
            self.index.conn.execute(INDEX_PROBE).fetchone()
        except sqlite3.OperationalError:
            raise
        except sqlite3.DatabaseError:
            self._rebuild_index()

    def _rebuild_index(self) -> None:
        """The index is only a copy of what the files say: a damaged one is made anew."""
        path = self.index.db_path
        self.index.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        self.index = Index(path, self.root)
        self.index.rebuilt = True
        self.index.conn.execute("ATTACH DATABASE ? AS triage", (str(self.db_path),))

    def undo(self) -> Change | None:
        """Undo the last step; an article it returns to its file's state follows the file now.

        An apply step is undone in the files: each gets its old bytes back.
        """
        step = self.store.next_step(undo=True)
        if step is not None and step.kind == "apply":
            from reader.data import writeback  # heavy, and only an apply step needs it

            return writeback.revert(self, step.batch, undo=True)
        return self._follow_files(self.store.undo())

    def redo(self) -> Change | None:
        """Redo the last undone step (an apply step writes its lines again)."""
        step = self.store.next_step(undo=False)
        if step is not None and step.kind == "apply":
            from reader.data import writeback

            return writeback.revert(self, step.batch, undo=False)
        return self._follow_files(self.store.redo())

    def _follow_files(self, change: Change | None) -> Change | None:
        if change:
            self.store.seed(
                (i, Decision.PUBLISHED if published else Decision.UNDECIDED)
                for i, published in self.index.initial_states(change.ids)
            )
        return change

    def decide_story(self, chosen: str, members: Iterable[str]) -> int | None:
        """Publish the chosen article of a story and skip the others as its duplicates.

        One undoable step; each skip's reason is `duplicate of <chosen>`.
        """
        reason = f"duplicate of {chosen}"
        items: list[tuple[str, Decision, str | None]] = [(chosen, Decision.PUBLISHED, None)]
        items += [(m, Decision.SKIPPED, reason) for m in members if m != chosen]
        return self.store.decide_each(items)

    def article(self, article_id: str) -> Article | None:
        """The parsed article, or None for an unknown id."""
        return self.index.article(article_id)

    def problems(self) -> list[Problem]:
        """Every problem found in the folder, in id order."""
        return sorted(self.skipped + self.index.problems(), key=lambda p: p.path)

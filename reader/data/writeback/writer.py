"""Write the editor's decisions into the article files: the one `published:` line, verified.

Two steps, so that a front end can show what will change before it does:

    found = plan(library)              # reads the files, writes nothing
    text = diff(found.edits[0])        # a unified diff, safe to print
    done = apply(library, found.edits) # atomic writes, one undoable step

Only the editor's decisions are written (a state that merely follows its file never
is); an article whose file already reads as decided is left alone. Each file is
replaced atomically (a hidden temporary beside it, fsync, rename), never through a
symbolic link, never when it changed on disk since it was indexed, and only when its
old and new front matter load alike but for `published:` (checked by `plan`, and again
by `apply` on the bytes it is about to write). The lines written are journaled in the
decisions database, so `Library.undo` restores the old bytes exactly (see undo.py).
`plan`, `diff` and `in_sync` live in planner.py and are re-exported here.
"""

from __future__ import annotations

import functools
import os
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reader.data.article import Decision
from reader.data.files import lineedit
from reader.data.files.git import (
    CommitResult,
    GitError,
    Repo,
    check_can_commit,
    commit_message,
)
from reader.data.files.safefile import Folder, FolderBusy, Unsafe, Writer, clean_stale_temps, digest
from reader.data.writeback.planner import CONTEXT as CONTEXT
from reader.data.writeback.planner import Edit, Plan, Skipped, diff, in_sync, plan
from reader.data.writeback.undo import revert, settle
from reader.data.writeback.verify import Item, Verdict, Verifier, chunks

if TYPE_CHECKING:
    from reader.data.writeback.host import Host

__all__ = [
    "ACTIONS",
    "ApplyResult",
    "CannotCommit",
    "CommitResult",
    "Edit",
    "FolderBusy",
    "Plan",
    "Skipped",
    "apply",
    "clean_stale_temps",
    "commit_message",
    "diff",
    "digest",
    "in_sync",
    "plan",
    "revert",
    "settle",
]

ACTIONS = {Decision.PUBLISHED: "publish", Decision.SKIPPED: "skip", Decision.UNDECIDED: "clear"}
"""The word for each decision, as the CLI spells it."""


@dataclass
class ApplyResult:
    """What `apply` did."""

    written: list[Edit] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    """Edits refused at write time (the file changed since the plan, and so on)."""
    batch: int | None = None
    """The undoable step, or None when no file was written."""
    commit: CommitResult | None = None
    cleaned: list[str] = field(default_factory=list)
    """Temporary files a killed run had left, removed first."""

    @property
    def ok(self) -> bool:
        """Whether every edit was written (and committed, when asked)."""
        return not self.skipped and (self.commit is None or self.commit.ok)


class CannotCommit(GitError, FolderBusy):
    """`apply` was asked to commit where git cannot: refused before anything is written.

    The message says what is missing and how to fix it. A FolderBusy too: the front ends
    report that one as an error of the apply (the CLI's `newsreader: error:`, exit 2).
    """


# -- apply -------------------------------------------------------------------------------


def apply(
    library: Host, edits: Iterable[Edit], commit: bool = False, *, refresh: bool = True
) -> ApplyResult:
    """Write the planned edits, each atomically, as one undoable step; then re-index.

    Each file is read again, must be as planned (mtime, size and bytes), and its edit
    is verified again just before the write; a file that fails is skipped and reported,
    the rest go on. With `commit`, the files written are committed in git (see
    git.Repo.commit), and the store keeps the commit's sha with the step (`commit_of`);
    first of all, before anything is written, raises CannotCommit when
    git is missing, the folder is not in a work tree or git has no user name or email.
    Raises FolderBusy when another newsreader is writing to the same folder.
    """
    if commit:
        try:
            check_can_commit(library.root)
        except GitError as error:
            raise CannotCommit(f"nothing written: {error}") from None
    edits = list({e.id: e for e in edits}.values())
    result = ApplyResult()
    # The verifier's workers first: forked later, they would inherit the folder's lock.
    with Verifier(len(edits)) as verifier, Folder(library.root) as folder, folder.locked():
        result.cleaned = folder.clean_temps()
        settle(library, folder)
        repo = _repo(library, result) if commit and edits else None
        if edits:
            result.batch = _Run(library, folder, verifier, result).write(edits)
        if repo is not None and result.written:
            _commit(library, repo, result)
    if refresh:
        library.refresh()
    return result


class _Run:
    """One apply's writes: journaled as pending, checked, verified, written, then settled.

    The work flows in chunks: this thread reads and checks the files, worker processes
    verify them (the YAML loads), and writer threads replace them (the fsyncs, several at
    once: the file system commits them together).
    """

    def __init__(self, library: Host, folder: Folder, verifier: Verifier, result: ApplyResult):
        """One apply's run on `folder`, verifying with `verifier` and noting what became of
        each edit in `result`."""
        self.library = library
        self.folder = folder
        self.verifier = verifier
        self.result = result
        self.statuses: list[tuple[int, str]] = []

    def write(self, edits: list[Edit]) -> int | None:
        """Write every edit; returns the apply step, or None when no file was written."""
        batch, seqs = self.library.store.begin_apply([e.file_write() for e in edits])
        todo = list(zip(edits, seqs, strict=True))
        try:
            with Writer(self.folder) as writer:
                waiting: deque[tuple[list[_Checked], Future[list[Verdict]]]] = deque()
                for part in chunks(len(todo)):
                    checked = [c for c in map(self._check, todo[part]) if c]
                    waiting.append((checked, self.verifier.submit([c[4] for c in checked])))
                    while len(waiting) > 2:
                        self._write(writer, *waiting.popleft())
                while waiting:
                    self._write(writer, *waiting.popleft())
            self.folder.sync()
        finally:
            self.library.store.settle_writes(self.statuses)
        return batch if self.result.written else None

    def _check(self, todo: tuple[Edit, int]) -> _Checked | None:
        """Read the file; it must still be as planned."""
        edit, seq = todo
        try:
            data, st = self.folder.read(edit.id)
            if (st.st_mtime_ns, st.st_size) != (edit.mtime_ns, edit.size) or (
                digest(data) != edit.old_digest
            ):
                raise Unsafe("changed", "changed on disk since it was planned: left as it is")
        except (Unsafe, OSError) as error:
            self.done(edit, seq, error)
            return None
        return edit, seq, data, st, (data, edit.line, edit.value)

    def _write(
        self, writer: Writer, checked: list[_Checked], verdicts: Future[list[Verdict]]
    ) -> None:
        """Queue the verified files of a chunk for writing; report the others."""
        found = self.verifier.verdicts(verdicts, [c[4] for c in checked])
        for (edit, seq, data, st, _), verdict in zip(checked, found, strict=True):
            new = edit.line.apply(data)
            if verdict is not None:
                self.done(edit, seq, lineedit.Refused(*verdict))
            elif digest(new) != edit.new_digest:
                self.done(edit, seq, Unsafe("verify", "the new bytes are not those planned"))
            else:
                writer.put(edit.id, new, st, functools.partial(self.done, edit, seq))

    def done(self, edit: Edit, seq: int, error: BaseException | None) -> None:
        """Record what became of one edit."""
        if error is None:
            self.result.written.append(edit)
        else:
            self.result.skipped.append(_refusal(edit, error))
        self.statuses.append((seq, "failed" if error else "written"))


_Checked = tuple[Edit, int, bytes, os.stat_result, Item]
"""(edit, journal seq, old bytes, status, what the verifier takes) of a file found as planned."""


def _refusal(edit: Edit, error: BaseException) -> Skipped:
    """The Skipped for an edit a refusal or an OSError stopped; any other error is raised."""
    if isinstance(error, Unsafe | lineedit.Refused):
        return Skipped(edit.id, edit.decision, error.code, error.why)
    if isinstance(error, OSError):
        return Skipped(edit.id, edit.decision, "failed", f"cannot write: {error.strerror or error}")
    raise error


# -- git ---------------------------------------------------------------------------------


def _repo(library: Host, result: ApplyResult) -> Repo | None:
    """The work tree as it is before the writes, or None (with a note) when there is none."""
    try:
        return Repo(library.root)
    except GitError as error:
        result.commit = CommitResult(note=str(error))
        return None


def _commit(library: Host, repo: Repo, result: ApplyResult) -> None:
    """Commit the files written, noting the commit (or why there is none) in `result`, and
    the commit made in the store, with the apply step (so that its undo can name it)."""
    lines = [(ACTIONS[e.decision], e.id, e.reason) for e in result.written]
    try:
        result.commit = repo.commit([e.id for e in result.written], commit_message(lines))
    except GitError as error:
        result.commit = CommitResult(note=str(error))
    if result.commit.sha and result.batch is not None:
        library.store.record_commit(result.batch, result.commit.sha)

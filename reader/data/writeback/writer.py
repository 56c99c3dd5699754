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
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from reader.data.article import Decision
from reader.data.decisions.dbfile import StoreError
from reader.data.decisions.store import FileWrite
from reader.data.files import lineedit
from reader.data.files.git import (
    MESSAGE_TITLE,
    CommitResult,
    GitError,
    Repo,
    check_can_commit,
    commit_message,
)
from reader.data.files.safefile import Folder, FolderBusy, Unsafe, Writer, clean_stale_temps, digest
from reader.data.words import plural
from reader.data.writeback.planner import CONTEXT as CONTEXT
from reader.data.writeback.planner import Edit, Plan, Skipped, diff, in_sync, plan
from reader.data.writeback.undo import revert, settle

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
    store_lost: str | None = None
    """Why the decisions database could not record the writes (it was deleted or replaced
    while they were made): the files in `written` are written all the same, with no
    record to undo them from, and nothing was committed."""

    @property
    def ok(self) -> bool:
        """Whether every edit was written (and recorded, and committed, when asked)."""
        return (
            not self.skipped
            and self.store_lost is None
            and (self.commit is None or self.commit.ok)
        )


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
    the rest go on. With `commit`, the files written are committed in git (see `_Commit`),
    with those an earlier `apply --commit` wrote and did not get committed (it was killed,
    or git refused then): with no edits, that is all it does. First of all, before anything
    is written, raises CannotCommit when git is missing, the folder is not in a work tree,
    HEAD is detached or git has no user name or email.
    Raises FolderBusy when another newsreader is writing to the same folder.
    """
    if commit:
        try:
            check_can_commit(library.root)
        except GitError as error:
            raise CannotCommit(f"nothing written: {error}") from None
    edits = list({e.id: e for e in edits}.values())
    result = ApplyResult()
    with Folder(library.root) as folder, folder.locked():
        result.cleaned = folder.clean_temps()
        settle(library, folder)
        git = _Commit.start(library, folder, result) if commit else None
        owe = git.ours(edits) if git is not None else set()
        if edits:
            result.batch = _Run(library, folder, result).write(edits, owe)
        if git is not None and result.store_lost is None:
            git.finish({e.id: e for e in result.written})
        elif git is not None:
            result.commit = CommitResult(note="the decisions database is gone: no commit made")
    if refresh and result.store_lost is None:
        library.refresh()
    return result


class _Run:
    """One apply's writes: journaled as pending, checked, verified, written, then settled.

    This thread reads, checks and verifies each file just before it queues it, and writer
    threads replace them (the fsyncs, several at once: the file system commits them
    together), so the checks of one file go on while others wait on the disk.
    """

    def __init__(self, library: Host, folder: Folder, result: ApplyResult):
        """One apply's run on `folder`, noting what became of each edit in `result`."""
        self.library = library
        self.folder = folder
        self.result = result
        self.statuses: list[tuple[int, str]] = []

    def write(self, edits: list[Edit], owe: set[str]) -> int | None:
        """Write every edit; returns the apply step, or None when no file was written. The
        writes of the articles in `owe` are journaled as owed a git commit."""
        batch, seqs = self.library.store.begin_apply([e.file_write() for e in edits], owe)
        try:
            with Writer(self.folder) as writer:
                for edit, seq in zip(edits, seqs, strict=True):
                    self._write(writer, edit, seq)
            self.folder.sync()
        finally:
            self._settle()
        return batch if self.result.written else None

    def _settle(self) -> None:
        """Record what became of each write. A store deleted or replaced meanwhile cannot:
        the files written are said all the same (`ApplyResult.store_lost`), not passed
        off as "nothing was changed"."""
        try:
            self.library.store.settle_writes(self.statuses)
        except StoreError as error:
            if not self.result.written:
                raise
            why = str(error).split("; nothing was changed")[0].split("; this change")[0]
            self.result.store_lost = (
                f"{plural(len(self.result.written), 'file')} written, but the decisions "
                f"database cannot record {'it' if len(self.result.written) == 1 else 'them'}, "
                f"so no undo can restore them: {why}"
            )

    def _write(self, writer: Writer, edit: Edit, seq: int) -> None:
        """Read the file again, which must still be as planned, verify its edit on those
        bytes, and queue the new ones for writing; or report why not."""
        try:
            data, st = self.folder.read(edit.id)
            if (st.st_mtime_ns, st.st_size) != (edit.mtime_ns, edit.size) or (
                digest(data) != edit.old_digest
            ):
                raise Unsafe("changed", "changed on disk since it was planned: left as it is")
            new = lineedit.verify(data, edit.line, edit.value)
            if digest(new) != edit.new_digest:
                raise Unsafe("verify", "the new bytes are not those planned")
        except (Unsafe, lineedit.Refused, OSError) as error:
            self.done(edit, seq, error)
            return
        writer.put(edit.id, new, st, functools.partial(self.done, edit, seq))

    def done(self, edit: Edit, seq: int, error: BaseException | None) -> None:
        """Record what became of one edit."""
        if error is None:
            self.result.written.append(edit)
        else:
            self.result.skipped.append(_refusal(edit, error))
        self.statuses.append((seq, "failed" if error else "written"))


def _refusal(edit: Edit, error: BaseException) -> Skipped:
    """The Skipped for an edit a refusal or an OSError stopped; any other error is raised."""
    if isinstance(error, Unsafe | lineedit.Refused):
        return Skipped(edit.id, edit.decision, error.code, error.why)
    if isinstance(error, OSError):
        return Skipped(edit.id, edit.decision, "failed", f"cannot write: {error.strerror or error}")
    raise error


# -- git ---------------------------------------------------------------------------------

_CHANGED = "changed since newsreader wrote it: not committed (commit it yourself, or undo)"
_LATER = ("the files are written; `newsreader commit` (or the next `apply --commit`) commits "
          "them once git can")  # fmt: skip


@dataclass
class _Owed:
    """The files earlier `apply --commit` runs wrote and no commit holds, as found now."""

    intact: dict[str, list[FileWrite]] = field(default_factory=dict)
    """Files as newsreader last wrote them: to commit (id → its owed writes)."""
    clean: dict[str, list[FileWrite]] = field(default_factory=dict)
    """Files git has clean again: committed by someone, or put back by an undo."""
    gone: dict[str, list[FileWrite]] = field(default_factory=dict)
    changed: dict[str, list[FileWrite]] = field(default_factory=dict)
    """Files changed since newsreader wrote them: not newsreader's to commit."""
    last: dict[str, FileWrite] = field(default_factory=dict)
    """The newest write of each file (owed or not: a plain `apply` may have written it
    again since): what an intact file holds."""


class _Commit:
    """One apply's commit: the files it writes, and those earlier runs left uncommitted.

    Each write of a file git had clean is journaled as owed a commit before the file is
    touched; whatever stops the commit (a kill, git's lock file, a hook), the next
    `apply --commit` or `newsreader commit` finds those writes and commits the files that
    still hold them. Files git has clean again, or that are gone, are owed nothing more.
    """

    def __init__(self, library: Host, folder: Folder, repo: Repo, result: ApplyResult):
        """The commit of an apply on `folder`, in `repo`, noting what it did in `result`."""
        self.library = library
        self.folder = folder
        self.repo = repo
        self.result = result
        self.mine: set[str] = set()
        """The edited files this run may commit (see `ours`)."""
        result.commit = CommitResult()

    @classmethod
    def start(cls, library: Host, folder: Folder, result: ApplyResult) -> _Commit | None:
        """Look at the work tree before the writes; None (with a note) when there is none."""
        try:
            repo = Repo(library.root)
        except GitError as error:
            result.commit = CommitResult(note=str(error))
            return None
        return cls(library, folder, repo, result)

    def ours(self, edits: Iterable[Edit]) -> set[str]:
        """The edited files newsreader may commit: clean in git, or holding only what an
        earlier `apply --commit` wrote."""
        intact = self._owed().intact
        self.mine = {e.id for e in edits if self.repo.is_clean(e.id) or e.id in intact}
        return self.mine

    def finish(self, written: dict[str, Edit]) -> None:
        """Commit the files this run wrote (those it may) and the intact owed ones."""
        commit = self.result.commit
        assert commit is not None
        try:
            self.repo.refresh()
        except GitError as error:
            commit.note = f"{error}; {_LATER}" if written else str(error)
            return
        owed = self._owed()
        self._settle(owed)
        commit.left_out += [(i, _CHANGED) for i in owed.changed]
        commit.left_out += [  # (one of them that git now has clean needs no commit)
            (i, "not tracked by git, or it had other changes before the apply: not committed")
            for i in written
            if i not in self.mine
        ]
        commit.earlier = [i for i in owed.intact if i not in written]
        if owed.intact:
            self._commit(owed, written)

    def _owed(self) -> _Owed:
        """Sort the owed writes by what their files hold now."""
        found = _Owed()
        by_id: dict[str, list[FileWrite]] = {}
        for write in self.library.store.owed_writes():
            by_id.setdefault(write.id, []).append(write)
        last = found.last = _last_writes(self.library, by_id)
        for article_id, writes in by_id.items():
            try:
                data, _ = self.folder.read(article_id)
            except (Unsafe, OSError):
                found.gone[article_id] = writes
                continue
            if self.repo.is_clean(article_id):
                found.clean[article_id] = writes
            elif digest(data) == last[article_id].new_digest:
                found.intact[article_id] = writes
            else:
                found.changed[article_id] = writes
        return found

    def _settle(self, owed: _Owed) -> None:
        """Owe nothing more for files git has clean or that are gone; a file committed
        by a run killed before it could say so names that commit."""
        store = self.library.store
        for article_id, writes in owed.clean.items():
            found = self.repo.last_commit_of(article_id)
            ours = found is not None and found[1].startswith(MESSAGE_TITLE)
            # Only a commit made after a write holds it (an older one: the file went back).
            held = [w.seq for w in writes if ours and found and found[2] + 1 >= _unix(w.at)]
            if held and found:
                store.commit_made(found[0], held)
            store.forget_owed([w.seq for w in writes if w.seq not in held])
        if owed.gone:
            store.forget_owed([w.seq for writes in owed.gone.values() for w in writes])
        assert self.result.commit is not None
        self.result.commit.settled = sorted([*owed.clean, *owed.gone])

    def _commit(self, owed: _Owed, written: dict[str, Edit]) -> None:
        """Commit the intact files, and note in the store the writes the commit holds."""
        commit = self.result.commit
        assert commit is not None
        intact = owed.intact
        reasons = self.library.store.rows_of(intact)
        lines = []
        for article_id in intact:
            state = Decision(owed.last[article_id].state)
            edit, row = written.get(article_id), reasons.get(article_id)
            reason = edit.reason if edit else row[1] if row and row[0] == state else None
            lines.append((ACTIONS[state], article_id, reason))
        try:
            self.repo.commit(lines, commit)
        except GitError as error:
            commit.note = f"{error}; {_LATER}"
            return
        if commit.sha is not None:
            seqs = [w.seq for i in commit.ids for w in intact[i]]
            try:
                self.library.store.commit_made(commit.sha, seqs)
            except StoreError as error:  # git has the commit: say so, not "nothing changed"
                why = str(error).removesuffix("; nothing was changed")
                raise StoreError(
                    f"git commit {commit.sha[:12]} holds the files written, but the decisions "
                    f"database could not note it ({why}); the next `newsreader commit` notes it"
                ) from None


def _unix(at: str) -> float:
    """An ISO 8601 time as the store writes it, in Unix seconds (0 when unreadable)."""
    try:
        return datetime.fromisoformat(at).timestamp()
    except ValueError:
        return 0.0


def _last_writes(library: Host, by_id: dict[str, list[FileWrite]]) -> dict[str, FileWrite]:
    """The newest write of each of these files that reached it (owed or not: a plain
    `apply` may have written it again since)."""
    last = {i: writes[-1] for i, writes in by_id.items()}
    for write in library.store.written_lines():
        if write.id in last and write.seq > last[write.id].seq:
            last[write.id] = write
    return last

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
decisions database, so `Library.undo` restores the old bytes exactly (see revert.py).
"""

from __future__ import annotations

import functools
import os
import re
from collections import deque
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reader.data import lineedit
from reader.data.article import Article, Decision
from reader.data.clean import escape_name
from reader.data.gitcommit import CommitResult, GitError, Repo, commit_message
from reader.data.parse import head_of
from reader.data.revert import revert, settle
from reader.data.safefile import Folder, FolderBusy, Unsafe, Writer, clean_stale_temps, digest
from reader.data.store import FileWrite
from reader.data.verifier import Item, Verdict, Verifier, chunks

if TYPE_CHECKING:
    from reader.data.library import Library

__all__ = [
    "ACTIONS",
    "ApplyResult",
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

CONTEXT = 3
"""Lines of context around a change in a diff."""
ACTIONS = {Decision.PUBLISHED: "publish", Decision.SKIPPED: "skip", Decision.UNDECIDED: "clear"}
"""The word for each decision, as the CLI spells it."""


@dataclass(frozen=True, slots=True)
class Edit:
    """One file to change: its `published:` line replaced, or one line added."""

    id: str
    decision: Decision
    reason: str | None
    line: lineedit.LineEdit
    line_no: int
    """1-based number of the changed (or added) line."""
    old_value: str
    """What the old line said (`''` when the line is added)."""
    before: tuple[bytes, ...]
    """Up to CONTEXT lines before the change, with their line endings."""
    after: tuple[bytes, ...]
    """Up to CONTEXT lines after the change."""
    mtime_ns: int
    size: int
    old_digest: str
    """Digest of the whole file as planned; the file must still match it when written."""
    new_digest: str

    @property
    def value(self) -> bool:
        """The value written: true for publish, false for skip and clear."""
        return self.decision is Decision.PUBLISHED

    @property
    def inserted(self) -> bool:
        """Whether the line is added (the file had no `published:` key)."""
        return not self.line.old_line

    def file_write(self) -> FileWrite:
        """The entry the store journals for this edit."""
        line = self.line
        return FileWrite(
            self.id, self.decision.value, line.offset, line.old_line, line.new_line,
            self.old_digest, self.new_digest,
        )  # fmt: skip

    @property
    def summary(self) -> str:
        """`published: false -> true`, or `added published: false`."""
        new = "true" if self.value else "false"
        if self.inserted:
            return f"added published: {new}"
        return f"published: {escape_name(self.old_value) or '(empty)'} -> {new}"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A decision that could not be written into its file; it stays in the store."""

    id: str
    decision: Decision
    code: str
    """`press`, `encoding`, `changed`, `symlink`, `hardlink`, `owner`, `missing`,
    `unreadable`, `verify` or `failed`."""
    why: str


@dataclass
class Plan:
    """What `apply` would do: the edits, and the decisions it cannot write."""

    edits: list[Edit] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


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


# -- what the file says ------------------------------------------------------------------


def in_sync(article: Article, decision: Decision) -> bool:
    """Whether the file already reads as decided, as Jekyll reads it.

    No `published:` key is live (true). Only a boolean counts as said: an empty or
    non-boolean value is rewritten whatever Jekyll makes of it.
    """
    value = decision is Decision.PUBLISHED
    if not article.has_published_key:
        return value
    if article.file_published is None or any(p.field == "published" for p in article.problems):
        return False
    return article.file_published is value


# -- plan --------------------------------------------------------------------------------


def plan(library: Library, verify: bool = True) -> Plan:
    """Every editor decision its file does not say yet, as an edit or a reason why not.

    Reads each such file in full and (unless `verify` is False: `apply` verifies again
    anyway) checks its edit; writes nothing. Decisions on files gone from the folder are
    passed over; files in sync are left out.
    """
    found = Plan()
    links = {p.path for p in library.skipped if "symbolic link" in p.why}
    with Folder(library.root) as folder:
        for article_id, (decision, reason) in sorted(library.store.editor_decisions().items()):
            item = _plan_one(library, folder, article_id, decision, reason, links, verify)
            if isinstance(item, Edit):
                found.edits.append(item)
            elif item is not None:
                found.skipped.append(item)
    return found


def _plan_one(
    library: Library,
    folder: Folder,
    article_id: str,
    decision: Decision,
    reason: str | None,
    links: set[str],
    verify: bool,
) -> Edit | Skipped | None:
    stamp = library.index.stamp(article_id)
    if stamp is None:
        if article_id in links:
            return Skipped(article_id, decision, "symlink", "symbolic link: not followed")
        return None  # gone from the folder: nothing to write
    article = library.article(article_id)
    if article is None:
        return Skipped(article_id, decision, "unreadable", "not an article (see `check`)")
    if in_sync(article, decision):
        return None
    try:
        data, st = folder.read(article_id)
        head, whole = head_of(data), digest(data)
        if (st.st_mtime_ns, st.st_size, whole if head is data else digest(head)) != stamp:
            raise Unsafe("changed", "changed on disk since it was indexed: rescan first")
        value = decision is Decision.PUBLISHED
        line = lineedit.published_edit(data, value)
        new = lineedit.verify(data, line, value) if verify else line.apply(data)
    except (Unsafe, lineedit.Refused) as refused:
        return Skipped(article_id, decision, refused.code, refused.why)
    before, after = _context(data, line)
    return Edit(
        article_id, decision, reason, line, data.count(b"\n", 0, line.offset) + 1,
        lineedit.old_value(line), before, after, st.st_mtime_ns, st.st_size,
        whole, digest(new),
    )  # fmt: skip


def _context(data: bytes, line: lineedit.LineEdit) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """Up to CONTEXT whole lines before and after the changed one (without reading more)."""
    start = line.offset
    for _ in range(CONTEXT):
        if start > 0:
            start = data.rfind(b"\n", 0, start - 1) + 1
    end = line.offset + len(line.old_line)
    stop = end
    for _ in range(CONTEXT):
        if stop < len(data):
            found = data.find(b"\n", stop)
            stop = len(data) if found < 0 else found + 1
    split = re.compile(rb"(?<=\n)")
    before = [x for x in split.split(data[start : line.offset]) if x]
    after = [x for x in split.split(data[end:stop]) if x]
    return tuple(before), tuple(after)


# -- diff --------------------------------------------------------------------------------


def _show(line: bytes) -> str:
    """One file line as safe text: no line ending, controls as `\\xNN`."""
    text = line.rstrip(b"\r\n").decode("utf-8", "replace")
    return "".join(c if c == "\t" or c.isprintable() else escape_name(c) for c in text)


def diff(edit: Edit) -> str:
    """The edit as a unified diff (`--- a/ID`, `+++ b/ID`), safe to print or show.

    File text is untrusted: controls in it come out as `\\xNN`. A line that ends in
    CRLF keeps no mark of it; the header says `(CRLF)` when the changed line has one.
    """
    name = escape_name(edit.id)
    first = edit.line_no - len(edit.before)
    old = [edit.line.old_line] if edit.line.old_line else []
    count_old = len(edit.before) + len(old) + len(edit.after)
    count_new = len(edit.before) + 1 + len(edit.after)
    crlf = "  (CRLF)" if edit.line.new_line.endswith(b"\r\n") else ""
    out = [f"--- a/{name}", f"+++ b/{name}{crlf}"]
    out.append(f"@@ -{first},{count_old} +{first},{count_new} @@")
    out += [" " + _show(line) for line in edit.before]
    out += ["-" + _show(line) for line in old]
    out.append("+" + _show(edit.line.new_line))
    out += [" " + _show(line) for line in edit.after]
    if edit.after and not edit.after[-1].endswith(b"\n"):
        out.append("\\ No newline at end of file")
    return "\n".join(out) + "\n"


# -- apply -------------------------------------------------------------------------------


def apply(
    library: Library, edits: Iterable[Edit], commit: bool = False, *, refresh: bool = True
) -> ApplyResult:
    """Write the planned edits, each atomically, as one undoable step; then re-index.

    Each file is read again, must be as planned (mtime, size and bytes), and its edit
    is verified again just before the write; a file that fails is skipped and reported,
    the rest go on. With `commit`, the files written are committed in git (see
    gitcommit.Repo.commit). Raises FolderBusy when another newsreader is writing to
    the same folder.
    """
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
            _commit(repo, result)
    if refresh:
        library.refresh()
    return result


class _Run:
    """One apply's writes: journaled as pending, checked, verified, written, then settled.

    The work flows in chunks: this thread reads and checks the files, worker processes
    verify them (the YAML loads), and writer threads replace them (the fsyncs, several at
    once: the file system commits them together).
    """

    def __init__(self, library: Library, folder: Folder, verifier: Verifier, result: ApplyResult):
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
    if isinstance(error, Unsafe | lineedit.Refused):
        return Skipped(edit.id, edit.decision, error.code, error.why)
    if isinstance(error, OSError):
        return Skipped(edit.id, edit.decision, "failed", f"cannot write: {error.strerror or error}")
    raise error


# -- git ---------------------------------------------------------------------------------


def _repo(library: Library, result: ApplyResult) -> Repo | None:
    """The work tree as it is before the writes, or None (with a note) when there is none."""
    try:
        return Repo(library.root)
    except GitError as error:
        result.commit = CommitResult(note=str(error))
        return None


def _commit(repo: Repo, result: ApplyResult) -> None:
    lines = [(ACTIONS[e.decision], e.id, e.reason) for e in result.written]
    try:
        result.commit = repo.commit([e.id for e in result.written], commit_message(lines))
    except GitError as error:
        result.commit = CommitResult(note=str(error))

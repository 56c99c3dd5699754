"""Undo and redo of an apply step in the files: the old bytes back, or the new ones again."""

from __future__ import annotations

from typing import TYPE_CHECKING

from reader.data.article import Problem
from reader.data.decisions.store import Change, FileWrite, Step
from reader.data.files import lineedit
from reader.data.files.safefile import Folder, Unsafe, digest

if TYPE_CHECKING:
    from reader.data.writeback.host import Host


def settle(library: Host, folder: Folder) -> None:
    """Find out what a killed run's pending writes did, from the files themselves.

    Call it holding the folder's lock, before writing: each pending write becomes
    `written` when its file holds the new bytes, else `failed`; an apply step left
    with nothing written is dropped from the undo stack.
    """
    pending = library.store.file_writes()
    if not pending:
        return
    statuses = []
    for write in pending:
        try:
            data, _ = folder.read(write.id)
        except Unsafe:
            statuses.append((write.seq, "failed"))
            continue
        statuses.append((write.seq, "written" if digest(data) == write.new_digest else "failed"))
    library.store.settle_writes(statuses)


def revert(library: Host, batch: int, undo: bool = True) -> Change | None:
    """Undo (restore the old bytes) or redo (write the new ones) an apply step's files.

    Each file must hold exactly what the step left (or, for a redo, what it found);
    one that changed since is left as it is and reported in `Change.refused`. A file
    already as wanted counts as done. Re-indexes after. A step that turns out to have
    written nothing (its run was killed first) is dropped, and the next step is done.
    The change names the git commit the apply made, if it made one (`Change.commit`).
    """
    with Folder(library.root) as folder, folder.locked():
        folder.clean_temps()
        settle(library, folder)
        change = None
        if library.store.next_step(undo) == Step(batch, "apply"):
            done, refused = _revert_all(library, folder, batch, undo)
            change = library.store.end_files_step(batch, undo, done, refused)
    if change is None:  # dropped by the settling: nothing of it was written
        return library.undo() if undo else library.redo()
    library.refresh()
    return change


def _revert_all(
    library: Host, folder: Folder, batch: int, undo: bool
) -> tuple[list[str], list[Problem]]:
    """Each written file of the step back to its old bytes (or on to its new ones)."""
    done: list[str] = []
    refused: list[Problem] = []
    writes = [w for w in library.store.file_writes(batch) if w.status == "written"]
    for write in reversed(writes) if undo else writes:
        why = _revert_one(folder, write, undo)
        if why is None:
            done.append(write.id)
        else:
            refused.append(Problem(write.id, "file", why))
    folder.sync()
    return done, refused


def _revert_one(folder: Folder, write: FileWrite, undo: bool) -> str | None:
    """Put one file back to its old bytes (or on to its new ones); None when done, else why not."""
    line = lineedit.LineEdit(write.line_at, write.old_line, write.new_line)
    have, want = write.new_digest, write.old_digest
    if not undo:
        have, want = want, have
    try:
        data, st = folder.read(write.id)
        now = digest(data)
        if now == want:
            return None
        if now != have:
            return "changed on disk since the apply: left as it is"
        new = line.revert(data) if undo else line.apply(data)
        if digest(new) != want:
            return "the restored bytes would not be the old ones: left as it is"
        folder.replace(write.id, new, st)
    except Unsafe as refusal:
        return refusal.why
    except OSError as error:
        return f"cannot write: {error.strerror or error}"
    return None

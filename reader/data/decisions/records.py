"""What the decisions store hands out and takes: journal entries, changes, steps, file writes."""

from __future__ import annotations

from dataclasses import dataclass

from reader.data.article import Problem

StoryEdit = tuple[str, str, str | None]
"""(article id, `split` or `merge`, the id of an article of the story it joins or None)."""


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
    ref: int | None = None
    """For an undo or a redo: the batch of the step it acts on (None for any other)."""


@dataclass(frozen=True, slots=True)
class Change:
    """What an undo or redo did: the batch and the ids it touched."""

    batch: int
    ids: tuple[str, ...]
    kind: str = "decide"
    """`decide`: states changed; `apply`: article files restored (undo) or rewritten (redo);
    `story`: story edits taken back (undo) or made again (redo), no state changed."""
    refused: tuple[Problem, ...] = ()
    """Files an undo or redo of an apply step left as they were, and why."""
    edits: tuple[StoryEdit, ...] = ()
    """A story step's edits, as `TriageStore.story_edits` gives them (`ids` are theirs)."""
    kept: tuple[str, ...] = ()
    """Articles the step changed that another editor decided since (a sync brought it):
    left as they are, not in `ids`."""
    commit: str | None = None
    """The git commit (its sha) the apply step made when it wrote its files, or None when it
    made none: undoing the apply leaves that commit in git, and the work tree differs
    from it."""


@dataclass(frozen=True, slots=True)
class Step:
    """The step an undo or a redo would act on."""

    batch: int
    kind: str
    """`decide` (states only), `apply` (lines written into article files) or `story`
    (articles split out of their stories or merged into another)."""


@dataclass(frozen=True, slots=True)
class FileWrite:
    """One line an apply step writes into one article file, as the journal keeps it."""

    id: str
    state: str
    """The decision written (`published`, `skipped` or `undecided`)."""
    line_at: int
    old_line: bytes
    """Empty when the line is added."""
    new_line: bytes
    old_digest: str
    new_digest: str
    seq: int = 0
    batch: int = 0
    status: str = "pending"
    """`pending` until the file is known to hold the new line (`written`) or not (`failed`)."""
    at: str = ""
    """When the apply step journaled it (ISO 8601 UTC); empty until it is journaled."""


@dataclass(frozen=True, slots=True)
class FilesStep:
    """An undo or a redo of an apply step, as the store keeps it.

    The store keeps when it was taken and which apply step it acted on, nothing more: the
    lines it put back (or wrote again) are that step's own `FileWrite`s, and which of its
    files were restored and which were left as they were (changed since) is said at the
    time (`Change.refused`) but not kept.
    """

    batch: int
    kind: str
    """`undo` (the files' old bytes put back) or `redo` (the new ones written again)."""
    at: str
    ref: int
    """The batch of the apply step it acted on."""

"""Host: what write-back needs of a library, so that it never imports the Library itself.

`reader.data.library.Library` is the one host; the Library starts write-back (lazily) and
write-back calls back into it through this protocol, so the two packages form no cycle.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

from reader.data.article import Article, Problem
from reader.data.decisions.store import Change, TriageStore
from reader.data.index.index import Index


class Host(Protocol):
    """A cache folder with its index and its decisions, as write-back uses them."""

    root: Path
    """The folder the article files are in."""
    store: TriageStore
    """The decisions, with the journal of apply steps."""
    index: Index
    """The index of the folder's files."""
    skipped: list[Problem]
    """Entries the last refresh passed over (a symbolic link is never written through)."""

    def article(self, article_id: str) -> Article | None:
        """The parsed article, or None for an unknown id."""

    def refresh(self) -> object:
        """Read the files again, after write-back changed some."""

    def undo(self) -> Change | None:
        """Undo the step on top of the undo stack."""

    def redo(self) -> Change | None:
        """Redo the step undone last."""

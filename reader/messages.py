"""Intents that panes post up to the screen, and the scan worker's reports."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from textual.message import Message

from reader.data.article import Decision, Problem
from reader.data.library import RefreshResult
from reader.data.query import ArticleRow, Filter, Sort

LinkAction = Literal["open", "copy"]
"""What to do with a link: open it in the browser or copy it to the clipboard."""


class DecisionRequested(Message):
    """A pane asks for a decision on some articles (one undoable step)."""

    def __init__(self, ids: Sequence[str], decision: Decision, reason: str | None = None) -> None:
        """Ask for `decision` on the articles `ids`, with the editor's `reason` if any."""
        super().__init__()
        self.ids = tuple(ids)
        """The articles to decide on."""
        self.decision = decision
        """The decision to record."""
        self.reason = reason
        """Why, in the editor's words (None: no reason given)."""


class LinkRequested(Message):
    """A pane asks for a link to be opened or copied (the screen checks it first)."""

    def __init__(self, url: str, action: LinkAction) -> None:
        """Ask for `url` to be opened or copied (`action`)."""
        super().__init__()
        self.url = url
        """The link, untrusted: it may be anything."""
        self.action = action
        """Open it or copy it."""


class ScanProgressed(Message):
    """The scan worker parsed more files; a newer report replaces an unhandled one."""

    def __init__(
        self,
        done: int,
        total: int,
        rows: Sequence[ArticleRow] | None = None,
        filters: Filter | None = None,
    ) -> None:
        """Report `done` of `total` files parsed; during a first scan, the `rows` so far
        and the `filters` that selected them."""
        super().__init__()
        self.done = done
        """Files parsed so far."""
        self.total = total
        """Files to parse in this scan."""
        self.rows = rows
        """During a first scan, the rows committed so far (None: no new list)."""
        self.filters = filters
        """The filter that selected `rows` (the editor may have changed it since)."""

    def can_replace(self, message: Message) -> bool:
        """Let a newer report stand for this one, unless only this one carries rows."""
        if not isinstance(message, ScanProgressed):
            return False
        return self.rows is None or message.rows is not None


class ScanFinished(Message):
    """The scan worker brought the index up to date."""

    def __init__(self, result: RefreshResult, problems: Sequence[Problem]) -> None:
        """Report the scan's `result` and every problem the folder has now."""
        super().__init__()
        self.result = result
        """What changed in the folder."""
        self.problems = tuple(problems)
        """Every problem the folder has now."""


class RowsLoaded(Message, bubble=False):
    """A worker read every row of the list in one order (the first page was shown meanwhile)."""

    def __init__(self, sort: Sort, rows: list[ArticleRow]) -> None:
        """Hand over every row of the list in the order `sort`."""
        super().__init__()
        self.sort = sort
        """The order the rows are in."""
        self.rows = rows
        """Every article the index lists, unfiltered."""


class FirstFrameOut(Message):
    """The screen's first frame is out: what was kept from slowing it may start now."""

"""The triage screen's background work as plain functions: a scan, reading every row.

Each runs on a worker thread with a library of its own (`Library.for_thread`), reports
through a thread-safe `post`, and touches no widget; the screen starts them and takes
their messages.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence

from textual.message import Message

from reader.data import query
from reader.data.article import Problem
from reader.data.clean import escape_name
from reader.data.library import Library, RefreshResult
from reader.data.library import prepare_workers as prepare_workers
from reader.data.query import ArticleRow, Filter, Sort
from reader.messages import ScanProgressed
from reader.triage.words import plural

FIRST_PAGE_EVERY = 0.5
"""Seconds between lists of rows sent while a first scan runs."""
INDEXING_TEXT = "Indexing the folder: the first articles come in a moment…"
"""What the empty list says while a first scan has committed nothing yet."""


class ScanCancelled(Exception):
    """Raised inside a scan whose worker was cancelled, to stop it early."""


def scan_folder(
    library: Library,
    filters: Callable[[], Filter],
    post: Callable[[Message], object],
    *,
    first: bool,
    cancelled: Callable[[], bool],
) -> tuple[RefreshResult, list[Problem]]:
    """Refresh the folder's index and return what changed and every problem.

    `library` must belong to the calling thread. Progress goes out through `post`
    (thread-safe); a first scan also sends the rows committed so far (the index commits
    every few hundred), so the list, and the article under its cursor, are usable at once.
    """
    last = 0.0

    def progress(done: int, total: int) -> None:
        """Report one step of the scan (and, in a first scan, the rows so far)."""
        nonlocal last
        if cancelled():
            raise ScanCancelled
        rows, flt = None, None
        if first and time.monotonic() - last >= FIRST_PAGE_EVERY:
            flt = filters()
            rows = query.rows(library, flt) or None
            last = time.monotonic() if rows else last
        post(ScanProgressed(done, total, rows, flt))

    return library.refresh(progress), library.problems()


def read_all_rows(library: Library, sort: Sort) -> list[ArticleRow]:
    """Every listable row in one order, on the calling thread's own library (closed after)."""
    try:
        return query.rows(library, Filter(sort=sort))
    finally:
        library.close()


def problem_notice(problems: Sequence[Problem]) -> str | None:
    """One line about the files that are no article at all (they cannot be listed)."""
    unread = [p for p in problems if p.field == "file"]
    if not unread:
        return None
    first = "; ".join(f"{escape_name(p.path)}: {p.why}" for p in unread[:3])
    more = f" (and {len(unread) - 3} more)" if len(unread) > 3 else ""
    return f"{plural(len(unread), 'file')} could not be read: {first}{more}"

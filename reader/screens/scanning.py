"""The scan worker's body: refresh the index on this thread's own connections."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from textual.message import Message

from reader.data import query
from reader.data.article import Problem
from reader.data.cache import RefreshResult
from reader.data.library import Library
from reader.data.query import Filter
from reader.messages import ScanProgressed

FIRST_PAGE_EVERY = 0.5
"""Seconds between lists of rows sent while a first scan runs."""


class ScanCancelled(Exception):
    """Raised inside a scan whose worker was cancelled, to stop it early."""


def scan_folder(
    root: Path,
    db_path: Path | None,
    filters: Callable[[], Filter],
    post: Callable[[Message], object],
    *,
    first: bool,
    cancelled: Callable[[], bool],
) -> tuple[RefreshResult, list[Problem]]:
    """Refresh the folder's index and return what changed and every problem.

    SQLite connections belong to one thread, so this opens its own Library and closes
    it. Progress goes out through `post` (thread-safe); a first scan also sends the rows
    indexed so far, so that the list is usable from its first page on.
    """
    library = Library(root, db_path)
    last = 0.0

    def progress(done: int, total: int) -> None:
        nonlocal last
        if cancelled():
            raise ScanCancelled
        rows = None
        if first and time.monotonic() - last >= FIRST_PAGE_EVERY:
            # This connection sees its own uncommitted rows: the first pages, early.
            rows = query.rows(library, filters()) or None
            last = time.monotonic() if rows else last
        post(ScanProgressed(done, total, rows))

    try:
        return library.refresh(progress), library.problems()
    finally:
        library.close()

"""Scanning: the worker that refreshes the index, and the screen base that runs and shows it."""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path

from textual import on, work
from textual.containers import Horizontal
from textual.message import Message
from textual.reactive import reactive, var
from textual.screen import Screen
from textual.widgets import Label, ProgressBar
from textual.worker import Worker, WorkerState, get_current_worker

from reader.data import query
from reader.data.article import Problem
from reader.data.clean import escape_name
from reader.data.index.index import RefreshResult, prepare_workers
from reader.data.library import Library
from reader.data.query import ArticleRow, Filter
from reader.messages import FirstFrameOut, ScanFinished, ScanProgressed
from reader.screens.merge import merge_rows
from reader.widgets.article_list import EMPTY_TEXT, ArticleList

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


def problem_notice(problems: Sequence[Problem]) -> str | None:
    """One line about the files that are no article at all (they cannot be listed)."""
    unread = [p for p in problems if p.field == "file"]
    if not unread:
        return None
    first = "; ".join(f"{escape_name(p.path)}: {p.why}" for p in unread[:3])
    more = f" (and {len(unread) - 3} more)" if len(unread) > 3 else ""
    return f"{len(unread)} file(s) could not be read: {first}{more}"


class ScanningScreen(Screen[None]):
    """A screen listing a library's articles while a worker brings its index up to date.

    A subclass composes an ArticleList and a `#status` bar, and implements `_set_rows`. A scan's
    `#scan` row (its label and progress bar) joins above `#status` at the scan's first report.
    """

    filters: reactive[Filter] = reactive(Filter, init=False)
    """What the list shows and in which order. A reactive that repaints the screen: a new
    filter is seen in one full frame, before the layout it also needs (+40 ms as a var)."""
    notices: var[tuple[str, ...]] = var(())
    """Problems shown above the article: unreadable files, a store that would not write."""
    problems: var[int] = var(0)
    """How many problems the last scan found in the folder (the status bar shows them)."""

    def __init__(self, library: Library, db_path: Path | None,
                 clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.library = library
        """The main thread's library: queries and decisions."""
        self.db_path = db_path
        """The decisions database, for the scan worker's own connection."""
        self.clock = clock
        """The app's clock (fixed in tests)."""
        self.scanning_first = False
        """True while a first scan fills an empty index."""
        self._scanned = False
        """Whether a scan has reported its problems yet this session."""
        self.painted = threading.Event()
        """Set once the first frame is out: workers wait for it, not to slow that frame."""

    def on_mount(self) -> None:
        """Let the workers go once the first frame is out (Textual runs this and a subclass's)."""
        self.call_after_refresh(self._first_frame_out)

    def _first_frame_out(self) -> None:
        """Start what a scan's process pool needs, then let the workers go.

        Not before the first frame: the resource tracker is a second Python process (~12 ms
        of the first paint here). Its launch passes on stderr's descriptor, which Textual's
        stand-in lacks, so it sees the real one for that call (the UI thread: nothing else
        writes meanwhile).
        """
        saved = sys.stderr
        sys.stderr = sys.__stderr__ or saved
        try:
            prepare_workers()
        finally:
            sys.stderr = saved
        self.painted.set()
        self.post_message(FirstFrameOut())  # for the app (it bubbles up)

    @property
    def article_list(self) -> ArticleList:
        """The list pane."""
        return self.query_one(ArticleList)

    def _set_rows(self, rows: list[ArticleRow]) -> None:
        """Show these rows (the subclass updates whatever depends on them)."""
        raise NotImplementedError

    def _fresh_rows(self, result: RefreshResult) -> list[ArticleRow]:
        """What the filter selects once a scan made these changes (a subclass may cache)."""
        return query.rows(self.library, self.filters)

    def _problem(self, text: str) -> None:
        """A problem that is not an article's: notify, and keep it above the article."""
        self.app.notify(text, title="Problem", severity="error", markup=False)
        self.notices = (*self.notices[-2:], text)

    def start_scan(self, first: bool) -> None:
        """Scan in the background; a first scan fills the list as the index grows."""
        self.scanning_first = first
        if first:
            self.article_list.empty_text = INDEXING_TEXT
        self.scan(first)

    @work(thread=True, exclusive=True, group="scan", name="The scan", exit_on_error=False)
    def scan(self, first: bool) -> None:
        """Refresh the index on this thread's own connections, reporting back by message."""
        worker = get_current_worker()
        self.painted.wait(timeout=2.0)
        # SQLite connections belong to one thread: this one opens and closes its own.
        library = Library(self.library.root, self.db_path, clock=self.clock,
                          checks=self.library.passed_checks(),
                          story_window=self.library.story_window)
        try:
            result, problems = scan_folder(
                library, lambda: self.filters, self.post_message,
                first=first, cancelled=lambda: worker.is_cancelled,
            )
        finally:
            library.close()
        self.post_message(ScanFinished(result, problems))

    @on(ScanProgressed)
    def _progressed(self, message: ScanProgressed) -> None:
        self.add_class("-scanning")
        label, bar = self._scan_row()
        bar.update(total=message.total, progress=message.done)
        label.update(f"Indexing {message.done:,}/{message.total:,}")
        if message.rows is not None and self.scanning_first and message.filters == self.filters:
            self._set_rows(list(message.rows))

    def _scan_row(self) -> tuple[Label, ProgressBar]:
        """The scan's label and bar, in a row made at the first report: most starts have
        nothing to index, and two widgets fewer mounted make the first frame sooner."""
        if rows := self.query("#scan"):
            row = rows.first()
            return row.query_one("#scan-label", Label), row.query_one(ProgressBar)
        label, bar = Label(id="scan-label"), ProgressBar(id="scan-progress", show_eta=False)
        self.mount(Horizontal(label, bar, id="scan"), before="#status")
        return label, bar

    @on(ScanFinished)
    def _finished(self, message: ScanFinished) -> None:
        """Merge the scan: the order the editor works through stays, newcomers slot in."""
        self.remove_class("-scanning")
        result = message.result
        was_first, self.scanning_first = self.scanning_first, False
        self.article_list.empty_text = EMPTY_TEXT
        self._merge_fresh(result)
        if not was_first:
            self._announce(result.added)
        self._file_problems(message.problems)
        self._scan_done()

    def _merge_fresh(self, result: RefreshResult) -> None:
        """Show what the filter selects now, merged into the list: the order the editor
        works through stays, newcomers slot in, rows that are no article any more go."""
        lst = self.article_list
        fresh = self._fresh_rows(result)
        fresh_ids = {row.id for row in fresh}
        # Rows this filter no longer admits stay on screen with their state read again;
        # one that is no article any more (it became a problem file) goes.
        others = [row.id for row in lst.rows if row.id not in fresh_ids]
        states = query.states(self.library, others)
        gone = set(result.removed) | (set(others) - states.keys())
        self._set_rows(merge_rows(lst.rows, fresh, gone, states.__getitem__))

    def _announce(self, added: Sequence[str]) -> None:
        """Say how many of the files a rescan added the list shows (a subclass may wait)."""
        count = sum(self.article_list.index_of(i) is not None for i in added)
        if count:
            self.app.notify(f"{count} new article(s)", title="Rescan")

    def _scan_done(self) -> None:
        """Called when a scan is over, merged or failed: a subclass may follow it up."""

    def _file_problems(self, problems: tuple[Problem, ...]) -> None:
        """Count the folder's problems in the status bar; list unreadable files.

        A change found by a later rescan is also announced. The first scan's count is not:
        the same files would raise the same toast, over the related pane, at every start.
        """
        if self._scanned and len(problems) != self.problems and problems:
            self.app.notify(f"{len(problems)} problem(s) in the folder: see the article pane, "
                            "or run `newsreader check`", severity="warning", markup=False)
        self._scanned = True
        self.problems = len(problems)
        notice = problem_notice(problems)
        if notice:
            self.notices = (notice,)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """Every worker error lands here: the app keeps working on what it has."""
        error = event.worker.error
        if event.state is not WorkerState.ERROR or isinstance(error, ScanCancelled):
            return
        self._problem(f"{event.worker.name or 'A background task'} failed: {error}")
        if event.worker.group == "scan":
            self.remove_class("-scanning")
            self.scanning_first = False
            self.article_list.empty_text = EMPTY_TEXT
            self._scan_done()

"""TriageScreen: the layout of the list, the article and its related coverage; the first load."""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import replace
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Header, Label

from reader.data import query
from reader.data.index.index import RefreshResult
from reader.data.library import Library
from reader.data.query import ArticleRow, Filter, Sort
from reader.messages import LinkRequested, RowsLoaded
from reader.render import filter_content
from reader.screens.deciding import DecidingScreen
from reader.screens.keys import TRIAGE_BINDINGS
from reader.screens.rows import LoadedRows
from reader.screens.stories import STORY_BINDINGS
from reader.screens.story_edits import STORY_EDIT_BINDINGS
from reader.widgets.article_detail import ArticleDetail
from reader.widgets.article_list import ArticleList
from reader.widgets.key_footer import KeyFooter
from reader.widgets.related_links import RelatedLinks
from reader.widgets.status_bar import StatusBar

FIRST_PAGE = 100
"""Rows read before the first paint, two screens of a tall terminal; the rest come from a
worker (51k rows take 0.4 s). Every row read here delays the first frame: 200 rows took
~3 ms more of the app's thread than 100 (51k articles)."""
PACE_EVERY = 30.0
"""Seconds between updates of the pace shown in the status bar."""
FREEZE_FROM = 10_000
"""Rows from which a load is moved out of the cyclic collector's sight (`gc.freeze`): 51k
rows are ~300k objects that live as long as the list, and a full collection that walks
them during a search took up to ~115 ms instead of ~30. Below this, it is not worth
keeping whatever cyclic garbage exists at that moment for good."""
FOLLOW_EVERY = 1.0
"""Seconds between looks at the journal for what another instance (app or CLI) decided."""


WIDE_FROM = 110
"""The narrowest terminal that shows the list and the article side by side."""
BREAKPOINTS = [(0, "-narrow"), (WIDE_FROM, "-wide")]
"""Below WIDE_FROM columns the panes stack: the list on top, the article under it."""


class TriageScreen(DecidingScreen):
    """Owns the triage state; panes post intents up and get their state bound down.

    The state and the rows it comes from are ListingScreen's, decisions DecidingScreen's;
    this lays the panes out, loads the first rows, and holds the keys' bindings."""

    BINDINGS: ClassVar[list[BindingType]] = [*TRIAGE_BINDINGS, *STORY_BINDINGS,
                                             *STORY_EDIT_BINDINGS]
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS

    # -- layout ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panes"):
            with Vertical(id="list-pane"):
                yield Label(id="filter-line")
                yield ArticleList(id="article-list")
            with Vertical(id="side-pane"):
                yield ArticleDetail(self.clock, id="detail").data_bind(
                    TriageScreen.article, TriageScreen.decision, TriageScreen.reason,
                    TriageScreen.notices,
                )
                yield RelatedLinks(id="related").data_bind(TriageScreen.article,
                                                           TriageScreen.members,
                                                           TriageScreen.members_total,
                                                           TriageScreen.story_why)
        yield StatusBar(id="status").data_bind(
            TriageScreen.counts, TriageScreen.session, TriageScreen.pace, TriageScreen.shown,
            TriageScreen.problems,
        )
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#filter-line", Label).update(filter_content(self.filters))
        first = query.rows(self.library, self.filters, limit=FIRST_PAGE)
        partial = len(first) == FIRST_PAGE and self.filters == Filter()
        self._set_rows(first, recount=not partial)  # counts: 60 ms at 50,000, after the paint
        self.article_list.focus()
        # A warm start of a large folder rescans before it reads every row: the rescan's
        # working set (every indexed key, ~12 MiB at 51k) is freed by then, not held on top.
        self._partial = partial
        self.start_scan(first=not first)
        self.set_interval(PACE_EVERY, self._update_pace)
        self._seen = self.library.store.last_change()
        self._stories_seen = self.library.store.story_steps_since(None)[0]
        self.set_interval(FOLLOW_EVERY, self._follow_store)

    _arrived: tuple[str, ...] = ()
    """Files the warm start's rescan added, announced once every row is listed."""

    @property
    def _first_page_only(self) -> bool:
        """Whether the list holds the warm start's first page, every row still to be read."""
        return self._partial and self._loaded is None

    def _fresh_rows(self, result: RefreshResult) -> list[ArticleRow]:
        """Until every row is read (after the warm start's rescan), a fresh first page."""
        if self._first_page_only:
            return query.rows(self.library, self.filters, limit=FIRST_PAGE)
        return super()._fresh_rows(result)

    @work(thread=True, exclusive=True, group="rows", name="Reading every row",
          exit_on_error=False)
    def _load_all(self, sort: Sort) -> None:
        """Read every row on this thread's own connection, after the first paint."""
        self.painted.wait(timeout=2.0)
        library = Library(self.library.root, self.db_path, clock=self.clock,
                          checks=self.library.passed_checks(),
                          story_window=self.library.story_window)
        try:
            rows = query.rows(library, Filter(sort=sort))
        finally:
            library.close()
        self.post_message(RowsLoaded(sort, rows))

    def _scan_done(self) -> None:
        """After the warm start's rescan: read every row, if only the first page is read."""
        if self._first_page_only:
            self._load_all(self.filters.sort)

    def _announce(self, added: Sequence[str]) -> None:
        """New files are counted once every row is in the list (the first page may lack
        them): until then they wait."""
        if self._first_page_only:
            self._arrived += tuple(added)
        else:
            super()._announce(added)

    @on(RowsLoaded)
    def _rows_loaded(self, message: RowsLoaded) -> None:
        """Keep every row; show them all if the first page still shows."""
        if self._loaded is None and message.sort == self.filters.sort:
            now = self.state_now  # decided since the worker read them
            rows = [replace(r, state=now[r.id]) if r.id in now else r for r in message.rows]
            self._loaded = LoadedRows(message.sort, rows)
            if len(rows) >= FREEZE_FROM:
                gc.freeze()
            if self._partial:
                self._load_rows()
        self._update_counts()
        arrived, self._arrived = self._arrived, ()
        super()._announce(arrived)

    # -- actions ---------------------------------------------------------------

    def action_open(self) -> None:
        """Open the article's link in the browser."""
        if self.article is not None:
            self.post_message(LinkRequested(self.article.url, "open"))

    def action_copy(self) -> None:
        """Copy the article's link."""
        if self.article is not None:
            self.post_message(LinkRequested(self.article.url, "copy"))

    def action_next_pane(self) -> None:
        """Focus the next pane."""
        self.focus_next()

    def action_previous_pane(self) -> None:
        """Focus the previous pane."""
        self.focus_previous()

    def action_rescan(self) -> None:
        """Look for new, changed and removed files in the background."""
        self.start_scan(first=self.scanning_first)  # a first scan restarts as one

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the keys that would do nothing now."""
        if action in ("open", "copy"):
            return self.article is not None and bool(self.article.url)
        return super().check_action(action, parameters)

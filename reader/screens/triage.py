"""TriageScreen: the list, the article and its related coverage; decisions, filters and keys."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Header, Label

from reader.data import query
from reader.data.article import Article, Decision
from reader.data.cache import RefreshResult
from reader.data.library import Library
from reader.data.query import ArticleRow, Filter, Sort
from reader.data.store_file import StoreError
from reader.messages import DecisionRequested, LinkRequested, RowsLoaded
from reader.render import filter_content
from reader.screens.filtering import FilteringScreen
from reader.screens.keys import TRIAGE_BINDINGS
from reader.screens.rows import LoadedRows, needs_sql
from reader.screens.stories import STORY_BINDINGS
from reader.widgets.article_detail import ArticleDetail
from reader.widgets.article_list import ArticleList
from reader.widgets.key_footer import KeyFooter
from reader.widgets.related_links import RelatedLinks
from reader.widgets.status_bar import StatusBar

FIRST_PAGE = 200
"""Rows read before the first paint; the rest come from a worker (51k rows take 0.4 s)."""
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


class TriageScreen(FilteringScreen):
    """Owns the triage state; panes post intents up and get their state bound down."""

    BINDINGS: ClassVar[list[BindingType]] = [*TRIAGE_BINDINGS, *STORY_BINDINGS]
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS

    article: reactive[Article | None] = reactive(None)
    """The article under the cursor (None: none, or not indexed yet)."""
    decision: reactive[Decision] = reactive(Decision.UNDECIDED)
    """The state of the article under the cursor."""
    reason: reactive[str | None] = reactive(None)
    """The reason stored with that state."""
    counts: reactive[dict[Decision, int]] = reactive(dict, always_update=True)
    """How many articles are in each state."""
    session: reactive[int] = reactive(0)
    """Articles whose state the editor changed since the app started (an undo takes one back)."""
    pace: reactive[float | None] = reactive(None)
    """`session` per hour, by the app's clock."""
    shown: reactive[int] = reactive(0)
    """How many rows the list shows."""
    can_undo: reactive[bool] = reactive(False)
    """Whether the store has a step to undo."""
    can_redo: reactive[bool] = reactive(False)
    """Whether the store has a step to redo."""
    has_rows: reactive[bool] = reactive(False)
    """Whether the list has any rows (decision keys hide without)."""

    def __init__(self, library: Library, db_path: Path | None,
                 clock: Callable[[], datetime]) -> None:
        super().__init__(library, db_path, clock)
        self.started = clock()
        """When this session started, for the pace."""
        self.first_state: dict[str, Decision] = {}
        """The state each article had when this session first changed it."""
        self.state_now: dict[str, Decision] = {}
        """The state of each of those articles now."""
        self._keys: tuple[object, ...] = ()
        """The keys the footer showed at the last refresh: (key, enabled, tooltip)."""
        self._loaded: LoadedRows | None = None
        """Every row in one order, so that a search or a state filter is done in memory."""
        self._partial = False
        """True while the list shows only the first page of an unfiltered list."""
        self._seen = 0
        """The last journal entry shown: what another instance did after it is news."""

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
                                                           TriageScreen.members)
        with Horizontal(id="scan"):
            yield Label("Indexing", id="scan-label")  # its bar comes with the first report
        yield StatusBar(id="status").data_bind(
            TriageScreen.counts, TriageScreen.session, TriageScreen.pace, TriageScreen.shown
        )
        yield KeyFooter(compact=True)

    def on_mount(self) -> None:
        self.query_one("#filter-line", Label).update(filter_content(self.filters))
        first = query.rows(self.library, self.filters, limit=FIRST_PAGE)
        partial = len(first) == FIRST_PAGE and self.filters == Filter()
        self._set_rows(first, recount=not partial)  # counts: 60 ms at 50,000, after the paint
        self.article_list.focus()
        if partial:
            self._partial = True  # the rest, then the rescan, once the first frame is out
            self._load_all(self.filters.sort)
        else:
            self.start_scan(first=not first)
        self.set_interval(PACE_EVERY, self._update_pace)
        self._seen = self.library.store.last_change()
        self.set_interval(FOLLOW_EVERY, self._follow_store)

    @work(thread=True, exclusive=True, group="rows", exit_on_error=False)
    def _load_all(self, sort: Sort) -> None:
        """Read every row on this thread's own connection, after the first paint."""
        self.painted.wait(timeout=2.0)
        library = Library(self.library.root, self.db_path, clock=self.clock,
                          checks=self.library.passed_checks())
        try:
            rows = query.rows(library, Filter(sort=sort))
        finally:
            library.close()
        self.post_message(RowsLoaded(sort, rows))

    @on(RowsLoaded)
    def _rows_loaded(self, message: RowsLoaded) -> None:
        """Keep every row; show them all if the first page still shows; then rescan."""
        if self._loaded is None and message.sort == self.filters.sort:
            now = self.state_now  # decided since the worker read them
            rows = [replace(r, state=now[r.id]) if r.id in now else r for r in message.rows]
            self._loaded = LoadedRows(message.sort, rows)
            if len(rows) >= FREEZE_FROM:
                gc.freeze()
            if self._partial:
                self._load_rows()
        self._update_counts()
        self.start_scan(first=False)

    # -- state -----------------------------------------------------------------

    def _load_rows(self) -> None:
        """Replace the list with what the filter selects now (the cursor keeps its article)."""
        self._partial = False
        self._set_rows(self._select(self.filters), recount=False)  # a filter moves no counts

    def _select(self, flt: Filter) -> list[ArticleRow]:
        """The filter's rows, as `query.rows` gives them: from memory unless only SQL can."""
        if needs_sql(flt) or self.scanning_first:  # a first scan is still filling the index
            return query.rows(self.library, flt)
        if self._loaded is None or self._loaded.sort != flt.sort:
            self._loaded = LoadedRows(flt.sort, query.rows(self.library, Filter(sort=flt.sort)))
        return self._loaded.select(self.library, flt)

    def _fresh_rows(self, result: RefreshResult) -> list[ArticleRow]:
        """What the filter selects after a scan: the rows in memory stay if no file changed."""
        if result.parsed or result.removed:
            self._loaded = None
        return self._select(self.filters)

    def _set_rows(self, rows: list[ArticleRow], recount: bool = True) -> None:
        self.article_list.set_rows(rows)
        self.shown = len(self.article_list.rows)  # a folded story is one row
        self.has_rows = bool(rows)
        if recount:
            self._update_counts()
        else:
            self._update_steps()
        self._show(self.article_list.cursor_id)

    def _update_counts(
        self, before: Mapping[str, Decision] | None = None,
        after: Mapping[str, Decision] | None = None,
    ) -> None:
        """Count the states again, or, knowing both states of what changed, just move those."""
        if before is None or after is None or after.keys() - before.keys() or not self.counts:
            self.counts = query.counts(self.library)  # mid-scan: the rows committed so far
        else:  # a full count takes tens of milliseconds at 50,000 articles: not per key
            counts = dict(self.counts)
            for article_id, state in after.items():
                counts[before[article_id]] -= 1
                counts[state] += 1
            self.counts = counts
        self._update_steps()

    def _update_steps(self) -> None:
        """Whether there is a step to undo or redo (the footer shows the keys then)."""
        store = self.library.store
        self.can_undo, self.can_redo = store.can_undo(), store.can_redo()
        self._refresh_keys()

    def _refresh_keys(self) -> None:
        """Refresh the footer only when the keys it shows changed (hidden keys are checked
        as they are pressed).

        Not per cursor move: each refresh recomposes the Footer (layout passes, and old
        FooterKeys are never freed: Textual issue #6666).
        """
        bindings = self.active_bindings.items()
        keys = tuple((key, b.enabled, b.tooltip) for key, b in bindings if b.binding.show)
        if keys != self._keys:
            self._keys = keys
            self.refresh_bindings()

    def _update_pace(self) -> None:
        hours = (self.clock() - self.started).total_seconds() / 3600
        self.pace = self.session / hours if hours >= 1 / 60 else None

    def watch_session(self) -> None:
        """A decision changes the pace at once."""
        self._update_pace()

    def _show(self, article_id: str | None) -> None:
        """Load the article under the cursor into the state the panes show."""
        lst = self.article_list
        index = None if article_id is None else lst.index_of(article_id)
        if article_id is None or index is None:
            self.article = None
        else:
            self.article = self.library.article(article_id)
            self.decision = lst.rows[index].state
            self.reason = self.library.store.reason(article_id)
        self.show_members(None if index is None else lst.rows[index])
        self._refresh_keys()

    def watch_filters(self) -> None:
        """Reload the list and say what it shows."""
        self._load_rows()
        self.query_one("#filter-line", Label).update(filter_content(self.filters))

    # -- intents from the panes --------------------------------------------------

    @on(ArticleList.Highlighted)
    def _highlighted(self, message: ArticleList.Highlighted) -> None:
        self._show(message.article_id)

    @on(ArticleList.Regrouped)
    def _regrouped(self, message: ArticleList.Regrouped) -> None:
        # The rows now, not the message's count: the one sent at mount says 0 after on_mount
        # has already listed the first page.
        self.shown = len(self.article_list.rows)

    @on(DecisionRequested)
    def _decide(self, message: DecisionRequested) -> None:
        """The one place a decision is made: store first, then the state."""
        lst = self.article_list
        bulk = bool(lst.selected)
        before = query.states(self.library, message.ids)
        try:
            self.library.store.decide(message.ids, message.decision, message.reason)
        except StoreError as error:
            self._problem(f"Not saved: {error}")
            return
        self._sync(before, message.ids)
        if bulk:
            lst.clear_selection()
        elif message.decision is not Decision.UNDECIDED:
            self._advance()

    def _follow_store(self) -> None:
        """Show what another instance decided, undid or redid since the last look (one
        indexed query on the journal when nothing changed). This instance's own steps are
        in the journal too: already shown, they change nothing on screen."""
        try:
            self._seen, ids = self.library.store.changed_since(self._seen)
        except sqlite3.Error:  # busy or damaged: the next decision says so, and why
            return
        if not ids:
            return
        lst = self.article_list
        rows = {article_id: lst.loaded_row(article_id) for article_id in ids}
        after = query.states(self.library, ids)
        moved = [
            i for i, now in after.items() if (row := rows.get(i)) is None or row.state is not now
        ]
        if moved:
            before = {i: row.state for i in moved if (row := rows.get(i)) is not None}
            self._sync(before, moved, mine=False)
        else:
            self._update_steps()  # another instance's step is on the one undo stack too
            if lst.cursor_id in ids:
                self._show(lst.cursor_id)  # its reason may have changed

    def _sync(self, before: Mapping[str, Decision], ids: Iterable[str], mine: bool = True) -> None:
        """Show the state these articles have now (`before`: what they had; `mine`: whether
        this session changed them, for its count)."""
        ids = tuple(ids)
        after = query.states(self.library, ids)
        if mine:
            self._count(before, after)
        if self._loaded is not None:
            self._loaded.set_states(after)
        lst = self.article_list
        for article_id, state in after.items():
            row = lst.loaded_row(article_id)  # folded away in its story, perhaps
            if row is not None and row.state is not state:
                lst.update_row(replace(row, state=state))
        self._update_counts(before, after)
        if lst.cursor_id in ids or any(member.id in ids for member in self.members):
            self._show(lst.cursor_id)  # the reason, or a state in the story, may have changed

    def _count(self, before: Mapping[str, Decision], after: Mapping[str, Decision]) -> None:
        """Count the articles this session left in another state than it found them."""
        for article_id, state in before.items():
            self.first_state.setdefault(article_id, state)
        self.state_now.update(after)
        now = self.state_now
        self.session = sum(now.get(i, first) is not first for i, first in self.first_state.items())

    def _advance(self) -> None:
        """Move the cursor to the next undecided article, wrapping round once."""
        lst = self.article_list
        rows, start = lst.rows, lst.cursor_index
        for index in [*range(start + 1, len(rows)), *range(0, start)]:
            if rows[index].state is Decision.UNDECIDED:
                lst.cursor_id = rows[index].id
                return

    # -- actions ---------------------------------------------------------------

    def _targets(self) -> list[str]:
        """The selection in list order, else the article under the cursor."""
        lst = self.article_list
        ids = [row.id for row in lst.rows if row.id in lst.selected] if lst.selected else []
        if not ids and lst.cursor_id is not None:
            ids = [lst.cursor_id]
        return ids

    def _request(self, decision: Decision, reason: str | None = None) -> None:
        ids = self._targets()
        if ids:
            self.post_message(DecisionRequested(ids, decision, reason))

    def action_publish(self) -> None:
        """Publish the article or the selection (asking first if its story has one published)."""
        self.guard_publish(self._targets(), partial(self._request, Decision.PUBLISHED))

    def action_skip(self) -> None:
        """Skip the article or the selection."""
        self._request(Decision.SKIPPED)

    def action_skip_reason(self) -> None:
        """Ask why, then skip the article or the selection (Esc skips nothing)."""
        def chosen(reason: str | None) -> None:
            if reason is not None:
                self._request(Decision.SKIPPED, reason or None)

        from reader.screens.reason import ReasonScreen  # loaded when first used

        self.app.push_screen(ReasonScreen(), chosen)

    def action_clear(self) -> None:
        """Make the article or the selection undecided."""
        self._request(Decision.UNDECIDED)

    def _step(self, undo: bool) -> None:
        try:
            change = self.library.undo() if undo else self.library.redo()
        except StoreError as error:
            self._problem(f"Not saved: {error}")
            return
        if change is None:
            return
        lst = self.article_list
        listed = [row for row in map(lst.loaded_row, change.ids) if row is not None]
        self._sync({row.id: row.state for row in listed}, change.ids)
        if listed:
            lst.reveal(listed[0].id)
        what = "Undone" if undo else "Redone"
        self.app.notify(f"{what}: {len(change.ids)} article(s)", timeout=2)

    def action_undo(self) -> None:
        """Undo the last decision step."""
        self._step(undo=True)

    def action_redo(self) -> None:
        """Redo the step undone last."""
        self._step(undo=False)

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

    def action_apply(self) -> None:
        """Preview writing each decision into its file; write them if the editor says so."""
        if any(w.group == "scan" and w.is_running for w in self.workers):
            # Both would refresh the index at once: let the scan finish first.
            self.app.notify("The folder is being scanned: apply when it is done", timeout=3)
            return
        from reader.screens.apply import ApplyScreen  # with write-back: when first used

        screen = ApplyScreen(self.library.root, self.db_path, self.clock)
        self.app.push_screen(screen, self._applied)

    def _applied(self, ids: list[str] | None) -> None:
        """Show what an apply left: the articles' states, and the step `u` undoes now."""
        if ids is not None:
            lst = self.article_list
            listed = [lst.rows[n] for n in map(lst.index_of, ids) if n is not None]
            self._sync({row.id: row.state for row in listed}, ids)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the keys that would do nothing now."""
        if action in ("publish", "skip", "skip_reason", "clear"):
            return self.has_rows
        if action == "undo":
            return self.can_undo
        if action == "redo":
            return self.can_redo
        if action in ("open", "copy"):
            return self.article is not None and bool(self.article.url)
        return super().check_action(action, parameters)

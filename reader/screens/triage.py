"""TriageScreen: the list, the article and its related coverage; decisions, filters and scans."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Label, ProgressBar
from textual.worker import Worker, WorkerState, get_current_worker

from reader.data import query
from reader.data.article import Article, Decision, Problem
from reader.data.clean import escape_name, is_openable
from reader.data.library import Library
from reader.data.query import SORTS, ArticleRow, Filter
from reader.data.store import StoreError
from reader.messages import DecisionRequested, LinkRequested, ScanFinished, ScanProgressed
from reader.render import filter_content
from reader.screens.filters import next_sort, next_state, with_sort, with_state
from reader.screens.keys import TRIAGE_BINDINGS
from reader.screens.merge import merge_rows
from reader.screens.pick import PickScreen
from reader.screens.scanning import ScanCancelled, scan_folder
from reader.widgets.article_detail import ArticleDetail
from reader.widgets.article_list import ArticleList
from reader.widgets.related_links import RelatedLinks
from reader.widgets.status_bar import StatusBar

PACE_EVERY = 30.0
"""Seconds between updates of the pace shown in the status bar."""


class TriageScreen(Screen[None]):
    """Owns the triage state; panes post intents up and get their state bound down."""

    CSS_PATH = "triage.tcss"

    BINDINGS: ClassVar[list[BindingType]] = TRIAGE_BINDINGS

    filters: reactive[Filter] = reactive(Filter, init=False)
    """What the list shows and in which order."""
    article: reactive[Article | None] = reactive(None, bindings=True)
    """The article under the cursor (None: none, or not indexed yet)."""
    decision: reactive[Decision] = reactive(Decision.UNDECIDED)
    """The state of the article under the cursor."""
    reason: reactive[str | None] = reactive(None)
    """The reason stored with that state."""
    notices: reactive[tuple[str, ...]] = reactive(())
    """Problems shown above the article: unreadable files, a store that would not write."""
    counts: reactive[dict[Decision, int]] = reactive(dict, always_update=True)
    """How many articles are in each state."""
    session: reactive[int] = reactive(0)
    """Decisions made since the app started (an undo takes one back)."""
    pace: reactive[float | None] = reactive(None)
    """Decisions per hour since the app started, by the app's clock."""
    shown: reactive[int] = reactive(0)
    """How many rows the list shows."""
    can_undo: reactive[bool] = reactive(False, bindings=True)
    """Whether the store has a step to undo."""
    can_redo: reactive[bool] = reactive(False, bindings=True)
    """Whether the store has a step to redo."""
    has_rows: reactive[bool] = reactive(False, bindings=True)
    """Whether the list has any rows (decision keys hide without)."""

    def __init__(self, library: Library, db_path: Path | None,
                 clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.library = library
        """The main thread's library: queries and decisions."""
        self.db_path = db_path
        """The decisions database, for the scan worker's own connection."""
        self.clock = clock
        """The app's clock (fixed in tests)."""
        self.started = clock()
        """When this session started, for the pace."""
        self.scanning_first = False
        """True while a first scan fills an empty index."""
        self.problem_count = 0
        """How many problems the last scan found."""

    # -- layout ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="panes"):
            with Vertical(id="list-pane"):
                yield Input(placeholder="Search (Enter to apply, Esc to close)", id="search")
                yield Label(id="filter-line")
                yield ArticleList(id="article-list")
            with Vertical(id="side-pane"):
                yield ArticleDetail(self.clock, id="detail").data_bind(
                    TriageScreen.article, TriageScreen.decision, TriageScreen.reason,
                    TriageScreen.notices,
                )
                yield RelatedLinks(id="related").data_bind(TriageScreen.article)
        with Horizontal(id="scan"):
            yield Label("Indexing", id="scan-label")
            yield ProgressBar(id="scan-progress", show_eta=False)
        yield StatusBar(id="status").data_bind(
            TriageScreen.counts, TriageScreen.session, TriageScreen.pace, TriageScreen.shown
        )
        yield Footer()

    @property
    def article_list(self) -> ArticleList:
        """The list pane."""
        return self.query_one(ArticleList)

    def on_mount(self) -> None:
        self.query_one("#detail").border_title = "Article"
        self.query_one("#related").border_title = "Related coverage"
        self.query_one("#filter-line", Label).update(filter_content(self.filters))
        self._load_rows()
        self.article_list.focus()
        self.scanning_first = not self.article_list.rows
        self.scan(first=self.scanning_first)
        self.set_interval(PACE_EVERY, self._update_pace)

    # -- state -----------------------------------------------------------------

    def _load_rows(self) -> None:
        """Replace the list with what the filter selects now (the cursor keeps its article)."""
        self._set_rows(query.rows(self.library, self.filters))

    def _set_rows(self, rows: list[ArticleRow]) -> None:
        self.article_list.set_rows(rows)
        self.shown = len(rows)
        self.has_rows = bool(rows)
        self._update_counts()
        self._show(self.article_list.cursor_id)

    def _update_counts(self) -> None:
        if self.scanning_first:  # the index is not committed yet: count what is listed
            counts = dict.fromkeys(Decision, 0)
            for row in self.article_list.rows:
                counts[row.state] += 1
            self.counts = counts
        else:
            self.counts = query.counts(self.library)
        store = self.library.store
        self.can_undo, self.can_redo = store.can_undo(), store.can_redo()

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
            return
        self.article = self.library.article(article_id)
        self.decision = lst.rows[index].state
        self.reason = self.library.store.reason(article_id)

    def watch_filters(self) -> None:
        """Reload the list and say what it shows."""
        self._load_rows()
        self.query_one("#filter-line", Label).update(filter_content(self.filters))

    def _problem(self, text: str) -> None:
        """A problem that is not an article's: notify, and keep it above the article."""
        self.app.notify(text, title="Problem", severity="error", markup=False)
        self.notices = (*self.notices[-2:], text)

    # -- intents from the panes --------------------------------------------------

    @on(ArticleList.Highlighted)
    def _highlighted(self, message: ArticleList.Highlighted) -> None:
        self._show(message.article_id)

    @on(DecisionRequested)
    def _decide(self, message: DecisionRequested) -> None:
        """The one place a decision is made: store first, then the state."""
        lst = self.article_list
        bulk = bool(lst.selected)
        try:
            self.library.store.decide(message.ids, message.decision)
        except StoreError as error:
            self._problem(f"Not saved: {error}")
            return
        self.session += self._sync(message.ids)
        if bulk:
            lst.clear_selection()
        elif message.decision is not Decision.UNDECIDED:
            self._advance()

    def _sync(self, ids: tuple[str, ...]) -> int:
        """Show the store's state for these articles; return how many rows changed."""
        lst, store, changed = self.article_list, self.library.store, 0
        for article_id in ids:
            index = lst.index_of(article_id)
            if index is None:
                continue
            row = lst.rows[index]
            state = store.decision(article_id)
            if state is not row.state:
                lst.update_row(replace(row, state=state))
                changed += 1
        self._update_counts()
        if lst.cursor_id in ids:
            self._show(lst.cursor_id)
        return changed

    def _advance(self) -> None:
        """Move the cursor to the next undecided article, wrapping round once."""
        lst = self.article_list
        rows, start = lst.rows, lst.cursor_index
        for index in [*range(start + 1, len(rows)), *range(0, start)]:
            if rows[index].state is Decision.UNDECIDED:
                lst.cursor_id = rows[index].id
                return

    @on(LinkRequested)
    def _link(self, message: LinkRequested) -> None:
        """Open (http and https only) or copy a link."""
        url = message.url
        if message.action == "copy":
            self.app.copy_to_clipboard(url)
            self.app.notify(url, title="Copied", markup=False)
        elif is_openable(url):
            self.app.open_url(url)
            self.app.notify(url, title="Opening", markup=False)
        else:
            shown = escape_name(url[:200]) or "(empty)"
            self.app.notify(f"Not an http or https link: {shown}", title="Refused",
                            severity="warning", markup=False)

    @on(Input.Submitted, "#search")
    def _search(self, message: Input.Submitted) -> None:
        self._close_search()
        self.filters = replace(self.filters, search=message.value.strip() or None)

    def _close_search(self) -> None:
        self.query_one("#search").remove_class("-open")
        self.article_list.focus()

    # -- actions ---------------------------------------------------------------

    def _request(self, decision: Decision) -> None:
        lst = self.article_list
        ids = [row.id for row in lst.rows if row.id in lst.selected] if lst.selected else []
        if not ids and lst.cursor_id is not None:
            ids = [lst.cursor_id]
        if ids:
            self.post_message(DecisionRequested(ids, decision))

    def action_publish(self) -> None:
        """Publish the article or the selection."""
        self._request(Decision.PUBLISHED)

    def action_skip(self) -> None:
        """Skip the article or the selection."""
        self._request(Decision.SKIPPED)

    def action_clear(self) -> None:
        """Make the article or the selection undecided."""
        self._request(Decision.UNDECIDED)

    def _step(self, undo: bool) -> None:
        store = self.library.store
        try:
            change = store.undo() if undo else store.redo()
        except StoreError as error:
            self._problem(f"Not saved: {error}")
            return
        if change is None:
            return
        changed = self._sync(change.ids)
        self.session = max(0, self.session + (-changed if undo else changed))
        listed = [i for i in change.ids if self.article_list.index_of(i) is not None]
        if listed:
            self.article_list.cursor_id = listed[0]
        what = "Undone" if undo else "Redone"
        self.app.notify(f"{what}: {len(change.ids)} article(s)", timeout=2)

    def action_undo(self) -> None:
        """Undo the last decision step."""
        self._step(undo=True)

    def action_redo(self) -> None:
        """Redo the step undone last."""
        self._step(undo=False)

    def action_search(self) -> None:
        """Open the search box."""
        box = self.query_one("#search", Input)
        box.value = self.filters.search or ""
        box.add_class("-open")
        box.focus()

    def action_cycle_state(self) -> None:
        """Show the next state: all, undecided, published, skipped."""
        self.filters = next_state(self.filters)

    def action_show_state(self, state: str) -> None:
        """Show one state (`all` for every state)."""
        self.filters = with_state(self.filters, state)

    def action_cycle_sort(self) -> None:
        """Sort by the next key: date, quality, heat, title."""
        self.filters = next_sort(self.filters)

    def action_sort(self, sort: str) -> None:
        """Sort by one key."""
        self.filters = with_sort(self.filters, sort)

    def _pick(self, field: str, values: list[tuple[str, int]]) -> None:
        """Let the editor choose a topic or a provider ("" for any)."""
        def chosen(value: str | None) -> None:
            if value is not None and field == "topic":
                self.filters = replace(self.filters, topic=value or None)
            elif value is not None:
                self.filters = replace(self.filters, provider=value or None)

        current = getattr(self.filters, field)
        self.app.push_screen(PickScreen(field.title(), values, current), chosen)

    def action_pick_topic(self) -> None:
        """Choose a topic to show."""
        self._pick("topic", query.topics(self.library))

    def action_pick_provider(self) -> None:
        """Choose a provider to show."""
        self._pick("provider", query.providers(self.library))

    def action_clear_filters(self) -> None:
        """Close the search box; else show everything."""
        if self.query_one("#search").has_class("-open"):
            self._close_search()
        elif self.filters != Filter(sort=self.filters.sort):
            self.filters = Filter(sort=self.filters.sort)

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
        self.scan(first=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the keys that would do nothing now."""
        if action in ("publish", "skip", "clear"):
            return self.has_rows
        if action == "undo":
            return self.can_undo
        if action == "redo":
            return self.can_redo
        if action in ("open", "copy"):
            return self.article is not None and bool(self.article.url)
        return True

    def commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """Every action for the command palette: (name, help, callback)."""
        for binding in self.BINDINGS:
            assert isinstance(binding, Binding)
            if self.check_action(binding.action, ()):
                action = getattr(self, f"action_{binding.action}")
                yield binding.description, binding.tooltip, action
        for state in ("all", *(d.value for d in Decision)):
            show = partial(self.action_show_state, state)
            yield f"Show {state}", f"List {state} articles", show
        for sort in SORTS:
            yield f"Sort by {sort}", f"Order the list by {sort}", partial(self.action_sort, sort)

    # -- scanning ----------------------------------------------------------------

    @work(thread=True, exclusive=True, group="scan", exit_on_error=False)
    def scan(self, first: bool) -> None:
        """Refresh the index on this thread's own connections, reporting back by message."""
        worker = get_current_worker()
        result, problems = scan_folder(
            self.library.root, self.db_path, lambda: self.filters, self.post_message,
            first=first, cancelled=lambda: worker.is_cancelled,
        )
        self.post_message(ScanFinished(result, problems))

    def _file_problems(self, problems: tuple[Problem, ...]) -> None:
        """Files that are no article at all cannot be listed: say so above the article."""
        if len(problems) != self.problem_count and problems:
            self.app.notify(f"{len(problems)} problem(s) in the folder: see the article pane, "
                            "or run `newsreader check`", severity="warning", markup=False)
        self.problem_count = len(problems)
        unread = [p for p in problems if p.field == "file"]
        if unread:
            first = "; ".join(f"{escape_name(p.path)}: {p.why}" for p in unread[:3])
            more = f" (and {len(unread) - 3} more)" if len(unread) > 3 else ""
            self.notices = (f"{len(unread)} file(s) could not be read: {first}{more}",)

    @on(ScanProgressed)
    def _progressed(self, message: ScanProgressed) -> None:
        self.add_class("-scanning")
        self.query_one(ProgressBar).update(total=message.total, progress=message.done)
        self.query_one("#scan-label", Label).update(f"Indexing {message.done:,}/{message.total:,}")
        if message.rows is not None and self.scanning_first:
            self._set_rows(list(message.rows))

    @on(ScanFinished)
    def _finished(self, message: ScanFinished) -> None:
        """Merge the scan: the order the editor works through stays, newcomers slot in."""
        self.remove_class("-scanning")
        result, lst = message.result, self.article_list
        was_first, self.scanning_first = self.scanning_first, False
        store = self.library.store
        fresh = query.rows(self.library, self.filters)
        self._set_rows(merge_rows(lst.rows, fresh, set(result.removed), store.decision))
        added = sum(lst.index_of(i) is not None for i in result.added)
        if added and not was_first:
            self.app.notify(f"{added} new article(s)", title="Rescan")
        self._file_problems(message.problems)

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """Every worker error lands here: the app keeps working on what it has."""
        if event.state is WorkerState.ERROR:
            self.remove_class("-scanning")
            error = event.worker.error
            if not isinstance(error, ScanCancelled):
                self._problem(f"The scan failed: {error}")

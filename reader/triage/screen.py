"""TriageScreen: the list, the article and its related coverage, bound to a TriageModel.

The model holds the triage state and rules (reader.triage.model). This screen lays the
panes out, turns keys and widget messages into the model's intents, copies what changed
into its reactives in one place (`_took`), and runs the background work (a scan, reading
every row, working out a search) on worker threads with libraries of their own.
"""

from __future__ import annotations

import asyncio
import gc
import os
import sqlite3
import sys
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.message import Message
from textual.reactive import reactive, var
from textual.screen import Screen
from textual.widgets import Header, Input, Label, ProgressBar
from textual.worker import Worker, WorkerState, get_current_worker

from reader.data import query
from reader.data.article import Article, Decision, Problem
from reader.data.clean import escape_name
from reader.data.library import Library, LibraryError, RefreshResult, StoreError, StoryPlan
from reader.data.query import SORTS, ArticleRow, Filter, Sort
from reader.messages import (
    DecisionRequested,
    FirstFrameOut,
    LinkRequested,
    RowsLoaded,
    ScanFinished,
    ScanProgressed,
)
from reader.render import filter_content, story_why
from reader.triage import desk, words, workers
from reader.triage import model as model
from reader.triage.filters import next_sort, next_state, with_sort, with_state
from reader.triage.keys import (
    DESK_BINDINGS,
    STORY_BINDINGS,
    STORY_EDIT_BINDINGS,
    TRIAGE_BINDINGS,
    WRITES,
)
from reader.triage.model import Moved, TriageModel
from reader.triage.site import SiteMarks
from reader.triage.story_rows import Lookups
from reader.widgets.article_detail import ArticleDetail, ArticleView
from reader.widgets.article_list import EMPTY_TEXT, ArticleList
from reader.widgets.key_footer import KeyFooter
from reader.widgets.related_links import Coverage, RelatedLinks
from reader.widgets.status_bar import StatusBar

if TYPE_CHECKING:
    from reader.dialogs.conflicts import ConflictChoice

PACE_EVERY = 30.0
"""Seconds between updates of the pace shown in the status bar."""
FREEZE_FROM = 10_000
"""Rows from which a load is moved out of the cyclic collector's sight (`gc.freeze`): a
large list is hundreds of thousands of objects that live as long as it does, and a full
collection that walks them makes a search stutter. Below this, it is not worth keeping
whatever cyclic garbage exists at that moment for good."""
FOLLOW_EVERY = 1.0
"""Seconds between looks at the journal for what another instance (app or CLI) decided."""
DESK_EVERY = 60.0
"""Seconds between reads of the desk's marks: a claim ends, another instance synced."""
WIDE_FROM = 110
"""The narrowest terminal that shows the list and the article side by side."""
BREAKPOINTS = [(0, "-narrow"), (WIDE_FROM, "-wide")]
"""Below WIDE_FROM columns the panes stack: the list on top, the article under it."""
CANNOT_SUSPEND = "newsreader cannot hand the terminal over to an editor here"
"""What `e` says where the terminal cannot be handed over (Textual cannot suspend)."""


def run_editor(command: Sequence[str]) -> int | OSError:
    """Run the editor in the terminal and wait for it: its exit status (negative: the
    signal that stopped it), or why it could not start. Never raises: the app must take
    the terminal back whatever happened."""
    import subprocess

    try:
        return subprocess.call(command)
    except OSError as error:
        return error
    except KeyboardInterrupt:  # Ctrl+C in an editor that lets the terminal send it
        return -2


class TriageScreen(Screen[None]):
    """Owns the triage screen: panes post intents up, the model decides, state binds down."""

    BINDINGS: ClassVar[list[BindingType]] = [*TRIAGE_BINDINGS, *STORY_BINDINGS,
                                             *STORY_EDIT_BINDINGS, *DESK_BINDINGS]
    HORIZONTAL_BREAKPOINTS = BREAKPOINTS

    # -- the state the panes are bound to (copied from the model) ------------------------

    filters: reactive[Filter] = reactive(Filter, init=False)
    """What the list shows and in which order. A reactive that repaints the screen: a new
    filter is seen in one full frame, before the layout it also needs."""
    notices: var[tuple[str, ...]] = var(())
    """Problems shown above the article: unreadable files, a store that would not write."""
    problems: var[int] = var(0)
    """How many problems the last scan found in the folder (the status bar shows them)."""
    selected: var[int] = var(0)
    """How many articles the editor selected (the status bar shows them)."""
    article_view: var[ArticleView] = var(ArticleView)
    """The article under the cursor (its article None: none, or not indexed yet), its state
    and reason, what the site does with it and what the desk says of it: one value, so
    that the article pane draws a cursor move once."""
    counts: var[dict[Decision, int]] = var(dict, always_update=True)
    """How many articles are in each state."""
    session: var[int] = var(0)
    """Articles whose state the editor changed since the app started (an undo takes one back)."""
    pace: var[float | None] = var(None)
    """`session` per hour, by the app's clock."""
    shown: var[int] = var(0)
    """How many rows the list shows."""
    can_undo: var[bool] = var(False)
    """Whether the store has a step to undo."""
    can_redo: var[bool] = var(False)
    """Whether the store has a step to redo."""
    has_rows: var[bool] = var(False)
    """Whether the list has any rows (decision keys hide without)."""
    coverage: var[Coverage] = var(Coverage)
    """The shown article's related links, the other articles of its story in this folder
    (newest first), how many it has, and what ties the article to it: one value, so that
    the related pane draws a cursor move once."""
    site_line: var[str] = var("")
    """The site whose rules decide what is live, or why there is none ("": not read yet)."""
    unsettled: var[int | None] = var(None)
    """How many articles are live without a decision (None: not known yet)."""
    refused: var[bool] = var(False)
    """True once the decisions database was found deleted or replaced: every key that
    would write to it is off, and a line above the status bar says why."""
    conflicts: var[int] = var(0)
    """How many articles editors of the desk decided differently."""
    syncing: var[bool] = var(False)
    """Whether a sync with the desk is under way."""

    def __init__(self, library: Library, db_path: Path | None,
                 clock: Callable[[], datetime], editor: str | None = None,
                 sync_minutes: float = 0.0) -> None:
        """A screen on `library` (the app thread's), timed by `clock` (fixed in tests);
        `editor` and `sync_minutes` as the settings say (the desk's name for me, and how
        often to sync by itself: 0, only by key)."""
        super().__init__()
        self.library = library
        """The main thread's library: queries and decisions."""
        self.editor = editor
        """Who decides here, as the desk's logs name them (None: git's user name)."""
        self.sync_minutes = sync_minutes
        """Sync with the desk this often (0: only by key)."""
        self._last_sync: desk.Synced | None = None
        """What the last sync came to (a timer's sync says again only what differs)."""
        self.db_path = db_path
        """The decisions database the library opened."""
        self.clock = clock
        """The app's clock."""
        self.model = TriageModel(library, clock)
        """The triage state and its rules."""
        self.painted = threading.Event()
        """Set once the first frame is out: workers wait for it, not to slow that frame."""
        self._scanned = False
        """Whether a scan has reported its problems yet this session."""
        self._gone_said: tuple[tuple[str, Decision], ...] = ()
        """The decisions whose file is gone the app last warned of."""
        self._keys: tuple[object, ...] = ()
        """The keys the footer showed at the last refresh: (key, enabled, tooltip)."""
        self._preparer: ThreadPoolExecutor | None = None
        """The one thread that works out a search's rows as it is typed."""
        self._shown_id: str | None = None
        """The article under the cursor, as the panes last showed it."""
        self._shown_keys: tuple[bool, ...] = ()
        """What the keys hidden or shown by `check_action` said at the last `_show`."""
        self._return_to: str | None = None
        """The article the cursor was on when the app last quit, until it is listed."""
        self._to_first = False
        """Whether the next rows a filter lists put the cursor on the first (a search)."""
        self._before_search: Filter | None = None
        """The filter before the search shown now, for Esc to go back to."""

    @property
    def scanning_first(self) -> bool:
        """True while a first scan fills an empty index."""
        return self.model.scanning_first

    @property
    def article_list(self) -> ArticleList:
        """The list pane."""
        return self.query_one(ArticleList)

    # -- layout and start ----------------------------------------------------------------

    def compose(self) -> ComposeResult:
        """The list (with its filter line) beside the article and its related coverage."""
        yield Header()
        with Horizontal(id="panes"):
            with Vertical(id="list-pane"):
                yield Label(id="filter-line")
                yield ArticleList(id="article-list")
            with Vertical(id="side-pane"):
                yield ArticleDetail(self.clock, id="detail").data_bind(
                    TriageScreen.notices, view=TriageScreen.article_view
                )
                yield RelatedLinks(id="related").data_bind(TriageScreen.coverage)
        yield StatusBar(id="status").data_bind(
            TriageScreen.counts, TriageScreen.session, TriageScreen.pace, TriageScreen.shown,
            TriageScreen.problems, TriageScreen.selected, TriageScreen.site_line,
            TriageScreen.conflicts, TriageScreen.syncing,
        )
        yield KeyFooter()

    def on_mount(self) -> None:
        """List the first page, then start the rescan and the timers after the first frame."""
        self.call_after_refresh(self._first_frame_out)
        self.article_list.reason_of = self._reason_of
        self._return_to = self.model.restore_place()
        self.article_list.mark_new(self.model.marks_after)
        self.set_reactive(TriageScreen.filters, self.model.filter)
        self._say_filter()
        first = self.model.first_page()
        # Counting every state of a big folder waits for after the paint.
        self._set_rows(first, recount=not self.model.partial)
        self._go_back()
        self.article_list.focus()
        # A warm start of a large folder rescans before it reads every row: the rescan's
        # working set is freed by then, not held on top of them.
        self.start_scan(first=not first)
        self.set_interval(PACE_EVERY, self._update_pace)
        self.model.start_following()
        self.set_interval(FOLLOW_EVERY, self._follow_store)
        self._read_desk_again()
        self.set_interval(DESK_EVERY, self._read_desk_again)
        if self.sync_minutes > 0:
            self.set_interval(self.sync_minutes * 60, partial(self._start_sync, quiet=True))

    def _first_frame_out(self) -> None:
        """Start what a scan's process pool needs, then let the workers go.

        Not before the first frame: the resource tracker is a second Python process. Its
        launch passes on stderr's descriptor, which Textual's stand-in lacks, so it sees
        the real one for that call (the UI thread: nothing else writes meanwhile).
        """
        saved = sys.stderr
        sys.stderr = sys.__stderr__ or saved
        try:
            workers.prepare_workers()
        finally:
            sys.stderr = saved
        self.painted.set()
        self.post_message(FirstFrameOut())  # for the app (it bubbles up)

    def on_unmount(self) -> None:
        """Remember where the editor leaves the list; let the search's thread go."""
        self.model.keep_place(self._shown_id)
        if self._preparer is not None:
            self._preparer.shutdown(wait=False, cancel_futures=True)

    def _go_back(self) -> None:
        """Put the cursor back on the article it was on when the app last quit, once that
        article is listed (a large folder lists every row only after the first paint); on
        its story's row when the story is folded."""
        article, lst = self._return_to, self.article_list
        row = None if article is None else lst.loaded_row(article)
        if row is None:
            return
        self._return_to = None
        if lst.index_of(row.id) is None:  # folded: the story's row stands for it
            row = next((r for r in lst.rows if r.story == row.story), row)
        if lst.index_of(row.id) is not None:
            lst.cursor_id = row.id

    # -- the one place the model's changes reach the reactives ---------------------------

    def _set_rows(self, rows: list[ArticleRow], recount: bool = True,
                  lookups: Lookups | None = None, first: bool = False) -> None:
        """Show these rows (the cursor keeps its article, or goes to the `first` row) and
        what depends on them."""
        lst = self.article_list
        lst.set_rows(rows, lookups, first)
        self.shown = len(lst.rows)  # a folded story is one row
        self.has_rows = bool(rows)
        if recount:
            self.counts = self.model.recount()
        self._update_steps()
        self._show(lst.cursor_id)

    def _took(self, moved: Moved, show: bool = True) -> None:
        """Show the states the model took in: the rows, the counts, the tally (`show`:
        whether the panes show the article under the cursor, or its story, again)."""
        lst = self.article_list
        for article_id, state in moved.after.items():
            row = lst.loaded_row(article_id)  # folded away in its story, perhaps
            if row is not None and row.state is not state:
                lst.update_row(replace(row, state=state))
        lst.forget_reasons(moved.ids)  # a skip's reason may have changed with it, or alone
        self.counts = self.model.counts
        self.session = self.model.tally.changed
        self._marks_moved()
        self._show_desk_marks()
        self._update_steps()
        ids = set(moved.ids)
        members = self.coverage.members
        if show and (lst.cursor_id in ids or any(member.id in ids for member in members)):
            self._show(lst.cursor_id)  # the reason, or a state in the story, may have changed

    def _took_and_advance(self, moved: Moved) -> None:
        """Show the new states, then move to the next undecided article. The panes show the
        article moved to (it comes with the cursor), not first the one just decided."""
        self._took(moved, show=False)
        lst = self.article_list
        index = model.next_undecided(lst.rows, lst.cursor_index,
                                     passing=self.model.passed_over)
        if index is None:  # nothing left undecided: the decided article stays shown
            self._show(lst.cursor_id)
        else:
            lst.cursor_id = lst.rows[index].id

    def _restory(self) -> None:
        """Show every row with the story it has now (after a story edit, its undo or
        redo, or another instance's): merged as a rescan's rows are, so the order stays."""
        self.model.stories_changed()
        self._merge_fresh(RefreshResult())

    def _merge_fresh(self, result: RefreshResult) -> None:
        """Show what the filter selects now, merged into the rows on screen."""
        self._set_rows(self.model.merged(self.article_list.rows, result))

    def _update_steps(self) -> None:
        """Whether there is a step to undo or redo (the footer shows the keys then)."""
        self.can_undo, self.can_redo = self.model.steps()
        self._refresh_keys()

    def _refresh_keys(self) -> None:
        """Tell the footer the keys changed only when those it shows did (hidden keys are
        checked as they are pressed): not per cursor move."""
        bindings = self.active_bindings.items()
        keys = tuple((key, b.enabled, b.tooltip) for key, b in bindings if b.binding.show)
        if keys != self._keys:
            self._keys = keys
            self.refresh_bindings()

    def _update_pace(self) -> None:
        """The pace by the clock now."""
        self.pace = self.model.tally.pace(self.clock())

    def watch_session(self) -> None:
        """A decision changes the pace at once."""
        self._update_pace()

    @property
    def article(self) -> Article | None:
        """The article the panes show (None: none, or not indexed yet)."""
        return self.article_view.article

    def _show(self, article_id: str | None) -> None:
        """Load the article under the cursor, and its story, into what the panes show:
        each pane's in one value, worked out first, so that each pane draws it once."""
        lst = self.article_list
        index = None if article_id is None else lst.index_of(article_id)
        self._shown_id = None if index is None else article_id
        if article_id is None or index is None:
            self.article_view, self.coverage = ArticleView(), Coverage()
        else:
            row = lst.rows[index]
            article = self.model.article(article_id)
            members, total = self.model.members(row)
            why = self._explain(row.id, members) if members else ""
            self.article_view = ArticleView(article, row.state, self.model.reason(article_id),
                               self.model.site_state(article_id), self._desk_lines(row))
            self.coverage = Coverage(article, members, total, why)
        # What the footer's keys depend on that a move changes (see check_action): the
        # footer is asked again only when that did, not at every move.
        keys = (article_id is not None and index is not None, self.coverage.members != (),
                self.article is not None and bool(self.article.url))
        if keys != self._shown_keys:
            self._shown_keys = keys
            self._refresh_keys()

    def _explain(self, article_id: str, members: Sequence[ArticleRow]) -> str:
        """Why the article is in its story; weighed against the members listed, as reading
        every copy of a large story would be slow."""
        try:
            return story_why(self.library.explain_story(article_id, [m.id for m in members]))
        except sqlite3.Error:  # the index is busy or being rebuilt: no reason this time
            return ""

    def _problem(self, text: str) -> None:
        """A problem that is not an article's: notify, and keep it above the article."""
        self.app.notify(text, title="Problem", severity="error", markup=False)
        self.notices = (*self.notices[-2:], text)

    def _not_saved(self, error: StoreError) -> None:
        """Say a change was not saved, and why; if that is because the decisions file is
        gone, turn off every key that would write to it."""
        self._problem(f"Not saved: {error}")
        self._check_store(announce=False)  # the toast just shown says why

    def _check_store(self, announce: bool = True) -> None:
        """Turn the writing keys off once the decisions file is found deleted or replaced
        (`announce`: say so in a toast too; the line above the status bar says it anyway)."""
        if self.refused or not self.model.store_lost():
            return
        self.refused = True
        if announce:
            self._problem(words.STORE_REFUSED)

    def watch_refused(self, refused: bool) -> None:
        """Say above the status bar why the writing keys are off, and dim them."""
        if not refused or self.query("#store-refused"):
            return
        line = Label(words.STORE_REFUSED, id="store-refused", variant="error", markup=False)
        self.mount(line, before="#status")
        self._refresh_keys()

    # -- the filter ----------------------------------------------------------------------

    def watch_filters(self) -> None:
        """Reload the list and say what it shows."""
        rows, lookups = self.model.set_filter(self.filters)
        first, self._to_first = self._to_first, False
        # A filter moves no counts.
        self._set_rows(rows, recount=False, lookups=lookups, first=first)
        self._say_filter()

    def _say_filter(self) -> None:
        """Say what the list shows, and how many articles are live without a decision."""
        self.query_one("#filter-line", Label).update(filter_content(self.filters,
                                                                    self.unsettled))

    def watch_unsettled(self) -> None:
        """The filter line counts the articles live without a decision."""
        self._say_filter()

    @on(Input.Submitted, "#search")
    def _search(self, message: Input.Submitted) -> None:
        """Apply the search box, and put the cursor on the first match; Esc goes back to
        the filter from before the search."""
        self._close_search()
        flt = replace(self.filters, search=message.value.strip() or None)
        if flt == self.filters:
            return
        if not flt.search:
            self._before_search = None
        elif self._before_search is None:
            self._before_search = self.filters
        self._to_first = bool(flt.search)  # in the same frame as the rows, one article shown
        self.filters = flt

    def _close_search(self) -> None:
        """Hide the search box and give the list the focus."""
        self.query_one("#search").remove_class("-open")
        self.article_list.focus()

    @on(Input.Changed, "#search")
    def _typed(self, message: Input.Changed) -> None:
        """Work out the rows of the search as it is typed, so that Enter only shows them
        (typing leaves the time). The search still applies only on Enter."""
        search = self.model.prepare_search(message.value)
        if search is not None:
            self._prepare_rows(search)

    @work(exclusive=True, group="prepare", name="Working out the search", exit_on_error=False)
    async def _prepare_rows(self, search: model.Search) -> None:
        """Have the one preparing thread work out a search's rows; keep them for Enter.
        One thread: no two searches' rows stand in memory at once, none is made per key."""
        if self._preparer is None:
            self._preparer = ThreadPoolExecutor(1, thread_name_prefix="prepare")
        loop = asyncio.get_running_loop()
        ready = await loop.run_in_executor(self._preparer, self.model.work_out, search)
        self.model.keep_ready(ready)

    def action_search(self) -> None:
        """Open the search box (made the first time: not before the first paint)."""
        try:
            box = self.query_one("#search", Input)
        except NoMatches:
            box = Input(placeholder='word -word a OR b provider:NAME topic:"A B" · Enter · Esc',
                        id="search")
            self.query_one("#list-pane").mount(box, before="#filter-line")
        box.value = self.filters.search or ""
        box.add_class("-open")
        box.focus()

    def action_cycle_state(self) -> None:
        """Show the next state: all, undecided, published, skipped."""
        self.filters = next_state(self.filters)

    def action_toggle_new(self) -> None:
        """Show only the articles new this session (marked N), or every article again."""
        flt = self.model.new_only()
        if flt is None:
            self.app.notify("Nothing is new yet: this is the folder's first session. Files "
                            "a rescan or your next session finds will be marked N.",
                            title="New articles", markup=False)
            return
        self.filters = flt

    def action_toggle_live_undecided(self) -> None:
        """Show only the articles live on the site without a decision, or every article."""
        self.filters = self.model.live_only()

    def action_show_state(self, state: str) -> None:
        """Show one state (`all` for every state)."""
        self.filters = with_state(self.filters, state)

    def action_cycle_sort(self) -> None:
        """Sort by the next key: date, quality, heat, title."""
        self.filters = next_sort(self.filters)

    def action_sort(self, sort: str) -> None:
        """Sort by one key."""
        self.filters = with_sort(self.filters, sort)

    def _pick(self, title: str, values: list[tuple[str, int]], current: str | None,
              chosen: Callable[[str | None], Filter]) -> None:
        """Let the editor choose one value ("" for any); `chosen` makes the new filter."""
        def picked(value: str | None) -> None:
            """Show the value picked (None: the editor closed the list)."""
            if value is not None:
                self.filters = chosen(value or None)

        from reader.dialogs.pick import PickScreen  # loaded when first used

        self.app.push_screen(PickScreen(title, values, current), picked)

    def action_pick_topic(self) -> None:
        """Choose a topic to show."""
        self._pick("Topic", query.topics(self.library, self.filters), self.filters.topic,
                   lambda value: replace(self.filters, topic=value))

    def action_pick_provider(self) -> None:
        """Choose a provider to show."""
        self._pick("Provider", query.providers(self.library, self.filters), self.filters.provider,
                   lambda value: replace(self.filters, provider=value))

    def action_pick_reason(self) -> None:
        """Choose a skip reason to show (every `duplicate of …` counts as `duplicate`)."""
        tally: Counter[str] = Counter()
        for _provider, reason, count in query.reasons(self.library, self.filters):
            tally[reason] += count
        values = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
        self._pick("Skip reason", values, self.filters.reason,
                   lambda value: replace(self.filters, reason=value))

    def action_clear_filters(self) -> None:
        """Close the search box; else clear the selection; else go back to the filter from
        before the search; else show everything."""
        if self.query("#search.-open"):
            self._close_search()
        elif self.article_list.selected:
            self.article_list.clear_selection()
        elif self.filters.search and self._before_search is not None:
            self.filters, self._before_search = self._before_search, None
        elif self.filters != Filter(sort=self.filters.sort):
            self._before_search = None
            self.filters = Filter(sort=self.filters.sort)

    def commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """The palette's filter commands, which no key reaches directly: (name, help, callback)."""
        for state in ("all", *(d.value for d in Decision)):
            show = partial(self.action_show_state, state)
            yield f"Show {state}", f"List {state} articles", show
        for sort in SORTS:
            yield f"Sort by {sort}", f"Order the list by {sort}", partial(self.action_sort, sort)
        if not self.refused:
            yield ("Release my claims", "End your claims in force now (the desk sees it at "
                   "your next sync)", self.action_release)

    # -- intents from the list -----------------------------------------------------------

    @on(ArticleList.Highlighted)
    def _highlighted(self, message: ArticleList.Highlighted) -> None:
        """The cursor moved: show its article."""
        self._show(message.article_id)

    @on(ArticleList.Regrouped)
    def _regrouped(self, message: ArticleList.Regrouped) -> None:
        """Stories folded or unfolded: count the rows now (not the message's count: the
        one sent at mount says 0 after on_mount has already listed the first page)."""
        self.shown = len(self.article_list.rows)

    @on(ArticleList.SelectionChanged)
    def _selection_changed(self, message: ArticleList.SelectionChanged) -> None:
        """The selection changed: count it in the status bar."""
        self.selected = len(message.selected_ids)

    def action_next_undecided(self) -> None:
        """Go to the next undecided article (wrapping round) without deciding this one."""
        self._to_undecided(backwards=False)

    def action_previous_undecided(self) -> None:
        """Go to the previous undecided article (wrapping round) without deciding this one."""
        self._to_undecided(backwards=True)

    def _to_undecided(self, backwards: bool) -> None:
        """Move the cursor to the next undecided row either way, or say there is none."""
        lst = self.article_list
        index = model.next_undecided(lst.rows, lst.cursor_index, backwards,
                                     self.model.passed_over)
        if index is None:
            self.app.notify("No other undecided article in the list"
                            + (" that nobody else claimed" if self.model.passed_over else ""),
                            timeout=2)
        else:
            lst.cursor_id = lst.rows[index].id

    def _off_screen(self, ids: Iterable[str]) -> int:
        """How many of these articles the list does not show now (scrolled away, or
        folded into their story)."""
        lst = self.article_list
        top = round(lst.scroll_y)
        bottom = top + lst.scrollable_content_region.height
        return sum(1 for i in ids if (n := lst.index_of(i)) is None or not top <= n < bottom)

    @on(RelatedLinks.MemberSelected)
    def _member_selected(self, message: RelatedLinks.MemberSelected) -> None:
        """Show the chosen article of the story in the list (its story expands if needed)."""
        if not self.article_list.reveal(message.article_id):
            self.app.notify("That article is not in the list: a filter hides it", timeout=3)

    # -- decisions -----------------------------------------------------------------------

    def _targets(self) -> list[str]:
        """The selection in list order, else the article under the cursor."""
        lst = self.article_list
        return model.targets(lst.rows, lst.selected, lst.cursor_id)

    @on(DecisionRequested)
    def _decide(self, message: DecisionRequested) -> None:
        """The one place a decision is made: store first, then the state."""
        bulk = bool(self.article_list.selected)
        off_screen = self._off_screen(message.ids) if bulk else 0
        try:
            moved = self.model.decide(message.ids, message.decision, message.reason)
        except StoreError as error:
            self._not_saved(error)
            return
        if bulk:
            self.article_list.clear_selection()
            self.app.notify(words.bulk_toast(message.decision, len(message.ids), off_screen),
                            timeout=3)
        if message.decision is not Decision.UNDECIDED:
            self._took_and_advance(moved)
        else:
            self._took(moved)

    def _request(self, decision: Decision, reason: str | None = None) -> None:
        """Ask for a decision on the targets (the list's own keys post the same)."""
        ids = self._targets()
        if ids:
            self.post_message(DecisionRequested(ids, decision, reason))

    def action_publish(self) -> None:
        """Publish the article or the selection (asking first if its story has one published)."""
        ids = self._targets()
        rows = [row for row in map(self.article_list.loaded_row, ids) if row is not None]
        why = model.pending_second_publish(self.library, rows, ids)
        publish = partial(self._request, Decision.PUBLISHED)
        if why is None:
            publish()
            return

        def answered(yes: bool | None) -> None:
            """Publish after a yes."""
            if yes:
                publish()

        from reader.dialogs.confirm import ConfirmScreen  # loaded when first used

        self.app.push_screen(ConfirmScreen("Publish a second article of this story?",
                                           words.second_publish_question(why)), answered)

    def action_skip(self) -> None:
        """Skip the article or the selection."""
        self._request(Decision.SKIPPED)

    def action_skip_reason(self) -> None:
        """Ask why, then skip the article or the selection (Esc skips nothing); when every
        one of them is skipped already, change their reason instead. Either way the cursor
        then goes to the next undecided article, as after `s`."""
        ids = self._targets()
        rows = [row for row in map(self.article_list.loaded_row, ids) if row is not None]
        changing = len(rows) == len(ids) and model.changes_reason(rows)

        def chosen(reason: str | None) -> None:
            """Skip with the reason given, or change it (None: the editor closed the
            question)."""
            if reason is None:
                return
            if changing:
                self._change_reason(ids, reason or None)
            else:
                self._request(Decision.SKIPPED, reason or None)

        from reader.dialogs.reason import ReasonScreen  # loaded when first used

        current = None
        if changing:
            now = {self.model.reason(article_id) for article_id in ids}
            current = now.pop() if len(now) == 1 else "different reasons"
        self.app.push_screen(ReasonScreen(changing, current), chosen)

    def _change_reason(self, ids: Sequence[str], reason: str | None) -> None:
        """Store another reason for these skipped articles (one undoable step), show it, say
        so and go to the next undecided article. A failed save says so and nothing else."""
        try:
            moved = self.model.change_reason(ids, reason)
        except StoreError as error:
            self._not_saved(error)
            return
        if moved is None:
            self.app.notify("The reason is the same: nothing changed", timeout=2)
            return
        self.article_list.clear_selection()
        self._took_and_advance(moved)
        text = f"Skip reason now: {reason}" if reason else "Skip reason removed"
        self.app.notify(text, timeout=2, markup=False)

    def action_clear(self) -> None:
        """Make the article or the selection undecided."""
        self._request(Decision.UNDECIDED)

    def _step(self, undo: bool) -> None:
        """Undo or redo the next step; a story step waits for a running scan, which would
        write the stories it clustered over it."""
        kind = self.model.next_step_kind(undo)
        if kind == "story" and self._scanning("undo" if undo else "redo"):
            return
        lst = self.article_list
        try:
            change = self.model.step(undo)
        except StoreError as error:
            self._not_saved(error)
            return
        except LibraryError as error:  # a story step, done in the store, not in the index
            self._problem(str(error))
            self._restory()
            return
        if change is None:
            return
        self._show_desk_marks()  # an undo can bring a conflict back, or resolve one
        what = "Undone" if undo else "Redone"
        if change.kind == "story":  # no state changed: the stories did
            self._merge_fresh(RefreshResult())
            if change.ids:
                lst.reveal(change.ids[0])
            self.app.notify(f"{what}: {words.edit_words(change, self._title)}", timeout=3,
                            markup=False)
            return
        listed = [row for row in map(lst.loaded_row, change.ids) if row is not None]
        self._took(self.model.took({row.id: row.state for row in listed}, change.ids))
        if listed:
            lst.reveal(listed[0].id)
        if change.refused:
            self._problem("; ".join(f"{escape_name(p.path)}: {p.why}" for p in change.refused))
        self.app.notify(words.step_toast(change, undo), markup=False,
                        timeout=4 if change.kind == "apply" or change.kept else 2)

    def action_undo(self) -> None:
        """Undo the last step: a decision, an apply or a story edit."""
        self._step(undo=True)

    def action_redo(self) -> None:
        """Redo the step undone last."""
        self._step(undo=False)

    def action_apply(self) -> None:
        """Preview writing each decision into its file; write them if the editor says so."""
        if self._scanning("apply"):  # both would refresh the index at once
            return
        from reader.dialogs.apply import ApplyScreen  # with write-back: when first used

        screen = ApplyScreen(self.library.root, self.db_path, self.clock)
        self.app.push_screen(screen, self._applied)

    def _applied(self, ids: list[str] | None) -> None:
        """Show what an apply left: the articles' states, and the step `u` undoes now."""
        if ids is not None:
            lst = self.article_list
            listed = [lst.rows[n] for n in map(lst.index_of, ids) if n is not None]
            self._took(self.model.took({row.id: row.state for row in listed}, ids))
            self._read_site_again()  # the files it wrote are live, or not, now

    def _follow_store(self) -> None:
        """Show what another instance decided, undid, redid or edited since the last look;
        check that the decisions file is still the one opened."""
        self._check_store()
        self._check_site()
        followed = self.model.follow(self.article_list.loaded_row)
        self.article_list.forget_reasons(followed.touched)
        if followed.stories:
            self._merge_fresh(RefreshResult())
        if followed.moved is not None:
            self._took(followed.moved)
        elif followed.touched:
            if self.model.counts != self.counts:  # a step no row shows (see model.decide)
                self.counts = self.model.counts
            self._marks_moved()  # who decided may have changed, the state not
            self._show_desk_marks()
            self._update_steps()  # another instance's step is on the one undo stack too
            if self.article_list.cursor_id in followed.touched:
                self._show(self.article_list.cursor_id)  # its reason may have changed

    # -- stories -------------------------------------------------------------------------

    def action_toggle_grouped(self) -> None:
        """Show one row per story, or every article (the cursor keeps its article)."""
        lst = self.article_list
        lst.grouped = not lst.grouped

    def action_decide_story(self) -> None:
        """Publish the article under the cursor and skip the rest of its story, as one step;
        a member that is live or that the editor decided is skipped only after a yes to a
        question naming it (a no still does the rest)."""
        row = self.article_list.cursor_row
        if row is None or not self.coverage.members:
            return
        plan, everyone = self.model.plan_story(row)
        if not plan.protected:
            self._decide_story(plan, ())
            return
        named = [p.id for p in plan.protected]

        def answered(yes: bool | None) -> None:
            """Skip the protected members too after a yes; the rest either way."""
            self._decide_story(plan, named if yes else ())

        from reader.dialogs.confirm import ConfirmScreen  # loaded when first used

        titles = {member.id: member.title or member.id for member in everyone}
        question = words.protected_question(plan, titles.get(row.id, row.id), titles)
        self.app.push_screen(ConfirmScreen(words.protected_title(plan), question), answered)

    def _decide_story(self, plan: StoryPlan, include: Sequence[str]) -> None:
        """Decide the story, show it, and say what happened; a failed save says so and
        nothing else."""
        try:
            outcome, moved = self.model.decide_story(plan, include)
        except StoreError as error:
            self._not_saved(error)
            return
        self._took_and_advance(moved)
        self.app.notify(words.story_toast(outcome), timeout=4 if outcome.left else 2,
                        markup=False)

    def action_split_story(self) -> None:
        """Take the article under the cursor, or the selection, out of its story: each one
        becomes a story of its own, as one undoable step."""
        lst = self.article_list
        rows = [row for row in map(lst.loaded_row, self._targets()) if row is not None]
        ids = [row.id for row in rows if row.story_size > 1]
        if not ids:
            if rows:
                alone = "It is" if len(rows) == 1 else "Each is"
                self.app.notify(f"{alone} alone in its story already", timeout=3)
            return
        if self._scanning("split"):
            return
        if self._story_edit(partial(self.model.split, ids)):
            their = "its story" if len(ids) == 1 else "their stories"
            self.app.notify(f"Split {words.articles(len(ids))} out of {their}", timeout=2)

    def action_merge_story(self) -> None:
        """Move the selected articles into the story of the article under the cursor, as one
        undoable step; with nothing selected, say how."""
        lst = self.article_list
        target = lst.cursor_row
        if target is None:
            return
        chosen = [row for row in lst.rows if row.id in lst.selected and row.id != target.id]
        if not chosen:
            self.app.notify(words.MERGE_HOW, timeout=5)
            return
        story = target.story or target.id  # "" before the first clustering
        ids = [row.id for row in chosen if (row.story or row.id) != story]
        if not ids:
            self.app.notify("They are in that story already", timeout=3)
            return
        if self._scanning("merge"):
            return
        if self._story_edit(partial(self.model.merge, ids, target.id)):
            self.app.notify(f"Merged {words.articles(len(ids))} into the story of "
                            f"{target.title or target.id}", timeout=3, markup=False)

    def _story_edit(self, edit: Callable[[], None]) -> bool:
        """Make a story edit, then show the stories it leaves; False when it failed (the
        problem is shown, never a success)."""
        try:
            edit()
        except StoreError as error:
            self._not_saved(error)
            return False
        except LibraryError as error:  # saved, but the index could not show it
            self._problem(str(error))
            self._merge_fresh(RefreshResult())  # the step is on the undo stack: `u` shows
            return False
        self.article_list.clear_selection()
        self._merge_fresh(RefreshResult())
        return True

    def _title(self, article_id: str) -> str:
        """An article's title (its id when it has none, or is not in the folder now)."""
        row = self.article_list.loaded_row(article_id)
        if row is not None:
            return row.title or article_id
        article = self.model.article(article_id)
        return (article.title if article else "") or article_id

    def _scanning(self, verb: str) -> bool:
        """Whether a scan runs (then say so): it clusters with the edits it read when it
        began, and would write its stories over an edit made meanwhile."""
        if any(w.group == "scan" and w.is_running for w in self.workers):
            self.app.notify(f"The folder is being scanned: {verb} when it is done", timeout=3)
            return True
        return False

    # -- scanning and reading every row --------------------------------------------------

    def start_scan(self, first: bool) -> None:
        """Scan in the background; a first scan fills the list as the index grows."""
        self.model.scanning_first = first
        if first:
            self.article_list.empty_text = workers.INDEXING_TEXT
        self.scan(first)

    @work(thread=True, exclusive=True, group="scan", name="The scan", exit_on_error=False)
    def scan(self, first: bool) -> None:
        """Refresh the index on this thread's own connections, reporting back by message."""
        worker = get_current_worker()
        self.painted.wait(timeout=2.0)
        library = self.library.for_thread()
        try:
            result, problems = workers.scan_folder(
                library, lambda: self.filters, self.post_message,
                first=first, cancelled=lambda: worker.is_cancelled,
            )
        finally:
            library.close()
        self.post_message(ScanFinished(result, problems))

    @on(ScanProgressed)
    def _progressed(self, message: ScanProgressed) -> None:
        """Show the scan's progress; a first scan's rows so far fill the list."""
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
        was_first, self.model.scanning_first = self.scanning_first, False
        self.article_list.empty_text = EMPTY_TEXT
        self._merge_fresh(result)
        self.model.scanned()
        self.article_list.mark_new(self.model.marks_after)
        if not was_first:  # a file found again renamed is not new
            renamed = {new for _, new in result.renamed}
            self._announce([i for i in result.added if i not in renamed])
        if result.moved:
            self.app.notify(words.moved_toast(result.moved), title="Rescan", markup=False)
        self._gone_decisions()
        self._file_problems(message.problems)
        self._scan_done()

    def _gone_decisions(self) -> None:
        """Warn of the decisions whose file is gone: at the first scan, then when they
        change (a decision is never dropped without a word)."""
        gone = tuple(self.model.gone())
        if gone and gone != self._gone_said:
            self.app.notify(words.gone_toast(gone), title="Files gone", severity="warning",
                            markup=False, timeout=10)
        self._gone_said = gone

    def _announce(self, added: Sequence[str]) -> None:
        """Say how many of the files a rescan added the list shows; while only the first
        page is read they wait (it may lack them)."""
        if self.model.first_page_only:
            self.model.arrived += tuple(added)
        else:
            self._announce_now(added)

    def _announce_now(self, added: Sequence[str]) -> None:
        """Say how many of these new files the list holds (shown, or folded in a story)."""
        rows = [row for i in added if (row := self.article_list.loaded_row(i)) is not None]
        if rows:
            # A first session's first scan found every article: none of them is marked.
            marked = ", marked N in the list" if any(map(self.model.is_new, rows)) else ""
            self.app.notify(f"{words.plural(len(rows), 'new article')}{marked}",
                            title="Rescan")

    def _scan_done(self) -> None:
        """After a scan: work out what the site does with the articles now (a changed
        `_config.yml` is read again); after the warm start's, read every row if only the
        first page is read."""
        self.model.site_changed()
        if self.model.first_page_only:
            # The site waits for the rows: its marks then hold the rows' own ids, and the
            # two workers' reading never adds up.
            self._load_all(self.filters.sort)
        else:
            self._read_site_again()

    # -- the site: what its Jekyll does with each article --------------------------------

    class SiteRead(Message):
        """The site's marks, worked out on a worker."""

        def __init__(self, marks: SiteMarks) -> None:
            """Hand over the marks."""
            super().__init__()
            self.marks = marks
            """The site, the live articles, those of them nobody decided."""

    def _read_site_again(self) -> None:
        """Work out on a worker what the site does with every article (the last one asked
        wins): once per scan or change of the site's config, never per key."""
        self.model.site_asked()
        self._read_site()

    @work(thread=True, exclusive=True, group="site", name="Reading the site",
          exit_on_error=False)
    def _read_site(self) -> None:
        """Read the site's rules and apply them to every article, on this thread's library."""
        self.painted.wait(timeout=2.0)
        marks = self.model.read_site()
        if not get_current_worker().is_cancelled:
            self.post_message(self.SiteRead(marks))

    @on(SiteRead)
    def _site_read(self, message: SiteRead) -> None:
        """Show the site's line, its marks in the list, the article's state on the site; a
        list of those live without a decision lists them anew."""
        self.model.take_site(message.marks)
        self.site_line = message.marks.summary
        self._marks_moved()
        if self.filters.live_undecided:
            self._merge_fresh(RefreshResult())
        else:
            self._show_site_state()

    def _marks_moved(self) -> None:
        """Show the marks as the model keeps them now (after a decision, anyone's)."""
        site = self.model.site
        if site is None:
            return
        self.unsettled = self.model.unsettled
        self.article_list.mark_site(site.live, site.unsettled)

    def _show_site_state(self) -> None:
        """Show what the site does with the article under the cursor now."""
        article_id = self._shown_id
        if article_id is not None:
            site_state = self.model.site_state(article_id)
            self.article_view = replace(self.article_view, site_state=site_state)

    def _check_site(self) -> None:
        """If the site's `_config.yml` changed (a stat or two), show the rules it says now:
        the article's at once, every row's once a worker has worked them out."""
        if self.model.site is not None and self.model.site_changed():
            self._show_site_state()
            self._read_site_again()

    def _file_problems(self, problems: Iterable[Problem]) -> None:
        """Count the folder's problems in the status bar; list unreadable files.

        A change found by a later rescan is also announced. The first scan's count is not:
        the same files would raise the same toast, over the related pane, at every start.
        """
        problems = tuple(problems)
        if self._scanned and len(problems) != self.problems and problems:
            self.app.notify(f"{words.plural(len(problems), 'problem')} in the folder: see the "
                            "article pane, "
                            "or run `newsreader check`", severity="warning", markup=False)
        self._scanned = True
        self.problems = len(problems)
        notice = workers.problem_notice(problems)
        if notice:
            self.notices = (notice,)

    @work(thread=True, exclusive=True, group="rows", name="Reading every row",
          exit_on_error=False)
    def _load_all(self, sort: Sort) -> None:
        """Read every row on this thread's own connection, after the first paint."""
        self.painted.wait(timeout=2.0)
        rows = workers.read_all_rows(self.library.for_thread(), sort)
        self.post_message(RowsLoaded(sort, rows))

    @on(RowsLoaded)
    def _rows_loaded(self, message: RowsLoaded) -> None:
        """Keep every row; show them all if the first page still shows. Then the site."""
        if self.model.take_all_rows(message.sort, message.rows):
            self._marks_moved()  # the site's marks now hold the rows' ids: drop the old
            if len(message.rows) >= FREEZE_FROM:
                gc.freeze()
            if self.model.partial:
                self.watch_filters()
                self._go_back()
        self.counts = self.model.recount()
        self._update_steps()
        arrived, self.model.arrived = self.model.arrived, ()
        self._announce_now(arrived)
        if self.model.site is None:  # it waited for the rows (`_scan_done`)
            self._read_site_again()

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """Every worker error lands here: the app keeps working on what it has."""
        error = event.worker.error
        if event.state is not WorkerState.ERROR or isinstance(error, workers.ScanCancelled):
            return
        self._problem(f"{event.worker.name or 'A background task'} failed: {error}")
        self._check_store(announce=False)  # a scan writes to the decisions file too
        if event.worker.group == "sync":
            self.syncing = False
        if event.worker.group == "rows" and self.model.site is None:
            self._read_site_again()  # it waited for the rows
        if event.worker.group == "scan":
            self.remove_class("-scanning")
            self.model.scanning_first = False
            self.article_list.empty_text = EMPTY_TEXT
            self._scan_done()

    # -- the desk: the other editors of the site ---------------------------------------

    class DeskRead(Message):
        """The desk's marks, read on a worker."""

        def __init__(self, marks: desk.DeskMarks) -> None:
            """Hand over the marks."""
            super().__init__()
            self.marks = marks
            """The conflicts, and the articles other editors claimed."""

    class Synced(Message):
        """A sync run on a worker is over."""

        def __init__(self, synced: desk.Synced, quiet: bool,
                     version: tuple[int, int]) -> None:
            """Hand over what it came to."""
            super().__init__()
            self.synced = synced
            """Its result, or why it failed."""
            self.quiet = quiet
            """Whether the timer ran it (a toast only when something happened)."""
            self.version = version
            """The index's version before it (a pull that brought files changes it)."""

    def _read_desk_again(self) -> None:
        """Read the desk's marks on a worker (the last one asked wins)."""
        self.model.desk_asked()
        self._read_desk()

    @work(thread=True, exclusive=True, group="desk", name="Reading the desk",
          exit_on_error=False)
    def _read_desk(self) -> None:
        """Read the conflicts and the other editors' claims on this thread's library; a
        store that cannot say now is read at the next turn."""
        self.painted.wait(timeout=2.0)
        try:
            marks = self.model.read_desk()
        except (LibraryError, StoreError, sqlite3.Error):
            return
        if not get_current_worker().is_cancelled:
            self.post_message(self.DeskRead(marks))

    @on(DeskRead)
    def _desk_read(self, message: DeskRead) -> None:
        """Show the marks the worker read."""
        self.model.take_desk(message.marks)
        self._show_desk_marks()

    def _show_desk_marks(self) -> None:
        """Show the desk's marks as the model keeps them now: the list's, the status bar's
        count of conflicts, and what the detail pane says of the article."""
        marks = self.model.desk
        self.article_list.mark_desk(marks.conflicts, marks.claimed.keys())
        self.conflicts = len(marks.conflicts)
        row = self.article_list.cursor_row
        if row is not None and self.article_view.article is not None:
            self.article_view = replace(self.article_view, desk=self._desk_lines(row))

    def _desk_lines(self, row: ArticleRow) -> tuple[tuple[str, str], ...]:
        """What the desk says of the row's article: who decided it and when, the editors
        who disagree, another editor's claim (none when the store cannot say now)."""
        marks = self.model.desk
        try:
            by = query.decided_by(self.library, row.id)
            sides = self.library.conflicts([row.id]) if row.id in marks.conflicts else {}
        except sqlite3.Error:
            return ()
        lines: list[tuple[str, str]] = []
        if row.id in sides:  # who decided what, both ways
            lines.append((desk.conflict_line(sides[row.id], marks.me), "bold $text-error"))
        elif by is not None:
            lines.append((desk.decided_line(row.state, by, marks.me), "$text-muted"))
        claim = marks.claimed.get(row.id)
        if claim is not None:
            lines.append((desk.claimed_line(claim, self.clock()), "$text-warning"))
        return tuple(lines)

    def action_sync(self) -> None:
        """Share the decisions with the desk and take the other editors' (on a worker)."""
        self._start_sync(quiet=False)

    def _start_sync(self, quiet: bool) -> None:
        """Sync on a worker, unless one is under way (said, when asked by key)."""
        if self.syncing:
            if not quiet:
                self.app.notify("A sync with the desk is under way", timeout=2)
            return
        if self.refused:
            return
        self.syncing = True
        self._sync(quiet, query.index_version(self.library))

    @work(thread=True, exclusive=True, group="sync", name="Syncing with the desk",
          exit_on_error=False)
    def _sync(self, quiet: bool, version: tuple[int, int]) -> None:
        """Run git on this thread's library: the network may be slow, the app is not."""
        self.painted.wait(timeout=2.0)
        self.post_message(self.Synced(desk.run_sync(self.library, self.editor), quiet, version))

    @on(Synced)
    def _synced(self, message: Synced) -> None:
        """Show what the sync changed (the rows its decisions moved, articles a pull
        brought), then say what it did: by key always, by the timer when it is news."""
        self.syncing = False
        synced, before = message.synced, self._last_sync
        self._last_sync = synced
        conflicts_before = self.conflicts
        if query.index_version(self.library) != message.version:  # a pull brought files
            self.model.stories_changed()
            self._merge_fresh(RefreshResult())
        self._follow_store()  # its decisions are in the journal, as another instance's
        self._read_desk_again()
        if message.quiet and not desk.worth_saying(synced, before, conflicts_before):
            return
        title, text, severity = desk.sync_toast(synced)
        self.app.notify(text, title=title, severity=severity,
                        timeout=4 if severity == "information" else 10, markup=False)

    def action_claim(self) -> None:
        """Claim the next undecided articles nobody claimed, from the cursor on."""
        lst = self.article_list
        try:
            ids, until = self.model.claim(lst.rows, lst.cursor_index)
        except StoreError as error:
            self._not_saved(error)
            return
        if not ids:
            self.app.notify("Every undecided article in the list is claimed already",
                            timeout=3)
            return
        self.app.notify(desk.claim_toast(len(ids), until, self.clock()), title="Desk",
                        timeout=4, markup=False)

    def action_release(self) -> None:
        """End this editor's claims in force."""
        try:
            ended = self.model.release()
        except StoreError as error:
            self._not_saved(error)
            return
        self.app.notify(f"Released {words.plural(ended, 'claim')}; the desk sees it at your "
                        "next sync" if ended else "You have no claim in force", title="Desk",
                        timeout=3)

    def action_show_conflicts(self) -> None:
        """List the articles editors decided differently; Enter resolves one with a side."""
        try:
            found = self.library.conflicts()
        except sqlite3.Error as error:
            self._problem(f"The conflicts cannot be read now: {error}")
            return
        if not found:
            self.app.notify("No conflicts: no two editors decided an article differently",
                            timeout=3)
            return
        from reader.dialogs.conflicts import ConflictsScreen  # loaded when first used

        titles = {article_id: self._title(article_id) for article_id in found}
        self.app.push_screen(ConflictsScreen(found, titles, self.model.desk.me),
                             self._conflict_chosen)

    def _conflict_chosen(self, choice: ConflictChoice | None) -> None:
        """Resolve the article with the side chosen (one undoable step), or only go to it."""
        if choice is None:
            return
        side = choice.side
        if side is not None:
            try:
                moved = self.model.resolve(choice.article_id, side.state, side.reason)
            except StoreError as error:
                self._not_saved(error)
                return
            self._took(moved)
            self.app.notify(desk.resolved_toast(self._title(choice.article_id), side,
                                                self.model.desk.me),
                            title="Desk", timeout=4, markup=False)
        self._go_to_article(choice.article_id)

    # -- the file itself -----------------------------------------------------------------

    def _reason_of(self, article_id: str) -> str | None:
        """A skipped row's reason, for the list (None when the store cannot say now)."""
        try:
            return self.model.reason(article_id)
        except sqlite3.Error:
            return None

    def action_edit(self) -> None:
        """Open the article's file in $VISUAL (else $EDITOR), the terminal handed over to
        it; then rescan, so that the panes show what the file says now."""
        row = self.article_list.cursor_row
        if row is None:
            return
        # Absolute: a file whose name starts with `-` is never taken for an option.
        path = str((self.library.root / row.id).absolute())
        try:
            command = model.editor_command(os.environ, path)
        except ValueError as error:
            self.app.notify(str(error), severity="warning", timeout=4, markup=False)
            return
        editor = escape_name(Path(command[0]).name)
        try:
            with self.app.suspend():
                outcome = run_editor(command)
        except SuspendNotSupported:
            self.app.notify(CANNOT_SUSPEND, severity="warning", timeout=4, markup=False)
            return
        if isinstance(outcome, OSError):
            why = outcome.strerror or str(outcome)
            self.app.notify(f"The editor could not start: {editor}: {why}", title="Not edited",
                            severity="error", timeout=6, markup=False)
            return
        if outcome != 0:
            how = (f"was stopped by signal {-outcome}" if outcome < 0
                   else f"exited with status {outcome}")
            self.app.notify(f"The editor ({editor}) {how}; the file is read again anyway",
                            severity="warning", timeout=5, markup=False)
        self.start_scan(first=self.scanning_first)

    def action_show_raw(self) -> None:
        """Show the head of the article's file (its front matter) as written, plain."""
        row = self.article_list.cursor_row
        if row is None:
            return
        text = self.library.raw_head(row.id)
        name = escape_name(row.id)
        if text is None:
            self.app.notify(f"Cannot read {name}: it is gone, a link, or not a plain readable "
                            "file", severity="warning", timeout=4, markup=False)
            return
        from reader.dialogs.raw import RawScreen  # loaded when first used

        self.app.push_screen(RawScreen(name, text))

    def action_show_problems(self) -> None:
        """List every file's problems, as `newsreader check` does; Enter goes to one."""
        problems = self.model.problems()
        if not problems:
            self.app.notify("No problems in the folder", timeout=2)
            return
        from reader.dialogs.problems import ProblemsScreen  # loaded when first used

        self.app.push_screen(ProblemsScreen(problems), self._go_to_article)

    @on(StatusBar.ProblemsClicked)
    def _problems_clicked(self, message: StatusBar.ProblemsClicked) -> None:
        """A click on the status bar's problem count lists the problems."""
        self.action_show_problems()

    def _go_to_article(self, article_id: str | None) -> None:
        """Put the cursor on the article chosen in a list (of problems, of conflicts; None:
        closed), or say why it cannot."""
        if article_id is None or self.article_list.reveal(article_id):
            return
        if self.model.first_page_only:
            self.app.notify("The list is still being read: try again in a moment", timeout=3)
        else:
            self.app.notify(f"{escape_name(article_id)} is not in the list: a filter hides it",
                            timeout=4, markup=False)

    # -- other keys ----------------------------------------------------------------------

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
        """Hide the keys that would do nothing now; dim those that would write to a
        decisions file found deleted or replaced (the line above the status bar says why)."""
        if action in WRITES and self.refused:
            return None
        if action in ("open", "copy"):
            return self.article is not None and bool(self.article.url)
        if action in ("publish", "skip", "skip_reason", "clear", "edit", "show_raw"):
            return self.has_rows
        if action == "undo":
            return self.can_undo
        if action == "redo":
            return self.can_redo
        if action == "decide_story":
            return bool(self.coverage.members)
        if action in ("split_story", "merge_story"):
            lists = self.query(ArticleList)  # none before the screen is composed
            return bool(lists) and lists.first().cursor_row is not None
        return super().check_action(action, parameters)

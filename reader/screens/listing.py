"""ListingScreen: the state the triage panes show, and the list's rows it comes from."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from textual import on, work
from textual.reactive import var
from textual.widgets import Input, Label

from reader.data import query
from reader.data.article import Article, Decision
from reader.data.decisions.dbfile import StoreError
from reader.data.index.index import RefreshResult
from reader.data.library import Library, LibraryError
from reader.data.query import ArticleRow, Filter
from reader.render import filter_content
from reader.screens.filtering import FilteringScreen
from reader.screens.rows import LoadedRows, Prepared, needs_sql
from reader.widgets.article_list import ArticleList
from reader.widgets.story_rows import Lookups


class Ready(NamedTuple):
    """A filter's rows worked out before they are shown, and the list's look-ups of them."""

    prepared: Prepared
    lookups: Lookups


class ListingScreen(FilteringScreen):
    """Lists what the filter selects and holds, in reactives, what the panes are bound to:
    the article under the cursor, the counts, the pace, and which keys apply."""

    article: var[Article | None] = var(None)
    """The article under the cursor (None: none, or not indexed yet)."""
    decision: var[Decision] = var(Decision.UNDECIDED)
    """The state of the article under the cursor."""
    reason: var[str | None] = var(None)
    """The reason stored with that state."""
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

    def __init__(self, library: Library, db_path: Path | None,
                 clock: Callable[[], datetime]) -> None:
        super().__init__(library, db_path, clock)
        self.started = clock()
        """When this session started, for the pace."""
        self._keys: tuple[object, ...] = ()
        """The keys the footer showed at the last refresh: (key, enabled, tooltip)."""
        self._loaded: LoadedRows | None = None
        """Every row in one order, so that a search or a state filter is done in memory."""
        self._partial = False
        """True while the list shows only the first page of an unfiltered list."""
        self._ready: Ready | None = None
        """The rows of the search being typed, worked out beforehand (see `_typed`)."""
        self._asked = 0
        """Counts the changes of the search box: only the last one's rows are worked out."""
        self._preparer: ThreadPoolExecutor | None = None
        """The one thread that works them out (made when the search box first changes)."""

    # -- state -----------------------------------------------------------------

    def _load_rows(self) -> None:
        """Replace the list with what the filter selects now (the cursor keeps its article)."""
        self._partial = False
        taken = self._take_ready(self.filters)
        if taken is None:
            self._set_rows(self._select(self.filters), recount=False)  # a filter moves no counts
        else:
            rows, lookups = taken
            self._set_rows(rows, recount=False, lookups=lookups)

    def _take_ready(self, flt: Filter) -> tuple[list[ArticleRow], Lookups] | None:
        """The rows (and look-ups) worked out beforehand for this filter, if still right."""
        ready, self._ready = self._ready, None
        loaded = self._loaded
        if ready is None or loaded is None or ready.prepared.filter != flt:
            return None
        rows = loaded.take(self.library, ready.prepared) if self._in_memory(flt) else None
        return None if rows is None else (rows, ready.lookups)

    def _in_memory(self, flt: Filter) -> bool:
        """Whether the rows in memory can give this filter's rows (else SQL must)."""
        return not (needs_sql(flt) or self.scanning_first)  # a first scan fills the index

    def _select(self, flt: Filter) -> list[ArticleRow]:
        """The filter's rows, as `query.rows` gives them: from memory unless only SQL can."""
        if not self._in_memory(flt):
            return query.rows(self.library, flt)
        if self._loaded is None or self._loaded.sort != flt.sort:
            self._loaded = LoadedRows(flt.sort, query.rows(self.library, Filter(sort=flt.sort)))
        return self._loaded.select(self.library, flt)

    @on(Input.Changed, "#search")
    def _typed(self, message: Input.Changed) -> None:
        """Work out the rows of the search as it is typed, so that Enter only shows them.

        At 51k articles a search's query and the list's look-ups take ~15 ms of a key
        press; typing leaves the time to do it beforehand. The search still applies only
        on Enter.
        """
        flt = replace(self.filters, search=message.value.strip() or None)
        self._ready = None  # rows of what the box said before: of no use now
        self._asked += 1
        loaded = self._loaded
        if (loaded is not None and loaded.sort == flt.sort and self._in_memory(flt)
                and LoadedRows.searches(flt)):  # an empty box lists all: nothing to search
            self._prepare_rows(self._asked, loaded, flt, query.index_version(self.library))

    @work(exclusive=True, group="prepare", name="Working out the search", exit_on_error=False)
    async def _prepare_rows(self, asked: int, loaded: LoadedRows, flt: Filter,
                            version: tuple[int, int]) -> None:
        """Have the preparing thread work out a filter's rows; keep them for Enter."""
        if self._preparer is None:
            self._preparer = ThreadPoolExecutor(1, thread_name_prefix="prepare")
        loop = asyncio.get_running_loop()
        ready = await loop.run_in_executor(self._preparer, self._work_out, asked, loaded, flt,
                                           version)
        if ready is not None and ready.prepared.source is self._loaded:  # not after a rescan
            self._ready = ready

    def _work_out(self, asked: int, loaded: LoadedRows, flt: Filter,
                  version: tuple[int, int]) -> Ready | None:
        """On the preparing thread: the rows and their look-ups, on its own connection.

        None if a later key asked for other rows meanwhile (keys that arrive at once, as
        in a paste, leave only the last to do), or if this fails: then Enter searches on
        the app's connection, and says what fails there. One thread does all of it: no
        two searches' rows stand in memory at once, and no thread is made per key.
        """
        if asked != self._asked:
            return None
        try:
            library = Library(self.library.root, self.db_path, clock=self.clock,
                              checks=self.library.passed_checks(),
                              story_window=self.library.story_window)
        except (LibraryError, StoreError):
            return None
        try:
            prepared = loaded.prepare(library, flt, version)
        except sqlite3.Error:
            return None
        finally:
            library.close()
        if asked != self._asked:
            return None
        return Ready(prepared, Lookups.of(prepared.rows))

    def on_unmount(self) -> None:
        if self._preparer is not None:
            self._preparer.shutdown(wait=False, cancel_futures=True)

    def _fresh_rows(self, result: RefreshResult) -> list[ArticleRow]:
        """What the filter selects after a scan: the rows in memory stay if no file changed."""
        if result.parsed or result.removed:
            self._loaded = self._ready = None  # nothing holds the old rows
        return self._select(self.filters)

    def _stories_changed(self) -> None:
        """Read the rows again after a story edit, its undo or its redo: each row in memory
        holds its old story. Merged as a rescan's rows are: the order stays."""
        self._loaded = self._ready = None
        self._merge_fresh(RefreshResult())

    def _set_rows(self, rows: list[ArticleRow], recount: bool = True,
                  lookups: Lookups | None = None) -> None:
        self.article_list.set_rows(rows, lookups)
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
        """Tell the footer the keys changed only when those it shows did (hidden keys are
        checked as they are pressed): not per cursor move."""
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

    # -- intents from the list -------------------------------------------------

    @on(ArticleList.Highlighted)
    def _highlighted(self, message: ArticleList.Highlighted) -> None:
        self._show(message.article_id)

    @on(ArticleList.Regrouped)
    def _regrouped(self, message: ArticleList.Regrouped) -> None:
        # The rows now, not the message's count: the one sent at mount says 0 after on_mount
        # has already listed the first page.
        self.shown = len(self.article_list.rows)

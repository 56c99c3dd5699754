"""FilteringScreen: the search box, the state, sort, topic and provider filters, and the
palette's filter commands; the screen's `filters` reactive is all they change."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import partial

from textual import on
from textual.css.query import NoMatches
from textual.widgets import Input

from reader.data import query
from reader.data.article import Decision
from reader.data.query import SORTS, Filter
from reader.screens.filters import next_sort, next_state, with_sort, with_state
from reader.screens.stories import StoriesScreen


class FilteringScreen(StoriesScreen):
    """What the list shows: a subclass composes the `#list-pane` with its `#filter-line`,
    and reacts to `filters` (the search box is made the first time it is opened)."""

    @on(Input.Submitted, "#search")
    def _search(self, message: Input.Submitted) -> None:
        self._close_search()
        self.filters = replace(self.filters, search=message.value.strip() or None)

    def _close_search(self) -> None:
        self.query_one("#search").remove_class("-open")
        self.article_list.focus()

    def action_search(self) -> None:
        """Open the search box (made the first time: not before the first paint)."""
        try:
            box = self.query_one("#search", Input)
        except NoMatches:
            box = Input(placeholder="Search (Enter to apply, Esc to close)", id="search")
            self.query_one("#list-pane").mount(box, before="#filter-line")
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
        from reader.screens.pick import PickScreen  # loaded when first used

        self.app.push_screen(PickScreen(field.title(), values, current), chosen)

    def action_pick_topic(self) -> None:
        """Choose a topic to show."""
        self._pick("topic", query.topics(self.library))

    def action_pick_provider(self) -> None:
        """Choose a provider to show."""
        self._pick("provider", query.providers(self.library))

    def action_clear_filters(self) -> None:
        """Close the search box; else show everything."""
        if self.query("#search.-open"):
            self._close_search()
        elif self.filters != Filter(sort=self.filters.sort):
            self.filters = Filter(sort=self.filters.sort)

    def commands(self) -> Iterator[tuple[str, str, Callable[[], object]]]:
        """The palette's filter commands, which no key reaches directly: (name, help, callback)."""
        for state in ("all", *(d.value for d in Decision)):
            show = partial(self.action_show_state, state)
            yield f"Show {state}", f"List {state} articles", show
        for sort in SORTS:
            yield f"Sort by {sort}", f"Order the list by {sort}", partial(self.action_sort, sort)

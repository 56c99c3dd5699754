"""ArticleList: a virtualised, keyboard-driven list of articles (line API)."""

from __future__ import annotations

from itertools import islice
from typing import ClassVar

from textual import events
from textual.binding import BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive

from reader.bindings import binding
from reader.data.query import ArticleRow
from reader.triage.story_rows import Lookups
from reader.widgets.article_lines import CURSOR_BINDINGS, EMPTY_TEXT, ArticleLines

__all__ = ["EMPTY_TEXT", "ArticleList"]  # EMPTY_TEXT: the screens and tests take it from here


class ArticleList(ArticleLines, can_focus=True):
    """A list of article rows with a cursor bound to an article id, and a selection."""

    BINDINGS: ClassVar[list[BindingType]] = [
        *CURSOR_BINDINGS,
        binding(
            "space",
            "toggle_select",
            "Select",
            "Add the article under the cursor to the selection, or remove it",
            show=True,
        ),
        binding("right,plus", "expand", "Expand story",
                "Show every article of the story under the cursor, each on its own row"),
        binding("left,minus", "collapse", "Collapse story",
                "Fold the story under the cursor back into one row"),
        binding("enter", "toggle_story", "Expand or collapse",
                "Expand the story under the cursor, or fold it back into one row"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "article-list--cursor",
        "article-list--decided",
        "article-list--selected",
        "article-list--empty",
        "article-list--site",
        "article-list--conflict",
        "article-list--claimed",
    }
    """Styles for the cursor line, decided rows, selected rows, the empty message, the
    state column of a row the site does not treat as its state says, and of a row editors
    of the desk decided differently, and rows another editor claimed."""

    DEFAULT_CSS = """
    ArticleList {
        background: $surface;
        overflow-x: hidden;
        & > .article-list--decided { color: $text-muted; }
        & > .article-list--selected { background: $accent 25%; }
        & > .article-list--cursor { background: $block-cursor-blurred-background; }
        &:focus > .article-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .article-list--empty { color: $text-muted; }
        & > .article-list--site { color: $text-warning; text-style: bold; }
        & > .article-list--conflict { color: $text-error; text-style: bold; }
        & > .article-list--claimed { color: $text-disabled; }
    }
    """

    grouped: reactive[bool] = reactive(True, repaint=False)
    """Whether a story shows as one row, expandable in place, rather than every article."""
    _keys: tuple[bool | None, ...] = ()
    """This list's check_action answers when the footer was last refreshed (immutable: a
    class default is safe)."""

    class Regrouped(Message):
        """A story was expanded or collapsed, or the grouping toggled: other rows show."""

        def __init__(self, shown: int, *, article_list: ArticleList | None = None) -> None:
            """Report that `shown` rows show now, from `article_list`."""
            super().__init__()
            self.shown = shown
            """How many rows show now."""
            self.article_list = article_list
            """The list that sent the message."""

        @property
        def control(self) -> ArticleList | None:
            """The list that sent the message (for `@on` selectors)."""
            return self.article_list

    class Highlighted(Message):
        """The cursor moved to another article (None when the list became empty)."""

        def __init__(
            self, article_id: str | None, *, article_list: ArticleList | None = None
        ) -> None:
            """Report the article now under the cursor, from `article_list`."""
            super().__init__()
            self.article_id = article_id
            """The article now under the cursor."""
            self.article_list = article_list
            """The list that sent the message."""

        @property
        def control(self) -> ArticleList | None:
            """The list that sent the message (for `@on` selectors)."""
            return self.article_list

        def can_replace(self, message: Message) -> bool:
            """A later move of the same list's cursor, still queued, supersedes this one:
            keys faster than frames (a held `j`) load only the article the cursor ends on."""
            return (isinstance(message, ArticleList.Highlighted)
                    and message.article_list is self.article_list)

    class SelectionChanged(Message):
        """The set of selected articles changed."""

        def __init__(
            self, selected_ids: frozenset[str], *, article_list: ArticleList | None = None
        ) -> None:
            """Report the ids selected now, from `article_list`."""
            super().__init__()
            self.selected_ids = selected_ids
            """The ids selected now."""
            self.article_list = article_list
            """The list that sent the message."""

        @property
        def control(self) -> ArticleList | None:
            """The list that sent the message (for `@on` selectors)."""
            return self.article_list

    # -- rows and selection --------------------------------------------------

    def set_rows(self, rows: list[ArticleRow], lookups: Lookups | None = None,
                 first: bool = False) -> None:
        """Replace all rows, keeping the cursor on its article when it is still listed
        (`first`: putting it on the first row, as after a search).

        Otherwise the cursor goes to the nearest following survivor of the old order
        (then the nearest preceding one). Selected ids that are gone are dropped.
        Grouped, a story shows as its first row; the cursor's story expands to keep it.
        `lookups`, if given, are those of `rows` (worked out beforehand on a worker).
        The list becomes the widget's own (it is not copied): pass one nothing else changes.
        """
        self._stories.load(rows, lookups)
        if first:
            shown = self._stories.shown(None)
            self._show_rows(shown, shown[0].id if shown else None)
        else:
            self._show_rows(self._stories.shown(self.cursor_id))

    def _show_rows(self, rows: list[ArticleRow], prefer: str | None = None) -> None:
        """Show these rows, the cursor on `prefer` if given and shown, else as `set_rows` says."""
        old_rows, old_cursor, old_id = self._rows, self._cursor, self.cursor_id
        old_top = round(self.scroll_y)
        self._rows = rows
        self._index = self._stories.index_of_shown(rows)
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))
        new_id = prefer if prefer in self._index else self._successor(old_rows, old_cursor, old_id)
        self._cursor = -1 if new_id is None else self._index[new_id]
        self._keep_scroll(old_cursor - old_top)
        gone = [article_id for article_id in self._selected if article_id not in self._index]
        if gone:  # (a set less the index's keys would walk every key of a long list)
            self._selected.difference_update(gone)
            self._post_selection()
        self.cursor_id = new_id
        self.refresh()
        self._refresh_keys()

    def _refresh_keys(self) -> None:
        """Tell the footer the keys changed only when the list's keys it shows did."""
        keys = tuple(
            self.check_action(binding.action, ()) for _, binding in self._bindings if binding.show
        )
        if keys != self._keys:
            self._keys = keys
            self.refresh_bindings()

    def _successor(
        self, old_rows: list[ArticleRow], old_cursor: int, old_id: str | None
    ) -> str | None:
        """Pick the id the cursor should land on after the rows changed."""
        if not self._rows:
            return None
        if old_id is not None and old_id in self._index:
            return old_id
        if old_cursor >= 0:  # no copies of the old rows: in a big folder they are long
            index = self._index
            for row in islice(old_rows, old_cursor, None):
                if row.id in index:
                    return row.id
            for n in range(old_cursor - 1, -1, -1):
                if old_rows[n].id in index:
                    return old_rows[n].id
        return self._rows[min(max(old_cursor, 0), len(self._rows) - 1)].id

    def update_row(self, row: ArticleRow) -> bool:
        """Replace the row with the same id in place and repaint only its line.

        A row folded away inside a story is replaced too, and shows when it expands.
        Returns False (and changes nothing) when the id is not listed.
        """
        if not self._stories.replace(row):
            return False
        index = self._index.get(row.id)
        if index is not None:
            self._rows[index] = row
            self._refresh_lines((index - 1, index, index + 1))  # a member's mark follows it
        return True

    def loaded_row(self, article_id: str) -> ArticleRow | None:
        """The row of an article given to `set_rows`, shown or folded away in its story."""
        return self._stories.row(article_id)

    def is_expanded(self, row: ArticleRow) -> bool:
        """Whether the row's story shows all its articles under its first one."""
        return self._stories.is_expanded(row)

    def reveal(self, article_id: str) -> bool:
        """Put the cursor on an article, expanding its story if needed; False if not loaded."""
        if self._stories.row(article_id) is None:
            return False
        if article_id not in self._index:
            self._regroup(article_id)
        self.cursor_id = article_id
        return True

    def _regroup(self, prefer: str | None = None) -> None:
        """Show the rows again after a change of grouping, keeping the cursor on `prefer`."""
        keep = prefer or self.cursor_id
        self._show_rows(self._stories.shown(keep), prefer=keep)
        self.post_message(self.Regrouped(len(self._rows), article_list=self))

    def watch_grouped(self, grouped: bool) -> None:
        """Show one row per story, or every article."""
        self._stories.grouped = grouped
        self._regroup()

    def clear_selection(self) -> None:
        """Deselect every article."""
        if self._selected:
            lines = [self._index[article_id] for article_id in self._selected]
            self._selected.clear()
            self._refresh_lines(lines)
            self._post_selection()

    def _post_selection(self) -> None:
        """Tell the parent what is selected now."""
        self.post_message(self.SelectionChanged(frozenset(self._selected), article_list=self))

    # -- cursor, selection and story keys ------------------------------------

    def watch_cursor_id(self, article_id: str | None) -> None:
        """Move the cursor line, keep it in view and tell the parent."""
        old = self._cursor
        self._cursor = -1 if article_id is None else self._index[article_id]
        self._refresh_lines((old, self._cursor))
        self.scroll_to_cursor()
        self.post_message(self.Highlighted(article_id, article_list=self))

    def action_toggle_select(self) -> None:
        """Add the article under the cursor to the selection, or remove it."""
        article_id = self.cursor_id
        if article_id is None:
            return
        self._selected ^= {article_id}
        self.refresh_line(self._cursor)
        self._post_selection()

    def action_expand(self) -> None:
        """Show every article of the story under the cursor."""
        row = self.cursor_row
        if row is not None and self._stories.expand(row):
            self._regroup()

    def action_collapse(self) -> None:
        """Fold the story under the cursor into one row (the cursor goes to that row)."""
        row = self.cursor_row
        head = None if row is None else self._stories.collapse(row)
        if head is not None:
            self._regroup(head)

    def action_toggle_story(self) -> None:
        """Expand the story under the cursor, or fold it back."""
        row = self.cursor_row
        if row is not None and self._stories.is_expanded(row):
            self.action_collapse()
        else:
            self.action_expand()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Grey out selection while there is nothing to select, and story keys without a story."""
        row = self.cursor_row
        if action == "toggle_select" and not self._rows:
            return None
        if action in ("expand", "collapse", "toggle_story"):
            if row is None or not self._stories.foldable(row):
                return None
            if action != "toggle_story" and self._stories.is_expanded(row) == (action == "expand"):
                return None
        return True

    def _on_mount(self, event: events.Mount) -> None:
        """Mounted: tell the parent which article the cursor starts on."""
        if self.cursor_id is not None:
            self.post_message(self.Highlighted(self.cursor_id, article_list=self))

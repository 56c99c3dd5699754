"""ArticleLines: ArticleList's rows drawn one per line (line API), and the cursor's moves."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import BindingType
from textual.cache import LRUCache
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from reader.bindings import binding
from reader.data.article import Decision
from reader.data.query import ArticleRow
from reader.triage.story_rows import StoryRows
from reader.widgets.row_text import fit, format_parts, plain

EMPTY_TEXT = "No articles"
"""The one line shown by default when the list has no rows."""
REASON_STYLE = Style(italic=True, dim=True)
"""A skipped row's reason, after its title: muted beside it."""


CURSOR_BINDINGS: list[BindingType] = [
    binding("down,j", "cursor_down", "Down", "Move the cursor to the next article"),
    binding("up,k", "cursor_up", "Up", "Move the cursor to the previous article"),
    binding("home,g", "cursor_first", "First", "Move the cursor to the first article"),
    binding("end,G", "cursor_last", "Last", "Move the cursor to the last article"),
    binding("pageup", "page_up", "Page up", "Move the cursor up one screen"),
    binding("pagedown", "page_down", "Page down", "Move the cursor down one screen"),
]
"""Move the cursor by a row, to either end, or by a screen (ArticleList lists them first)."""


class ArticleLines(ScrollView):
    """Article rows, one per line, with a cursor bound to an article id and a selection.

    This half draws the rows and moves the cursor over them; ArticleList, built on it,
    decides which rows show (`set_rows`, stories), changes the selection, declares the
    bindings and component classes, and tells the screen.
    """

    empty_text: reactive[str] = reactive(EMPTY_TEXT)
    """The one line shown when the list has no rows (plain text)."""
    cursor_id: reactive[str | None] = reactive(None, repaint=False)
    """The id of the article under the cursor; None only when the list is empty."""

    def __init__(
        self,
        rows: Sequence[ArticleRow] = (),
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        """Show these rows (folded into stories), the cursor on the first, nothing selected."""
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._stories = StoryRows(rows)
        """Every row given, folded into stories: what `_rows` shows comes from here."""
        self._rows: list[ArticleRow] = self._stories.shown()
        """The rows shown, one per line."""
        self._index: Mapping[str, int] = self._stories.index_of_shown(self._rows)
        """The line of each shown article."""
        self._cursor = 0 if self._rows else -1
        """The cursor's line, -1 when there is none."""
        self._selected: set[str] = set()
        """The ids of the selected articles."""
        self._strips: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)
        """Rendered lines, by everything that shapes them."""
        self.set_reactive(ArticleLines.cursor_id, self._rows[0].id if self._rows else None)
        self.virtual_size = Size(0, len(self._rows))
        self.reason_of: Callable[[str], str | None] | None = None
        """Looks a skipped article's reason up (the screen sets it); None: no reasons show."""
        self._reasons: dict[str, str | None] = {}
        """The reasons looked up for the skipped rows drawn so far (see `forget_reasons`)."""
        self._new_after: int | None = None
        """Rows first listed by a rescan after this one are marked new (None: none is)."""
        self._live: AbstractSet[str] | None = None
        """The articles live on the site (None: not known yet, no row is marked)."""
        self._unsettled: AbstractSet[str] = frozenset()
        """The live articles nobody decided: marked `!` in the state column."""
        self._conflicts: AbstractSet[str] = frozenset()
        """The articles editors of the desk decided differently: marked `⇄`."""
        self._claimed: AbstractSet[str] = frozenset()
        """The articles another editor of the desk claimed: dimmed."""

    # -- state ---------------------------------------------------------------

    @property
    def rows(self) -> Sequence[ArticleRow]:
        """The rows shown, in order (do not mutate; use `set_rows`)."""
        return self._rows

    @property
    def cursor_index(self) -> int:
        """The cursor's row index, or -1 when the list is empty."""
        return self._cursor

    @property
    def cursor_row(self) -> ArticleRow | None:
        """The row under the cursor, if any."""
        return self._rows[self._cursor] if self._cursor >= 0 else None

    @property
    def selected(self) -> frozenset[str]:
        """The ids of the selected articles."""
        return frozenset(self._selected)

    def index_of(self, article_id: str) -> int | None:
        """The row index of an article, or None when it is not listed."""
        return self._index.get(article_id)

    def line_classes(self, index: int) -> tuple[str, ...]:
        """The component classes that style row `index`, in the order they apply."""
        row = self._rows[index]
        classes: list[str] = []
        if row.state is not Decision.UNDECIDED:
            classes.append("article-list--decided")
        if row.id in self._claimed:
            classes.append("article-list--claimed")
        if row.id in self._selected:
            classes.append("article-list--selected")
        if index == self._cursor:
            classes.append("article-list--cursor")
        return tuple(classes)

    def reason(self, row: ArticleRow) -> str | None:
        """The reason a skipped row shows after its title (None: none, or not skipped)."""
        if row.state is not Decision.SKIPPED or self.reason_of is None:
            return None
        if row.id not in self._reasons:
            self._reasons[row.id] = self.reason_of(row.id)
        return self._reasons[row.id]

    def mark_new(self, after: int | None) -> None:
        """Mark the rows first listed by a rescan after `after` as new (None: none)."""
        if after != self._new_after:
            self._new_after = after
            self.refresh()

    def mark_site(self, live: AbstractSet[str] | None, unsettled: AbstractSet[str]) -> None:
        """Mark the rows whose state on the site differs from what their state says: `live`
        the articles on the site, `unsettled` those of them nobody decided (the screen
        keeps both, and calls this again when either changes)."""
        self._live, self._unsettled = live, unsettled
        self.refresh()

    def mark_desk(self, conflicts: AbstractSet[str], claimed: AbstractSet[str]) -> None:
        """Mark the rows editors of the desk decided differently (`conflicts`) and dim
        those another editor claimed (`claimed`); the screen calls this again when either
        changes."""
        if conflicts != self._conflicts or claimed != self._claimed:
            self._conflicts, self._claimed = conflicts, claimed
            self.refresh()

    def site_mark(self, row: ArticleRow) -> str:
        """How the row's state column says what the site does with it: `live` (`!`: live,
        nobody decided), `differs` (the site does not do what its glyph says: published
        and not on the site, or undecided or skipped and on it), "" (as the glyph says)."""
        if self._live is None:
            return ""
        live = row.id in self._live
        if row.state is Decision.UNDECIDED:
            if live and row.id in self._unsettled:
                return "live"
            return "differs" if live else ""
        return "" if live == (row.state is Decision.PUBLISHED) else "differs"

    def forget_reasons(self, ids: Iterable[str] | None = None) -> None:
        """Look these articles' reasons up again (None: every one) when their rows are next
        drawn; redraw those that showed one (a row never drawn has none to take back)."""
        if ids is None:
            self._reasons.clear()
            self.refresh()
            return
        lines = []
        for article_id in ids:
            if article_id in self._reasons:
                del self._reasons[article_id]
                if (index := self._index.get(article_id)) is not None:
                    lines.append(index)
        self._refresh_lines(lines)

    # -- cursor --------------------------------------------------------------

    def validate_cursor_id(self, article_id: str | None) -> str | None:
        """Refuse ids that are not listed: keep the current one, else the first row."""
        if article_id is not None and article_id in self._index:
            return article_id
        current = self.cursor_id
        if current is not None and current in self._index:
            return current
        return self._rows[0].id if self._rows else None

    def _keep_scroll(self, screen_row: int) -> None:
        """Leave the scroll alone if the cursor is in view, else keep it on `screen_row`."""
        height = self.scrollable_content_region.height
        top = round(self.scroll_y)
        if height <= 0 or self._cursor < 0 or top <= self._cursor < top + height:
            return
        if 0 <= screen_row < height:
            self._scroll_top(self._cursor - screen_row)
        else:
            self.scroll_to_cursor()

    def scroll_to_cursor(self) -> None:
        """Scroll the least distance that brings the cursor line into view."""
        height = self.scrollable_content_region.height
        if height <= 0 or self._cursor < 0:
            return
        top = round(self.scroll_y)
        if self._cursor < top:
            self._scroll_top(self._cursor)
        elif self._cursor >= top + height:
            self._scroll_top(self._cursor - height + 1)

    def _scroll_top(self, y: int) -> None:
        """Scroll so that line `y` is the top one, at once."""
        # force: the scrollbar may not be shown yet when the rows have just grown.
        self.scroll_to(y=max(0, y), animate=False, force=True)

    def _move_cursor(self, index: int) -> None:
        """Put the cursor on line `index`, kept within the rows."""
        if self._rows:
            self.cursor_id = self._rows[max(0, min(index, len(self._rows) - 1))].id

    def _refresh_lines(self, lines: Iterable[int]) -> None:
        """Repaint these lines (those past either end are passed over)."""
        for index in lines:
            if 0 <= index < len(self._rows):
                self.refresh_line(index)

    def action_cursor_down(self) -> None:
        """Move the cursor to the next article."""
        self._move_cursor(self._cursor + 1)

    def action_cursor_up(self) -> None:
        """Move the cursor to the previous article."""
        self._move_cursor(self._cursor - 1)

    def action_cursor_first(self) -> None:
        """Move the cursor to the first article."""
        self._move_cursor(0)

    def action_cursor_last(self) -> None:
        """Move the cursor to the last article."""
        self._move_cursor(len(self._rows) - 1)

    def action_page_down(self) -> None:
        """Move the cursor (and the view) down one screen."""
        self._page(max(1, self.scrollable_content_region.height))

    def action_page_up(self) -> None:
        """Move the cursor (and the view) up one screen."""
        self._page(-max(1, self.scrollable_content_region.height))

    def _page(self, delta: int) -> None:
        """Scroll and move the cursor by `delta` lines."""
        if self._rows:
            self._scroll_top(round(self.scroll_y) + delta)
            self._move_cursor(self._cursor + delta)

    async def _on_click(self, event: events.Click) -> None:
        """A click: put the cursor on the row clicked."""
        offset = event.get_content_offset(self)
        if offset is not None and self._rows:
            index = round(self.scroll_y) + offset.y
            if index < len(self._rows):
                self._move_cursor(index)

    def _on_resize(self, event: events.Resize) -> None:
        """A new size: fit the scroll area to it and keep the cursor in view."""
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))
        self.scroll_to_cursor()

    # -- rendering -----------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Render screen line `y`: one row, built from plain text and cached."""
        full_width = self.size.width
        width = self.scrollable_content_region.width
        index = round(self.scroll_y) + y
        if not self._rows:
            if y == 0:
                style = self.get_visual_style("article-list--empty").rich_style
                return Strip([Segment(fit(plain(self.empty_text), full_width), style)], full_width)
            return Strip.blank(full_width, self.get_visual_style().rich_style)
        if index >= len(self._rows):
            return Strip.blank(full_width, self.get_visual_style().rich_style)
        row = self._rows[index]
        selected = row.id in self._selected
        mark = self._stories.mark(self._rows, index)
        style = self.get_visual_style(*self.line_classes(index)).rich_style
        reason = self.reason(row)
        new = self._new_after is not None and self._stories.newest_seen(row) > self._new_after
        site = "conflict" if row.id in self._conflicts else self.site_mark(row)
        key = (row, width, full_width, selected, style, mark, reason, new, site)
        strip = self._strips.get(key)
        if strip is None:
            mark_class = "article-list--conflict" if site == "conflict" else "article-list--site"
            site_style = (self.get_visual_style(*self.line_classes(index), mark_class)
                          .rich_style if site else None)
            strip = self._build_strip(row, width, full_width, selected, style, mark, reason, new,
                                      site, site_style)
            self._strips[key] = strip
        return strip

    @staticmethod
    def _build_strip(
        row: ArticleRow, width: int, full_width: int, selected: bool, style: Style, mark: str,
        reason: str | None = None, new: bool = False, site: str = "",
        site_style: Style | None = None,
    ) -> Strip:
        """One row as a line of exactly the pane's width, in `style` (its reason muted, its
        state column in `site_style` where the site does not do what its state says, or
        editors of the desk decided it differently: `site` is then `conflict`)."""
        # Segment text is never parsed as markup, so titles show exactly as written.
        head, tag = format_parts(row, width, selected, mark, reason, new, site == "live",
                                 site == "conflict")
        tail = " " * max(0, full_width - width)
        if site and site_style is not None and len(head) > 2:
            # The selection/new mark, then the state column alone in its own style.
            segments = [Segment(head[:1], style), Segment(head[1:2], site_style),
                        Segment(head[2:], style)]
        else:
            segments = [Segment(head, style)]
        if tag:
            segments.append(Segment(tag, style + REASON_STYLE))
        segments.append(Segment(tail, style))
        return Strip([s for s in segments if s.text], max(width, full_width))

    def notify_style_update(self) -> None:
        """Drop cached lines when the theme or CSS changes."""
        super().notify_style_update()
        self._strips.clear()

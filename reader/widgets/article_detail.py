"""ArticleDetail: the article under the cursor, every field as plain text, what the site
does with it, and what the desk says of it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from textual import events
from textual.content import Content
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.selection import Selection
from textual.strip import Strip
from textual.visual import Visual

from reader.data.article import Article, Decision
from reader.render import article_content, notice_content

if TYPE_CHECKING:
    from reader.data.library import EffectiveState

PLACEHOLDER = "No article selected."
"""Shown when the list is empty or the article is not indexed yet."""
STATE_LINE = "\nState "
"""How the article's state line starts (render's `State` label), for the desk's lines."""


@dataclass(frozen=True)
class ArticleView:
    """What the pane shows of one article, set as one value: a cursor move is one
    change, drawn once."""

    article: Article | None = None
    """The article shown; None shows the placeholder."""
    decision: Decision = Decision.UNDECIDED
    """The article's state in the store."""
    reason: str | None = None
    """The reason given with that state."""
    site_state: EffectiveState | None = None
    """What the site's Jekyll does with the article (None: not known yet)."""
    desk: tuple[tuple[str, str], ...] = ()
    """What the desk says of the article, (plain text, style) a line, under its state: who
    decided it and when, editors who disagree, another editor's claim."""


def with_desk(content: Content, desk: tuple[tuple[str, str], ...]) -> Content:
    """The article's text with the desk's lines (plain text, each in its style) right
    under its `State` line (at its end if it has none)."""
    if not desk:
        return content
    lines = Content("\n").join(Content.styled(text, style) for text, style in desk)
    text = content.plain
    state = text.find(STATE_LINE)
    end = -1 if state < 0 else text.find("\n", state + 1)
    if end < 0:
        return Content.assemble(content, "\n", lines)
    head, tail = content.divide([end])
    return Content.assemble(head, "\n", lines, tail)


class ArticleDetail(ScrollView, can_focus=True):
    """Title, source, dates, scores, text, links, file and problems of one article.

    Drawn line by line (line API) in a pane whose size the article never changes: another
    article is a repaint, not a layout. A layout would repaint every scrollbar of the
    screen a frame later, after the article is already out.
    """

    BORDER_TITLE = "Article"
    DEFAULT_CSS = """
    ArticleDetail {
        overflow-x: hidden;
    }
    """

    view: reactive[ArticleView] = reactive(ArticleView)
    """The article shown, its state and what the site and the desk say of it."""
    notices: reactive[tuple[str, ...]] = reactive(())
    """Problems that concern the app, not this article (a locked store, unreadable files)."""

    def __init__(self, clock: Callable[[], datetime], *, id: str | None = None) -> None:
        """An empty pane; `clock` is the app's, for relative dates."""
        super().__init__(id=id)
        self.clock = clock
        """The app's clock, for relative dates."""
        self._body = Content(PLACEHOLDER)
        """The article's text (or the placeholder), as last built."""
        self._notice = Content("")
        """The app's problems above it ("" for none)."""
        self._lines: list[Strip] = []
        """Both, wrapped to the pane's width (a blank line between them)."""

    @property
    def article(self) -> Article | None:
        """The article shown (None: the placeholder)."""
        return self.view.article

    @property
    def body(self) -> Content:
        """The article's text as the pane shows it (plain text with styles)."""
        return self._body

    @property
    def notice(self) -> Content:
        """The app's problems shown above the article ("" for none)."""
        return self._notice

    @property
    def notice_lines(self) -> int:
        """How many lines the notices take above the article (with the blank under them)."""
        if not self._notice:
            return 0
        width = self.scrollable_content_region.width
        return len(self._notice.wrap(width)) + 1 if width > 0 else 0

    def watch_view(self, old: ArticleView, new: ArticleView) -> None:
        """Show the new article, from its top when it is another one."""
        article = new.article
        if article is None:
            self._body = Content(PLACEHOLDER)
        else:
            self._body = with_desk(article_content(article, new.decision, new.reason,
                                                   self.clock(), new.site_state), new.desk)
        if old.article is None or article is None or old.article.id != article.id:
            self.set_reactive(ScrollView.scroll_y, 0)
            self.set_reactive(ScrollView.scroll_target_y, 0)
        self._lay_out()

    def watch_notices(self, notices: tuple[str, ...]) -> None:
        """Show the app's problems above the article."""
        self._notice = notice_content(notices) if notices else Content("")
        self._lay_out()

    @property
    def _text(self) -> Content:
        """Everything the pane shows: the notices, a blank line, the article."""
        return Content.assemble(self._notice, "\n\n", self._body) if self._notice else self._body

    def _wrap(self, width: int) -> list[Strip]:
        """The pane's text as lines of `width` cells (with the text selected, if any)."""
        return Visual.to_strips(self, self._text, width, None, self.visual_style, pad=True)

    def get_selection(self, selection: Selection) -> tuple[str, str] | None:
        """The text selected with the mouse, as it is in the pane (for copying)."""
        return selection.extract(self._text.plain), "\n"

    def selection_updated(self, selection: Selection | None) -> None:
        """Draw the selection: the lines are drawn beforehand, so they are drawn again."""
        self._lay_out()

    def _lay_out(self) -> None:
        """Wrap the text to the pane and repaint it. The pane keeps its size: a layout is
        asked for only when the scrollbar comes or goes (it takes columns from the text)."""
        if not self.is_mounted:
            return
        region = self.content_region  # the scrollbar's columns included
        width, height = region.width, region.height
        if width <= 0 or height <= 0:
            return  # not laid out yet: the first Resize does it
        # Wrapped first as the last article was (most are as long): narrower with the
        # scrollbar's columns taken, and again only when the other way is the one.
        narrow = max(1, width - self.styles.scrollbar_size_vertical)
        bar = self.show_vertical_scrollbar
        lines = self._wrap(narrow if bar else width)
        if (len(lines) > height) != bar:
            bar = not bar
            lines = self._wrap(narrow if bar else width)
        self._lines = lines
        size = Size(width, len(lines))
        if bar != self.show_vertical_scrollbar:
            self.virtual_size = size  # a layout places the scrollbar, or takes it away
        else:
            self.set_reactive(ScrollView.virtual_size, size)
            if bar:
                scrollbar = self.vertical_scrollbar
                scrollbar.window_virtual_size = size.height
                scrollbar.window_size = height
                scrollbar.position = self.scroll_y
        self.refresh()

    def _on_resize(self, event: events.Resize) -> None:
        """Wrap the text to the new size."""
        self._lay_out()

    def render_line(self, y: int) -> Strip:
        """One line of the text, where the pane is scrolled to."""
        index = round(self.scroll_y) + y
        width = self.scrollable_content_region.width
        if 0 <= index < len(self._lines):
            return self._lines[index].crop_extend(0, width, self.visual_style.rich_style)
        return Strip.blank(width, self.visual_style.rich_style)

    def notify_style_update(self) -> None:
        """Draw the text again when the theme or CSS changes (its styles come from them)."""
        super().notify_style_update()
        self._lay_out()

    def on_mount(self) -> None:
        """Draw what was set before the pane was mounted."""
        self._lay_out()

"""ArticleDetail: the article under the cursor, every field as plain text, what the site
does with it, and what the desk says of it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.reactive import reactive
from textual.widgets import Static

from reader.data.article import Article, Decision
from reader.render import article_content, notice_content

if TYPE_CHECKING:
    from reader.data.library import EffectiveState

PLACEHOLDER = "No article selected."
"""Shown when the list is empty or the article is not indexed yet."""
STATE_LINE = "\nState "
"""How the article's state line starts (render's `State` label), for the desk's lines."""


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


class ArticleDetail(VerticalScroll, can_focus=True):
    """Title, source, dates, scores, text, links, file and problems of one article."""

    BORDER_TITLE = "Article"

    article: reactive[Article | None] = reactive(None)
    """The article shown; None shows the placeholder."""
    decision: reactive[Decision] = reactive(Decision.UNDECIDED)
    """The article's state in the store."""
    reason: reactive[str | None] = reactive(None)
    """The reason given with that state."""
    site_state: reactive[EffectiveState | None] = reactive(None)
    """What the site's Jekyll does with the article (None: not known yet)."""
    notices: reactive[tuple[str, ...]] = reactive(())
    """Problems that concern the app, not this article (a locked store, unreadable files)."""
    desk: reactive[tuple[tuple[str, str], ...]] = reactive(())
    """What the desk says of the article, (plain text, style) a line, under its state: who
    decided it and when, editors who disagree, another editor's claim."""

    def __init__(self, clock: Callable[[], datetime], *, id: str | None = None) -> None:
        """An empty pane; `clock` is the app's, for relative dates."""
        super().__init__(id=id)
        self.clock = clock
        """The app's clock, for relative dates."""

    def compose(self) -> ComposeResult:
        """The app's notices above the article's own text."""
        yield Static(id="detail-notices", markup=False)
        yield Static(PLACEHOLDER, id="detail-body", markup=False)

    def _refresh_body(self) -> None:
        """Draw the article (or the placeholder) with its state, once mounted."""
        if not self.is_mounted:
            return
        body = self.query_one("#detail-body", Static)
        if self.article is None:
            body.update(Content(PLACEHOLDER))
        else:
            body.update(with_desk(article_content(self.article, self.decision, self.reason,
                                                  self.clock(), self.site_state), self.desk))

    def watch_article(self, old: Article | None, new: Article | None) -> None:
        """Show the new article from its top."""
        self._refresh_body()
        # Only when scrolled: a scroll home from the top still repaints the scrollbars, a
        # frame after the article's own.
        if (old is None or new is None or old.id != new.id) and self.scroll_offset.y:
            self.scroll_home(animate=False)

    def watch_decision(self) -> None:
        """Show the new state."""
        self._refresh_body()

    def watch_reason(self) -> None:
        """Show the new reason."""
        self._refresh_body()

    def watch_site_state(self) -> None:
        """Show what the site does with it now."""
        self._refresh_body()

    def watch_desk(self) -> None:
        """Show what the desk says of it now."""
        self._refresh_body()

    def watch_notices(self, notices: tuple[str, ...]) -> None:
        """Show the app's problems above the article."""
        if self.is_mounted:
            panel = self.query_one("#detail-notices", Static)
            panel.update(notice_content(notices))
            panel.display = bool(notices)

    def on_mount(self) -> None:
        """Draw what was set before the pane was mounted."""
        self._refresh_body()
        self.watch_notices(self.notices)

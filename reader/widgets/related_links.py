"""RelatedLinks: other outlets' coverage of the article, with keys to open or copy a link."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.data.article import Article
from reader.messages import LinkAction, LinkRequested
from reader.render import related_prompt

TITLE = "Related coverage"
"""The pane's border title; the number of related articles follows it."""
EMPTY_TEXT = "No related coverage."
"""The one line shown when the article lists no related articles."""


class RelatedLinks(OptionList):
    """The `related` articles of the article shown; o opens and y copies the highlighted one."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open_related", "Open related",
                tooltip="Open the highlighted related article in the browser", id="open_related"),
        Binding("y", "copy_related", "Copy related link",
                tooltip="Copy the highlighted related article's link", id="copy_related"),
    ]

    BORDER_TITLE = TITLE

    article: reactive[Article | None] = reactive(None)
    """The article whose related coverage is listed."""

    def watch_article(self, old: Article | None, new: Article | None) -> None:
        """List the new article's related coverage (unchanged when only its state changed)."""
        if old is not None and new is not None and old.related == new.related:
            return
        count = len(new.related) if new is not None else 0
        self.border_title = f"{TITLE} · {count}" if count else TITLE
        self.clear_options()
        if new is None or not new.related:
            self.add_option(Option(EMPTY_TEXT, disabled=True))
            return
        self.add_options(Option(related_prompt(link)) for link in new.related)
        self.highlighted = 0

    def _link(self) -> str | None:
        """The url of the highlighted related article."""
        article, index = self.article, self.highlighted
        if article is None or index is None or not 0 <= index < len(article.related):
            return None
        return article.related[index].url

    def _request(self, action: LinkAction) -> None:
        url = self._link()
        if url is not None:
            self.post_message(LinkRequested(url, action))

    def action_open_related(self) -> None:
        """Ask for the highlighted link to be opened in the browser."""
        self._request("open")

    def action_copy_related(self) -> None:
        """Ask for the highlighted link to be copied."""
        self._request("copy")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show the link keys only when a related article is highlighted."""
        if action in ("open_related", "copy_related"):
            return self._link() is not None
        return True

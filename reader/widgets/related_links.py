"""RelatedLinks: other outlets' coverage of the article, then the same story in this folder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Self

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from reader.data.article import Article
from reader.data.query import ArticleRow
from reader.messages import LinkAction, LinkRequested
from reader.render import LABEL, member_prompt, related_prompt

TITLE = "Related coverage"
"""The pane's border title; the number of related articles follows it."""
EMPTY_TEXT = "No related coverage."
"""The one line shown when the article lists no related articles."""
SAME_STORY = "Same story in this folder"
"""The heading over the other articles of the article's story."""
HEADING_ID = "story-heading"
"""The option id of that heading."""


@dataclass(frozen=True)
class Coverage:
    """What the pane lists, set as one value: a cursor move is one change, drawn once."""

    article: Article | None = None
    """The article whose `related` links are listed (None: none)."""
    members: tuple[ArticleRow, ...] = ()
    """The other articles of its story in this folder, with their states (the first ones)."""
    members_total: int = 0
    """How many other articles the story has, listed or not."""
    story_why: str = ""
    """What ties the article to its story, one plain line ("" for nothing)."""


class RelatedLinks(OptionList):
    """The `related` articles of the article shown, then the other articles of its story.

    o opens and y copies a related link; enter shows an article of the story; j and k move
    as down and up do.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "open_related", "Open related",
                tooltip="Open the highlighted related article in the browser", id="open_related"),
        Binding("y", "copy_related", "Copy related link",
                tooltip="Copy the highlighted related article's link", id="copy_related"),
        Binding("enter", "select", "Show this article",
                tooltip="Show the highlighted article of the same story in the list and the "
                "article pane", id="show_member"),
    ]

    BORDER_TITLE = TITLE

    coverage: reactive[Coverage] = reactive(Coverage)
    """The article whose related coverage is listed, and the rest of its story."""

    class MemberSelected(Message):
        """Enter on an article of the same story: the screen shows it."""

        def __init__(self, article_id: str) -> None:
            """Ask for `article_id` to be shown."""
            super().__init__()
            self.article_id = article_id
            """The chosen article."""

    _members_from = 0
    """The option index of the first article of the story (the options before are links)."""
    _keep_size = False
    """True while the options change in a way that leaves the pane its size (see `refresh`)."""

    @property
    def article(self) -> Article | None:
        """The article whose related coverage is listed."""
        return self.coverage.article

    @property
    def members(self) -> tuple[ArticleRow, ...]:
        """The other articles of its story in this folder listed here (the newest)."""
        return self.coverage.members

    def watch_coverage(self, old: Coverage, new: Coverage) -> None:
        """List the new coverage (a state changed in the story, or another article)."""
        self._fill()

    def refresh(self, *regions: Region, repaint: bool = True, layout: bool = False,
                recompose: bool = False) -> Self:
        """Repaint; skip the layout the option list asks for when its options change but
        the pane keeps its size (see `_fill`): a layout would repaint every scrollbar of
        the screen a frame after the new options are out."""
        if self._keep_size:
            layout = False
        return super().refresh(*regions, repaint=repaint, layout=layout, recompose=recompose)

    def _heading(self) -> Content:
        """The heading over the story's members: how many, and why the article is here."""
        story = self.coverage
        total = max(story.members_total, len(story.members))
        heading = SAME_STORY
        if total > len(story.members):  # a story can hold thousands: the newest are listed
            heading += f" (the newest {len(story.members):,} of {total:,})"
        if not story.story_why:
            return Content.styled(heading, "bold")
        return Content.assemble((heading, "bold"), "\n", (story.story_why, LABEL))

    def _fill(self) -> None:
        """List the related links, then the story's heading and members (or say there is
        no related coverage when there is neither), and set the title's counts.

        The pane takes the room its options need, up to its maximum: when it takes as
        much before as after (the same height, or more than it shows both times, its
        scrollbar staying), the new options are only repainted, with no layout."""
        story = self.coverage
        related = story.article.related if story.article is not None else ()
        count = len(related)
        self.border_title = f"{TITLE} · {count}" if count else TITLE
        total = max(story.members_total, len(story.members))
        if story.members:
            self.border_title += f" · same story {total:,}"
        options: list[Option | None] = [Option(related_prompt(link)) for link in related]
        if story.members:  # with no links, the story's heading comes first: nothing is missing
            options += [None] if options else []
            options.append(Option(self._heading(), id=HEADING_ID, disabled=True))
        options = options or [Option(EMPTY_TEXT, disabled=True)]
        self._members_from = sum(option is not None for option in options)  # None: a rule
        options += [Option(member_prompt(member)) for member in story.members]
        shows, before = self.scrollable_content_region.height, self.virtual_size.height
        self._keep_size = shows > 0
        try:
            self.set_options(options)
            if related or story.members:
                self.highlighted = 0 if related else self._members_from
        finally:
            self._keep_size = False
        after = self.virtual_size.height
        if shows and after != before and not (after > shows and before > shows):
            self.refresh(layout=True)

    def _member(self) -> str | None:
        """The id of the highlighted article of the story, if one is highlighted."""
        index = self.highlighted
        if index is None or not 0 <= index - self._members_from < len(self.members):
            return None
        return self.members[index - self._members_from].id

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter on an article of the story asks the screen to show it."""
        article_id = self._member()
        if article_id is not None:
            event.stop()
            self.post_message(self.MemberSelected(article_id))

    def _link(self) -> str | None:
        """The url of the highlighted related article."""
        article, index = self.coverage.article, self.highlighted
        if article is None or index is None or not 0 <= index < len(article.related):
            return None
        return article.related[index].url

    def _request(self, action: LinkAction) -> None:
        """Ask for the highlighted link to be opened or copied, if one is highlighted."""
        url = self._link()
        if url is not None:
            self.post_message(LinkRequested(url, action))

    def action_open_related(self) -> None:
        """Ask for the highlighted link to be opened in the browser."""
        self._request("open")

    def action_copy_related(self) -> None:
        """Ask for the highlighted link to be copied."""
        self._request("copy")

    def key_j(self) -> None:
        """j moves the highlight down, as in the list.

        A key handler, not a binding: bindings come first, so a keymap that gives j to a
        triage action still has it here, as the keymap check tells the user."""
        self.action_cursor_down()

    def key_k(self) -> None:
        """k moves the highlight up, as in the list (a key handler, as j's)."""
        self.action_cursor_up()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show the link keys on a related article, enter on an article of the story."""
        if action in ("open_related", "copy_related"):
            return self._link() is not None
        if action == "select":
            return self._member() is not None
        return True

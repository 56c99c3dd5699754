"""ConflictsScreen: the articles editors of the desk decided differently, each side with
who, what and when; Enter on a side resolves the article with it, on an article goes there."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from reader.data.article import Decision
from reader.data.clean import clean_line, escape_name
from reader.data.library import Side
from reader.triage.desk import local_time, who
from reader.triage.words import plural
from reader.widgets.row_text import CONFLICT_MARK

HINT = ("Enter on a side: decide the article so (one step, undone by u; the desk sees it at "
        "your next sync) · g, or Enter on an article: go to it · Esc: close")
"""The keys, under the list."""


@dataclass(frozen=True, slots=True)
class ConflictChoice:
    """What the editor chose in the conflicts view."""

    article_id: str
    side: Side | None = None
    """The side to resolve the article with; None: only go to the article."""


def side_prompt(side: Side, me: str | None = None) -> Content:
    """One side, indented under its article: its state's glyph and name, who (`me`: the
    desk's name for this editor, said as `you`), why, when."""
    states = {d.value: d for d in Decision}
    state = states.get(side.state or "")
    what = f"{state.glyph} {state.value}" if state else "· as its file says"
    parts: list[str | tuple[str, str]] = ["    ", (what, "bold"), f"  by {who(side.editor, me)}"]
    if side.reason:
        parts += ["  ", (f"({clean_line(side.reason)})", "italic")]
    parts.append((f"  · {local_time(side.at)}", "$text-muted"))
    return Content.assemble(*parts)


def article_prompt(article_id: str, title: str) -> Content:
    """An article in conflict: the mark, its title (plain text) and its file."""
    return Content.assemble((f"{CONFLICT_MARK} ", "bold $text-error"),
                            (clean_line(title) or escape_name(article_id), "bold"),
                            (f"  {escape_name(article_id)}", "$text-muted"))


class ConflictsScreen(ModalScreen[ConflictChoice | None]):
    """A modal list of the conflicts; dismisses with the editor's choice, or None."""

    DEFAULT_CSS = """
    ConflictsScreen {
        align: center middle;
        background: $background 60%;
    }
    #conflicts {
        width: 110;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        border: round $error;
        background: $surface;
        padding: 0 1;
    }
    #conflicts-title {
        text-style: bold;
        color: $text-error;
        padding-bottom: 1;
    }
    #conflicts-list {
        height: auto;
        max-height: 60vh;
        border: none;
    }
    #conflicts-hint {
        width: 1fr;
        padding-top: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "choose", "Resolve, or go",
                tooltip="On a side: resolve the article with that side's decision; on an "
                        "article: show it in the list",
                id="conflicts_choose"),
        Binding("g", "go", "Go to the article",
                tooltip="Show the article under the cursor in the list", id="conflicts_go"),
        Binding("escape", "close", "Close", tooltip="Close the list of conflicts",
                id="close_conflicts"),
    ]

    def __init__(self, conflicts: Mapping[str, Sequence[Side]],
                 titles: Mapping[str, str], me: str | None = None) -> None:
        """The list of `conflicts` (each article's sides, latest first), with the
        articles' `titles` (`me`: the desk's name for this editor)."""
        super().__init__()
        self.conflicts = dict(conflicts)
        """Each article in conflict and its sides."""
        self.entries: list[ConflictChoice] = []
        """What each line of the list stands for, in order."""
        self._options: list[Option] = []
        for article_id, sides in sorted(conflicts.items()):
            self.entries.append(ConflictChoice(article_id))
            self._options.append(Option(article_prompt(article_id, titles.get(article_id, ""))))
            for side in sides:
                self.entries.append(ConflictChoice(article_id, side))
                self._options.append(Option(side_prompt(side, me)))

    def compose(self) -> ComposeResult:
        """A heading with the count, each article and its sides, and a hint of the keys."""
        count = len(self.conflicts)
        title = (f"{plural(count, 'conflict')}: editors decided "
                 f"{'this article' if count == 1 else 'these articles'} differently")
        with Vertical(id="conflicts"):
            yield Label(Content(title), id="conflicts-title")
            yield OptionList(*self._options, id="conflicts-list")
            yield Label(Content.styled(HINT, "$text-muted"), id="conflicts-hint")

    def on_mount(self) -> None:
        """Start on the first article's latest side: Enter takes the standing decision."""
        if len(self.entries) > 1:
            self.query_one(OptionList).highlighted = 1

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Enter (or a click) on a line: resolve with a side, or go to an article."""
        event.stop()
        self.dismiss(self.entries[event.option_index])

    def action_choose(self) -> None:
        """Resolve with the side under the cursor, or go to the article under it."""
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self.dismiss(self.entries[index])

    def action_go(self) -> None:
        """Go to the article of the line under the cursor."""
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self.dismiss(ConflictChoice(self.entries[index].article_id))

    def action_close(self) -> None:
        """Close the list."""
        self.dismiss(None)

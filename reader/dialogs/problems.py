"""ProblemsScreen: every file's problems, as `newsreader check` prints them; Enter goes to one."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from reader.data.article import Problem
from reader.data.clean import clean_line, escape_name
from reader.triage.words import plural


def problem_line(problem: Problem) -> str:
    """`FILE: FIELD: WHY`, one plain line, as `newsreader check` prints it."""
    return f"{escape_name(problem.path)}: {clean_line(problem.field)}: {clean_line(problem.why)}"


class ProblemsScreen(ModalScreen[str | None]):
    """A modal list of problems; dismisses with the article to go to, or None when closed.

    Enter on a file that is no article at all says so and leaves the list open.
    """

    DEFAULT_CSS = """
    ProblemsScreen {
        align: center middle;
        background: $background 60%;
    }
    #problems {
        width: 110;
        max-width: 100%;
        height: auto;
        max-height: 90%;
        border: round $warning;
        background: $surface;
        padding: 0 1;
    }
    #problems-title {
        text-style: bold;
        color: $warning;
        padding-bottom: 1;
    }
    #problems-list {
        height: auto;
        max-height: 60vh;
        border: none;
    }
    #problems-hint {
        padding-top: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "go", "Go to the article",
                tooltip="Show the article of the problem under the cursor in the list",
                id="go_to_problem"),
        Binding("escape", "close", "Close", tooltip="Close the list of problems",
                id="close_problems"),
    ]

    def __init__(self, problems: Sequence[tuple[Problem, bool]]) -> None:
        """The list of `problems`, each with whether its file is an article."""
        super().__init__()
        self.problems = list(problems)
        """(problem, whether its file is an article), in the order shown."""

    def compose(self) -> ComposeResult:
        """A heading with the count, a line per problem, and a hint of the keys."""
        count = len(self.problems)
        files = len({problem.path for problem, _ in self.problems})
        title = f"{plural(count, 'problem')} in {plural(files, 'file')}"
        options = [
            Option(Content(problem_line(problem)) if article
                   else Content.styled(problem_line(problem), "$text-muted"))
            for problem, article in self.problems
        ]
        with Vertical(id="problems"):
            yield Label(Content(title), id="problems-title")
            yield OptionList(*options, id="problems-list")
            yield Label(Content.styled("Enter go to the article · Esc close", "$text-muted"),
                        id="problems-hint")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Go to the chosen problem's article."""
        event.stop()
        self._go(event.option_index)

    def action_go(self) -> None:
        """Go to the article of the problem under the cursor."""
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self._go(index)

    def _go(self, index: int) -> None:
        """Dismiss with the problem's article; a file that is no article cannot be shown."""
        problem, article = self.problems[index]
        if article:
            self.dismiss(problem.path)
        else:
            self.notify(f"{escape_name(problem.path)} is not an article: it cannot be shown "
                        "in the list", severity="warning", timeout=4, markup=False)

    def action_close(self) -> None:
        """Close the list."""
        self.dismiss(None)

"""StatusBar: counts per state, what is left, this session's decisions and pace, the site."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from reader.data.article import Decision
from reader.render import problem_count, status_content

PROBLEMS_TOOLTIP = "Click the problem count to list every file's problems"
"""The bar's tooltip while the folder has problems."""


class StatusBar(Widget):
    """One line of triage figures, drawn from the screen's state."""

    counts: reactive[dict[Decision, int]] = reactive(dict, always_update=True)
    """How many articles are in each state."""
    session: reactive[int] = reactive(0)
    """Decisions made since the app started."""
    pace: reactive[float | None] = reactive(None)
    """Decisions per hour this session (None until it can be measured)."""
    shown: reactive[int] = reactive(0)
    """How many rows the list shows under the current filter."""
    problems: reactive[int] = reactive(0)
    """How many problems the folder's files have (0 shows nothing)."""
    selected: reactive[int] = reactive(0)
    """How many articles are selected (0 shows nothing)."""
    site_line: reactive[str] = reactive("")
    """The site whose rules decide what is live, or why there is none ("": not known yet)."""

    class ProblemsClicked(Message):
        """The editor clicked the problem count: list the problems."""

    def render(self) -> Content:
        """The figures as one line of plain text."""
        return status_content(self.counts, self.session, self.pace, self.shown, self.problems,
                              self.selected, self.site_line)

    def problems_span(self) -> tuple[int, int] | None:
        """The cells the problem count takes on the line, from and to (None: none shown)."""
        if not self.problems:
            return None
        text = self.render().plain
        count = problem_count(self.problems)
        start = text.find(count)
        if start < 0:
            return None
        left = cell_len(text[:start])
        return left, left + cell_len(count)

    def watch_problems(self, problems: int) -> None:
        """Say that the count can be clicked while there is one."""
        self.tooltip = PROBLEMS_TOOLTIP if problems else None

    def on_click(self, event: events.Click) -> None:
        """A click on the problem count asks for the list of problems."""
        span = self.problems_span()
        offset = event.get_content_offset(self)
        if span is not None and offset is not None and span[0] <= offset.x < span[1]:
            event.stop()
            self.post_message(self.ProblemsClicked())

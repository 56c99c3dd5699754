"""StatusBar: counts per state, what is left, this session's decisions and pace, the desk's
sync and conflicts, the site."""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

from reader.data.article import Decision
from reader.data.words import plural
from reader.render import LABEL, problem_count, status_content
from reader.widgets.row_text import CONFLICT_MARK

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
    conflicts: reactive[int] = reactive(0)
    """How many articles editors of the desk decided differently (0 shows nothing)."""
    syncing: reactive[bool] = reactive(False)
    """Whether a sync with the desk is under way."""

    class ProblemsClicked(Message):
        """The editor clicked the problem count: list the problems."""

    def render(self) -> Content:
        """The figures as one line of plain text; the desk's before the site's line, which
        comes last (the terminal's edge cuts a long path)."""
        figures = status_content(self.counts, self.session, self.pace, self.shown,
                                 self.problems, self.selected)
        desk = self._desk()
        if not self.site_line:
            return Content.assemble(figures, *desk)
        whole = status_content(self.counts, self.session, self.pace, self.shown,
                               self.problems, self.selected, self.site_line)
        return Content.assemble(figures, *desk, whole[len(figures.plain):])

    def _desk(self) -> list[str | tuple[str, str]]:
        """The desk's part of the line: a sync under way, the conflicts to resolve."""
        parts: list[str | tuple[str, str]] = []
        if self.syncing:
            parts += [("  │ ", LABEL), ("⟳ syncing with the desk…", "bold $accent")]
        if self.conflicts:
            parts += [("  │ ", LABEL),
                      (f"{CONFLICT_MARK} {plural(self.conflicts, 'conflict')}",
                       "bold $text-error")]
        return parts

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

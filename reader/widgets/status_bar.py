"""StatusBar: counts per state, what is left, this session's decisions and pace."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget

from reader.data.article import Decision
from reader.render import status_content


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

    def render(self) -> Content:
        """The figures as one line of plain text."""
        return status_content(self.counts, self.session, self.pace, self.shown, self.problems,
                              self.selected)

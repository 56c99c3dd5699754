"""PickScreen: choose one value (a topic, a provider) from a list with counts, narrowed as
you type."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

ANY = "(any)"
"""The first choice, which removes the filter."""
MAX_SHOWN = 200
"""Values listed at once: a long option list is slow to lay out; typing narrows the rest."""
_MOVES = {
    "up": OptionList.action_cursor_up, "down": OptionList.action_cursor_down,
    "pageup": OptionList.action_page_up, "pagedown": OptionList.action_page_down,
}
"""Keys in the box that move the list's highlight, and the list's action for each."""


class PickScreen(ModalScreen[str | None]):
    """A modal list of values; dismisses with the value, "" for any, or None when cancelled.

    Typing narrows the list to the values that contain the text (in any case); the arrows
    move in the list and Enter chooses the highlighted value.
    """

    CSS = "#pick #pick-list { max-height: 50vh; }"
    """The list never taller than the box leaves room for (else the highlight can scroll
    out of sight); it overrides app.tcss's `#pick-list` height, where it may move."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", tooltip="Close without changing the filter",
                id="cancel_pick"),
    ]

    def __init__(self, title: str, values: Sequence[tuple[str, int]], current: str | None) -> None:
        """A list headed `title` of `values` with their counts, `current` highlighted."""
        super().__init__()
        self.title_text = title
        """What is being picked, e.g. `Topic`."""
        self.values = list(values)
        """(value, article count) pairs, in the order shown."""
        self.current = current
        """The value chosen now, highlighted first."""
        self.shown: list[str] = []
        """The value of each option listed now ("" for any)."""

    def compose(self) -> ComposeResult:
        """The heading, the box that narrows the list, then the list."""
        with Vertical(id="pick"):
            yield Label(Content(self.title_text), id="pick-title")
            yield Input(placeholder="Type to narrow; ↑↓, Enter chooses, Esc closes",
                        id="pick-filter", select_on_focus=False)
            yield OptionList(id="pick-list")

    def on_mount(self) -> None:
        """List every value, the current one highlighted (else `(any)`); typing goes to the box."""
        self._narrow("")
        self.query_one(Input).focus()

    def _narrow(self, text: str) -> None:
        """List `(any)` and every value when nothing is typed, else the values that contain
        the text; highlight the current value, else the first."""
        typed = text.strip().casefold()
        matching = [item for item in self.values if typed in item[0].casefold()]
        options = [] if typed else [Option(ANY)]
        self.shown = [] if typed else [""]
        for value, count in matching[:MAX_SHOWN]:
            options.append(Option(Content.assemble(value, (f"  {count}", "$text-muted"))))
            self.shown.append(value)
        if len(matching) > MAX_SHOWN:
            more = f"… {len(matching) - MAX_SHOWN} more: type to narrow"
            options.append(Option(Content.styled(more, "$text-muted"), disabled=True))
        elif not matching:
            none = "Nothing matches" if typed else "None among the articles shown"
            options.append(Option(Content.styled(none, "$text-muted"), disabled=True))
        pick_list = self.query_one(OptionList)
        pick_list.set_options(options)
        current = self.shown.index(self.current) if self.current in self.shown else 0
        pick_list.highlighted = current if self.shown else None

    def on_input_changed(self, event: Input.Changed) -> None:
        """Narrow the list to what is typed."""
        event.stop()
        self._narrow(event.value)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the box chooses the highlighted value (nothing when none matches)."""
        event.stop()
        highlighted = self.query_one(OptionList).highlighted
        if highlighted is not None and highlighted < len(self.shown):
            self.dismiss(self.shown[highlighted])

    def on_key(self, event: events.Key) -> None:
        """The arrows and page keys in the box move the list's highlight; typing in the list
        goes into the box."""
        box = self.query_one(Input)
        if box.has_focus and event.key in _MOVES:
            event.stop()
            event.prevent_default()
            _MOVES[event.key](self.query_one(OptionList))
        elif not box.has_focus and event.is_printable and event.character is not None:
            event.stop()
            event.prevent_default()
            box.focus()
            box.insert_text_at_cursor(event.character)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Dismiss with the chosen value ("" for any)."""
        event.stop()
        self.dismiss(self.shown[event.option_index])

    def action_cancel(self) -> None:
        """Close without a choice."""
        self.dismiss(None)

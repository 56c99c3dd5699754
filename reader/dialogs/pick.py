"""PickScreen: choose one value (a topic, a provider) from a list with counts."""

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

ANY = "(any)"
"""The first choice, which removes the filter."""


class PickScreen(ModalScreen[str | None]):
    """A modal list of values; dismisses with the value, "" for any, or None when cancelled."""

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

    def compose(self) -> ComposeResult:
        """The heading, then `(any)` and each value with its count."""
        options = [Option(ANY)]
        options += [
            Option(Content.assemble(value, (f"  {count}", "$text-muted")))
            for value, count in self.values
        ]
        with Vertical(id="pick"):
            yield Label(Content(self.title_text), id="pick-title")
            yield OptionList(*options, id="pick-list")

    def on_mount(self) -> None:
        """Highlight the current value (else `(any)`)."""
        names = [value for value, _ in self.values]
        pick_list = self.query_one(OptionList)
        pick_list.highlighted = names.index(self.current) + 1 if self.current in names else 0

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Dismiss with the chosen value ("" for any)."""
        event.stop()
        index = event.option_index
        self.dismiss("" if index == 0 else self.values[index - 1][0])

    def action_cancel(self) -> None:
        """Close without a choice."""
        self.dismiss(None)

"""HelpScreen: every key, what it does and where it works."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, NamedTuple

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, Static


class KeyHelp(NamedTuple):
    """One line of help: where the key works, the keys, and what it does."""

    area: str
    keys: str
    description: str
    tooltip: str


class HelpScreen(ModalScreen[None]):
    """A modal list of every binding, grouped by where it applies."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close", tooltip="Close the help",
                id="close_help"),
    ]

    def __init__(self, keys: Sequence[KeyHelp]) -> None:
        """The help for `keys`, in the order given."""
        super().__init__()
        self.keys = list(keys)
        """The lines to show, in order."""

    def compose(self) -> ComposeResult:
        """A title, then every key in a scrolling list."""
        with Vertical(id="help"):
            yield Label("Keys  (remap any of them by id under keymap: in the config file)",
                        id="help-title")
            with VerticalScroll(id="help-scroll"):
                yield Static(self._content(), id="help-keys")

    def _content(self) -> Content:
        """Keys, descriptions and tooltips in aligned columns, under a heading per area."""
        width = max((len(k.keys) for k in self.keys), default=0) + 2
        described = max((len(k.description) for k in self.keys), default=0) + 2
        lines: list[Content] = []
        area = None
        for key in self.keys:
            if key.area != area:
                area = key.area
                lines.append(Content.styled(("\n" if lines else "") + area, "bold $accent"))
            lines.append(Content.assemble(
                (key.keys.ljust(width), "bold"), key.description.ljust(described),
                (key.tooltip, "$text-muted"),
            ))
        return Content("\n").join(lines)

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)

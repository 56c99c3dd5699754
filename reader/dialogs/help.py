"""HelpScreen: every key, what it does and where it works."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import Label


class KeyHelp(NamedTuple):
    """One line of help: where the key works, the keys, and what it does."""

    area: str
    keys: str
    description: str
    tooltip: str


MIN_ROOM = 24
"""The narrowest the last column gets beside the others; narrower, it goes under them."""


def _pad(text: str, width: int) -> str:
    """`text` and spaces up to `width` cells."""
    return text + " " * (width - cell_len(text))


class KeyTable(Widget):
    """Every key in three columns (the keys, what they do, how), under a heading per area.

    The last column is the long one: a line of it that does not fit wraps under that
    column, not back at the left margin. The lines are made for the width the table has.
    """

    DEFAULT_CSS = """
    KeyTable {
        height: auto;
    }
    """

    def __init__(self, keys: Sequence[KeyHelp], *, id: str | None = None) -> None:
        """The table of `keys`, in the order given."""
        super().__init__(id=id)
        self.keys = list(keys)
        """The lines to show, in order."""
        self._made: tuple[int, list[Content]] | None = None
        """The lines last made, and the width they were made for."""

    def lines(self, width: int) -> list[Content]:
        """The table's lines at `width` cells: a heading per area after a blank line, then
        each key's line and the lines its last column wraps onto."""
        if self._made is not None and self._made[0] == width:
            return self._made[1]
        keys_width = max((cell_len(k.keys) for k in self.keys), default=0) + 2
        what_width = max((cell_len(k.description) for k in self.keys), default=0) + 2
        indent = keys_width + what_width
        if width - indent < MIN_ROOM:  # no room beside: the last column goes under the second
            indent = keys_width
        room = max(width - indent, 1)
        lines: list[Content] = []
        area = None
        for key in self.keys:
            if key.area != area:
                if lines:
                    lines.append(Content(""))
                area = key.area
                lines.append(Content.styled(area, "bold $accent"))
            first = Content.assemble((_pad(key.keys, keys_width), "bold"),
                                     _pad(key.description, what_width))
            wrapped = Content.styled(key.tooltip, "$text-muted").wrap(room) if key.tooltip else []
            if indent > keys_width and wrapped:  # the first line of the last column beside
                first += wrapped.pop(0)
            lines.append(first)
            lines += [Content(" " * indent) + line for line in wrapped]
        self._made = (width, lines)
        return lines

    def render(self) -> Content:
        """The lines for the width the table has now."""
        return Content("\n").join(self.lines(self.size.width))

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        """As many lines as the table has at `width`."""
        return len(self.lines(width))


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
                yield KeyTable(self.keys, id="help-keys")

    def action_close(self) -> None:
        """Close the help."""
        self.dismiss(None)

"""RawScreen: the head of an article's file (its front matter) as it is written, plain."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label, TextArea


class RawScreen(ModalScreen[None]):
    """A modal, scrollable, read-only view of a file's head; Esc closes it."""

    DEFAULT_CSS = """
    RawScreen {
        align: center middle;
        background: $background 60%;
    }
    #raw {
        width: 110;
        max-width: 100%;
        height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    #raw-title {
        text-style: bold;
        color: $accent;
        padding-bottom: 1;
    }
    #raw-text {
        height: 1fr;
        border: none;
        padding: 0;
    }
    #raw-hint {
        padding-top: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Close", tooltip="Close the front matter view",
                id="close_raw"),
    ]

    def __init__(self, name: str, text: str) -> None:
        """The head `text` of the file `name` (both plain text, shown as they are)."""
        super().__init__()
        self.file_name = name
        """The file's id, shown in the heading (its controls escaped already)."""
        self.text = text
        """What the file says, cleaned of escapes and controls."""

    def compose(self) -> ComposeResult:
        """The file's name, its head in a read-only text area, and a hint of the keys."""
        with Vertical(id="raw"):
            yield Label(Content(f"Front matter of {self.file_name}"), id="raw-title")
            yield TextArea(self.text, read_only=True, soft_wrap=True, show_line_numbers=True,
                           id="raw-text")
            yield Label(Content.styled("↑↓ PgUp PgDn scroll · Esc close", "$text-muted"),
                        id="raw-hint")

    def action_close(self) -> None:
        """Close the view."""
        self.dismiss(None)

"""ConfirmScreen: a yes-or-no question before a step the editor may not mean."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Label


class ConfirmScreen(ModalScreen[bool]):
    """A modal question; dismisses with True on `y`, False on `n` or Esc."""

    CSS_PATH = "confirm.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer(True)", "Yes", tooltip="Go ahead", id="confirm_yes"),
        Binding("n,escape", "answer(False)", "No", tooltip="Do nothing", id="confirm_no"),
    ]

    def __init__(self, title: str, question: Content) -> None:
        """A question headed `title`, asking `question`."""
        super().__init__()
        self.title_text = title
        """The question's heading (plain text)."""
        self.question = question
        """What is asked, article strings in it as plain text."""

    def compose(self) -> ComposeResult:
        """The heading, the question and a hint of the keys."""
        with Vertical(id="confirm"):
            yield Label(Content(self.title_text), id="confirm-title")
            yield Label(self.question, id="confirm-question")
            yield Label(Content.styled("y yes · n or Esc no", "$text-muted"), id="confirm-hint")

    def action_answer(self, yes: bool) -> None:
        """Close with the answer."""
        self.dismiss(yes)

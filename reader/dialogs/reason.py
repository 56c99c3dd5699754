"""ReasonScreen: why an article is skipped, by a quick key or in a few words."""

from __future__ import annotations

from typing import ClassVar

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList
from textual.widgets.option_list import Option

from reader.data.clean import clean_line

REASONS = ("duplicate", "off-topic", "low quality", "paywall")
"""The quick reasons, on keys 1 to 4."""
MAX_REASON = 200
"""Longest reason kept, in characters."""
CHANGE_TITLE = "Change the skip reason"
"""The heading when the articles are skipped already."""


def _quick(number: int, reason: str, tooltip: str) -> Binding:
    """The binding of quick key `number` to a reason, with an id a keymap can use."""
    return Binding(str(number), f"choose({number - 1})", reason.capitalize(), tooltip=tooltip,
                   id=f"reason_{reason.replace(' ', '_').replace('-', '_')}")


class ReasonScreen(ModalScreen[str | None]):
    """A modal choice of reason; dismisses with it ("" for none), or None when cancelled."""

    DEFAULT_CSS = """
    #reason-now {
        padding-bottom: 1;
    }
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        _quick(1, REASONS[0], "Skip: the same story as another article"),
        _quick(2, REASONS[1], "Skip: not what this site covers"),
        _quick(3, REASONS[2], "Skip: badly written, thin or clickbait"),
        _quick(4, REASONS[3], "Skip: readers cannot read it without paying"),
        Binding("escape", "cancel", "Cancel", tooltip="Close without skipping",
                id="cancel_reason"),
    ]

    def __init__(self, changing: bool = False, current: str | None = None) -> None:
        """The question before a skip; `changing`: the articles are skipped already, and
        this changes their reason (`current`: the one stored now, None for none)."""
        super().__init__()
        self.changing = changing
        """Whether this changes the reason of articles skipped already."""
        self.current = current
        """Their reason now, shown when changing it."""

    def compose(self) -> ComposeResult:
        """The quick reasons, numbered, a box to type another in, and a hint of the keys;
        when changing a reason, the one stored now under the heading."""
        with Vertical(id="reason"):
            if self.changing:
                yield Label(CHANGE_TITLE, id="reason-title")
                now = Content.assemble(("Now: ", "$text-muted"),
                                       clean_line(self.current or "") or "no reason")
                yield Label(now, id="reason-now")
            else:
                yield Label("Skip with reason", id="reason-title")
            yield OptionList(
                *(Option(Content.assemble((f"{n} ", "bold $accent"), reason))
                  for n, reason in enumerate(REASONS, 1)),
                id="reason-list",
            )
            yield Input(placeholder="…or type another reason, then Enter", id="reason-text",
                        max_length=MAX_REASON, select_on_focus=False)
            cancel = "Esc keep it" if self.changing else "Esc cancel"
            yield Label(Content.styled(f"1-4 choose · or type a reason · {cancel}",
                                       "$text-muted"), id="reason-hint")

    def on_mount(self) -> None:
        """When changing a reason that is a quick one, start on it in the list."""
        if self.changing and self.current in REASONS:
            self.query_one(OptionList).highlighted = REASONS.index(self.current)

    def on_key(self, event: events.Key) -> None:
        """Typing anywhere but on a quick key goes into the reason box."""
        box = self.query_one(Input)
        if box.has_focus or not event.is_printable or event.character is None:
            return
        bound = self.active_bindings.get(event.key)
        if bound is not None and bound.node is self:
            return
        event.stop()
        event.prevent_default()
        box.focus()
        box.insert_text_at_cursor(event.character)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        """Dismiss with the reason chosen from the list."""
        event.stop()
        self.dismiss(REASONS[event.option_index])

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Dismiss with the typed reason, cleaned to one plain line ("" for none)."""
        event.stop()
        self.dismiss(clean_line(event.value, MAX_REASON))

    def action_choose(self, index: int) -> None:
        """Dismiss with one of the quick reasons."""
        self.dismiss(REASONS[index])

    def action_cancel(self) -> None:
        """Close without a reason, and without skipping."""
        self.dismiss(None)

"""KeyFooter: the keys that work now, drawn as one line that repaints only when they change."""

from __future__ import annotations

from typing import ClassVar, NamedTuple

from rich.cells import cell_len
from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.style import Style
from textual.widget import Widget

GAP = " "
"""Between one key's description and the next key."""
EDGE = "▏"
"""Left of the command palette's key, which sits at the right end."""


class ShownKey(NamedTuple):
    """One key as the footer shows it."""

    key: str
    action: str
    display: str
    """The key as the app names it (after the keymap): "^p", "space", "?"."""
    description: str
    enabled: bool
    tooltip: str
    kept: bool = False
    """The app's own key (help, quit): it works on every screen, so it shows first when
    not every key fits."""


class Keys(NamedTuple):
    """What the footer shows: the keys from the left, and the command palette's key."""

    left: tuple[ShownKey, ...]
    palette: ShownKey | None


NO_KEYS = Keys((), None)


def shown_keys(screen: Screen[object]) -> Keys:
    """The screen's active bindings marked `show`, one per action (the first), in order, as
    Textual's Footer lists them, the app's own marked kept; the command palette's key apart,
    as it shows it."""
    app = screen.app
    active = screen.active_bindings
    left: dict[str, ShownKey] = {}
    for node, binding, enabled, tooltip in active.values():
        if binding.show and binding.action not in left:
            left[binding.action] = ShownKey(binding.key, binding.action,
                                            app.get_key_display(binding),
                                            binding.description, enabled, tooltip,
                                            kept=node is app)
    palette = None
    if app.ENABLE_COMMAND_PALETTE and (found := active.get(app.COMMAND_PALETTE_BINDING)):
        _node, binding, enabled, _tooltip = found
        palette = ShownKey(binding.key, binding.action, app.get_key_display(binding),
                           binding.description, enabled, binding.tooltip or binding.description)
    return Keys(tuple(left.values()), palette)


class KeyFooter(Widget):
    """The footer: every key shown now (dimmed where it would do nothing), and the command
    palette's key at the right end. Clicking a key presses it. When not every key fits, the
    app's own keys (help and quit) stay, and the screen's fill the room left.

    Textual's Footer draws the same line with one widget per key, and makes and styles them
    all again on every binding change: that slowed the first frame here, and each change of
    focus (opening and closing the search) before the list could repaint.
    This is one widget: a binding change that shows nothing new costs nothing, and one that
    does costs a repaint of one line. (It has no binding groups: the app uses none.)
    """

    ALLOW_SELECT = False
    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "key-footer--key",
        "key-footer--description",
        "key-footer--hover",
        "key-footer--edge",
    }
    DEFAULT_CSS = """
    KeyFooter {
        dock: bottom;
        height: 1;
        color: $footer-foreground;
        background: $footer-background;
        .key-footer--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        .key-footer--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        .key-footer--hover {
            background: $block-hover-background;
        }
        .key-footer--edge {
            color: $foreground 20%;
        }
    }
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        """A footer with no keys yet: it reads them once mounted."""
        super().__init__(id=id, classes=classes)
        self.keys = NO_KEYS
        """What is shown now."""
        self._spans: list[tuple[int, int, ShownKey]] = []
        """Each key's cells on the line (start, end), as last drawn: for the mouse."""
        self._hover: ShownKey | None = None
        self._pending = False
        """True from a binding change until the look at the bindings it scheduled."""

    def on_mount(self) -> None:
        """Follow the screen's binding changes, and show its keys now."""
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)
        self._update()

    def on_unmount(self) -> None:
        """Stop following the screen's binding changes."""
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        """Look once, before the next frame, for this and any change after it.

        Not while the terminal has lost the focus (no widget has it then), as Textual's
        Footer: the keys would blink away and back."""
        if screen is self.screen and screen.app.app_focus and not self._pending:
            self._pending = True
            self.call_later(self._update)

    def _update(self) -> None:
        """Read the keys again, and repaint only if they changed."""
        self._pending = False
        keys = shown_keys(self.screen)
        if keys != self.keys:
            self.keys = keys
            self.refresh()

    # -- drawing -----------------------------------------------------------------------

    def render(self) -> Content:
        """The line: the keys from the left while they fit, then the palette's at the right
        end; notes where each key lies, for the mouse."""
        key_style = self.get_visual_style("key-footer--key")
        text_style = self.get_visual_style("key-footer--description")
        hover = self.get_visual_style("key-footer--hover", partial=True)
        dim = Style(dim=True)
        parts: list[tuple[str, Style] | str] = []
        spans: list[tuple[int, int, ShownKey]] = []
        x = 0
        palette = self.keys.palette
        right = cell_len(EDGE) + cell_len(self._label(palette)) + len(GAP) if palette else 0
        room = self.size.width - right
        for shown in self._fitting(room):
            width = cell_len(self._label(shown))
            extra = (dim if not shown.enabled else Style()) + (
                hover if shown == self._hover else Style())
            parts += [(shown.display, key_style + extra)]
            if shown.description:
                parts += [(" " + shown.description, text_style + extra)]
            parts.append(GAP)
            spans.append((x, x + width, shown))
            x += width + len(GAP)
        if palette:
            parts.append(" " * max(0, room - x))
            x = max(x, room)
            parts.append((EDGE, self.get_visual_style("key-footer--edge")))
            extra = hover if palette == self._hover else Style()
            parts.append((palette.display, key_style + extra))
            parts.append((" " + palette.description, text_style + extra))
            parts.append(GAP)
            spans.append((x + cell_len(EDGE), x + right - len(GAP), palette))
        self._spans = spans
        return Content.assemble(*parts)

    def _fitting(self, room: int) -> list[ShownKey]:
        """The keys that fit in `room` cells, in order: the kept ones (the app's own: help,
        quit) first while they fit, then the others from the left while they fit."""

        def cells(shown: ShownKey) -> int:
            """The key's label and the gap after it."""
            return cell_len(self._label(shown)) + len(GAP)

        left = room + len(GAP)  # no gap is needed after the last key
        chosen: set[int] = set()
        for kept in (True, False):
            for index, shown in enumerate(self.keys.left):
                if shown.kept is kept:
                    if cells(shown) > left:
                        break
                    chosen.add(index)
                    left -= cells(shown)
        return [shown for index, shown in enumerate(self.keys.left) if index in chosen]

    @staticmethod
    def _label(shown: ShownKey | None) -> str:
        """A key's text: its name and description ("" for none)."""
        if shown is None:
            return ""
        return f"{shown.display} {shown.description}" if shown.description else shown.display

    # -- the mouse ---------------------------------------------------------------------

    def _at(self, x: int) -> ShownKey | None:
        """The key drawn at cell `x`, if any."""
        return next((shown for start, end, shown in self._spans if start <= x < end), None)

    def on_mouse_down(self, event: events.MouseDown) -> None:
        """Press the key under the pointer; a bell for one that would do nothing now."""
        shown = self._at(event.x)
        if shown is None:
            return
        if shown.enabled:
            self.app.simulate_key(shown.key)
        else:
            self.app.bell()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        """The pointer moved: highlight the key under it."""
        self._hover_over(self._at(event.x))

    def on_leave(self, event: events.Leave) -> None:
        """The pointer left: highlight no key."""
        self._hover_over(None)

    def _hover_over(self, shown: ShownKey | None) -> None:
        """Highlight `shown` (None: no key) with its tooltip, repainting if it changed."""
        if shown != self._hover:
            self._hover = shown
            self.tooltip = (shown.tooltip or shown.description or None) if shown else None
            self.refresh()

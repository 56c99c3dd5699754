"""KeyFooter: the keys shown, their order and look, the palette key at the right, the mouse."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Label

from reader.data.article import Decision
from reader.widgets.key_footer import KeyFooter
from tests.ui.conftest import SIZE, AppFactory
from tests.ui.test_triage import ORDER, start, stored


class Keys(App[None]):
    """Three shown keys (one disabled), a second key for one action, a hidden key, the palette."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("a", "note('a')", "Alpha"),
        Binding("b", "note('b')", "Beta", tooltip="The second"),
        Binding("B", "note('b')", "Beta again"),  # the same action: only the first shows
        Binding("c", "stuck", "Stuck"),
        Binding("d", "note('d')", "Hidden", show=False),
    ]

    def __init__(self) -> None:
        """No key pressed yet, no bell rung."""
        super().__init__()
        self.notes: list[str] = []
        self.bells = 0

    def compose(self) -> ComposeResult:
        """A label and the footer."""
        yield Label("body")
        yield KeyFooter()

    def action_note(self, what: str) -> None:
        """Note the key's action ran."""
        self.notes.append(what)

    def action_stuck(self) -> None:
        """Never runs: the key is disabled."""
        self.notes.append("stuck")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Show `stuck` disabled, the others enabled."""
        return None if action == "stuck" else True  # None: shown, but disabled

    def bell(self) -> None:
        """Count the bells instead of ringing."""
        self.bells += 1


def line(app: App[object]) -> str:
    """The footer's line as text."""
    return app.screen.query_one(KeyFooter).render_line(0).text


async def test_the_line_shows_each_action_once_and_the_palette_at_the_right() -> None:
    """One key per action, hidden ones left out, the palette's key at the right end."""
    app = Keys()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        text = line(app)
        assert text.startswith("a Alpha b Beta c Stuck ")
        assert "Hidden" not in text and "again" not in text
        assert text.rstrip().endswith("▏^p palette") and len(text) == 80
        footer = app.query_one(KeyFooter)
        assert [k.enabled for k in footer.keys.left] == [True, True, False]


async def test_a_narrow_footer_keeps_the_palette_key() -> None:
    """Keys that do not fit drop from the right; the palette's key stays."""
    app = Keys()
    async with app.run_test(size=(30, 5)) as pilot:
        await pilot.pause()
        text = line(app)
        assert text.startswith("a Alpha b Beta ") and "Stuck" not in text
        assert text.rstrip().endswith("▏^p palette") and len(text) == 30


async def test_a_disabled_key_is_dimmed() -> None:
    """A key that would do nothing now is dimmed, the others are not."""
    app = Keys()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        strip = app.query_one(KeyFooter).render_line(0)
        dim = {seg.text.strip() for seg in strip if seg.style and seg.style.dim}
        assert {"c", "Stuck"} <= dim and not {"a", "Alpha"} & dim


async def test_a_click_presses_the_key_and_a_disabled_one_rings() -> None:
    """A click on a key presses it; on a disabled one it rings; between keys nothing."""
    app = Keys()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        await pilot.click(KeyFooter, offset=(2, 0))  # "Alpha"
        await pilot.click(KeyFooter, offset=(8, 0))  # "b"
        await pilot.click(KeyFooter, offset=(16, 0))  # "Stuck": disabled
        await pilot.click(KeyFooter, offset=(7, 0))  # the gap between two keys
        await pilot.pause()
        assert app.notes == ["a", "b"] and app.bells == 1


async def test_hovering_a_key_shows_its_tooltip() -> None:
    """The key under the pointer gives the footer its tooltip (else its description)."""
    app = Keys()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        footer = app.query_one(KeyFooter)
        await pilot.hover(KeyFooter, offset=(9, 0))
        assert footer.tooltip == "The second"
        await pilot.hover(KeyFooter, offset=(2, 0))
        assert footer.tooltip == "Alpha"
        await pilot.hover(Label)
        assert footer.tooltip is None


async def test_clicking_publish_in_the_app_publishes(new_app: AppFactory, db_path: Path) -> None:
    """In the app, a click on a remapped Publish publishes the article."""
    app = new_app(keymap={"publish": "P"})
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        text = line(app)
        x = text.index("P Publish")
        await pilot.click(KeyFooter, offset=(x, 0))
        await pilot.pause()
    assert stored(db_path, ORDER[0]) == [Decision.PUBLISHED]


class Busy(Screen[None]):
    """A screen with more keys than a narrow footer holds."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(key, f"app.note('{key}')", name) for key, name in
        (("a", "Alpha"), ("b", "Beta"), ("c", "Gamma"), ("d", "Delta"), ("e", "Epsilon"))
    ]

    def compose(self) -> ComposeResult:
        """A label and the footer."""
        yield Label("body")
        yield KeyFooter()


class AppKeys(App[None]):
    """Quit and help as the app's own keys, under the busy screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "note('q')", "Quit"),
        Binding("question_mark", "note('?')", "Help"),
    ]

    def on_mount(self) -> None:
        """Show the busy screen."""
        self.push_screen(Busy())

    def action_note(self, what: str) -> None:
        """Do nothing: only the footer is under test."""


async def test_a_narrow_footer_keeps_the_apps_own_keys() -> None:
    """The app's own keys (quit, help: they work on every screen) show first; the screen's
    fill the room left, in order."""
    app = AppKeys()
    async with app.run_test(size=(50, 5)) as pilot:
        await pilot.pause()
        text = line(app)
        assert text.startswith("a Alpha b Beta c Gamma q Quit ? Help ")
        assert "Delta" not in text and text.rstrip().endswith("▏^p palette")


async def test_the_triage_footer_keeps_help_and_quit_at_80x24(new_app: AppFactory) -> None:
    """At 80x24, with Undo and Redo shown after a decision, `?` and `q` still show."""
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await pilot.press("s", "s", "u")  # something to undo and something to redo
        await pilot.pause()
        text = line(app)
        assert "? Help" in text and "q Quit" in text, text
        assert text.rstrip().endswith("▏^p Commands")

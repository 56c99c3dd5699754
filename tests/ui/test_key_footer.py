"""KeyFooter: the keys shown, their order and look, the palette key at the right, the mouse."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
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
        super().__init__()
        self.notes: list[str] = []
        self.bells = 0

    def compose(self) -> ComposeResult:
        yield Label("body")
        yield KeyFooter()

    def action_note(self, what: str) -> None:
        self.notes.append(what)

    def action_stuck(self) -> None:
        self.notes.append("stuck")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return None if action == "stuck" else True  # None: shown, but disabled

    def bell(self) -> None:
        self.bells += 1


def line(app: App[object]) -> str:
    """The footer's line as text."""
    return app.screen.query_one(KeyFooter).render_line(0).text


async def test_the_line_shows_each_action_once_and_the_palette_at_the_right() -> None:
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
    app = Keys()
    async with app.run_test(size=(30, 5)) as pilot:
        await pilot.pause()
        text = line(app)
        assert text.startswith("a Alpha b Beta ") and "Stuck" not in text
        assert text.rstrip().endswith("▏^p palette") and len(text) == 30


async def test_a_disabled_key_is_dimmed() -> None:
    app = Keys()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        strip = app.query_one(KeyFooter).render_line(0)
        dim = {seg.text.strip() for seg in strip if seg.style and seg.style.dim}
        assert {"c", "Stuck"} <= dim and not {"a", "Alpha"} & dim


async def test_a_click_presses_the_key_and_a_disabled_one_rings() -> None:
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
    app = new_app(keymap={"publish": "P"})
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        text = line(app)
        x = text.index("P Publish")
        await pilot.click(KeyFooter, offset=(x, 0))
        await pilot.pause()
    assert stored(db_path, ORDER[0]) == [Decision.PUBLISHED]

"""The config file as the app sees it: its problems shown in the app, the keymap checked, the
theme saved by changing one line, and `o` saying so when no browser could be opened."""

from __future__ import annotations

import webbrowser
from pathlib import Path

import pytest

from reader.app import NewsReader, make_app
from reader.config import Settings, load_settings
from reader.paths import config_file
from tests.ui.conftest import NOW, SIZE, AppFactory
from tests.ui.test_triage import screen, start

WITH_COMMENTS = b"""\
# my newsreader settings
theme: nord            # the app saves my last choice here

keymap:                # binding id -> keys
  skip: s
story_days: 2
"""
"""A config file written by hand: comments, a blank line, its own order."""


def toasts(app: NewsReader) -> list[str]:
    """Every notification's text so far, title first (run_test does not show toasts)."""
    return [f"{n.title}: {n.message}" if n.title else n.message for n in app._notifications]


def app_from_config(seeds_dir: Path, db_path: Path, contents: bytes) -> NewsReader:
    """The app as `newsreader` starts it, with the user's config file holding CONTENTS."""
    config_file().parent.mkdir(parents=True, exist_ok=True)
    config_file().write_bytes(contents)
    settings, _ = load_settings(config_file())
    return make_app(seeds_dir, db_path, settings, now=lambda: NOW)


async def test_a_config_mistake_shows_in_the_app_and_keeps_the_good_keys(
    seeds_dir: Path, db_path: Path
) -> None:
    app = app_from_config(seeds_dir, db_path,
                          b"theme: nord\nkeymap: {publish: p\nstory_days: 2\n")
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert app.theme == "nord"  # the good keys are kept
        assert app.settings.story_days == 2.0
        [toast] = toasts(app)  # the problem's words are libyaml's or PyYAML's
        assert toast.startswith(f"Config file: {config_file()}\nnot valid YAML at line 2 (")
        assert toast.endswith("'}'); keymap uses the default")
        [note] = app._notifications
        assert note.severity == "warning" and not note.markup


async def test_no_config_file_no_toast(new_app: AppFactory) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert toasts(app) == []


async def test_every_problem_is_in_one_toast(seeds_dir: Path, db_path: Path) -> None:
    app = app_from_config(seeds_dir, db_path, b"theme: [nord\ncache: x\ntheme_: nord\n")
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
    [toast] = toasts(app)
    assert toast.startswith(f"Config file: {config_file()}\n")
    assert "theme uses the default" in toast and "unknown setting 'theme_'" in toast


async def test_an_unknown_theme_names_the_config_file(seeds_dir: Path, db_path: Path) -> None:
    app = app_from_config(seeds_dir, db_path, b"theme: no-such-theme\n")
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert app.theme == "textual-dark"
    assert toasts(app) == [f"Config file: {config_file()}\n"
                           "unknown theme 'no-such-theme'; using textual-dark"]


async def test_the_readme_keymap_says_ctrl_p_is_the_palettes(new_app: AppFactory) -> None:
    app = new_app(keymap={"publish": "p,ctrl+p", "pubish": "P", "skip_all": "K"})
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        triage = screen(app)
        await pilot.press("ctrl+p")  # the palette opens: the keymap could not take the key
        await pilot.pause()
        assert type(app.screen).__name__ == "CommandPalette"
        assert triage.session == 0
    assert toasts(app) == [
        f"Config file: {config_file()}\n"
        "keymap: unknown binding id 'pubish' ignored (did you mean 'publish'?)\n"
        "keymap: unknown binding id 'skip_all' ignored (did you mean 'skip'?)\n"
        "keymap: publish is not bound to ctrl+p: that key opens the command palette"
    ]


async def test_a_key_taken_from_another_binding_is_named(new_app: AppFactory) -> None:
    app = new_app(keymap={"publish": "s,j", "quit": "Q"})
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
    assert toasts(app) == [
        f"Config file: {config_file()}\n"
        "keymap: publish is not bound to j in the article list: that key is cursor_down's "
        "(Down) there\n"
        "keymap: skip loses s to publish"
    ]


async def test_a_keymap_that_works_says_nothing(new_app: AppFactory) -> None:
    app = new_app(keymap={"publish": "p,ctrl+s", "command_palette": "ctrl+k", "skip": "s"})
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert toasts(app) == []


async def test_saving_the_theme_changes_only_its_line(seeds_dir: Path, db_path: Path) -> None:
    app = app_from_config(seeds_dir, db_path, WITH_COMMENTS)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert app.theme == "nord"
        app.theme = "gruvbox"
        await pilot.pause()
        assert toasts(app) == []
    assert config_file().read_bytes() == WITH_COMMENTS.replace(b"theme: nord ",
                                                               b"theme: gruvbox ")


async def test_a_theme_that_cannot_be_saved_says_so(seeds_dir: Path, db_path: Path) -> None:
    broken = b"theme: nord\nkeymap: {publish: p\n"
    app = app_from_config(seeds_dir, db_path, broken)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        app.clear_notifications()
        app.theme = "gruvbox"
        await pilot.pause()
        [toast] = toasts(app)
        assert toast.startswith(f"The theme was not saved: {config_file()}: not valid YAML")
    assert config_file().read_bytes() == broken


@pytest.fixture
def no_browser(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A machine without a web browser: nothing on PATH, no display, no $BROWSER."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    for name in ("BROWSER", "DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(webbrowser, "_tryorder", None)  # look for browsers again
    monkeypatch.setattr(webbrowser, "_browsers", {})


async def test_o_without_a_browser_says_it_could_not_open(
    new_app: AppFactory, no_browser: None
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        url = screen(app).article.url  # type: ignore[union-attr]
        await pilot.press("o")
        await pilot.pause()
        [note] = app._notifications
        assert (note.title, note.message, note.severity) == (
            "Not opened", f"No web browser found to open {url}\nPress y to copy the link.",
            "warning")
        await pilot.press("tab", "tab", "o")  # a related article's link
        await pilot.pause()
        assert [n.title for n in app._notifications] == ["Not opened", "Not opened"]


async def test_o_with_a_browser_opens_http_only(
    new_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[str] = []

    def fake_open(url: str, new: int = 0, autoraise: bool = True) -> bool:
        """A browser that takes every link."""
        opened.append(url)
        return True

    monkeypatch.setattr(webbrowser, "open", fake_open)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        url = screen(app).article.url  # type: ignore[union-attr]
        await pilot.press("o")
        await pilot.pause()
        assert opened == [url]
        assert toasts(app) == [f"Opening: {url}"]
        app.clear_notifications()
        app.open_url("file:///etc/passwd")  # what a link in a widget might ask for
        await pilot.pause()
        assert opened == [url]
        assert toasts(app) == ["Refused: Not an http or https link: file:///etc/passwd"]


def test_settings_without_a_file_have_no_problems() -> None:
    assert Settings().problems == ()

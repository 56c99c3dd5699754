"""Snapshot tests: the app at 120x40, on the seeds, at a fixed clock, with the index warm."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from reader.app import NewsReader
from tests.ui.conftest import SIZE, AppFactory, warm

SnapCompare = Callable[..., bool]


def steps(*keys: str) -> Callable[[Pilot[object]], Awaitable[None]]:
    """Wait for the scan, press the keys, then stop every cursor blinking."""

    async def run_before(pilot: Pilot[object]) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        await pilot.app.workers.wait_for_complete()
        for box in _inputs(pilot.app):
            box.cursor_blink = False
        await pilot.pause()

    return run_before


def _inputs(app: object) -> Iterable[Input]:
    assert isinstance(app, NewsReader)
    return app.screen.query(Input)


def _app(factory: AppFactory, root: Path, db_path: Path) -> NewsReader:
    warm(root, db_path)
    return factory()


def test_main_screen(snap_compare: SnapCompare, new_app: AppFactory, seeds_dir: Path,
                     db_path: Path) -> None:
    """The triage screen on the five seeds: four rows (000 and its story mate 001, published
    by its file, are one row marked `+1`) on the left 58% with providers and titles
    readable, the newest article's detail top right with its excerpt right under the
    fields, its related coverage (`· 1` in the border) below, sized to fit, the status bar
    (4 left, 1 published, 4 shown) and the footer's keys."""
    app = _app(new_app, seeds_dir, db_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps())


def test_after_publish(snap_compare: SnapCompare, new_app: AppFactory, seeds_dir: Path,
                       db_path: Path) -> None:
    """After `p`: the first row stays in place, dimmed with ✓; the cursor is on the next
    undecided article (000, `+1`), whose related pane lists 001 (✓) under `Same story in this
    folder`; the status bar says 3 left and session 1; Undo is in the footer."""
    app = _app(new_app, seeds_dir, db_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps("p"))


def test_help(snap_compare: SnapCompare, new_app: AppFactory, seeds_dir: Path,
              db_path: Path) -> None:
    """The help screen over the triage screen: every key grouped by where it works."""
    app = _app(new_app, seeds_dir, db_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps("f1"))


def test_palette(snap_compare: SnapCompare, new_app: AppFactory, seeds_dir: Path,
                 db_path: Path) -> None:
    """The command palette filtered by `sort`: the sort commands, with their help lines."""
    app = _app(new_app, seeds_dir, db_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps("ctrl+p", *"sort"))


def test_filtered_list(snap_compare: SnapCompare, new_app: AppFactory, seeds_dir: Path,
                       db_path: Path) -> None:
    """The list after `f` (undecided only) and a search for `deep`: the filter line says
    `Showing undecided · search deep · by date` and only matching undecided rows are listed."""
    app = _app(new_app, seeds_dir, db_path)
    assert snap_compare(
        app, terminal_size=SIZE, run_before=steps("f", "slash", *"deep", "enter")
    )


def test_hostile_article(snap_compare: SnapCompare, app_factory: Callable[[Path], AppFactory],
                         hostile_dir: Path, db_path: Path) -> None:
    """A hostile article first in the list: its title, provider, topic and related title show
    `[bold red]x[/]`, `[@click=app.quit]`, `[b]Evil[/b]` and `$accent` literally, with no
    escape sequence; it is a video with its own link; the notice above it names the file that
    would not parse. The problems toast is cleared: it would cover the related title."""
    app = _app(app_factory(hostile_dir), hostile_dir, db_path)

    async def run_before(pilot: Pilot[object]) -> None:
        await steps()(pilot)
        pilot.app.clear_notifications()
        await pilot.pause()

    assert snap_compare(app, terminal_size=SIZE, run_before=run_before)


def test_narrow_screen(snap_compare: SnapCompare, new_app: AppFactory, seeds_dir: Path,
                       db_path: Path) -> None:
    """At 80x24 the panes stack: no header, the list full width on top (titles readable),
    the article under it with its excerpt right below the fields, related coverage one line
    (its count in the border), then the status bar and the footer."""
    app = _app(new_app, seeds_dir, db_path)
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps())


def test_skip_reason(snap_compare: SnapCompare, new_app: AppFactory, seeds_dir: Path,
                     db_path: Path) -> None:
    """After `S`: the skip-reason modal over the triage screen, with quick keys 1-4
    (duplicate, off-topic, low quality, paywall), the first highlighted, an empty box for
    another reason and a one-line hint."""
    app = _app(new_app, seeds_dir, db_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=steps("S"))

"""Snapshot tests: the app at 120x40 (a few at 80x24), on the seeds, at a fixed clock, with
the index warm."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path

from textual.pilot import Pilot
from textual.widgets import Input

from reader.app import NewsReader
from reader.data.article import Decision
from reader.data.decisions.store import TriageStore
from tests.ui.conftest import SIZE, AppFactory, warm

SnapCompare = Callable[..., bool]


def steps(*keys: str) -> Callable[[Pilot[object]], Awaitable[None]]:
    """Wait for the scan, press the keys, then stop every cursor blinking."""

    async def run_before(pilot: Pilot[object]) -> None:
        """The steps, with the scan (and the reading of the site it starts) done before and
        after."""
        await settled(pilot)
        await pilot.press(*keys)
        await pilot.pause()
        await settled(pilot)
        for box in _inputs(pilot.app):
            box.cursor_blink = False
        await pilot.pause()

    return run_before


async def settled(pilot: Pilot[object]) -> None:
    """Wait out the workers, and those their messages start (a scan starts reading the
    site), and the messages they send."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def _inputs(app: object) -> Iterable[Input]:
    """The text boxes of the app's screen."""
    assert isinstance(app, NewsReader)
    return app.screen.query(Input)


def _app(factory: AppFactory, root: Path, db_path: Path) -> NewsReader:
    """The app on `root`, its index warm."""
    warm(root, db_path)
    return factory()


def test_main_screen(snap_compare: SnapCompare, new_app: AppFactory, seeds_dir: Path,
                     db_path: Path) -> None:
    """The triage screen on the five seeds: four rows (000 and its story mate 001, published
    by its file, are one row marked `+1`) on the left 58% with providers and titles
    readable, the newest article's detail top right with its excerpt right under the
    fields and the line `Not on the site — no site found: published: false`, its related
    coverage (`· 1` in the border) below, sized to fit, the filter line's `live without a
    decision: 1` (001), the status bar (4 left, 1 published, 4 shown, `no site found: no
    _config.yml in seeds or above it`) and the footer's keys."""
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
        """The scan, then no toast."""
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


# -- 80x24: help, the apply preview; toasts at both sizes ---------------------------------

NARROW = (80, 24)
"""The small terminal the layout must still work in."""


def test_help_narrow(snap_compare: SnapCompare, new_app: AppFactory, seeds_dir: Path,
                     db_path: Path) -> None:
    """The help at 80x24: the box fills the width, keys, names and explanations in three
    columns; an explanation too long for its column (`Quit newsreader (every decision is`
    / `already saved)`) goes on under that column, never back at the left margin; the
    footer under it keeps `q Quit` and `? Help`."""
    app = _app(new_app, seeds_dir, db_path)
    assert snap_compare(app, terminal_size=NARROW, run_before=steps("f1"))


def test_apply_preview_narrow(snap_compare: SnapCompare, new_app: AppFactory,
                              seeds_dir: Path, db_path: Path) -> None:
    """The apply preview at 80x24 for publish 004, skip 001 and skip 003 (a press release):
    it fills the terminal; the summary wraps onto a second line, whole; beside the two
    edits, the first's (001, highlighted) diff shows every line, `-published: true` (red)
    and `+published: false` (green) included; under them the one file not written, and the
    footer's Apply and Cancel."""
    warm(seeds_dir, db_path)
    store = TriageStore(db_path)
    try:
        store.decide(["004_82dd85211220d7b2.txt"], Decision.PUBLISHED)
        store.decide(["001_38bcfbeb79dc117a.txt"], Decision.SKIPPED, "paywall")
        store.decide(["003_d5ead589fc54e32c.txt"], Decision.SKIPPED)
    finally:
        store.close()
    assert snap_compare(new_app(), terminal_size=NARROW, run_before=steps("A"))


def _toasts(pilot: Pilot[object]) -> Awaitable[None]:
    """Wait for the scan, then show two toasts (one a warning) that stay."""

    async def run_before() -> None:
        """The scan, then the toasts."""
        await steps()(pilot)
        pilot.app.notify("Skipped 1 article: 004_82dd85211220d7b2.txt", title="Skip",
                         timeout=600)
        pilot.app.notify("The folder is being scanned: apply when it is done. This toast is "
                         "long enough to wrap onto more lines.", severity="warning",
                         timeout=600)
        await pilot.pause()
        await pilot.pause()

    return run_before()


def test_toasts(snap_compare: SnapCompare, new_app: AppFactory, seeds_dir: Path,
                db_path: Path) -> None:
    """Two toasts at 120x40: stacked bottom right over the article pane, as wide as it,
    clear of the list and above the status bar and the footer."""
    app = _app(new_app, seeds_dir, db_path)
    assert snap_compare(app, terminal_size=SIZE, run_before=_toasts)


def test_toasts_narrow(snap_compare: SnapCompare, new_app: AppFactory, seeds_dir: Path,
                       db_path: Path) -> None:
    """Two toasts at 80x24: over the right 60% of the article pane, under the list (its
    cursor row in view), above the status bar and the footer."""
    app = _app(new_app, seeds_dir, db_path)
    assert snap_compare(app, terminal_size=NARROW, run_before=_toasts)

"""A daily driver's keys: n/N, the selection's count, Esc clearing it, bulk decisions that
advance and say what they did off screen, and undo toasts that say what they undid."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from reader.app import NewsReader
from reader.data.article import Decision
from reader.data.query import Filter
from reader.paths import bundled_seeds
from tests.ui.conftest import SIZE, AppFactory, warm
from tests.ui.test_triage import ORDER, listed, screen, start, stored


def toasts(app: NewsReader) -> list[str]:
    """Every notification's text so far (run_test does not show toasts)."""
    return [str(n.message) for n in app._notifications]


def status(app: NewsReader) -> str:
    """The status bar's line."""
    return str(app.screen.query_one("#status").render())


async def test_n_and_shift_n_move_between_undecided_articles_without_deciding(
    new_app: AppFactory, db_path: Path
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        lst = screen(app).article_list
        await pilot.press("n")
        assert lst.cursor_id == ORDER[1]
        await pilot.press("n")  # ORDER[2] is published: passed over
        assert lst.cursor_id == ORDER[3]
        await pilot.press("N", "N")
        assert lst.cursor_id == ORDER[0]
        await pilot.press("N")  # wraps round to the last undecided
        assert lst.cursor_id == ORDER[4]
        assert all(state is not Decision.SKIPPED for _, state in listed(app))
    assert stored(db_path, *ORDER) == [Decision.UNDECIDED, Decision.UNDECIDED,
                                       Decision.PUBLISHED, Decision.UNDECIDED,
                                       Decision.UNDECIDED]


async def test_n_says_so_when_nothing_else_is_undecided(new_app: AppFactory) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        for _ in range(3):
            await pilot.press("s")
            await pilot.pause()
        lst = screen(app).article_list
        where = lst.cursor_id
        await pilot.press("n")
        await pilot.pause()
        assert lst.cursor_id == where
        assert toasts(app)[-1] == "No other undecided article in the list"


async def test_the_status_bar_counts_the_selection_and_esc_clears_it(
    new_app: AppFactory,
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("f")  # a filter, to see that Esc clears the selection first
        await pilot.pause()
        await pilot.press("space", "j", "space")
        await pilot.pause()
        lst = screen(app).article_list
        assert len(lst.selected) == 2
        assert "2 selected" in status(app)
        await pilot.press("escape")
        await pilot.pause()
        assert not lst.selected and "selected" not in status(app)
        assert screen(app).filters.state is Decision.UNDECIDED  # the filter stays
        await pilot.press("escape")
        await pilot.pause()
        assert screen(app).filters == Filter()


async def test_a_bulk_decision_advances_and_counts_what_is_off_screen(
    new_app: AppFactory, seeds_dir: Path, db_path: Path
) -> None:
    for n in range(60):  # more rows than the list shows at 120x40
        shutil.copy(seeds_dir / ORDER[1], seeds_dir / f"copy_{n:02d}.txt")
    warm(seeds_dir, db_path)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        lst = screen(app).article_list
        last = lst.rows[-1].id
        await pilot.press("end", "space", "home", "space")
        await pilot.pause()
        first = lst.rows[0].id
        assert lst.selected == {first, last}
        await pilot.press("home", "s")
        await pilot.pause()
        assert toasts(app)[-1] == "Skipped 2 articles (1 of them off screen)"
        assert not lst.selected
        assert lst.cursor_id == lst.rows[1].id  # advanced to the next undecided
    assert stored(db_path, first, last) == [Decision.SKIPPED, Decision.SKIPPED]


async def test_undo_says_it_undid_a_decision(new_app: AppFactory) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("s", "u")
        await pilot.pause()
        assert toasts(app)[-1] == "Undone: a decision on 1 article"
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert toasts(app)[-1] == "Redone: a decision on 1 article"


async def test_a_restart_comes_back_to_the_filter_sort_and_article(
    new_app: AppFactory, db_path: Path
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("f", "equals_sign")  # undecided, by quality
        await pilot.pause()
        lst = screen(app).article_list
        await pilot.press("j")
        await pilot.pause()
        chosen = lst.cursor_id
        assert chosen is not None and chosen != lst.rows[0].id
        kept = screen(app).filters
    again = new_app()
    async with again.run_test(size=SIZE) as pilot:
        await again.workers.wait_for_complete()
        await pilot.pause()
        assert screen(again).filters == kept == Filter(state=Decision.UNDECIDED, sort="quality")
        assert screen(again).article_list.cursor_id == chosen
        assert "Showing undecided" in str(again.screen.query_one("#filter-line").render())


async def test_enter_goes_to_the_first_match_and_esc_restores_the_filter_before(
    new_app: AppFactory,
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("f")  # undecided
        await pilot.pause()
        lst = screen(app).article_list
        await pilot.press("G")  # the cursor on the last row, which the search keeps
        await pilot.pause()
        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*"owkin", "enter")
        await pilot.pause()
        assert screen(app).filters == Filter(state=Decision.UNDECIDED, search="owkin")
        assert lst.cursor_id == lst.rows[0].id
        assert len(lst.rows) >= 2
        await pilot.press("escape")
        await pilot.pause()
        assert screen(app).filters == Filter(state=Decision.UNDECIDED)
        await pilot.press("escape")
        await pilot.pause()
        assert screen(app).filters == Filter()


async def test_the_demo_says_it_is_the_demo_and_how_to_open_a_folder(
    app_factory: Callable[[Path], AppFactory], new_app: AppFactory
) -> None:
    app = app_factory(bundled_seeds())()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        said = [t for t in toasts(app) if "demo" in t]
        assert len(said) == 1 and "newsreader PATH" in said[0] and "cache: PATH" in said[0]
    other = new_app()  # a folder of one's own (a copy of the seeds): no such toast
    async with other.run_test(size=SIZE) as pilot:
        await other.workers.wait_for_complete()
        await pilot.pause()
        assert not any("demo" in t for t in toasts(other))

"""What keeps keys fast at 50,000 articles: no footer rebuild per move, search in memory."""

from __future__ import annotations

import itertools
import sqlite3
import sys
from pathlib import Path

import pytest
from textual.message import Message
from textual.pilot import Pilot

from reader.app import NewsReader, make_app
from reader.config import Settings
from reader.data import query
from reader.data.article import Decision
from reader.data.library import Library
from reader.data.query import SORTS, Filter, Sort
from reader.messages import RowsLoaded, ScanFinished
from reader.triage import model as triage
from reader.triage.rows import LoadedRows, needs_sql
from reader.triage.screen import TriageScreen
from reader.widgets import key_footer
from reader.widgets.key_footer import KeyFooter
from tests.ui.conftest import NOW, SIZE, AppFactory, counted, warm

PLAIN = """\
---
title: "Plain article {n}"
publishedDateTime: 2030-01-0{n}T10:00:00Z
webUrl: "https://example.com/plain-{n}"
published: false
provider:
  name: Example
  domain: example.com
---
"""
"""A newest-first article of its own story, with a link: every such row shows the same keys."""


def add_plain(root: Path, count: int) -> None:
    """Put `count` plain articles at the top of the list."""
    for n in range(1, count + 1):
        (root / f"200_plain_{n}.md").write_text(PLAIN.format(n=n), encoding="utf-8")


def screen(app: NewsReader) -> TriageScreen:
    """The triage screen."""
    assert isinstance(app.screen, TriageScreen)
    return app.screen


async def test_cursor_moves_do_not_repaint_the_footer(
    new_app: AppFactory, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_plain(seeds_dir, 2)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        repaints = counted(monkeypatch, footer, "refresh")
        for _ in range(25):
            await pilot.press("down", "up")
        await pilot.pause()
        assert repaints == []
        assert "undo" not in {key.action for key in footer.keys.left}
        await pilot.press("p")  # now there is something to undo: the footer shows it
        await pilot.pause()
        await pilot.pause()
        assert "undo" in {key.action for key in footer.keys.left} and repaints


STATES = (None, *Decision)
SEARCHES = (None, "", "   ", "owkin", "deep learn", "CANCER", '"', "zzz-none", "\x00x", "é")


@pytest.mark.parametrize("sort", SORTS)
def test_rows_in_memory_match_sql(hostile_dir: Path, db_path: Path, sort: Sort) -> None:
    """Search, state and provider filters applied in memory give query.rows' list exactly,
    also after decisions change states (as the screen passes them on)."""
    warm(hostile_dir, db_path)
    library = Library(hostile_dir, db_path)
    try:
        loaded = LoadedRows(sort, query.rows(library, Filter(sort=sort)))
        providers = [None, "nope", *(name for name, _ in query.providers(library))]
        ids = [row.id for row in loaded.rows]
        for step in range(3):
            for state, search, provider in itertools.product(STATES, SEARCHES, providers):
                flt = Filter(state=state, search=search, provider=provider, sort=sort)
                assert not needs_sql(flt)
                assert loaded.select(library, flt) == query.rows(library, flt), flt
            decided = ids[step::2]
            library.store.decide(decided, [*Decision][step % 3])
            loaded.set_states(query.states(library, decided))
    finally:
        library.close()


def test_topic_reason_and_story_need_sql() -> None:
    assert needs_sql(Filter(topic="AI")) and needs_sql(Filter(reason="duplicate"))
    assert needs_sql(Filter(story="000")) and not needs_sql(Filter(search="x", provider="y"))


async def test_search_counts_nothing_again(
    new_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search filters in memory: the list is query.rows', and no count is taken."""
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        calls: list[object] = []
        monkeypatch.setattr(query, "counts", lambda *args: calls.append(args))
        await pilot.press("slash", *"owkin", "enter")
        await pilot.pause()
        triage = screen(app)
        expected = query.rows(triage.library, triage.filters)
        shown = [r.id for r in triage.article_list.rows]  # one row per story, in order
        assert [r.id for r in expected if r.id in shown] == shown
        assert len(shown) >= len(query.group_stories(expected))
        assert triage.filters.search == "owkin" and expected and not calls


async def test_typing_a_search_works_out_its_rows_before_enter(
    new_app: AppFactory, seeds_dir: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A worker works out the rows of the search being typed; Enter shows them, searching
    nothing on the app's thread. If the index changed in between, Enter searches again."""
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        triage = screen(app)
        await pilot.press("z", "slash", *"owkin", "enter")  # flat; every row now in memory
        await pilot.pause()
        searches = counted(monkeypatch, LoadedRows, "select")

        async def type_in(word: str) -> None:
            await pilot.press("slash", "end", "ctrl+u", *word)
            await app.workers.wait_for_complete()
            await pilot.pause()

        await type_in("breast cancer")
        assert triage.filters.search == "owkin"  # typing applies nothing
        await pilot.press("enter")
        await pilot.pause()
        assert not searches
        expected = query.rows(triage.library, triage.filters)
        assert triage.filters.search == "breast cancer" and len(expected) > 1
        assert triage.article_list.rows == expected
        assert "breast cancer" in str(triage.query_one("#filter-line").render())
        prepared = counted(monkeypatch, LoadedRows, "prepare")
        await type_in("")  # an empty box lists everything: nothing to work out
        assert not prepared
        await type_in("deep")
        assert prepared
        (seeds_dir / "100_new.md").write_text(PLAIN.format(n=1), encoding="utf-8")
        warm(seeds_dir, db_path)  # another connection indexes a new file: rowids may move
        await pilot.press("enter")
        await pilot.pause()
        assert searches == [1]
        assert triage.article_list.rows == query.rows(triage.library, triage.filters)


async def test_a_search_worked_out_in_vain_is_searched_on_enter(
    new_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker's own connection fails: nothing is said, and Enter searches as ever."""
    def fail(*args: object) -> None:
        raise sqlite3.OperationalError("disk I/O error")

    monkeypatch.setattr(LoadedRows, "prepare", fail)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        triage = screen(app)
        await pilot.press("z", "slash", *"owkin", "enter", "slash", "end", "ctrl+u", *"deep")
        await app.workers.wait_for_complete()
        await pilot.press("enter")
        await pilot.pause()
        assert triage.filters.search == "deep" and not app._notifications
        assert triage.article_list.rows == query.rows(triage.library, triage.filters)


async def past_the_warm_start(app: NewsReader, pilot: Pilot[None]) -> None:
    """Wait out the rescan, then the worker reading every row that it starts."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()


async def test_first_page_then_the_rescan_then_every_row(
    new_app: AppFactory, seeds_dir: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm start shows a first page, rescans, then a worker swaps in every row: the
    rescan's working set is freed before every row is read, not held on top of them."""
    monkeypatch.setattr(triage, "FIRST_PAGE", 2)
    warm(seeds_dir, db_path)
    app = new_app()
    seen: list[Message] = []

    def hook(message: Message) -> None:
        if isinstance(message, (RowsLoaded, ScanFinished)) and message not in seen:
            seen.append(message)  # once: a ScanFinished bubbles up to the app

    async with app.run_test(size=SIZE, message_hook=hook) as pilot:
        await past_the_warm_start(app, pilot)
        triage_screen = screen(app)
        expected = query.group_stories(query.rows(triage_screen.library, triage_screen.filters))
        assert [r.id for r in triage_screen.article_list.rows] == [r.id for r in expected]
        assert triage_screen.shown == len(expected)
        assert [type(message) for message in seen] == [ScanFinished, RowsLoaded]
        assert len(seen[1].rows) == 5  # type: ignore[attr-defined]


async def test_new_files_at_a_warm_start_are_counted_once_every_row_is_read(
    new_app: AppFactory, seeds_dir: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files added since the last run are announced with every row listed, not just those
    of the first page: here both are older than the two rows the first page holds."""
    monkeypatch.setattr(triage, "FIRST_PAGE", 2)
    warm(seeds_dir, db_path)
    for n in (1, 2):
        (seeds_dir / f"300_old_{n}.md").write_text(
            PLAIN.format(n=n).replace("2030-01-0", "1990-01-0"), encoding="utf-8")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await past_the_warm_start(app, pilot)
        toasts = [str(n.message) for n in app._notifications]
        assert "2 new articles" in toasts
        assert screen(app).article_list.index_of("300_old_1.md") is not None


async def test_a_failed_read_of_every_row_says_so_and_keeps_the_first_page(
    new_app: AppFactory, seeds_dir: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The worker reading every row fails: the toast names that (not the scan), the first
    page stays listed, and a decision is still recorded."""
    monkeypatch.setattr(triage, "FIRST_PAGE", 2)
    warm(seeds_dir, db_path)
    real = query.rows

    def rows(library: Library, flt: Filter | None = None, limit: int | None = None) -> object:
        if limit is None and flt == Filter():  # the worker's read of every row
            raise sqlite3.OperationalError("disk I/O error")
        return real(library, flt or Filter(), limit)

    monkeypatch.setattr(query, "rows", rows)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await past_the_warm_start(app, pilot)
        toasts = [str(n.message) for n in app._notifications]
        assert toasts == ["Reading every row failed: disk I/O error"]
        triage_screen = screen(app)
        first = triage_screen.article_list.cursor_id
        assert first is not None and len(triage_screen.article_list.rows) == 2
        await pilot.press("s")
        await pilot.pause()
    library = Library(seeds_dir, db_path)
    try:
        assert query.states(library, [first]) == {first: Decision.SKIPPED}
    finally:
        library.close()


async def test_binding_changes_in_a_row_are_read_once(
    new_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A screen publishes several binding changes in a row (at start, on a focus change): the
    footer reads the bindings once for all of them, and repaints only if its keys changed."""
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        footer = app.screen.query_one(KeyFooter)
        reads = counted(monkeypatch, key_footer, "shown_keys")
        repaints = counted(monkeypatch, footer, "refresh")
        for _ in range(5):
            app.screen.refresh_bindings()
        await pilot.pause()
        await pilot.pause()
        assert len(reads) == 1 and repaints == []
        assert "quit" in {key.action for key in footer.keys.left}


async def test_the_pool_helper_starts_after_the_first_frame_with_real_stderr(
    new_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The resource tracker (a second Python process) is not started before the first frame,
    and its launch sees the real stderr: Textual's stand-in has no usable descriptor."""
    from reader.triage import workers as scanning

    seen: list[tuple[object, bool]] = []

    def prepare() -> None:
        screen = app.screen
        assert isinstance(screen, TriageScreen)
        seen.append((sys.stderr, screen.painted.is_set()))

    monkeypatch.setattr(scanning, "prepare_workers", prepare)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert seen == [(sys.__stderr__, False)]  # once, before the workers were let go
        assert screen(app).painted.is_set()


async def test_what_waits_for_the_first_frame_runs_once_after_it(
    seeds_dir: Path, db_path: Path
) -> None:
    """`newsreader` keeps the cyclic collector paused until then (see reader.__main__)."""
    seen: list[bool] = []
    app = make_app(seeds_dir, db_path, Settings(), now=lambda: NOW,
                   after_first_frame=lambda: seen.append(screen(app).painted.is_set()))
    async with app.run_test(size=SIZE) as pilot:
        await past_the_warm_start(app, pilot)
        assert seen == [True]
        await pilot.press("question_mark")  # another screen, then back
        await pilot.press("escape")
        await pilot.press("r")  # and a rescan
        await past_the_warm_start(app, pilot)
    assert seen == [True]


async def test_a_cursor_move_does_not_repaint_the_whole_screen(new_app: AppFactory) -> None:
    """The screen's state (article, members, counts...) is passed down to the panes: a change
    repaints the panes that show it. As repainting reactives, each cursor move repainted
    the whole screen, a second full frame (~13 KB of output) per key."""
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("z")
        await pilot.pause()
        triage = screen(app)
        repaints: list[object] = []
        real = triage.refresh

        def counted(*regions: object, **kw: object) -> object:
            repaints.append((regions, kw))
            return real(*regions, **kw)  # type: ignore[arg-type]

        triage.refresh = counted  # type: ignore[method-assign,assignment]
        before = triage.article
        await pilot.press("down", "down", "p", "u")
        await pilot.pause()
        assert triage.article is not None and triage.article != before  # the state moved
        assert repaints == []

"""Articles new to the editor: found since their last session, or by this one's rescans.
They are marked N in the list (a folded story too when a member is new), a toast counts
them, and `w` shows only them; the filter is kept for the next start."""

from __future__ import annotations

import shutil
from pathlib import Path

from reader.app import NewsReader
from reader.data.query import Filter
from tests.ui.conftest import SIZE, AppFactory
from tests.ui.test_daily import toasts
from tests.ui.test_triage import screen, start


def list_lines(app: NewsReader) -> list[str]:
    """The article list's lines as drawn."""
    lst = screen(app).article_list
    return [lst.render_line(y).text for y in range(len(lst.rows))]


def new_lines(app: NewsReader) -> list[str]:
    """The list's lines marked new (an N before the state)."""
    return [line for line in list_lines(app) if line.startswith("N")]


def add_copy(seeds_dir: Path, title: str) -> str:
    """A new article: a copy of a seed with its own title and URL; its id."""
    (seed,) = seeds_dir.glob("004_*")
    text = seed.read_text(encoding="utf-8")
    head, body = text.split("\n---", 1)[0], text.split("\n---", 1)[1]
    lines = [f'title: "{title}"' if line.startswith("title:") else line
             for line in head.splitlines()]
    lines = [line.replace("https://", "https://new.example/") if "Url" in line else line
             for line in lines]
    path = seeds_dir / "900_new.txt"
    path.write_text("\n".join(lines) + "\n---" + body, encoding="utf-8")
    return path.name


async def test_a_first_session_marks_nothing_and_w_lists_nothing(
    new_app: AppFactory,
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert not new_lines(app)
        assert screen(app).model.new_after is not None  # known once the first scan ended
        await pilot.press("w")
        await pilot.pause()
        assert screen(app).article_list.rows == []
        assert "new only" in str(app.screen.query_one("#filter-line").render())


async def test_the_next_session_marks_what_arrived_and_w_lists_only_it(
    new_app: AppFactory, seeds_dir: Path
) -> None:
    first = new_app()
    async with first.run_test(size=SIZE) as pilot:
        await start(first, pilot)
    new_id = add_copy(seeds_dir, "Volcano wakes up over the fjord")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        marked = new_lines(app)
        assert len(marked) == 1 and "Volcano wakes up" in marked[0]
        assert "1 new article, marked N in the list" in toasts(app)
        await pilot.press("w")
        await pilot.pause()
        assert [row.id for row in screen(app).article_list.rows] == [new_id]
        assert "new only" in str(app.screen.query_one("#filter-line").render())
        assert screen(app).filters.new_after is not None
    again = new_app()  # the kept filter shows what is new to this session: nothing
    async with again.run_test(size=SIZE) as pilot:
        await start(again, pilot)
        assert screen(again).filters.new_after is not None
        assert screen(again).article_list.rows == []
        await pilot.press("w")
        await pilot.pause()
        assert screen(again).filters == Filter()
        assert not new_lines(again)  # listed by the last session: no longer new


async def test_a_rescan_marks_what_it_found_and_a_folded_story_shows_it(
    new_app: AppFactory, seeds_dir: Path
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        # A copy of a seed that is in a story: same URL, so it joins that story.
        (seed,) = seeds_dir.glob("001_*")
        shutil.copy(seed, seeds_dir / "901_copy.txt")
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        lst = screen(app).article_list
        folded = [row for row in lst.rows if lst.index_of("901_copy.txt") is None
                  and row.story == lst.loaded_row("901_copy.txt").story]
        assert folded, "the copy is folded into its story"
        marked = new_lines(app)
        assert len(marked) == 1 and marked[0][2:].lstrip().startswith(
            folded[0].published_at.strftime("%Y-%m-%d"))
        assert "1 new article, marked N in the list" in toasts(app)

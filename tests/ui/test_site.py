"""What the site's Jekyll does with each article, on screen: the status bar names the site
(or says there is none), the article pane says whether the article is on the site and by
which rule, the list marks what is live without a decision and `l` lists only those, and a
changed `_config.yml` shows without reading an article again."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from reader.app import NewsReader
from reader.data.library import Library
from reader.widgets.article_detail import ArticleDetail
from reader.widgets.status_bar import StatusBar
from tests.ui.conftest import SIZE, AppFactory, counted
from tests.ui.test_triage import screen

NO_KEY = "900_no_key.txt"
"""An article whose file has no `published:` key: the site's rules decide it."""
PUBLISHED = "001_38bcfbeb79dc117a.txt"
"""The seed whose file says `published: true`."""
HIDDEN = """\
collections:
  news:
    output: true
defaults:
  - scope:
      path: "_news"
    values:
      published: false
"""
"""A site that keeps every article of `_news` off the site until its file says otherwise."""
REPO_SEEDS = Path(__file__).resolve().parents[2] / "seeds"
"""The repo's five seed articles."""
OPEN = "collections:\n  news:\n    output: true\n"
"""The same site without the default: an article without the key is live."""


def add_no_key(folder: Path) -> None:
    """A copy of a seed without its `published:` line, its own title and URL."""
    (seed,) = REPO_SEEDS.glob("004_*")
    lines = [line for line in seed.read_text(encoding="utf-8").splitlines()
             if not line.startswith("published:")]
    lines = ['title: "No key here"' if line.startswith("title:") else
             line.replace("https://", "https://new.example/") for line in lines]
    (folder / NO_KEY).write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A Jekyll site (`_config.yml` with a `published: false` default for `_news`) whose
    `_news` holds the seeds and an article without the key; the `_news` folder."""
    (tmp_path / ".git").mkdir()  # a work tree's top: no _config.yml above it is looked for
    news = Path(shutil.copytree(REPO_SEEDS, tmp_path / "site" / "_news"))
    (tmp_path / "site" / "_config.yml").write_text(HIDDEN, encoding="utf-8")
    add_no_key(news)
    return news


@pytest.fixture
def no_site(seeds_dir: Path, tmp_path: Path) -> Path:
    """The seeds and an article without the key, with no site above them."""
    (tmp_path / ".git").mkdir()
    add_no_key(seeds_dir)
    return seeds_dir


async def settle(app: NewsReader, pilot: object, *keys: str) -> None:
    """Press the keys, then wait out the workers they (and those workers) start."""
    await pilot.press(*keys)  # type: ignore[attr-defined]
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]


def pane(app: NewsReader) -> str:
    """The article pane's text."""
    return str(app.screen.query_one(ArticleDetail).body)


def status(app: NewsReader) -> str:
    """The status bar's text."""
    return str(app.screen.query_one(StatusBar).render())


def filter_line(app: NewsReader) -> str:
    """The line above the list."""
    return str(app.screen.query_one("#filter-line").render())


def line_of(app: NewsReader, article_id: str) -> str:
    """The list's line for an article, as drawn."""
    lst = screen(app).article_list
    index = lst.index_of(article_id)
    assert index is not None, f"{article_id} is not listed"
    return lst.render_line(index).text


async def go_to(app: NewsReader, pilot: object, article_id: str) -> None:
    """Put the cursor on an article."""
    assert screen(app).article_list.reveal(article_id)
    await pilot.pause()  # type: ignore[attr-defined]


async def test_a_published_false_default_keeps_an_article_without_the_key_off_the_site(
    app_factory: Callable[[Path], AppFactory], site: Path
) -> None:
    app = app_factory(site)()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, NO_KEY)
        text = pane(app)
        assert 'Not on the site — published: false from defaults[0] (path "_news")' in text
        assert "site: ../_config.yml" in status(app)
        assert line_of(app, NO_KEY).startswith(" · ")  # undecided and off the site: as said
        await go_to(app, pilot, PUBLISHED)
        assert "On the site: live — published: true in the file" in pane(app)
        assert "live without a decision: 1" in filter_line(app)


async def test_a_press_release_is_said_to_be_a_static_file(
    app_factory: Callable[[Path], AppFactory], site: Path
) -> None:
    app = app_factory(site)()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        (press,) = [p.name for p in site.glob("003_*")]
        await go_to(app, pilot, press)
        text = pane(app)
        assert "Not on the site — Jekyll sees no front matter" in text
        assert "as a static file" in text and "not as a news page" in text


async def test_l_lists_only_what_is_live_without_a_decision(
    app_factory: Callable[[Path], AppFactory], no_site: Path, db_path: Path
) -> None:
    app = app_factory(no_site)()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot, "z")  # flat: one row per article
        # No site: a file without the key is live (Jekyll's own default), undecided: `!`.
        assert line_of(app, NO_KEY).startswith(" ! ")
        assert line_of(app, PUBLISHED).startswith(" ✓ ")  # live, as its glyph says
        lst = screen(app).article_list
        mark, *_ = [seg for seg in lst.render_line(lst.index_of(NO_KEY) or 0) if seg.text == "!"]
        assert mark.style is not None and mark.style.bold  # in the warning colour, bold
        assert "live without a decision: 2" in filter_line(app)
        await settle(app, pilot, "l")
        assert {row.id for row in screen(app).article_list.rows} == {NO_KEY, PUBLISHED}
        assert filter_line(app) == "Showing all · live without a decision: 2 · by date"
        library = Library(no_site, db_path)
        try:
            assert set(library.live_undecided()) == {NO_KEY, PUBLISHED}
        finally:
            library.close()
        await go_to(app, pilot, NO_KEY)
        await settle(app, pilot, "s")  # decided: no longer live without a decision
        assert "live without a decision: 1" in filter_line(app)
        assert line_of(app, NO_KEY).startswith(" ✗ ")  # skipped, still live until applied
        await settle(app, pilot, "l")
        assert filter_line(app) == "Showing all · by date  │ live without a decision: 1"
        assert len(screen(app).article_list.rows) == 6


async def test_no_site_is_said_in_the_status_bar(
    app_factory: Callable[[Path], AppFactory], no_site: Path
) -> None:
    app = app_factory(no_site)()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert "no site found: no _config.yml in seeds or above it" in status(app)
        await go_to(app, pilot, NO_KEY)
        assert "On the site: live — no site found: no published: key" in pane(app)


async def test_an_edited_config_shows_at_r_without_reading_an_article_again(
    app_factory: Callable[[Path], AppFactory], site: Path
) -> None:
    app = app_factory(site)()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, NO_KEY)
        assert "Not on the site — published: false from defaults[0]" in pane(app)
        assert line_of(app, NO_KEY).startswith(" · ")
        (site.parent / "_config.yml").write_text(OPEN, encoding="utf-8")
        await settle(app, pilot, "r")
        assert "On the site: live — no published: key and no default for it" in pane(app)
        assert line_of(app, NO_KEY).startswith(" ! ")
        assert "live without a decision: 2" in filter_line(app)


async def test_the_periodic_check_sees_an_edited_config(
    app_factory: Callable[[Path], AppFactory], site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = app_factory(site)()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, NO_KEY)
        refreshes = counted(monkeypatch, Library, "refresh")
        (site.parent / "_config.yml").write_text(OPEN, encoding="utf-8")
        screen(app)._follow_store()  # what the timer runs every second
        await settle(app, pilot)
        assert "On the site: live — no published: key and no default for it" in pane(app)
        assert line_of(app, NO_KEY).startswith(" ! ")
        assert refreshes == []  # no file was read again
        (site.parent / "_config.yml").write_text(HIDDEN, encoding="utf-8")
        screen(app)._follow_store()
        await settle(app, pilot)
        assert "Not on the site — published: false from defaults[0]" in pane(app)
        assert line_of(app, NO_KEY).startswith(" · ")

"""After the cursor moves, the panes show the article under it: never one left behind."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.geometry import Offset
from textual.selection import Selection

from reader.app import NewsReader
from reader.triage.screen import TriageScreen
from reader.widgets.article_detail import ArticleDetail
from reader.widgets.related_links import RelatedLinks
from tests.ui.conftest import SIZE, AppFactory, counted

ARTICLE = """\
---
title: "Held key article {n}"
publishedDateTime: 2030-01-{day:02d}T10:00:00Z
webUrl: "https://example.com/held-{n}"
excerpt: "{text}"
published: false
provider:
  name: Example
  domain: example.com
---
"""
"""A newest-first article of its own story, with an excerpt long enough to scroll."""


def add_articles(root: Path, count: int) -> None:
    """Put `count` articles at the top of the list, newest first."""
    text = " ".join(["A long line of text that wraps in the article pane."] * 40)
    for n in range(1, count + 1):
        (root / f"300_held_{n:02d}.md").write_text(
            ARTICLE.format(n=n, day=29 - n, text=text), encoding="utf-8")


def triage(app: NewsReader) -> TriageScreen:
    """The triage screen."""
    assert isinstance(app.screen, TriageScreen)
    return app.screen


async def test_holding_j_ends_on_the_right_article(new_app: AppFactory, seeds_dir: Path) -> None:
    """Keys pressed faster than frames: once settled, both panes show the cursor's article."""
    add_articles(seeds_dir, 12)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = triage(app)
        for _ in range(9):
            await pilot.press("j")
        await app.workers.wait_for_complete()
        await pilot.pause()
        row = screen.article_list.cursor_row
        assert row is not None and row.id == screen.article_list.rows[9].id
        detail, related = screen.query_one(ArticleDetail), screen.query_one(RelatedLinks)
        assert detail.article is not None and detail.article.id == row.id
        assert related.article is not None and related.article.id == row.id
        assert row.title in str(detail.body)


async def test_the_next_article_shows_from_its_top(new_app: AppFactory, seeds_dir: Path) -> None:
    """An article pane scrolled down shows the next article from its top."""
    add_articles(seeds_dir, 3)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        detail = triage(app).query_one(ArticleDetail)
        detail.scroll_end(animate=False)
        await pilot.pause()
        assert detail.scroll_offset.y > 0
        await pilot.press("j")
        await pilot.pause()
        assert detail.scroll_offset.y == 0


async def test_keys_queued_faster_than_frames_end_on_the_cursors_article(
    new_app: AppFactory, seeds_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Eleven `j` and three `k` queued at once, before the app handles any (a held key on a
    slow frame): once settled, both panes show the article under the cursor, drawn from
    its file, and the moves superseded on the way were not all loaded."""
    add_articles(seeds_dir, 12)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = triage(app)
        shown = counted(monkeypatch, screen, "_show")
        for key in ["j"] * 11 + ["k"] * 3:
            app.post_message(events.Key(key, key))
        await pilot.pause()
        await pilot.pause()
        row = screen.article_list.cursor_row
        assert row is not None and row.id == screen.article_list.rows[8].id
        detail, related = screen.query_one(ArticleDetail), screen.query_one(RelatedLinks)
        assert detail.article is not None and detail.article.id == row.id
        assert related.article is not None and related.article.id == row.id
        assert row.title in str(detail.body) and "Held key article" in row.title
        assert 1 <= len(shown) < 14


async def test_the_article_text_can_be_selected_for_copying(
    new_app: AppFactory, seeds_dir: Path
) -> None:
    """The article pane draws its own lines: text selected in it is still the article's."""
    add_articles(seeds_dir, 2)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        detail = triage(app).query_one(ArticleDetail)
        assert detail.article is not None
        app.screen.selections = {detail: Selection.from_offsets(Offset(0, 0), Offset(12, 0))}
        await pilot.pause()
        assert app.screen.get_selected_text() == detail.article.title[:12]

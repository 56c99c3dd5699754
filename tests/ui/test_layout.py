"""Layout at 120x40 and 80x24: toasts clear of the list and the status bar, the article pane's
room, help's columns, the apply preview's changed lines, and the related pane's keys."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Label, OptionList, Static
from textual.widgets._toast import Toast

from reader.app import NewsReader
from reader.data.article import Decision
from reader.data.decisions.store import TriageStore
from reader.dialogs.apply import ApplyScreen
from reader.dialogs.help import HelpScreen
from reader.messages import ScanProgressed
from reader.triage.screen import TriageScreen
from reader.widgets.article_detail import ArticleDetail
from reader.widgets.article_list import ArticleList
from reader.widgets.related_links import EMPTY_TEXT, SAME_STORY, RelatedLinks
from reader.widgets.status_bar import StatusBar
from tests.ui.conftest import AppFactory, warm
from tests.ui.test_stories import ARTICLE, FILES, LEAD

WIDE = (120, 40)
NARROW = (80, 24)
SIZES = [WIDE, NARROW]
"""The two sizes the app is checked at (the snapshots' too)."""
PUBLISH = "004_82dd85211220d7b2.txt"
"""The newest seed; its file says `published: false`."""
UNPUBLISH = "001_38bcfbeb79dc117a.txt"
"""The seed whose file says `published: true`."""
RELEASE = "003_d5ead589fc54e32c.txt"
"""The seed with no front matter (a press release): apply never rewrites it."""


async def ready(app: NewsReader, pilot: Pilot[int]) -> TriageScreen:
    """Wait for the scan and the messages it sends; return the triage screen."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.pause()
    assert isinstance(app.screen, TriageScreen)
    return app.screen


def visible(widget: Widget) -> Region:
    """The part of the widget that is on screen (its region clipped by its containers)."""
    geometry = widget.screen.find_widget(widget)
    return geometry.region.intersection(geometry.clip)


def cursor_row(screen: TriageScreen) -> Region:
    """The list's cursor line, on screen."""
    lst = screen.article_list
    area = lst.content_region
    return Region(area.x, area.y + lst.cursor_index - round(lst.scroll_y), area.width, 1)


def article_lines(screen: TriageScreen) -> int:
    """How many lines of the article the article pane has room for (the app's notices
    above it take their own)."""
    detail = screen.query_one(ArticleDetail)
    return detail.scrollable_content_region.height - detail.notice_lines


# -- toasts ---------------------------------------------------------------------------


@pytest.mark.parametrize("size", SIZES)
async def test_toasts_cover_neither_the_list_nor_the_status_bar(
    new_app: AppFactory, seeds_dir: Path, db_path: Path, size: tuple[int, int]
) -> None:
    """Three toasts of two to three lines each: none hides the list (its cursor row) or the
    status bar; they sit over the article pane."""
    warm(seeds_dir, db_path)
    app = new_app()
    async with app.run_test(size=size, notifications=True) as pilot:
        screen = await ready(app, pilot)
        for n in range(3):
            app.notify(f"Toast {n}: a message long enough to wrap onto a second line, as "
                       "the undo and apply toasts do", title="Note", timeout=60)
        await pilot.pause()
        await pilot.pause()
        toasts = [visible(toast) for toast in screen.query(Toast)]
        assert len(toasts) == 3 and toasts[-1]  # the newest is in view
        status = screen.query_one(StatusBar).region
        listed = screen.query_one(ArticleList).region
        cursor = cursor_row(screen)
        assert cursor in listed
        for toast in filter(None, toasts):  # (one scrolled out of view covers nothing)
            assert not toast.overlaps(status), (toast, status)
            assert not toast.overlaps(cursor), (toast, cursor)
            assert not toast.overlaps(listed), (toast, listed)


# -- the article pane at 80x24 ----------------------------------------------------------


async def test_the_article_pane_keeps_eight_lines_at_80x24(
    new_app: AppFactory, seeds_dir: Path, db_path: Path
) -> None:
    """At 80x24 the article pane has room for at least 8 lines of the article: at start,
    while a scan shows its progress row, and with the article or the related pane focused
    (the related pane grows then); the list keeps its cursor row in view."""
    warm(seeds_dir, db_path)
    app = new_app()
    async with app.run_test(size=NARROW) as pilot:
        screen = await ready(app, pilot)
        seen = {"start": article_lines(screen)}
        screen.post_message(ScanProgressed(1, 2))
        await pilot.pause()
        await pilot.pause()
        assert screen.query_one("#scan").display
        seen["scanning"] = article_lines(screen)
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is screen.query_one("#detail")
        seen["article focused"] = article_lines(screen)
        await pilot.press("tab")
        await pilot.pause()
        related = screen.query_one(RelatedLinks)
        assert app.focused is related
        seen["related focused"] = article_lines(screen)
        assert related.size.height >= 2  # a related article's title and its source line
        assert cursor_row(screen) in visible(screen.article_list)
        assert all(lines >= 8 for lines in seen.values()), seen


# -- help -------------------------------------------------------------------------------


def help_lines(app: NewsReader) -> tuple[HelpScreen, list[str]]:
    """The help screen and the lines its key table shows."""
    assert isinstance(app.screen, HelpScreen)
    table = app.screen.query_one("#help-keys")
    return app.screen, [table.render_line(y).text for y in range(table.size.height)]


@pytest.mark.parametrize("size", SIZES)
async def test_help_wraps_each_column_under_itself(
    new_app: AppFactory, size: tuple[int, int]
) -> None:
    """Every help line starts at the left margin only with an area's name or an entry's
    keys; a line that continues an entry starts at its what-it-does column. At 80x24 some
    entries do wrap."""
    app = new_app()
    async with app.run_test(size=size) as pilot:
        await ready(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        help_screen, lines = help_lines(app)
        areas = {key.area for key in help_screen.keys}
        keys = sorted({key.keys for key in help_screen.keys}, key=len, reverse=True)
        first = next(line for line in lines if line.startswith("p "))
        column = first.index("Publish the article")
        continued = 0
        for line in filter(str.strip, lines):
            if line.rstrip() in areas:
                continue
            if not line.startswith(" "):
                key = next((k for k in keys if line.startswith(k + "  ")), None)
                assert key is not None, f"not an entry's first line: {line!r}"
                continue
            continued += 1
            assert len(line) - len(line.lstrip()) == column, line
        if size == NARROW:
            assert continued > 0


# -- the apply preview -------------------------------------------------------------------


def decide_for_preview(root: Path, db_path: Path, releases: int) -> None:
    """Publish 004 and skip 001 (two edits); skip the press release and `releases` copies of
    it, which the preview lists as not written."""
    for n in range(releases):
        shutil.copy(root / RELEASE, root / f"05{n}_release.txt")
    warm(root, db_path)
    store = TriageStore(db_path)
    try:
        store.decide([PUBLISH], Decision.PUBLISHED)
        store.decide([UNPUBLISH], Decision.SKIPPED, "paywall")
        store.decide([RELEASE, *(f"05{n}_release.txt" for n in range(releases))],
                     Decision.SKIPPED)
    finally:
        store.close()


def changed_rows(preview: ApplyScreen) -> list[int]:
    """The screen rows of the diff's `-` and `+` lines (not its `---`/`+++` header)."""
    diff = preview.query_one("#apply-diff", Static)
    top = diff.region.y
    rows = []
    for y in range(diff.size.height):
        text = diff.render_line(y).text
        if text[:1] in "-+" and not text.startswith(("---", "+++")):
            rows.append(top + y)
    return rows


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("releases", [0, 4])
async def test_the_apply_preview_shows_each_changed_line(
    new_app: AppFactory, seeds_dir: Path, db_path: Path, size: tuple[int, int], releases: int
) -> None:
    """For each edit highlighted in turn, the diff's `-published:` and `+published:` lines
    are on screen, inside the diff's box; the summary is shown whole; with five files not
    written, their list does not squeeze the diff out."""
    decide_for_preview(seeds_dir, db_path, releases)
    app = new_app()
    async with app.run_test(size=size) as pilot:
        await ready(app, pilot)
        await pilot.press("A")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        preview = app.screen
        assert isinstance(preview, ApplyScreen)
        dialog = preview.query_one("#apply").content_region
        summary = preview.query_one("#apply-summary", Label)
        assert summary.region.right <= dialog.right, "the summary is cut"
        edits = preview.query_one("#apply-edits", OptionList)
        assert edits.option_count == 2
        box = visible(preview.query_one("#apply-diff-scroll"))
        for index in range(edits.option_count):
            edits.highlighted = index
            await pilot.pause()
            await pilot.pause()
            rows = changed_rows(preview)
            assert len(rows) == 2, rows
            assert all(box.y <= row < box.bottom for row in rows), (index, rows, box)


LONG_CONTEXT = """\
---
title: "Long lines before the published line"
publishedDateTime: 2024-01-14T10:00:00Z
webUrl: "https://long.example/lines"
excerpt: "{words}"
summary: "{words}"
note: "{words}"
published: false
---
"""
"""An article whose three lines above `published:` each wrap onto several rows."""


@pytest.mark.parametrize("size", SIZES)
async def test_the_apply_preview_scrolls_to_a_change_below_long_lines(
    app_factory: Callable[[Path], AppFactory], tmp_path: Path, db_path: Path,
    size: tuple[int, int]
) -> None:
    """A diff whose context lines wrap onto more rows than its box has: the preview
    scrolls it so that the `-` and `+` lines are in view."""
    root = tmp_path / "long"
    root.mkdir()
    words = " ".join(["context that wraps"] * 30)
    (root / "long.md").write_text(LONG_CONTEXT.format(words=words), encoding="utf-8")
    warm(root, db_path)
    store = TriageStore(db_path)
    try:
        store.decide(["long.md"], Decision.PUBLISHED)
    finally:
        store.close()
    app = app_factory(root)()
    async with app.run_test(size=size) as pilot:
        await ready(app, pilot)
        await pilot.press("A")
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()
        preview = app.screen
        assert isinstance(preview, ApplyScreen)
        scroll = preview.query_one("#apply-diff-scroll")

        def in_view() -> bool:
            """Whether the `-` and `+` lines are both inside the diff's box now."""
            box, rows = visible(scroll), changed_rows(preview)
            return len(rows) == 2 and all(box.y <= row < box.bottom for row in rows)

        # The preview scrolls after the refresh that lays the diff out: on a busy machine
        # that can take a few more turns of the event loop (bounded, never timed).
        for _ in range(20):
            if in_view():
                break
            await pilot.pause()
        box = visible(scroll)
        assert preview.query_one("#apply-diff").size.height > box.height  # it does not fit
        assert in_view(), (changed_rows(preview), box)


# -- the related pane ------------------------------------------------------------------


@pytest.fixture
def story_app(app_factory: Callable[[Path], AppFactory], tmp_path: Path,
              db_path: Path) -> AppFactory:
    """make_app on test_stories' folder: a lead (no related links of its own) whose story
    holds two other articles, indexed before the app starts."""
    root = tmp_path / "stories"
    root.mkdir()
    for name, (title, day, host, slug, provider, quality, heat, related) in FILES.items():
        text = ARTICLE.format(title=title, day=day, host=host, slug=slug, provider=provider,
                              quality=quality, heat=heat, related=related)
        (root / name).write_text(text, encoding="utf-8")
    warm(root, db_path)
    return app_factory(root)


def prompts(related: RelatedLinks) -> list[str]:
    """The related pane's options, as text."""
    return [str(related.get_option_at_index(n).prompt) for n in range(related.option_count)]


async def test_the_related_pane_moves_with_j_and_k(story_app: AppFactory) -> None:
    """In the related pane, j and k move the highlight as down and up do."""
    app = story_app()
    async with app.run_test(size=WIDE) as pilot:
        screen = await ready(app, pilot)
        await pilot.press("j")  # the lead's story row
        await pilot.pause()
        assert screen.article_list.cursor_id == LEAD
        await pilot.press("tab", "tab")
        await pilot.pause()
        related = screen.query_one(RelatedLinks)
        assert app.focused is related and len(related.members) == 2
        first = related.highlighted
        assert first is not None
        await pilot.press("j")
        await pilot.pause()
        assert related.highlighted == first + 1
        await pilot.press("k")
        await pilot.pause()
        assert related.highlighted == first
        await pilot.press("down")
        await pilot.pause()
        assert related.highlighted == first + 1
        assert screen.article_list.cursor_id == LEAD  # the list did not move


async def test_the_related_pane_says_no_coverage_only_when_it_lists_nothing(
    story_app: AppFactory,
) -> None:
    """The lead has no related links but two other articles in its story: the pane starts
    with the story's heading, with no "No related coverage" above it. An article with
    neither says so."""
    app = story_app()
    async with app.run_test(size=WIDE) as pilot:
        screen = await ready(app, pilot)
        related = screen.query_one(RelatedLinks)
        assert related.members == () and related.article is not None
        assert prompts(related) == [EMPTY_TEXT]  # the newest: a lone article
        await pilot.press("j")
        await pilot.pause()
        assert screen.article_list.cursor_id == LEAD and len(related.members) == 2
        shown = prompts(related)
        assert EMPTY_TEXT not in shown
        assert shown[0].startswith(SAME_STORY)
        assert related.highlighted == 1  # the first other article

"""Pilot tests for ArticleList: layout, hostile text, keys, cursor by id, selection, scale."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Sequence
from datetime import UTC, datetime
from functools import wraps

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.message import Message

from reader.data.article import Decision
from reader.data.query import ArticleRow
from reader.widgets.article_list import ArticleList

SIZE = (100, 30)
WHEN = datetime(2024, 3, 5, 9, 30, tzinfo=UTC)


def row(n: int, **changes: object) -> ArticleRow:
    """A plain undecided row numbered `n`."""
    fields: dict[str, object] = {
        "id": f"a{n:05d}",
        "title": f"Title {n}",
        "provider": "Reuters",
        "published_at": WHEN,
        "state": Decision.UNDECIDED,
    }
    fields.update(changes)
    return ArticleRow(**fields)  # type: ignore[arg-type]


def rows(count: int) -> list[ArticleRow]:
    """`count` plain rows."""
    return [row(n) for n in range(count)]


class ListApp(App[None]):
    """One ArticleList, recording the messages that reach the app."""

    def __init__(self, initial: Sequence[ArticleRow] = ()) -> None:
        super().__init__()
        self.initial = initial
        self.received: list[Message] = []

    def compose(self) -> ComposeResult:
        yield ArticleList(self.initial)

    def on_article_list_highlighted(self, message: ArticleList.Highlighted) -> None:
        self.received.append(message)

    def on_article_list_selection_changed(self, message: ArticleList.SelectionChanged) -> None:
        self.received.append(message)

    def highlighted(self) -> list[str | None]:
        """The ids of every Highlighted received, in order."""
        return [m.article_id for m in self.received if isinstance(m, ArticleList.Highlighted)]

    def selections(self) -> list[frozenset[str]]:
        """The selections of every SelectionChanged received, in order."""
        return [
            m.selected_ids for m in self.received if isinstance(m, ArticleList.SelectionChanged)
        ]


def run_async(test: Callable[..., Coroutine[object, object, None]]) -> Callable[..., None]:
    """Run an async test body with asyncio (no async pytest plugin is installed)."""

    @wraps(test)
    def wrapper(*args: object, **kwargs: object) -> None:
        asyncio.run(test(*args, **kwargs))

    return wrapper


def lines(widget: ArticleList, count: int | None = None) -> list[str]:
    """The text of the first `count` rendered screen lines."""
    height = widget.scrollable_content_region.height if count is None else count
    return [widget.render_line(y).text for y in range(height)]


@run_async
async def test_a_line_shows_glyph_date_provider_and_title() -> None:
    data = [
        row(0, state=Decision.PUBLISHED, title="Budget passes"),
        row(1, published_at=None, provider="AP", state=Decision.SKIPPED),
        row(2, type="video"),
    ]
    app = ListApp(data)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        widget = app.query_one(ArticleList)
        first, second, third = lines(widget, 3)
        width = widget.size.width
        assert first.startswith(" ✓ 2024-03-05 Reuters")
        assert "Budget passes" in first
        assert second.startswith(" ✗ " + " " * 10 + " AP ")
        assert "▶ Title 2" in third
        assert all(cell_len(line) == width for line in (first, second, third))


@run_async
async def test_long_and_wide_text_is_cut_with_an_ellipsis() -> None:
    data = [
        row(0, provider="The Extremely Long Provider Name Ltd", title="x" * 300),
        row(1, provider="日本経済新聞社の長い名前", title="東京で会議" * 40),
        row(2, title="👍🏽 emoji " * 30),
    ]
    app = ListApp(data)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        widget = app.query_one(ArticleList)
        for line in lines(widget, 3):
            assert cell_len(line) == widget.size.width
            assert line.rstrip().endswith("…")
        assert " The Extremely L… " in lines(widget, 1)[0]  # 16 cells at this width


HOSTILE = [
    "[bold]x[/]",
    "[@click=app.quit]quit[/]",
    "$accent and $primary",
    "[red",
    "[link=https://evil.example]click[/link]",
    "\\[escaped]",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_markup_looking_text_shows_literally(text: str) -> None:
    @run_async
    async def body() -> None:
        app = ListApp([row(0, title=text, provider=text[:10])])
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            widget = app.query_one(ArticleList)
            strip = widget.render_line(0)
            assert text in strip.text
            assert text[:9] in strip.text  # the provider column, cut
            assert all(not segment.style or not segment.style.meta for segment in strip)
            await pilot.click(ArticleList, offset=(40, 0))
            assert app.is_running

    body()


@run_async
async def test_keys_move_the_cursor_and_post_highlighted() -> None:
    app = ListApp(rows(50))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        widget = app.query_one(ArticleList)
        assert widget.has_focus
        assert app.highlighted() == ["a00000"]
        await pilot.press("j", "down", "k")
        await pilot.pause()
        assert widget.cursor_id == "a00001"
        await pilot.press("G")
        await pilot.pause()
        assert widget.cursor_id == "a00049"
        assert widget.scroll_y == widget.max_scroll_y > 0
        assert "Title 49" in widget.render_line(widget.scrollable_content_region.height - 1).text
        await pilot.press("g", "k", "up")  # already at the top: no new message
        await pilot.pause()
        assert widget.cursor_id == "a00000"
        assert widget.scroll_y == 0
        assert app.highlighted() == [
            "a00000",
            "a00001",
            "a00002",
            "a00001",
            "a00049",
            "a00000",
        ]


@run_async
async def test_page_keys_move_by_a_screen() -> None:
    app = ListApp(rows(100))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        widget = app.query_one(ArticleList)
        page = widget.scrollable_content_region.height
        await pilot.press("pagedown")
        await pilot.pause()
        assert widget.cursor_index == page
        assert widget.scroll_y == page
        await pilot.press("pageup")
        await pilot.pause()
        assert (widget.cursor_index, widget.scroll_y) == (0, 0)


@run_async
async def test_set_rows_keeps_the_cursor_on_its_article() -> None:
    data = rows(20)
    app = ListApp(data)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        widget = app.query_one(ArticleList)
        widget.cursor_id = "a00005"
        await pilot.pause()
        widget.set_rows(list(reversed(data)))
        await pilot.pause()
        assert widget.cursor_id == "a00005"
        assert widget.cursor_index == 14
        assert "Title 5" in widget.render_line(14).text

        # Filter the cursor's article out: it moves to the next survivor in the old order.
        widget.set_rows([r for r in data if r.id not in {"a00005", "a00004", "a00003"}])
        await pilot.pause()
        assert widget.cursor_id == "a00002"
        assert app.highlighted()[-1] == "a00002"

        # None of it or after it is left: the nearest survivor before it.
        widget.set_rows([r for r in data if r.id in {"a00000", "a00001"}])
        await pilot.pause()
        assert widget.cursor_id == "a00001"

        widget.set_rows([])
        await pilot.pause()
        assert widget.cursor_id is None
        assert app.highlighted()[-1] is None
        assert widget.render_line(0).text.startswith("No articles")


@run_async
async def test_set_rows_does_not_jump_the_scroll() -> None:
    data = rows(200)
    app = ListApp(data)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        widget = app.query_one(ArticleList)
        widget.cursor_id = "a00100"
        await pilot.pause()
        top = widget.scroll_y
        screen_row = widget.cursor_index - top
        widget.set_rows(data + rows(250)[200:])  # rows appended below
        await pilot.pause()
        assert widget.scroll_y == top
        widget.set_rows(data[50:])  # rows removed above: cursor stays on its screen line
        await pilot.pause()
        assert widget.cursor_id == "a00100"
        assert widget.cursor_index - widget.scroll_y == screen_row


@run_async
async def test_space_toggles_the_selection() -> None:
    app = ListApp(rows(5))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        widget = app.query_one(ArticleList)
        await pilot.press("space", "j", "space")
        await pilot.pause()
        assert widget.selected == {"a00000", "a00001"}
        assert widget.render_line(0).text.startswith("●")
        assert widget.render_line(2).text.startswith(" ")
        await pilot.press("space")
        await pilot.pause()
        assert widget.selected == {"a00000"}
        widget.clear_selection()
        await pilot.pause()
        assert widget.selected == frozenset()
        assert app.selections() == [
            {"a00000"},
            {"a00000", "a00001"},
            {"a00000"},
            frozenset(),
        ]
        widget.set_rows(rows(5))  # unchanged ids: selection kept, no message
        await pilot.pause()
        assert len(app.selections()) == 4


@run_async
async def test_decided_rows_are_styled_apart() -> None:
    data = [row(0), row(1), row(2, state=Decision.PUBLISHED), row(3, state=Decision.SKIPPED)]
    app = ListApp(data)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        widget = app.query_one(ArticleList)
        assert widget.line_classes(1) == ()
        assert widget.line_classes(2) == ("article-list--decided",)
        assert widget.line_classes(0) == ("article-list--cursor",)

        def style(y: int) -> object:
            return next(iter(widget.render_line(y))).style

        undecided, published, skipped = style(1), style(2), style(3)
        assert published == skipped != undecided
        assert style(0) not in (undecided, published)

        widget.update_row(row(1, state=Decision.SKIPPED))
        assert widget.line_classes(1) == ("article-list--decided",)
        assert widget.render_line(1).text.startswith(" ✗")
        assert style(1) == skipped
        assert not widget.update_row(row(99))


@run_async
async def test_empty_list_shows_one_dim_line() -> None:
    app = ListApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        widget = app.query_one(ArticleList)
        assert widget.cursor_id is None
        assert widget.render_line(0).text.startswith("No articles")
        assert widget.render_line(1).text.strip() == ""
        await pilot.press("j", "space", "G")
        await pilot.pause()
        assert app.received == []


@run_async
async def test_fifty_thousand_rows() -> None:
    app = ListApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        widget = app.query_one(ArticleList)
        widget.set_rows(rows(50_000))
        await pilot.pause()
        assert widget.virtual_size.height == 50_000
        assert lines(widget)[0].startswith(" · 2024-03-05")
        await pilot.press("G")
        await pilot.pause()
        assert widget.cursor_id == "a49999"
        assert "Title 49999" in lines(widget)[-1]
        await pilot.press("k", "k")
        await pilot.pause()
        assert widget.cursor_index == 49_997

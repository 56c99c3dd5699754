"""Pilot tests: the topic, provider and reason pickers narrow as you type and count under
the current filter; the search box takes `-word`, `OR`, `provider:` and `topic:`."""

from __future__ import annotations

import pytest
from textual.widgets import Input, OptionList

from reader.app import NewsReader
from reader.data import query
from reader.dialogs.pick import MAX_SHOWN, PickScreen
from tests.ui.conftest import SIZE, AppFactory
from tests.ui.test_triage import ORDER, listed, screen, start

FIERCE, MEDICAL, MENAFN, PRESS, XPRESS = (
    ORDER[1], ORDER[2], ORDER[3], ORDER[4], ORDER[0]
)  # fmt: skip
"""The seeds by provider (the press release has none); Owkin is in FIERCE, MEDICAL, PRESS."""


def choices(app: NewsReader) -> list[str]:
    """The picker's options as plain text, `(any)` included, disabled ones left out."""
    assert isinstance(app.screen, PickScreen)
    options = app.screen.query_one(OptionList).options
    return [str(option.prompt) for option in options if not option.disabled]


def highlighted(app: NewsReader) -> str | None:
    """The text of the picker's highlighted option."""
    option = app.screen.query_one(OptionList).highlighted_option
    return None if option is None else str(option.prompt)


async def test_topic_picker_counts_under_the_current_filter(new_app: AppFactory) -> None:
    """After a search the topic list counts its matches only, its own topic aside."""
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("t")
        await pilot.pause()
        assert choices(app) == ["(any)", "AI  4", "Machine Learning  2", "AI in Healthcare  1",
                                "ML  1", "Partnership  1"]
        await pilot.press("escape", "slash", *"owkin", "enter", "t")
        await pilot.pause()
        assert choices(app) == ["(any)", "AI  2", "AI in Healthcare  1", "ML  1",
                                "Machine Learning  1", "Partnership  1"]
        await pilot.press("down", "down", "enter")  # AI in Healthcare
        await pilot.pause()
        assert screen(app).filters.topic == "AI in Healthcare"
        assert [i for i, _ in listed(app)] == [MEDICAL]
        await pilot.press("t")  # its own topic aside: the others are still offered
        await pilot.pause()
        assert choices(app)[:2] == ["(any)", "AI  2"]
        assert highlighted(app) == "AI in Healthcare  1"


async def test_picker_narrows_as_you_type(new_app: AppFactory) -> None:
    """Typing narrows the list in any case; Enter takes the first match; Esc keeps the filter."""
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("t", *"HEAL")
        await pilot.pause()
        assert choices(app) == ["AI in Healthcare  1"]
        assert highlighted(app) == "AI in Healthcare  1"
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"learn")
        await pilot.pause()
        assert choices(app) == ["Machine Learning  2"]
        await pilot.press(*"zzz", "enter")  # nothing matches: Enter chooses nothing
        await pilot.pause()
        assert isinstance(app.screen, PickScreen) and choices(app) == []
        await pilot.press("escape")  # closes, the filter as it was
        await pilot.pause()
        assert screen(app).filters.topic is None and len(listed(app)) == 5
        await pilot.press("t", *"ai", "enter")  # the first match
        await pilot.pause()
        assert screen(app).filters.topic == "AI"
        assert [i for i, _ in listed(app)] == [XPRESS, FIERCE, MEDICAL, MENAFN]


async def test_provider_picker_narrows_and_moves_with_the_arrows(new_app: AppFactory) -> None:
    """The arrows move in the list while the box has the focus."""
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("v", *"MEDICAL")
        await pilot.pause()
        assert choices(app) == ["Medical Xpress  1", "News Medical  1"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert screen(app).filters.provider == "News Medical"
        assert [i for i, _ in listed(app)] == [MEDICAL]


async def test_reason_picker_counts_under_the_current_filter(new_app: AppFactory) -> None:
    """After a search the reason list counts the matching skips only."""
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("j", "S", "4")  # FIERCE: paywall; the cursor goes on to MENAFN
        await pilot.pause()
        await pilot.press("S", "1")  # MENAFN: duplicate
        await pilot.pause()
        await pilot.press("R")
        await pilot.pause()
        assert choices(app) == ["(any)", "duplicate  1", "paywall  1"]
        await pilot.press("escape", "slash", *"owkin", "enter", "R")
        await pilot.pause()
        assert choices(app) == ["(any)", "paywall  1"]


async def test_search_box_takes_the_syntax(new_app: AppFactory) -> None:
    """Exclusion, OR and fields, in the box; what it lists is what SQL lists."""
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("slash")
        await pilot.pause()
        placeholder = screen(app).query_one("#search", Input).placeholder
        for syntax in ("-word", "OR", "provider:", "topic:"):
            assert syntax in placeholder
        searches = {
            "-owkin": [XPRESS, MENAFN],
            "-owkin -deep": [XPRESS],
            "owkin OR deep -medical": [FIERCE, MENAFN, PRESS],
            'provider:"news medical" OR provider:FIERCEBIOTECH': [FIERCE, MEDICAL],
            "owkin -provider:fiercebiotech": [MEDICAL, PRESS],
            "topic:ml OR topic:healthcare": [PRESS],
            "-topic:ai": [PRESS],
            "OR": ORDER,
        }
        for text, want in searches.items():
            await pilot.press("slash", "ctrl+a", "ctrl+k", *text, "enter")
            await pilot.pause()
            assert [i for i, _ in listed(app)] == want, text
            flt = screen(app).filters
            assert flt.search == text
            assert [row.id for row in query.rows(screen(app).library, flt)] == want, text


async def test_a_long_list_keeps_the_highlight_in_sight(
    new_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """At 80x24 the list fits in its box, so paging down keeps the highlight on screen; at
    most MAX_SHOWN values are listed, and a line says how many more typing would reach."""
    values = [(f"Topic {n}", 900 - n) for n in range(MAX_SHOWN + 50)]
    monkeypatch.setattr(query, "topics", lambda library, flt=None: values)
    app = new_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await start(app, pilot)
        await pilot.press("t", *["pagedown"] * 5)
        await pilot.pause()
        pick_list = app.screen.query_one(OptionList)
        box = app.screen.query_one("#pick").content_region
        assert box.contains_region(pick_list.region)
        top = pick_list.scroll_offset.y
        assert pick_list.highlighted is not None
        assert top <= pick_list.highlighted < top + pick_list.scrollable_content_region.height
        assert len(choices(app)) == MAX_SHOWN + 1
        assert str(pick_list.options[-1].prompt) == "… 50 more: type to narrow"
        await pilot.press(*"c 24", "enter")
        await pilot.pause()
        assert screen(app).filters.topic == "Topic 24"

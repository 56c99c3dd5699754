"""Stories in the triage screen: one row per story, its members, decide once, the publish guard."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Static

from reader.app import NewsReader
from reader.data import query
from reader.data.article import Decision
from reader.data.decisions.dbfile import StoreError
from reader.data.decisions.store import TriageStore
from reader.data.library import Library, Protected, StoryPlan
from reader.data.query import ArticleRow
from reader.dialogs.confirm import ConfirmScreen
from reader.dialogs.pick import PickScreen
from reader.triage import model as stories
from reader.triage import words
from reader.triage.screen import FOLLOW_EVERY, TriageScreen
from reader.triage.story_rows import StoryRows
from reader.widgets.article_detail import ArticleDetail
from reader.widgets.related_links import SAME_STORY, RelatedLinks
from tests.ui.conftest import SIZE, AppFactory, warm
from tests.ui.test_snapshots import SnapCompare, steps

ARTICLE = """\
---
title: "{title}"
publishedDateTime: 2024-01-{day:02d}T10:00:00Z
webUrl: "https://{host}/{slug}"
quality: {quality}
heat: {heat}
published: false
provider:
  name: {provider}
  domain: {host}
{related}---
"""
RELATED_TO_LEAD = """\
related:
  - title: "Lead story"
    webUrl: "https://alpha.example/lead"
    provider:
      name: Alpha
"""
OTHER, LEAD, ECHO, COPY = "13_other.md", "10_lead.md", "11_echo.md", "12_copy.md"
LAST = "14_last.md"
"""Newest first: a lone article, a story of three (echo and copy link to the lead), another."""
FILES = {
    OTHER: ("Other news", 12, "delta.example", "other", "Delta", 40, 1, ""),
    LEAD: ("Lead story", 10, "alpha.example", "lead", "Alpha", 60, 5, ""),
    ECHO: ("Echo of the lead", 9, "beta.example", "echo", "Beta", 50, 3, RELATED_TO_LEAD),
    COPY: ("Copy of the lead", 8, "gamma.example", "copy", "Gamma", 20, 2, RELATED_TO_LEAD),
    LAST: ("Last news", 5, "delta.example", "last", "Delta", 30, 0, ""),
}


@pytest.fixture
def stories_dir(tmp_path: Path) -> Path:
    """Five tiny articles, three of them one story by their related links."""
    root = tmp_path / "stories"
    root.mkdir()
    for name, (title, day, host, slug, provider, quality, heat, related) in FILES.items():
        text = ARTICLE.format(title=title, day=day, host=host, slug=slug, provider=provider,
                              quality=quality, heat=heat, related=related)
        (root / name).write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def story_app(app_factory: Callable[[Path], AppFactory], stories_dir: Path,
              db_path: Path) -> AppFactory:
    """make_app on the story folder, indexed before the app starts."""
    warm(stories_dir, db_path)
    return app_factory(stories_dir)


def screen(app: NewsReader) -> TriageScreen:
    """The triage screen."""
    assert isinstance(app.screen, TriageScreen)
    return app.screen


def shown(app: NewsReader) -> list[str]:
    """The ids of the rows the list shows, in order."""
    return [row.id for row in screen(app).article_list.rows]


def line(app: NewsReader, article_id: str) -> str:
    """The rendered line of a shown row."""
    lst = screen(app).article_list
    index = lst.index_of(article_id)
    assert index is not None
    return lst.render_line(index - round(lst.scroll_y)).text


def stored(db_path: Path, *ids: str) -> list[tuple[Decision, str | None]]:
    """(state, reason) of each id in a freshly opened store."""
    store = TriageStore(db_path)
    try:
        return [(store.decision(i), store.reason(i)) for i in ids]
    finally:
        store.close()


async def start(app: NewsReader, pilot: Pilot[None]) -> None:
    """Wait for the scan, then put the cursor on the story's row (the second)."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    await pilot.press("j")
    await pilot.pause()


async def test_a_story_is_one_row_that_expands_in_place(story_app: AppFactory) -> None:
    app = story_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        lst = screen(app).article_list
        assert shown(app) == [OTHER, LEAD, LAST]
        assert "+2 Lead story" in line(app, LEAD)
        assert screen(app).shown == 3
        await pilot.press("right")
        await pilot.pause()
        assert shown(app) == [OTHER, LEAD, ECHO, COPY, LAST]
        assert "-2 Lead story" in line(app, LEAD)
        assert " ├ Echo of the lead" in line(app, ECHO)
        assert " └ Copy of the lead" in line(app, COPY)
        assert screen(app).shown == 5
        await pilot.press("j", "j", "left")  # collapse from a member: the cursor goes up
        await pilot.pause()
        assert shown(app) == [OTHER, LEAD, LAST]
        assert lst.cursor_id == LEAD
        await pilot.press("enter", "j", "z")  # flat: every article, no marks
        await pilot.pause()
        assert lst.cursor_id == ECHO  # the cursor keeps its article
        assert shown(app) == [OTHER, LEAD, ECHO, COPY, LAST]
        assert "+2" not in line(app, LEAD) and "├" not in line(app, ECHO)
        await pilot.press("j", "z")  # grouped again: the cursor's story opens to keep it
        await pilot.pause()
        assert lst.cursor_id == COPY
        assert shown(app) == [OTHER, LEAD, ECHO, COPY, LAST]


async def test_the_related_pane_lists_the_story_and_enter_shows_one(
    story_app: AppFactory,
) -> None:
    app = story_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        related = app.screen.query_one(RelatedLinks)
        assert [row.id for row in related.members] == [ECHO, COPY]
        prompts = [str(related.get_option_at_index(i).prompt)
                   for i in range(related.option_count)]
        heading = next(p for p in prompts if p.startswith(SAME_STORY))
        # Under it, why the article shown (the lead) is in this story.
        assert heading == f"{SAME_STORY}\nThis article: related link with 2 · shares lead (0.37)"
        assert any(p.startswith("· Echo of the lead\nBeta · 2024-01-09 · quality 50 · heat 3")
                   for p in prompts)
        await pilot.press("tab", "tab")  # the related pane: the story's first other article
        await pilot.pause()
        assert related.has_focus
        await pilot.press("down", "enter")  # the copy
        await pilot.pause()
        assert screen(app).article_list.cursor_id == COPY
        assert shown(app) == [OTHER, LEAD, ECHO, COPY, LAST]  # its story opened
        detail = str(app.screen.query_one(ArticleDetail).body)
        assert "Copy of the lead" in detail
        assert [row.id for row in related.members] == [LEAD, ECHO]


async def test_a_large_story_lists_its_first_members_and_decides_them_all(
    story_app: AppFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the first MEMBERS_SHOWN other articles are listed (a story can hold thousands);
    the pane says how many there are, and P still skips every one of them."""
    monkeypatch.setattr(stories, "MEMBERS_SHOWN", 1)
    app = story_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        related = app.screen.query_one(RelatedLinks)
        assert [row.id for row in related.members] == [ECHO]
        assert str(related.border_title).endswith("same story 2")
        prompts = [str(related.get_option_at_index(i).prompt)
                   for i in range(related.option_count)]
        assert any(p.startswith(f"{SAME_STORY} (the newest 1 of 2)\n") for p in prompts)
        await pilot.press("P")
        await pilot.pause()
    assert [state for state, _ in stored(db_path, LEAD, ECHO, COPY)] == [
        Decision.PUBLISHED, Decision.SKIPPED, Decision.SKIPPED]


async def test_decide_once_then_undo_it_at_once(story_app: AppFactory, db_path: Path) -> None:
    app = story_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        lst = screen(app).article_list
        await pilot.press("P")
        await pilot.pause()
        states = [lst.loaded_row(i).state for i in (LEAD, ECHO, COPY)]  # type: ignore[union-attr]
        assert states == [Decision.PUBLISHED, Decision.SKIPPED, Decision.SKIPPED]
        assert line(app, LEAD).startswith(" ✓")
        assert lst.cursor_id == LAST  # on to the next undecided row
        assert screen(app).counts[Decision.SKIPPED] == 2
        assert screen(app).session == 3
        duplicate = f"duplicate of {LEAD}"
        assert stored(db_path, LEAD, ECHO, COPY) == [
            (Decision.PUBLISHED, None), (Decision.SKIPPED, duplicate),
            (Decision.SKIPPED, duplicate),
        ]
        await pilot.press("u")  # one step undoes all three
        await pilot.pause()
        states = [lst.loaded_row(i).state for i in (LEAD, ECHO, COPY)]  # type: ignore[union-attr]
        assert states == [Decision.UNDECIDED] * 3
        assert lst.cursor_id == LEAD
        assert not screen(app).can_undo
    assert stored(db_path, LEAD, ECHO, COPY) == [(Decision.UNDECIDED, None)] * 3


async def test_a_second_publish_in_a_story_asks_first(
    story_app: AppFactory, db_path: Path
) -> None:
    app = story_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("right", "j", "p")  # publish the echo: the first of its story
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        await pilot.press("k", "k", "p")  # the lead: its story has a published article
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one("#confirm-question", Static).render())
        assert "Echo of the lead" in question
        await pilot.press("n")
        await pilot.pause()
        assert stored(db_path, LEAD) == [(Decision.UNDECIDED, None)]
        assert screen(app).article_list.cursor_id == LEAD
        await pilot.press("p", "y")  # an explicit yes publishes it
        await pilot.pause()
    assert stored(db_path, LEAD, ECHO) == [(Decision.PUBLISHED, None)] * 2


async def test_skips_filter_by_reason(story_app: AppFactory) -> None:
    app = story_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("P", "R")
        await pilot.pause()
        assert isinstance(app.screen, PickScreen)
        await pilot.press("down", "enter")  # `duplicate`, the only reason so far
        await pilot.pause()
        assert screen(app).filters.reason == "duplicate"
        assert shown(app) == [ECHO]  # both duplicates, one story: one row
        assert "+1 Echo of the lead" in line(app, ECHO)
        line_text = str(app.screen.query_one("#filter-line", Static).render())
        assert "reason duplicate" in line_text


@pytest.fixture
def live_story_app(app_factory: Callable[[Path], AppFactory], stories_dir: Path,
                   db_path: Path) -> AppFactory:
    """The story folder where the copy's file says `published: true` (it is live)."""
    copy = stories_dir / COPY
    copy.write_text(copy.read_text().replace("published: false", "published: true"))
    warm(stories_dir, db_path)
    return app_factory(stories_dir)


def toasts(app: NewsReader) -> list[str]:
    """The text of every notification shown so far."""
    return [str(note.message) for note in app._notifications]


def states(app: NewsReader, *ids: str) -> list[Decision]:
    """The state the list shows for each id (loaded, shown or folded in its story)."""
    rows = [screen(app).article_list.loaded_row(i) for i in ids]
    return [row.state for row in rows if row is not None]


async def test_decide_once_asks_before_skipping_a_live_article_and_no_keeps_it(
    live_story_app: AppFactory, db_path: Path
) -> None:
    app = live_story_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert states(app, LEAD, ECHO, COPY) == [Decision.UNDECIDED, Decision.UNDECIDED,
                                                 Decision.PUBLISHED]
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert app.screen.title_text == "Skip 1 article that is live or you already decided?"
        question = str(app.screen.query_one("#confirm-question", Static).render())
        assert "Copy of the lead" in question and "Echo of the lead" not in question
        await pilot.press("n")  # no: publish the lead and skip the echo, keep the copy
        await pilot.pause()
        assert not isinstance(app.screen, ConfirmScreen)
        assert states(app, LEAD, ECHO, COPY) == [Decision.PUBLISHED, Decision.SKIPPED,
                                                 Decision.PUBLISHED]
        assert toasts(app)[-1] == ("Published 1, skipped 1 as duplicate; "
                                   "left 1 live article as it was")
        await pilot.press("u")  # one step: the lead and the echo back to undecided
        await pilot.pause()
        assert states(app, LEAD, ECHO, COPY) == [Decision.UNDECIDED, Decision.UNDECIDED,
                                                 Decision.PUBLISHED]
        assert stored(db_path, LEAD, ECHO) == [(Decision.UNDECIDED, None)] * 2
        await pilot.press("P", "n")
        await pilot.pause()
    assert stored(db_path, LEAD, ECHO, COPY) == [
        (Decision.PUBLISHED, None), (Decision.SKIPPED, f"duplicate of {LEAD}"),
        (Decision.PUBLISHED, None),
    ]
    library = Library(app.root, db_path)  # as the list reads it: the copy is still live
    try:
        assert query.states(library, [COPY]) == {COPY: Decision.PUBLISHED}
        assert library.store.rows_of([COPY])[COPY] == (Decision.PUBLISHED, None, False)
    finally:
        library.close()


async def test_decide_once_skips_a_live_article_after_a_yes_and_undo_restores_it(
    live_story_app: AppFactory, db_path: Path
) -> None:
    app = live_story_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await pilot.pause()
        assert states(app, LEAD, ECHO, COPY) == [Decision.PUBLISHED, Decision.SKIPPED,
                                                 Decision.SKIPPED]
        assert toasts(app)[-1] == "Published 1, skipped 2 as duplicates"
        duplicate = (Decision.SKIPPED, f"duplicate of {LEAD}")
        assert stored(db_path, LEAD, ECHO, COPY) == [(Decision.PUBLISHED, None), duplicate,
                                                     duplicate]
        await pilot.press("u")  # the whole step: the copy is live again, as its file says
        await pilot.pause()
        assert states(app, LEAD, ECHO, COPY) == [Decision.UNDECIDED, Decision.UNDECIDED,
                                                 Decision.PUBLISHED]
        assert not screen(app).can_undo
    assert stored(db_path, LEAD, ECHO, COPY) == [
        (Decision.UNDECIDED, None), (Decision.UNDECIDED, None), (Decision.PUBLISHED, None),
    ]


async def test_decide_once_asks_before_changing_what_the_editor_decided(
    story_app: AppFactory, db_path: Path
) -> None:
    """A member the editor skipped for another reason is named too; Esc, like n, keeps it."""
    app = story_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("right", "j", "s", "k", "k")  # skip the echo (on to the copy), lead
        await pilot.pause()
        assert screen(app).article_list.cursor_id == LEAD
        await pilot.press("P")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        question = str(app.screen.query_one("#confirm-question", Static).render())
        assert "Echo of the lead (you skipped it)" in question
        await pilot.press("escape")
        await pilot.pause()
        assert toasts(app)[-1] == ("Published 1, skipped 1 as duplicate; "
                                   "left 1 already decided article as it was")
    assert stored(db_path, LEAD, ECHO, COPY) == [
        (Decision.PUBLISHED, None), (Decision.SKIPPED, None),
        (Decision.SKIPPED, f"duplicate of {LEAD}"),
    ]


def test_the_question_names_five_and_counts_the_rest() -> None:
    protected = tuple(Protected(f"{n}.md", Decision.SKIPPED, True) for n in range(7))
    plan = StoryPlan("x.md", False, (), protected, ())
    titles = {f"{n}.md": f"[b]Title {n}[/b]" for n in range(7)}
    question = words.protected_question(plan, "[red]X", titles)
    assert "[b]Title 4[/b]" in question.plain and "Title 5" not in question.plain
    assert "\nand 2 more\n" in question.plain
    assert "[red]X" in question.plain  # markup in a title stays text


def _row(article_id: str, story: str = "", size: int = 1) -> ArticleRow:
    return ArticleRow(article_id, article_id, "", None, Decision.UNDECIDED, story=story,
                      story_size=size)


def test_story_rows_group_mark_and_keep_the_cursor() -> None:
    loaded = [_row("a"), _row("b", "b", 3), _row("c"), _row("d", "b", 3), _row("e", "b", 3)]
    stories = StoryRows(loaded)
    shown = stories.shown()
    assert [r.id for r in shown] == ["a", "b", "c"]
    assert [stories.mark(shown, i) for i in range(3)] == ["", "+2 ", ""]
    shown = stories.shown(keep="e")  # a folded member the cursor is on: its story opens
    assert [r.id for r in shown] == ["a", "b", "d", "e", "c"]
    assert [stories.mark(shown, i) for i in range(5)] == ["", "-2 ", " ├ ", " └ ", ""]
    assert stories.collapse(loaded[3]) == "b"
    stories.grouped = False
    shown = stories.shown()
    assert len(shown) == 5 and {stories.mark(shown, i) for i in range(5)} == {""}
    stories.grouped = True
    stories.load(loaded[:2])  # one member left in the list: nothing to fold
    assert stories.mark(stories.shown(), 1) == ""


def test_a_flat_list_shows_the_list_it_was_given() -> None:
    """No copy per load: a search at 51k articles gives ~40,000 rows on a key press."""
    stories = StoryRows()
    stories.grouped = False
    given = [_row("a"), _row("b", "b", 2), _row("c", "b", 2)]
    stories.load(given)
    assert stories.shown() is given
    skipped = replace(given[1], state=Decision.SKIPPED)
    assert stories.replace(skipped)
    assert stories.shown()[1] is skipped
    stories.grouped = True  # grouped, what shows is a list of its own
    assert [r.id for r in stories.shown()] == ["a", "b"]
    assert stories.shown() is not given


def test_expanded_story(snap_compare: SnapCompare, story_app: AppFactory) -> None:
    """The story folder with the story expanded (`j`, `→`): `-2 Lead story`, then
    ` ├ Echo of the lead` and ` └ Copy of the lead` indented under it; the related pane
    titled `· same story 2` lists, under `Same story in this folder`, the echo (Beta) and the
    copy (Gamma), each after its state's glyph `·` and with date, quality and heat; the status
    bar says 5 shown."""
    assert snap_compare(story_app(), terminal_size=SIZE, run_before=steps("j", "right"))


def test_second_publish_warning(snap_compare: SnapCompare, story_app: AppFactory) -> None:
    """After publishing the echo (`j → j p`) and `k k p` on the lead: the yes-or-no modal
    `Publish a second article of this story?` naming `Echo of the lead` (Beta), with the
    hint `y yes · n or Esc no`, over the list where the echo shows ✓."""
    assert snap_compare(story_app(), terminal_size=SIZE,
                        run_before=steps("j", "right", "j", "p", "k", "k", "p"))


# -- story edits: split out, merge into, undo; kept over restarts and rescans ---------------


def edit_toasts(app: NewsReader) -> list[str]:
    """The text of every notification shown so far (story edit tests)."""
    return [str(note.message) for note in app._notifications]


def story_of(app: NewsReader, article_id: str) -> tuple[str, int]:
    """(story, size) of a loaded row, as the list holds it."""
    row = screen(app).article_list.loaded_row(article_id)
    assert row is not None
    return row.story, row.story_size


def stored_edits(db_path: Path) -> list[tuple[str, str, str | None]]:
    """The story edits in force, in a freshly opened store."""
    store = TriageStore(db_path)
    try:
        return store.story_edits()
    finally:
        store.close()


async def rescan(app: NewsReader, pilot: Pilot[None]) -> None:
    """Press `r` and wait until the scan is merged."""
    await pilot.press("r")
    await app.workers.wait_for_complete()
    await pilot.pause()


def add_article(root: Path, name: str, title: str, day: int) -> None:
    """A new lone article: the next scan finds its story among the others'."""
    text = ARTICLE.format(title=title, day=day, host="new.example", slug=name, provider="New",
                          quality=10, heat=0, related="")
    (root / name).write_text(text, encoding="utf-8")


async def test_story_edit_split_survives_a_restart_and_rescans_and_u_takes_it_back(
    story_app: AppFactory, stories_dir: Path, db_path: Path
) -> None:
    app = story_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("right", "j")  # the echo, in the lead's story
        await pilot.pause()
        assert screen(app).article_list.cursor_id == ECHO
        await pilot.press("b")
        await pilot.pause()
        assert edit_toasts(app)[-1] == "Split 1 article out of its story"
        assert story_of(app, ECHO) == (ECHO, 1)
        assert story_of(app, LEAD) == story_of(app, COPY) == (LEAD, 2)
        assert screen(app).article_list.cursor_id == ECHO  # the cursor keeps its article
        assert screen(app).coverage.members == ()  # the related pane: no story left
        assert screen(app).can_undo
    assert stored_edits(db_path) == [(ECHO, "split", None)]

    app = story_app()  # a restart: the app rescans the folder as it starts
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen(app).article_list.cursor_id == ECHO  # where the editor left it
        await pilot.press("g")
        await start(app, pilot)
        assert story_of(app, ECHO) == (ECHO, 1)
        assert [row.id for row in screen(app).coverage.members] == [COPY]  # the lead's story
        add_article(stories_dir, "15_new.md", "Brand new", 14)  # the stories are found again
        await rescan(app, pilot)
        assert story_of(app, ECHO) == (ECHO, 1) and story_of(app, LEAD) == (LEAD, 2)
        await pilot.press("u")
        await pilot.pause()
        assert edit_toasts(app)[-1] == "Undone: the split of 1 article out of its story"
        assert story_of(app, ECHO) == (LEAD, 3)
        assert screen(app).article_list.cursor_id == ECHO  # shown where it is now
        assert not screen(app).can_undo and screen(app).can_redo
        await rescan(app, pilot)
        assert story_of(app, ECHO) == (LEAD, 3)
    assert stored_edits(db_path) == []
    library = Library(stories_dir, db_path)
    try:
        found = {row.id: row.story for row in query.rows(library)}
        assert found[ECHO] == found[COPY] == LEAD
    finally:
        library.close()


async def test_story_edit_merge_survives_a_restart_and_rescans_and_u_takes_it_back(
    story_app: AppFactory, stories_dir: Path, db_path: Path
) -> None:
    app = story_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        lst = screen(app).article_list
        await pilot.press("k", "space", "G", "space", "g", "j")  # other, last; on the lead
        await pilot.pause()
        assert lst.selected == {OTHER, LAST} and lst.cursor_id == LEAD
        await pilot.press("m")
        await pilot.pause()
        assert edit_toasts(app)[-1] == "Merged 2 articles into the story of Lead story"
        assert lst.selected == frozenset()
        assert {story_of(app, i) for i in (OTHER, LEAD, ECHO, COPY, LAST)} == {(LEAD, 5)}
        assert lst.cursor_id == LEAD
        assert {row.id for row in screen(app).coverage.members} == {OTHER, ECHO, COPY, LAST}
    assert stored_edits(db_path) == [(OTHER, "merge", LEAD), (LAST, "merge", LEAD)]

    app = story_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert shown(app) == [OTHER]  # one story, folded into its newest article's row
        assert screen(app).article_list.cursor_id == OTHER  # the row of the lead's story
        add_article(stories_dir, "15_new.md", "Brand new", 14)
        await rescan(app, pilot)
        assert story_of(app, LAST) == (LEAD, 5) and story_of(app, "15_new.md")[1] == 1
        await pilot.press("u")
        await pilot.pause()
        assert edit_toasts(app)[-1] == (
            "Undone: the merge of 2 articles into the story of Lead story")
        assert story_of(app, OTHER) == (OTHER, 1) and story_of(app, LAST) == (LAST, 1)
        assert story_of(app, LEAD) == (LEAD, 3)
        await pilot.press("ctrl+r")  # and back again
        await pilot.pause()
        assert edit_toasts(app)[-1] == (
            "Redone: the merge of 2 articles into the story of Lead story")
        assert story_of(app, LAST) == (LEAD, 5)
        await pilot.press("u")
        await pilot.pause()
        await rescan(app, pilot)
        assert story_of(app, OTHER) == (OTHER, 1)
    assert stored_edits(db_path) == []


async def test_story_edit_merge_without_a_selection_says_how(
    story_app: AppFactory, db_path: Path
) -> None:
    app = story_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("m")
        await pilot.pause()
        assert edit_toasts(app)[-1] == (
            "To merge: select the articles with space, then put the cursor on an article of "
            "the story they should join")
        await pilot.press("k", "b")  # the other news is alone in its story already
        await pilot.pause()
        assert edit_toasts(app)[-1] == "It is alone in its story already"
        assert not screen(app).can_undo
    assert stored_edits(db_path) == []


async def test_story_edit_that_cannot_be_saved_says_so_and_nothing_else(
    story_app: AppFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = story_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)

        def refuse(ids: object) -> int | None:
            raise StoreError("decisions.db: the decisions database is busy; nothing was changed")

        monkeypatch.setattr(screen(app).library, "split_story", refuse)
        await pilot.press("b")
        await pilot.pause()
        said = edit_toasts(app)
        assert said[-1].startswith("Not saved: decisions.db: the decisions database is busy")
        assert not any(text.startswith("Split") for text in said)
        assert story_of(app, LEAD) == (LEAD, 3)
    assert stored_edits(db_path) == []


async def test_story_edit_by_another_instance_shows_within_a_second(
    story_app: AppFactory, stories_dir: Path, db_path: Path
) -> None:
    app = story_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        other = Library(stories_dir, db_path)  # the CLI, or a second app, on the same files
        try:
            other.split_story([COPY])
        finally:
            other.close()
        assert story_of(app, COPY) == (LEAD, 3)  # not looked yet
        await pilot.pause(FOLLOW_EVERY * 1.5)
        assert story_of(app, COPY) == (COPY, 1) and story_of(app, LEAD) == (LEAD, 2)
        assert screen(app).can_undo
        await pilot.press("u")  # the one undo stack holds the other instance's step too
        await pilot.pause()
        assert edit_toasts(app)[-1] == "Undone: the split of 1 article out of its story"
        assert story_of(app, COPY) == (LEAD, 3)


async def test_story_edit_undo_waits_for_a_running_scan(
    story_app: AppFactory, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A scan clusters with the edits it read when it began: undoing a split meanwhile would
    be written over, so `u` says to wait and changes nothing."""
    app = story_app()
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await start(app, pilot)
        await pilot.press("right", "j", "b")
        await pilot.pause()
        assert story_of(app, ECHO) == (ECHO, 1)
        monkeypatch.setattr(type(screen(app)), "_scanning", _says_scanning)
        await pilot.press("u")
        await pilot.pause()
        assert story_of(app, ECHO) == (ECHO, 1)
        assert said[-1] == "undo"
    assert stored_edits(db_path) == [(ECHO, "split", None)]


said: list[str] = []
"""What `_says_scanning` was asked about, last last."""


def _says_scanning(self: object, verb: str) -> bool:
    """A stand-in for the screen's scan check: a scan is running."""
    said.append(verb)
    return True

"""Pilot tests for the triage screen: keys, the screen, and the store reopened after exit."""

from __future__ import annotations

import shutil
import threading
from collections.abc import Callable
from datetime import UTC, timedelta
from pathlib import Path

import pytest
import yaml
from textual import events
from textual.binding import Binding
from textual.widgets import Static

from reader.app import NewsReader, help_areas
from reader.data import query
from reader.data.article import Decision
from reader.data.decisions.dbfile import StoreError
from reader.data.decisions.store import TriageStore
from reader.data.index import index as cache
from reader.dialogs.confirm import ConfirmScreen
from reader.dialogs.help import HelpScreen
from reader.dialogs.reason import ReasonScreen
from reader.messages import DecisionRequested
from reader.paths import config_file
from reader.triage.screen import FOLLOW_EVERY, TriageScreen
from reader.triage.workers import INDEXING_TEXT
from reader.widgets.article_detail import PLACEHOLDER, ArticleDetail
from reader.widgets.article_list import EMPTY_TEXT, ArticleList
from reader.widgets.status_bar import StatusBar
from tests.ui.conftest import NOW, SIZE, AppFactory, counted, warm

# The seeds in date order, newest first (the default sort).
ORDER = [
    "004_82dd85211220d7b2.txt",
    "000_603f865bca10b7c4.txt",
    "001_38bcfbeb79dc117a.txt",  # `published: true` in its file
    "002_0e358d6dd0710788.txt",
    "003_d5ead589fc54e32c.txt",
]


def screen(app: NewsReader) -> TriageScreen:
    """The triage screen (it is the only screen under test here)."""
    assert isinstance(app.screen, TriageScreen)
    return app.screen


def listed(app: NewsReader) -> list[tuple[str, Decision]]:
    """(id, state) for every row, in order."""
    return [(row.id, row.state) for row in screen(app).article_list.rows]


def stored(db_path: Path, *ids: str) -> list[Decision]:
    """The decisions a freshly opened store holds for these ids."""
    store = TriageStore(db_path)
    try:
        return [store.decision(i) for i in ids]
    finally:
        store.close()


def reasons(db_path: Path, *ids: str) -> list[str | None]:
    """The reasons a freshly opened store holds for these ids."""
    store = TriageStore(db_path)
    try:
        return [store.reason(i) for i in ids]
    finally:
        store.close()


def detail_text(app: NewsReader) -> str:
    """What the detail pane shows."""
    return str(app.screen.query_one(ArticleDetail).body)


async def start(app: NewsReader, pilot: object) -> None:
    """Wait for the first scan and the messages it sends, then show every article flat (`z`):
    these tests walk the five seeds one by one (test_stories.py covers the grouped list)."""
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.press("z")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_p_publishes_and_advances(new_app: AppFactory, db_path: Path) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert listed(app) == [(ORDER[0], Decision.UNDECIDED), (ORDER[1], Decision.UNDECIDED),
                               (ORDER[2], Decision.PUBLISHED), (ORDER[3], Decision.UNDECIDED),
                               (ORDER[4], Decision.UNDECIDED)]
        await pilot.press("p")
        await pilot.pause()
        lst = screen(app).article_list
        assert lst.cursor_id == ORDER[1]  # the next undecided article
        assert lst.rows[0].id == ORDER[0]  # the decided row stays in place, dimmed
        assert lst.line_classes(0) == ("article-list--decided",)
        assert lst.render_line(0).text.startswith(" ✓")
        await pilot.press("j", "s")  # skip the published one: the cursor skips to 3
        await pilot.pause()
        assert lst.cursor_id == ORDER[3]
        await pilot.press("G", "s")  # the last one: it wraps round to the first undecided
        await pilot.pause()
        assert lst.cursor_id == ORDER[1]
    assert stored(db_path, *ORDER[:3], ORDER[4]) == [
        Decision.PUBLISHED, Decision.UNDECIDED, Decision.SKIPPED, Decision.SKIPPED]


async def test_a_decision_shows_the_next_article_and_the_last_one_its_own_state(
    new_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The panes go straight to the article the cursor moves to (the decided one is not
    drawn again first); when none is left undecided, they show the decided one's state."""
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        triage = screen(app)
        shown = counted(monkeypatch, triage, "_show")
        await pilot.press("s")
        await pilot.pause()
        assert triage.article_list.cursor_id == ORDER[1]
        assert triage.article is not None and triage.article.id == ORDER[1]
        assert len(shown) == 1  # for ORDER[1] only
        await pilot.press("s", "s", "s")  # 1, 3 and 4: none left undecided
        await pilot.pause()
        assert all(state is not Decision.UNDECIDED for _, state in listed(app))
        assert triage.article_list.cursor_id == ORDER[4]
        assert triage.article_view.decision is Decision.SKIPPED
        assert "✗ skipped" in detail_text(app)


async def test_publish_is_idempotent_and_clear_undecides(
    new_app: AppFactory, db_path: Path
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("p", "k", "p", "k", "p")  # the same article three times
        await pilot.pause()
        assert stored(db_path, ORDER[0]) == [Decision.PUBLISHED]
        await pilot.press("k", "x")
        await pilot.pause()
        assert screen(app).article_list.cursor_id == ORDER[0]  # clear does not advance
        assert listed(app)[0] == (ORDER[0], Decision.UNDECIDED)
        await pilot.press("u")  # one undo takes back the clear...
        await pilot.pause()
        assert listed(app)[0] == (ORDER[0], Decision.PUBLISHED)
        await pilot.press("u")  # ...and one more the single publish
        await pilot.pause()
        assert listed(app)[0] == (ORDER[0], Decision.UNDECIDED)
        assert not screen(app).can_undo
    assert stored(db_path, ORDER[0]) == [Decision.UNDECIDED]


async def test_undo_and_redo_survive_a_restart(new_app: AppFactory, db_path: Path) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("p", "s")
        await pilot.pause()
    assert stored(db_path, ORDER[0], ORDER[1]) == [Decision.PUBLISHED, Decision.SKIPPED]

    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert listed(app)[1] == (ORDER[1], Decision.SKIPPED)
        await pilot.press("u")
        await pilot.pause()
        assert screen(app).article_list.cursor_id == ORDER[1]  # the cursor goes to the undo
        assert listed(app)[1] == (ORDER[1], Decision.UNDECIDED)
    assert stored(db_path, ORDER[0], ORDER[1]) == [Decision.PUBLISHED, Decision.UNDECIDED]

    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert screen(app).check_action("redo", ()) is True
        await pilot.press("ctrl+r")
        await pilot.pause()
        assert listed(app)[1] == (ORDER[1], Decision.SKIPPED)
    assert stored(db_path, ORDER[1]) == [Decision.SKIPPED]


async def test_bulk_decision_is_undone_as_one_step(new_app: AppFactory, db_path: Path) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("space", "j", "space", "j", "j", "space", "s")
        await pilot.pause()
        lst = screen(app).article_list
        assert lst.selected == frozenset()  # the selection is used up
        chosen = [ORDER[0], ORDER[1], ORDER[3]]
        assert [s for i, s in listed(app) if i in chosen] == [Decision.SKIPPED] * 3
        assert screen(app).session == 3
        assert stored(db_path, *chosen) == [Decision.SKIPPED] * 3
        await pilot.press("u")
        await pilot.pause()
        assert [s for i, s in listed(app) if i in chosen] == [Decision.UNDECIDED] * 3
        assert screen(app).session == 0
        assert screen(app).counts == query.counts(screen(app).library)
    assert stored(db_path, *chosen) == [Decision.UNDECIDED] * 3


async def test_state_filter_cycles(new_app: AppFactory) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("f")  # undecided only
        await pilot.pause()
        assert [i for i, _ in listed(app)] == [ORDER[1], ORDER[3], ORDER[4]]
        assert "Showing undecided" in str(app.screen.query_one("#filter-line", Static).render())
        await pilot.press("f")  # published
        await pilot.pause()
        assert [i for i, _ in listed(app)] == [ORDER[0], ORDER[2]]
        await pilot.press("escape")
        await pilot.pause()
        assert len(listed(app)) == 5


async def test_decided_rows_stay_in_a_filtered_list_until_it_is_refreshed(
    new_app: AppFactory,
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("f", "p")  # undecided only, then publish the first
        await pilot.pause()
        assert [i for i, _ in listed(app)] == [ORDER[0], ORDER[1], ORDER[3], ORDER[4]]
        assert listed(app)[0][1] is Decision.PUBLISHED
        await pilot.press("r")  # a rescan keeps what the editor is working through
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert [i for i, _ in listed(app)] == [ORDER[0], ORDER[1], ORDER[3], ORDER[4]]


async def test_search_finds_and_escape_clears(new_app: AppFactory) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("slash", *"owkin", "enter")
        await pilot.pause()
        ids = [i for i, _ in listed(app)]
        assert ids and set(ids) < set(ORDER)
        assert ORDER[1] in ids and ORDER[3] not in ids
        assert screen(app).article_list.has_focus
        await pilot.press("p")  # keys work on the list again...
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)  # ...000's story has 001 published
        await pilot.press("y")
        await pilot.pause()
        assert screen(app).session == 1
        await pilot.press("escape")
        await pilot.pause()
        assert len(listed(app)) == 5


async def test_topic_picker_filters(new_app: AppFactory) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("t")
        await pilot.pause()
        await pilot.press("down", "enter")  # the most common topic
        await pilot.pause()
        topic = screen(app).filters.topic
        assert topic
        assert 0 < len(listed(app)) <= 5
        for article_id, _ in listed(app):
            article = screen(app).library.article(article_id)
            assert article is not None and topic in article.topics


async def test_cursor_stays_on_its_article_through_a_rescan(
    new_app: AppFactory, seeds_dir: Path
) -> None:
    app = new_app()
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        app.notify = lambda message, **kw: notes.append(message)  # type: ignore[method-assign]
        await pilot.press("j", "j", "j")
        await pilot.pause()
        assert screen(app).article_list.cursor_id == ORDER[3]
        # A newer copy sorts first; one file goes away.
        text = (seeds_dir / ORDER[3]).read_text(encoding="utf-8")
        newer = text.replace("2020-12-01T02:42:00Z", "2023-01-01T00:00:00Z")
        (seeds_dir / "zzz_new.txt").write_text(newer, encoding="utf-8")
        (seeds_dir / ORDER[4]).unlink()
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen(app).article_list.cursor_id == ORDER[3]
        assert [i for i, _ in listed(app)] == ["zzz_new.txt", *ORDER[:4]]
        assert "1 new article, marked N in the list" in notes


async def test_open_refuses_what_is_not_http(
    app_factory: Callable[[Path], AppFactory], hostile_dir: Path
) -> None:
    app = app_factory(hostile_dir)()
    opened: list[str] = []
    notes: list[str] = []
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        app.open_url = lambda url, **kw: opened.append(url)  # type: ignore[method-assign]
        app.notify = lambda message, **kw: notes.append(message)  # type: ignore[method-assign]
        assert screen(app).article_list.cursor_id == "100_markup.md"
        await pilot.press("o")  # javascript: is refused
        await pilot.press("tab", "tab", "o")  # the related link is file:///
        await pilot.pause()
        assert opened == []
        assert notes == ["Not an http or https link: javascript:alert(1)",
                         "Not an http or https link: file:///etc/passwd"]
        await pilot.press("shift+tab", "shift+tab", "j", "o")
        await pilot.pause()
        assert opened == [screen(app).article.url]  # type: ignore[union-attr]
        assert opened[0].startswith("https://")


async def test_hostile_text_shows_literally(
    app_factory: Callable[[Path], AppFactory], hostile_dir: Path
) -> None:
    app = app_factory(hostile_dir)()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert app.is_running
        body = app.screen.query_one(ArticleDetail).body
        text = str(body)
        assert "[bold red]x[/] and [@click=app.quit]quit[/] $accent red" in text
        assert "[b]Evil[/b] News" in text and "Topics    $accent" in text
        assert "\x1b" not in text
        assert "▶ video" in text and "https://www.youtube.com/embed/abc" in text
        assert "<iframe" not in text
        notices = str(app.screen.query_one(ArticleDetail).notice)
        assert "101_broken.md" in notices  # the file that does not parse
        status = str(app.screen.query_one("#status", StatusBar).render())
        assert "⚠ 1 problem" in status and "problems" not in status
        toasts = [n.message for n in app._notifications]  # not at every start, over the panes
        assert not any("in the folder: see the article pane" in toast for toast in toasts)


async def test_a_rescan_announces_new_problems(
    app_factory: Callable[[Path], AppFactory], hostile_dir: Path
) -> None:
    app = app_factory(hostile_dir)()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        (hostile_dir / "999_also_broken.md").write_bytes(b"---\ntitle: [unclosed\n---\n")
        await pilot.press("r")
        await app.workers.wait_for_complete()
        await pilot.pause()
        toasts = [n.message for n in app._notifications]
        assert any("2 problems in the folder" in toast for toast in toasts), toasts
        assert "⚠ 2 problems" in str(app.screen.query_one("#status", StatusBar).render())


async def test_a_locked_store_loses_no_decision(new_app: AppFactory, db_path: Path) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        triage = screen(app)
        real = triage.library.store.decide

        def locked(*args: object, **kw: object) -> None:
            raise StoreError("the decisions database is busy; nothing was changed")

        triage.library.store.decide = locked  # type: ignore[method-assign,assignment]
        await pilot.press("p")
        await pilot.pause()
        assert listed(app)[0] == (ORDER[0], Decision.UNDECIDED)  # nothing claimed
        assert triage.article_list.cursor_id == ORDER[0]
        assert "busy" in str(app.screen.query_one(ArticleDetail).notice)
        triage.library.store.decide = real  # type: ignore[method-assign]
        await pilot.press("p")
        await pilot.pause()
        assert app.is_running
    assert stored(db_path, ORDER[0]) == [Decision.PUBLISHED]


async def test_what_another_instance_decides_shows_within_a_second(
    new_app: AppFactory, db_path: Path
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        triage = screen(app)
        before = dict(triage.counts)
        other = TriageStore(db_path)  # the CLI, or a second app, on the same store
        try:
            other.decide([ORDER[0], ORDER[3]], Decision.SKIPPED)
        finally:
            other.close()
        assert listed(app)[0] == (ORDER[0], Decision.UNDECIDED)  # not looked yet
        await pilot.pause(FOLLOW_EVERY * 1.5)
        assert listed(app)[0] == (ORDER[0], Decision.SKIPPED)
        assert listed(app)[3] == (ORDER[3], Decision.SKIPPED)
        assert triage.counts[Decision.SKIPPED] == before[Decision.SKIPPED] + 2
        assert triage.counts[Decision.UNDECIDED] == before[Decision.UNDECIDED] - 2
        assert triage.session == 0  # another instance's work is not this session's
        assert "skipped" in detail_text(app)  # the cursor's article shows its new state
        await pilot.press("u")  # the one undo stack holds the other instance's step too
        await pilot.pause()
        assert listed(app)[0] == (ORDER[0], Decision.UNDECIDED)
    assert stored(db_path, ORDER[0], ORDER[3]) == [Decision.UNDECIDED, Decision.UNDECIDED]


async def test_keys_come_from_the_keymap(new_app: AppFactory, db_path: Path) -> None:
    app = new_app(keymap={"publish": "P", "skip": "ctrl+k"})
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("p")  # no longer bound
        await pilot.pause()
        assert screen(app).session == 0
        await pilot.press("P", "ctrl+k")
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        keys = {k.description: k.keys for k in app.screen.keys}
        assert (keys["Publish"], keys["Skip"]) == ("P", "^k")
    assert stored(db_path, ORDER[0], ORDER[1]) == [Decision.PUBLISHED, Decision.SKIPPED]


async def test_help_lists_every_binding(new_app: AppFactory) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        described = {(k.description, k.tooltip) for k in app.screen.keys}
        for node in (NewsReader, *(node for _, node in help_areas())):
            for binding in node.BINDINGS:
                assert isinstance(binding, Binding)
                assert binding.id and binding.description and binding.tooltip
                assert (binding.description, binding.tooltip) in described
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)


async def test_palette_lists_the_panes_actions(new_app: AppFactory) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        names = [name for name, _, _ in app.commands(app.screen)]
        assert len(names) == len(set(names))  # no two commands share a name
        for node in (TriageScreen, ArticleList, NewsReader):
            for binding in node.BINDINGS:
                assert isinstance(binding, Binding)
                # Undo, redo and the story keys only show when they would do something.
                if binding.action not in ("undo", "redo", "command_palette", "decide_story",
                                          "expand", "collapse", "toggle_story"):
                    assert binding.description in names
        assert "Open related" in names  # the first seed has related coverage
        await pilot.press("ctrl+p", *"last", "enter")
        await pilot.pause(0.3)
        assert screen(app).article_list.cursor_id == ORDER[-1]


async def test_undo_key_hides_until_there_is_something_to_undo(new_app: AppFactory) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        active = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert "undo" not in active and "redo" not in active
        await pilot.press("p")
        await pilot.pause()
        active = {b.binding.action for b in app.screen.active_bindings.values() if b.enabled}
        assert "undo" in active and "redo" not in active


async def test_palette_runs_an_action(new_app: AppFactory, db_path: Path) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"publish")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause()
        assert screen(app).session == 1
    assert stored(db_path, ORDER[0]) == [Decision.PUBLISHED]


async def test_status_bar_counts_and_pace(new_app: AppFactory) -> None:
    clock = [NOW]
    app = new_app(now=lambda: clock[0])
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("p", "s")
        await pilot.pause()
        clock[0] = NOW + timedelta(minutes=30)
        await pilot.press("p")
        await pilot.pause()
        bar = str(app.screen.query_one(StatusBar).render())
        assert "1 left" in bar
        assert "3 published" in bar and "1 skipped" in bar
        assert "session 3 · 6/h" in bar


async def test_the_theme_is_restored_and_saved(new_app: AppFactory) -> None:
    app = new_app(theme="nord")
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert app.theme == "nord"
        app.theme = "gruvbox"
        await pilot.pause()
    saved = yaml.safe_load(config_file().read_text(encoding="utf-8"))
    assert saved["theme"] == "gruvbox"


async def test_a_cold_start_indexes_in_a_worker(
    new_app: AppFactory, seeds_dir: Path, db_path: Path
) -> None:
    for n in range(30):  # enough files to see the list fill
        shutil.copy(seeds_dir / ORDER[1], seeds_dir / f"copy_{n:02d}.txt")
    app = new_app()
    seen: list[object] = []
    async with app.run_test(size=SIZE, message_hook=seen.append) as pilot:
        await start(app, pilot)
        assert len(listed(app)) == 35
        assert not screen(app).has_class("-scanning")
        await pilot.press("p")
        await pilot.pause()
    assert any(type(m).__name__ == "ScanProgressed" for m in seen)
    assert any(isinstance(m, DecisionRequested) for m in seen)


async def test_a_warm_start_lists_at_once(new_app: AppFactory, seeds_dir: Path,
                                          db_path: Path) -> None:
    warm(seeds_dir, db_path)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        assert len(listed(app)) == 4  # before the background scan; 000 and 001: one story
        await start(app, pilot)
        assert not screen(app).query("#scan")  # nothing to index: no progress row is made


async def test_skip_with_a_quick_reason(new_app: AppFactory, db_path: Path) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press("3")  # low quality
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        assert listed(app)[0] == (ORDER[0], Decision.SKIPPED)
        assert screen(app).article_list.cursor_id == ORDER[1]  # on to the next undecided
        await pilot.press("k")
        await pilot.pause()
        assert "State     ✗ skipped  (low quality)" in detail_text(app)
        assert screen(app).session == 1
    assert stored(db_path, ORDER[0]) == [Decision.SKIPPED]
    assert reasons(db_path, ORDER[0]) == ["low quality"]


async def test_skip_with_a_typed_reason_and_cancel(new_app: AppFactory, db_path: Path) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("s", "k")  # skipped without a reason first
        await pilot.pause()
        assert "State     ✗ skipped\n" in detail_text(app)
        await pilot.press("S", *"press copy", "enter")  # typing goes to the reason box
        await pilot.pause()
        assert screen(app).article_list.cursor_id == ORDER[1]  # on, as after `s`
        await pilot.press("k")
        await pilot.pause()
        assert "State     ✗ skipped  (press copy)" in detail_text(app)
        assert screen(app).session == 1  # a reason alone is no new decision
        await pilot.press("j", "S", "escape")  # cancelled: nothing changes
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        assert listed(app)[1] == (ORDER[1], Decision.UNDECIDED)
        await pilot.press("u")  # the reason was one undoable step
        await pilot.pause()
        assert screen(app).article_list.cursor_id == ORDER[0]
        assert "State     ✗ skipped\n" in detail_text(app)
    assert reasons(db_path, ORDER[0], ORDER[1]) == [None, None]
    assert stored(db_path, ORDER[0], ORDER[1]) == [Decision.SKIPPED, Decision.UNDECIDED]


async def test_undo_returns_an_article_to_its_file(new_app: AppFactory, db_path: Path) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("j", "j", "x")  # `published: true` in its file, cleared
        await pilot.pause()
        assert listed(app)[2] == (ORDER[2], Decision.UNDECIDED)
        await pilot.press("u")
        await pilot.pause()
        assert listed(app)[2] == (ORDER[2], Decision.PUBLISHED)
        assert "State     ✓ published" in detail_text(app)
        assert screen(app).session == 0
        assert screen(app).counts == query.counts(screen(app).library)  # moved, not recounted
    assert stored(db_path, ORDER[2]) == [Decision.PUBLISHED]


async def test_the_journal_keeps_the_apps_clock(new_app: AppFactory, db_path: Path) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("p", "u")
        await pilot.pause()
    store = TriageStore(db_path)
    try:
        stamps = {entry.at for entry in store.journal()}
    finally:
        store.close()
    assert stamps == {NOW.astimezone(UTC).isoformat(timespec="milliseconds")}


async def test_a_long_first_scan_shows_and_decides_from_its_first_batch(
    new_app: AppFactory, seeds_dir: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for n in range(1100):  # past the first commit (500 rows) and a progress report (600)
        shutil.copy(seeds_dir / ORDER[1], seeds_dir / f"copy_{n:04d}.txt")
    gate = threading.Event()
    parse = cache._row

    def slow_row(stat: cache.FileStat) -> cache.IndexRow:
        if stat.id == sorted(p.name for p in seeds_dir.iterdir())[700]:
            gate.wait(timeout=20)  # hold the scan here until the test has looked
        return parse(stat)

    monkeypatch.setattr(cache, "POOL_THRESHOLD", 10_000)  # parse in this process
    monkeypatch.setattr(cache, "_row", slow_row)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        triage = screen(app)
        try:
            for _ in range(500):
                await pilot.pause(0.02)
                if triage.article_list.rows:
                    break
            assert triage.scanning_first and triage.has_class("-scanning")
            row = triage.query_one("#scan")
            assert row.display and row.region.height == 1
            assert str(row.query_one("#scan-label", Static).content).startswith("Indexing ")
            assert triage.article_list.empty_text == INDEXING_TEXT
            first = triage.article_list.cursor_id
            assert first is not None and triage.article is not None
            assert PLACEHOLDER not in detail_text(app)
            await pilot.press("p")  # keys work mid-scan
            await pilot.pause()
            assert triage.session == 1
        finally:
            gate.set()
        await start(app, pilot)
        assert not triage.has_class("-scanning")
        assert triage.article_list.empty_text == EMPTY_TEXT
        assert len(listed(app)) == 1105
    assert stored(db_path, first) == [Decision.PUBLISHED]  # the scan's seeding kept it


async def test_the_same_size_again_lays_nothing_out(new_app: AppFactory) -> None:
    """The driver repeats the start size: that must not lay the screen out and paint it
    again (it did, 20-50 ms before the first list showed); a new size still does."""
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        triage = screen(app)
        layouts: list[object] = []
        real = triage._refresh_layout

        def counted(*args: object, **kw: object) -> None:
            layouts.append(args)
            real(*args, **kw)  # type: ignore[arg-type]

        triage._refresh_layout = counted  # type: ignore[method-assign,assignment]
        app.post_message(events.Resize(app.size, app.size))
        await pilot.pause(0.1)
        assert layouts == []
        await pilot.resize_terminal(100, 30)
        await pilot.pause(0.1)
        assert layouts  # the counter sees a real resize

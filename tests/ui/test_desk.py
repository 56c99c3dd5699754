"""Pilot tests for the desk on the triage screen: sync by key, conflicts marked, listed and
resolved, claims, an unreachable remote; each checks the screen and what was stored (the
store reopened, the editor's log, the remote)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from reader.app import NewsReader
from reader.data.article import Decision
from reader.data.decisions.store import TriageStore
from reader.data.library import Library, Side
from reader.dialogs.conflicts import ConflictsScreen
from reader.triage import desk
from reader.triage.model import next_undecided
from reader.triage.screen import TriageScreen
from reader.widgets.row_text import CONFLICT_MARK
from tests.ui.conftest import NOW, SIZE
from tests.ui.desk_repo import Clone, app_on, bob_does, git, remote_logs
from tests.ui.test_app_config import toasts
from tests.ui.test_triage import ORDER, detail_text, listed, screen, start

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

async def settle(app: NewsReader, pilot: object) -> None:
    """Wait out the workers, those their messages start, and the messages they send."""
    for _ in range(3):
        await app.workers.wait_for_complete()
        await pilot.pause()  # type: ignore[attr-defined]


async def sync(app: NewsReader, pilot: object) -> None:
    """Press D and wait for the sync and what follows it."""
    await pilot.press("D")  # type: ignore[attr-defined]
    await settle(app, pilot)


def reopened(clone_: Clone) -> Library:
    """The clone's store and index, opened anew, at the app's clock (claims end)."""
    return Library(clone_.root, clone_.db, clock=lambda: NOW)


async def test_d_syncs_and_the_remote_has_the_decision(alice: Clone, desk_remote: Path) -> None:
    """D shares the decision: a toast in words, the log in the repository, the remote's
    commit; no conflict is counted."""
    app = app_on(alice)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("s")  # ORDER[0]
        await sync(app, pilot)
        assert "Desk: Synced: 1 of yours shared" in toasts(app)
        assert not screen(app).syncing and screen(app).conflicts == 0
    [(name, events)] = alice.logs().items()
    assert name == "alice-at-example.com.jsonl"
    assert [(e["article"], e["state"]) for e in events] == [(f"_news/{ORDER[0]}", "skipped")]
    assert remote_logs(desk_remote) == [name]
    assert "newsreader" in git(desk_remote, "log", "-1", "--format=%s", "main")
    store = TriageStore(alice.db)
    try:
        assert store.decision(ORDER[0]) is Decision.SKIPPED
        assert store.unshared_events() == []  # in the log now
    finally:
        store.close()


async def test_a_sync_shows_what_another_editor_decided_and_who(alice: Clone, bob: Clone,
                                                                 desk_remote: Path) -> None:
    """Bob's decision comes in with the sync: the row's state moves, the counts follow,
    and the detail pane says who decided it and when."""
    bob_does(bob, decide=(ORDER[0], Decision.PUBLISHED))
    app = app_on(alice)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert listed(app)[0] == (ORDER[0], Decision.UNDECIDED)
        await sync(app, pilot)
        assert listed(app)[0] == (ORDER[0], Decision.PUBLISHED)
        assert screen(app).counts[Decision.PUBLISHED] == 2
        assert any(t.startswith("Desk: Synced: ") and "1 article changed" in t
                   for t in toasts(app))
        assert screen(app).article_list.cursor_id == ORDER[0]
        assert "Published by Bob Jones, 2024-01-15 11:00" in detail_text(app)
        await pilot.press("j", "s")  # ORDER[1], decided here and not shared yet
        await pilot.pause()
        await pilot.press("k", "k")  # back from ORDER[3], past ORDER[2]
        await pilot.pause()
        assert "Skipped by you, 2024-01-15 12:00" in detail_text(app)


async def test_a_conflict_is_marked_listed_and_resolved(alice: Clone, bob: Clone) -> None:
    """Alice skips what Bob published, neither having seen the other's decision: after D
    the row is marked, the status bar counts it, the detail pane says who decided what;
    C lists both sides; Enter on Bob's resolves it as one step, to share at the next sync."""
    bob_does(bob, decide=(ORDER[0], Decision.PUBLISHED))
    app = app_on(alice)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("s")  # ORDER[0], before Alice has seen Bob's
        await sync(app, pilot)
        triage = screen(app)
        assert any("1 conflict" in t for t in toasts(app))
        lst = triage.article_list
        assert lst.render_line(0).text[1] == CONFLICT_MARK
        assert triage.conflicts == 1
        assert "1 conflict" in triage.query_one("#status").render().plain
        await pilot.press("g")  # the first row
        await pilot.pause()
        assert "Editors disagree: you skipped it, 2024-01-15 12:00; Bob Jones published " \
            "it, 2024-01-15 11:00" in detail_text(app)

        await pilot.press("C")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ConflictsScreen)
        sides = [(e.article_id, e.side and e.side.editor) for e in dialog.entries]
        assert sides == [(ORDER[0], None), (ORDER[0], "Alice Smith <alice@example.com>"),
                         (ORDER[0], "Bob Jones <bob@example.com>")]
        await pilot.press("down", "enter")  # Bob's side
        await pilot.pause()
        assert not isinstance(app.screen, ConflictsScreen)
        assert listed(app)[0] == (ORDER[0], Decision.PUBLISHED)
        assert lst.render_line(0).text[1] == Decision.PUBLISHED.glyph
        assert triage.conflicts == 0
        assert lst.cursor_id == ORDER[0]
        assert any(t.startswith("Desk: Resolved: ") for t in toasts(app))
        assert triage.can_undo
    library = reopened(alice)
    try:
        assert library.conflicts() == {}
        assert library.decision(ORDER[0]) is Decision.PUBLISHED
        [event] = library.store.unshared_events()
        assert (event.article, event.state, len(event.on)) == (ORDER[0], "published", 2)
    finally:
        library.close()


async def test_g_in_the_conflicts_view_goes_to_the_article(alice: Clone, bob: Clone) -> None:
    """g on a side only goes to its article: nothing is decided."""
    bob_does(bob, decide=(ORDER[3], Decision.PUBLISHED))
    app = app_on(alice)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("j", "j", "j", "s")  # ORDER[3]
        await sync(app, pilot)
        await pilot.press("g")  # the cursor to the first row
        await pilot.press("C")
        await pilot.pause()
        await pilot.press("g")
        await pilot.pause()
        assert screen(app).article_list.cursor_id == ORDER[3]
        assert screen(app).conflicts == 1
    library = reopened(alice)
    try:
        assert list(library.conflicts()) == [ORDER[3]]
    finally:
        library.close()


async def test_no_conflicts_says_so(alice: Clone) -> None:
    """C with nothing in conflict opens nothing."""
    app = app_on(alice)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("C")
        await pilot.pause()
        assert not isinstance(app.screen, ConflictsScreen)
        assert any(t.startswith("No conflicts") for t in toasts(app))


async def test_an_unreachable_remote_warns_and_keeps_the_decisions(alice: Clone,
                                                                   desk_remote: Path) -> None:
    """A remote that cannot be reached: a warning with git's reason, never `Synced`; the
    decision stays in the store and in the local log, and the remote lacks it."""
    git(alice.top, "remote", "set-url", "origin", str(desk_remote.parent / "gone.git"))
    app = app_on(alice)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("p")  # ORDER[0]
        await sync(app, pilot)
        notes = [(n.title, n.severity, n.message) for n in app._notifications]
        assert [(t, s) for t, s, _ in notes] == [("Not synced with the desk", "warning")]
        assert "cannot reach origin" in notes[0][2]
        assert not any("Synced" in m for _, _, m in notes)
        assert not screen(app).syncing
    assert remote_logs(desk_remote) == []
    library = reopened(alice)
    try:
        assert library.decision(ORDER[0]) is Decision.PUBLISHED
    finally:
        library.close()
    [events] = alice.logs().values()  # written and committed here, for the next sync
    assert [e["state"] for e in events] == ["published"]


async def test_a_sync_that_cannot_start_is_an_error(alice: Clone) -> None:
    """No editor name anywhere: a SyncError, shown as an error toast."""
    git(alice.top, "config", "--unset", "user.name")
    git(alice.top, "config", "--unset", "user.email")
    app = app_on(alice)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await sync(app, pilot)
        [note] = app._notifications
        assert (note.title, note.severity) == ("Not synced", "error")
        assert "no editor name" in note.message


async def test_c_claims_and_another_editors_claim_is_passed_over(alice: Clone,
                                                                 bob: Clone) -> None:
    """Bob claims ORDER[1]: after D its row is dimmed and named in the detail pane, and
    n and the advance after s pass it over; c claims the undecided rows nobody claimed."""
    bob_does(bob, claim=[ORDER[1]])
    app = app_on(alice)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await sync(app, pilot)
        lst = screen(app).article_list
        assert "article-list--claimed" in lst.line_classes(1)
        assert lst.cursor_id == ORDER[0]
        await pilot.press("n")
        await pilot.pause()
        assert lst.cursor_id == ORDER[3]  # not ORDER[1] (Bob's), nor ORDER[2] (published)
        await pilot.press("g", "s")  # ORDER[0]: the cursor passes ORDER[1] over
        await pilot.pause()
        assert lst.cursor_id == ORDER[3]
        await pilot.press("k", "k")  # to Bob's on purpose: it can still be decided
        await pilot.pause()
        assert lst.cursor_id == ORDER[1]
        assert "Claimed by Bob Jones until 15:00" in detail_text(app)
        await pilot.press("g", "c")
        await pilot.pause()
        assert "Desk: Claimed 2 articles until 16:00; the desk sees it at your next sync" \
            in toasts(app)
        await pilot.press("c")
        await pilot.pause()
        assert "Every undecided article in the list is claimed already" in toasts(app)
    library = reopened(alice)
    try:
        [mine] = [c for c in library.claims() if c.own]
        assert sorted(mine.articles) == sorted([ORDER[3], ORDER[4]])
        assert mine.until.startswith("2024-01-15T16:00")
    finally:
        library.close()


async def test_an_undo_leaves_what_another_editor_decided_since(alice: Clone,
                                                                bob: Clone) -> None:
    """Alice skips and shares; Bob, having seen it, publishes; after her next sync her
    undo leaves Bob's decision and says so."""
    app = app_on(alice)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("s")  # ORDER[0]
        await sync(app, pilot)
        bob_does(bob, decide=(ORDER[0], Decision.PUBLISHED))
        await sync(app, pilot)
        assert listed(app)[0] == (ORDER[0], Decision.PUBLISHED)
        assert screen(app).conflicts == 0
        await pilot.press("u")
        await pilot.pause()
        assert any("1 article was decided by another editor since: left as it is" in t
                   for t in toasts(app))
        assert listed(app)[0] == (ORDER[0], Decision.PUBLISHED)
    library = reopened(alice)
    try:
        assert library.decision(ORDER[0]) is Decision.PUBLISHED
    finally:
        library.close()


async def test_a_timer_sync_is_quiet_when_nothing_happened(alice: Clone, bob: Clone,
                                                           monkeypatch: pytest.MonkeyPatch
                                                           ) -> None:
    """`sync_minutes` sets a timer; its sync says nothing when nothing came, and says what
    came when something did."""
    intervals: list[float] = []
    real = TriageScreen.set_interval

    def recording(self: TriageScreen, every: float, *args: object, **kw: object) -> object:
        intervals.append(every)
        return real(self, every, *args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(TriageScreen, "set_interval", recording)
    app = app_on(alice, sync_minutes=5)
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert 300 in intervals
        triage = screen(app)
        triage._start_sync(quiet=True)
        await settle(app, pilot)
        assert toasts(app) == []
        bob_does(bob, decide=(ORDER[0], Decision.SKIPPED))
        triage._start_sync(quiet=True)
        await settle(app, pilot)
        assert [t for t in toasts(app) if t.startswith("Desk: Synced: ")]


def test_the_next_undecided_passes_over_claimed_rows() -> None:
    """The rule without the app: claimed rows are passed over, both ways."""
    from reader.data.query import ArticleRow

    rows = [ArticleRow(i, "", "", None, Decision.UNDECIDED) for i in "abcd"]
    assert next_undecided(rows, 0, passing={"b", "c"}) == 3
    assert next_undecided(rows, 3, backwards=True, passing={"b", "c"}) == 0
    assert next_undecided(rows, 0, passing={"b", "c", "d"}) is None
    assert desk.to_claim(rows, 1, {"c"}, count=2) == ["b", "d"]


@pytest.mark.parametrize(("editor", "shown"), [
    (None, "you"),
    ("Alice Smith <alice@example.com>", "Alice Smith"),
    ("alice@example.com", "alice@example.com"),
    ("[b]Evil[/b] <e@x>", "[b]Evil[/b]"),
    ("Bad\x1b[31m <e@x>", "Bad"),
])
def test_editor_names(editor: str | None, shown: str) -> None:
    """An editor's name loses its email, and every control character."""
    assert desk.who(editor) == shown


def test_conflict_words_are_plain() -> None:
    """A side's reason is shown as written, markup and all, without control characters."""
    side = Side("e1", "Bob <b@x>", "2024-01-15T11:00:00.000+00:00", "skipped", "[red]x\x07")
    assert desk.side_words(side) == "Bob skipped it ([red]x), 2024-01-15 11:00"

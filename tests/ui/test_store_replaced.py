"""Pilot tests: a decisions database deleted or replaced under the running app is refused,
and from then on every key that would write to it is off, a line above the status bar
saying why."""

from __future__ import annotations

import os
from pathlib import Path

from textual.widgets import Label

from reader.app import NewsReader
from reader.data.article import Decision
from reader.data.decisions.store import TriageStore
from reader.triage import words
from reader.triage.keys import WRITES
from reader.triage.screen import FOLLOW_EVERY
from reader.widgets.article_detail import ArticleDetail
from reader.widgets.key_footer import KeyFooter
from tests.ui.conftest import SIZE, AppFactory
from tests.ui.test_triage import ORDER, listed, screen, start

GONE = "the decisions database was deleted or replaced while newsreader had it open"


def skips(db_path: Path) -> list[str]:
    """The articles a store opened afresh at `db_path` holds as skipped."""
    store = TriageStore(db_path)
    try:
        return [i for i, state in store.states().items() if state is Decision.SKIPPED]
    finally:
        store.close()


def remove(db_path: Path) -> None:
    """Delete the decisions file, as removing the data folder does."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def footer_keys(app: NewsReader) -> dict[str, bool]:
    """The footer's keys: whether each action's is enabled (dimmed when not)."""
    return {key.action: key.enabled for key in app.screen.query_one(KeyFooter).keys.left}


def refused_line(app: NewsReader) -> str | None:
    """The line above the status bar that says why decisions are off; None: none."""
    lines = app.screen.query("#store-refused")
    return str(lines.first(Label).render()) if lines else None


def gone_toasts(app: NewsReader) -> int:
    """How many toasts said the database was deleted or replaced."""
    return sum(GONE in n.message for n in app._notifications)


async def test_s_after_the_database_is_deleted_says_so_and_marks_nothing(
    new_app: AppFactory, db_path: Path
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        before = listed(app)
        assert before[0] == (ORDER[0], Decision.UNDECIDED)
        assert refused_line(app) is None
        assert footer_keys(app)["skip"] and footer_keys(app)["publish"]
        remove(db_path)
        await pilot.press("s")
        await pilot.pause()
        assert gone_toasts(app) == 1
        assert listed(app) == before  # no row claims a skip
        assert screen(app).article_list.cursor_id == ORDER[0]
        notices = str(app.screen.query_one(ArticleDetail).notice)
        assert "deleted or replaced" in notices
        # From now on the keys that write are off, and the screen says why.
        await pilot.pause()
        shown = footer_keys(app)
        assert not shown["publish"] and not shown["skip"] and not shown["clear"]
        assert shown["search"]  # reading keys still work
        assert all(screen(app).check_action(action, ()) is None for action in WRITES)
        assert refused_line(app) == words.STORE_REFUSED
        await pilot.press("s", "p", "x", "S")
        await pilot.pause()
        assert gone_toasts(app) == 1  # a key that is off does nothing, not even fail
        assert listed(app) == before
        assert app.is_running
    assert skips(db_path) == []


async def test_a_database_replaced_between_keys_turns_them_off_before_the_next(
    new_app: AppFactory, db_path: Path, tmp_path: Path
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("p")  # saved: now there is a step to undo
        await pilot.pause()
        assert listed(app)[0] == (ORDER[0], Decision.PUBLISHED)
        assert footer_keys(app)["undo"]
        elsewhere = tmp_path / "other" / "decisions.db"
        other = TriageStore(elsewhere)  # another store, with a decision of its own
        other.decide([ORDER[3]], Decision.SKIPPED)
        other.close()
        remove(db_path)
        os.replace(elsewhere, db_path)
        await pilot.pause(FOLLOW_EVERY * 1.5)  # no key pressed: the app looks by itself
        assert refused_line(app) == words.STORE_REFUSED
        toasts = [n.message for n in app._notifications]
        assert toasts == [words.STORE_REFUSED]  # said once, before any key fails
        shown = footer_keys(app)
        assert not shown["skip"] and not shown["undo"]
        before = listed(app)
        await pilot.press("s", "u")
        await pilot.pause()
        assert listed(app) == before
        assert app.is_running
    assert skips(db_path) == [ORDER[3]]  # the file there now has only its own decisions

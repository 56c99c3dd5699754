"""Pilot test: a decisions database deleted under the running app is refused, every key."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from reader.data.article import Decision
from reader.data.decisions.store import TriageStore
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


async def test_s_after_the_database_is_deleted_says_so_and_marks_nothing(
    new_app: AppFactory, db_path: Path
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        before = listed(app)
        assert before[0] == (ORDER[0], Decision.UNDECIDED)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db_path}{suffix}").unlink(missing_ok=True)
        for tries in (1, 2):
            await pilot.press("s")
            await pilot.pause()
            toasts = [n.message for n in app._notifications]
            assert sum(GONE in toast for toast in toasts) == tries, toasts
            assert listed(app) == before  # no row claims a skip
            assert screen(app).article_list.cursor_id == ORDER[0]
        notices = str(app.screen.query_one("#detail-notices", Static).render())
        assert "deleted or replaced" in notices
        assert app.is_running
    assert skips(db_path) == []

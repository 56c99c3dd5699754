"""Pilot tests: the status bar's counts are the store's, when another instance (the CLI, a
second app) decides the same article just before or after a key, before the app looks."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.data import query
from reader.data.article import Decision
from reader.data.decisions.store import TriageStore
from reader.triage.screen import FOLLOW_EVERY
from reader.widgets.status_bar import StatusBar
from tests.ui.conftest import SIZE, AppFactory
from tests.ui.test_triage import ORDER, listed, screen, start


def other_decides(db_path: Path, article_id: str, decision: Decision) -> None:
    """Another instance decides one article on the same store."""
    other = TriageStore(db_path)
    try:
        other.decide([article_id], decision)
    finally:
        other.close()


@pytest.mark.parametrize(("theirs", "key"), [
    (Decision.SKIPPED, "p"),    # they skip it, then the editor publishes it
    (Decision.PUBLISHED, "x"),  # they publish it, then the editor clears it
    (Decision.SKIPPED, "s"),    # both skip it: no row ever differs from the store
])
async def test_a_key_just_after_another_instance_decided_the_article_counts_right(
    new_app: AppFactory, db_path: Path, theirs: Decision, key: str
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        triage = screen(app)
        assert listed(app)[0] == (ORDER[0], Decision.UNDECIDED)
        other_decides(db_path, ORDER[0], theirs)  # within the second before the app looks
        await pilot.press(key)
        await pilot.pause()
        assert triage.counts == query.counts(triage.library)
        await pilot.pause(FOLLOW_EVERY * 1.5)  # the app has looked at the journal since
        assert triage.counts == query.counts(triage.library)
        assert app.screen.query_one(StatusBar).counts == triage.counts


async def test_another_instance_deciding_just_after_a_key_counts_right(
    new_app: AppFactory, db_path: Path
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        triage = screen(app)
        await pilot.press("p")  # ORDER[0]; the cursor moves on
        other_decides(db_path, ORDER[0], Decision.SKIPPED)
        await pilot.press("s")  # ORDER[1], before the app looks
        await pilot.pause(FOLLOW_EVERY * 1.5)
        assert listed(app)[:2] == [(ORDER[0], Decision.SKIPPED), (ORDER[1], Decision.SKIPPED)]
        assert triage.counts == query.counts(triage.library)

"""Snapshot tests of the desk: a conflict in the list and the detail pane, and the conflicts
view; at 120x40, on the seeds in a clone of a desk's remote, at the fixed clock."""

from __future__ import annotations

import shutil
from collections.abc import Awaitable, Callable

import pytest
from textual.pilot import Pilot

from reader.data.article import Decision
from tests.ui.conftest import SIZE
from tests.ui.desk_repo import Clone, app_on, bob_does
from tests.ui.test_snapshots import SnapCompare, settled
from tests.ui.test_triage import ORDER

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


def in_conflict(*then: str) -> Callable[[Pilot[object]], Awaitable[None]]:
    """Skip the newest article, sync (Bob published it meanwhile), go back to it, press
    `then`; the sync's toast is cleared (it is the Pilot tests')."""

    async def run_before(pilot: Pilot[object]) -> None:
        """The steps, each waited out."""
        await settled(pilot)
        await pilot.press("s")
        await pilot.press("D")
        await settled(pilot)
        pilot.app.clear_notifications()
        await pilot.press("g", *then)
        await settled(pilot)

    return run_before


def test_conflict_in_the_list(snap_compare: SnapCompare, alice: Clone, bob: Clone) -> None:
    """After Alice skipped the newest article (004) that Bob had published, and synced: its
    row's state column shows `⇄` in the error colour, the cursor on it; the detail pane,
    right under `State ✗ skipped`, says in bold error colour `Editors disagree: you skipped
    it, 2024-01-15 12:00; Bob Jones published it, 2024-01-15 11:00`; the status bar ends
    its figures with `⇄ 1 conflict`; no toast."""
    bob_does(bob, decide=(ORDER[0], Decision.PUBLISHED))
    assert snap_compare(app_on(alice), terminal_size=SIZE, run_before=in_conflict())


def test_conflicts_view(snap_compare: SnapCompare, alice: Clone, bob: Clone) -> None:
    """C over the same: `1 conflict: editors decided this article differently`, then the
    article (`⇄` and its title, its file muted), under it Alice's side (`✗ skipped by you
    · 2024-01-15 12:00`, under the cursor) and Bob's (`✓ published by Bob Jones ·
    2024-01-15 11:00`), and the keys' hint on two lines; no toast."""
    bob_does(bob, decide=(ORDER[0], Decision.PUBLISHED))
    assert snap_compare(app_on(alice), terminal_size=SIZE, run_before=in_conflict("C"))


def test_decided_by_another_editor(snap_compare: SnapCompare, alice: Clone,
                                   bob: Clone) -> None:
    """After a sync that took Bob's skip of 002 (for `paywall`), the cursor on it: its row
    dimmed with `✗` and `(paywall)`; the detail pane, right under `State ✗ skipped
    (paywall)`, says `Skipped by Bob Jones, 2024-01-15 11:00` in muted text; no toast."""
    bob_does(bob, decide=(ORDER[3], Decision.SKIPPED), reason="paywall")

    async def run_before(pilot: Pilot[object]) -> None:
        """Sync, then go to 002 (the third row: 000 and 001 are one story)."""
        await settled(pilot)
        await pilot.press("D")
        await settled(pilot)
        pilot.app.clear_notifications()
        await pilot.press("j", "j")
        await settled(pilot)

    assert snap_compare(app_on(alice), terminal_size=SIZE, run_before=run_before)

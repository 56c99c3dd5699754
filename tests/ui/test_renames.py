"""A decided file renamed while the app runs keeps its decision under its new name, and
the app says so; a decided file that is gone is a warning, never silence."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Static

from reader.data.article import Decision
from tests.ui.conftest import SIZE, AppFactory
from tests.ui.test_apply import open_preview
from tests.ui.test_daily import toasts
from tests.ui.test_triage import ORDER, listed, start, stored


async def rescan(app: object, pilot: object) -> None:
    """Press r and wait for the scan and what it sends."""
    await pilot.press("r")  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


async def test_a_renamed_file_keeps_its_decision_and_the_app_says_so(
    new_app: AppFactory, seeds_dir: Path, db_path: Path
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("s")  # ORDER[0]
        await pilot.pause()
        (seeds_dir / ORDER[0]).rename(seeds_dir / "renamed.txt")
        await rescan(app, pilot)
        assert ("renamed.txt", Decision.SKIPPED) in listed(app)
        assert f"Your decision followed its file to its new name: {ORDER[0]} → renamed.txt " \
               "(u undoes)" in toasts(app)
        assert not any("is gone" in t or "new article" in t for t in toasts(app))
    assert stored(db_path, "renamed.txt") == [Decision.SKIPPED]


async def test_a_decided_file_that_is_gone_is_a_warning(
    new_app: AppFactory, seeds_dir: Path
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        (seeds_dir / ORDER[0]).unlink()
        await rescan(app, pilot)
        said = [t for t in toasts(app) if "is gone" in t]
        assert said == [f"The file of 1 decision is gone: {ORDER[0]} (skipped). `newsreader "
                        "check` lists them; `newsreader decide ID clear` forgets one"]
        await rescan(app, pilot)  # the same: not said again
        assert len([t for t in toasts(app) if "is gone" in t]) == 1
        preview = await open_preview(app, pilot)  # and the apply preview lists it
        skipped = str(preview.query_one("#apply-skipped", Static).render())
        assert f"{ORDER[0]}  gone: decided, but the file is gone" in skipped

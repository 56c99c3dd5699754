"""`newsreader [PATH]`: how the entry point sets the process up before it runs the app."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

import reader.app
from reader.__main__ import SWITCH_INTERVAL, main


class FakeApp:
    """Stands in for the app: records what the process looked like when it was run."""

    def __init__(self, root: Path, db: Path | None) -> None:
        self.root, self.db = root, db
        self.return_code: int | None = 0
        self.seen: dict[str, object] = {}

    def run(self) -> None:
        self.seen = {
            "switch interval": sys.getswitchinterval(),
            "frozen": gc.get_freeze_count(),
            "collector on": gc.isenabled(),
        }


@pytest.fixture
def process_settings() -> Iterator[None]:
    """Put back what `main` changes for the whole process."""
    interval, enabled = sys.getswitchinterval(), gc.isenabled()
    yield
    sys.setswitchinterval(interval)
    gc.unfreeze()
    if enabled:
        gc.enable()


def test_the_app_runs_with_a_short_switch_interval_and_its_modules_frozen(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, process_settings: None
) -> None:
    """Textual's output thread must get the GIL soon after each frame; the UI's modules are
    out of the collector's sight, and the collector is on again for the app's own run."""
    made: list[FakeApp] = []

    def make_app(root: Path, db: Path | None, settings: object, checks: object) -> FakeApp:
        made.append(FakeApp(root, db))
        return made[-1]

    monkeypatch.setattr(reader.app, "make_app", make_app)
    assert sys.getswitchinterval() != SWITCH_INTERVAL
    assert main([str(seeds_dir), "--db", str(tmp_path / "d.db")]) == 0
    [app] = made
    assert (app.root, app.db) == (seeds_dir, tmp_path / "d.db")
    assert app.seen["switch interval"] == pytest.approx(SWITCH_INTERVAL)
    assert app.seen["frozen"] > 0
    assert app.seen["collector on"] is True

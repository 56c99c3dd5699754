"""`newsreader [PATH]`: how the entry point sets the process up before it runs the app."""

from __future__ import annotations

import gc
import sys
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import reader.app
from reader.__main__ import SWITCH_INTERVAL, main


class FakeApp:
    """Stands in for the app: records what the process looked like when it was run."""

    def __init__(self, root: Path, db: Path | None, after_first_frame: Callable[[], None]) -> None:
        self.root, self.db = root, db
        self.after_first_frame = after_first_frame
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


def test_the_app_starts_with_a_short_switch_interval_and_the_collector_paused(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, process_settings: None
) -> None:
    """Textual's output thread must get the GIL soon after each frame. The UI's modules are
    frozen out of the collector's sight, which stays paused until the first frame is out:
    then the start's cyclic garbage is collected and the collector runs again."""
    made: list[FakeApp] = []

    def make_app(root: Path, db: Path | None, settings: object, checks: object,
                 after_first_frame: Callable[[], None]) -> FakeApp:
        made.append(FakeApp(root, db, after_first_frame))
        return made[-1]

    monkeypatch.setattr(reader.app, "make_app", make_app)
    assert sys.getswitchinterval() != SWITCH_INTERVAL and gc.isenabled()
    assert main([str(seeds_dir), "--db", str(tmp_path / "d.db")]) == 0
    [app] = made
    assert (app.root, app.db) == (seeds_dir, tmp_path / "d.db")
    assert app.seen["switch interval"] == pytest.approx(SWITCH_INTERVAL)
    assert app.seen["frozen"] > 0
    assert app.seen["collector on"] is False

    class Cycle:
        def __init__(self) -> None:
            self.me = self

    gone = weakref.ref(Cycle())  # cyclic garbage made while the collector was paused
    assert gone() is not None
    frozen = gc.get_freeze_count()
    app.after_first_frame()
    assert gone() is None  # collected, not frozen for good
    assert gc.isenabled()
    assert gc.get_freeze_count() > frozen  # what the start built and kept: frozen too

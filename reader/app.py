"""NewsReader(App): the triage app on a Library (a first screen until the triage screen lands)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import Footer, Header, Static

from reader.config import Settings
from reader.data import query
from reader.data.library import Library


class NewsReader(App[int]):
    """Opens the library and shows how many articles wait for a decision."""

    TITLE = "newsreader"

    def __init__(
        self, root: Path, db_path: Path | None, settings: Settings, now: Callable[[], datetime]
    ):
        super().__init__()
        self.root = root
        self.db_path = db_path
        self.settings = settings
        self.now = now

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="summary", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        library = Library(self.root, self.db_path)
        try:
            library.refresh()
            counts = query.counts(library)
        finally:
            library.close()
        summary = ", ".join(f"{n} {d.value}" for d, n in counts.items())
        self.query_one("#summary", Static).update(f"{self.root}: {summary}")


def make_app(
    root: Path, db_path: Path | None, settings: Settings, now: Callable[[], datetime] | None = None
) -> NewsReader:
    """The app for a cache folder; tests pass a fixed clock as `now`."""
    return NewsReader(root, db_path, settings, now or (lambda: datetime.now(UTC)))

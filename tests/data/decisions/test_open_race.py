"""A decisions file replaced while the store opens it: the store ends up on the file the
path names, so a decision it says it saved is in the file a new start opens."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest

from reader.data.article import Decision
from reader.data.decisions import store as store_module
from reader.data.decisions.store import TriageStore


def _made(folder: Path, article_id: str) -> Path:
    """A store of its own in FOLDER with one decision, closed; its path."""
    folder.mkdir(parents=True)
    made = TriageStore(folder / "decisions.db")
    made.decide([article_id], Decision.SKIPPED, "there before")
    made.close()
    return folder / "decisions.db"


@pytest.mark.parametrize("new_file", [False, True], ids=["a file there", "no file yet"])
def test_a_folder_swapped_just_after_sqlite_opened_the_file_is_not_taken_for_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_file: bool
) -> None:
    data = tmp_path / "data"
    if new_file:
        data.mkdir()
    else:
        _made(data, "old.md")
    _made(tmp_path / "other", "other.md")
    real_connect = sqlite3.connect
    swaps = []

    def connect_then_swap(*args: object, **kwargs: object) -> sqlite3.Connection:
        """SQLite opens the file at the path; then, once, the folder is moved away and
        another store's folder is put in its place (a sync tool, a restore from backup)."""
        conn = real_connect(*args, **kwargs)  # type: ignore[arg-type]
        if not swaps:
            swaps.append(1)
            os.rename(data, tmp_path / "moved")
            os.rename(tmp_path / "other", data)
        return conn

    monkeypatch.setattr(store_module.sqlite3, "connect", connect_then_swap)
    store = TriageStore(data / "decisions.db")
    try:
        store.decide(["new.md"], Decision.PUBLISHED, "saved")
    finally:
        store.close()
    monkeypatch.undo()
    assert swaps == [1]
    again = TriageStore(data / "decisions.db")  # what a new start finds at the path
    try:
        assert again.editor_decisions()["new.md"] == (Decision.PUBLISHED, "saved")
        assert "other.md" in again.editor_decisions()
    finally:
        again.close()

"""Damaged state: an index is rebuilt with a notice; decisions are set aside, never guessed."""

from __future__ import annotations

import asyncio
import io
import random
import sqlite3
from contextlib import redirect_stderr
from pathlib import Path

import pytest

from reader.app import make_app
from reader.cli.main import run
from reader.config import Settings
from reader.data.article import Decision
from reader.data.decisions.store import TriageStore
from reader.data.library import Library
from reader.paths import index_path_for

from .helpers import Counts, make_corpus


def cli(*argv: str | Path) -> tuple[int, str, str]:
    """Run one CLI command in process: (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stderr(err):
        status = run([str(a) for a in argv], Settings(), out)
    return status, out.getvalue(), err.getvalue()


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])


def _garbage(path: Path) -> None:
    path.write_bytes(random.Random(3).randbytes(path.stat().st_size))


def _zero_tail(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[4096:] = bytes(len(data) - 4096)
    path.write_bytes(bytes(data))


def _text(path: Path) -> None:
    path.write_bytes(b"not a database\n" * 50)


DAMAGE = {"truncated": _truncate, "garbage": _garbage, "zeroed": _zero_tail, "text": _text}


def _checkpointed(root: Path, db: Path, ids: list[str]) -> None:
    """Index ROOT and decide a third of IDS, then fold every WAL into its database file."""
    library = Library(root, db)
    try:
        library.refresh()
        library.store.decide(ids[::3], Decision.SKIPPED, "kept")
    finally:
        library.close()
    for path in (db, index_path_for(db)):
        conn = sqlite3.connect(path)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_index_is_rebuilt_from_the_files_with_a_notice(
    tmp_path: Path, counts: Counts, damage: str
) -> None:
    root = tmp_path / "cache"
    ids = make_corpus(root, 300)
    db = tmp_path / "data" / "decisions.db"
    _checkpointed(root, db, ids)
    DAMAGE[damage](index_path_for(db))
    status, out, err = cli("list", root, "--db", db, "--format", "csv")
    assert status == 0, err
    assert "the index was damaged and has been rebuilt from the files" in err
    assert "Traceback" not in err
    listed = sorted(line.split(",")[0] for line in out.splitlines()[1:])
    assert listed == sorted(ids)
    counts.files += len(listed)
    store = TriageStore(db)
    try:
        lost = sum(store.reason(i) != "kept" for i in ids[::3])
    finally:
        store.close()
    counts.decisions += len(ids[::3])
    counts.lost += lost
    assert lost == 0


@pytest.mark.parametrize("damage", DAMAGE)
@pytest.mark.parametrize("command", ["list", "decide"])
def test_a_damaged_decisions_database_is_set_aside_and_the_cli_refuses_to_guess(
    tmp_path: Path, counts: Counts, damage: str, command: str
) -> None:
    root = tmp_path / "cache"
    ids = make_corpus(root, 60)
    db = tmp_path / "data" / "decisions.db"
    _checkpointed(root, db, ids)
    DAMAGE[damage](db)
    before = db.read_bytes()
    args = [ids[1], "publish"] if command == "decide" else []
    status, out, err = cli(command, root, *args, "--db", db)
    assert status == 2 and out == "", err
    (aside,) = db.parent.glob("decisions.db.damaged-*")
    assert aside.read_bytes() == before, "the damaged database was changed"
    assert err.startswith("newsreader: error: ") and len(err.splitlines()) == 1, err
    assert str(aside) in err and "new, empty decisions database" in err and "move it back" in err
    assert not db.exists()
    counts.files += 1
    # The next start begins a new, empty store; the damaged copy stays where it was put.
    status, _, err = cli("decide", root, ids[1], "publish", "--db", db)
    assert status == 0, err
    assert aside.read_bytes() == before
    assert TriageStore(db).decision(ids[1]) is Decision.PUBLISHED


def test_a_damaged_decisions_database_stops_the_app_with_where_it_went(
    tmp_path: Path, counts: Counts, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "cache"
    ids = make_corpus(root, 30)
    db = tmp_path / "data" / "decisions.db"
    _checkpointed(root, db, ids)
    _garbage(db)
    before = db.read_bytes()

    async def drive() -> int | None:
        app = make_app(root, db, Settings())
        async with app.run_test(size=(120, 40)) as pilot:
            await pilot.pause()
        return app.return_code

    code = asyncio.run(drive())
    message = capsys.readouterr().err.replace("\n", "")  # the app prints it, wrapped
    (aside,) = db.parent.glob("decisions.db.damaged-*")
    assert code == 2
    assert str(aside) in message and "new, empty decisions database" in message, message
    assert aside.read_bytes() == before
    assert not db.exists(), "the app started on an empty store in the same run"
    counts.files += 1


def test_two_damaged_databases_in_one_second_are_both_kept(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    make_corpus(root, 5)
    db = tmp_path / "data" / "decisions.db"
    db.parent.mkdir()
    for n in range(2):
        db.write_bytes(b"garbage %d" % n)
        assert cli("list", root, "--db", db)[0] == 2
    kept = sorted(p.read_bytes() for p in db.parent.glob("decisions.db.damaged-*"))
    assert kept == [b"garbage 0", b"garbage 1"]


def test_a_damaged_index_still_opens_the_app_on_every_article(
    tmp_path: Path, counts: Counts
) -> None:
    root = tmp_path / "cache"
    ids = make_corpus(root, 40)
    db = tmp_path / "data" / "decisions.db"
    _checkpointed(root, db, ids)
    _zero_tail(index_path_for(db))

    async def drive() -> set[str]:
        app = make_app(root, db, Settings())
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.return_code is None
            return {row.id for row in app.screen.article_list.rows}  # type: ignore[attr-defined]

    assert asyncio.run(drive()) == set(ids)
    counts.files += len(ids)
    assert TriageStore(db).reason(ids[0]) == "kept"


def test_the_app_says_the_index_was_rebuilt(tmp_path: Path, counts: Counts) -> None:
    """The app notifies that a damaged index was rebuilt from the files."""
    root = tmp_path / "cache"
    ids = make_corpus(root, 10)
    db = tmp_path / "data" / "decisions.db"
    _checkpointed(root, db, ids)
    _garbage(index_path_for(db))

    async def drive() -> list[str]:
        app = make_app(root, db, Settings())
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            return [n.message for n in app._notifications]

    messages = asyncio.run(drive())
    assert any("index was damaged and has been rebuilt" in m for m in messages), messages
    counts.files += len(ids)

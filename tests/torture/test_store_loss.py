"""The decisions store's folder removed, or its file replaced, under a running front end:
the app refuses every key after it and says why, and each CLI call either has its decision
in the store that was there, or exits non-zero with a clear message."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
import shutil
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.app import make_app
from reader.config import Settings
from reader.data.article import Decision
from reader.data.decisions.store import TriageStore
from reader.data.library import Library
from reader.widgets.article_detail import ArticleDetail

from .helpers import Counts, cli, editor_decisions, make_corpus, only_published_differs, python

GONE = "the decisions database was deleted or replaced while newsreader had it open"
"""What the store says when its file went from under it (dbfile.replaced_message)."""
SUFFIXES = ("", "-wal", "-shm")
NOW = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)


def _other_store(folder: Path, ids: list[str]) -> dict[str, tuple[str, str | None]]:
    """A newsreader store of its own in FOLDER, with a decision on two of IDS, closed (one
    file, no WAL): what the replacement brings; returns its decisions."""
    store = TriageStore(folder / "decisions.db")
    try:
        store.decide(ids[:2], Decision.PUBLISHED, "the other store's")
    finally:
        store.close()
    return {i: ("published", "the other store's") for i in ids[:2]}


def _warm(root: Path, db: Path) -> None:
    """Index the folder before a front end opens it."""
    library = Library(root, db)
    try:
        library.refresh()
    finally:
        library.close()


# -- (a) the app ------------------------------------------------------------------------

KEYS = {"p": Decision.PUBLISHED, "s": Decision.SKIPPED, "x": Decision.UNDECIDED}


@dataclass
class Pulled:
    """What the app session saw, for the checks after it quit."""

    acked: dict[str, str] = field(default_factory=dict)
    """id -> state of every decision the app showed before the store was pulled."""
    refused: int = 0
    """Keys pressed after it, each refused."""


async def _session(root: Path, db: Path, before: int, pull: object, rng: random.Random) -> Pulled:
    """Press BEFORE decision keys, call PULL(), then press decision keys (and undo) that
    must each be refused, saying why, with no row claiming a change."""
    seen = Pulled()
    app = make_app(root, db, Settings(), now=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        lst = app.screen.article_list  # type: ignore[attr-defined]
        for _ in range(before):
            article_id, key = lst.cursor_id, rng.choice("ps")
            await pilot.press(key)
            await pilot.pause()
            row = lst.rows[lst.index_of(article_id)]
            assert row.state is KEYS[key], "a decision before the store was pulled did not show"
            seen.acked[article_id] = KEYS[key].value
        pull()  # type: ignore[operator]
        for key in ["s", "p", "j", "x", "s", "u", "j", "p"]:
            rows = [(row.id, row.state) for row in lst.rows]
            cursor, toasts = lst.cursor_id, len(app._notifications)
            await pilot.press(key)
            await pilot.pause()
            if key == "j":
                continue
            # Refused: a toast says why, or the key is off and a line above says why; no
            # row claims the change, the cursor does not move on, no toast says it worked.
            seen.refused += 1
            said = [note for note in app._notifications][toasts:]
            assert all(note.severity == "error" for note in said), [n.message for n in said]
            assert any(GONE in str(note.message) for note in app._notifications), key
            assert any(GONE in str(note.message) for note in said) or _refused_line(app), key
            assert [(row.id, row.state) for row in lst.rows] == rows, f"{key} changed a row"
            assert lst.cursor_id == cursor, f"{key} moved on as if it were saved"
        notices = str(app.screen.query_one(ArticleDetail).notice)
        assert "deleted or replaced" in notices + (_refused_line(app) or ""), notices
        assert app.is_running
    return seen


def _refused_line(app: object) -> str | None:
    """The line the screen shows once decisions are off (None: none, or no such line yet)."""
    lines = app.screen.query("#store-refused")  # type: ignore[attr-defined]
    return str(lines.first().render()) if lines else None


def _link_aside(db: Path, keep: Path) -> None:
    """Give the store's file and WAL a second name in KEEP: what is written to them after
    their folder is removed stays there to be read."""
    keep.mkdir()
    for suffix in SUFFIXES[:2]:
        if Path(f"{db}{suffix}").exists():
            os.link(f"{db}{suffix}", keep / f"decisions.db{suffix}")


@pytest.mark.parametrize("before", [0, 1, 4])
@pytest.mark.parametrize("how", ["folder-removed", "file-replaced"])
def test_the_app_refuses_every_key_once_its_store_is_pulled(
    tmp_path: Path, counts: Counts, how: str, before: int
) -> None:
    root = tmp_path / "cache"
    ids = make_corpus(root, 30)
    db = tmp_path / "data" / "decisions.db"
    _warm(root, db)
    keep, aside = tmp_path / "keep", tmp_path / "data" / "decisions.db.aside"
    other = _other_store(tmp_path / "other", sorted(ids)[-2:])

    def pull() -> None:
        if how == "folder-removed":
            _link_aside(db, keep)
            shutil.rmtree(db.parent)
        else:  # moved aside whole, and another store's file put in its place
            for suffix in SUFFIXES:
                if Path(f"{db}{suffix}").exists():
                    os.replace(f"{db}{suffix}", f"{aside}{suffix}")
            os.replace(tmp_path / "other" / "decisions.db", db)

    seen = asyncio.run(_session(root, db, before, pull, random.Random(before)))
    counts.stores_pulled += 1
    # What the app acknowledged is in the file it wrote to, and nothing after it is.
    held = editor_decisions(keep / "decisions.db" if how == "folder-removed" else aside)
    kept = {i: state for i, (state, _) in held.items()}
    # What is at the path now (a rescan may have made a new, empty one) has nothing of the app.
    there = editor_decisions(db) if db.exists() else {}
    expected_there = {} if how == "folder-removed" else other
    lost = sum(kept.get(i) != s for i, s in seen.acked.items())
    counts.decisions += len(seen.acked) + seen.refused
    counts.lost += lost + (kept != seen.acked) + (there != expected_there)
    assert kept == seen.acked
    assert there == expected_there


# -- (b) the command line -------------------------------------------------------------------

CLI_ROUNDS = 3
CLI_CALLS = 90
APPLY_EVERY = 9
"""Every ninth call is an `apply`, the rest `decide` one article each (a new one each time)."""

CLI_SEQUENCE = """
import contextlib, io, json, sys, time, traceback
from reader.cli.main import run
from reader.config import Settings

root, db, every = sys.argv[1], sys.argv[2], int(sys.argv[3])
settings = Settings()
for n, article_id in enumerate(sys.argv[4].split(",")):
    if n % every == every - 1:
        argv, state, reason = ["apply", root, "--db", db], None, None
    else:
        state, reason = ("published", "skipped")[n % 2], f"call {n}"
        action = {"published": "publish", "skipped": "skip"}[state]
        argv = ["decide", root, article_id, action, "--reason", reason, "--db", db]
    out, err = io.StringIO(), io.StringIO()
    start = time.monotonic()
    try:
        with contextlib.redirect_stderr(err):
            code = run(argv, settings, out)
    except BaseException:
        code = "crash"
        err.write(traceback.format_exc())
    end = time.monotonic()
    print(json.dumps({"n": n, "argv": argv, "id": article_id, "state": state,
                      "reason": reason, "code": code, "start": start, "end": end,
                      "out": out.getvalue(), "err": err.getvalue()}), flush=True)
"""
"""The child: a long sequence of `newsreader decide` and `apply` calls, one JSON line each,
with when it started and ended (time.monotonic: the same clock in every process here)."""


class UnsaidWrite(AssertionError):
    """An apply that exited non-zero saying nothing was saved had written article files."""


@dataclass
class Puller:
    """Removes (moves away) or replaces the store's folder now and then, on a thread,
    keeping every folder that was at the path, in order, and when each left it."""

    data: Path
    how: str
    rng: random.Random
    other: Path
    """A folder with another store in it: each replacement puts a copy in place."""
    kept: list[Path] = field(default_factory=list)
    """The folders that were at the path, oldest first (the last one is at the path)."""
    times: list[tuple[float, float]] = field(default_factory=list)
    """(start, end) of each pull, by time.monotonic."""
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        """Pull every few tens of milliseconds until told to stop."""
        while not self.stop.wait(self.rng.uniform(0.02, 0.25)):
            n = len(self.times)
            fresh = self.data.with_name(f"fresh-{n}")
            if self.how == "replaced":
                shutil.copytree(self.other, fresh)
            away = self.data.with_name(f"pulled-{n}")
            start = time.monotonic()
            try:
                os.rename(self.data, away)
            except FileNotFoundError:  # a pull came before any call made the folder
                away.mkdir()
            if self.how == "replaced":
                # It fails when a call made a new folder between the two renames.
                with contextlib.suppress(OSError):
                    os.rename(fresh, self.data)
            self.times.append((start, time.monotonic()))
            self.kept.append(away)

    def generations(self, start: float, end: float) -> list[Path]:
        """The folders that may have been at the path at some moment from START to END."""
        # The folder k was at the path from (at the latest) the end of pull k - 1 to (at
        # the latest) the end of pull k; the start of pull k - 1 is a safe bound to count from.
        began = [float("-inf"), *(pull_start for pull_start, _ in self.times)]
        ended = [*(pull_end for _, pull_end in self.times), float("inf")]
        folders = [*self.kept, self.data]
        return [
            folder
            for folder, first, last in zip(folders, began, ended, strict=True)
            if first <= end and start <= last
        ]


def _written(db: Path) -> set[str]:
    """The ids whose lines the store at DB says an apply step wrote."""
    if not db.exists():
        return set()
    library_store = TriageStore(db)
    try:
        return {w.id for w in library_store.written_lines()}
    finally:
        library_store.close()


@pytest.mark.parametrize("round_", range(CLI_ROUNDS))
@pytest.mark.parametrize("how", ["removed", "replaced"])
def test_cli_calls_while_the_store_folder_is_pulled(
    tmp_path: Path, counts: Counts, how: str, round_: int
) -> None:
    root = tmp_path / "cache"
    ids = make_corpus(root, CLI_CALLS + 10)
    original = {i: (root / i).read_bytes() for i in ids}
    data = tmp_path / "data"
    db = data / "decisions.db"
    _warm(root, db)
    _other_store(tmp_path / "other", ids[-2:])
    puller = Puller(data, how, random.Random(f"{how}-{round_}"), tmp_path / "other")
    proc = python(CLI_SEQUENCE, str(root), str(db), str(APPLY_EVERY), ",".join(ids[:CLI_CALLS]))
    thread = threading.Thread(target=puller.run, daemon=True)
    thread.start()
    try:
        out, errors = proc.communicate(timeout=120)
    finally:
        puller.stop.set()
        thread.join()
    assert proc.returncode == 0, errors.decode(errors="replace")[-3000:]
    calls = [json.loads(line) for line in out.decode().splitlines()]
    assert len(calls) == CLI_CALLS
    counts.stores_pulled += len(puller.times)
    assert puller.times, "the folder was never pulled"

    decided = {
        folder: editor_decisions(folder / "decisions.db")
        for folder in [*puller.kept, data]
        if (folder / "decisions.db").exists()
    }
    crashed, unclear, lost = [], [], []
    for call in calls:
        if call["code"] == "crash" or "Traceback" in call["err"]:
            crashed.append(call)
            continue
        maybe = puller.generations(call["start"], call["end"])
        if call["code"] != 0:
            # Not done, and it says why: one `newsreader: error:` line, or apply's report.
            said = call["err"].startswith("newsreader: error: ") or "not written: " in call["out"]
            if not said:
                unclear.append(call)
            continue
        if call["state"] is not None:  # a decide that said it was saved
            wanted = (call["state"], call["reason"])
            if not any(decided.get(g, {}).get(call["id"]) == wanted for g in maybe):
                found_in = [g.name for g, held in decided.items() if held.get(call["id"]) == wanted]
                lost.append((call["argv"], [g.name for g in maybe], found_in))
        else:  # an apply that said each file it wrote is journaled
            wrote = {line.split(": ")[1] for line in call["out"].splitlines()
                     if line.startswith("wrote: ")}  # fmt: skip
            journaled = set().union(*(_written(g / "decisions.db") for g in maybe))
            if not wrote <= journaled:
                lost.append((call["argv"], [g.name for g in maybe], sorted(wrote - journaled)))
    counts.decisions += sum(c["state"] is not None for c in calls)
    counts.lost += len(lost)
    now = {i: (root / i).read_bytes() for i in ids}
    damaged = [i for i in ids if not only_published_differs(original[i], now[i], None)]
    counts.files += len(ids)
    counts.damaged += len(damaged)
    assert crashed == [], crashed[:3]
    assert unclear == [], unclear[:3]
    assert lost == [], f"(call, the folders it may have used, where it is): {lost[:3]}"
    assert damaged == []
    # (An apply that fails here says what it wrote: see the test below.)


@pytest.mark.parametrize("how", ["removed", "replaced"])
def test_an_apply_whose_store_is_pulled_as_it_writes_says_what_it_wrote(
    tmp_path: Path, counts: Counts, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    from reader.data.files.safefile import Folder

    root = tmp_path / "cache"
    ids = make_corpus(root, 24)
    original = {i: (root / i).read_bytes() for i in ids}
    data = tmp_path / "data"
    db = data / "decisions.db"
    _warm(root, db)
    for article_id in ids[:6]:  # each has a line to write (see make_corpus)
        action = "skip" if b"published: false" not in original[article_id] else "publish"
        assert cli("decide", str(root), article_id, action, "--db", str(db))[0] == 0
    if how == "replaced":
        _other_store(tmp_path / "other", ids[-2:])
    replace = Folder.replace

    def pull_then_replace(self: Folder, *args: object) -> None:
        monkeypatch.setattr(Folder, "replace", replace)  # only the first write pulls
        os.rename(data, tmp_path / "pulled")
        if how == "replaced":
            os.rename(tmp_path / "other", data)
        replace(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(Folder, "replace", pull_then_replace)
    code, out, err = cli("apply", str(root), "--db", str(db))
    counts.stores_pulled += 1
    changed = sorted(i for i in ids if (root / i).read_bytes() != original[i])
    said = sorted(line.split(": ")[1] for line in out.splitlines() if line.startswith("wrote: "))
    assert code == 0 or err.startswith("newsreader: error: "), (code, out, err)
    if code != 0 and changed != said:
        raise UnsaidWrite(f"exit {code}, {err.strip()!r}; written: {changed}; said: {said}")

"""SIGKILL at random moments: CLI decisions, app key presses, apply, and a first index."""

from __future__ import annotations

import contextlib
import os
import random
import shutil
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from reader.data.article import Decision
from reader.data.decisions.store import TriageStore
from reader.data.index.index import Index
from reader.data.library import Library
from reader.data.writeback import writer as writeback
from reader.paths import index_path_for

from .helpers import Counts, make_corpus, needs_sigkill, python, temps

pytestmark = [needs_sigkill, pytest.mark.slow]

CLI_KILLS = 100
APP_KILLS = 16
APPLY_KILLS = 50
INDEX_KILLS = 40


def _kill(proc: subprocess.Popen[bytes]) -> tuple[list[str], str]:
    """SIGKILL PROC (if still running), reap it: (the lines it wrote unread, its stderr)."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):  # a scan's pool workers, orphaned
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    rest = proc.stdout.read().decode().splitlines() if proc.stdout else []
    errors = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()
    return rest, errors


Allowed = dict[str, set[tuple[str, str | None]]]
"""Each id: the (state, reason) pairs the store may hold, given what was acknowledged."""
FILE_STATES = {("published", None), ("undecided", None)}
"""What an id never acknowledged may hold: its file's own state."""


def _settle(lines: list[str], allowed: Allowed) -> None:
    """Follow `start ID STATE REASON` / `ok` lines; a start with no ok may have landed."""
    pending: tuple[str, str, str | None] | None = None
    for line in lines:
        if line.startswith("start "):
            _, article_id, state, reason = line.split(" ")
            pending = (article_id, state, None if reason == "-" else reason)
        elif line == "ok" and pending is not None:
            allowed[pending[0]] = {(pending[1], pending[2])}
            pending = None
        elif line.startswith("unseen ") and pending is not None:  # another instance won
            allowed.setdefault(pending[0], set(FILE_STATES)).add((pending[1], pending[2]))
            pending = None
    if pending is not None:  # killed in flight: either outcome is right
        allowed.setdefault(pending[0], set(FILE_STATES)).add((pending[1], pending[2]))


def _lost(db: Path, allowed: Allowed) -> int:
    """How many ids hold a state that no acknowledgement allows."""
    store = TriageStore(db)
    try:
        return sum(
            (store.decision(i).value, store.reason(i)) not in ok for i, ok in allowed.items()
        )
    finally:
        store.close()


def _lines_until(
    proc: subprocess.Popen[bytes], wanted: int, watchdog: float = 60
) -> tuple[list[str], bool]:
    """Read PROC's lines until WANTED have come (or it ends): (lines, whether all came)."""
    timer = threading.Timer(watchdog, proc.kill)
    timer.start()
    lines: list[str] = []
    try:
        assert proc.stdout is not None
        while len(lines) < wanted:
            raw = proc.stdout.readline()
            if not raw:
                return lines, False
            lines.append(raw.decode().rstrip("\n"))
    finally:
        timer.cancel()
    return lines, True


def _next_start_is_clean(root: Path, db: Path) -> None:
    """The next start opens without a manual step and leaves no temporary file."""
    library = Library(root, db)
    try:
        library.refresh()
    finally:
        library.close()
    assert temps(root) == [], "a temporary file was left behind after the next start"


# -- (a) a burst of decisions from the CLI ----------------------------------------------

CLI_BURST = """
import io, sys
from reader.cli.main import run
from reader.config import Settings

root, db, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
ids = sys.argv[4].split(",")
settings = Settings()
i = 0
while True:
    article_id = ids[(seed + i * 7) % len(ids)]
    action = ("publish", "skip", "clear")[i % 3]
    reason = f"r{seed}-{i}"
    state = {"publish": "published", "skip": "skipped", "clear": "undecided"}[action]
    print(f"start {article_id} {state} {reason if action != 'clear' else '-'}", flush=True)
    argv = ["decide", root, article_id, action, "--db", db]
    if action != "clear":
        argv += ["--reason", reason]
    if run(argv, settings, io.StringIO()) != 0:
        print("failed", flush=True)
        break
    print("ok", flush=True)
    i += 1
"""


def test_sigkill_during_a_cli_burst_loses_no_acknowledged_decision(
    tmp_path: Path, counts: Counts
) -> None:
    root = tmp_path / "cache"
    ids = make_corpus(root, 120)
    db = tmp_path / "data" / "decisions.db"
    old = {i: (root / i).read_bytes() for i in ids}
    rng = random.Random(4411)
    allowed: Allowed = {}
    kills = 0
    for round_ in range(CLI_KILLS):
        proc = python(CLI_BURST, str(root), str(db), str(round_ * 1000), ",".join(ids))
        lines, _ = _lines_until(proc, 2 * rng.randint(1, 12))
        time.sleep(rng.uniform(0, 0.02))  # land anywhere in the next `run`
        rest, errors = _kill(proc)
        lines += rest
        assert "failed" not in lines and "Traceback" not in errors, errors
        kills += proc.returncode == -signal.SIGKILL
        _settle(lines, allowed)
        lost = _lost(db, allowed)
        counts.decisions += len(allowed)
        counts.lost += lost
        assert lost == 0, f"kill {round_ + 1}: {lost} acknowledged decisions lost"
        counts.files += _damaged(root, old, {}, counts)
        _next_start_is_clean(root, db)
    counts.kills += kills
    assert kills >= CLI_KILLS * 0.9


def _damaged(root: Path, old: dict[str, bytes], new: dict[str, bytes], counts: Counts) -> int:
    """Check every file is its old or its new bytes; add the damaged to COUNTS; files checked."""
    for article_id, data in old.items():
        now = (root / article_id).read_bytes()
        if now != data and now != new.get(article_id):
            counts.damaged += 1
    assert counts.damaged == 0, "an article file is neither its old nor its new bytes"
    return len(old)


# -- (b) a burst of key presses in the running app ------------------------------------

APP_BURST = """
import asyncio, random, sys
from pathlib import Path
from reader.app import make_app
from reader.config import Settings
from reader.data.article import Decision

root, db, seed = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
rng = random.Random(seed)
STATES = {"p": Decision.PUBLISHED, "s": Decision.SKIPPED}


async def main():
    app = make_app(root, db, Settings())
    async with app.run_test(size=(120, 40)) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        screen = app.screen
        lst = screen.article_list
        while True:
            if rng.random() < 0.2:
                await pilot.press("j")
            article_id = lst.cursor_id
            key = rng.choice("ps")
            print(f"start {article_id} {STATES[key].value} -", flush=True)
            await pilot.press(key)
            await pilot.pause()
            index = lst.index_of(article_id)
            if index is not None and lst.rows[index].state is STATES[key]:
                print("ok", flush=True)
            else:
                print(f"unseen {article_id}", flush=True)

asyncio.run(main())
"""


def test_sigkill_during_app_key_presses_loses_no_acknowledged_decision(
    tmp_path: Path, counts: Counts
) -> None:
    root = tmp_path / "cache"
    ids = make_corpus(root, 60)
    db = tmp_path / "data" / "decisions.db"
    old = {i: (root / i).read_bytes() for i in ids}
    rng = random.Random(2718)
    allowed: Allowed = {}
    kills = 0
    for round_ in range(APP_KILLS):
        proc = python(APP_BURST, str(root), str(db), str(round_))
        lines, _ = _lines_until(proc, 2 * rng.randint(1, 12), watchdog=90)
        time.sleep(rng.uniform(0, 0.05))
        rest, errors = _kill(proc)
        lines += rest
        assert "ok" in lines, f"the app never acknowledged a decision: {errors[-2000:]}"
        unseen = [line for line in lines if line.startswith("unseen")]
        assert not unseen, f"a decision never showed in the app: {unseen}"
        kills += proc.returncode == -signal.SIGKILL
        _settle(lines, allowed)
        lost = _lost(db, allowed)
        counts.decisions += len(allowed)
        counts.lost += lost
        assert lost == 0, f"kill {round_ + 1}: {lost} acknowledged decisions lost"
        counts.files += _damaged(root, old, {}, counts)
        _next_start_is_clean(root, db)
    counts.kills += kills
    assert kills == APP_KILLS


# -- (c) apply ----------------------------------------------------------------------------

APPLY = (Path(__file__).parents[1] / "apply_until_killed.py").read_text()
"""The child: apply or undo, saying "go" at the first write (shared with test_writeback)."""


def test_sigkill_during_apply_leaves_every_file_old_or_new(tmp_path: Path, counts: Counts) -> None:
    root = tmp_path / "cache"
    ids = make_corpus(root, 150)
    db = tmp_path / "data" / "decisions.db"
    old = {i: (root / i).read_bytes() for i in ids}
    library = Library(root, db)
    try:
        library.refresh()
        for article_id in ids:  # every file gets a write to make
            a = library.article(article_id)
            assert a is not None
            pub = Decision.PUBLISHED
            library.store.decide(
                [article_id], Decision.SKIPPED if writeback.in_sync(a, pub) else pub
            )
        wanted = dict(library.store.states())
        new = {e.id: e.line.apply(old[e.id]) for e in writeback.plan(library).edits}
        assert set(new) == set(ids)
        start = time.perf_counter()
        writeback.apply(library, writeback.plan(library, verify=False).edits)
        full = time.perf_counter() - start
        library.undo()
    finally:
        library.close()
    rng = random.Random(1905)
    kills = runs = 0
    while kills < APPLY_KILLS and runs < 3 * APPLY_KILLS:
        runs += 1
        done = sum((root / i).read_bytes() == new[i] for i in ids)
        mode = "undo" if done == len(ids) or (done and rng.random() < 0.3) else "apply"
        proc = python(APPLY, str(root), str(db), mode)
        lines, _ = _lines_until(proc, 1)
        if lines == ["go"]:
            time.sleep(rng.uniform(0, full * 1.2))
        _, errors = _kill(proc)
        assert "Traceback" not in errors, errors
        kills += proc.returncode == -signal.SIGKILL
        counts.files += _damaged(root, old, new, counts)
        _next_start_is_clean(root, db)
        store = TriageStore(db)
        try:  # the editor's decisions survive any number of killed applies
            lost = sum(store.decision(i) is not d for i, d in wanted.items())
        finally:
            store.close()
        counts.decisions += len(wanted)
        counts.lost += lost
        assert lost == 0
    counts.kills += kills
    assert kills >= APPLY_KILLS
    library = Library(root, db)  # once it may finish, apply brings every file to its new bytes
    try:
        library.refresh()
        assert writeback.apply(library, writeback.plan(library).edits).ok
    finally:
        library.close()
    assert {i: (root / i).read_bytes() for i in ids} == new


# -- (d) the first index of a large cache -------------------------------------------------

INDEX = """
import sys
from pathlib import Path
from reader.data.library import Library

library = Library(Path(sys.argv[1]), Path(sys.argv[2]))
print("go", flush=True)
library.refresh()
print("done", flush=True)
"""


def _index_rows(root: Path, db: Path) -> list[tuple[str, str]]:
    index = Index(index_path_for(db), root)
    try:
        return [(a.id, a.title) for a in index.articles()]
    finally:
        index.close()


def test_sigkill_during_a_first_index_then_the_next_run_completes_it(
    tmp_path: Path, counts: Counts
) -> None:
    root = tmp_path / "cache"
    ids = make_corpus(root, 2000)
    fresh_db = tmp_path / "fresh" / "decisions.db"
    proc = python(INDEX, str(root), str(fresh_db))  # how long a child takes to index it all
    lines, _ = _lines_until(proc, 1)
    start = time.perf_counter()
    lines, _ = _lines_until(proc, 1)
    full = time.perf_counter() - start
    assert lines == ["done"], _kill(proc)
    _kill(proc)
    fresh = _index_rows(root, fresh_db)
    assert [i for i, _ in fresh] == sorted(ids)
    rng = random.Random(77)
    db = tmp_path / "data" / "decisions.db"
    kills = runs = 0
    cold = True
    while kills < INDEX_KILLS and runs < 3 * INDEX_KILLS:
        runs += 1
        if cold:
            shutil.rmtree(db.parent, ignore_errors=True)
        proc = python(INDEX, str(root), str(db))
        lines, _ = _lines_until(proc, 1)
        assert lines == ["go"]
        time.sleep(rng.uniform(0, full * 0.9))
        _, errors = _kill(proc)
        assert "Traceback" not in errors, errors
        cut = proc.returncode == -signal.SIGKILL
        kills += cut
        cold = not cut or rng.random() < 0.6  # else kill the next run too, resuming a cut index
        if cold:
            _check_index(root, db, fresh, counts)
    _check_index(root, db, fresh, counts)
    counts.kills += kills
    assert kills >= INDEX_KILLS


def _check_index(root: Path, db: Path, fresh: list[tuple[str, str]], counts: Counts) -> None:
    """The next run completes the index, and it equals a fresh one: same ids, same titles."""
    _next_start_is_clean(root, db)
    rows = _index_rows(root, db)
    counts.files += len(rows)
    counts.damaged += rows != fresh
    assert rows == fresh, "after a kill, the completed index differs from a fresh one"

"""SIGKILL during `library.sync`, again and again, two clones deciding in between: after
each kill one sync to completion succeeds, and every decision the killed clone's store
made is on the remote, no log holds an event twice, git is in the middle of nothing and
its repository is sound; at the end both clones show the same states."""

from __future__ import annotations

import contextlib
import io
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from reader.cli.main import run
from reader.config import Settings
from reader.data.article import Decision
from reader.data.desk.sync import LOCK_NAME
from reader.data.library import Library
from tests.data.desk.gitdesk import (
    Clone,
    clone,
    git,
    git_env,
    isolate_git,
    make_remote,
    remote_log_ids,
    states,
)

from .helpers import REPO, Counts, article, child_env, needs_sigkill, reap_group

pytestmark = [
    needs_sigkill,
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]

SEED = int(os.environ.get("NEWSREADER_SYNC_KILL_SEED", "2621"))
"""The kills' random moments and the decisions come from this seed (printed)."""
MAX_SLEEP = 0.3
"""A kill lands from 0 to this many seconds after the child starts its sync."""

SYNC_CHILD = """
import sys
from pathlib import Path
from reader.data.library import Library

library = Library(Path(sys.argv[1]), Path(sys.argv[2]))
library.refresh()
print("ready", flush=True)
result = library.sync()
print("done", result.note, flush=True)
"""


@pytest.fixture(autouse=True)
def _no_global_git(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(monkeypatch)


def start_sync(where: Clone) -> subprocess.Popen[bytes]:
    """A child Python that opens the clone's library, says `ready`, then syncs."""
    proc = subprocess.Popen(
        [sys.executable, "-c", SYNC_CHILD, str(where.root), str(where.db)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO,
        env=child_env(**{k: v for k, v in git_env().items() if k.startswith("GIT_")}),
        start_new_session=True,
    )  # fmt: skip
    assert proc.stdout is not None
    assert proc.stdout.readline() == b"ready\n", proc.stderr.read() if proc.stderr else ""
    return proc


def kill(proc: subprocess.Popen[bytes], whole_group: bool) -> tuple[bool, str]:
    """SIGKILL the child Python alone, as `kill -9 PID` does, and let the git it started
    finish (as it would); or, `whole_group`, its git too, as a power cut would: (whether
    it was killed while running, its stderr)."""
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    if whole_group:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
    reap_group(proc)
    assert proc.stderr is not None and proc.stdout is not None
    errors = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    proc.stdout.close()
    return killed and proc.returncode == -signal.SIGKILL, errors


def moment(where: Clone, unshared: bool) -> str:
    """Where in the sync the kill landed, as the clone shows it afterwards."""
    git_dir = where.top / ".git"
    if (git_dir / "rebase-merge").exists() or (git_dir / "rebase-apply").exists():
        return "mid-rebase"
    if any(git_dir.glob("*.lock")) or any(git_dir.glob("refs/**/*.lock")):
        return "git lock left"
    if not (git_dir / LOCK_NAME).exists():
        return "before the lock" if unshared else "after the lock"
    if git(where.top, "status", "--porcelain", "--", ".newsreader"):
        return "log written, not committed"
    ahead = git(where.top, "rev-list", "--count", "origin/main..HEAD").strip()
    return "committed, not pushed" if ahead != "0" else "pushed, not read back"


def decide(where: Clone, rng: random.Random, ids: list[str]) -> None:
    """One to three decisions (or an undo) in the clone's store."""
    library = Library(where.root, where.db)
    try:
        library.refresh()
        for _ in range(rng.randint(1, 3)):
            if rng.random() < 0.1 and library.can_undo():
                library.undo()
            else:
                library.decide([rng.choice(ids)], rng.choice(list(Decision)),
                               rng.choice([None, "r", f"{where.name} {rng.randint(0, 99)}"]))
    finally:
        library.close()


def sync_to_the_end(where: Clone) -> None:
    """`newsreader sync` in this process: it must exchange everything (exit 0)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run(["sync", str(where.root), "--db", str(where.db)], Settings(), out)
    assert code == 0, (out.getvalue(), err.getvalue())


def own_events(where: Clone) -> set[str]:
    """The ids of every event the clone's store made itself."""
    library = Library(where.root, where.db)
    try:
        return {r[0] for r in library.store.conn.execute("SELECT id FROM events WHERE own = 1")}
    finally:
        library.close()


def unshared(where: Clone) -> bool:
    """Whether the clone's store has events no log holds yet."""
    library = Library(where.root, where.db)
    try:
        return bool(library.store.unshared_events())
    finally:
        library.close()


def sound(where: Clone) -> None:
    """git is in the middle of nothing, no lock is left, and fsck finds nothing wrong."""
    git_dir = where.top / ".git"
    for name in ("rebase-merge", "rebase-apply", "MERGE_HEAD", "index.lock", "HEAD.lock",
                 LOCK_NAME):
        assert not (git_dir / name).exists(), name
    status = git(where.top, "status")
    assert "rebase" not in status and "merg" not in status, status
    done = subprocess.run(["git", "-C", str(where.top), "fsck", "--no-progress",
                           "--no-dangling"], capture_output=True, text=True, env=git_env())
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def torture(tmp_path: Path, counts: Counts, wanted: int) -> None:
    """Kill `wanted` syncs (see the module's docstring)."""
    rng = random.Random(SEED)
    print(f"sync kills: seed {SEED}")
    extra = {f"{n:03d}_extra.md": article(n, ("true", "false", None)[n % 3]) for n in range(20)}
    remote = make_remote(tmp_path, extra)
    clones = [clone(remote, tmp_path, "ann"), clone(remote, tmp_path, "bob")]
    ids = sorted(p.name for p in clones[0].root.iterdir())
    kills = runs = lost = duplicates = 0
    moments: Counter[str] = Counter()
    while kills < wanted and runs < 3 * wanted:
        runs += 1
        victim, other = clones[runs % 2], clones[(runs + 1) % 2]
        decide(victim, rng, ids)
        decide(other, rng, ids)
        if rng.random() < 0.3:  # the remote moves on: the victim's sync must rebase
            sync_to_the_end(other)
        proc = start_sync(victim)
        time.sleep(rng.uniform(0, MAX_SLEEP))
        killed, errors = kill(proc, whole_group=rng.random() < 0.3)
        assert "Traceback" not in errors, errors
        if not killed:
            continue
        kills += 1
        moments[moment(victim, unshared(victim))] += 1
        sync_to_the_end(victim)
        on_remote = remote_log_ids(remote)
        lost += len(own_events(victim) - {i for log in on_remote.values() for i in log})
        duplicates += sum(len(log) - len(set(log)) for log in on_remote.values())
        sound(victim)
        assert (lost, duplicates) == (0, 0), (lost, duplicates, moments)
    for where in clones * 2:
        sync_to_the_end(where)
    shown = []
    for where in clones:
        library = where.open()
        try:
            shown.append((states(library), sorted(library.conflicts())))
        finally:
            library.close()
        sound(where)
    assert shown[0] == shown[1]
    counts.kills += kills
    counts.lost += lost
    counts.decisions += sum(len(own_events(where)) for where in clones)
    print(f"sync kills: {kills} kills in {runs} runs (seed {SEED}), moments "
          + ", ".join(f"{name} {n}" for name, n in moments.most_common())
          + f"; {lost} lost, {duplicates} duplicates")
    assert kills >= wanted
    if wanted >= 50:  # a handful of kills may all land in one or two moments of a fast sync
        assert len(moments) >= 3, moments


def test_a_few_sync_kills_lose_nothing(tmp_path: Path, counts: Counts) -> None:
    """A handful of kills, for the default suite."""
    torture(tmp_path, counts, 6)


@pytest.mark.slow
def test_fifty_sync_kills_lose_nothing(tmp_path: Path, counts: Counts) -> None:
    """At least fifty kills at random moments, for the full torture run."""
    torture(tmp_path, counts, 50)

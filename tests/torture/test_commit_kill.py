"""SIGKILL during `newsreader apply --commit`, again and again: then one more run commits
every file the killed runs wrote, and the work tree holds no write of newsreader's that
no commit holds."""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reader.data.article import Decision
from reader.data.decisions.store import TriageStore
from reader.data.library import Library
from reader.data.writeback import writer as writeback

from .helpers import REPO, Counts, child_env, make_corpus, needs_sigkill, reap_group, temps

pytestmark = [
    needs_sigkill,
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed"),
]

COMMIT_KILLS = 50
ARTICLES = 120
FLIPS = 25
"""Decisions changed before each run, so that every run has files to write."""
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}  # fmt: skip


def git(top: Path, *args: str) -> str:
    """Run git in `top` as the test's user; its output."""
    done = subprocess.run(["git", "-C", str(top), *args], capture_output=True, text=True,
                          env={**os.environ, **GIT_ENV}, check=True)  # fmt: skip
    return done.stdout


def start(root: Path, db: Path) -> subprocess.Popen[bytes]:
    """`newsreader apply ROOT --commit` in its own process group."""
    return subprocess.Popen(
        [sys.executable, "-m", "reader", "apply", str(root), "--commit", "--db", str(db)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=REPO,
        env=child_env(**GIT_ENV), start_new_session=True,
    )  # fmt: skip


def kill(proc: subprocess.Popen[bytes]) -> tuple[bool, str]:
    """SIGKILL newsreader alone, as `kill -9 PID` does; let the git it started finish (as
    it would), then end whatever is left of its group: (whether it was killed, its stderr)."""
    killed = proc.poll() is None
    if killed:
        os.kill(proc.pid, signal.SIGKILL)
    reap_group(proc)
    assert proc.stderr is not None
    errors = proc.stderr.read().decode(errors="replace")
    proc.stderr.close()
    return killed and proc.returncode == -signal.SIGKILL, errors


def test_sigkill_during_apply_commit_then_one_run_commits_everything(
    tmp_path: Path, counts: Counts
) -> None:
    top = tmp_path / "site"
    root = top / "_news"
    ids = make_corpus(root, ARTICLES)
    db = tmp_path / "data" / "decisions.db"
    git(top, "init", "-q", "-b", "main")
    git(top, "add", ".")
    git(top, "commit", "-q", "-m", "the articles")
    rng = random.Random(2026)
    started = time.perf_counter()
    proc = start(root, db)  # one whole run, to time the kills by
    proc.wait()
    full = time.perf_counter() - started
    kills = runs = uncommitted = 0
    # Until enough kills landed, and enough of them between a write and its commit (how many
    # do depends on the machine's speed of the moment: more runs, not a looser check).
    while (kills < COMMIT_KILLS or uncommitted < COMMIT_KILLS // 10) and runs < 5 * COMMIT_KILLS:
        runs += 1
        store = TriageStore(db)
        try:
            for article_id in rng.sample(ids, FLIPS):
                store.decide([article_id], rng.choice([Decision.PUBLISHED, Decision.SKIPPED]))
        finally:
            store.close()
        proc = start(root, db)
        time.sleep(rng.uniform(0, full * 1.3))
        killed, errors = kill(proc)
        assert "Traceback" not in errors, errors
        kills += killed
        assert not (top / ".git" / "index.lock").exists(), "git's lock file was left behind"
        uncommitted += killed and bool(git(top, "status", "--porcelain"))
    counts.kills += kills
    counts.commit_kills += kills
    assert kills >= COMMIT_KILLS
    print(f"apply --commit: {kills} kills, {uncommitted} left written files uncommitted")
    assert uncommitted >= COMMIT_KILLS // 10, "too few kills landed between write and commit"
    wanted = TriageStore(db)
    try:
        states = wanted.states()
    finally:
        wanted.close()
    done = subprocess.run(  # once it may finish: every write of newsreader's is committed
        [sys.executable, "-m", "reader", "apply", str(root), "--commit", "--db", str(db)],
        capture_output=True, text=True, cwd=REPO, env=child_env(**GIT_ENV), timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, (
        [line for line in done.stdout.splitlines() if not line.startswith("owes no commit")],
        done.stderr[-3000:],
    )
    assert git(top, "status", "--porcelain", "--untracked-files=all") == ""
    assert temps(root) == []
    library = Library(root, db)
    try:
        library.refresh()
        assert writeback.plan(library).edits == []  # every file says its decision
        assert library.owed_commits() == []
        assert library.store.states() == states  # no decision lost
        counts.decisions += len(states)
    finally:
        library.close()
    counts.files += len(ids)
    git(top, "fsck", "--no-progress")
    newsreader = git(top, "log", "--format=%s", "--", "_news").splitlines()[:-1]
    assert all(subject.startswith("newsreader: ") for subject in newsreader)

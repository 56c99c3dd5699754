"""`newsreader apply`: dry run, write, report, undo and redo, commit; in-process and for real."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from reader.cli.main import run
from reader.config import Settings

PRESS = "003_d5ead589fc54e32c.txt"
FIERCE = "000_603f865bca10b7c4.txt"  # published: false
MEDICAL = "001_38bcfbeb79dc117a.txt"  # published: true


def cli(*argv: str) -> tuple[int, str]:
    """Run one command in-process; returns (exit status, stdout)."""
    out = io.StringIO()
    code = run(list(argv), Settings(), out)
    return code, out.getvalue()


@pytest.fixture
def cache(seeds_dir: Path) -> Path:
    """A writable copy of the seeds (the checkout's are read-only)."""
    for path in seeds_dir.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return seeds_dir


def files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.is_file()}


def test_dry_run_prints_the_diff_and_writes_nothing(cache: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    before = files(cache)
    assert cli("decide", str(cache), FIERCE, "publish", "--db", db)[0] == 0
    assert cli("decide", str(cache), MEDICAL, "skip", "--reason", "old news", "--db", db)[0] == 0
    code, text = cli("apply", str(cache), "--dry-run", "--db", db)
    assert code == 0
    assert f"--- a/{FIERCE}\n+++ b/{FIERCE}\n@@ -8,7 +8,7 @@\n" in text
    assert "\n-published: false\n+published: true\n" in text
    assert "\n-published: true\n+published: false\n" in text
    assert f"would write: {FIERCE}: publish (published: false -> true)" in text
    assert f"would write: {MEDICAL}: skip (published: true -> false)" in text
    assert text.endswith("apply --dry-run: 2 files would be written, 0 not\n")
    assert files(cache) == before


def test_apply_writes_reports_and_undo_restores(cache: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    before = files(cache)
    cli("decide", str(cache), FIERCE, "publish", "--db", db)
    cli("decide", str(cache), MEDICAL, "skip", "--db", db)
    code, text = cli("apply", str(cache), "--db", db)
    assert code == 0
    assert text.splitlines() == [
        f"wrote: {FIERCE}: publish (published: false -> true)",
        f"wrote: {MEDICAL}: skip (published: true -> false)",
        "apply: 2 files written, 0 not",
    ]
    after = files(cache)
    assert after[FIERCE] == before[FIERCE].replace(b"published: false", b"published: true")
    assert after[MEDICAL] == before[MEDICAL].replace(b"published: true", b"published: false")
    assert {k for k in after if after[k] != before[k]} == {FIERCE, MEDICAL}
    # The files say so now: a second apply has nothing to do, and show reads the new value.
    assert cli("apply", str(cache), "--db", db) == (0, "apply: 0 files written, 0 not\n")
    _, shown = cli("show", str(cache), FIERCE, "--db", db, "--format", "json")
    assert json.loads(shown)["file_published"] is True
    code, text = cli("undo", str(cache), "--db", db)
    assert code == 0
    assert sorted(text.splitlines()) == sorted(
        [
            f"undo: restored {FIERCE}",
            f"undo: restored {MEDICAL}",
            "undo: 2 files restored, 0 left as they were",
        ]
    )
    assert files(cache) == before
    code, text = cli("redo", str(cache), "--db", db)
    assert code == 0 and f"redo: rewrote {FIERCE}" in text
    assert files(cache) == after


def test_a_press_release_is_reported_and_kept(cache: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    before = files(cache)
    cli("decide", str(cache), PRESS, "skip", "--reason", "no date", "--db", db)
    code, text = cli("apply", str(cache), "--db", db)
    assert code == 1
    assert f"not written: {PRESS}: skip: " in text  # why: tests/test_cli_apply_refusals.py
    assert files(cache) == before
    _, listed = cli("list", str(cache), "--db", db, "--format", "json", "--state", "skipped")
    assert [a["id"] for a in json.loads(listed)] == [PRESS]
    _, exported = cli("export", str(cache), "--db", db)
    assert [(e["id"], e["new_state"]) for e in json.loads(exported)] == [(PRESS, "skipped")]


def test_undo_reports_a_file_edited_since(cache: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    cli("decide", str(cache), FIERCE, MEDICAL, "skip", "--db", db)
    cli("apply", str(cache), "--db", db)
    edited = (cache / MEDICAL).read_bytes() + b"\nAdded by hand.\n"
    (cache / MEDICAL).write_bytes(edited)
    code, text = cli("undo", str(cache), "--db", db)
    assert code == 1
    assert f"undo: not restored: {MEDICAL}: changed on disk since the apply" in text
    assert (cache / MEDICAL).read_bytes() == edited


def test_commit_outside_git_says_so(cache: Path, tmp_path: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    db = str(tmp_path / "d.db")
    cli("decide", str(cache), FIERCE, "publish", "--db", db)
    before = files(cache)
    code, text = cli("apply", str(cache), "--commit", "--db", db)
    assert (code, text) == (2, "")  # refused before writing (tests/test_cli_apply_refusals.py)
    assert files(cache) == before


@pytest.fixture
def work_tree(cache: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache as a git work tree with every file committed, and a git user to commit as."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    for var, value in (
        ("GIT_AUTHOR_NAME", "Test"),
        ("GIT_AUTHOR_EMAIL", "test@example.com"),
        ("GIT_COMMITTER_NAME", "Test"),
        ("GIT_COMMITTER_EMAIL", "test@example.com"),
        ("GIT_CONFIG_GLOBAL", os.devnull),
        ("GIT_CONFIG_NOSYSTEM", "1"),
    ):
        monkeypatch.setenv(var, value)
    for args in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "seeds"]):
        subprocess.run(["git", "-C", str(cache), *args], check=True, capture_output=True)
    return cache


def head(work_tree: Path) -> str:
    """The sha of the work tree's newest commit."""
    return subprocess.run(["git", "-C", str(work_tree), "rev-parse", "HEAD"], check=True,
                          capture_output=True, text=True).stdout.strip()  # fmt: skip


def test_commit_in_a_work_tree(work_tree: Path, tmp_path: Path) -> None:
    cache = work_tree
    db = str(tmp_path / "d.db")
    cli("decide", str(cache), FIERCE, "publish", "--db", db)
    code, text = cli("apply", str(cache), "--commit", "--db", db)
    assert code == 0 and "commit: " in text and text.endswith(" (1 file)\n")
    shown = subprocess.run(
        ["git", "-C", str(cache), "show", "--name-only", "--format=%s", "HEAD"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    assert shown[-1] == FIERCE and "publish" in shown


def test_dry_run_and_commit_do_not_mix(cache: Path, tmp_path: Path) -> None:
    with pytest.raises(SystemExit) as exited:
        cli("apply", str(cache), "--dry-run", "--commit", "--db", str(tmp_path / "d.db"))
    assert exited.value.code == 2


def test_the_bundled_demo_is_never_rewritten(tmp_path: Path, capsys) -> None:
    db = str(tmp_path / "d.db")
    assert cli("decide", FIERCE, "publish", "--db", db)[0] == 0
    assert cli("apply", "--dry-run", "--db", db)[0] == 0  # a preview is fine
    code, _ = cli("apply", "--db", db)
    assert code == 2
    assert "demo articles are never rewritten" in capsys.readouterr().err


def test_apply_as_a_real_command(cache: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(tmp_path / "data"),
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
    }
    db = str(tmp_path / "d.db")

    def newsreader(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "reader", *argv],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )

    assert newsreader("decide", str(cache), MEDICAL, "skip", "--db", db).returncode == 0
    done = newsreader("apply", str(cache), "--db", db)
    assert done.returncode == 0, done.stderr
    assert done.stdout.endswith("apply: 1 file written, 0 not\n")
    assert b"published: false" in (cache / MEDICAL).read_bytes()
    assert "apply" in newsreader("--help").stdout


def test_export_includes_apply_steps_with_the_lines_they_wrote(cache: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    cli("decide", str(cache), FIERCE, "publish", "--db", db)
    cli("decide", str(cache), MEDICAL, "skip", "--db", db)
    assert cli("apply", str(cache), "--db", db)[0] == 0
    cli("decide", str(cache), PRESS, "skip", "--db", db)
    code, text = cli("export", str(cache), "--db", db)
    assert code == 0
    entries = json.loads(text)
    assert [(e["kind"], e["batch"], e["id"], e["new_state"]) for e in entries] == [
        ("decide", 1, FIERCE, "published"),
        ("decide", 2, MEDICAL, "skipped"),
        ("apply", 3, FIERCE, "published"),
        ("apply", 3, MEDICAL, "skipped"),
        ("decide", 4, PRESS, "skipped"),
    ]
    wrote = entries[2]
    assert (wrote["old_line"], wrote["new_line"]) == ("published: false", "published: true")
    assert entries[0]["old_line"] is None and entries[0]["new_line"] is None
    assert list(wrote) == list(entries[0])  # one shape for every entry
    code, text = cli("export", str(cache), "--db", db, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["kind"], r["id"], r["old_line"], r["new_line"]) for r in rows][2:4] == [
        ("apply", FIERCE, "published: false", "published: true"),
        ("apply", MEDICAL, "published: true", "published: false"),
    ]


def test_undo_of_an_apply_that_committed_says_the_commit_stays(
    work_tree: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "d.db")
    cli("decide", str(work_tree), FIERCE, "publish", "--db", db)
    assert cli("apply", str(work_tree), "--commit", "--db", db)[0] == 0
    sha = head(work_tree)
    code, text = cli("undo", str(work_tree), "--db", db)
    assert code == 0
    assert text.splitlines() == [
        f"undo: restored {FIERCE}",
        "undo: 1 file restored, 0 left as they were",
        f"undo: the apply's commit {sha[:12]} stays in git; the restored files now differ "
        "from it",
    ]
    code, text = cli("redo", str(work_tree), "--db", db)
    assert code == 0 and "commit" not in text


def test_export_carries_seq_at_and_commit_of_apply_lines_and_their_undo_and_redo(
    work_tree: Path, tmp_path: Path
) -> None:
    db = tmp_path / "d.db"
    cli("decide", str(work_tree), FIERCE, "publish", "--db", str(db))
    cli("decide", str(work_tree), MEDICAL, "skip", "--db", str(db))
    assert cli("apply", str(work_tree), "--commit", "--db", str(db))[0] == 0
    sha = head(work_tree)
    assert cli("undo", str(work_tree), "--db", str(db))[0] == 0
    assert cli("redo", str(work_tree), "--db", str(db))[0] == 0
    with sqlite3.connect(db) as conn:
        lines = conn.execute("SELECT seq, at FROM file_writes ORDER BY seq").fetchall()
        steps = dict(conn.execute("SELECT batch, at FROM batches").fetchall())
    code, text = cli("export", str(work_tree), "--db", str(db))
    assert code == 0
    entries = json.loads(text)
    assert [(e["kind"], e["batch"], e["ref"], e["id"], e["commit"]) for e in entries] == [
        ("decide", 1, None, FIERCE, None),
        ("decide", 2, None, MEDICAL, None),
        ("apply", 3, None, FIERCE, sha),
        ("apply", 3, None, MEDICAL, sha),
        ("undo", 4, 3, FIERCE, None),
        ("undo", 4, 3, MEDICAL, None),
        ("redo", 5, 3, FIERCE, None),
        ("redo", 5, 3, MEDICAL, None),
    ]
    wrote = entries[2:4]
    assert [(e["seq"], e["at"]) for e in wrote] == lines
    assert all(e["at"] == steps[3] for e in wrote)
    assert [(e["seq"], e["at"]) for e in entries[4:]] == [(None, steps[4])] * 2 + [
        (None, steps[5])] * 2
    undone = entries[4]
    assert (undone["old_line"], undone["new_line"], undone["new_state"]) == (None, None, None)
    assert [e["at"] for e in entries] == sorted(e["at"] for e in entries)  # oldest first
    assert len({tuple(e) for e in entries}) == 1  # one shape for every entry
    code, text = cli("export", str(work_tree), "--db", str(db), "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [(r["kind"], r["seq"], r["at"], r["ref"], r["commit"]) for r in rows[2:]] == [
        ("apply", str(lines[0][0]), lines[0][1], "", sha),
        ("apply", str(lines[1][0]), lines[1][1], "", sha),
        ("undo", "", steps[4], "3", ""),
        ("undo", "", steps[4], "3", ""),
        ("redo", "", steps[5], "3", ""),
        ("redo", "", steps[5], "3", ""),
    ]
    assert "reason" in rows[0]


def test_export_of_an_apply_without_commit(cache: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    cli("decide", str(cache), MEDICAL, "skip", "--db", db)
    assert cli("apply", str(cache), "--db", db)[0] == 0
    assert cli("undo", str(cache), "--db", db)[0] == 0
    _, text = cli("export", str(cache), "--db", db)
    entries = json.loads(text)
    assert [(e["kind"], e["ref"], e["commit"]) for e in entries] == [
        ("decide", None, None), ("apply", None, None), ("undo", 2, None)]
    assert entries[1]["seq"] == 1 and entries[1]["at"] is not None


def test_clear_on_a_live_file_then_apply_writes_nothing(cache: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    before = files(cache)
    cleared = cli("decide", str(cache), MEDICAL, "clear", "--db", db)
    assert cleared == (0, "undecided: 1 article, step 1\n")
    left = (f"left as it is: {MEDICAL}: undecided: nothing to write (its file still says "
            "published)\n")
    dry = cli("apply", str(cache), "--dry-run", "--db", db)
    assert dry == (0, left + "apply --dry-run: 0 files would be written, 0 not\n")
    assert cli("apply", str(cache), "--db", db) == (0, left + "apply: 0 files written, 0 not\n")
    assert files(cache) == before
    _, shown = cli("show", str(cache), MEDICAL, "--db", db, "--format", "json")
    shown_as = json.loads(shown)
    assert (shown_as["state"], shown_as["file_published"]) == ("undecided", True)


def test_a_commit_git_refused_is_finished_by_newsreader_commit(
    work_tree: Path, tmp_path: Path
) -> None:
    cache, db = work_tree, str(tmp_path / "d.db")
    lock = cache / ".git" / "index.lock"
    lock.write_text("")
    cli("decide", str(cache), FIERCE, "publish", "--reason", "good", "--db", db)
    code, text = cli("apply", str(cache), "--commit", "--db", db)
    assert code == 1
    assert f"wrote: {FIERCE}: publish" in text
    assert f"no commit: git's lock file {lock} is there" in text
    assert "`newsreader commit` (or the next `apply --commit`) commits them" in text
    code, text = cli("check", str(cache), "--db", db)
    assert code == 1 and f"{FIERCE}: commit: apply --commit wrote it" in text
    code, text = cli("apply", str(cache), "--db", db)  # nothing to write: still not silent
    assert code == 0 and f"not committed yet: {FIERCE}" in text
    assert cli("commit", str(cache), "--db", db)[0] == 1  # the lock is still there
    lock.unlink()
    code, text = cli("commit", str(cache), "--db", db)
    assert code == 0
    assert text == f"commit: {head(cache)[:12]} (1 file, 1 of them written by an earlier apply)\n"
    code, text = cli("commit", str(cache), "--db", db)
    assert (code, text) == (
        0, "commit: nothing to commit: every file newsreader wrote is in a commit\n")
    assert cli("check", str(cache), "--db", db)[0] == 0

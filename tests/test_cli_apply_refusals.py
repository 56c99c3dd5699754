"""`newsreader apply` on what it cannot write: a press release, a file that is not an article,
and a commit git cannot make (refused before anything is written)."""

from __future__ import annotations

import io
import json
import os
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from reader.cli.main import run
from reader.config import Settings

PRESS = "003_d5ead589fc54e32c.txt"
FIERCE = "000_603f865bca10b7c4.txt"  # published: false
MEDICAL = "001_38bcfbeb79dc117a.txt"  # published: true
PRESS_WHY = "a plain-text press release has no published: line to write"
IDENTITY = ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL")
needs_git = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")


@pytest.fixture
def cache(seeds_dir: Path) -> Path:
    """A writable copy of the seeds (the checkout's are read-only)."""
    for path in seeds_dir.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return seeds_dir


@pytest.fixture(autouse=True)
def _no_git_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No git identity or work tree from the machine: each test makes what it needs."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))
    for var in (*IDENTITY, "EMAIL"):
        monkeypatch.delenv(var, raising=False)


def cli(*argv: str) -> tuple[int, str]:
    """Run one command in-process; returns (exit status, stdout)."""
    out = io.StringIO()
    code = run(list(argv), Settings(), out)
    return code, out.getvalue()


def files(root: Path) -> dict[str, bytes]:
    """Every file of the folder, by name."""
    return {p.name: p.read_bytes() for p in sorted(root.iterdir()) if p.is_file()}


def git(top: Path, *args: str) -> str:
    """Run git in `top` as a one-off identity that git keeps nowhere."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com"}
    done = subprocess.run(["git", "-C", str(top), *args], capture_output=True, text=True,
                          env=env, check=True)
    return done.stdout


# -- a press release ---------------------------------------------------------------------


@pytest.mark.parametrize("action", ["publish", "skip"])
def test_dry_run_says_why_a_press_release_is_not_written(
    cache: Path, tmp_path: Path, action: str
) -> None:
    db = str(tmp_path / "d.db")
    before = files(cache)
    assert cli("decide", str(cache), PRESS, action, "--db", db)[0] == 0
    code, text = cli("apply", str(cache), "--dry-run", "--db", db)
    assert code == 1
    lines = text.splitlines()  # the count's wording is the CLI's: only its numbers here
    assert lines[:-1] == [f"not written: {PRESS}: {action}: {PRESS_WHY}"]
    assert lines[-1].startswith("apply --dry-run: 0 ") and lines[-1].endswith(", 1 not")
    assert files(cache) == before


def test_apply_says_why_a_press_release_is_not_written(cache: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    before = files(cache)
    cli("decide", str(cache), PRESS, "publish", "--db", db)
    cli("decide", str(cache), FIERCE, "publish", "--db", db)
    code, text = cli("apply", str(cache), "--db", db)
    assert code == 1
    lines = text.splitlines()
    assert lines[:-1] == [
        f"wrote: {FIERCE}: publish (published: false -> true)",
        f"not written: {PRESS}: publish: {PRESS_WHY}",
    ]
    assert lines[-1].startswith("apply: 1 ") and lines[-1].endswith(", 1 not")
    assert files(cache)[PRESS] == before[PRESS]


# -- a file that is not an article -------------------------------------------------------

README = b"# About this folder\n\nThe articles of the site, one file each.\n"


def test_a_readme_is_not_listed_and_check_says_once_why(
    cache: Path, tmp_path: Path
) -> None:
    (cache / "README.md").write_bytes(README)
    db = str(tmp_path / "d.db")
    code, listed = cli("list", str(cache), "--db", db, "--format", "json")
    assert code == 0
    assert "README.md" not in [a["id"] for a in json.loads(listed)]
    code, checked = cli("check", str(cache), "--db", db)
    assert checked.splitlines() == [
        "README.md: file: not an article: no front matter, and no `Date:` or `Tags:` line "
        "of a press release"
    ]
    code, _ = cli("decide", str(cache), "README.md", "skip", "--db", db)
    assert code == 2  # unknown article id
    code, text = cli("apply", str(cache), "--db", db)
    assert code == 0 and text.startswith("apply: 0 ") and text.endswith(", 0 not\n")
    assert (cache / "README.md").read_bytes() == README


# -- a commit git cannot make ------------------------------------------------------------


@needs_git
def test_commit_outside_a_work_tree_writes_nothing(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "d.db")
    cli("decide", str(cache), FIERCE, "publish", "--db", db)
    before = files(cache)
    code, text = cli("apply", str(cache), "--commit", "--db", db)
    assert (code, text) == (2, "")
    err = capsys.readouterr().err
    assert err.startswith(
        f"newsreader: error: nothing written: {cache} is not inside a git work tree"
    )
    assert "`git init`" in err
    assert files(cache) == before
    code, text = cli("undo", str(cache), "--db", db)  # no apply step was made
    assert (code, text) == (0, f"undo: {FIERCE} is now undecided\n")


@needs_git
def test_commit_without_a_user_email_writes_nothing(
    cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(cache, "init", "-q")
    git(cache, "add", ".")
    git(cache, "commit", "-q", "-m", "seeds")
    git(cache, "config", "user.name", "Ed Itor")
    head = git(cache, "rev-parse", "HEAD")
    db = str(tmp_path / "d.db")
    cli("decide", str(cache), FIERCE, "publish", "--db", db)
    cli("decide", str(cache), MEDICAL, "skip", "--db", db)
    before = files(cache)
    code, text = cli("apply", str(cache), "--commit", "--db", db)
    assert (code, text) == (2, "")
    err = capsys.readouterr().err
    assert err.startswith("newsreader: error: nothing written: git has no user email")
    assert 'git config --global user.email "you@example.com"' in err
    assert files(cache) == before
    assert git(cache, "rev-parse", "HEAD") == head
    assert git(cache, "status", "--porcelain") == ""
    git(cache, "config", "user.email", "ed@example.com")  # the fix it gave
    code, text = cli("apply", str(cache), "--commit", "--db", db)
    assert code == 0 and "commit: " in text
    assert git(cache, "log", "-1", "--format=%an <%ae>") == "Ed Itor <ed@example.com>\n"

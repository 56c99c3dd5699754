"""A desk to test with: a bare repository as the remote, seeded with the checkout's own
articles in `_news/`, and clones of it, each with its own editor and decisions store."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from reader.data.library import Library

REPO = Path(__file__).resolve().parents[3]
"""The root of the checkout."""
NEWS = "_news"
"""The articles' folder from the top of the site's repository."""
GIT_ENV = {"GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
           "GIT_TERMINAL_PROMPT": "0"}
"""No global or system config: each clone's own user.name and user.email are all git has."""
SEED_ENV = {
    "GIT_AUTHOR_NAME": "Seed", "GIT_AUTHOR_EMAIL": "seed@example.com",
    "GIT_COMMITTER_NAME": "Seed", "GIT_COMMITTER_EMAIL": "seed@example.com",
}  # fmt: skip
"""The identity of the seed commit alone."""


def git_env(**extra: str) -> dict[str, str]:
    """The environment git runs in here (and a child newsreader too)."""
    return {**os.environ, **GIT_ENV, **extra}


def git(top: Path, *args: str, **extra: str) -> str:
    """Run git in `top`; its output (a CalledProcessError with git's words otherwise)."""
    done = subprocess.run(["git", "-C", str(top), *args], capture_output=True, text=True,
                          env=git_env(**extra))
    if done.returncode != 0:
        raise AssertionError(f"git {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def make_remote(base: Path, extra: dict[str, bytes] | None = None) -> Path:
    """A bare repository at `base`/remote.git whose `main` holds one commit: the seeds (and
    `extra` files, by name) in `_news/`."""
    seed = base / "seed"
    (seed / NEWS).mkdir(parents=True)
    for path in sorted((REPO / "seeds").iterdir()):
        target = seed / NEWS / path.name
        shutil.copyfile(path, target)
        target.chmod(target.stat().st_mode | stat.S_IWUSR)
    for name, data in (extra or {}).items():
        (seed / NEWS / name).write_bytes(data)
    git(seed, "init", "-q", "-b", "main")
    git(seed, "add", ".")
    git(seed, "commit", "-q", "-m", "the articles", **SEED_ENV)
    bare = base / "remote.git"
    git(base, "clone", "-q", "--bare", str(seed), str(bare))
    shutil.rmtree(seed)
    return bare


@dataclass
class Clone:
    """One editor's clone of the remote and their decisions store."""

    name: str
    top: Path
    db: Path

    @property
    def root(self) -> Path:
        """The articles' folder in this clone."""
        return self.top / NEWS

    def open(self) -> Library:
        """This clone's Library, refreshed."""
        library = Library(self.root, self.db)
        library.refresh()
        return library

    def git(self, *args: str) -> str:
        """Run git in this clone."""
        return git(self.top, *args)


def clone(bare: Path, base: Path, name: str) -> Clone:
    """A clone of `bare` at `base`/`name`, committing as `name` <`name`@example.com>."""
    top = base / name
    git(base, "clone", "-q", str(bare), str(top))
    git(top, "config", "user.name", name.title())
    git(top, "config", "user.email", f"{name}@example.com")
    return Clone(name, top, base / "data" / name / "decisions.db")


def states(library: Library) -> dict[str, tuple[str, str | None]]:
    """Every article's state and reason, by id."""
    return {i: (library.decision(i).value, library.reason(i)) for i in article_ids(library)}


def article_ids(library: Library) -> list[str]:
    """The ids of the articles in the library's folder."""
    return sorted(p.relative_to(library.root).as_posix() for p in library.root.rglob("*")
                  if p.is_file())


def remote_log_ids(bare: Path, branch: str = "main") -> dict[str, list[str]]:
    """The event ids of each editor's log on the remote's branch, in their order."""
    import json

    try:
        names = git(bare, "ls-tree", "--name-only", f"{branch}:.newsreader/decisions")
    except AssertionError:  # no editor has shared a decision yet
        return {}
    found: dict[str, list[str]] = {}
    for name in names.split():
        text = git(bare, "show", f"{branch}:.newsreader/decisions/{name}")
        found[name] = [json.loads(line)["id"] for line in text.splitlines() if line.strip()]
    return found


def isolate_git(mp: pytest.MonkeyPatch) -> None:
    """Let git (run by this process's syncs) see no global identity or config: each clone's
    own config is all it has, as on a machine set up for nothing else."""
    for name, value in GIT_ENV.items():
        mp.setenv(name, value)
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                 "GIT_COMMITTER_EMAIL", "EMAIL", "GIT_DIR", "GIT_WORK_TREE"):
        mp.delenv(name, raising=False)

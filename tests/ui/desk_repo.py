"""A desk for the UI tests: a bare repository as the remote, holding the seeds in `_news/`,
and clones of it, each with its own editor (in the clone's git config) and store."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from reader.app import NewsReader, make_app
from reader.config import Settings
from reader.data.article import Decision
from reader.data.library import Library
from tests.data.desk.gitdesk import GIT_ENV, NEWS, git
from tests.ui.conftest import NOW

LOG_DIR = Path(".newsreader") / "decisions"
"""Where the editors' logs are, from the top of the repository."""
BOB_AT = NOW - timedelta(hours=1)
"""Bob's clock: his decisions were made an hour before Alice's."""


def isolate_git(mp: pytest.MonkeyPatch) -> None:
    """Let the syncs this process runs see no global identity or config."""
    for name, value in GIT_ENV.items():
        mp.setenv(name, value)
    for name in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                 "GIT_COMMITTER_EMAIL", "EMAIL", "GIT_DIR", "GIT_WORK_TREE"):
        mp.delenv(name, raising=False)


@dataclass
class Clone:
    """One editor's clone of the remote and their decisions store."""

    top: Path
    db: Path

    @property
    def root(self) -> Path:
        """The articles' folder in this clone."""
        return self.top / NEWS

    def open(self, clock: datetime | None = None) -> Library:
        """This clone's Library, refreshed (`clock`: a fixed time for its events)."""
        library = Library(self.root, self.db, clock=None if clock is None else lambda: clock)
        library.refresh()
        return library

    def logs(self) -> dict[str, list[dict[str, object]]]:
        """Each editor's log in the work tree, by file name: its events."""
        folder = self.top / LOG_DIR
        return {p.name: [json.loads(line) for line in p.read_text().splitlines() if line]
                for p in sorted(folder.glob("*.jsonl"))} if folder.is_dir() else {}


def clone(bare: Path, base: Path, name: str, email: str) -> Clone:
    """A clone of `bare` at `base`/<first name>, committing as `name` <`email`>."""
    top = base / name.split()[0].lower()
    git(base, "clone", "-q", str(bare), str(top))
    git(top, "config", "user.name", name)
    git(top, "config", "user.email", email)
    return Clone(top, base / "data" / top.name / "decisions.db")


def remote_logs(bare: Path) -> list[str]:
    """The editors' logs on the remote's `main`, by file name."""
    try:
        return git(bare, "ls-tree", "--name-only", f"main:{LOG_DIR.as_posix()}").split()
    except AssertionError:  # nobody has shared a decision yet
        return []


def app_on(clone_: Clone, **settings: object) -> NewsReader:
    """The app on a clone's articles, at the fixed clock."""
    return make_app(clone_.root, clone_.db, Settings(**settings),  # type: ignore[arg-type]
                    now=lambda: NOW)


def bob_does(bob: Clone, *, decide: tuple[str, Decision] | None = None,
             claim: list[str] | None = None, reason: str | None = None) -> None:
    """Bob syncs (he sees what the desk has), decides an article (for `reason`) or claims
    some, then syncs again."""
    library = bob.open(BOB_AT)
    try:
        assert library.sync().ok
        if decide is not None:
            library.decide([decide[0]], decide[1], reason)
        if claim is not None:
            library.claim(BOB_AT + timedelta(hours=4), claim)
        assert library.sync().ok
    finally:
        library.close()

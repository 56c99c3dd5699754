"""UI fixtures: the app on a private copy of the seeds, a fixed clock, and an asyncio runner."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from reader.app import NewsReader, make_app
from reader.config import Settings
from reader.data.library import Library

if TYPE_CHECKING:
    from tests.ui.desk_repo import Clone

NOW = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)
"""The fixed clock every UI test runs at."""
SIZE = (120, 40)
"""The terminal size of every Pilot and snapshot test."""

HOSTILE_MARKUP = """\
---
title: "[bold red]x[/] and [@click=app.quit]quit[/] $accent \\e[31mred\\e[0m"
excerpt: "[link=https://evil.example]click[/link] $primary \\e]8;;https://evil.example\\e\\\\x\\e]8;;\\e\\\\"
publishedDateTime: 2021-10-01T10:00:00Z
webUrl: "javascript:alert(1)"
type: video
featuredContent: "<iframe src=\\"https://www.youtube.com/embed/abc\\"></iframe>"
quality: 10
heat: 5
published: false
provider:
  name: "[b]Evil[/b] News"
  domain: evil.example
topics:
  - "$accent"
related:
  - title: "[@click=app.quit]Related[/]"
    webUrl: "file:///etc/passwd"
    publishedDateTime: 2021-10-01T09:00:00Z
    provider:
      name: "$secondary"
---
"""
"""A newest-first article whose every string looks like markup, a variable or an escape."""

HOSTILE_BROKEN = "---\ntitle: [unclosed\n  : : bad yaml\n---\n"
"""A file that does not parse."""


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> bool | None:
    """Run `async def` tests with asyncio.run (no async pytest plugin is installed)."""
    function = pyfuncitem.obj
    if not inspect.iscoroutinefunction(function):
        return None
    names = pyfuncitem._fixtureinfo.argnames
    asyncio.run(function(**{name: pyfuncitem.funcargs[name] for name in names}))
    return True


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """Where the decisions go (the index sits beside it)."""
    return tmp_path / "state" / "decisions.db"


@pytest.fixture
def hostile_dir(seeds_dir: Path) -> Path:
    """The seeds plus a markup-laden article and a file that does not parse."""
    (seeds_dir / "100_markup.md").write_text(HOSTILE_MARKUP, encoding="utf-8")
    (seeds_dir / "101_broken.md").write_text(HOSTILE_BROKEN, encoding="utf-8")
    return seeds_dir


def warm(root: Path, db_path: Path) -> None:
    """Index the folder before the app starts, so that it opens on a full list."""
    library = Library(root, db_path)
    try:
        library.refresh()
    finally:
        library.close()


AppFactory = Callable[..., NewsReader]


@pytest.fixture
def app_factory(db_path: Path) -> Callable[[Path], AppFactory]:
    """make_app for a folder: settings as keywords, the fixed clock unless `now` is given."""

    def for_root(root: Path) -> AppFactory:
        def build(now: Callable[[], datetime] = lambda: NOW, **settings: Any) -> NewsReader:
            return make_app(root, db_path, Settings(**settings), now=now)

        return build

    return for_root


@pytest.fixture
def new_app(app_factory: Callable[[Path], AppFactory], seeds_dir: Path) -> AppFactory:
    """make_app on the seeds."""
    return app_factory(seeds_dir)


@pytest.fixture
def desk_remote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A desk's remote holding the seeds in `_news/`, with git isolated from this
    machine's config (tests/ui/desk_repo.py)."""
    from tests.data.desk.gitdesk import make_remote
    from tests.ui.desk_repo import isolate_git

    isolate_git(monkeypatch)
    return make_remote(tmp_path)


@pytest.fixture
def alice(desk_remote: Path, tmp_path: Path) -> Clone:
    """The desk's editor who runs the app: her clone, its index warm."""
    from tests.ui.desk_repo import clone

    found = clone(desk_remote, tmp_path, "Alice Smith", "alice@example.com")
    warm(found.root, found.db)
    return found


@pytest.fixture
def bob(desk_remote: Path, tmp_path: Path) -> Clone:
    """Another editor of the desk, with a Library of his own (as on the CLI)."""
    from tests.ui.desk_repo import clone

    return clone(desk_remote, tmp_path, "Bob Jones", "bob@example.com")


def counted(monkeypatch: pytest.MonkeyPatch, obj: object, name: str) -> list[int]:
    """Count the calls of obj.name from now on."""
    calls: list[int] = []
    real = getattr(obj, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(obj, name, wrapper)
    return calls

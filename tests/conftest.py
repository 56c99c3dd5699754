"""Shared fixtures: an isolated environment, the seeds and the shared corpus."""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
"""The root of the checkout."""

CORPUS_FIXTURES = {"shared_dir", "smartable_dir", "hostile_dir", "stories_site"}
"""Fixtures that need ../shared; tests using them get the `corpus` marker."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that uses the shared corpus, so `-m "not corpus"` works."""
    for item in items:
        if CORPUS_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.corpus)


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path) -> Iterator[None]:
    """Point platformdirs at tmp_path and pin the clock's zone and the locale."""
    with pytest.MonkeyPatch.context() as mp:
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
            mp.setenv(var, str(tmp_path / "xdg" / var.split("_")[1].lower()))
        mp.setenv("TZ", "UTC")
        mp.setenv("LANG", "C.UTF-8")
        mp.setenv("LC_ALL", "C.UTF-8")
        time.tzset()
        yield
    # The old TZ is back in the environment; make the time module see it again.
    time.tzset()


@pytest.fixture
def seeds_dir(tmp_path: Path) -> Path:
    """A private copy of the repo's five seed articles."""
    return Path(shutil.copytree(REPO / "seeds", tmp_path / "seeds"))


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The shared folder beside the checkout (it may be missing)."""
    return (REPO / ".." / "shared").resolve()


def _need(path: Path) -> Path:
    """Return PATH, or skip the test when the shared corpus is not there."""
    if not path.exists():
        pytest.skip(
            f"../shared/corpus/{path.name} not present: this test needs the shared corpus "
            "(absent in a fresh clone)"
        )
    return path


@pytest.fixture(scope="session")
def smartable_dir(shared_dir: Path) -> Path:
    """The real-world article cache in the shared corpus (read only: never write to it)."""
    return _need(shared_dir / "corpus" / "smartable")


@pytest.fixture(scope="session")
def stories_site(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The labelled headlines of ../shared/corpus/stories made into a news folder by its own
    make_site.py, once per session: OUT/_news/*.md and OUT/labels.json."""
    folder = _need(shared_dir / "corpus" / "stories")
    out = tmp_path_factory.mktemp("stories-site")
    script, csv = folder / "make_site.py", folder / "uci-news-1-3000.csv"
    subprocess.run([sys.executable, str(script), str(csv), str(out)], check=True,
                   capture_output=True)
    return out


@pytest.fixture(scope="session")
def hostile_dir(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hostile corpus, generated once per session (with its 20 MB file)."""
    script = _need(shared_dir / "corpus" / "hostile") / "make_hostile.py"
    spec = importlib.util.spec_from_file_location("make_hostile", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    # dataclasses look their module up in sys.modules while the module runs.
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    out_dir = tmp_path_factory.mktemp("hostile")
    module.write(str(out_dir), skip_large=False)
    return out_dir

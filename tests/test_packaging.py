"""The wheel carries the seeds and the styles, and an installed copy finds its seeds."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from reader.paths import bundled_seeds

REPO = Path(__file__).resolve().parent.parent
SEED_NAMES = sorted(p.name for p in (REPO / "seeds").glob("*.txt"))
PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]


def _run(
    args: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Run a command, failing the test with its output when it fails."""
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the project's wheel once, offline, with the installed hatchling."""
    out = tmp_path_factory.mktemp("wheel")
    _run([*PIP, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", str(out), "."],
         cwd=REPO)
    (built,) = out.glob("newsreader-*.whl")
    return built


def test_there_are_five_seeds() -> None:
    assert len(SEED_NAMES) == 5


def test_wheel_contains_the_seeds_and_styles(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    assert "reader/__init__.py" in names
    seeds = sorted(n.removeprefix("reader/seeds/") for n in names if n.startswith("reader/seeds/"))
    assert seeds == SEED_NAMES
    styles = {p.relative_to(REPO).as_posix() for p in (REPO / "reader").rglob("*.tcss")}
    assert styles <= set(names)


def test_wheel_seeds_are_byte_identical(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        for name in SEED_NAMES:
            assert zf.read(f"reader/seeds/{name}") == (REPO / "seeds" / name).read_bytes()


def test_installed_copy_finds_its_seeds(wheel: Path, tmp_path: Path) -> None:
    target = tmp_path / "site"
    _run([*PIP, "install", "--no-deps", "--no-index", "--target", str(target), str(wheel)])
    code = (
        "import reader, reader.paths; s = reader.paths.bundled_seeds(); "
        "print(reader.__file__); print(s); print(len(list(s.glob('*.txt'))))"
    )
    env = {**os.environ, "PYTHONPATH": str(target)}
    # cwd=target keeps the checkout off sys.path.
    out = _run([sys.executable, "-c", code], cwd=target, env=env).stdout.splitlines()
    assert Path(out[0]).is_relative_to(target)
    assert Path(out[1]).is_relative_to(target)
    assert out[2] == "5"


def test_dev_checkout_finds_the_seeds() -> None:
    seeds = bundled_seeds()
    assert sorted(p.name for p in seeds.glob("*.txt")) == SEED_NAMES

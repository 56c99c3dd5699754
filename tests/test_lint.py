"""The code passes ruff and mypy, as configured in pyproject.toml."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


def _tool(module: str, *args: str) -> None:
    """Run `python -m MODULE ARGS` in the repo root and assert it passes."""
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} is not installed (pip install -e '.[test]')")
    result = subprocess.run(
        [sys.executable, "-m", module, *args], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff() -> None:
    _tool("ruff", "check", "reader", "tests")


def test_mypy() -> None:
    _tool("mypy")

"""The data layer, config and paths must load without Textual, Rich or the UI."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

HEADLESS_MODULES = [
    "reader.data.files.parse",
    "reader.data.index.index",
    "reader.data.decisions.store",
    "reader.data.query",
    "reader.data.index.story_tables",
    "reader.data.library",
    "reader.data.writeback.writer",
    "reader.triage.model",
    "reader.cli.main",
    "reader.paths",
    "reader.config",
]
"""Modules that the headless CLI (and the triage model's tests) need; reader.paths and
reader.config must exist."""


def _lint_imports() -> str:
    """Find the lint-imports script of the running environment."""
    beside = Path(sys.executable).parent / "lint-imports"
    found = str(beside) if beside.exists() else shutil.which("lint-imports")
    if found is None:
        pytest.skip("lint-imports (import-linter) is not installed")
    return found


def test_import_linter_contracts_are_kept() -> None:
    result = subprocess.run(
        [_lint_imports(), "--no-cache", "--no-logo"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _present(modules: list[str]) -> list[str]:
    """Keep the modules that exist now (the data layer is still being written)."""
    present = []
    for name in modules:
        try:
            if importlib.util.find_spec(name) is not None:
                present.append(name)
        except ModuleNotFoundError:
            continue
    return present


def test_headless_modules_do_not_load_textual_or_rich() -> None:
    modules = _present(HEADLESS_MODULES)
    assert {"reader.paths", "reader.config"} <= set(modules)
    code = (
        f"import sys, {', '.join(modules)}; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'rich')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"{modules} loaded: {result.stdout}{result.stderr}"


def test_the_app_loads_no_cli_write_back_or_yaml_before_its_first_paint() -> None:
    """What `newsreader` imports to start the app; the rest loads when first used (a command,
    the apply preview, a scan that parses files, a config file that exists). Each would add
    milliseconds to every start."""
    code = (
        "import sys, reader.__main__, reader.app; "
        "late = ('reader.cli.main', 'reader.data.writeback.writer', 'reader.data.files.parse', "
        "'reader.data.index.stories', 'reader.data.index.story_tables', "
        "'reader.data.index.story_explain', "
        "'reader.dialogs.apply', 'reader.dialogs.help', 'yaml'); "
        "bad = sorted(m for m in late if m in sys.modules); print(bad); sys.exit(1 if bad else 0)"
    )
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, f"loaded before the first paint: {result.stdout}{result.stderr}"

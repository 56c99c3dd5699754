"""The command line's arguments: unknown words, folders, ids written as paths, one-line errors."""

from __future__ import annotations

import gc
import io
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import reader.app
from reader.__main__ import main
from reader.cli.main import run
from reader.config import Settings

FIERCE = "000_603f865bca10b7c4.txt"
MEDICAL = "001_38bcfbeb79dc117a.txt"
PRESS = "003_d5ead589fc54e32c.txt"


def cli(*argv: str) -> tuple[int, str]:
    """Run one command in-process; returns (exit status, stdout)."""
    out = io.StringIO()
    code = run(list(argv), Settings(), out)
    return code, out.getvalue()


@pytest.fixture
def no_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[Path]]:
    """Stand in for the app: the roots it was asked to open (none, when the start refused).
    Puts back what `main` changes for the whole process when it starts the app."""
    interval, enabled = sys.getswitchinterval(), gc.isenabled()
    opened: list[Path] = []

    def make_app(root: Path, db: Path | None, settings: object, checks: object,
                 after_first_frame: Callable[[], None]) -> object:
        """Record the root and hand back an app that does nothing."""
        opened.append(root)

        class Quiet:
            """An app that returns at once."""

            return_code = 0

            def run(self) -> None:
                """Do nothing."""
                after_first_frame()

        return Quiet()

    monkeypatch.setattr(reader.app, "make_app", make_app)
    yield opened
    sys.setswitchinterval(interval)
    gc.unfreeze()
    if enabled:
        gc.enable()


def test_an_unknown_command_is_an_error_before_the_app_starts(
    no_app: list[Path], capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["lsit"]) == 2
    assert no_app == []
    assert capsys.readouterr().err == (
        "newsreader: error: lsit: no such command or folder (did you mean `list`?); "
        "see newsreader --help\n"
    )


def test_a_word_close_to_no_command_gets_no_guess(
    no_app: list[Path], capsys: pytest.CaptureFixture[str], tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["zzzzzz"]) == 2
    assert no_app == []
    assert capsys.readouterr().err == (
        "newsreader: error: zzzzzz: no such command or folder; see newsreader --help\n"
    )


def test_a_missing_folder_is_an_error_before_the_app_starts(
    no_app: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["/no/such/folder"]) == 2
    assert no_app == []
    assert capsys.readouterr().err == (
        "newsreader: error: /no/such/folder: no such folder; see newsreader --help\n"
    )


def test_a_file_is_not_a_folder(
    no_app: list[Path], capsys: pytest.CaptureFixture[str], seeds_dir: Path
) -> None:
    path = str(seeds_dir / FIERCE)
    assert main([path]) == 2
    assert no_app == []
    assert capsys.readouterr().err == (
        f"newsreader: error: {path}: a file, not a folder; see newsreader --help\n"
    )


def test_a_missing_configured_cache_is_an_error_before_the_app_starts(
    no_app: list[Path], capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    config = tmp_path / "xdg" / "config" / "newsreader" / "config.yaml"
    config.parent.mkdir(parents=True)
    config.write_text(f"cache: {tmp_path / 'gone'}\n")
    assert main([]) == 2
    assert no_app == []
    assert capsys.readouterr().err == (
        f"newsreader: error: {tmp_path / 'gone'}: no such folder (the config's `cache`); "
        "see newsreader --help\n"
    )


def test_an_existing_folder_still_opens_the_app(
    no_app: list[Path], seeds_dir: Path, tmp_path: Path
) -> None:
    assert main([str(seeds_dir), "--db", str(tmp_path / "d.db")]) == 0
    assert no_app == [seeds_dir]


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--bogus"], "unrecognized arguments: --bogus; see newsreader --help"),
        (["list", "--format", "xml"],
         "argument --format: invalid choice: 'xml' (choose from 'table', 'json', 'csv'); "
         "see newsreader list --help"),
        (["decide"], "the following arguments are required: [PATH] ID... {publish,skip,clear}; "
                     "see newsreader decide --help"),
        (["apply", "--dry-run", "--commit"],
         "argument --commit: not allowed with argument --dry-run; see newsreader apply --help"),
    ],
    ids=["app-option", "bad-choice", "missing-argument", "exclusive"],
)
def test_argument_errors_are_one_line(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str], no_app: list[Path]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == 2
    assert capsys.readouterr().err == f"newsreader: error: {expected}\n"
    assert no_app == []


def test_an_argument_error_is_one_line_from_the_real_command(tmp_path: Path) -> None:
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "data"),
           "XDG_CONFIG_HOME": str(tmp_path / "config")}  # fmt: skip
    done = subprocess.run([sys.executable, "-m", "reader", "list", "--sort", "size"],
                          capture_output=True, text=True, env=env, timeout=120)  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "usage:" not in done.stderr
    assert done.stderr.startswith("newsreader: error: argument --sort: invalid choice: 'size'")
    assert done.stderr.endswith("; see newsreader list --help\n")


def test_ids_written_as_paths_are_the_ids_as_stored(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = str(tmp_path / "d.db")
    code, text = cli("decide", str(seeds_dir), f"./{FIERCE}", str(seeds_dir / PRESS), "skip",
                     "--db", db)  # fmt: skip
    assert (code, text) == (0, "skipped: 2 articles, step 1\n")
    code, text = cli("show", str(seeds_dir), str(seeds_dir / FIERCE), "--db", db, "--format",
                     "json")  # fmt: skip
    assert code == 0 and json.loads(text)["id"] == FIERCE
    assert json.loads(text)["state"] == "skipped"
    monkeypatch.chdir(tmp_path)  # a path relative to the working folder, as a shell completes it
    code, text = cli("show", str(seeds_dir), f"seeds/{PRESS}", "--db", db, "--format", "json")
    assert code == 0 and json.loads(text)["state"] == "skipped"
    code, text = cli("stories", str(seeds_dir), "--db", db, "--explain", f"./{MEDICAL}")
    assert code == 0 and text.startswith(f"{MEDICAL}: in story [{FIERCE}]")
    _, exported = cli("export", str(seeds_dir), "--db", db)
    assert [e["id"] for e in json.loads(exported)] == [FIERCE, PRESS]


def test_ids_in_a_folder_given_by_a_relative_path(
    seeds_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, text = cli("decide", "seeds", f"./seeds/{MEDICAL}", "skip", "--db", str(tmp_path / "d"))
    assert (code, text) == (0, "skipped: 1 article, step 1\n")


@pytest.mark.parametrize("where", ["absolute", "dotdot"])
def test_a_path_outside_the_folder_is_a_one_line_error(
    where: str, seeds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outside = tmp_path / "other.md"
    outside.write_text("---\ntitle: elsewhere\n---\n")
    given = str(outside) if where == "absolute" else "../other.md"
    code, text = cli("decide", str(seeds_dir), given, "publish", "--db", str(tmp_path / "d.db"))
    assert (code, text) == (2, "")
    assert capsys.readouterr().err == (
        f"newsreader: error: {given}: not in the article folder {seeds_dir}\n"
    )

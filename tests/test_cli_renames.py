"""The command line when a decided file is renamed or gone: the decision follows a rename
(said on stderr), `check` lists a decision whose file is gone and exits 1, and `decide ...
clear` forgets it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.test_cli import FIERCE, cli


def test_a_rename_keeps_the_decision_and_says_so(
    seeds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "d.db")
    assert cli("decide", str(seeds_dir), FIERCE, "skip", "--reason", "paywall", "--db", db)[0] == 0
    (seeds_dir / FIERCE).rename(seeds_dir / "renamed.txt")
    capsys.readouterr()
    code, text = cli("show", str(seeds_dir), "renamed.txt", "--db", db)
    assert code == 0 and "skipped" in text and "paywall" in text
    assert capsys.readouterr().err == (
        f"newsreader: your decision followed its file to its new name: {FIERCE} -> "
        "renamed.txt (newsreader undo takes it back)\n")
    assert cli("check", str(seeds_dir), "--db", db)[1].count("gone") == 0


def test_check_lists_a_decision_whose_file_is_gone_and_clear_forgets_it(
    seeds_dir: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "d.db")
    cli("decide", str(seeds_dir), FIERCE, "skip", "--db", db)
    (seeds_dir / FIERCE).unlink()
    code, text = cli("check", str(seeds_dir), "--db", db)
    line = (f"{FIERCE}: decision: skipped, but the file is gone (newsreader decide ID clear "
            "forgets it)\n")
    assert code == 1 and line in text
    assert cli("decide", str(seeds_dir), FIERCE, "clear", "--db", db)[0] == 0
    assert line not in cli("check", str(seeds_dir), "--db", db)[1]


def test_apply_says_a_decision_whose_file_is_gone_was_not_written_and_exits_1(
    seeds_dir: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "d.db")
    cli("decide", str(seeds_dir), FIERCE, "skip", "--db", db)
    (seeds_dir / FIERCE).unlink()
    line = (f"not written: {FIERCE}: skip: decided, but the file is gone (newsreader decide "
            "ID clear forgets it)\n")
    for extra in (("--dry-run",), ()):
        code, text = cli("apply", str(seeds_dir), "--db", db, *extra)
        assert code == 1 and line in text
    cli("decide", str(seeds_dir), FIERCE, "clear", "--db", db)
    code, text = cli("apply", str(seeds_dir), "--db", db)
    assert code == 0 and line not in text

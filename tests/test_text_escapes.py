"""The CLI's text and CSV outputs never print a bidi mark (U+200E, U+200F, U+061C) raw: in
a file name it is shown as `\\uXXXX`, from a title or a provider it is gone, as the bidi
embeddings, overrides and isolates are (see tests/test_json_escapes.py for JSON)."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from reader.cli.main import run
from reader.config import Settings

MARKS = "\u200e\u200f\u061c"
"""Left-to-right mark, right-to-left mark, Arabic letter mark."""
EVIL = f"evil{MARKS}.md"
"""A file name with every bidi mark in it."""
SHOWN = "evil\\u200e\\u200f\\u061c.md"
"""How the text outputs name it."""
RAW = re.compile("[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""What must never reach a terminal raw."""


def cli(*argv: str, status: int = 0) -> str:
    """Run one command in-process and return its stdout; it must exit with `status`."""
    out = io.StringIO()
    assert run(list(argv), Settings(), out) == status
    return out.getvalue()


@pytest.fixture
def evil_root(tmp_path: Path) -> Path:
    """A folder with one article whose name, title, provider and a bad field hold bidi
    marks, raw in the file (not as YAML escapes), so a diff of it shows them too."""
    root = tmp_path / "news"
    root.mkdir()
    (root / EVIL).write_text(
        f"---\ntitle: Title {MARKS} here\nprovider:\n  name: Wire\u200e\n"
        f"publishedDateTime: 2024-01-02T03:04:05Z\nquality: x{MARKS}\n---\nBody.\n",
        encoding="utf-8",
    )
    return root


def _commands(root: Path, db: Path) -> list[tuple[list[str], int]]:
    """Every command that prints text or CSV about the article, with its exit status."""
    common = [str(root), "--db", str(db)]
    return [
        (["list", *common], 0),
        (["list", *common, "--format", "csv"], 0),
        (["show", str(root), EVIL, "--db", str(db)], 0),
        (["check", *common], 1),
        (["stories", *common, "--all"], 0),
        (["stories", *common, "--explain", EVIL], 0),
        (["stats", *common], 0),
        (["apply", *common, "--dry-run"], 0),
    ]


def test_every_text_and_csv_output_escapes_or_drops_bidi_marks(
    evil_root: Path, tmp_path: Path
) -> None:
    db = tmp_path / "d.db"
    decided = cli("decide", str(evil_root), EVIL, "skip", "--reason", "paywall", "--db", str(db))
    assert RAW.search(decided) is None
    for argv, status in _commands(evil_root, db):
        text = cli(*argv, status=status)
        assert RAW.search(text) is None, (argv, RAW.findall(text))
        assert SHOWN in text or argv[0] == "stats", argv  # stats names no file
    applied = cli("apply", str(evil_root), "--db", str(db))
    assert RAW.search(applied) is None and SHOWN in applied


def test_a_title_and_a_provider_lose_their_marks(evil_root: Path, tmp_path: Path) -> None:
    listed = cli("list", str(evil_root), "--db", str(tmp_path / "d.db"))
    assert f"Wire{' ' * 20}  Title here  [{SHOWN}]" in listed


def test_stats_prints_a_skip_reason_without_its_controls(evil_root: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    cli("decide", str(evil_root), EVIL, "skip", "--reason", f"dup{MARKS}\u202e\x1b[31m", "--db", db)
    text = cli("stats", str(evil_root), "--db", db)
    assert RAW.search(text) is None and "\x1b" not in text
    assert "  dup  " in text


def test_a_reason_given_to_decide_is_kept_as_one_plain_line(
    evil_root: Path, tmp_path: Path
) -> None:
    db = str(tmp_path / "d.db")
    cli("decide", str(evil_root), EVIL, "skip", "--reason",
        "pay\x1b[31mwall\u200e\nsecond line", "--db", db)  # fmt: skip
    shown = cli("show", str(evil_root), EVIL, "--db", db)
    listed = cli("list", str(evil_root), "--format", "csv", "--db", db)
    exported = cli("export", str(evil_root), "--format", "csv", "--db", db)
    for text in (shown, listed, exported):
        assert "\x1b" not in text and RAW.search(text) is None
        assert "paywall second line" in text

"""Every JSON the CLI prints carries C1 and bidi controls as `\\uXXXX` escapes, never raw."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest

from reader.cli.main import run
from reader.cli.report import write_json
from reader.config import Settings
from reader.data.article import Decision
from reader.data.decisions.store import TriageStore

EVIL = "evil\u009d\u202e\u200f\u061c\u2067.md"
"""A file name with a C1 control (OSC) and bidi controls in it."""
REASON = "dup\u0085\u200e\u202a"
"""A skip reason with a C1 control (NEL) and bidi controls in it."""
RAW = re.compile("[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""What must never reach a terminal raw."""


def cli(*argv: str) -> str:
    """Run one command in-process and return its stdout; it must succeed."""
    out = io.StringIO()
    assert run(list(argv), Settings(), out) == 0
    return out.getvalue()


@pytest.fixture
def evil_root(tmp_path: Path) -> Path:
    """A folder with one article whose name, title and provider hold C1 and bidi controls."""
    root = tmp_path / "news"
    root.mkdir()
    (root / EVIL).write_text(
        "---\ntitle: \"Title \\u200f\\u061c here\"\nprovider:\n  name: \"Wire \\u200e\"\n"
        "publishedDateTime: 2024-01-02T03:04:05Z\n---\nBody.\n",
        encoding="utf-8",
    )
    return root


def _commands(root: Path, db: Path) -> list[list[str]]:
    """Every command that prints JSON, on ROOT with the database DB."""
    common = [str(root), "--db", str(db), "--format", "json"]
    return [
        ["list", *common],
        ["show", str(root), EVIL, "--db", str(db), "--format", "json"],
        ["export", *common],
        ["stories", *common, "--all"],
        ["stories", *common, "--explain", EVIL],
        ["stats", *common],
    ]


def _decide_raw(db: Path) -> None:
    """Skip EVIL with REASON as it is: `decide` now cleans a reason on the way in, but a
    store an older newsreader wrote (or a script through the data layer) may hold one."""
    store = TriageStore(db)
    try:
        store.decide([EVIL], Decision.SKIPPED, REASON)
    finally:
        store.close()


def test_every_json_output_escapes_c1_and_bidi_controls(evil_root: Path, tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    _decide_raw(db)
    for argv in _commands(evil_root, db):
        text = cli(*argv)
        assert RAW.search(text) is None, (argv[0], RAW.findall(text))
        assert "\\u009d" in text or "\\u0085" in text, argv[0]
        json.loads(text)  # still valid JSON


def test_the_escaped_json_reads_back_as_the_same_strings(evil_root: Path, tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    _decide_raw(db)
    [listed] = json.loads(cli("list", str(evil_root), "--db", str(db), "--format", "json"))
    assert (listed["id"], listed["reason"]) == (EVIL, REASON)
    shown = json.loads(cli("show", str(evil_root), EVIL, "--db", str(db), "--format", "json"))
    assert (shown["id"], shown["title"]) == (EVIL, listed["title"])
    [entry] = json.loads(cli("export", str(evil_root), "--db", str(db), "--format", "json"))
    assert (entry["id"], entry["reason"]) == (EVIL, REASON)


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        ("plain café ☕", '"plain café ☕"'),
        ("\u009b31m", '"\\u009b31m"'),
        ("a\\\u202eb", '"a\\\\\\u202eb"'),  # a backslash before the control stays one
        ("\udcff", '"\\udcff"'),  # a byte of a file name that was not UTF-8
        ("\x1b\x7f", '"\\u001b\\u007f"'),
        ({"\u2066key": ["\u0085"]}, '{\n  "\\u2066key": [\n    "\\u0085"\n  ]\n}'),
    ],
)
def test_write_json(value: object, printed: str) -> None:
    out = io.StringIO()
    write_json(value, out)
    assert out.getvalue() == printed + "\n"
    assert json.loads(out.getvalue()) == value

"""reader.data.writeback.planner: which decisions are planned as edits, and their diffs."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.data.article import Article, Decision
from reader.data.files.parse import parse_bytes
from reader.data.library import Library
from reader.data.writeback import planner as writeback_plan
from reader.data.writeback import writer as writeback
from tests.data.writeback import test_writer as test_writeback
from tests.data.writeback.test_writer import PUB, SKIP, UND, article, snapshot

root = test_writeback.root
"""test_writeback's folder fixture, shared rather than copied."""
lib = test_writeback.lib
"""test_writeback's indexed library fixture."""


@pytest.mark.parametrize("name", ["CONTEXT", "Edit", "Plan", "Skipped", "diff", "in_sync", "plan"])
def test_the_names_are_still_importable_from_writeback(name: str) -> None:
    assert getattr(writeback, name) is getattr(writeback_plan, name)


# -- what the file says ------------------------------------------------------------------

IN_SYNC = [
    pytest.param(None, PUB, True, id="no-key-is-live"),
    pytest.param(None, SKIP, False, id="no-key-skipped"),
    pytest.param(None, UND, True, id="no-key-cleared-is-nothing-to-write"),
    pytest.param("true", UND, True, id="true-cleared-is-nothing-to-write"),
    pytest.param("true", PUB, True, id="true-published"),
    pytest.param("false", PUB, False, id="false-published"),
    pytest.param("false", SKIP, True, id="false-skipped"),
    pytest.param("false", UND, True, id="false-cleared"),
    pytest.param('"false"', SKIP, False, id="string-false-is-rewritten"),
    pytest.param("", SKIP, False, id="empty-is-rewritten"),
    pytest.param("", PUB, False, id="empty-is-rewritten-even-when-published"),
]


@pytest.mark.parametrize(("raw", "decision", "want"), IN_SYNC)
def test_in_sync_as_jekyll_reads_the_file(raw: str | None, decision: Decision, want: bool) -> None:
    parsed = parse_bytes(article(raw), "x.md")
    assert isinstance(parsed, Article)
    assert writeback_plan.in_sync(parsed, decision) is want


# -- what gets planned -------------------------------------------------------------------


def test_only_editor_decisions_that_differ_are_planned(lib: Library) -> None:
    assert writeback.plan(lib).edits == []  # nobody decided: nothing to write
    lib.store.decide(["live.md", "nokey.md"], PUB)  # already live: in sync
    lib.store.decide(["draft.md"], SKIP)  # already false: in sync
    lib.store.decide(["crlf.md"], PUB)
    lib.store.decide(["sub/deep.md"], UND)  # cleared: nothing to write (see test_clear.py)
    found = writeback.plan(lib)
    assert [(e.id, e.value) for e in found.edits] == [("crlf.md", True)]
    assert found.skipped == []


PRESS_WHY = "a plain-text press release has no published: line to write"


@pytest.mark.parametrize("decision", [PUB, SKIP], ids=["publish", "skip"])
def test_a_press_release_is_reported_with_why_and_its_decision_kept(
    lib: Library, decision: Decision
) -> None:
    lib.store.decide(["release.txt"], decision, "off topic")
    found = writeback.plan(lib)
    assert found.edits == []
    assert [(s.id, s.decision, s.code, s.why) for s in found.skipped] == [
        ("release.txt", decision, "press", PRESS_WHY)
    ]
    before = snapshot(lib.root)
    result = writeback.apply(lib, writeback.plan(lib).edits)
    assert result.written == [] and result.batch is None
    assert snapshot(lib.root) == before
    assert lib.store.decision("release.txt") is decision


def test_a_file_that_is_not_an_article_is_never_planned(lib: Library) -> None:
    (lib.root / "README.md").write_bytes(b"# Notes\n\nThis folder holds the articles.\n")
    lib.refresh()
    assert lib.article("README.md") is None
    lib.store.decide(["README.md"], SKIP)  # a decision a store kept from before
    before = snapshot(lib.root)
    found = writeback.plan(lib)
    assert found.edits == []
    assert [(s.id, s.code) for s in found.skipped] == [("README.md", "unreadable")]
    writeback.apply(lib, found.edits)
    assert snapshot(lib.root) == before


def test_diff_is_a_unified_diff(lib: Library) -> None:
    lib.store.decide(["nokey.md"], SKIP)
    lib.store.decide(["crlf.md"], PUB)
    edits = {e.id: e for e in writeback.plan(lib).edits}
    assert writeback.diff(edits["nokey.md"]) == (
        "--- a/nokey.md\n+++ b/nokey.md\n@@ -4,6 +4,7 @@\n quality: 3\n topics:\n   - AI\n"
        "+published: false\n ---\n \n The body.\n"
    )
    crlf = writeback.diff(edits["crlf.md"])
    assert "+++ b/crlf.md  (CRLF)" in crlf
    assert "\n-published: false\n+published: true\n" in crlf and "\r" not in crlf
    assert edits["crlf.md"].summary == "published: false -> true"
    assert edits["nokey.md"].summary == "added published: false"


def test_diff_escapes_controls(tmp_path: Path) -> None:
    root = tmp_path / "c"
    root.mkdir()
    (root / "x.md").write_bytes(article(None).replace(b"The body.", b"\x1b[31mred\x1b[0m\x07"))
    library = Library(root, tmp_path / "d.db")
    try:
        library.refresh()
        library.store.decide(["x.md"], SKIP)
        (edit,) = writeback.plan(library).edits
        text = writeback.diff(edit)
        assert "\x1b" not in text and "\\x1b[31mred" in text
    finally:
        library.close()

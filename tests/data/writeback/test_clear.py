"""reader.data.writeback: clearing a decision (`x`, `decide ... clear`) never edits a file.

Undecided is no value to write: `apply` leaves the file's `published:` line as it is,
and a line an earlier apply wrote comes back only by undoing that apply.
"""

from __future__ import annotations

from reader.data.library import Library
from reader.data.writeback import writer as writeback
from tests.data.writeback import test_writer as test_writeback
from tests.data.writeback.test_writer import FILES, PUB, SKIP, UND, snapshot

root = test_writeback.root
"""test_writeback's folder fixture, shared rather than copied."""
lib = test_writeback.lib
"""test_writeback's indexed library fixture."""


def test_clearing_a_live_article_plans_no_edit_and_apply_writes_nothing(lib: Library) -> None:
    before = snapshot(lib.root)
    assert lib.decision("live.md") is PUB  # its file says `published: true`
    lib.decide(["live.md", "sub/deep.md", "nokey.md", "draft.md"], UND)
    found = writeback.plan(lib)
    assert found.edits == [] and found.skipped == []
    # Noted, not written: their files still read as live (draft.md says false: not noted).
    assert found.undecided == ["live.md", "nokey.md", "sub/deep.md"]
    result = writeback.apply(lib, found.edits)
    assert result.written == [] and result.skipped == [] and result.batch is None
    assert snapshot(lib.root) == before
    assert lib.decision("live.md") is UND


def test_clearing_a_press_release_is_nothing_to_report(lib: Library) -> None:
    lib.decide(["release.txt"], UND)
    found = writeback.plan(lib)
    assert found.edits == [] and found.skipped == []  # no "cannot be written" for it
    assert found.undecided == []  # nor a note: a press release is never live by a line


def test_clearing_after_an_apply_writes_nothing_and_undo_of_the_apply_restores(
    lib: Library,
) -> None:
    original = snapshot(lib.root)
    lib.decide(["live.md"], SKIP)
    lib.decide(["draft.md"], PUB)
    first = writeback.apply(lib, writeback.plan(lib).edits)
    assert sorted(e.id for e in first.written) == ["draft.md", "live.md"]
    applied = snapshot(lib.root)
    lib.decide(["live.md", "draft.md"], UND)
    found = writeback.plan(lib)
    assert found.edits == [] and found.skipped == []
    assert found.undecided == ["draft.md"]  # it says `published: true` since the apply
    result = writeback.apply(lib, found.edits)
    assert result.written == [] and result.batch is None
    assert snapshot(lib.root) == applied
    # The undo stack: the clear on top, then the apply; undoing both restores the bytes.
    change = lib.undo()
    assert change is not None and change.kind == "decide"
    assert (lib.decision("live.md"), lib.decision("draft.md")) == (SKIP, PUB)
    assert snapshot(lib.root) == applied
    change = lib.undo()
    assert change is not None and change.kind == "apply" and change.refused == ()
    assert sorted(change.ids) == ["draft.md", "live.md"]
    assert snapshot(lib.root) == original
    assert writeback.plan(lib).edits != []  # the decisions stay, unwritten again


def test_a_cleared_live_article_stays_undecided_while_its_file_stays_live(
    lib: Library,
) -> None:
    """The store keeps the editor's clear over what the file says, on every rescan, even
    after the file changes; the file keeps its line. Undoing the clear lets the article
    follow its file again."""
    lib.decide(["live.md"], UND)
    lib.refresh()
    assert lib.decision("live.md") is UND
    path = lib.root / "live.md"
    path.write_bytes(path.read_bytes() + b"A line added by hand.\n")
    assert lib.refresh().changed == ["live.md"]
    assert lib.decision("live.md") is UND
    assert lib.article("live.md").file_published is True  # type: ignore[union-attr]
    assert writeback.plan(lib).edits == []
    assert path.read_bytes() == FILES["live.md"] + b"A line added by hand.\n"
    change = lib.undo()
    assert change is not None and change.kind == "decide"
    assert lib.decision("live.md") is PUB
    assert writeback.plan(lib).edits == []

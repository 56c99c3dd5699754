"""reader.data.files.safefile: a hard link made after a file was read (between the plan and
the write, or while it is written) is refused at the rename, never split by it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reader.data.article import Decision
from reader.data.files.safefile import Folder, Unsafe, Writer
from reader.data.library import Library
from reader.data.writeback import writer as writeback
from tests.data.writeback import test_writer as test_writeback
from tests.data.writeback.test_writer import FILES, snapshot, temps

root = test_writeback.root
"""test_writeback's folder fixture (live.md, draft.md, sub/deep.md, ...)."""
lib = test_writeback.lib
"""test_writeback's Library on that folder, scanned."""

NEW = b"---\ntitle: replaced\n---\n"
WHY = "hard link (2 names): not rewritten"
"""What the planner (Folder.read) says of a file with a second name; the write says it too."""


def second_name(root: Path, article_id: str) -> Path:
    """Give the article's file a second name outside the folder; that name."""
    other = root.parent / "second-name.md"
    os.link(root / article_id, other)
    return other


def link_while_filling(monkeypatch: pytest.MonkeyPatch, root: Path, article_id: str) -> Path:
    """Make the second name while the new bytes are being written (after the read and its
    checks, just before the rename); the name it will have."""
    real = Folder._fill
    inode = (root / article_id).stat().st_ino

    def fill(fd: int, data: bytes, was: os.stat_result) -> None:
        real(fd, data, was)
        if was.st_ino == inode:  # the other files of an apply are written as they come
            second_name(root, article_id)

    monkeypatch.setattr(Folder, "_fill", staticmethod(fill))
    return root.parent / "second-name.md"


@pytest.mark.parametrize("article_id", ["draft.md", "sub/deep.md"])
def test_a_link_made_after_the_read_is_refused_by_replace(root: Path, article_id: str) -> None:
    before = snapshot(root)
    with Folder(root) as folder:
        _, st = folder.read(article_id)
        other = second_name(root, article_id)
        with pytest.raises(Unsafe) as refused:
            folder.replace(article_id, NEW, st)
    assert (refused.value.code, refused.value.why) == ("hardlink", WHY)
    assert snapshot(root) == before
    assert (root / article_id).stat().st_ino == other.stat().st_ino  # still one file
    assert temps(root) == []


def test_a_link_made_during_the_write_is_refused(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Folder(root) as folder:
        _, st = folder.read("draft.md")
        other = link_while_filling(monkeypatch, root, "draft.md")
        with pytest.raises(Unsafe) as refused:
            folder.replace("draft.md", NEW, st)
    assert (refused.value.code, refused.value.why) == ("hardlink", WHY)
    assert (root / "draft.md").read_bytes() == other.read_bytes() == FILES["draft.md"]
    assert os.stat(root / "draft.md").st_nlink == 2
    assert temps(root) == []


def test_the_writer_reports_the_refusal_and_writes_the_rest(root: Path) -> None:
    told: dict[str, BaseException | None] = {}
    with Folder(root) as folder:
        read = {i: folder.read(i)[1] for i in ("draft.md", "live.md")}
        second_name(root, "draft.md")
        with Writer(folder) as writer:
            for article_id, st in read.items():
                writer.put(article_id, NEW, st, lambda e, i=article_id: told.__setitem__(i, e))
    assert told["live.md"] is None
    refused = told["draft.md"]
    assert isinstance(refused, Unsafe) and refused.code == "hardlink"
    assert (root / "live.md").read_bytes() == NEW
    assert (root / "draft.md").read_bytes() == FILES["draft.md"]


def test_apply_skips_a_file_linked_during_the_apply(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib.store.decide(["draft.md", "live.md"], Decision.PUBLISHED)
    lib.store.decide(["nokey.md"], Decision.SKIPPED)
    edits = writeback.plan(lib).edits
    assert sorted(e.id for e in edits) == ["draft.md", "nokey.md"]
    other = link_while_filling(monkeypatch, lib.root, "draft.md")
    result = writeback.apply(lib, edits)
    assert [(s.id, s.code, s.why) for s in result.skipped] == [("draft.md", "hardlink", WHY)]
    assert [e.id for e in result.written] == ["nokey.md"]
    assert not result.ok
    assert (lib.root / "draft.md").read_bytes() == other.read_bytes() == FILES["draft.md"]
    assert (lib.root / "draft.md").stat().st_ino == other.stat().st_ino  # not split
    assert b"published: false" in (lib.root / "nokey.md").read_bytes()

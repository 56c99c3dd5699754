"""reader.data.writeback.undo:
An apply step undone or redone in the files, and a killed run settled."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from reader.data.files.safefile import Folder, temp_name
from reader.data.library import Library
from reader.data.writeback import writer as writeback
from reader.data.writeback.undo import revert, settle
from tests.data.writeback import test_writer as test_writeback
from tests.data.writeback.test_writer import PUB, SKIP, snapshot, temps

root = test_writeback.root
"""test_writeback's folder fixture, shared rather than copied."""
lib = test_writeback.lib
"""test_writeback's indexed library fixture."""


def around(lib: Library) -> dict[str, bytes]:
    """The cache and any file beside it, but the decisions database."""
    return {k: v for k, v in snapshot(lib.root.parent).items() if not k.startswith("db/")}


def applied(lib: Library, ids: list[str], decision: object = PUB) -> int:
    """Decide ids, write them, and return the apply step's batch."""
    lib.store.decide(ids, decision)  # type: ignore[arg-type]
    result = writeback.apply(lib, writeback.plan(lib).edits)
    assert result.ok and result.batch is not None
    return result.batch


# -- byte for byte -----------------------------------------------------------------------

ODD_FILES = [
    pytest.param(b"\xef\xbb\xbf---\ntitle: BOM\npublished: false\n---\nBody\n", id="utf8-bom"),
    pytest.param(b"---\r\ntitle: x\r\npublished: false\r\n---\r\n", id="crlf"),
    pytest.param(b"---\ntitle: x\npublished:   false   # by hand\n---\n", id="spaces-and-comment"),
    pytest.param(b'---\ntitle: x\n"published": false\n---\n', id="quoted-key"),
    pytest.param(b"---\ntitle: caf\xe9\npublished: false\n---\n", id="cp1252-byte"),
    pytest.param(b"---\ntitle: x\npublished:\n---\n", id="empty-value"),
    pytest.param(b"---\ntitle: x\npublished: false\n---", id="no-final-newline"),
    pytest.param(b"---\r\ntitle: x\r\n---\r\nBody", id="line-added-crlf"),
    pytest.param(b"---\npublished: true\ntitle: x\npublished: false\n---\n", id="duplicate-key"),
    pytest.param(b"---\ntitle: x\r\npublished: false\n---\n", id="mixed-line-endings"),
]


@pytest.mark.parametrize("old", ODD_FILES)
def test_undo_gives_back_the_old_bytes_and_redo_the_new_ones(lib: Library, old: bytes) -> None:
    path = lib.root / "odd.md"
    path.write_bytes(old)
    lib.refresh()
    batch = applied(lib, ["odd.md"], PUB if b"published" in old else SKIP)
    new = path.read_bytes()
    assert new != old
    change = revert(lib, batch, undo=True)
    assert change is not None and change.ids == ("odd.md",) and change.refused == ()
    assert path.read_bytes() == old
    change = revert(lib, batch, undo=False)
    assert change is not None and change.ids == ("odd.md",) and change.refused == ()
    assert path.read_bytes() == new
    assert temps(lib.root) == []


# -- a file that changed since -----------------------------------------------------------


def _append(path: Path) -> None:
    path.write_bytes(path.read_bytes() + b"A line added by hand.\n")


def _retitle(path: Path) -> None:
    path.write_bytes(path.read_bytes().replace(b"A title", b"A title edited by hand"))


def _to_link(path: Path) -> None:
    outside = path.parent.parent / "outside.md"
    outside.write_bytes(path.read_bytes())  # the applied bytes, at another place
    path.unlink()
    path.symlink_to(outside)


def _hard_link(path: Path) -> None:
    os.link(path, path.parent.parent / "second-name.md")


def _delete(path: Path) -> None:
    path.unlink()


CHANGED = [
    pytest.param(_append, "changed on disk", id="appended"),
    pytest.param(_retitle, "changed on disk", id="retitled"),
    pytest.param(_to_link, "symbolic link", id="made-a-link"),
    pytest.param(_hard_link, "hard link", id="given-a-second-name"),
    pytest.param(_delete, "gone", id="deleted"),
]


@pytest.mark.parametrize(("change", "why"), CHANGED)
def test_undo_leaves_a_changed_file_and_restores_the_others(
    lib: Library, change: Callable[[Path], None], why: str
) -> None:
    original = snapshot(lib.root)
    batch = applied(lib, ["draft.md", "crlf.md"])
    change(lib.root / "draft.md")
    outside = around(lib)
    after = snapshot(lib.root)
    result = revert(lib, batch, undo=True)
    assert result is not None and result.ids == ("crlf.md",)
    assert [(p.path, p.field) for p in result.refused] == [("draft.md", "file")]
    assert why in result.refused[0].why
    assert snapshot(lib.root) == {**after, "crlf.md": original["crlf.md"]}
    assert around(lib) == {**outside, "cache/crlf.md": original["crlf.md"]}


@pytest.mark.parametrize(("change", "why"), CHANGED[:2])
def test_redo_leaves_a_file_changed_since_the_undo(
    lib: Library, change: Callable[[Path], None], why: str
) -> None:
    batch = applied(lib, ["draft.md", "crlf.md"])
    revert(lib, batch, undo=True)
    change(lib.root / "draft.md")
    edited = (lib.root / "draft.md").read_bytes()
    result = revert(lib, batch, undo=False)
    assert result is not None and result.ids == ("crlf.md",)
    assert [p.path for p in result.refused] == ["draft.md"] and why in result.refused[0].why
    assert (lib.root / "draft.md").read_bytes() == edited


def test_a_file_already_put_back_by_hand_counts_as_done(lib: Library) -> None:
    original = snapshot(lib.root)
    batch = applied(lib, ["draft.md"])
    (lib.root / "draft.md").write_bytes(original["draft.md"])  # the editor undid it himself
    change = revert(lib, batch, undo=True)
    assert change is not None and change.ids == ("draft.md",) and change.refused == ()
    assert snapshot(lib.root) == original


def test_a_journal_whose_line_does_not_give_the_old_bytes_is_refused(lib: Library) -> None:
    batch = applied(lib, ["draft.md"])
    new = (lib.root / "draft.md").read_bytes()
    # A damaged journal: the line it would put back is not the one that was there.
    lib.store.conn.execute(
        "UPDATE file_writes SET old_line = ? WHERE batch = ?", (b"published: maybe\n", batch)
    )
    change = revert(lib, batch, undo=True)
    assert change is not None and change.ids == ()
    assert [p.path for p in change.refused] == ["draft.md"]
    assert "would not be the old ones" in change.refused[0].why
    assert (lib.root / "draft.md").read_bytes() == new


def test_a_stale_temporary_does_not_stop_an_undo(lib: Library) -> None:
    original = snapshot(lib.root)
    batch = applied(lib, ["draft.md"])
    (lib.root / temp_name("draft.md")).write_bytes(b"left by a killed write")
    change = revert(lib, batch, undo=True)
    assert change is not None and change.ids == ("draft.md",)
    assert snapshot(lib.root) == original


# -- settling a killed run ---------------------------------------------------------------


def _new_bytes(path: Path, new: bytes) -> None:
    path.write_bytes(new)


def _untouched(path: Path, new: bytes) -> None:
    pass


def _other_bytes(path: Path, new: bytes) -> None:
    path.write_bytes(new + b"more\n")


def _gone(path: Path, new: bytes) -> None:
    path.unlink()


def _link_to_new(path: Path, new: bytes) -> None:
    target = path.parent.parent / "outside.md"
    target.write_bytes(new)
    path.unlink()
    path.symlink_to(target)


def _a_folder(path: Path, new: bytes) -> None:
    path.unlink()
    path.mkdir()


SETTLED = [
    pytest.param(_new_bytes, "written", id="holds-the-new-bytes"),
    pytest.param(_untouched, "failed", id="untouched"),
    pytest.param(_other_bytes, "failed", id="other-bytes"),
    pytest.param(_gone, "failed", id="deleted"),
    pytest.param(_link_to_new, "failed", id="a-link-to-the-new-bytes"),
    pytest.param(_a_folder, "failed", id="a-folder"),
]


@pytest.mark.parametrize(("state", "status"), SETTLED)
def test_settle_reads_what_became_of_a_pending_write_from_the_file(
    lib: Library, state: Callable[[Path, bytes], None], status: str
) -> None:
    lib.store.decide(["draft.md"], PUB)
    (edit,) = writeback.plan(lib).edits
    batch, _ = lib.store.begin_apply([edit.file_write()])
    path = lib.root / "draft.md"
    state(path, edit.line.apply(path.read_bytes()))
    before = around(lib)
    with Folder(lib.root) as folder, folder.locked():
        settle(lib, folder)
    assert [w.status for w in lib.store.file_writes(batch)] == [status]
    assert lib.store.file_writes() == []  # nothing is pending any more
    assert around(lib) == before  # settling only reads


def test_settle_with_nothing_pending_changes_nothing(lib: Library) -> None:
    batch = applied(lib, ["draft.md"])
    statuses = [w.status for w in lib.store.file_writes(batch)]
    (lib.root / "draft.md").unlink()  # would be `failed`, were it still pending
    with Folder(lib.root) as folder, folder.locked():
        settle(lib, folder)
    assert [w.status for w in lib.store.file_writes(batch)] == statuses == ["written"]

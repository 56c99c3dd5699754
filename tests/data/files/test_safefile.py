"""reader.data.files.safefile:
Reads that follow no link, atomic replaces, temporaries and the lock."""

from __future__ import annotations

import errno
import os
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from reader.data.files import safefile
from reader.data.files.safefile import (
    TEMP_SUFFIX,
    Folder,
    FolderBusy,
    Unsafe,
    Writer,
    clean_stale_temps,
    digest,
    temp_name,
)
from tests.data.writeback import test_writer as test_writeback
from tests.data.writeback.test_writer import FILES, snapshot, temps

root = test_writeback.root
"""test_writeback's folder fixture (live.md, sub/deep.md, ...), shared rather than copied."""

NEW = b"---\ntitle: replaced\n---\n"


def leftovers(folder: Path) -> list[str]:
    """Every name below folder that looks like one of our temporaries (links too)."""
    return sorted(p.name for p in folder.rglob(f"*{TEMP_SUFFIX}"))


# -- names -------------------------------------------------------------------------------

NAMES = [
    pytest.param("a.md", ".a.md" + TEMP_SUFFIX, id="short"),
    pytest.param("x" * 239, "." + "x" * 239 + TEMP_SUFFIX, id="longest-kept-as-is"),
    pytest.param(".hidden.md", "..hidden.md" + TEMP_SUFFIX, id="already-hidden"),
    pytest.param("with space.md", ".with space.md" + TEMP_SUFFIX, id="space"),
]


@pytest.mark.parametrize(("name", "want"), NAMES)
def test_temp_name_is_hidden_beside_the_name(name: str, want: str) -> None:
    assert temp_name(name) == want


LONG = [
    pytest.param("x" * 240, id="one-byte-too-long"),
    pytest.param("x" * 255, id="longest-file-name"),
    pytest.param("é" * 120, id="multibyte-240-bytes"),
    pytest.param("\udcff" * 240, id="undecodable-bytes"),
]


@pytest.mark.parametrize("name", LONG)
def test_a_long_name_gets_a_hashed_temporary_that_is_still_ours(name: str, tmp_path: Path) -> None:
    temp = temp_name(name)
    assert len(os.fsencode(temp)) <= 255
    assert temp.startswith(".") and temp.endswith(TEMP_SUFFIX)
    assert temp == temp_name(name)  # the same every time: a killed write's is found again
    assert temp != temp_name(name[:-1] + "y")
    (tmp_path / temp).write_bytes(b"half")  # the file system takes it, and the cleaner finds it
    assert clean_stale_temps(tmp_path) == [temp]


def test_digest_is_128_bits_of_hex_and_tells_bytes_apart() -> None:
    seen = {digest(data) for data in (b"", b"\x00", b"\x00\x00", b"a", b"A", NEW, NEW + b"\n")}
    assert len(seen) == 7
    assert all(len(d) == 32 and int(d, 16) >= 0 for d in seen)


# -- reading -----------------------------------------------------------------------------


def _link_to_outside(root: Path) -> str:
    outside = root.parent / "outside.md"
    outside.write_bytes(b"not ours")
    (root / "link.md").symlink_to(outside)
    return "link.md"


def _dangling_link(root: Path) -> str:
    (root / "dangling.md").symlink_to(root / "nowhere.md")
    return "dangling.md"


def _linked_folder(root: Path) -> str:
    elsewhere = root.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.md").write_bytes(b"not ours")
    (root / "linked").symlink_to(elsewhere, target_is_directory=True)
    return "linked/x.md"


def _hard_link(root: Path) -> str:
    os.link(root / "draft.md", root.parent / "second-name.md")
    return "draft.md"


def _folder(root: Path) -> str:
    (root / "folder.md").mkdir()
    return "folder.md"


def _fifo(root: Path) -> str:
    os.mkfifo(root / "pipe.md")  # opened without blocking, then refused
    return "pipe.md"


def _missing(root: Path) -> str:
    return "gone.md"


def _file_as_folder(root: Path) -> str:
    return "draft.md/x.md"  # draft.md is a file


def _missing_folder(root: Path) -> str:
    return "nofolder/x.md"


UNREADABLE: list[object] = [
    pytest.param(_link_to_outside, "symlink", id="link-to-a-file-outside"),
    pytest.param(_dangling_link, "symlink", id="dangling-link"),
    pytest.param(_linked_folder, "symlink", id="file-in-a-linked-folder"),
    pytest.param(_hard_link, "hardlink", id="hard-link"),
    pytest.param(_folder, "unreadable", id="a-folder"),
    pytest.param(_fifo, "unreadable", id="a-fifo"),
    pytest.param(_missing, "missing", id="missing-file"),
    pytest.param(_missing_folder, "unreadable", id="missing-folder"),
    pytest.param(_file_as_folder, "unreadable", id="a-file-as-a-folder"),
]


@pytest.mark.parametrize(("make", "code"), UNREADABLE)
def test_read_refuses_what_is_not_a_plain_file_of_the_folder(
    root: Path, make: Callable[[Path], str], code: str
) -> None:
    article_id = make(root)
    with Folder(root) as folder, pytest.raises(Unsafe) as refused:
        folder.read(article_id)
    assert refused.value.code == code
    assert refused.value.why == str(refused.value) != ""
    assert ("symbolic link" in refused.value.why) == (code == "symlink")


@pytest.mark.parametrize("article_id", ["live.md", "crlf.md", "sub/deep.md", "release.txt"])
def test_read_gives_the_bytes_and_their_status(root: Path, article_id: str) -> None:
    with Folder(root) as folder:
        data, st = folder.read(article_id)
    assert data == FILES[article_id]
    assert (st.st_ino, st.st_size) == ((root / article_id).stat().st_ino, len(data))


# -- replacing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\xff\r\n" * 3, NEW, os.urandom(3 * 1024 * 1024)],
    ids=["empty", "binary", "small", "3MB"],
)
def test_replace_writes_every_byte_and_leaves_no_temporary(root: Path, data: bytes) -> None:
    before = snapshot(root)
    with Folder(root) as folder:
        _, st = folder.read("sub/deep.md")
        folder.replace("sub/deep.md", data, st)
        folder.sync()
    assert (root / "sub" / "deep.md").read_bytes() == data
    assert snapshot(root) == {**before, "sub/deep.md": data}
    assert leftovers(root) == []


@pytest.mark.parametrize("mode", [0o400, 0o664, 0o755, 0o2750], ids=oct)
def test_replace_keeps_the_mode(root: Path, mode: int) -> None:
    path = root / "live.md"
    path.chmod(mode)
    with Folder(root) as folder:
        _, st = folder.read("live.md")
        folder.replace("live.md", NEW, st)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert path.read_bytes() == NEW


def test_replace_is_a_rename_so_a_reader_holding_the_old_file_keeps_it(root: Path) -> None:
    path = root / "live.md"
    with path.open("rb") as old, Folder(root) as folder:
        _, st = folder.read("live.md")
        folder.replace("live.md", NEW, st)
        assert old.read() == FILES["live.md"]  # never truncated in place
    assert path.stat().st_ino != st.st_ino


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_replace_keeps_another_users_owner(root: Path) -> None:
    path = root / "live.md"
    os.chown(path, 4321, 8765)
    with Folder(root) as folder:
        _, st = folder.read("live.md")
        folder.replace("live.md", NEW, st)
    assert (path.stat().st_uid, path.stat().st_gid) == (4321, 8765)


def test_an_owner_that_cannot_be_kept_is_refused(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> None:
        raise PermissionError(errno.EPERM, "Operation not permitted")

    with Folder(root) as folder:
        _, st = folder.read("live.md")
        fields = list(st)
        fields[stat.ST_UID] = st.st_uid + 1  # as if another user owned it
        monkeypatch.setattr(os, "fchown", refuse)
        with pytest.raises(Unsafe) as refused:
            folder.replace("live.md", NEW, os.stat_result(fields))
    assert refused.value.code == "owner"
    assert snapshot(root) == FILES
    assert leftovers(root) == []


# What may happen to the file between the read and the rename; each must stop the replace.


def _append(path: Path) -> None:
    with path.open("ab") as handle:
        handle.write(b"A line added by hand.\n")


def _touch(path: Path) -> None:
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


def _rename_over(path: Path) -> None:
    other = path.with_name("other.md")
    other.write_bytes(path.read_bytes())
    other.replace(path)  # same bytes, another file


def _link_over(path: Path) -> None:
    outside = path.parent.parent / "outside.md"
    outside.write_bytes(b"outside")
    path.unlink()
    path.symlink_to(outside)


def _folder_over(path: Path) -> None:
    path.unlink()
    path.mkdir()


CHANGES = [
    pytest.param(_append, id="appended"),
    pytest.param(_touch, id="touched"),
    pytest.param(_rename_over, id="renamed-over-with-the-same-bytes"),
    pytest.param(_link_over, id="replaced-by-a-link"),
    pytest.param(_folder_over, id="replaced-by-a-folder"),
]


@pytest.mark.parametrize("change", CHANGES)
def test_a_file_changed_since_it_was_read_is_left_as_it_is(
    root: Path, change: Callable[[Path], None]
) -> None:
    path = root / "draft.md"
    with Folder(root) as folder:
        _, st = folder.read("draft.md")
        change(path)
        after = snapshot(root)
        with pytest.raises(Unsafe) as refused:
            folder.replace("draft.md", NEW, st)
    assert refused.value.code == "changed"
    assert snapshot(root) == after
    assert snapshot(root.parent).get("outside.md", b"outside") == b"outside"
    assert leftovers(root) == []


@pytest.mark.parametrize("change", CHANGES)
def test_a_file_changed_while_being_written_is_left_as_it_is(
    root: Path, monkeypatch: pytest.MonkeyPatch, change: Callable[[Path], None]
) -> None:
    fill = Folder._fill

    def fill_then_change(fd: int, data: bytes, was: os.stat_result) -> None:
        fill(fd, data, was)
        change(root / "draft.md")  # after the temporary is full, before the rename

    monkeypatch.setattr(Folder, "_fill", staticmethod(fill_then_change))
    with Folder(root) as folder:
        _, st = folder.read("draft.md")
        with pytest.raises(Unsafe) as refused:
            folder.replace("draft.md", NEW, st)
    assert refused.value.code == "changed"
    assert NEW not in snapshot(root).values()
    assert leftovers(root) == []


def test_a_file_deleted_since_it_was_read_is_not_made_again(root: Path) -> None:
    with Folder(root) as folder:
        _, st = folder.read("draft.md")
        (root / "draft.md").unlink()
        with pytest.raises(OSError):
            folder.replace("draft.md", NEW, st)
    assert not (root / "draft.md").exists()
    assert leftovers(root) == []


@pytest.mark.parametrize(
    "error",
    [OSError(errno.ENOSPC, "No space left on device"), KeyboardInterrupt()],
    ids=["disk-full", "interrupted"],
)
def test_a_write_that_fails_halfway_leaves_the_old_file_and_no_temporary(
    root: Path, monkeypatch: pytest.MonkeyPatch, error: BaseException
) -> None:
    real_write = os.write

    def half_then_fail(fd: int, data: object) -> int:
        if len(data) > 4:  # type: ignore[arg-type]
            return real_write(fd, bytes(data[:4]))  # type: ignore[index]
        raise error

    with Folder(root) as folder:
        _, st = folder.read("draft.md")
        monkeypatch.setattr(os, "write", half_then_fail)
        with pytest.raises(type(error)):
            folder.replace("draft.md", NEW, st)
        monkeypatch.undo()
    assert snapshot(root) == FILES
    assert leftovers(root) == []


def test_a_link_planted_at_the_temporary_name_is_not_followed(root: Path) -> None:
    outside = root.parent / "outside.md"
    outside.write_bytes(b"outside")
    (root / temp_name("draft.md")).symlink_to(outside)
    with Folder(root) as folder:
        _, st = folder.read("draft.md")
        with pytest.raises(FileExistsError):
            folder.replace("draft.md", NEW, st)
    assert outside.read_bytes() == b"outside"
    assert (root / "draft.md").read_bytes() == FILES["draft.md"]
    assert (root / temp_name("draft.md")).is_symlink()  # not ours: left alone


def test_a_folder_swapped_for_a_link_after_the_read_is_not_followed(root: Path) -> None:
    elsewhere = root.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "deep.md").write_bytes(b"outside")
    with Folder(root) as folder:
        _, st = folder.read("sub/deep.md")
        (root / "sub").rename(root / "moved")
        (root / "sub").symlink_to(elsewhere, target_is_directory=True)
        folder.replace("sub/deep.md", NEW, st)  # through the folder it opened, not the link
    assert (elsewhere / "deep.md").read_bytes() == b"outside"
    assert (root / "moved" / "deep.md").read_bytes() == NEW
    assert leftovers(root.parent) == []


# -- the writer --------------------------------------------------------------------------


def test_the_writer_tells_each_refusal_to_its_own_callback_in_order(root: Path) -> None:
    ids = ["live.md", "draft.md", "nokey.md", "crlf.md", "sub/deep.md"]
    told: list[tuple[str, str | None]] = []
    with Folder(root) as folder:
        stats = {i: folder.read(i)[1] for i in ids}
        _append(root / "draft.md")
        (root / "crlf.md").unlink()
        with Writer(folder) as writer:
            for i in ids:
                writer.put(
                    i, NEW, stats[i],
                    lambda e, i=i: told.append((i, e and getattr(e, "code", type(e).__name__))),
                )  # fmt: skip
        folder.sync()
    assert told == [
        ("live.md", None),
        ("draft.md", "changed"),
        ("nokey.md", None),
        ("crlf.md", "FileNotFoundError"),
        ("sub/deep.md", None),
    ]
    assert [i for i in ids if (root / i).exists() and (root / i).read_bytes() == NEW] == [
        "live.md", "nokey.md", "sub/deep.md",
    ]  # fmt: skip
    assert leftovers(root) == []


# -- the lock ----------------------------------------------------------------------------


def test_one_writer_per_folder(root: Path) -> None:
    with Folder(root) as first, Folder(root) as second:
        with first.lock(wait=0) as got:
            assert got
            with second.lock(wait=0) as other:
                assert other is False
        with second.lock(wait=0) as got_after:
            assert got_after


def test_the_lock_waits_for_a_writer_that_finishes(root: Path) -> None:
    with Folder(root) as first, Folder(root) as second:
        held = first.lock(wait=0)
        assert held.__enter__()
        threading.Timer(0.1, held.__exit__, (None, None, None)).start()
        start = time.monotonic()
        with second.lock(wait=5) as got:
            assert got
        assert time.monotonic() - start < 4


def test_the_lock_gives_up_after_its_wait(root: Path) -> None:
    with Folder(root) as first, Folder(root) as second, first.lock(wait=0):
        start = time.monotonic()
        with second.lock(wait=0.2) as got:
            assert got is False
        assert 0.15 <= time.monotonic() - start < 2


def test_locked_raises_folder_busy_while_another_writer_holds_the_lock(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(safefile, "LOCK_WAIT", 0.1)
    with Folder(root) as first, Folder(root) as second:
        with (
            first.locked(),
            pytest.raises(FolderBusy, match="another newsreader"),
            second.locked(),
        ):
            pytest.fail("two writers held the lock at once")
        with second.locked():  # free again once the first is done
            pass


# -- stale temporaries -------------------------------------------------------------------


def _plain(path: Path) -> None:
    path.write_bytes(b"half a fi")


def _link(path: Path) -> None:
    path.symlink_to(path.parent / "live.md")


def _dir(path: Path) -> None:
    path.mkdir()


TEMPS = [
    pytest.param(".draft.md" + TEMP_SUFFIX, _plain, True, id="ours"),
    pytest.param("sub/.deep.md" + TEMP_SUFFIX, _plain, True, id="ours-in-a-subfolder"),
    pytest.param(".x" + TEMP_SUFFIX, _plain, True, id="ours-for-a-name-that-is-gone"),
    pytest.param("draft.md" + TEMP_SUFFIX, _plain, False, id="not-hidden"),
    pytest.param(TEMP_SUFFIX, _plain, False, id="the-suffix-alone"),
    pytest.param("." + TEMP_SUFFIX, _plain, False, id="a-dot-and-the-suffix"),
    pytest.param(".draft.md" + TEMP_SUFFIX + ".bak", _plain, False, id="suffix-not-at-the-end"),
    pytest.param(".draft.md" + TEMP_SUFFIX.upper(), _plain, False, id="other-case"),
    pytest.param(".draft.md" + TEMP_SUFFIX, _link, False, id="a-link"),
    pytest.param(".draft.md" + TEMP_SUFFIX, _dir, False, id="a-folder"),
    pytest.param(".git/.x.md" + TEMP_SUFFIX, _plain, False, id="in-a-hidden-folder"),
]


@pytest.mark.parametrize(("name", "make", "removed"), TEMPS)
def test_only_our_stale_temporaries_are_removed(
    root: Path, name: str, make: Callable[[Path], None], removed: bool
) -> None:
    (root / name).parent.mkdir(exist_ok=True)
    make(root / name)
    assert clean_stale_temps(root) == ([name] if removed else [])
    assert os.path.lexists(root / name) is not removed
    assert {k: v for k, v in snapshot(root).items() if k in FILES} == FILES


def test_cleaning_does_not_follow_a_linked_folder(root: Path) -> None:
    elsewhere = root.parent / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / temp_name("x.md")).write_bytes(b"someone else's")
    (root / "linked").symlink_to(elsewhere, target_is_directory=True)
    assert clean_stale_temps(root) == []
    assert (elsewhere / temp_name("x.md")).read_bytes() == b"someone else's"


def test_cleaning_a_folder_that_is_gone_removes_nothing(tmp_path: Path) -> None:
    assert clean_stale_temps(tmp_path / "gone") == []


def test_folder_clean_temps_does_not_wait_for_the_lock(root: Path) -> None:
    (root / temp_name("draft.md")).write_bytes(b"half")
    with Folder(root) as folder, folder.locked():  # the writer itself cleans, holding it
        assert folder.clean_temps() == [temp_name("draft.md")]
    assert temps(root) == []


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc/self/fd (Linux)")
def test_a_refused_read_keeps_no_descriptor_open(root: Path) -> None:
    """Each refusal closes what it opened: an undo retried against a folder where a file was
    must not run the process out of descriptors."""
    name = _folder(root)
    with Folder(root) as folder:
        folder.read("live.md")  # the folder's own descriptor is open from here on
        before = len(os.listdir("/proc/self/fd"))
        for _ in range(50):
            with pytest.raises(Unsafe):
                folder.read(name)
        assert len(os.listdir("/proc/self/fd")) == before


RENAMES = ["exchange", "rename"]
"""How the new file takes the old one's name: swapped in one step (renameat2), or renamed
over it where the system cannot swap (the old file then held open across the rename)."""


def _renaming(monkeypatch: pytest.MonkeyPatch, folder: Path, how: str,
              before: Callable[[], None], after: Callable[[], None]) -> None:
    """Make the next rename onto FOLDER/draft.md run BEFORE just ahead of it and AFTER
    just after."""
    if how == "rename":
        monkeypatch.setattr(safefile, "_exchange", lambda *args: None)
        real = os.replace

        def replace(src: str, dst: str, **kwargs: int) -> None:
            before() if dst == "draft.md" else None
            real(src, dst, **kwargs)
            after() if dst == "draft.md" else None

        monkeypatch.setattr(safefile.os, "replace", replace)
    else:
        probe = os.open(folder, os.O_RDONLY)
        try:
            if safefile._exchange(".none-a", ".none-b", probe) is None:
                pytest.skip("this system cannot swap two names in one step (no renameat2)")
        finally:
            os.close(probe)
        swap = safefile._exchange
        calls = []

        def exchange(a: str, b: str, dir_fd: int) -> bool | None:
            calls.append(b)
            before() if len(calls) == 1 else None
            done = swap(a, b, dir_fd)
            after() if len(calls) == 1 else None
            return done

        monkeypatch.setattr(safefile, "_exchange", exchange)


@pytest.mark.parametrize("how", RENAMES)
def test_a_file_renamed_away_just_before_the_rename_is_not_written_twice(
    root: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    # The race the last check cannot see: the file is renamed after it was checked and
    # before the new one takes its name. The old name must not come back.
    def away() -> None:
        os.rename(root / "draft.md", root / "moved.md")

    _renaming(monkeypatch, root, how, before=away, after=lambda: None)
    before = (root / "draft.md").read_bytes()
    with Folder(root) as folder:
        _, st = folder.read("draft.md")
        with pytest.raises(Unsafe) as refused:
            folder.replace("draft.md", NEW, st)
    assert refused.value.code == "changed"
    assert "renamed" in refused.value.why
    assert not (root / "draft.md").exists()
    assert (root / "moved.md").read_bytes() == before
    assert leftovers(root) == []


@pytest.mark.parametrize("how", RENAMES)
def test_a_file_renamed_just_after_the_rename_keeps_the_new_bytes(
    root: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    def away() -> None:
        os.rename(root / "draft.md", root / "moved.md")

    _renaming(monkeypatch, root, how, before=lambda: None, after=away)
    with Folder(root) as folder:
        _, st = folder.read("draft.md")
        folder.replace("draft.md", NEW, st)
    assert not (root / "draft.md").exists()
    assert (root / "moved.md").read_bytes() == NEW
    assert leftovers(root) == []


def test_a_file_put_in_place_just_before_the_swap_is_not_written_over(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Another program replaces the file (its own rename) in the moment after the check;
    # where names cannot be swapped, a plain rename would write over it (the race left).
    def theirs() -> None:
        (root / "theirs.tmp").write_bytes(b"their version")
        os.rename(root / "theirs.tmp", root / "draft.md")

    _renaming(monkeypatch, root, "exchange", before=theirs, after=lambda: None)
    with Folder(root) as folder:
        _, st = folder.read("draft.md")
        with pytest.raises(Unsafe) as refused:
            folder.replace("draft.md", NEW, st)
    assert refused.value.code == "changed"
    assert (root / "draft.md").read_bytes() == b"their version"
    assert leftovers(root) == []


@pytest.mark.parametrize("again", ["renamed", "renamed-and-replaced"])
def test_a_file_swapped_in_and_then_renamed_is_kept(
    root: Path, monkeypatch: pytest.MonkeyPatch, again: str
) -> None:
    # Their version takes the name after the check; then, before it can be swapped back,
    # the name moves on again (and, in the second case, a third file takes it).
    def theirs() -> None:
        (root / "theirs.tmp").write_bytes(b"their version")
        os.rename(root / "theirs.tmp", root / "draft.md")

    def away() -> None:
        os.rename(root / "draft.md", root / "moved.md")
        if again == "renamed-and-replaced":
            (root / "draft.md").write_bytes(b"a third version")

    _renaming(monkeypatch, root, "exchange", before=theirs, after=away)
    with Folder(root) as folder:
        _, st = folder.read("draft.md")
        with pytest.raises(Unsafe) as refused:
            folder.replace("draft.md", NEW, st)
    assert refused.value.code == "changed"
    assert (root / "moved.md").read_bytes() == NEW  # what the rename took
    assert (root / "draft.md").read_bytes() == b"their version"  # swapped or linked back
    if again == "renamed-and-replaced":  # the swap back took the third one out: kept
        assert (root / "draft.md.newsreader-kept").read_bytes() == b"a third version"
        assert "draft.md.newsreader-kept" in refused.value.why
    assert leftovers(root) == []

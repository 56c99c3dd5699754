"""Article files below a folder: read without following links, replaced atomically."""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import os
import stat
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import cast

from reader.data.clean import escape_name

try:
    import fcntl
except ImportError:  # not POSIX: no lock between processes
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".newsreader-tmp"
"""Ends the name of our temporary files: hidden (`.NAME.newsreader-tmp`), so never indexed."""
KEPT_SUFFIX = ".newsreader-kept"
"""Ends the name a file is kept under when a write raced two other programs (see
`_check_swapped_out`): never an article, never cleaned."""
LOCK_WAIT = 10.0
"""Seconds to wait for another newsreader that is writing to the same folder."""
_NAME_MAX = 255
# Not every system has these flags; without them (Windows) there is no safe way to write.
_DIR_FLAGS = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_CLOEXEC", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)


def digest(data: bytes) -> str:
    """The digest the index keeps of a file's bytes (blake2b, 128 bits, hex)."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def _is_link(name: str, dir_fd: int) -> bool:
    """Whether `name` in the folder `dir_fd` is a symbolic link (False if it is gone)."""
    try:
        return stat.S_ISLNK(os.stat(name, dir_fd=dir_fd, follow_symlinks=False).st_mode)
    except OSError:
        return False


class FolderBusy(Exception):
    """Another newsreader is writing to the same folder; the message says so."""


class Unsafe(Exception):
    """A file that may not be read or written as asked; `code` names the kind, the text why."""

    def __init__(self, code: str, why: str):
        """A refusal of kind `code`, saying `why`."""
        super().__init__(why)
        self.code = code
        self.why = why


def temp_name(name: str) -> str:
    """The hidden temporary name beside `name` (hashed when the name is too long)."""
    temp = f".{name}{TEMP_SUFFIX}"
    if len(os.fsencode(temp)) <= _NAME_MAX:
        return temp
    return f".{hashlib.blake2b(os.fsencode(name), digest_size=16).hexdigest()}{TEMP_SUFFIX}"


def _is_temp(name: str) -> bool:
    """Whether `name` is one of our hidden temporary files."""
    return name.startswith(".") and name.endswith(TEMP_SUFFIX) and len(name) > len(TEMP_SUFFIX) + 1


class Folder:
    """A cache folder whose sub-folders are opened one by one, never through a link.

    Every read and write goes through a folder descriptor, so a link planted in the path
    (even after the check) is never followed out of the cache. Use it as a context manager.
    """

    def __init__(self, root: Path):
        """The folder `root`, opened now (its sub-folders when first used)."""
        self.root = root
        self._fds: dict[str, int] = {"": os.open(root, _DIR_FLAGS)}
        self._written: set[str] = set()
        self._opening = threading.Lock()  # a Writer's thread opens folders too

    def __enter__(self) -> Folder:
        """The folder itself; its descriptors close when the block ends."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close every folder descriptor."""
        self.close()

    def close(self) -> None:
        """Close every folder descriptor."""
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()

    def _dir(self, folder: str) -> int:
        """The descriptor of a sub-folder (`a/b`), opened without following links."""
        with self._opening:
            if folder in self._fds:
                return self._fds[folder]
        parent, _, name = folder.rpartition("/")
        parent_fd = self._dir(parent)
        try:
            fd = os.open(name, _DIR_FLAGS | _NOFOLLOW, dir_fd=parent_fd)
        except OSError as error:
            link = error.errno in (errno.ELOOP, errno.EMLINK)
            if error.errno == errno.ENOTDIR:  # a link, on some systems; or a plain file
                link = _is_link(name, parent_fd)
                if not link:
                    why = f"{escape_name(folder)} is not a folder"
                    raise Unsafe("unreadable", why) from None
            if link:
                why = f"folder {escape_name(folder)} is a symbolic link: not followed"
                raise Unsafe("symlink", why) from None
            why = f"cannot open folder {escape_name(folder)}: {error.strerror}"
            raise Unsafe("unreadable", why) from None
        with self._opening:
            if folder in self._fds:  # opened meanwhile by another thread
                os.close(fd)
            else:
                self._fds[folder] = fd
            return self._fds[folder]

    def read(self, article_id: str) -> tuple[bytes, os.stat_result]:
        """The whole file and its status; a link, a non-file or a hard link is refused."""
        folder, _, name = article_id.rpartition("/")
        try:
            flags = os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC
            fd = os.open(name, flags, dir_fd=self._dir(folder))
        except OSError as error:
            if error.errno in (errno.ELOOP, errno.EMLINK):
                raise Unsafe("symlink", "symbolic link: not followed") from None
            if error.errno == errno.ENOENT:
                raise Unsafe("missing", "the file is gone") from None
            raise Unsafe("unreadable", f"cannot read: {error.strerror}") from None
        try:  # its type before open(): Python refuses a folder there (IsADirectoryError)
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                raise Unsafe("unreadable", "not a regular file")
            if st.st_nlink > 1:
                raise _hard_link(st)
        except BaseException:
            os.close(fd)
            raise
        with open(fd, "rb", closefd=True) as handle:
            return handle.read(), st

    def replace(self, article_id: str, data: bytes, was: os.stat_result) -> None:
        """Replace the file with `data`: a hidden temporary beside it, fsync, then rename.

        The new file keeps the old one's mode (and owner, or it is refused). Just before
        the rename the file must still be the one read (`was`) and have no other name (a
        hard link made since the read would be split by the rename), else nothing changes.
        The rename swaps the two names in one step where the system can (Linux's
        `renameat2` with RENAME_EXCHANGE): a file renamed away or deleted since the check
        leaves nothing to swap with, so its old name never comes back. Elsewhere it is a
        plain rename with the old file held open across it: when the old file still has
        a name afterwards it was renamed away, and the name just made is taken back.
        Call `sync` once the writes are done to make the renames durable.
        """
        folder, _, name = article_id.rpartition("/")
        dir_fd = self._dir(folder)
        temp = temp_name(name)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW | _CLOEXEC
        fd = os.open(temp, flags, 0o600, dir_fd=dir_fd)
        try:
            try:
                self._fill(fd, data, was)
                made = os.fstat(fd)
            finally:
                os.close(fd)
            old = _open_as_read(name, dir_fd, was)
            try:
                swapped = _exchange(temp, name, dir_fd)
                if swapped:  # the old file is under the temporary name now
                    temp = ""  # not ours to remove on an error any more
                    _check_swapped_out(temp_name(name), name, dir_fd, was, made)
                elif swapped is None:  # no exchange here
                    os.replace(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd)
                    if os.fstat(old).st_nlink:  # renamed away before the rename
                        _take_back(name, dir_fd, made)
                else:
                    raise Unsafe("changed", "renamed or deleted while being written: "
                                 "left as it is")  # fmt: skip
            finally:
                os.close(old)
        except BaseException:
            if temp:
                with contextlib.suppress(OSError):
                    os.unlink(temp, dir_fd=dir_fd)
            raise
        self._written.add(folder)

    @staticmethod
    def _fill(fd: int, data: bytes, was: os.stat_result) -> None:
        """Write `data` to the new file `fd` with the old file's owner and mode, then fsync."""
        st = os.fstat(fd)
        if (st.st_uid, st.st_gid) != (was.st_uid, was.st_gid):
            try:
                os.fchown(fd, was.st_uid, was.st_gid)
            except OSError:
                why = "owned by another user: its owner could not be kept"
                raise Unsafe("owner", why) from None
        os.fchmod(fd, stat.S_IMODE(was.st_mode))
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)

    def sync(self) -> None:
        """Make the renames durable: fsync every folder written to."""
        for folder in sorted(self._written):
            os.fsync(self._fds[folder])
        self._written.clear()

    @contextlib.contextmanager
    def lock(self, wait: float | None = None) -> Iterator[bool]:
        """Hold the folder's write lock (one writer per folder across processes).

        Yields False when another process holds it after `wait` seconds (LOCK_WAIT when
        not given, as it is when called; at once for 0).
        """
        wait = LOCK_WAIT if wait is None else wait
        fd = self._fds[""]
        got = _try_lock(fd)
        deadline = time.monotonic() + wait
        while not got and time.monotonic() < deadline:
            time.sleep(0.05)
            got = _try_lock(fd)
        try:
            yield got
        finally:
            if got and fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_UN)

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the write lock for a block; raises FolderBusy when another process keeps it."""
        with self.lock() as got:
            if not got:
                raise FolderBusy("another newsreader is writing to this folder; try again")
            yield

    def clean_temps(self) -> list[str]:
        """Remove temporaries left by a write that was killed; returns their paths."""
        return _clean(self.root)


Done = Callable[[BaseException | None], None]
"""Told how a replacement went: None, or the error (Unsafe, OSError) that stopped it."""


class Writer:
    """Replaces files in a few background threads, so fsyncs overlap each other and the checks.

    Use it as a context manager; `put` queues a replacement (Folder.replace) and each
    `done` callback runs in the caller's thread, in order, once its file is replaced or
    refused (at the latest when the block ends, which waits for every file).
    """

    THREADS = 4
    """Replacements going on at once: the file system commits concurrent fsyncs together."""
    DEPTH = 16
    """Most replacements waiting at once (each holds its file's new bytes)."""

    def __init__(self, folder: Folder):
        """A writer of files in `folder`, with its thread pool started."""
        self.folder = folder
        self._pool = ThreadPoolExecutor(self.THREADS, thread_name_prefix="newsreader-write")
        self._queue: deque[tuple[Future[None], Done]] = deque()

    def __enter__(self) -> Writer:
        """The writer itself; the block's end waits for every queued file."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Wait for every replacement still queued and report each, in order; stop the threads."""
        try:
            while self._queue:
                self._finish_one()
        finally:
            self._pool.shutdown(wait=True)

    def put(self, article_id: str, data: bytes, was: os.stat_result, done: Done) -> None:
        """Queue one replacement; see Folder.replace."""
        future = self._pool.submit(self.folder.replace, article_id, data, was)
        self._queue.append((future, done))
        while len(self._queue) > self.DEPTH:
            self._finish_one()

    def _finish_one(self) -> None:
        """Wait for the oldest queued replacement and tell its `done` how it went."""
        future, done = self._queue.popleft()
        done(future.exception())


def _identity(st: os.stat_result) -> tuple[int, ...]:
    """What tells one version of a file from another: device, inode, mtime and size."""
    return (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


def _hard_link(st: os.stat_result) -> Unsafe:
    """The refusal of a file that has more names than one (a rename would split them)."""
    return Unsafe("hardlink", f"hard link ({st.st_nlink} names): not rewritten")


def _changed_while_written() -> Unsafe:
    """The refusal of a file another program changed between the read and the rename."""
    return Unsafe("changed", "changed on disk while being written: left as it is")


def _open_as_read(name: str, dir_fd: int, was: os.stat_result) -> int:
    """The file about to be renamed over, opened (never through a link) to be held across
    the rename; an Unsafe unless it is the version read (`was`), still with one name. A
    new link changes no mtime, so the count is checked here, as late as a rename allows:
    a link made after this check and before the rename is the one race left."""
    try:
        fd = os.open(name, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _CLOEXEC, dir_fd=dir_fd)
    except OSError as error:  # gone: said as the OSError it is
        if error.errno not in (errno.ELOOP, errno.EMLINK):
            raise
        raise _changed_while_written() from None
    try:
        now = os.fstat(fd)
        if _identity(now) != _identity(was):
            raise _changed_while_written()
        if now.st_nlink > 1:
            raise _hard_link(now)
    except BaseException:
        os.close(fd)
        raise
    return fd


_RENAME_EXCHANGE = 2
"""renameat2's flag to swap two names (linux/fs.h)."""


@functools.cache
def _renameat2() -> Callable[[int, bytes, int, bytes, int], int] | None:
    """The C library's renameat2, or None where there is none (not Linux, an old libc).
    ctypes is loaded here, at the first write: it costs a reader's start 8 ms."""
    import ctypes

    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                         ctypes.c_uint]  # fmt: skip
    function.restype = ctypes.c_int
    return cast(Callable[[int, bytes, int, bytes, int], int], function)


def _exchange(a: str, b: str, dir_fd: int) -> bool | None:
    """Swap the names `a` and `b` in the folder `dir_fd` in one step: True once done,
    False when either is missing, None where the system cannot swap names (no
    renameat2, or a file system without RENAME_EXCHANGE): then nothing changed."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return None
    if renameat2(dir_fd, os.fsencode(a), dir_fd, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    import ctypes

    code = ctypes.get_errno()
    if code == errno.ENOENT:
        return False
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EPERM):
        return None
    raise OSError(code, os.strerror(code))


def _check_swapped_out(temp: str, name: str, dir_fd: int, was: os.stat_result,
                       made: os.stat_result) -> None:
    """After the swap: the file now under `temp` must be the one checked (`was`), and it
    is removed. Another file put in its place in the moment between is swapped back (or,
    when the name went again meanwhile, linked back) and the write refused; only the new
    file (`made`) is ever removed then. Whatever else ends up under `temp` is kept as
    `NAME.newsreader-kept` (not an article, and no temporary a cleaning removes)."""
    now = os.stat(temp, dir_fd=dir_fd, follow_symlinks=False)
    if _same_file(now, was):
        os.unlink(temp, dir_fd=dir_fd)
        return
    if _exchange(temp, name, dir_fd):  # theirs is back; ours should be under `temp`
        if _same_file(os.stat(temp, dir_fd=dir_fd, follow_symlinks=False), made):
            os.unlink(temp, dir_fd=dir_fd)
            raise _changed_while_written()
    else:
        with contextlib.suppress(OSError):  # the name went again: theirs goes back
            os.link(temp, name, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
            os.unlink(temp, dir_fd=dir_fd)
            raise _changed_while_written()
    kept = f"{name}{KEPT_SUFFIX}"
    try:
        os.link(temp, kept, src_dir_fd=dir_fd, dst_dir_fd=dir_fd, follow_symlinks=False)
    except OSError:
        raise Unsafe("changed", f"changed on disk by two programs while being written: a "
                     f"version is left as {escape_name(temp)}; move it before the next "
                     f"apply") from None
    os.unlink(temp, dir_fd=dir_fd)
    raise Unsafe("changed", f"changed on disk by two programs while being written: a "
                 f"version is kept as {escape_name(kept)}")


def _same_file(a: os.stat_result, b: os.stat_result) -> bool:
    """Whether two statuses are of one file."""
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def _take_back(name: str, dir_fd: int, made: os.stat_result) -> None:
    """Remove `name`, the new file a rename just made where the old one had been renamed
    away from (`made`: the new file's status), and refuse the write: the old file stays
    under its new name, as it was. Should another rename have taken the new file in the
    few microseconds since, it is left where it went and the refusal says so."""
    try:
        now = os.stat(name, dir_fd=dir_fd, follow_symlinks=False)
        if _same_file(now, made):
            os.unlink(name, dir_fd=dir_fd)
            raise Unsafe("changed", "renamed while being written: left as it is")
    except OSError:
        pass
    raise Unsafe("changed", "renamed while being written: the change went to its old name, "
                 "and the file under its new name is as it was")


def _try_lock(fd: int) -> bool:
    """Take the folder's write lock without waiting; False when another process holds it."""
    if fcntl is None:
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    except OSError:  # a file system without flock: go on unlocked
        return True
    return True


def _clean(root: Path) -> list[str]:
    """Remove our hidden temporaries below root, never following a link; returns them."""
    removed: list[str] = []
    stack = [(os.fspath(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            with contextlib.suppress(OSError):
                if _is_temp(entry.name) and entry.is_file(follow_symlinks=False):
                    os.unlink(entry.path)
                    removed.append(prefix + entry.name)
                elif not entry.name.startswith(".") and entry.is_dir(follow_symlinks=False):
                    stack.append((entry.path, f"{prefix}{entry.name}/"))
    return removed


def clean_stale_temps(root: Path) -> list[str]:
    """Remove temporaries a killed write left below root, unless a write is going on now.

    Call it when a scan or an apply starts. Returns the paths removed (relative to root).
    """
    try:
        with Folder(root) as folder, folder.lock(wait=0) as got:
            return folder.clean_temps() if got else []
    except OSError:
        return []

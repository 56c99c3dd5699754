"""An indexed article read again from its file: what the index does not keep (body, images,
related links) comes from there, and so does a file changed since it was indexed."""

from __future__ import annotations

import hashlib
import os
import stat
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from reader.data.article import Article, Problem

POOL_THRESHOLD = 2000
"""Below this many files to read, a process pool costs more than it saves."""


class FileRead(NamedTuple):
    """One file as it is now: its article (or why it is none), and what identifies it."""

    result: Article | Problem
    """The article, or why the file is none (unreadable, gone, not an article)."""
    stamp: tuple[int, int, str] | None
    """(mtime_ns, size, digest) as the index records them; None: the file was not read."""


def _read(root: Path, article_id: str) -> tuple[bytes, os.stat_result]:
    """The file's bytes and status, read through the folder without following a link."""
    from reader.data.files.safefile import Folder, Unsafe

    with Folder(root) as folder:
        try:
            return folder.read(article_id)
        except Unsafe as refused:
            if refused.code != "hardlink":
                raise
        # Refused for writing only (a rename would split its names): its folders were
        # just opened without following a link, and its own name is not followed either.
        fd = os.open(root / article_id, os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC)
        with open(fd, "rb", closefd=True) as handle:
            found = os.fstat(handle.fileno())
            if not stat.S_ISREG(found.st_mode):
                raise Unsafe("unreadable", "not a regular file")
            return handle.read(), found


def read_one(root: Path, article_id: str) -> FileRead:
    """Read and parse one file of the folder `root` as the index does (the same bytes, the
    same digest); never raises."""
    from reader.data.files.parse import head_of, parse_bytes
    from reader.data.files.safefile import Unsafe

    try:
        data, found = _read(root, article_id)
    except Unsafe as refused:
        return FileRead(Problem(article_id, "file", refused.why), None)
    except OSError as error:
        return FileRead(Problem(article_id, "file", f"cannot read: {error.strerror}"), None)
    head = head_of(data)
    digest = hashlib.blake2b(head, digest_size=16).hexdigest()
    return FileRead(parse_bytes(head, article_id), (found.st_mtime_ns, found.st_size, digest))


def _read_chunk(root: Path, ids: Sequence[str]) -> list[FileRead]:
    """`read_one` of each id: one task of the process pool."""
    return [read_one(root, i) for i in ids]


def read_many(root: Path, ids: Sequence[str]) -> list[FileRead]:
    """`read_one` of each id, in order: across every core when there are many."""
    if len(ids) < POOL_THRESHOLD or (os.cpu_count() or 1) < 2:
        return _read_chunk(root, ids)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor
    from functools import partial

    from reader.data.index.index import start_method

    context = multiprocessing.get_context(start_method())
    chunks = [ids[i : i + 256] for i in range(0, len(ids), 256)]
    with ProcessPoolExecutor(os.cpu_count(), mp_context=context) as pool:
        return [read for reads in pool.map(partial(_read_chunk, root), chunks) for read in reads]

"""A folder's candidate article files, found without following a symbolic link."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from stat import S_ISREG
from typing import NamedTuple

from reader.data.article import Problem

ARTICLE_SUFFIXES = frozenset({".md", ".markdown", ".txt", ".text"})
"""Which files may hold an article; their content decides the format."""


def is_candidate(name: str) -> bool:
    """Whether a file name may hold an article: not hidden, a backup or an editor swap file.

    Backups and swap files (`x.md~`, `x.md.swp`, `x.md.bak`) already fail the suffix test.
    """
    dot = name.rfind(".")
    if dot <= 0 or name[0] in ".#":  # no suffix, hidden, or an Emacs autosave
        return False
    suffix = name[dot:]
    return suffix in ARTICLE_SUFFIXES or suffix.lower() in ARTICLE_SUFFIXES


class FileStat(NamedTuple):
    """One candidate file found by a walk."""

    id: str
    path: str
    mtime_ns: int
    size: int


def walk(root: Path, temps: list[str] | None = None) -> tuple[list[FileStat], list[Problem]]:
    """Every candidate file below root, never following a symbolic link.

    Hidden files ending in TEMP_SUFFIX (a write-back's temporaries) go to `temps`.
    """
    skipped: list[Problem] = []
    return list(iter_files(root, skipped, temps)), skipped


def iter_files(
    root: Path, skipped: list[Problem], temps: list[str] | None = None
) -> Iterator[FileStat]:
    """`walk`, one file at a time: a refresh keeps only the files that changed (a list of
    every file's FileStat would raise the peak memory of every warm rescan of a big folder)."""
    stack = [(os.fspath(root), "")]
    while stack:
        folder, prefix = stack.pop()
        try:
            entries = os.scandir(folder)  # iterated, not listed: a big folder's list is large
        except OSError as error:
            skipped.append(
                Problem(prefix.rstrip("/") or ".", "file", f"cannot list: {error.strerror}")
            )
            continue
        with entries:
            yield from _walk_folder(entries, prefix, stack, skipped, temps)


def _walk_folder(
    entries: Iterator[os.DirEntry[str]],
    prefix: str,
    stack: list[tuple[str, str]],
    skipped: list[Problem],
    temps: list[str] | None,
) -> Iterator[FileStat]:
    """One folder's entries: files found, folders to visit, links and temporaries noted."""
    from reader.data.files.safefile import TEMP_SUFFIX  # here: write-back is not loaded to list

    for entry in entries:
        name = entry.name
        if name.startswith("."):
            if temps is not None and name.endswith(TEMP_SUFFIX):
                temps.append(prefix + name)
            continue
        rel = prefix + name
        try:
            if entry.is_dir(follow_symlinks=False):
                stack.append((entry.path, rel + "/"))
            elif not is_candidate(name):
                continue
            elif entry.is_symlink():
                skipped.append(Problem(rel, "file", "symbolic link: not followed"))
            else:
                st = entry.stat(follow_symlinks=False)
                if S_ISREG(st.st_mode):
                    yield FileStat(rel, entry.path, st.st_mtime_ns, st.st_size)
        except OSError as error:
            skipped.append(Problem(rel, "file", f"cannot read: {error.strerror}"))

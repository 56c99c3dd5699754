"""The index's shared blobs: compressed data that copies of one article (versions of one
file, one page saved twice) hold alike, kept once in `blobs` and counted."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Iterable

from reader.data.index.schema import hash64


def share(conn: sqlite3.Connection, wanted: Iterable[bytes | None]) -> dict[bytes | None, int]:
    """The rowid in `blobs` of each of these blobs, with one more name counted for each
    time it is given: the blob stored already with the same bytes, else a new one (found
    by its hash, then compared byte for byte: two blobs may share a hash). None: none."""
    names = Counter(data for data in wanted if data is not None)
    hashes = {data: hash64(data) for data in names}
    found: dict[bytes, int] = {}
    asked = sorted(set(hashes.values()))
    for i in range(0, len(asked), 500):
        part = asked[i : i + 500]
        for rowid, data in conn.execute(
            f"SELECT rowid, data FROM blobs WHERE hash IN ({','.join('?' * len(part))})", part
        ):
            if data in names:
                found[data] = rowid
    conn.executemany("UPDATE blobs SET refs = refs + ? WHERE rowid = ?",
                     [(names[data], rowid) for data, rowid in found.items()])
    new = [data for data in names if data not in found]
    if new:
        first = conn.execute("SELECT coalesce(max(rowid), 0) + 1 FROM blobs").fetchone()[0]
        found.update(zip(new, range(first, first + len(new)), strict=True))
        conn.executemany("INSERT INTO blobs (rowid, hash, refs, data) VALUES (?, ?, ?, ?)",
                         [(found[data], hashes[data], names[data], data) for data in new])
    return {data: rowid for data, rowid in found.items()}  # typed to take None too


def release(conn: sqlite3.Connection, names: Iterable[int | None]) -> None:
    """Count one name fewer for each of these blob rowids (a rowid given twice, two), and
    delete the blobs that no article names any more. None: none."""
    gone = Counter(rowid for rowid in names if rowid is not None)
    conn.executemany("UPDATE blobs SET refs = refs - ? WHERE rowid = ?",
                     [(count, rowid) for rowid, count in gone.items()])
    conn.executemany("DELETE FROM blobs WHERE rowid = ? AND refs <= 0",
                     [(rowid,) for rowid in gone])

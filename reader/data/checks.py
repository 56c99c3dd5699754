"""Checks: the slow integrity checks of a library's two files, started early on a thread.

Opening a library checks both files before anything reads or writes them: `PRAGMA
quick_check` of the decisions file (it is refused if damaged) and a walk of every index
table (a damaged index is rebuilt). Each reads every page, which takes a while for a big
folder. SQLite releases the GIL while it reads, so when the app starts these on a
thread before it imports its UI, they run beside that import and are done when the UI
opens the library.

Only a clean result is used, and only to skip running the same check again. Anything
else (damage, an error, a file that does not exist yet, a WAL this read-only connection
cannot recover) leaves the check to the open, which refuses or rebuilds exactly as it
would without this. The connections here are read-only and never write.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from urllib.parse import quote

INDEX_PROBE = (
    "SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM blobs), "
    "(SELECT count(*) FROM stories), (SELECT count(*) FROM story_urls)"
)
"""Walks every table of the index once: damage past its first page shows here."""


def _clean(path: Path, sql: str) -> bool:
    """True when `sql` runs on the file, read-only, and its first value is 'ok' or a count."""
    if not path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return False
    try:
        row = conn.execute(sql).fetchone()
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    return row is not None and (row[0] == "ok" or isinstance(row[0], int))


class Checks:
    """The decisions file's quick_check and the index probe, on a thread of their own."""

    def __init__(self, db_path: Path, index_path: Path, *, start: bool = True) -> None:
        """The checks of the decisions file `db_path` and the index `index_path`, started on a
        thread unless `start` is False."""
        self.db_path = db_path
        """The decisions file checked."""
        self.index_path = index_path
        """The index file probed."""
        self._store_ok = False
        self._index_ok = False
        self._thread: threading.Thread | None = None
        if start:
            self._thread = threading.Thread(target=self._run, name="newsreader-checks",
                                            daemon=True)
            self._thread.start()

    @classmethod
    def passed(cls, db_path: Path, index_path: Path) -> Checks:
        """Both files as checked already by this process (a worker's second connection)."""
        checks = cls(db_path, index_path, start=False)
        checks._store_ok = checks._index_ok = True
        return checks

    def _run(self) -> None:
        """The thread's work: check the decisions file, then probe the index."""
        self._store_ok = _clean(self.db_path, "PRAGMA quick_check")
        self._index_ok = _clean(self.index_path, INDEX_PROBE)

    def _wait(self) -> None:
        """Wait until the thread, if any, is done."""
        if self._thread is not None:
            self._thread.join()

    def store_ok(self, db_path: Path) -> bool:
        """Whether this decisions file was found clean (waits for the check)."""
        self._wait()
        return self._store_ok and db_path == self.db_path

    def index_ok(self, index_path: Path) -> bool:
        """Whether this index file was walked without an error (waits for the probe)."""
        self._wait()
        return self._index_ok and index_path == self.index_path

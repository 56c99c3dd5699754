"""The decisions database's tables, and the steps that bring an older file up to date."""

from __future__ import annotations

SCHEMA_VERSION = 2
_BATCHES = """
CREATE TABLE IF NOT EXISTS {name} (
    batch INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('decide', 'apply', 'undo', 'redo')),
    ref INTEGER,                  -- for undo/redo: the decide or apply batch it acts on
    status TEXT,                  -- decide and apply batches: done | undone | dropped
    top INTEGER                   -- where a done batch sits on the undo stack
);
"""
_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS decisions (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('undecided', 'published', 'skipped')),
    reason TEXT,
    origin TEXT NOT NULL CHECK (origin IN ('file', 'editor')),
    at TEXT NOT NULL
);
"""
    + _BATCHES.format(name="batches")
    + """
CREATE TABLE IF NOT EXISTS journal (
    seq INTEGER PRIMARY KEY,
    batch INTEGER NOT NULL REFERENCES batches(batch),
    at TEXT NOT NULL,
    key TEXT NOT NULL,
    old_state TEXT, old_reason TEXT, old_origin TEXT,   -- old_state NULL: there was no row
    new_state TEXT, new_reason TEXT, new_origin TEXT    -- new_state NULL: the row was removed
);
CREATE INDEX IF NOT EXISTS journal_batch ON journal(batch);
-- Each line an apply step wrote into an article file, to undo it byte for byte.
CREATE TABLE IF NOT EXISTS file_writes (
    seq INTEGER PRIMARY KEY,
    batch INTEGER NOT NULL REFERENCES batches(batch),
    at TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL,          -- the decision written
    line_at INTEGER NOT NULL,     -- where the line starts, in the old file and in the new
    old_line BLOB NOT NULL,       -- empty: the line was added
    new_line BLOB NOT NULL,
    old_digest TEXT NOT NULL,     -- blake2b-128 of the whole file before and after
    new_digest TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'written', 'failed'))
);
CREATE INDEX IF NOT EXISTS file_writes_batch ON file_writes(batch);
CREATE INDEX IF NOT EXISTS file_writes_pending ON file_writes(status) WHERE status = 'pending';
"""
)
_UPGRADES: dict[int, tuple[str, ...]] = {
    # Schema 1 knew no apply steps: rebuild batches with the wider CHECK (SQLite cannot
    # alter one), keeping every row and number.
    1: (
        _BATCHES.format(name="batches_v2"),
        "INSERT INTO batches_v2 (batch, at, kind, ref, status, top) "
        "SELECT batch, at, kind, ref, status, top FROM batches",
        "DROP TABLE batches",
        "ALTER TABLE batches_v2 RENAME TO batches",
    ),
}

"""The decisions database's tables, and the steps that bring an older file up to date."""

from __future__ import annotations

SCHEMA_VERSION = 7
_BATCHES = """
CREATE TABLE IF NOT EXISTS {name} (
    batch INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('decide', 'apply', 'story', 'undo', 'redo', 'sync')),
    ref INTEGER,                  -- for undo/redo: the decide, apply or story batch it acts on
    status TEXT,                  -- decide, apply and story batches: done | undone | dropped
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
    at TEXT NOT NULL,
    event TEXT                    -- the desk event that set an editor's state (see events)
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
-- The editor's corrections of the stories the index clusters: in force while their batch
-- is done, applied in seq order over the machine's clustering at every re-clustering.
CREATE TABLE IF NOT EXISTS story_edits (
    seq INTEGER PRIMARY KEY,
    batch INTEGER NOT NULL REFERENCES batches(batch),
    at TEXT NOT NULL,
    key TEXT NOT NULL,            -- the article moved
    action TEXT NOT NULL CHECK (action IN ('split', 'merge')),
    target TEXT                   -- merge: an article of the story it joins (split: NULL)
);
CREATE INDEX IF NOT EXISTS story_edits_batch ON story_edits(batch);
-- The git commit an apply step made of the files it wrote (`apply --commit`, the preview's
-- `c`). An apply that made none has no row. Undo and redo leave the commit in git.
CREATE TABLE IF NOT EXISTS apply_commits (
    batch INTEGER PRIMARY KEY REFERENCES batches(batch),   -- the apply step
    at TEXT NOT NULL,
    sha TEXT NOT NULL CHECK (sha != '')
);
-- The writes an `apply --commit` made and git has not yet committed: each is journaled
-- here before its file is written (only for a file git had clean), and removed once a
-- commit holds it, or git shows the file clean again (committed by hand, or undone).
CREATE TABLE IF NOT EXISTS commits_owed (
    seq INTEGER PRIMARY KEY REFERENCES file_writes(seq),
    batch INTEGER NOT NULL REFERENCES batches(batch)
);
-- What identified the file of a decision whose file went without being found again
-- (a rename the folder walk missed, a file moved out and back): a later scan that finds
-- a file with these bytes or this web URL gives it the decision. Gone with the decision.
CREATE TABLE IF NOT EXISTS gone_prints (
    key TEXT PRIMARY KEY,
    digest TEXT,
    url TEXT
);
-- The desk: every decision any editor made, as the shared logs in the site's repository
-- carry it (decisions/events.py). This store's own are written here with the decision, in
-- one transaction, with editor NULL until a sync writes them to the editor's log.
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    editor TEXT,
    own INTEGER NOT NULL DEFAULT 0,   -- 1: made in this store
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('decide', 'claim', 'release')),
    key TEXT,                     -- decide: the article
    state TEXT,                   -- decide: its state, or NULL: back to what its file says
    reason TEXT,
    until TEXT,                   -- claim: when it ends
    scope TEXT                    -- claim: JSON {"articles": [...]} or {"provider"|"topic": ...}
);
CREATE INDEX IF NOT EXISTS events_unshared ON events(seq) WHERE editor IS NULL;
-- Which events each event was made on top of (what its editor saw for that article).
CREATE TABLE IF NOT EXISTS event_parents (
    parent TEXT NOT NULL,
    child TEXT NOT NULL,
    PRIMARY KEY (parent, child)
) WITHOUT ROWID;
-- The events of each article no other event was made on top of: one, or several that
-- were made apart (a conflict when their states differ).
CREATE TABLE IF NOT EXISTS event_heads (
    key TEXT NOT NULL,
    id TEXT NOT NULL,
    PRIMARY KEY (key, id)
) WITHOUT ROWID;
-- Claims in force or ended: one row per article claimed, or one for a provider or topic.
CREATE TABLE IF NOT EXISTS claims (
    event TEXT NOT NULL,
    key TEXT,
    provider TEXT,
    topic TEXT,
    released INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS claims_key ON claims(key);
CREATE INDEX IF NOT EXISTS claims_event ON claims(event);
"""
)
_WIDER_BATCHES = (
    _BATCHES.format(name="batches_new"),
    "INSERT INTO batches_new (batch, at, kind, ref, status, top) "
    "SELECT batch, at, kind, ref, status, top FROM batches",
    "DROP TABLE batches",
    "ALTER TABLE batches_new RENAME TO batches",
)
"""Rebuild batches with the current CHECK on its kind (SQLite cannot alter one), keeping
every row and number; the tables that reference it name it, so they follow."""
_ADD_EVENT = "ALTER TABLE decisions ADD COLUMN event TEXT"
_UPGRADES: dict[int, tuple[str, ...]] = {
    # Every older schema knew no desk (schema 7): batches take `sync` now (which needs the
    # wider CHECK; schema 1 knew no apply steps and schema 2 no story steps either) and
    # decisions name their event. The new tables (a commit, a commit owed, a gone file's
    # fingerprint, the desk's events) come from _SCHEMA, run after these.
    **{version: (*_WIDER_BATCHES, _ADD_EVENT) for version in range(1, SCHEMA_VERSION)},
}
_AFTER_UPGRADE = (
    # Each decision the editor made before there was a desk becomes an event of theirs,
    # not shared yet: the first sync writes it to their log.
    "UPDATE decisions SET event = lower(hex(randomblob(16))) WHERE origin = 'editor'",
    "INSERT INTO events (id, editor, own, at, kind, key, state, reason) "
    "SELECT event, NULL, 1, at, 'decide', key, state, reason FROM decisions "
    "WHERE origin = 'editor' ORDER BY at",
    "INSERT INTO event_heads (key, id) SELECT key, event FROM decisions WHERE origin = 'editor'",
)
"""Run after the tables exist, for a file of an older schema (not for a new one)."""

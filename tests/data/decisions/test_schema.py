"""reader.data.decisions.schema: a new file's tables, and each upgrade up to SCHEMA_VERSION."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.data.article import Decision
from reader.data.decisions.schema import _SCHEMA, _UPGRADES, SCHEMA_VERSION
from reader.data.decisions.store import Step, TriageStore
from tests.data.writeback.test_writer import SCHEMA_1

SCHEMA_2 = """
CREATE TABLE decisions (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('undecided', 'published', 'skipped')),
    reason TEXT,
    origin TEXT NOT NULL CHECK (origin IN ('file', 'editor')),
    at TEXT NOT NULL
);
CREATE TABLE batches (
    batch INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('decide', 'apply', 'undo', 'redo')),
    ref INTEGER, status TEXT, top INTEGER
);
CREATE TABLE journal (
    seq INTEGER PRIMARY KEY,
    batch INTEGER NOT NULL REFERENCES batches(batch),
    at TEXT NOT NULL,
    key TEXT NOT NULL,
    old_state TEXT, old_reason TEXT, old_origin TEXT,
    new_state TEXT, new_reason TEXT, new_origin TEXT
);
CREATE INDEX journal_batch ON journal(batch);
CREATE TABLE file_writes (
    seq INTEGER PRIMARY KEY,
    batch INTEGER NOT NULL REFERENCES batches(batch),
    at TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL,
    line_at INTEGER NOT NULL,
    old_line BLOB NOT NULL,
    new_line BLOB NOT NULL,
    old_digest TEXT NOT NULL,
    new_digest TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'written', 'failed'))
);
CREATE INDEX file_writes_batch ON file_writes(batch);
CREATE INDEX file_writes_pending ON file_writes(status) WHERE status = 'pending';
INSERT INTO decisions VALUES ('a.md', 'published', NULL, 'editor', '2024-01-01');
INSERT INTO decisions VALUES ('b.md', 'skipped', 'dup', 'editor', '2024-01-01');
INSERT INTO decisions VALUES ('c.md', 'undecided', NULL, 'file', '2024-01-01');
INSERT INTO batches VALUES (1, '2024-01-01', 'decide', NULL, 'done', 1);
INSERT INTO batches VALUES (2, '2024-01-01', 'apply', NULL, 'done', 2);
INSERT INTO batches VALUES (3, '2024-01-02', 'decide', NULL, 'undone', 4);
INSERT INTO batches VALUES (4, '2024-01-02', 'undo', 3, NULL, NULL);
INSERT INTO journal VALUES
    (1, 1, '2024-01-01', 'a.md', NULL, NULL, NULL, 'published', NULL, 'editor'),
    (2, 1, '2024-01-01', 'b.md', NULL, NULL, NULL, 'skipped', 'dup', 'editor'),
    (3, 3, '2024-01-02', 'a.md', 'published', NULL, 'editor', 'skipped', NULL, 'editor'),
    (4, 4, '2024-01-02', 'a.md', 'skipped', NULL, 'editor', 'published', NULL, 'editor');
INSERT INTO file_writes VALUES (1, 2, '2024-01-01', 'a.md', 'published', 0, X'',
    CAST('published: true' || char(10) AS BLOB), 'a', 'b', 'written');
PRAGMA user_version = 2;
"""
"""A file as newsreader 2 left it: two decisions, an apply step, a decide step undone."""

SCHEMA_3 = """
CREATE TABLE decisions (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('undecided', 'published', 'skipped')),
    reason TEXT,
    origin TEXT NOT NULL CHECK (origin IN ('file', 'editor')),
    at TEXT NOT NULL
);
CREATE TABLE batches (
    batch INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('decide', 'apply', 'story', 'undo', 'redo')),
    ref INTEGER, status TEXT, top INTEGER
);
CREATE TABLE journal (
    seq INTEGER PRIMARY KEY,
    batch INTEGER NOT NULL REFERENCES batches(batch),
    at TEXT NOT NULL,
    key TEXT NOT NULL,
    old_state TEXT, old_reason TEXT, old_origin TEXT,
    new_state TEXT, new_reason TEXT, new_origin TEXT
);
CREATE INDEX journal_batch ON journal(batch);
CREATE TABLE file_writes (
    seq INTEGER PRIMARY KEY,
    batch INTEGER NOT NULL REFERENCES batches(batch),
    at TEXT NOT NULL,
    key TEXT NOT NULL,
    state TEXT NOT NULL,
    line_at INTEGER NOT NULL,
    old_line BLOB NOT NULL,
    new_line BLOB NOT NULL,
    old_digest TEXT NOT NULL,
    new_digest TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'written', 'failed'))
);
CREATE INDEX file_writes_batch ON file_writes(batch);
CREATE INDEX file_writes_pending ON file_writes(status) WHERE status = 'pending';
CREATE TABLE story_edits (
    seq INTEGER PRIMARY KEY,
    batch INTEGER NOT NULL REFERENCES batches(batch),
    at TEXT NOT NULL,
    key TEXT NOT NULL,
    action TEXT NOT NULL CHECK (action IN ('split', 'merge')),
    target TEXT
);
CREATE INDEX story_edits_batch ON story_edits(batch);
INSERT INTO decisions VALUES ('a.md', 'published', NULL, 'editor', '2025-01-01');
INSERT INTO decisions VALUES ('b.md', 'skipped', 'dup', 'editor', '2025-01-01');
INSERT INTO batches VALUES (1, '2025-01-01', 'decide', NULL, 'done', 1);
INSERT INTO batches VALUES (2, '2025-01-01', 'apply', NULL, 'undone', 3);
INSERT INTO batches VALUES (3, '2025-01-02', 'undo', 2, NULL, NULL);
INSERT INTO batches VALUES (4, '2025-01-02', 'story', NULL, 'done', 4);
INSERT INTO journal VALUES
    (1, 1, '2025-01-01', 'a.md', NULL, NULL, NULL, 'published', NULL, 'editor'),
    (2, 1, '2025-01-01', 'b.md', NULL, NULL, NULL, 'skipped', 'dup', 'editor');
INSERT INTO file_writes VALUES (1, 2, '2025-01-01', 'a.md', 'published', 0, X'',
    CAST('published: true' || char(10) AS BLOB), 'a', 'b', 'written');
INSERT INTO story_edits VALUES (1, 4, '2025-01-02', 'b.md', 'split', NULL);
PRAGMA user_version = 3;
"""
"""A file as newsreader 3 left it: decisions, an apply step undone, a story step; no
record of any apply's git commit."""

SCHEMA_4 = (
    SCHEMA_3.replace("PRAGMA user_version = 3;", "")
    + """
CREATE TABLE apply_commits (
    batch INTEGER PRIMARY KEY REFERENCES batches(batch),
    at TEXT NOT NULL,
    sha TEXT NOT NULL CHECK (sha != '')
);
INSERT INTO apply_commits VALUES (2, '2025-01-01', 'c0ffee');
PRAGMA user_version = 4;
"""
)
"""A file as newsreader 4 left it: newsreader 3's, with the commit its apply step made; no
record of writes owed a commit."""

SCHEMA_5 = (
    SCHEMA_4.replace("PRAGMA user_version = 4;", "")
    + """
CREATE TABLE commits_owed (
    seq INTEGER PRIMARY KEY REFERENCES file_writes(seq),
    batch INTEGER NOT NULL REFERENCES batches(batch)
);
INSERT INTO commits_owed VALUES (1, 2);
PRAGMA user_version = 5;
"""
)
"""A file as newsreader 5 left it: newsreader 4's, with a write owed a commit; no
fingerprint of a gone file."""

SCHEMA_6 = (
    SCHEMA_5.replace("PRAGMA user_version = 5;", "")
    + """
CREATE TABLE gone_prints (
    key TEXT PRIMARY KEY,
    digest TEXT,
    url TEXT
);
PRAGMA user_version = 6;
"""
)
"""A file as newsreader 6 left it: newsreader 5's, with a gone file's fingerprint table;
no desk (no events, decisions name no event, batches take no `sync`)."""

OLD_SCHEMAS = {1: SCHEMA_1, 2: SCHEMA_2, 3: SCHEMA_3, 4: SCHEMA_4, 5: SCHEMA_5, 6: SCHEMA_6}
"""A file as each older newsreader left it (with rows), by its user_version."""


@pytest.fixture
def conn() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:", isolation_level=None)
    yield db
    db.close()


def shape(conn: sqlite3.Connection) -> dict[str, object]:
    """Every table's columns and indexes, as SQLite reports them (not the CREATE text)."""
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {
        name: (
            conn.execute(f"PRAGMA table_info({name})").fetchall(),
            sorted(conn.execute(f"PRAGMA index_list({name})").fetchall()),
            conn.execute(f"PRAGMA foreign_key_list({name})").fetchall(),
        )
        for name in sorted(names)
    }


def create(conn: sqlite3.Connection) -> None:
    """What the store runs on a new file (and after any upgrade)."""
    for statement in _SCHEMA.split(";"):
        if statement.strip():
            conn.execute(statement)


def upgrade(conn: sqlite3.Connection, version: int) -> None:
    """What the store runs on a file of an older version."""
    for statement in _UPGRADES.get(version, ()):
        conn.execute(statement)
    create(conn)


def test_every_older_version_has_an_upgrade_and_a_file_to_test_it() -> None:
    assert sorted(_UPGRADES) == list(range(1, SCHEMA_VERSION))
    assert sorted(OLD_SCHEMAS) == list(range(1, SCHEMA_VERSION))


def test_a_new_schema_can_be_run_again(conn: sqlite3.Connection) -> None:
    create(conn)
    first = shape(conn)
    create(conn)  # IF NOT EXISTS: the store runs it after every upgrade
    assert shape(conn) == first
    assert set(first) == {
        "decisions", "batches", "journal", "file_writes", "story_edits", "apply_commits",
        "commits_owed", "gone_prints", "events", "event_parents", "event_heads", "claims"}


@pytest.mark.parametrize("version", sorted(OLD_SCHEMAS))
def test_an_upgraded_file_has_the_new_files_shape(
    conn: sqlite3.Connection, tmp_path: Path, version: int
) -> None:
    conn.executescript(OLD_SCHEMAS[version])
    rows = conn.execute("SELECT * FROM batches ORDER BY batch").fetchall()
    upgrade(conn, version)
    fresh = sqlite3.connect(":memory:")
    try:
        create(fresh)
        assert shape(conn) == shape(fresh)
    finally:
        fresh.close()
    assert conn.execute("SELECT * FROM batches ORDER BY batch").fetchall() == rows
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


@pytest.mark.parametrize("version", [0, *sorted(OLD_SCHEMAS)])
def test_the_store_brings_every_version_to_the_current_one(tmp_path: Path, version: int) -> None:
    db = tmp_path / "decisions.db"
    if version:
        old = sqlite3.connect(db)
        old.executescript(OLD_SCHEMAS[version])
        old.close()
    TriageStore(db).close()
    check = sqlite3.connect(db)
    try:
        assert check.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert check.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        check.close()


def _insert(conn: sqlite3.Connection, table: str, **values: object) -> None:
    names = ", ".join(values)
    marks = ", ".join("?" for _ in values)
    conn.execute(f"INSERT INTO {table} ({names}) VALUES ({marks})", tuple(values.values()))


DECISION = {"key": "a.md", "state": "published", "origin": "editor", "at": "t"}
BATCH = {"batch": 2, "at": "t", "kind": "apply"}
EDIT = {"batch": 1, "at": "t", "key": "a.md", "action": "split"}
COMMIT = {"batch": 1, "at": "t", "sha": "0123456789abcdef0123456789abcdef01234567"}
WRITE = {
    "batch": 1, "at": "t", "key": "a.md", "state": "published", "line_at": 0,
    "old_line": b"", "new_line": b"published: true\n", "old_digest": "a", "new_digest": "b",
    "status": "pending",
}  # fmt: skip

ROWS = [
    pytest.param("decisions", DECISION, True, id="decision"),
    pytest.param("decisions", {**DECISION, "state": "maybe"}, False, id="decision-unknown-state"),
    pytest.param("decisions", {**DECISION, "state": "Published"}, False, id="decision-case"),
    pytest.param("decisions", {**DECISION, "origin": "cli"}, False, id="decision-unknown-origin"),
    pytest.param("decisions", {**DECISION, "at": None}, False, id="decision-no-time"),
    pytest.param("batches", BATCH, True, id="apply-batch"),
    pytest.param("batches", {**BATCH, "kind": "delete"}, False, id="batch-unknown-kind"),
    pytest.param("file_writes", WRITE, True, id="file-write"),
    pytest.param("file_writes", {**WRITE, "status": "done"}, False, id="write-unknown-status"),
    pytest.param("file_writes", {**WRITE, "old_line": None}, False, id="write-no-old-line"),
    pytest.param("file_writes", {**WRITE, "batch": 99}, False, id="write-of-no-batch"),
    pytest.param("batches", {**BATCH, "kind": "story"}, True, id="story-batch"),
    pytest.param("story_edits", EDIT, True, id="split"),
    pytest.param("story_edits", {**EDIT, "action": "merge", "target": "b.md"}, True, id="merge"),
    pytest.param("story_edits", {**EDIT, "action": "join"}, False, id="edit-unknown-action"),
    pytest.param("story_edits", {**EDIT, "key": None}, False, id="edit-no-key"),
    pytest.param("story_edits", {**EDIT, "batch": 99}, False, id="edit-of-no-batch"),
    pytest.param("apply_commits", COMMIT, True, id="commit"),
    pytest.param("apply_commits", {**COMMIT, "sha": None}, False, id="commit-no-sha"),
    pytest.param("apply_commits", {**COMMIT, "sha": ""}, False, id="commit-empty-sha"),
    pytest.param("apply_commits", {**COMMIT, "batch": 99}, False, id="commit-of-no-batch"),
]


@pytest.mark.parametrize(("table", "row", "ok"), ROWS)
def test_the_tables_refuse_rows_the_store_would_not_write(
    conn: sqlite3.Connection, table: str, row: dict[str, object], ok: bool
) -> None:
    create(conn)
    conn.execute("PRAGMA foreign_keys=ON")  # as the store has it
    _insert(conn, "batches", batch=1, at="t", kind="decide")
    before = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
    if not ok:
        with pytest.raises(sqlite3.IntegrityError):
            _insert(conn, table, **row)
        return
    _insert(conn, table, **row)
    assert conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0] == before + 1


@pytest.mark.parametrize("version", [1])  # schema 2 knows apply steps
def test_an_upgraded_file_takes_an_apply_step(conn: sqlite3.Connection, version: int) -> None:
    conn.executescript(OLD_SCHEMAS[version])
    with pytest.raises(sqlite3.IntegrityError):
        _insert(conn, "batches", **{**BATCH, "batch": 100})  # the old CHECK refuses it
    upgrade(conn, version)
    _insert(conn, "batches", **{**BATCH, "batch": 100})
    _insert(conn, "file_writes", **{**WRITE, "batch": 100})


@pytest.mark.parametrize("version", [1, 2])  # schema 3 knows story steps
def test_an_upgraded_file_takes_a_story_step(conn: sqlite3.Connection, version: int) -> None:
    conn.executescript(OLD_SCHEMAS[version])
    with pytest.raises(sqlite3.IntegrityError):
        _insert(conn, "batches", **{**BATCH, "batch": 100, "kind": "story"})  # the old CHECK
    upgrade(conn, version)
    conn.execute("PRAGMA foreign_keys=ON")
    _insert(conn, "batches", **{**BATCH, "batch": 100, "kind": "story"})
    _insert(conn, "story_edits", **{**EDIT, "batch": 100})


def test_a_schema_2_store_keeps_every_decision_and_step(tmp_path: Path) -> None:
    """Opened by this version, a newsreader 2 file keeps its decisions, its journal, its
    file writes and both stacks, and takes story steps."""
    db = tmp_path / "decisions.db"
    old = sqlite3.connect(db)
    old.executescript(SCHEMA_2)
    tables = ("decisions", "batches", "journal", "file_writes")
    before = {t: old.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    old.close()
    store = TriageStore(db)
    try:
        after = {t: store.conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
        after["decisions"] = [row[:5] for row in after["decisions"]]  # less the desk's event
        assert after == before
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert store.editor_decisions() == {
            "a.md": (Decision.PUBLISHED, None), "b.md": (Decision.SKIPPED, "dup")}
        assert store.decision("c.md") is Decision.UNDECIDED
        assert len(list(store.journal())) == 4
        assert store.next_step(undo=True) == Step(2, "apply")
        assert store.next_step(undo=False) == Step(3, "decide")
        assert store.story_edits() == []
        batch = store.split_story(["c.md"])  # a story step, on top of the old ones
        assert batch is not None and batch > 4
        assert store.story_edits() == [("c.md", "split", None)]
        assert not store.can_redo()  # a new step drops the old redo stack, as ever
        assert store.next_step() == Step(batch, "story")
    finally:
        store.close()
    TriageStore(db).close()  # and opens again as it is


def test_a_schema_3_store_keeps_every_row_and_can_record_commits(tmp_path: Path) -> None:
    """Opened by this version, a newsreader 3 file keeps every row of every table, its
    steps and stacks, and gets the table of apply commits, empty, in place."""
    db = tmp_path / "decisions.db"
    old = sqlite3.connect(db)
    old.executescript(SCHEMA_3)
    tables = ("decisions", "batches", "journal", "file_writes", "story_edits")
    before = {t: old.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
    old.close()
    store = TriageStore(db)
    try:
        after = {t: store.conn.execute(f"SELECT * FROM {t} ORDER BY 1").fetchall() for t in tables}
        after["decisions"] = [row[:5] for row in after["decisions"]]  # less the desk's event
        assert after == before
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert store.next_step(undo=True) == Step(4, "story")
        assert store.next_step(undo=False) == Step(2, "apply")
        assert store.story_edits() == [("b.md", "split", None)]
        assert store.apply_commits() == {}  # the old apply made none that anyone knows of
        assert store.commit_of(2) is None
        store.record_commit(2, "0123456789abcdef0123456789abcdef01234567")
    finally:
        store.close()
    reopened = TriageStore(db)  # and opens again as it is, with the commit
    try:
        assert reopened.commit_of(2) == "0123456789abcdef0123456789abcdef01234567"
    finally:
        reopened.close()


@pytest.mark.parametrize("version", sorted(OLD_SCHEMAS))
def test_an_upgrade_makes_each_editor_decision_an_event_to_share(
    tmp_path: Path, version: int
) -> None:
    db = tmp_path / "decisions.db"
    old = sqlite3.connect(db)
    old.executescript(OLD_SCHEMAS[version])
    editor = dict(old.execute("SELECT key, state FROM decisions WHERE origin = 'editor'"))
    old.close()
    assert editor, "the old file must hold an editor's decision for this test to mean anything"
    store = TriageStore(db)
    try:
        events = store.unshared_events()
        assert {e.article: e.state for e in events} == editor
        assert all(e.editor is None and e.on == () for e in events)
        assert set(store.decided_by()) == set(editor)
        assert store.conflicts() == {}
    finally:
        store.close()

"""The index file: its tables, and opening it (WAL, a size limit, rebuilt on a new schema)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA_VERSION = 10
"""Bump it with any change to `_SCHEMA`, or to what parsing makes of a file: a file at this
version is opened as it is (an older one is emptied and made anew, to be filled again
from the files). 6: plain text that is no press release is no article. 7: each article's
`seen`, the rescan that first listed it. 8: one-line fields lose zero-width characters
outside emoji sequences. 9: what Jekyll reads of each file (`jekyll`), a `...` closer,
and front matter Jekyll would not see is a problem, not a press release; one-line fields
lose the bidi marks U+061C, U+200E and U+200F. 10: no JSON copy of each article
(`records`): a shown article is read from its file, `articles.problems` keeps its
problems, `published_blank` a `published:` key with no true/false value, and
`extras` what `list --format json` prints; quality and heat keep an int an
int; an old file is emptied and vacuumed, so that it shrinks."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS articles (
    rowid INTEGER PRIMARY KEY,
    key TEXT UNIQUE NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    digest TEXT,                   -- blake2b of the bytes read, to notice edits on disk
    kind TEXT NOT NULL,            -- frontmatter | press | problem (not an article)
    title TEXT, provider TEXT, domain TEXT, published_at TEXT,
    quality, heat,                 -- no type: a number stays as the file wrote it (72, 72.5)
    type TEXT, file_published INTEGER,
    problem_count INTEGER NOT NULL DEFAULT 0,
    topics TEXT,                   -- joined with U+001F for filters
    jekyll TEXT,                   -- what Jekyll reads of it (files/jekyll.py), NULL: plain
    problems TEXT,                 -- JSON [[field, why], ...], NULL: none
    published_blank INTEGER,       -- 1: a published: key with no true/false value
    seen INTEGER NOT NULL DEFAULT 0  -- the rescan that first listed it (meta 'rescans')
);
-- The rest of an article is read from its file when shown; what `list --format json`
-- prints of it (body, images, video, related links' title, URL, provider and date) is
-- kept here, zlib-compressed JSON, so that listing them all reads no file. No row: none.
CREATE TABLE IF NOT EXISTS extras (
    rowid INTEGER PRIMARY KEY,     -- the article's rowid
    data BLOB NOT NULL
);
-- What story clustering reads: URLs joined with U+001F, apart from the articles.
CREATE TABLE IF NOT EXISTS links (
    rowid INTEGER PRIMARY KEY,     -- the article's rowid
    urls TEXT NOT NULL,            -- webUrl and originalUrl
    related TEXT NOT NULL          -- the URLs of its `related` articles
);
-- Each article's story (see stories.py and story_tables.py).
CREATE TABLE IF NOT EXISTS stories (
    key TEXT PRIMARY KEY,
    story TEXT NOT NULL,           -- the smallest key among its members, after the edits
    size INTEGER NOT NULL,
    machine TEXT NOT NULL          -- the group clustering put it in (an opaque label)
);
CREATE INDEX IF NOT EXISTS stories_by_story ON stories(story);
-- Normalised URLs of each article, so a new copy finds its story without a re-cluster.
CREATE TABLE IF NOT EXISTS story_urls (url TEXT NOT NULL, key TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS story_urls_by_url ON story_urls(url);
CREATE INDEX IF NOT EXISTS story_urls_by_key ON story_urls(key);
-- How many articles use each term, for the weights of new articles' words.
CREATE TABLE IF NOT EXISTS story_terms (term TEXT PRIMARY KEY, df INTEGER NOT NULL)
    WITHOUT ROWID;
-- The default order, so the app's first screenful needs no sort of every article.
CREATE INDEX IF NOT EXISTS articles_by_date
    ON articles(published_at IS NULL, published_at DESC, key);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, excerpt, provider, topics, tokenize = 'unicode61 remove_diacritics 2'
);
"""

WAL_LIMIT = 32 << 20
"""Bytes the index's WAL file is cut back to after a checkpoint."""
READ_CACHE_KIB = 512
"""Page cache of a connection that reads (SQLite's default is 2,000 KiB). The app holds
several at once (its own, and a worker's for a scan, the rows, the site...), and reading
a big folder's rows fills each: at 51,000 articles this one setting lowered the app's
peak memory by 3 to 4 MiB. Its reads scan tables or follow one key, which a larger cache
does not make faster."""
WRITE_CACHE_KIB = 2000
"""Page cache while a connection writes many rows (`bulk`): SQLite's default, so that the
B-trees being filled stay in memory."""


def connect(db_path: Path) -> sqlite3.Connection:
    """Open the index, creating its tables; a file of another schema version is emptied."""
    conn = sqlite3.connect(db_path, timeout=10, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=NORMAL")  # the index can always be rebuilt
    # A first index writes the whole database through the WAL; without a limit the WAL
    # file keeps its largest size (about the whole database's, after a big folder) for as
    # long as it exists.
    conn.execute(f"PRAGMA journal_size_limit={WAL_LIMIT}")
    conn.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if version == SCHEMA_VERSION:  # nothing to write: other connections see no change
        return conn
    if version != 0:
        _empty(conn)
    conn.executescript(_SCHEMA)
    # Every article is listed anew: none of them is new to the editor.
    with conn:
        conn.execute("DELETE FROM meta WHERE key IN ('rescans', 'shown')")
    conn.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
    return conn


@contextmanager
def bulk(conn: sqlite3.Connection) -> Iterator[None]:
    """Give the connection SQLite's usual page cache while it writes many rows, then free
    it down to a reader's again."""
    conn.execute(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")
    try:
        yield
    finally:
        conn.execute(f"PRAGMA cache_size=-{READ_CACHE_KIB}")


def _empty(conn: sqlite3.Connection) -> None:
    """Drop every table and view but `meta`, then give the freed pages back to the disk
    (without VACUUM the file keeps its old size, to be filled again)."""
    found = conn.execute(
        "SELECT type, name FROM sqlite_schema WHERE type IN ('table', 'view') "
        "AND name != 'meta' AND name NOT LIKE 'sqlite_%'"
    ).fetchall()
    # A virtual table's own shadow tables go with it; dropping one first would fail.
    shadows = {f"{name}_{part}" for kind, name in found for part in
               ("data", "idx", "content", "docsize", "config")}
    script = "".join(f'DROP {kind.upper()} IF EXISTS "{name}"; ' for kind, name in found
                     if name not in shadows)
    conn.executescript(script)
    conn.execute("VACUUM")

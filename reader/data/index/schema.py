"""The index file: its tables, and opening it (WAL, a size limit, rebuilt on a new schema)."""

from __future__ import annotations

import hashlib
import sqlite3
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

SCHEMA_VERSION = 11
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
int; an old file is emptied and vacuumed, so that it shrinks. 11: half the size (issue
"Lighter and faster"): the story tables name articles by rowid, not key (`stories.story`
the naming member's rowid, `machine` a 64-bit label), `story_urls` holds 64-bit hashes of
the URLs; the full-text table keeps no copy of its text (contentless); `links` (URLs,
related URLs and now the excerpt) and `extras` are compressed blobs in `blobs`, each kept
once however many copies of an article name it; an article keeps its rowid when its file
is read again, and no rowid is given twice."""
_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
-- An article keeps its rowid while its file keeps its name (read again, it is replaced in
-- place), and no rowid is given twice (AUTOINCREMENT): the other tables name articles by
-- rowid, and a rowid a story still names after its article went names no other one.
CREATE TABLE IF NOT EXISTS articles (
    rowid INTEGER PRIMARY KEY AUTOINCREMENT,
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
    seen INTEGER NOT NULL DEFAULT 0, -- the rescan that first listed it (meta 'rescans')
    -- The blob (`blobs.rowid`) of what story clustering reads besides this row, and the
    -- excerpt (the full-text table keeps no copy): `pack_links` of its URLs, related URLs
    -- and excerpt. Every article has one; a problem none.
    links INTEGER,
    -- The rest of an article is read from its file when shown; what `list --format json`
    -- prints of it (body, images, video, related links' title, URL, provider and date) is
    -- the blob here, `deflate`d JSON, so that listing them all reads no file. NULL:
    -- none of it.
    extras INTEGER
);
-- The blobs articles name (`articles.links` and `articles.extras`), each kept once: copies
-- of one article (versions of one file, one page saved twice) share theirs. `refs` counts
-- the names; a blob that no article names goes.
CREATE TABLE IF NOT EXISTS blobs (
    rowid INTEGER PRIMARY KEY,
    hash INTEGER NOT NULL,         -- hash64 of data, to find it again (then data is compared)
    refs INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS blobs_by_hash ON blobs(hash);
-- Each article's story (see stories.py and story_tables.py).
CREATE TABLE IF NOT EXISTS stories (
    rowid INTEGER PRIMARY KEY,     -- the article's rowid
    story INTEGER NOT NULL,        -- the rowid of its member with the smallest key, after
                                   -- the edits: that member's id is the story's
    size INTEGER NOT NULL,
    machine INTEGER NOT NULL       -- the group clustering put it in (an opaque label)
);
CREATE INDEX IF NOT EXISTS stories_by_story ON stories(story);
-- Each article's own URLs, normalised and hashed (`story_tables.url_hash`), so that a new
-- copy finds its story without a re-cluster.
CREATE TABLE IF NOT EXISTS story_urls (
    url INTEGER NOT NULL,
    article INTEGER NOT NULL,      -- the article's rowid
    PRIMARY KEY (url, article)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS story_urls_by_article ON story_urls(article);
-- How many articles use each term, for the weights of new articles' words.
CREATE TABLE IF NOT EXISTS story_terms (term TEXT PRIMARY KEY, df INTEGER NOT NULL)
    WITHOUT ROWID;
-- The default order, so the app's first screenful needs no sort of every article.
CREATE INDEX IF NOT EXISTS articles_by_date
    ON articles(published_at IS NULL, published_at DESC, key);
-- Contentless: searches read only rowids. A row is deleted with the 'delete' command and
-- the very values it was inserted with (`Index._delete` reads them from the article's row
-- and its links blob): other values would leave its words matching.
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, excerpt, provider, topics, content = '', columnsize = 0,
    tokenize = 'unicode61 remove_diacritics 2'
);
"""

def hash64(data: bytes) -> int:
    """The first 8 bytes of the blake2b of `data`, as a signed 64-bit integer (what an
    SQLite INTEGER holds). Stored hashes are looked up by later runs: it must not change
    while SCHEMA_VERSION does not."""
    return int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "big", signed=True)


def pack_links(urls: str, related: str, excerpt: str) -> bytes:
    """An article's links blob: its URLs (webUrl and originalUrl joined with U+001F), its
    related articles' URLs (joined with U+001F) and its excerpt, deflated. None of them
    holds U+001E (parsing drops control characters from every one-line field)."""
    return deflate(f"{urls}\x1e{related}\x1e{excerpt}".encode())


def unpack_links(data: bytes) -> tuple[str, str, str]:
    """(urls, related, excerpt) of a links blob, as `pack_links` was given them."""
    urls, related, excerpt = inflate(data).decode().split("\x1e", 2)
    return urls, related, excerpt


_WINDOW = -12
"""Raw deflate (no header, no checksum) with a 4 KiB window: a blob is a few hundred bytes
(the extras of one article a few KiB), and zlib sets up a smaller window and hash table
several times faster, for the same size."""


def deflate(data: bytes) -> bytes:
    """A blob's bytes compressed, as `inflate` reads them."""
    packer = zlib.compressobj(9, zlib.DEFLATED, _WINDOW, 5)
    return packer.compress(data) + packer.flush()


def inflate(data: bytes) -> bytes:
    """The bytes `deflate` compressed."""
    return zlib.decompress(data, _WINDOW)


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

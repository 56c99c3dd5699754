"""A folder of article files to an SQLite index, refreshed incrementally by (mtime, size)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from reader.data.article import Article, Problem, RelatedLink
from reader.data.files.walk import FileStat, iter_files
from reader.data.ids import id_from_key, key_from_id
from reader.data.index import blobs
from reader.data.index.schema import (
    READ_CACHE_KIB,
    bulk,
    connect,
    deflate,
    inflate,
    pack_links,
    unpack_links,
)
from reader.data.index.schema import SCHEMA_VERSION as SCHEMA_VERSION
from reader.data.index.schema import WAL_LIMIT as WAL_LIMIT

if TYPE_CHECKING:
    from reader.data.index.story_tables import Edit

POOL_THRESHOLD = 400
"""Below this many files to parse, a process pool costs more than it saves."""
POOL_CHUNK = 128
"""Files per task of the process pool (scripts/bench_index.py's floor uses it too)."""

Progress = Callable[[int, int], None]
"""Called with (files done, files to parse) as a scan goes on."""

_BIG_CHANGE = 500
"""Files changed in one refresh above which the WAL is checkpointed and emptied at the end."""
_SIZES = 1 << 48
"""Above any file size: `mtime * _SIZES + size` stands for both."""


class Fingerprint(NamedTuple):
    """What identifies an indexed file besides its name."""

    digest: str | None
    """The digest of the bytes read (None: they could not be read)."""
    url: str
    """Its web URL ("" for none)."""
    seen: int = 0
    """The rescan that first listed it."""


@dataclass
class RefreshResult:
    """What a refresh changed in the index."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[Problem] = field(default_factory=list)
    """Entries never indexed: symbolic links, unreadable folders."""
    temps: list[str] = field(default_factory=list)
    """Write-back temporaries seen (left by a write that was killed, or one going on)."""
    gone: dict[str, Fingerprint] = field(default_factory=dict)
    """What each removed file was, read before its rows went: to find it again renamed."""
    renamed: list[tuple[str, str]] = field(default_factory=list)
    """Removed files found again under a new name (old id, new id): not new to the
    editor; the library fills it in."""
    moved: list[tuple[str, str]] = field(default_factory=list)
    """Those of them whose decision followed them (the library fills it in)."""

    @property
    def parsed(self) -> int:
        """How many files were parsed."""
        return len(self.added) + len(self.changed)


class IndexRow(NamedTuple):
    """What the index stores for one file; made in a worker process, inserted by the parent."""

    key: str
    mtime_ns: int
    size: int
    digest: str | None
    kind: str
    title: str | None = None
    provider: str | None = None
    domain: str | None = None
    published_at: str | None = None
    quality: float | None = None
    heat: float | None = None
    type: str | None = None
    file_published: int | None = None
    problem_count: int = 1
    topics: str | None = None
    jekyll: str | None = None
    """What Jekyll reads of the file (files/jekyll.py `to_record`; None: the common case)."""
    problems: str | None = None
    """Its problems as JSON `[[field, why], ...]` (None: none)."""
    published_blank: int | None = None
    """1: a `published:` key with no true/false value (`file_published` is None then, as
    it is with no key at all, which the planner tells apart); None otherwise."""
    excerpt: str | None = None
    """For the full-text table (which keeps no copy): `links` holds it too."""
    links: bytes | None = None
    """Its links blob: `pack_links` of its URLs, related URLs and excerpt (None: a problem,
    no article)."""
    extras: bytes | None = None
    """What `list --format json` prints beyond the row (`listed_article`; None: nothing)."""

    @property
    def is_article(self) -> bool:
        """Whether the file is an article (else a problem)."""
        return self.kind != "problem"


_COLUMNS = IndexRow._fields[: IndexRow._fields.index("excerpt")]
"""The `articles` columns; the excerpt and URLs are stored elsewhere."""

KNOWN = (
    "a.key, a.kind, a.title, a.provider, a.domain, a.published_at, a.quality, a.heat, "
    "a.type, a.file_published, a.topics, a.problems, a.published_blank, l.data"
)
"""The columns `known_article` reads, from `KNOWN_FROM`."""
KNOWN_FROM = "articles a LEFT JOIN blobs l ON l.rowid = a.links"
"""The tables that hold what the index knows of an article: its row, and its links and
excerpt."""


def known_article(row: Sequence[Any], extras: bytes | None = None) -> Article:
    """The article a row of `KNOWN` describes: what the index keeps of it, which is all a
    list or a search reads, and what EXTRAS holds (see `listed_article`). The rest (body,
    images, video, related links, all in its file) is left empty: `Library.article`
    reads it."""
    key, kind, title, provider, domain, when, quality, heat, type_, published = row[:10]
    topics, problems, blank, links = row[10:]
    article_id = id_from_key(key)
    urls, _, excerpt = unpack_links(links) if links is not None else ("", "", "")
    web_url, _, original_url = urls.partition("\x1f")
    body, images, video = "", (), ""
    related: tuple[RelatedLink, ...] = ()
    if extras is not None:
        data = json.loads(inflate(extras))
        body, images, video = data["b"], tuple(data["i"]), data["v"]
        related = tuple(
            RelatedLink(title=text, url=url, provider=name,
                        published_at=datetime.fromisoformat(date) if date else None)
            for text, url, name, date in data["r"]
        )  # fmt: skip
    return Article(
        id=article_id, kind=kind, title=title or "", excerpt=excerpt or "", body=body,
        published_at=datetime.fromisoformat(when) if when else None,
        provider=provider or "", domain=domain or "",
        topics=tuple(topics.split("\x1f")) if topics else (),
        quality=quality, heat=heat, type=type_ or "article",
        web_url=web_url, original_url=original_url, video_url=video, images=images,
        related=related, file_published=None if published is None else bool(published),
        has_published_key=published is not None or bool(blank),
        problems=tuple(Problem(article_id, f, why) for f, why in json.loads(problems))
        if problems else (),
    )  # fmt: skip


LISTED = f"{KNOWN}, e.data"
"""The columns `listed_article` reads, from `LISTED_FROM`."""
LISTED_FROM = f"{KNOWN_FROM} LEFT JOIN blobs e ON e.rowid = a.extras"
"""`KNOWN_FROM` and the extras."""


def listed_article(row: Sequence[Any]) -> Article:
    """The article a row of `LISTED` describes: `known_article` with the body, images, video
    and related links `list --format json` prints (of each related link only its title,
    URL, provider and date)."""
    return known_article(row[:-1], row[-1])


def _row(stat: FileStat) -> IndexRow | None:
    """Parse one file into the row the index stores (runs in a worker process); None when
    it went since the walk listed it (renamed, deleted): its row, if any, stays as it was
    until the next refresh finds it gone, and what identified it with it (see
    `RefreshResult.gone`), not a problem row that has no digest or URL to find it by."""
    from reader.data.files.jekyll import JekyllFile, to_record
    from reader.data.files.parse import parse_for_index, read_head  # YAML loads when read

    key = key_from_id(stat.id)
    try:
        data = read_head(Path(stat.path))
    except FileNotFoundError:
        return None
    except OSError as error:
        result: Article | Problem = Problem(stat.id, "file", f"cannot read: {error.strerror}")
        digest, jekyll = None, to_record(JekyllFile(False, why_static="unreadable"))
    else:
        result, seen = parse_for_index(data, stat.id)
        digest, jekyll = hashlib.blake2b(data, digest_size=16).hexdigest(), to_record(seen)
    if isinstance(result, Problem):
        return IndexRow(key, stat.mtime_ns, stat.size, digest, "problem", jekyll=jekyll,
                        problems=json.dumps([[result.field, result.why]]))
    a = result
    return IndexRow(
        key, stat.mtime_ns, stat.size, digest, a.kind, a.title, a.provider, a.domain,
        a.published_at.isoformat() if a.published_at else None, a.quality, a.heat, a.type,
        None if a.file_published is None else int(a.file_published), len(a.problems),
        "\x1f".join(a.topics), jekyll,
        json.dumps([[p.field, p.why] for p in a.problems]) if a.problems else None,
        1 if a.has_published_key and a.file_published is None else None,
        a.excerpt, pack_links("\x1f".join((a.web_url, a.original_url)),
                              "\x1f".join(r.url for r in a.related), a.excerpt),
        _extras(a),
    )  # fmt: skip


def _fts_topics(topics: str | None) -> str:
    """An article's topics as the full-text table holds them: one space between two."""
    return (topics or "").replace("\x1f", " ")


def _web_url(links: bytes) -> str:
    """The web URL a links blob holds ("" for none)."""
    return unpack_links(links)[0].partition("\x1f")[0]


def _extras(article: Article) -> bytes | None:
    """What `list --format json` prints of an article beyond its row (see `listed_article`),
    compressed; None when it has none of it."""
    if not (article.body or article.images or article.video_url or article.related):
        return None
    related = [[r.title, r.url, r.provider, r.published_at.isoformat() if r.published_at else None]
               for r in article.related]  # fmt: skip
    data = {"b": article.body, "i": article.images, "v": article.video_url, "r": related}
    return deflate(json.dumps(data, separators=(",", ":")).encode())


def _rows_chunk(stats: list[FileStat]) -> list[IndexRow | None]:
    """Parse a chunk of files into rows: one task of the process pool."""
    return [_row(stat) for stat in stats]


def _parse_all(
    stats: list[FileStat], progress: Progress | None
) -> Iterator[IndexRow | None]:
    """Parse files, across all cores when there are many; yields rows as they come."""
    total = len(stats)
    if total < POOL_THRESHOLD or (os.cpu_count() or 1) < 2:
        for done, stat in enumerate(stats, 1):
            yield _row(stat)
            if progress and (done % 200 == 0 or done == total):
                progress(done, total)
        return
    # Imported here: only a large scan needs them, and the app starts faster without.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    context = multiprocessing.get_context(start_method())
    chunks = [stats[i : i + POOL_CHUNK] for i in range(0, total, POOL_CHUNK)]
    done = 0
    with ProcessPoolExecutor(os.cpu_count(), mp_context=context) as pool:
        for rows in pool.map(_rows_chunk, chunks):
            done += len(rows)
            yield from rows
            if progress:
                progress(done, total)


def prepare_workers() -> None:
    """Start what a pooled scan needs while stdio is still real.

    A UI that replaces sys.stderr (Textual does, with fileno -1) would make the
    resource tracker fail to start later, from the scan's thread.
    """
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()


def start_method() -> str:
    """fork when it is safe (one thread: the CLI), else a clean forkserver (the TUI's worker)."""
    import multiprocessing

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return "fork"
    return "forkserver" if "forkserver" in methods else "spawn"


class Index:
    """The parsed articles of one cache folder, in SQLite (WAL), keyed by relative path."""

    def __init__(self, db_path: Path, root: Path):
        """Open (or create) the index file `db_path` of the folder `root`; a damaged one is
        deleted and started again (`rebuilt`)."""
        self.db_path = db_path
        self.root = root
        self.rebuilt = False
        """True when a damaged index file was found and rebuilt from the files."""
        db_path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.conn = connect(db_path)
        except sqlite3.DatabaseError:
            # The index is only a copy of what the files say: start it again.
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
            self.rebuilt = True
            self.conn = connect(db_path)

    def attach_store(self, db_path: Path) -> None:
        """Attach the decisions file as `triage`, for the queries that join the two, with a
        reader's page cache as the index's own (see schema.READ_CACHE_KIB)."""
        self.conn.execute("ATTACH DATABASE ? AS triage", (str(db_path),))
        self.conn.execute(f"PRAGMA triage.cache_size=-{READ_CACHE_KIB}")

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def refresh(self, progress: Progress | None = None, again: Iterable[str] = ()
                ) -> RefreshResult:
        """Bring the index up to date with the folder: parse only new or changed files, and
        those of `again` (ids seen changed though their mtime and size are the same)."""
        again = {key_from_id(i) for i in again}
        result = RefreshResult()
        # What the index saw of each file, as one int: a dict of (mtime, size) tuples would
        # hold a tuple more per file, a lot at a big folder. Unique, as sizes are below 2**48
        # bytes.
        known = {
            key: mtime * _SIZES + size
            for key, mtime, size in self.conn.execute("SELECT key, mtime_ns, size FROM articles")
        }
        first = not known  # an empty index: the whole folder is to be parsed
        todo = []
        for stat in iter_files(self.root, result.skipped, result.temps):
            key = key_from_id(stat.id)
            old = known.pop(key, None)
            if old == stat.mtime_ns * _SIZES + stat.size and key not in again:
                result.unchanged += 1
                continue
            (result.changed if old is not None else result.added).append(stat.id)
            todo.append(stat)
        result.removed = [id_from_key(key) for key in known]
        if result.removed:  # a removed file may be back under a new name, now or later
            result.gone = self.fingerprints(result.removed)
        if todo or result.removed:
            rescan = self.rescans() + 1 if result.added else 0
            with bulk(self.conn):
                if first:
                    self._store_first(todo, progress, rescan)
                else:
                    self._store(todo, list(known), progress, rescan)
            if len(todo) + len(result.removed) >= _BIG_CHANGE:  # best effort: a reader
                self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # may hold it back
        return result

    def _store_first(self, todo: list[FileStat], progress: Progress | None, rescan: int) -> None:
        """`_store` into an empty index, without waiting for the disk at each checkpoint."""
        # Until it is built the index holds nothing the files cannot give again: an OS
        # crash that damages it costs a rebuild (a damaged index is deleted and made
        # anew), and a killed process loses nothing that WAL had committed. Only this
        # first fill goes unsynced; every later change is NORMAL again.
        self.conn.execute("PRAGMA synchronous=OFF")
        try:
            self._store(todo, [], progress, rescan)
        finally:
            self.conn.execute("PRAGMA synchronous=NORMAL")

    def _store(self, todo: list[FileStat], removed: list[str], progress: Progress | None,
               rescan: int) -> None:
        """Delete the removed files' rows, then parse and store the new or changed files:
        `rescan` numbers this rescan, for the new ones (0: there are none)."""
        # One transaction per batch: readers see the first articles while the rest are
        # parsed, and a scan that is killed resumes where its last batch committed.
        with self.conn:
            self._delete(removed)
            if rescan:
                self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('rescans', ?)",
                                  (rescan,))
        batch: list[IndexRow] = []
        for row in _parse_all(todo, progress):
            if row is None:  # went since the walk: the next refresh finds it gone
                continue
            batch.append(row)
            if len(batch) >= 500:
                self._replace(batch, rescan)
                batch = []
        self._replace(batch, rescan)

    def _replace(self, rows: list[IndexRow], rescan: int) -> None:
        """Replace these files' rows, in one transaction: a changed file keeps its rowid and
        the rescan that first listed it, a new one takes a new rowid and this rescan
        (`rescan`)."""
        keys = [row.key for row in rows]
        with self.conn:
            old = {key: (rowid, seen) for key, rowid, seen in self._rows_by_key(keys)}
            self._delete(keys)
            self._insert(rows, old, rescan)

    def _rows_by_key(self, keys: list[str]) -> Iterator[tuple[str, int, int]]:
        """(key, rowid, seen) of those of these keys the index lists."""
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            yield from self.conn.execute(
                f"SELECT key, rowid, seen FROM articles WHERE key IN ({','.join('?' * len(part))})",
                part,
            )

    def _delete(self, keys: list[str]) -> None:
        """Delete every row of these keys, in every table, and mark the stories stale."""
        # Every change of articles passes here: their stories must be found again.
        self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('stories', 'stale')")
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            gone = self.conn.execute(
                "SELECT a.rowid, a.title, a.provider, a.topics, a.links, a.extras, l.data "
                "FROM articles a LEFT JOIN blobs l ON l.rowid = a.links "
                f"WHERE a.key IN ({','.join('?' * len(part))})",
                part,
            ).fetchall()
            if not gone:
                continue
            # The full-text table keeps no copy of its text: each row goes with the values
            # it was inserted with (see `_insert`), read before the rows that hold them go.
            self.conn.executemany(
                "INSERT INTO articles_fts (articles_fts, rowid, title, excerpt, provider, "
                "topics) VALUES ('delete', ?, ?, ?, ?, ?)",
                [(rowid, title, unpack_links(data)[2], provider, _fts_topics(topics))
                 for rowid, title, provider, topics, _, _, data in gone if data is not None],
            )  # fmt: skip
            blobs.release(self.conn, (blob for row in gone for blob in row[4:6]))
            rowids = [(row[0],) for row in gone]
            self.conn.executemany("DELETE FROM stories WHERE rowid = ?", rowids)
            self.conn.executemany("DELETE FROM story_urls WHERE article = ?", rowids)
            self.conn.executemany("DELETE FROM articles WHERE rowid = ?", rowids)

    def _insert(self, rows: list[IndexRow], old: Mapping[str, tuple[int, int]],
                rescan: int) -> None:
        """Insert the rows into the articles, blobs and full-text tables: a row whose key
        `old` holds with its (rowid, seen) keeps both; another gets a new rowid and
        `rescan`."""
        if not rows:
            return
        # Number the rows here so the full-text rows can name them without a look-up;
        # past every rowid ever given (AUTOINCREMENT), as SQLite would number them.
        found = self.conn.execute(
            "SELECT seq FROM sqlite_sequence WHERE name = 'articles'").fetchone()
        fresh = iter(range((found[0] if found else 0) + 1, 1 << 62))
        numbered = [(old[row.key][0] if row.key in old else next(fresh), row) for row in rows]
        blob_of = blobs.share(self.conn, [row.links for row in rows] + [row.extras for row in rows])
        marks = ",".join("?" * (len(_COLUMNS) + 4))
        self.conn.executemany(
            f"INSERT INTO articles (rowid, {', '.join(_COLUMNS)}, seen, links, extras) "
            f"VALUES ({marks})",
            [(rowid, *row[: len(_COLUMNS)], old[row.key][1] if row.key in old else rescan,
              blob_of.get(row.links), blob_of.get(row.extras))
             for rowid, row in numbered],
        )  # fmt: skip
        # `_delete` deletes each of these rows with the same values, read back from the
        # article's row and its links blob: change one here, change it there.
        self.conn.executemany(
            "INSERT INTO articles_fts (rowid, title, excerpt, provider, topics) VALUES (?,?,?,?,?)",
            [(rowid, row.title, row.excerpt, row.provider, _fts_topics(row.topics))
             for rowid, row in numbered if row.is_article],
        )

    def update_stories(self, window: timedelta | None = None, edits: Sequence[Edit] = (),
                       full: bool = False) -> int:
        """Give every article a story: new ones join the stories there are, unless there are
        too many of them, the window changed or `full` asks: then everything is clustered
        anew. The editor's edits apply on top. Returns how many stories there are."""
        from reader.data.index import story_tables as story_index
        from reader.data.index.stories import WINDOW

        window = window or WINDOW
        with bulk(self.conn):
            count = None if full else story_index.place_new(self.conn, window, edits)
            return story_index.recluster(self.conn, window, edits) if count is None else count

    def apply_story_edits(self, edits: Sequence[Edit]) -> None:
        """Recompute each article's story from the clustering plus the editor's edits."""
        from reader.data.index import story_tables as story_index

        story_index.apply_edits(self.conn, edits)

    def fingerprints(self, ids: Iterable[str]) -> dict[str, Fingerprint]:
        """What identifies each of these indexed files besides its name: the digest of its
        bytes and its web URL (articles only; an id not indexed is left out)."""
        keys = [key_from_id(i) for i in ids]
        found: dict[str, Fingerprint] = {}
        web: dict[int, str] = {}  # by blob: copies share one
        for i in range(0, len(keys), 500):
            part = keys[i : i + 500]
            for key, digest, blob, links, seen in self.conn.execute(
                "SELECT a.key, a.digest, a.links, l.data, a.seen FROM articles a JOIN blobs l "
                f"ON l.rowid = a.links WHERE a.key IN ({','.join('?' * len(part))})",
                part,
            ):
                url = web.get(blob)
                if url is None:
                    url = web[blob] = _web_url(links)
                found[id_from_key(key)] = Fingerprint(digest, url, seen)
        return found

    def matching(self, digests: Iterable[str], urls: Iterable[str]) -> dict[str, Fingerprint]:
        """The indexed articles whose bytes have one of these digests, or whose web URL is
        one of these URLs, with their fingerprints (one pass over the articles: call it
        for the few decided files that went, not for every file)."""
        digests, urls = set(digests), {u for u in urls if u}
        if not digests and not urls:
            return {}
        found: dict[str, Fingerprint] = {}
        web: dict[int, str] = {}  # by blob: copies share one
        for key, digest, blob, links, seen in self.conn.execute(
            "SELECT a.key, a.digest, a.links, l.data, a.seen FROM articles a JOIN blobs l "
            "ON l.rowid = a.links"
        ):
            url = web.get(blob)
            if url is None:
                url = web[blob] = _web_url(links)
            if digest in digests or url in urls:
                found[id_from_key(key)] = Fingerprint(digest, url, seen)
        return found

    def keep_seen(self, seen: Mapping[str, int]) -> None:
        """Give these articles the rescan that first listed them under another name (a
        renamed file is not new to the editor)."""
        with self.conn:
            self.conn.executemany(
                "UPDATE articles SET seen = ? WHERE key = ?",
                [(when, key_from_id(i)) for i, when in seen.items()],
            )

    def rescans(self) -> int:
        """How many rescans have listed new files (each article's `seen` is one of them)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'rescans'").fetchone()
        return 0 if row is None else int(row[0])

    def shown(self) -> int | None:
        """The last rescan whose new files an editor's session has listed (`keep_shown`),
        or None: no session has, since the index was made."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'shown'").fetchone()
        return None if row is None else int(row[0])

    def keep_shown(self, rescan: int) -> None:
        """Remember that a session has listed the new files of every rescan up to this one."""
        with self.conn:
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('shown', ?)", (rescan,))

    def place(self) -> str | None:
        """Where the editor left the list last time (as `keep_place` got it), or None."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'place'").fetchone()
        return None if row is None else str(row[0])

    def keep_place(self, place: str) -> None:
        """Remember where the editor leaves the list (text the front end understands)."""
        with self.conn:
            self.conn.execute("INSERT OR REPLACE INTO meta VALUES ('place', ?)", (place,))

    def stories_stale(self) -> bool:
        """Whether articles changed since stories were last clustered (or never were)."""
        row = self.conn.execute("SELECT value FROM meta WHERE key = 'stories'").fetchone()
        return row is None or row[0] != "fresh"

    def story_window(self) -> timedelta | None:
        """The window the stories were last clustered with (None: never clustered)."""
        from reader.data.index import story_tables as story_index

        return story_index.window(self.conn)

    def stamp(self, article_id: str) -> tuple[int, int, str | None] | None:
        """(mtime_ns, size, digest) of the file when it was indexed, or None if unknown."""
        row = self.conn.execute(
            "SELECT mtime_ns, size, digest FROM articles WHERE key = ?", (key_from_id(article_id),)
        ).fetchone()
        return (row[0], row[1], row[2]) if row else None

    def entry(self, article_id: str) -> tuple[int, int, str | None, str] | None:
        """(mtime_ns, size, digest, kind) of the file when it was indexed, or None."""
        row = self.conn.execute(
            "SELECT mtime_ns, size, digest, kind FROM articles WHERE key = ?",
            (key_from_id(article_id),),
        ).fetchone()
        return (row[0], row[1], row[2], row[3]) if row else None

    def known(self, article_id: str) -> Article | None:
        """The article as the index knows it (see `known_article`: no body, images or
        related links, which only its file holds), or None when it is unknown or not an
        article."""
        row = self.conn.execute(
            f"SELECT {KNOWN} FROM {KNOWN_FROM} WHERE a.key = ? AND a.kind != 'problem'",
            (key_from_id(article_id),),
        ).fetchone()
        return known_article(row) if row else None

    def articles(self) -> Iterable[Article]:
        """Every article as the index knows it (see `known`), in id order."""
        for row in self.conn.execute(
            f"SELECT {KNOWN} FROM {KNOWN_FROM} WHERE a.kind != 'problem' ORDER BY a.key"
        ):
            yield known_article(row)

    def problems(self) -> list[Problem]:
        """Every problem: files that are not articles, then bad fields, in id order."""
        found: list[Problem] = []
        for key, problems in self.conn.execute(
            "SELECT key, problems FROM articles WHERE problem_count > 0 ORDER BY key"
        ):
            article_id = id_from_key(key)
            found.extend(Problem(article_id, field, why) for field, why in json.loads(problems))
        return found

    def jekyll_records(self, ids: Iterable[str] | None = None
                       ) -> Iterator[tuple[str, str, str | None]]:
        """(id, kind, what Jekyll reads of the file) of every indexed file, or of the given
        ids: the record is files/jekyll.py's `to_record` (None: front matter with none of
        the fields a site's rules read)."""
        sql = "SELECT key, kind, jekyll FROM articles"
        if ids is None:
            rows: Iterable[tuple[Any, ...]] = self.conn.execute(sql)
        else:
            rows = self._rows_of(f"{sql} WHERE", ids)
        for key, kind, record in rows:
            yield id_from_key(key), kind, record

    def _rows_of(self, sql: str, ids: Iterable[str]) -> list[tuple[Any, ...]]:
        """The rows `sql` (ending in WHERE or AND) selects for the articles `ids`, asked
        for in parts below SQLite's limit on bound values."""
        keys = [key_from_id(i) for i in ids]
        return [
            row
            for start in range(0, len(keys), 500)
            for row in self.conn.execute(
                f"{sql} key IN ({','.join('?' * len(keys[start : start + 500]))})",
                keys[start : start + 500],
            )
        ]

    def initial_states(self, ids: Iterable[str] | None = None) -> Iterator[tuple[str, bool | None]]:
        """(id, file_published) for every article, or for the given ids, to seed the store."""
        sql = "SELECT key, file_published FROM articles WHERE kind != 'problem'"
        if ids is None:
            rows = self.conn.execute(sql).fetchall()
        else:
            rows = self._rows_of(f"{sql} AND", ids)
        for key, published in rows:
            yield id_from_key(key), None if published is None else bool(published)

"""The index's stories: clustering every article, placing new ones, and the editor's edits.

The story tables name articles by their rowid (see schema.py); the ids the rest of the code
knows a story by (the id of its member with the smallest key) come from the articles'
keys, joined in here and in query.py.
"""

from __future__ import annotations

import bisect
import sqlite3
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from reader.data.ids import id_from_key, key_from_id
from reader.data.index.schema import hash64, unpack_links
from reader.data.index.stories import StoryInput, assign, cluster, terms_of
from reader.data.index.story_explain import Explanation, explain
from reader.data.index.story_text import Vocabulary

Edit = tuple[str, str, str | None]
"""An editor's correction: (article id, 'split' or 'merge', the target article's id)."""

FULL_SHARE = 5
"""More new articles than 1 in FULL_SHARE (and above FULL_LEAST) cluster everything anew:
placing each against the others would cost more than clustering all."""
FULL_LEAST = 2000

_SELECT = (
    "SELECT a.rowid, a.key, a.title, a.published_at, a.links, l.data "
    "FROM articles a JOIN blobs l ON l.rowid = a.links"
)

_ONE_PER_URL = (
    "a.rowid IN (SELECT rowid FROM (SELECT s.rowid AS rowid, min(k.key) FROM stories s "
    "JOIN articles k ON k.rowid = s.rowid LEFT JOIN story_urls u ON u.article = s.rowid "
    "WHERE s.story = ? GROUP BY u.url IS NULL, coalesce(u.url, s.rowid))) ORDER BY a.key"
)
"""Selects one article per URL of a story (the one with the smallest key; `min` picks the
row the bare rowid comes from), in key order: copies of one article count once in it."""


def url_hash(url: str) -> int:
    """A normalised URL as `story_urls` keeps it: the first 8 bytes of its blake2b, as a
    signed 64-bit integer (what an SQLite INTEGER holds). It must never change while
    SCHEMA_VERSION does not: later runs look up the hashes earlier ones stored.

    Two URLs that share a hash are taken for one: nothing checks, because it is too rare to
    matter. Among n distinct URLs the chance that any two share a hash is about n² / 2^65,
    one in 37 million for a million URLs; and what it would change is small: a new copy of
    one would be offered the other's story as a candidate (clustering still weighs it by
    its words and dates), and only if both are in one story would that story count them
    as one URL (one article fewer in its centroid) and `why` call one a copy of the other.
    """
    return hash64(url.encode())


def label(key: str) -> int:
    """The clustering label (`stories.machine`) of the group named by the article `key`
    (its story's smallest key when it was clustered): a 64-bit hash of the key, so that
    labels are alike exactly when the keys are, over the runs, as the keys were when they
    were the labels (a collision, as unlikely as in `url_hash`, would join two groups).
    An article the editor split off gets the label of NUL + its key, which no key is."""
    return hash64(key.encode())


def _read(conn: sqlite3.Connection, where: str = "", params: Sequence[object] = ()
          ) -> Iterator[tuple[int, StoryInput]]:
    """(rowid, what clustering needs) of the articles (all, or those `where` selects)."""
    sql = f"{_SELECT} WHERE {where}" if where else _SELECT
    unpacked: dict[int, tuple[tuple[str, ...], tuple[str, ...], str]] = {}  # copies share one
    for rowid, key, title, published, blob, data in conn.execute(sql, params):
        links = unpacked.get(blob)
        if links is None:
            urls, related, excerpt = unpack_links(data)
            links = unpacked[blob] = (
                tuple(urls.split("\x1f")), tuple(related.split("\x1f")) if related else (),
                excerpt,
            )  # fmt: skip
        yield rowid, StoryInput(
            id_from_key(key), title or "", datetime.fromisoformat(published) if published else None,
            *links,
        )  # fmt: skip


def inputs(conn: sqlite3.Connection, where: str = "", params: Sequence[object] = ()
           ) -> Iterator[StoryInput]:
    """What clustering needs of the articles (all, or those `where` selects)."""
    return (item for _, item in _read(conn, where, params))


def window(conn: sqlite3.Connection) -> timedelta | None:
    """The window the stories were last clustered with, or None before any clustering."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'story_window'").fetchone()
    return timedelta(seconds=float(row[0])) if row else None


def vocabulary(conn: sqlite3.Connection) -> Vocabulary:
    """The document frequencies saved at the last clustering."""
    vocab = Vocabulary()
    vocab.df.update(dict(conn.execute("SELECT term, df FROM story_terms")))
    row = conn.execute("SELECT value FROM meta WHERE key = 'story_docs'").fetchone()
    vocab.docs = int(row[0]) if row else 0
    return vocab


def _vocabulary_of(conn: sqlite3.Connection, docs: Iterable[Mapping[str, float]]
                   ) -> Vocabulary:
    """The saved document frequencies of these articles' terms only (a cursor move needs
    a few dozen, not the whole vocabulary)."""
    vocab = Vocabulary()
    terms = sorted({t for doc in docs for t in doc})
    for start in range(0, len(terms), 500):
        part = terms[start : start + 500]
        vocab.df.update(dict(conn.execute(
            f"SELECT term, df FROM story_terms WHERE term IN ({','.join('?' * len(part))})", part
        )))  # fmt: skip
    row = conn.execute("SELECT value FROM meta WHERE key = 'story_docs'").fetchone()
    vocab.docs = int(row[0]) if row else 0
    return vocab


def recluster(conn: sqlite3.Connection, span: timedelta, edits: Sequence[Edit]) -> int:
    """Cluster every article anew; returns how many stories there are."""
    found = list(_read(conn))
    items = [item for _, item in found]
    rowid_of = {item.id: rowid for rowid, item in found}
    terms = terms_of(items)
    vocab = Vocabulary.of(terms.values())
    story_of = cluster(items, span, vocab, terms)
    labels = {s: label(key_from_id(s)) for s in set(story_of.values())}
    with conn:
        conn.execute("DELETE FROM stories")
        conn.execute("DELETE FROM story_urls")
        conn.execute("DELETE FROM story_terms")
        conn.executemany(
            "INSERT INTO stories (rowid, story, size, machine) VALUES (?, ?, 1, ?)",
            ((rowid_of[i], rowid_of[s], labels[s]) for i, s in story_of.items()),
        )
        _save_urls(conn, found)
        conn.executemany("INSERT INTO story_terms (term, df) VALUES (?, ?)", vocab.df.items())
        _save_meta(conn, span, vocab.docs)
        count = _settle(conn, edits)
    return count


@dataclass(frozen=True, slots=True)
class _Near:
    """An existing story a new article may join."""

    story: int
    """`stories.story`: the rowid of the member that names it."""
    key: str | None
    """That member's key (None: it went, and the story is not named anew yet)."""
    members: list[tuple[int, StoryInput]]
    """Its members, one per URL (see `_ONE_PER_URL`), by key."""


def place_new(conn: sqlite3.Connection, span: timedelta, edits: Sequence[Edit]) -> int | None:
    """Give a story to each article that has none (new or changed files), leaving the other
    stories as they are; None when there are too many, or the window changed, to do so."""
    if window(conn) != span:
        return None
    fresh = list(_read(conn, "NOT EXISTS (SELECT 1 FROM stories s WHERE s.rowid = a.rowid)"))
    new = [item for _, item in fresh]
    total = conn.execute("SELECT count(*) FROM stories").fetchone()[0]
    if not new and total:  # only removals: the sizes of their stories change
        with conn:
            _save_meta(conn, span, vocabulary(conn).docs)
            return _settle(conn, edits)
    if total == 0 or len(new) > max(FULL_LEAST, (total + len(new)) // FULL_SHARE):
        return None
    vocab = vocabulary(conn)
    terms = terms_of(new)  # worked out once, used three times
    for found in terms.values():
        vocab.add(found)
    near = _near_stories(conn, new, span)
    existing = {name: [item for _, item in n.members] for name, n in near.items()}
    story_of = assign(new, existing, vocab, span, terms)
    group = _labels(conn.execute(
        "SELECT s.rowid, a.key, s.machine FROM stories s JOIN articles a ON a.rowid = s.rowid"
    ).fetchall(), edits)  # fmt: skip
    rowid_of = {item.id: rowid for rowid, item in fresh}

    def placed(article_id: str, story_id: str) -> tuple[int, int, int]:
        """(rowid, story, machine) of a new article: it joins the group its story has now,
        edits and all (that of the member that names it, else its key's label, else that of
        another member when that one went); a story of new articles has its own."""
        n = near.get(story_id)
        if n is None:
            return rowid_of[article_id], rowid_of[story_id], label(key_from_id(story_id))
        if n.story in group:
            machine = group[n.story]
        elif n.key is not None:
            machine = label(n.key)
        else:
            machine = group[n.members[0][0]]
        return rowid_of[article_id], n.story, machine

    with conn:
        conn.executemany(
            "INSERT INTO stories (rowid, story, size, machine) VALUES (?, ?, 1, ?)",
            (placed(i, s) for i, s in story_of.items()),
        )
        _save_urls(conn, fresh)
        conn.executemany(
            "INSERT INTO story_terms (term, df) VALUES (?, 1) "
            "ON CONFLICT (term) DO UPDATE SET df = df + 1",
            ((t,) for found in terms.values() for t in found),
        )
        _save_meta(conn, span, vocab.docs)
        return _settle(conn, edits)


def _near_stories(conn: sqlite3.Connection, new: list[StoryInput], span: timedelta
                  ) -> dict[str, _Near]:
    """The existing stories new articles may join: those with an article close in time
    (or undated), or sharing a URL with one of them, each with one article per URL (copies
    of one article count once in a story, so one stands for all). Each is named by the id
    of the member that names it, or, when that one went and it is not named anew yet, by
    that of the member with the smallest key (what it will be named): no new article's."""
    stories: set[int] = set()
    dated = conn.execute(
        "SELECT a.published_at, s.story FROM articles a JOIN stories s ON s.rowid = a.rowid "
        "WHERE a.published_at IS NOT NULL ORDER BY a.published_at"
    ).fetchall()
    times = [when for when, _ in dated]
    for lo, hi in _intervals([i.published_at for i in new if i.published_at], span):
        start = bisect.bisect_left(times, lo.isoformat())
        stop = bisect.bisect_right(times, hi.isoformat())
        stories.update(story for _, story in dated[start:stop])
    if any(i.published_at is None for i in new):
        stories.update(row[0] for row in conn.execute(
            "SELECT DISTINCT s.story FROM articles a JOIN stories s ON s.rowid = a.rowid "
            "WHERE a.published_at IS NULL AND a.kind != 'problem'"
        ))  # fmt: skip
    for url in {u for item in new for u in item.own_urls()}:
        stories.update(row[0] for row in conn.execute(
            "SELECT s.story FROM story_urls u JOIN stories s ON s.rowid = u.article "
            "WHERE u.url = ?", (url_hash(url),)
        ))  # fmt: skip
    keys = _keys(conn, stories)
    named = {}
    for story in stories:
        name = keys.get(story) or conn.execute(
            "SELECT min(a.key) FROM stories s JOIN articles a ON a.rowid = s.rowid "
            "WHERE s.story = ?", (story,)
        ).fetchone()[0]  # fmt: skip
        if name is None:  # its members went since it was found (another instance's
            continue      # refresh, between two statements): no story to join
        named[name] = story
    return {
        id_from_key(name): _Near(named[name], keys.get(named[name]),
                                 list(_read(conn, _ONE_PER_URL, (named[name],))))
        for name in sorted(named)  # in a fixed order: ties go the same way every run
    }


def _keys(conn: sqlite3.Connection, rowids: Iterable[int]) -> dict[int, str]:
    """The key of each of these rowids the articles hold."""
    wanted = sorted(rowids)
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        found.update(conn.execute(
            f"SELECT rowid, key FROM articles WHERE rowid IN ({','.join('?' * len(part))})", part
        ))  # fmt: skip
    return found


def _intervals(times: Iterable[datetime], span: timedelta) -> list[tuple[datetime, datetime]]:
    """The times, each widened by the span, with overlaps joined."""
    joined: list[tuple[datetime, datetime]] = []
    for when in sorted(times):
        lo, hi = when - span, when + span
        if joined and lo <= joined[-1][1]:
            joined[-1] = (joined[-1][0], hi)
        else:
            joined.append((lo, hi))
    return joined


def _save_urls(conn: sqlite3.Connection, items: Iterable[tuple[int, StoryInput]]) -> None:
    """Record which article holds each of these articles' own URLs (by rowid); two URLs
    of one article that share a hash make one row (see `url_hash`)."""
    conn.executemany(
        "INSERT OR IGNORE INTO story_urls (url, article) VALUES (?, ?)",
        ((url_hash(u), rowid) for rowid, item in items for u in item.own_urls()),
    )


def _save_meta(conn: sqlite3.Connection, span: timedelta, docs: int) -> None:
    """Mark the stories fresh, with the window and the document count they were made with."""
    conn.executemany(
        "INSERT OR REPLACE INTO meta VALUES (?, ?)",
        [("stories", "fresh"), ("story_window", str(span.total_seconds())),
         ("story_docs", str(docs))],
    )


def apply_edits(conn: sqlite3.Connection, edits: Sequence[Edit]) -> int:
    """Each article's story from the clustering, then the editor's edits in order; returns
    how many stories there are."""
    with conn:
        return _settle(conn, edits)


def _labels(rows: Iterable[tuple[int, str, int]], edits: Sequence[Edit]) -> dict[int, int]:
    """Each article's group, by rowid, from (rowid, key, clustering label) rows: its label,
    then the edits in order. A split article's label is that of NUL + its key."""
    group: dict[int, int] = {}
    rowid_of: dict[str, int] = {}
    for rowid, key, machine in rows:
        group[rowid] = machine
        rowid_of[key] = rowid
    for article_id, action, target in edits:
        key = key_from_id(article_id)
        edited = rowid_of.get(key)
        if edited is None:
            continue  # not in the folder now; the edit stays for when it comes back
        if action == "split":
            group[edited] = label("\x00" + key)
        elif target is not None and (other := rowid_of.get(key_from_id(target))) is not None:
            group[edited] = group[other]
    return group


def _settle(conn: sqlite3.Connection, edits: Sequence[Edit]) -> int:
    """Write each article's story (the rowid of its member with the smallest key) and
    size, after the edits."""
    rows = conn.execute(
        "SELECT s.rowid, a.key, s.story, s.size, s.machine FROM stories s "
        "JOIN articles a ON a.rowid = s.rowid"
    ).fetchall()
    group = _labels(((rowid, key, machine) for rowid, key, _, _, machine in rows), edits)
    members: dict[int, list[tuple[str, int]]] = {}
    for rowid, key, *_ in rows:
        members.setdefault(group[rowid], []).append((key, rowid))
    story: dict[int, tuple[int, int]] = {}
    for found in members.values():
        named = (min(found)[1], len(found))
        story.update(dict.fromkeys((rowid for _, rowid in found), named))
    changed = [(*story[rowid], rowid) for rowid, _, old, size, _ in rows
               if story[rowid] != (old, size)]
    conn.executemany("UPDATE stories SET story = ?, size = ? WHERE rowid = ?", changed)
    return len(members)


def largest(conn: sqlite3.Connection, count: int = 5) -> list[tuple[str, int]]:
    """The largest stories: (story id, articles), largest first."""
    return [
        (id_from_key(key), size)
        for key, size in conn.execute(
            "SELECT k.key, s.size FROM stories s JOIN articles k ON k.rowid = s.story "
            "GROUP BY s.story ORDER BY s.size DESC, k.key LIMIT ?",
            (count,),
        )
    ]


def why(conn: sqlite3.Connection, article_id: str, edits: Sequence[Edit],
        among: Sequence[str] | None = None) -> Explanation | None:
    """What ties an article to the rest of its story, or None for an unknown article.

    `among` may name the members to weigh it against (a pane lists the newest hundred, and
    reading every copy of a large story takes longer than a key press should).
    """
    row = conn.execute(
        "SELECT a.rowid, s.story, s.size, k.key FROM articles a "
        "JOIN stories s ON s.rowid = a.rowid LEFT JOIN articles k ON k.rowid = s.story "
        "WHERE a.key = ?",
        (key_from_id(article_id),),
    ).fetchone()
    if row is None:
        return None
    rowid, story, size, story_key = row
    found = list(inputs(conn, "a.rowid = ?", (rowid,)))
    if not found:
        return None
    copies = tuple(sorted(  # from its URLs (CROSS JOIN: not from every member of a story)
        id_from_key(other) for (other,) in conn.execute(
            "SELECT DISTINCT k.key FROM story_urls u1 CROSS JOIN story_urls u2 ON u2.url = u1.url "
            "CROSS JOIN stories s ON s.rowid = u2.article "
            "CROSS JOIN articles k ON k.rowid = u2.article "
            "WHERE u1.article = ? AND u2.article != ? AND s.story = ?",
            (rowid, rowid, story),
        )
    ))  # fmt: skip
    if among is None:  # one article per URL stands for its copies, as in clustering
        candidates = list(inputs(conn, _ONE_PER_URL, (story,)))
    else:
        keys = [key_from_id(i) for i in among[:500]]
        candidates = list(inputs(conn, f"a.key IN ({','.join('?' * len(keys))})", keys))
    others = [m for m in candidates if m.id != article_id and m.id not in copies]
    terms = terms_of([found[0], *others])  # versions of one page: one title, worked once
    found_why = explain(found[0], others, _vocabulary_of(conn, terms.values()), terms=terms)
    moved = [e for e in edits if e[0] == article_id]
    # A story whose naming member went is named anew at the next refresh: until then, by
    # the article asked about.
    return replace(found_why, story=id_from_key(story_key) if story_key else article_id,
                   size=size, same_url=copies, edited=moved[-1][1] if moved else None)

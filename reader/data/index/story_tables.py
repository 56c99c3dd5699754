"""The index's stories: clustering every article, placing new ones, and the editor's edits."""

from __future__ import annotations

import bisect
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from reader.data.ids import id_from_key, key_from_id
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
    "SELECT a.key, a.title, a.published_at, l.urls, l.related, f.excerpt "
    "FROM articles a JOIN links l USING (rowid) LEFT JOIN articles_fts f ON f.rowid = a.rowid"
)


_ONE_PER_URL = (
    "a.key IN (SELECT min(s.key) FROM stories s LEFT JOIN story_urls u USING (key) "
    "WHERE s.story = ? GROUP BY coalesce(u.url, s.key))"
)
"""Selects one article per URL of a story: copies of one article count once in it."""


def _input(row: tuple[str, str | None, str | None, str, str, str | None]) -> StoryInput:
    """One row of `_SELECT` as a StoryInput."""
    key, title, published, urls, related, excerpt = row
    return StoryInput(
        id_from_key(key), title or "", datetime.fromisoformat(published) if published else None,
        tuple(urls.split("\x1f")), tuple(related.split("\x1f")) if related else (), excerpt or "",
    )  # fmt: skip


def inputs(conn: sqlite3.Connection, where: str = "", params: Sequence[object] = ()
           ) -> Iterator[StoryInput]:
    """What clustering needs of the articles (all, or those `where` selects)."""
    sql = f"{_SELECT} WHERE {where}" if where else _SELECT
    for row in conn.execute(sql, params):
        yield _input(row)


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


def _vocabulary_of(conn: sqlite3.Connection, items: Iterable[StoryInput]) -> Vocabulary:
    """The saved document frequencies of these articles' terms only (a cursor move needs
    a few dozen, not the whole vocabulary)."""
    vocab = Vocabulary()
    terms = sorted({t for item in items for t in item.terms()})
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
    items = list(inputs(conn))
    terms = terms_of(items)
    vocab = Vocabulary.of(terms.values())
    story_of = cluster(items, span, vocab, terms)
    with conn:
        conn.execute("DELETE FROM stories")
        conn.execute("DELETE FROM story_urls")
        conn.execute("DELETE FROM story_terms")
        conn.executemany(
            "INSERT INTO stories (key, story, size, machine) VALUES (?, ?, 1, ?)",
            ((key_from_id(i), key_from_id(s), key_from_id(s)) for i, s in story_of.items()),
        )
        _save_urls(conn, items)
        conn.executemany("INSERT INTO story_terms (term, df) VALUES (?, ?)", vocab.df.items())
        _save_meta(conn, span, vocab.docs)
        count = _settle(conn, edits)
    return count


def place_new(conn: sqlite3.Connection, span: timedelta, edits: Sequence[Edit]) -> int | None:
    """Give a story to each article that has none (new or changed files), leaving the other
    stories as they are; None when there are too many, or the window changed, to do so."""
    if window(conn) != span:
        return None
    new = list(inputs(conn, "NOT EXISTS (SELECT 1 FROM stories s WHERE s.key = a.key)"))
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
    story_of = assign(new, near, vocab, span, terms)
    group = _labels(conn.execute("SELECT key, machine FROM stories").fetchall(), edits)
    with conn:
        conn.executemany(  # a new article joins the group its story has now, edits and all
            "INSERT INTO stories (key, story, size, machine) VALUES (?, ?, 1, ?)",
            (
                (key_from_id(i), key_from_id(s), group.get(key_from_id(s), key_from_id(s)))
                for i, s in story_of.items()
            ),
        )
        _save_urls(conn, new)
        conn.executemany(
            "INSERT INTO story_terms (term, df) VALUES (?, 1) "
            "ON CONFLICT (term) DO UPDATE SET df = df + 1",
            ((t,) for found in terms.values() for t in found),
        )
        _save_meta(conn, span, vocab.docs)
        return _settle(conn, edits)


def _near_stories(conn: sqlite3.Connection, new: list[StoryInput], span: timedelta
                  ) -> dict[str, list[StoryInput]]:
    """The existing stories new articles may join: those with an article close in time
    (or undated), or sharing a URL with one of them, each with one article per URL (copies
    of one article count once in a story, so one stands for all)."""
    stories: set[str] = set()
    dated = conn.execute(
        "SELECT a.published_at, s.story FROM articles a JOIN stories s USING (key) "
        "WHERE a.published_at IS NOT NULL ORDER BY a.published_at"
    ).fetchall()
    times = [when for when, _ in dated]
    for lo, hi in _intervals([i.published_at for i in new if i.published_at], span):
        start = bisect.bisect_left(times, lo.isoformat())
        stop = bisect.bisect_right(times, hi.isoformat())
        stories.update(story for _, story in dated[start:stop])
    if any(i.published_at is None for i in new):
        stories.update(row[0] for row in conn.execute(
            "SELECT DISTINCT s.story FROM articles a JOIN stories s USING (key) "
            "WHERE a.published_at IS NULL AND a.kind != 'problem'"
        ))  # fmt: skip
    for url in {u for item in new for u in item.own_urls()}:
        stories.update(row[0] for row in conn.execute(
            "SELECT s.story FROM story_urls u JOIN stories s USING (key) WHERE u.url = ?", (url,)
        ))  # fmt: skip
    return {
        id_from_key(story): list(inputs(conn, _ONE_PER_URL, (story,)))
        for story in sorted(stories)  # in a fixed order: ties go the same way every run
    }


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


def _save_urls(conn: sqlite3.Connection, items: Iterable[StoryInput]) -> None:
    """Record which article holds each of these articles' own URLs."""
    conn.executemany(
        "INSERT INTO story_urls (url, key) VALUES (?, ?)",
        ((u, key_from_id(i.id)) for i in items for u in i.own_urls()),
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


def _labels(rows: Iterable[tuple[str, str]], edits: Sequence[Edit]) -> dict[str, str]:
    """Each article's group: its clustering label, then the edits in order. A split
    article's label starts with NUL, which no key holds."""
    label = dict(rows)
    for article_id, action, target in edits:
        key = key_from_id(article_id)
        if key not in label:
            continue  # not in the folder now; the edit stays for when it comes back
        if action == "split":
            label[key] = "\x00" + key
        elif target is not None and key_from_id(target) in label:
            label[key] = label[key_from_id(target)]
    return label


def _settle(conn: sqlite3.Connection, edits: Sequence[Edit]) -> int:
    """Write each article's story (its smallest member) and size, after the edits."""
    rows = conn.execute("SELECT key, story, size, machine FROM stories").fetchall()
    label = _labels(((key, machine) for key, _, _, machine in rows), edits)
    members: dict[str, list[str]] = {}
    for key, group in label.items():
        members.setdefault(group, []).append(key)
    story: dict[str, tuple[str, int]] = {}
    for keys in members.values():
        named = (min(keys), len(keys))
        story.update(dict.fromkeys(keys, named))
    changed = [(*story[key], key) for key, old, size, _ in rows if story[key] != (old, size)]
    conn.executemany("UPDATE stories SET story = ?, size = ? WHERE key = ?", changed)
    return len(members)


def largest(conn: sqlite3.Connection, count: int = 5) -> list[tuple[str, int]]:
    """The largest stories: (story id, articles), largest first."""
    return [
        (id_from_key(story), size)
        for story, size in conn.execute(
            "SELECT story, size FROM stories GROUP BY story ORDER BY size DESC, story LIMIT ?",
            (count,),
        )
    ]


def why(conn: sqlite3.Connection, article_id: str, edits: Sequence[Edit],
        among: Sequence[str] | None = None) -> Explanation | None:
    """What ties an article to the rest of its story, or None for an unknown article.

    `among` may name the members to weigh it against (a pane lists the newest hundred, and
    reading every copy of a large story takes longer than a key press should).
    """
    key = key_from_id(article_id)
    row = conn.execute("SELECT story, size FROM stories WHERE key = ?", (key,)).fetchone()
    found = list(inputs(conn, "a.key = ?", (key,)))
    if row is None or not found:
        return None
    copies = tuple(sorted(
        id_from_key(other) for (other,) in conn.execute(
            "SELECT DISTINCT u2.key FROM story_urls u1 JOIN story_urls u2 ON u2.url = u1.url "
            "JOIN stories s ON s.key = u2.key WHERE u1.key = ? AND u2.key != ? AND s.story = ?",
            (key, key, row[0]),
        )
    ))  # fmt: skip
    if among is None:  # one article per URL stands for its copies, as in clustering
        candidates = list(inputs(conn, _ONE_PER_URL, (row[0],)))
    else:
        keys = [key_from_id(i) for i in among[:500]]
        candidates = list(inputs(conn, f"a.key IN ({','.join('?' * len(keys))})", keys))
    others = [m for m in candidates if m.id != article_id and m.id not in copies]
    found_why = explain(found[0], others, _vocabulary_of(conn, [found[0], *others]))
    moved = [e for e in edits if e[0] == article_id]
    return replace(found_why, story=id_from_key(row[0]), size=row[1], same_url=copies,
                   edited=moved[-1][1] if moved else None)

"""Queries over the index and the triage store: filters, order, counts, search."""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, NamedTuple

from reader.data.article import Article, Decision, article_from_dict
from reader.data.ids import id_from_key, key_from_id
from reader.data.library import Library

Sort = Literal["date", "quality", "heat", "title"]
SORTS: tuple[Sort, ...] = ("date", "quality", "heat", "title")
_DECISION = {d.value: d for d in Decision}
_UNSEARCHABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
"""Controls and lone surrogates: SQLite can neither bind nor match them."""

_STATE = "coalesce(d.state, CASE WHEN a.file_published = 1 THEN 'published' ELSE 'undecided' END)"
# Newest, best and hottest first; a missing value sorts last; the id keeps the order stable.
_ORDER: dict[str, str] = {
    "date": "a.published_at IS NULL, a.published_at DESC, a.key",
    "quality": "a.quality IS NULL, a.quality DESC, a.key",
    "heat": "a.heat IS NULL, a.heat DESC, a.key",
    "title": "a.title = '', a.title COLLATE NOCASE, a.key",
}


@dataclass(frozen=True, slots=True)
class ArticleRow:
    """One line of the article list: just what a list shows and sorts on."""

    id: str
    title: str
    provider: str
    published_at: datetime | None
    state: Decision
    quality: float | None = None
    heat: float | None = None
    type: str = "article"
    problem_count: int = 0
    story: str = ""
    """The story's id (the smallest id among its articles); "" before clustering."""
    story_size: int = 1


@dataclass(frozen=True, slots=True)
class Filter:
    """What the list shows: all criteria must hold; None means any."""

    state: Decision | None = None
    search: str | None = None
    topic: str | None = None
    provider: str | None = None
    sort: Sort = "date"
    reason: str | None = None
    """Only articles decided with this reason (e.g. `duplicate`); matched as a prefix."""
    story: str | None = None
    """Only the articles of this story."""


def fts_query(text: str) -> str:
    """User text to an FTS5 query: every word must match, as a prefix, nothing is syntax."""
    text = _UNSEARCHABLE.sub(" ", text)
    words = [w for w in text.split() if w.strip('"')]
    return " ".join('"' + w.replace('"', '""') + '"*' for w in words)


def _where(flt: Filter) -> tuple[str, list[Any]]:
    """The SQL condition and its parameters for what the filter admits."""
    clauses, params = ["a.kind != 'problem'"], []
    if flt.state is not None:
        clauses.append(f"{_STATE} = ?")
        params.append(flt.state.value)
    if flt.search and (match := fts_query(flt.search)):
        clauses.append("a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)")
        params.append(match)
    if flt.topic:
        clauses.append("instr(char(31) || a.topics || char(31), char(31) || ? || char(31)) > 0")
        params.append(flt.topic)
    if flt.provider:
        clauses.append("a.provider = ?")
        params.append(flt.provider)
    if flt.reason:
        clauses.append("d.reason LIKE ? ESCAPE '\\'")
        params.append(re.sub(r"([%_\\])", r"\\\1", flt.reason) + "%")
    if flt.story:
        clauses.append("a.key IN (SELECT key FROM stories WHERE story = ?)")
        params.append(key_from_id(flt.story))
    return " AND ".join(clauses), params


def rows(library: Library, flt: Filter = Filter(), limit: int | None = None) -> list[ArticleRow]:
    """The articles the filter admits, in its order; only the first `limit` when given."""
    where, params = _where(flt)
    # A first page walks the date index, a story its members by key; the whole list is
    # faster read in order and sorted.
    hint = "" if limit is not None or flt.story else "NOT INDEXED "
    if limit is not None:
        params = [*params, limit]
    sql = (
        f"SELECT a.key, a.title, a.provider, a.published_at, {_STATE}, a.quality, a.heat, "
        f"a.type, a.problem_count, s.story, s.size FROM articles a {hint}"
        f"LEFT JOIN triage.decisions d USING (key) LEFT JOIN stories s USING (key) "
        f"WHERE {where} ORDER BY {_ORDER[flt.sort]}" + (" LIMIT ?" if limit is not None else "")
    )
    when = datetime.fromisoformat
    found = []
    # Providers, types, stories and scores repeat, and so do titles and dates where a
    # folder keeps several versions of a page: one object each, not one per row.
    shared: dict[str, str] = {}
    one = shared.setdefault
    stories: dict[str, str] = {}  # story key -> its id
    scores: dict[float, float] = {}
    dates: dict[str, datetime] = {}
    for r in library.index.conn.execute(sql, params):
        article_id = id_from_key(r[0])
        # A story of one names itself: share the id string rather than decode a copy.
        if r[9] is None or r[9] == r[0]:
            story = article_id
        elif (story := stories.get(r[9], "")) == "":
            story = stories[r[9]] = id_from_key(r[9])
        provider, kind = r[2] or "", r[7] or "article"
        quality, heat = r[5], r[6]  # a few hundred values: one float object each
        if type(quality) is float:
            quality = scores.setdefault(quality, quality)
        if type(heat) is float:
            heat = scores.setdefault(heat, heat)
        title, date = r[1] or "", r[3]
        if date and (published := dates.get(date)) is None:
            published = dates[date] = when(date)
        row = ArticleRow(
            article_id, one(title, title), one(provider, provider), published if date else None,
            _DECISION[r[4]], quality, heat, one(kind, kind), r[8], story, r[10] or 1,
        )  # fmt: skip
        found.append(row)
    return found


class Listed(NamedTuple):
    """A full article as `articles` lists it, with its state and its story."""

    article: Article
    state: Decision
    reason: str | None
    story: str
    """The story's id: the smallest id among its articles."""
    story_size: int


def articles(library: Library, flt: Filter = Filter()) -> list[Listed]:
    """Full articles with their state, reason and story, as `rows` selects and orders them."""
    where, params = _where(flt)
    sql = (
        f"SELECT r.record, {_STATE}, d.reason, s.story, s.size FROM articles a "
        f"JOIN records r USING (rowid) LEFT JOIN triage.decisions d USING (key) "
        f"LEFT JOIN stories s USING (key) WHERE {where} ORDER BY {_ORDER[flt.sort]}"
    )
    found = []
    for record, state, reason, story, size in library.index.conn.execute(sql, params):
        article = article_from_dict(json.loads(record))
        story = id_from_key(story) if story else article.id
        found.append(Listed(article, _DECISION[state], reason, story, size or 1))
    return found


def search_ids(library: Library, text: str) -> set[str]:
    """The ids of every article a search matches, unordered: for filtering rows in memory."""
    match = fts_query(text)
    if not match:
        return set()
    return {
        id_from_key(key)
        for (key,) in library.index.conn.execute(
            "SELECT a.key FROM articles_fts f JOIN articles a ON a.rowid = f.rowid "
            "WHERE articles_fts MATCH ?",
            (match,),
        )
    }


def search_rowids(library: Library, text: str) -> set[int]:
    """The index rowids of every article a search matches, unordered (no key is decoded).

    Rowids change as files are indexed again: pair them with `article_rowids` read at the
    same `index_version`.
    """
    match = fts_query(text)
    if not match:
        return set()
    # One string: stepping through a row per match costs more than parsing it, and
    # json.loads parses a JSON array of ints in C (faster than split and int()).
    conn = library.index.conn
    try:
        (joined,) = conn.execute(
            "SELECT json_group_array(rowid) FROM articles_fts WHERE articles_fts MATCH ?",
            (match,),
        ).fetchone()
    except sqlite3.OperationalError:  # an SQLite built without its JSON functions
        (joined,) = conn.execute(
            "SELECT '[' || group_concat(rowid) || ']' FROM articles_fts "
            "WHERE articles_fts MATCH ?", (match,),
        ).fetchone()
    return set(json.loads(joined)) if joined else set()


def article_rowids(library: Library) -> Iterator[tuple[str, int]]:
    """Every indexed key with its rowid now (see `index_version`), one at a time."""
    return iter(library.index.conn.execute("SELECT key, rowid FROM articles"))


def index_version(library: Library) -> tuple[int, int]:
    """Changes when the index may have changed: a commit by any connection, this one's too."""
    conn = library.index.conn
    return conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes


def story_members(library: Library, story: str, limit: int | None = None) -> list[ArticleRow]:
    """Every article of one story, newest first (only the first `limit` when given)."""
    return rows(library, Filter(story=story), limit=limit)


def group_stories(listed: Sequence[ArticleRow], expanded: Collection[str] = ()) -> list[ArticleRow]:
    """One row per story (its first in the given order), with the members of expanded stories
    right after it, in order. Singletons pass through."""
    members: dict[str, list[ArticleRow]] = {}
    for row in listed:
        members.setdefault(row.story or row.id, []).append(row)
    shown: list[ArticleRow] = []
    for story, group in members.items():
        shown.extend(group if story in expanded else group[:1])
    return shown


def reasons(library: Library) -> list[tuple[str, str, int]]:
    """(provider, reason, count) of every skip with a reason, most common first.

    `duplicate of <id>` counts as `duplicate`.
    """
    return [
        (provider or "", reason, count)
        for provider, reason, count in library.index.conn.execute(
            "SELECT a.provider, r.reason, count(*) FROM articles a JOIN ("
            "  SELECT key, CASE WHEN reason LIKE 'duplicate of %' THEN 'duplicate' "
            "  ELSE reason END AS reason FROM triage.decisions "
            "  WHERE state = 'skipped' AND reason IS NOT NULL AND reason != ''"
            ") r USING (key) "
            "GROUP BY a.provider, r.reason ORDER BY count(*) DESC, a.provider, r.reason"
        )
    ]


def states(library: Library, ids: Iterable[str]) -> dict[str, Decision]:
    """The state of each known id, as the list shows it (the file's, until someone decides)."""
    keys = [key_from_id(i) for i in ids]
    found: dict[str, Decision] = {}
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        sql = (
            f"SELECT a.key, {_STATE} FROM articles a LEFT JOIN triage.decisions d USING (key) "
            f"WHERE a.kind != 'problem' AND a.key IN ({','.join('?' * len(part))})"
        )
        for key, state in library.index.conn.execute(sql, part):
            found[id_from_key(key)] = _DECISION[state]
    return found


def counts(library: Library) -> dict[Decision, int]:
    """How many articles are in each state."""
    found = dict.fromkeys(Decision, 0)
    sql = (
        f"SELECT {_STATE}, count(*) FROM articles a LEFT JOIN triage.decisions d USING (key) "
        f"WHERE a.kind != 'problem' GROUP BY 1"
    )
    for state, count in library.index.conn.execute(sql):
        found[_DECISION[state]] = count
    return found


def topics(library: Library) -> list[tuple[str, int]]:
    """Every topic with its article count, most common first."""
    tally: dict[str, int] = {}
    for (joined,) in library.index.conn.execute(
        "SELECT topics FROM articles WHERE kind != 'problem' AND topics != ''"
    ):
        for topic in joined.split("\x1f"):
            tally[topic] = tally.get(topic, 0) + 1
    return sorted(tally.items(), key=lambda item: (-item[1], item[0]))


def providers(library: Library) -> list[tuple[str, int]]:
    """Every provider with its article count, most common first."""
    return [
        (name, count)
        for name, count in library.index.conn.execute(
            "SELECT provider, count(*) FROM articles WHERE kind != 'problem' AND provider != '' "
            "GROUP BY provider ORDER BY count(*) DESC, provider"
        )
    ]

"""Queries over the index and the triage store: filters, order, counts, search."""

from __future__ import annotations

import itertools
import re
import sqlite3
import sys
from array import array
from collections import Counter, deque
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from itertools import compress, repeat
from typing import Any, Literal, NamedTuple, TypeVar, dataclass_transform

from reader.data.article import Article, Decision
from reader.data.ids import id_from_key, key_from_id
from reader.data.index.index import (
    KNOWN,
    KNOWN_FROM,
    LISTED,
    LISTED_FROM,
    known_article,
    listed_article,
)
from reader.data.library import Claim, Library

Sort = Literal["date", "quality", "heat", "title"]
SORTS: tuple[Sort, ...] = ("date", "quality", "heat", "title")
_DECISION = {d.value: d for d in Decision}
_UNSEARCHABLE = re.compile(r"[\x00-\x1f\x7f\ud800-\udfff]")
"""Controls and lone surrogates: SQLite can neither bind nor match them."""

_STATE = "coalesce(d.state, CASE WHEN a.file_published = 1 THEN 'published' ELSE 'undecided' END)"
_STORY = (
    "CASE WHEN s.story = a.rowid THEN NULL "
    "ELSE (SELECT k.key FROM articles k WHERE k.rowid = s.story) END"
)
"""The key of the member that names the article's story (`stories s`, which names it by
rowid; only other members look it up), NULL when that is the article itself or it has no
story yet."""
# Newest, best and hottest first; a missing value sorts last; the id keeps the order stable.
_ORDER: dict[str, str] = {
    "date": "a.published_at IS NULL, a.published_at DESC, a.key",
    "quality": "a.quality IS NULL, a.quality DESC, a.key",
    "heat": "a.heat IS NULL, a.heat DESC, a.key",
    "title": "a.title = '', a.title COLLATE NOCASE, a.key",
}


_T = TypeVar("_T")


@dataclass_transform(frozen_default=True)
def _row(cls: type[_T]) -> type[_T]:
    """A frozen dataclass to the type checker, built without its frozen `__init__`: that
    one sets each field through `object.__setattr__`, which made a 51k list take 100 ms
    longer (6x the plain one). Hashed by value, like a frozen one; never assigned to
    (`dataclasses.replace` makes a changed copy)."""
    return dataclass(slots=True, unsafe_hash=True)(cls)


@_row
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
    seen: int = 0
    """The rescan that first listed it (see `Library.rescans`)."""


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
    new_after: int | None = None
    """Only the articles first listed by a rescan after this one (new to the editor)."""
    live_undecided: bool = False
    """Only the articles that are live (under the site's rules: `Library.site_states`) and
    that the editor has not decided."""


Field = Literal["words", "provider", "topic"]
"""Where a search term looks: the full-text index, or a provider's or a topic's whole name."""
_FOLD = "reader_casefold"
"""The SQL function that folds case as Python's `str.casefold` (see `_execute`)."""
_TOKEN = re.compile(
    r'\s*(?P<minus>-?)(?P<field>(?:provider|topic):)?(?:"(?P<quoted>[^"]*)"?|(?P<bare>\S*))',
    re.IGNORECASE,
)
"""One term of a search: an optional `-`, an optional field, then "quoted words" (to the
next quote, or the end) or a run of anything but spaces."""
MAX_FIELD_TERMS = 100
"""Terms of a search that SQL checks one by one (fields, and words in a group with a
field or an exclusion) beyond this many are left out: an SQL expression has a depth limit."""


@dataclass(frozen=True, slots=True)
class Term:
    """One thing a search asks of an article: its words, or a field's whole value."""

    text: str
    """Words to find, the last one as a prefix (a phrase if several); or the field's value."""
    field: Field = "words"
    negated: bool = False
    """Typed with a `-`: the article must not have it."""


@dataclass(frozen=True, slots=True)
class ParsedSearch:
    """A search as typed: every group must hold; a group holds when any of its terms does.

    The groups of words alone go to one FTS5 query (`match`, or `exclude` when nothing
    is asked for but exclusions); the rest (`checks`) are tested term by term.
    """

    match: str = ""
    """FTS5 query of the words an article must have, and not have (none asked: "")."""
    exclude: str = ""
    """FTS5 query of the words an article must not have, when `match` asks for none."""
    checks: tuple[tuple[Term, ...], ...] = ()
    """Groups with a field, or words that `match` and `exclude` cannot say."""

    @property
    def words(self) -> bool:
        """Whether the search looks for words (or their absence) in the full-text index."""
        return bool(self.match or self.exclude)


def _phrase(text: str) -> str:
    """Words as one FTS5 phrase whose last word is a prefix; nothing in it is syntax."""
    return '"' + text.replace('"', '""') + '"*'


def _terms(text: str) -> Iterator[Term | None]:
    """The terms of a search in order, None for an `OR` between two of them; empty terms
    (a lone `-`, a field with no value, an empty quote) are left out."""
    at = 0
    while at < len(text):
        found = _TOKEN.match(text, at)
        assert found is not None  # every group may be empty: it always matches
        at = max(found.end(), at + 1)
        minus, field, quoted, bare = found.group("minus", "field", "quoted", "bare")
        value = quoted if quoted is not None else bare or ""
        if value == "OR" and quoted is None and not minus and not field:
            yield None
        elif value.strip():
            kind: Field = "provider" if field and field.lower() == "provider:" else "topic"
            yield Term(value.strip() if field else value, kind if field else "words",
                       bool(minus))


@lru_cache(maxsize=64)
def parse_search(text: str) -> ParsedSearch:
    """A search box's text as groups of terms, all of which must hold.

    Words each match as a prefix; "quoted words" are a phrase; `-term` excludes;
    `a OR b` holds when either does; `provider:NAME` and `topic:NAME` (quoted for spaces)
    match a whole name in any case. An `OR` or a `-` with nothing to join means nothing.
    """
    groups: list[list[Term]] = []
    join = False
    for term in _terms(_UNSEARCHABLE.sub(" ", text)):
        if term is None:
            join = bool(groups)
        elif join:
            groups[-1].append(term)
            join = False
        else:
            groups.append([term])
    wanted, unwanted, checks, checked = [], [], [], 0
    for group in groups:
        if all(t.field == "words" and not t.negated for t in group):
            phrases = [_phrase(t.text) for t in group]
            wanted.append(phrases[0] if len(phrases) == 1 else f"({' OR '.join(phrases)})")
        elif len(group) == 1 and group[0].field == "words":
            unwanted.append(_phrase(group[0].text))
        elif checked < MAX_FIELD_TERMS:
            checks.append(tuple(group[: MAX_FIELD_TERMS - checked]))
            checked += len(checks[-1])
    match = " AND ".join(wanted)
    if match and unwanted:
        match = f"({match}) NOT ({' OR '.join(unwanted)})"
    exclude = "" if match else " OR ".join(unwanted)
    return ParsedSearch(match, exclude, tuple(checks))


def fts_query(text: str) -> str:
    """The FTS5 query for the words a search asks for ("" if it asks for none)."""
    return parse_search(text).match


def casefold(text: str | None) -> str:
    """A topic or provider as filters compare them: in any case."""
    return text.casefold() if text else ""


def _execute(conn: sqlite3.Connection, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
    """`conn.execute`, defining the case folding SQL function on the connection first
    when the statement needs it and the connection does not have it yet."""
    try:
        return conn.execute(sql, params)
    except sqlite3.OperationalError as error:
        if f"no such function: {_FOLD}" not in str(error):
            raise
    conn.create_function(_FOLD, 1, casefold, deterministic=True)
    return conn.execute(sql, params)


_FTS_ROWIDS = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
_HAS_TOPIC = (
    f"instr(char(31) || {_FOLD}(a.topics) || char(31), char(31) || ? || char(31)) > 0"
)
_HAS_PROVIDER = f"{_FOLD}(a.provider) = ?"


def _term_sql(term: Term) -> tuple[str, str]:
    """The SQL condition for one term of a search, and its parameter."""
    if term.field == "words":
        sql, param = f"a.rowid IN ({_FTS_ROWIDS})", _phrase(term.text)
    else:
        sql = _HAS_PROVIDER if term.field == "provider" else _HAS_TOPIC
        param = casefold(term.text)
    return (f"NOT ({sql})" if term.negated else sql), param


def _where(flt: Filter) -> tuple[str, list[Any]]:
    """The SQL condition and its parameters for what the filter admits."""
    clauses: list[str] = ["a.kind != 'problem'"]
    params: list[Any] = []
    if flt.state is not None:
        clauses.append(f"{_STATE} = ?")
        params.append(flt.state.value)
    if flt.search:
        parsed = parse_search(flt.search)
        if parsed.match:
            clauses.append(f"a.rowid IN ({_FTS_ROWIDS})")
            params.append(parsed.match)
        elif parsed.exclude:
            clauses.append(f"a.rowid NOT IN ({_FTS_ROWIDS})")
            params.append(parsed.exclude)
        for group in parsed.checks:
            terms = [_term_sql(term) for term in group]
            clauses.append("(" + " OR ".join(sql for sql, _ in terms) + ")")
            params.extend(param for _, param in terms)
    if flt.topic:
        clauses.append(_HAS_TOPIC)
        params.append(casefold(flt.topic))
    if flt.provider:
        clauses.append(_HAS_PROVIDER)
        params.append(casefold(flt.provider))
    if flt.reason:
        clauses.append("d.reason LIKE ? ESCAPE '\\'")
        params.append(re.sub(r"([%_\\])", r"\\\1", flt.reason) + "%")
    if flt.story:
        clauses.append("a.rowid IN (SELECT rowid FROM stories WHERE story = "
                       "(SELECT rowid FROM articles WHERE key = ?))")
        params.append(key_from_id(flt.story))
    if flt.new_after is not None:
        clauses.append("a.seen > ?")
        params.append(flt.new_after)
    if flt.live_undecided:  # the table `_prepare` filled
        clauses.append(f"a.key IN (SELECT key FROM temp.live_keys) AND {_UNDECIDED_BY_EDITOR}")
    return " AND ".join(clauses), params


_UNDECIDED_BY_EDITOR = "coalesce(d.origin, 'file') != 'editor'"
"""No decision of the editor's: no row, or one that follows the file."""


def _prepare(library: Library, flt: Filter | None) -> None:
    """Make what the filter's SQL reads besides the tables: the live articles' keys."""
    if flt is not None and flt.live_undecided:
        library.live_keys()


def rows(library: Library, flt: Filter = Filter(), limit: int | None = None) -> list[ArticleRow]:
    """The articles the filter admits, in its order; only the first `limit` when given."""
    _prepare(library, flt)
    where, params = _where(flt)
    # A first page walks the date index, a story its members' index; the whole list is
    # faster read in order and sorted.
    hint = "" if limit is not None or flt.story else "NOT INDEXED "
    if limit is not None:
        params = [*params, limit]
    sql = (
        f"SELECT a.key, a.title, a.provider, a.published_at, {_STATE}, a.quality, a.heat, "
        f"a.type, a.problem_count, {_STORY}, s.size, a.seen FROM articles a {hint}"
        f"LEFT JOIN triage.decisions d USING (key) LEFT JOIN stories s ON s.rowid = a.rowid "
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
    for r in _execute(library.index.conn, sql, params):
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
            _DECISION[r[4]], quality, heat, one(kind, kind), r[8], story, r[10] or 1, r[11],
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


def articles(library: Library, flt: Filter = Filter(),
             read: Literal["files", "list", "row"] = "files") -> list[Listed]:
    """Full articles with their state, reason and story, as `rows` selects and orders them,
    as their files say now (`Library.articles`: every file is read, across every core).

    Or, read from the index alone: "list", what `list --format json` prints of them
    (`listed_article`: the body, images, video and related links' title, URL, provider
    and date), or "row", what a table of them shows (`known_article`).
    """
    _prepare(library, flt)
    where, params = _where(flt)
    columns, tables = (LISTED, LISTED_FROM) if read == "list" else (KNOWN, KNOWN_FROM)
    sql = (
        f"SELECT {columns}, {_STATE}, d.reason, {_STORY}, s.size FROM {tables} "
        f"LEFT JOIN triage.decisions d USING (key) "
        f"LEFT JOIN stories s ON s.rowid = a.rowid WHERE {where} ORDER BY {_ORDER[flt.sort]}"
    )
    make = listed_article if read == "list" else known_article
    found = []
    for *fields, state, reason, story, size in _execute(library.index.conn, sql, params):
        article = make(fields)
        story = id_from_key(story) if story else article.id
        found.append(Listed(article, _DECISION[state], reason, story, size or 1))
    if read == "files":
        now = library.articles([listed.article.id for listed in found])
        pairs = zip(found, now, strict=True)
        found = [listed._replace(article=article) for listed, article in pairs if article]
    return found


def _word_rowids(text: str) -> tuple[str, str] | None:
    """SQL selecting the rowids of the articles a search's words admit (its fields aside),
    and its parameter; None when it has no words."""
    parsed = parse_search(text)
    if parsed.match:
        return _FTS_ROWIDS, parsed.match
    if parsed.exclude:
        return (f"SELECT rowid FROM articles WHERE kind != 'problem' "
                f"AND rowid NOT IN ({_FTS_ROWIDS})"), parsed.exclude
    return None


def search_ids(library: Library, text: str) -> set[str]:
    """The ids of every article a search's words admit, unordered (its fields aside): for
    filtering rows in memory. None for a search with no words (an empty set)."""
    words = _word_rowids(text)
    if words is None:
        return set()
    sql, param = words
    return {
        id_from_key(key)
        for (key,) in library.index.conn.execute(
            f"SELECT key FROM articles WHERE rowid IN ({sql})", (param,)
        )
    }


class Hits:
    """The index rowids a search admits: a byte per rowid (1: admitted) while they are
    dense, as they are but in an index that has seen many files change (at most 4 bytes
    per hit, beyond the first 64 KiB), else a set. At 51,000 articles a set of the hits of
    a search that admits most of them held 3.6 MiB (its table, an int object each) for
    the 50 KiB of these bytes."""

    __slots__ = ("_bits", "_set")

    def __init__(self, found: Sequence[int] = ()) -> None:
        """The hits `found` (rowids, each once)."""
        top = max(found, default=-1)
        self._bits: bytearray | None = None
        self._set: set[int] | None = None
        if top < 4 * len(found) + (64 << 10):
            self._bits = bytearray(top + 2)  # a last byte 0: rowid -1 (gone) reads 0
            deque(map(self._bits.__setitem__, found, repeat(1)), maxlen=0)  # a loop in C
        else:
            self._set = set(found)

    def flags(self, rowids: Sequence[int]) -> Iterator[int]:
        """For each of `rowids` (-1: no longer indexed), 1 when it is a hit, else 0."""
        if self._set is not None:
            return map(int, map(self._set.__contains__, rowids))
        bits = self._bits or bytearray(1)
        last = len(bits) - 1  # always 0: above every hit, and where -1 reads
        return map(bits.__getitem__, map(min, rowids, repeat(last)))

    def __iter__(self) -> Iterator[int]:
        """The hits, ascending."""
        if self._set is not None:
            return iter(sorted(self._set))
        return compress(itertools.count(), self._bits or b"")

    def __len__(self) -> int:
        """How many hits."""
        return len(self._set) if self._set is not None else (self._bits or b"").count(1)


def search_rowids(library: Library, text: str) -> Hits:
    """The index rowids of every article a search's words admit (its fields aside; no
    key is decoded); none for a search with no words.

    Rowids change as files are indexed again (renamed, removed and added): pair them with
    `article_rowids` read at the same `index_version`.
    """
    words = _word_rowids(text)
    if words is None:
        return Hits()
    sql, param = words
    conn = library.index.conn
    # The rowids come as one string of fixed-width hex, read into an array: stepping
    # through a row per match costs more, and a list of them (JSON, say) holds an int
    # object per match, 1.6 MiB at 51,000.
    (top,) = conn.execute("SELECT max(rowid) FROM articles").fetchone()
    narrow = array("I").itemsize == 4 and (top is None or top < 1 << 32)
    digits, code = ("%08x", "I") if narrow else ("%016x", "Q")
    (joined,) = conn.execute(
        f"SELECT group_concat(printf('{digits}', rowid), '') FROM ({sql})",
        (param,),
    ).fetchone()
    found = array(code, bytes.fromhex(joined or ""))
    if sys.byteorder == "little":
        found.byteswap()
    return Hits(found)


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


def _admitted(flt: Filter) -> tuple[str, list[Any]]:
    """FROM and WHERE (with its parameters) for the articles the filter admits."""
    where, params = _where(flt)
    joined = flt.state or flt.reason or flt.live_undecided
    decisions = " LEFT JOIN triage.decisions d USING (key)" if joined else ""
    return f"articles a{decisions} WHERE {where}", params


def reasons(library: Library, flt: Filter | None = None) -> list[tuple[str, str, int]]:
    """(provider, reason, count) of every skip with a reason, most common first; only
    among the articles `flt` admits (its reason aside) when given.

    `duplicate of <id>` counts as `duplicate`.
    """
    _prepare(library, flt)
    where, params = ("1", []) if flt is None else _where(replace(flt, reason=None))
    decisions = "" if flt is None else "LEFT JOIN triage.decisions d ON d.key = a.key "
    return [
        (provider or "", reason, count)
        for provider, reason, count in _execute(
            library.index.conn,
            "SELECT a.provider, r.reason, count(*) FROM articles a JOIN ("
            "  SELECT key, CASE WHEN reason LIKE 'duplicate of %' THEN 'duplicate' "
            "  ELSE reason END AS reason FROM triage.decisions "
            "  WHERE state = 'skipped' AND reason IS NOT NULL AND reason != ''"
            f") r ON r.key = a.key {decisions}WHERE {where} "
            "GROUP BY a.provider, r.reason ORDER BY count(*) DESC, a.provider, r.reason",
            params,
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


def live_undecided(library: Library) -> list[str]:
    """The ids of the live articles the editor has not decided, in id order (their count is
    the "live without a decision" a status line shows)."""
    return library.live_undecided()


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


def counts_at(library: Library) -> tuple[dict[Decision, int], int]:
    """How many articles are in each state, and the last journal entry that count holds:
    both read in one snapshot of the store, so that an entry another instance writes
    meanwhile is left to `state_moves_since`, neither lost nor counted twice."""
    conn = library.index.conn
    own = not conn.in_transaction
    if own:
        conn.execute("BEGIN")  # deferred: one read snapshot of both files, no lock taken
    try:
        found = counts(library)
        seq = conn.execute("SELECT coalesce(max(seq), 0) FROM triage.journal").fetchone()[0]
    finally:
        if own:
            conn.rollback()  # a read: nothing to keep
    return found, int(seq)


def state_moves_since(library: Library, seq: int
                      ) -> tuple[int, list[tuple[Decision, Decision]]]:
    """The state changes the journal holds after entry `seq` (any instance's decisions,
    undos, redos, renames followed), each (from, to), in order, for the articles the index
    lists; and the last entry's number, to pass next time. One range of the journal's key."""
    found = library.index.conn.execute(
        "SELECT j.seq, j.old_state, j.new_state, a.kind, a.file_published "
        "FROM triage.journal j LEFT JOIN articles a USING (key) WHERE j.seq > ? ORDER BY j.seq",
        (seq,),
    ).fetchall()
    moves = []
    for _seq, old, new, kind, file_published in found:
        if kind is None or kind == "problem":  # a file gone, or no article: never counted
            continue
        # No row: the state its file implies, as `counts` takes it.
        implied = Decision.PUBLISHED if file_published == 1 else Decision.UNDECIDED
        moves.append((Decision(old) if old else implied, Decision(new) if new else implied))
    return (found[-1][0] if found else seq), moves


def decided_by_editor(library: Library, ids: Iterable[str] | None = None) -> set[str]:
    """Those of these articles (None: of every one) whose state the editor chose, not the
    one their file implies: none of them is "live without a decision"."""
    sql = "SELECT key FROM triage.decisions WHERE origin = 'editor'"
    conn = library.index.conn
    if ids is None:
        return {id_from_key(key) for (key,) in conn.execute(sql)}
    keys = [key_from_id(i) for i in ids]
    found: set[str] = set()
    for start in range(0, len(keys), 500):
        part = keys[start : start + 500]
        found.update(id_from_key(key) for (key,) in conn.execute(
            f"{sql} AND key IN ({','.join('?' * len(part))})", part))
    return found


def _named(tally: dict[str, int], spellings: dict[str, Counter[str]]) -> list[tuple[str, int]]:
    """(name, count) most common first, each named by its most common spelling."""
    named = [
        (min(spelled.items(), key=lambda item: (-item[1], item[0]))[0], tally[folded])
        for folded, spelled in spellings.items()
    ]
    return sorted(named, key=lambda item: (-item[1], item[0]))


def topics(library: Library, flt: Filter | None = None) -> list[tuple[str, int]]:
    """Every topic with its article count, most common first; only among the articles
    `flt` admits (its topic aside) when given. Spellings that differ in case are one
    topic, as filters match them, named as most articles spell it."""
    _prepare(library, flt)
    admitted, params = _admitted(replace(flt or Filter(), topic=None))
    # Many articles share one list of topics: each list is split and folded once.
    lists = Counter(joined for (joined,) in _execute(
        library.index.conn, f"SELECT a.topics FROM {admitted} AND a.topics != ''", params
    ))
    tally: dict[str, int] = {}
    spellings: dict[str, Counter[str]] = {}
    for joined, count in lists.items():
        seen = set()
        for topic in joined.split("\x1f"):
            key = casefold(topic)
            spellings.setdefault(key, Counter())[topic] += count
            if key not in seen:
                seen.add(key)
                tally[key] = tally.get(key, 0) + count
    return _named(tally, spellings)


def providers(library: Library, flt: Filter | None = None) -> list[tuple[str, int]]:
    """Every provider with its article count, most common first; only among the articles
    `flt` admits (its provider aside) when given. Spellings that differ in case are one
    provider, as filters match them, named as most articles spell it."""
    _prepare(library, flt)
    admitted, params = _admitted(replace(flt or Filter(), provider=None))
    tally: dict[str, int] = {}
    spellings: dict[str, Counter[str]] = {}
    for name, count in _execute(
        library.index.conn,
        f"SELECT a.provider, count(*) FROM {admitted} AND a.provider != '' GROUP BY a.provider",
        params,
    ):
        key = casefold(name)
        spellings.setdefault(key, Counter())[name] += count
        tally[key] = tally.get(key, 0) + count
    return _named(tally, spellings)


def claimed(library: Library, others_only: bool = True) -> dict[str, str | None]:
    """The editor of the claim in force on each article another editor claimed (with
    `others_only` False, this editor's claims too; editor None: a claim of this store's
    own not shared yet): by the article, or by its provider or topic."""
    return {i: claim.editor for i, claim in claims_by_article(library, others_only).items()}


def decided_by(library: Library, article_id: str) -> tuple[str | None, str] | None:
    """(editor, when) of the decision the article's state comes from, as
    `Library.decided_by` gives it for every article, for this one alone (the detail pane
    asks per article); None when no editor decided it (its state is its file's)."""
    row = library.index.conn.execute(
        "SELECT e.editor, e.at FROM triage.decisions d JOIN triage.events e ON e.id = d.event "
        "WHERE d.origin = 'editor' AND d.key = ?",
        (key_from_id(article_id),),
    ).fetchone()
    return None if row is None else (row[0], row[1])


def claims_by_article(library: Library, others_only: bool = True) -> dict[str, Claim]:
    """The claim in force on each article, as `claimed` finds it (the first claim made
    wins), whole: who claimed it and until when."""
    found: dict[str, Claim] = {}
    for claim in library.claims():
        if others_only and claim.own:
            continue
        for article_id in claim.articles:
            found.setdefault(article_id, claim)
        if claim.provider is not None or claim.topic is not None:
            for row in rows(library, Filter(provider=claim.provider, topic=claim.topic)):
                found.setdefault(row.id, claim)
    return found


def own_editor(library: Library) -> str | None:
    """The name this store's own events were last shared under (a sync writes them to
    that editor's log), or None when none was shared yet: the desk's name for "you"."""
    row = library.index.conn.execute(
        "SELECT editor FROM triage.events WHERE own = 1 AND editor IS NOT NULL "
        "ORDER BY seq DESC LIMIT 1"
    ).fetchone()
    return None if row is None else row[0]

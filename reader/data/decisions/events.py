"""The desk's events in the decisions store: who decided what on top of what, and conflicts.

Every decision made in this store is also an event (in the same transaction), made on top
of the article's heads: the events of that article no later event was made on top of, i.e.
what this editor saw of it. Events read from the other editors' logs join them; an article
whose heads disagree on its state is a conflict. Plain functions on the store's connection,
called inside its write transactions.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from reader.data.ids import id_from_key, key_from_id


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of an editor's shared log."""

    id: str
    at: str
    """When it was made: ISO 8601 UTC, to the millisecond."""
    editor: str | None
    """Who made it; None: this store's own, not in a shared log yet."""
    kind: str
    """`decide`, `claim` or `release`."""
    article: str | None = None
    """decide: the article's id."""
    state: str | None = None
    """decide: `published`, `skipped` or `undecided`; None: back to what its file says."""
    reason: str | None = None
    on: tuple[str, ...] = ()
    """decide: the events of the article it was made on top of; release: the claims ended."""
    until: str | None = None
    """claim: when it ends (ISO 8601 UTC)."""
    articles: tuple[str, ...] = ()
    """claim: the articles claimed (none for a provider's or a topic's claim)."""
    provider: str | None = None
    topic: str | None = None


@dataclass(frozen=True, slots=True)
class Side:
    """One editor's standing decision in a conflict."""

    event: str
    editor: str | None
    at: str
    state: str | None
    reason: str | None


@dataclass(frozen=True, slots=True)
class Claim:
    """A claim in force: the articles (or the provider, or the topic) an editor is on."""

    event: str
    editor: str | None
    at: str
    until: str
    articles: tuple[str, ...] = field(default=())
    provider: str | None = None
    topic: str | None = None
    own: bool = False
    """Made in this store (by this editor)."""


def new_id() -> str:
    """A fresh event id: unique across every editor and machine."""
    return uuid.uuid4().hex


def heads(conn: sqlite3.Connection, key: str) -> list[str]:
    """The ids of an article's head events (none: no editor has decided it yet)."""
    return [r[0] for r in conn.execute("SELECT id FROM event_heads WHERE key = ?", (key,))]


def is_conflict(conn: sqlite3.Connection, key: str) -> bool:
    """Whether the article's heads disagree on its state."""
    row = conn.execute(
        "SELECT count(DISTINCT coalesce(e.state, '')) FROM event_heads h "
        "JOIN events e ON e.id = h.id WHERE h.key = ?",
        (key,),
    ).fetchone()
    return bool(row and row[0] > 1)


def record_local(conn: sqlite3.Connection, at: str, key: str, state: str | None,
                 reason: str | None) -> str:
    """Record this store's own decision on an article as an event on top of its heads (it
    becomes the only head); its id."""
    event = new_id()
    parents = heads(conn, key)
    conn.execute(
        "INSERT INTO events (id, editor, own, at, kind, key, state, reason) "
        "VALUES (?, NULL, 1, ?, 'decide', ?, ?, ?)",
        (event, at, key, state, reason),
    )
    conn.executemany("INSERT OR IGNORE INTO event_parents (parent, child) VALUES (?, ?)",
                     [(p, event) for p in parents])
    conn.execute("DELETE FROM event_heads WHERE key = ?", (key,))
    conn.execute("INSERT INTO event_heads (key, id) VALUES (?, ?)", (key, event))
    return event


def record_claim(conn: sqlite3.Connection, claim: Event, own: bool = False) -> None:
    """Record a claim or a release (`own`: this store's own, else read from a log)."""
    conn.execute(
        "INSERT INTO events (id, editor, own, at, kind, until, scope) VALUES (?,?,?,?,?,?,?)",
        (claim.id, claim.editor, int(own), claim.at, claim.kind, claim.until, _scope(claim)),
    )
    if claim.kind == "release":
        conn.executemany("UPDATE claims SET released = 1 WHERE event = ?",
                         [(c,) for c in claim.on])
        return
    rows: list[tuple[str, str | None, str | None, str | None]] = [
        (claim.id, key_from_id(a), None, None) for a in claim.articles]
    if claim.provider is not None or claim.topic is not None:
        rows.append((claim.id, None, claim.provider, claim.topic))
    released = conn.execute(  # a release read before its claim (logs are read in any order)
        "SELECT 1 FROM events WHERE kind = 'release' AND scope LIKE ?",
        (f'%"{claim.id}"%',),
    ).fetchone()
    conn.executemany(
        "INSERT INTO claims (event, key, provider, topic, released) VALUES (?, ?, ?, ?, ?)",
        [(*row, 1 if released else 0) for row in rows],
    )


def _scope(event: Event) -> str:
    """A claim's or a release's scope as the events table keeps it (JSON)."""
    if event.kind == "release":
        return json.dumps({"claims": list(event.on)})
    scope: dict[str, object] = {"articles": [key_from_id(a) for a in event.articles]}
    if event.provider is not None:
        scope["provider"] = event.provider
    if event.topic is not None:
        scope["topic"] = event.topic
    return json.dumps(scope, ensure_ascii=False)


def known(conn: sqlite3.Connection, ids: Iterable[str]) -> set[str]:
    """Those of the event ids this store has already."""
    wanted = list(ids)
    found: set[str] = set()
    for start in range(0, len(wanted), 500):
        part = wanted[start : start + 500]
        found.update(r[0] for r in conn.execute(
            f"SELECT id FROM events WHERE id IN ({','.join('?' * len(part))})", part))
    return found


def add_decision(conn: sqlite3.Connection, event: Event) -> str:
    """Add another editor's decision event (never seen here before); the article's key.

    It replaces the heads it was made on top of, and is a head itself unless an event
    already here was made on top of it (the logs are read in any order).
    """
    assert event.article is not None
    key = key_from_id(event.article)
    conn.execute(
        "INSERT INTO events (id, editor, at, kind, key, state, reason) "
        "VALUES (?, ?, ?, 'decide', ?, ?, ?)",
        (event.id, event.editor, event.at, key, event.state, event.reason),
    )
    conn.executemany("INSERT OR IGNORE INTO event_parents (parent, child) VALUES (?, ?)",
                     [(p, event.id) for p in event.on])
    conn.executemany("DELETE FROM event_heads WHERE key = ? AND id = ?",
                     [(key, p) for p in event.on])
    later = conn.execute("SELECT 1 FROM event_parents WHERE parent = ? LIMIT 1",
                         (event.id,)).fetchone()
    if later is None:
        conn.execute("INSERT INTO event_heads (key, id) VALUES (?, ?)", (key, event.id))
    return key


def standing(conn: sqlite3.Connection, key: str) -> Side | None:
    """The head that gives the article its state: the only one, or, when several stand,
    the latest (by time, then id), so that every store that has the same events agrees."""
    row = conn.execute(
        "SELECT e.id, e.editor, e.at, e.state, e.reason FROM event_heads h "
        "JOIN events e ON e.id = h.id WHERE h.key = ? ORDER BY e.at DESC, e.id DESC LIMIT 1",
        (key,),
    ).fetchone()
    return None if row is None else Side(*row)


def sides(conn: sqlite3.Connection, keys: Sequence[str] | None = None) -> dict[str, list[Side]]:
    """The heads of each conflicted article (by id), latest first; only among `keys` when
    given."""
    rows = conn.execute(
        "SELECT h.key, e.id, e.editor, e.at, e.state, e.reason FROM event_heads h "
        "JOIN events e ON e.id = h.id WHERE h.key IN (SELECT key FROM event_heads "
        "GROUP BY key HAVING count(*) > 1) ORDER BY h.key, e.at DESC, e.id DESC"
    ).fetchall()
    found: dict[str, list[Side]] = {}
    for key, *side in rows:
        found.setdefault(key, []).append(Side(*side))
    wanted = None if keys is None else set(keys)
    return {
        id_from_key(key): found_sides
        for key, found_sides in found.items()
        if len({s.state for s in found_sides}) > 1 and (wanted is None or key in wanted)
    }


def unshared(conn: sqlite3.Connection) -> list[Event]:
    """This store's own events no shared log holds yet, oldest first."""
    out = []
    for row in conn.execute(
        "SELECT id, at, kind, key, state, reason, until, scope FROM events "
        "WHERE editor IS NULL ORDER BY seq"
    ).fetchall():
        event_id, at, kind, key, state, reason, until, scope = row
        if kind == "decide":
            parents = tuple(r[0] for r in conn.execute(
                "SELECT parent FROM event_parents WHERE child = ? ORDER BY parent", (event_id,)))
            out.append(Event(event_id, at, None, kind, id_from_key(key), state, reason,
                             parents))
        else:
            data = json.loads(scope)
            out.append(Event(
                event_id, at, None, kind, until=until, on=tuple(data.get("claims", ())),
                articles=tuple(id_from_key(k) for k in data.get("articles", ())),
                provider=data.get("provider"), topic=data.get("topic"),
            ))
    return out


def claims_in_force(conn: sqlite3.Connection, now: str) -> list[Claim]:
    """Every claim not released and not ended at `now` (ISO 8601 UTC), oldest first."""
    found: dict[str, tuple[tuple[str | None, str, str, int], list[str], str | None,
                           str | None]] = {}
    for event, editor, at, until, own, key, provider, topic in conn.execute(
        "SELECT c.event, e.editor, e.at, e.until, e.own, c.key, c.provider, c.topic "
        "FROM claims c "
        "JOIN events e ON e.id = c.event WHERE c.released = 0 AND e.until > ? "
        "ORDER BY e.seq, c.rowid",
        (now,),
    ):
        head, articles, _, _ = found.setdefault(
            event, ((editor, at, until, own), [], None, None))
        if key is not None:
            articles.append(id_from_key(key))
        else:
            found[event] = (head, articles, provider, topic)
    return [
        Claim(event, editor, at, until, tuple(articles), provider, topic, bool(own))
        for event, ((editor, at, until, own), articles, provider, topic) in found.items()
    ]

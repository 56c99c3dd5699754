"""The desk on the triage screen, without Textual: a sync run on a worker and what it said,
the list's marks of conflicts and of other editors' claims, which articles `c` claims, and
how each is worded (every editor's name and reason as plain text)."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from itertools import chain
from typing import TYPE_CHECKING, Literal, Protocol

from reader.data import query
from reader.data.article import Decision
from reader.data.clean import clean_line
from reader.data.library import Claim, Library, LibraryError, Side, StoreError, SyncError
from reader.data.query import ArticleRow
from reader.data.words import plural

if TYPE_CHECKING:
    from reader.data.article import Problem

CLAIM_COUNT = 20
"""How many undecided articles `c` claims."""
CLAIM_HOURS = 4.0
"""How long a claim made by `c` lasts."""
Severity = Literal["information", "warning", "error"]
"""How a toast is shown (Textual's levels)."""
DONE = {"published": "Published", "skipped": "Skipped", "undecided": "Made undecided"}
"""A decision's state as the detail pane's `… by …` line says it."""
VERBS = {"published": "published it", "skipped": "skipped it",
         "undecided": "made it undecided", None: "left it as its file says"}
"""What one side of a conflict did (state None: back to what its file says)."""


@dataclass(frozen=True, slots=True)
class DeskMarks:
    """What the list marks of the desk: the conflicts, and the articles others claimed."""

    conflicts: frozenset[str] = frozenset()
    """The articles editors decided differently, neither having seen the other's decision."""
    claimed: Mapping[str, Claim] = field(default_factory=dict)
    """The claim in force on each article another editor claimed."""
    me: str | None = None
    """The desk's name for this editor, once a sync shared one of their events."""

    @classmethod
    def read(cls, library: Library) -> DeskMarks:
        """The marks as the store has them now (a claim of a provider or a topic reads
        its rows: a worker's work)."""
        return cls(frozenset(library.conflicts()), query.claims_by_article(library),
                   query.own_editor(library))

    def resolved(self, ids: Collection[str]) -> DeskMarks:
        """The marks once these articles were decided here (deciding resolves a conflict)."""
        if not self.conflicts.intersection(ids):
            return self
        return replace(self, conflicts=self.conflicts.difference(ids))


class SyncResult(Protocol):
    """What the screen reads of the library's SyncResult (the door does not hand its type
    out): what was shared and taken, and why the remote was not reached."""

    shared: int
    received: int
    changed: list[str]
    conflicts: int
    problems: list[Problem]
    note: str | None


@dataclass(frozen=True, slots=True)
class Synced:
    """What a sync run on a worker came to: its result, or why nothing was exchanged."""

    result: SyncResult | None = None
    """The library's SyncResult (None when the sync failed)."""
    error: str | None = None
    """Why the sync could not start or share (None when it ran)."""


def run_sync(library: Library, editor: str | None) -> Synced:
    """On a worker thread: sync on a library of its own (closed after), as `editor` (the
    config's; None: git's name)."""
    try:
        own = library.for_thread()
    except (LibraryError, StoreError, sqlite3.Error) as error:
        return Synced(error=str(error))
    try:
        return Synced(own.sync(editor))
    except (SyncError, LibraryError, StoreError, sqlite3.Error, OSError) as error:
        return Synced(error=str(error))
    finally:
        own.close()


def to_claim(rows: Sequence[ArticleRow], start: int, taken: Collection[str],
             count: int = CLAIM_COUNT) -> list[str]:
    """The first `count` undecided rows from `start` on (the row there too, then wrapping
    round once) that no claim in force holds (`taken`), in list order."""
    order = chain(range(max(start, 0), len(rows)), range(max(start, 0)))
    found: list[str] = []
    for index in order:
        row = rows[index]
        if row.state is Decision.UNDECIDED and row.id not in taken:
            found.append(row.id)
            if len(found) == count:
                break
    return found


def claim_until(now: datetime) -> datetime:
    """When a claim made now by `c` ends."""
    return now + timedelta(hours=CLAIM_HOURS)


# -- words ------------------------------------------------------------------------------


def who(editor: str | None, me: str | None = None) -> str:
    """An editor as the screen names them: `you` for this store's own decision not shared
    yet, or for `me` (the desk's name for this editor), else their name without the
    ` <email>` git adds."""
    if editor is None or editor == me:
        return "you"
    name = editor.rsplit(" <", 1)[0] if editor.endswith(">") and " <" in editor else editor
    return clean_line(name) or clean_line(editor)


def local_time(at: str | datetime, now: datetime | None = None) -> str:
    """A stamp of the desk (ISO 8601) in local time: `2026-12-07 14:02`, only `14:02` on
    the day of `now`; the stamp as written when it cannot be read."""
    try:
        when = at if isinstance(at, datetime) else datetime.fromisoformat(at)
    except ValueError:
        return clean_line(str(at))
    local = when.astimezone()
    if now is not None and local.date() == now.astimezone().date():
        return local.strftime("%H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def decided_line(state: Decision, by: tuple[str | None, str], me: str | None = None) -> str:
    """Who gave the article its state, and when: `Skipped by Alice Smith, 2026-12-07 14:02`
    (`me`: the desk's name for this editor, said as `you`)."""
    editor, at = by
    return f"{DONE[state.value]} by {who(editor, me)}, {local_time(at)}"


def side_words(side: Side, me: str | None = None) -> str:
    """One side of a conflict: `Bob Jones skipped it (paywall), 2026-12-07 14:02`."""
    reason = f" ({clean_line(side.reason)})" if side.reason else ""
    return f"{who(side.editor, me)} {VERBS.get(side.state, VERBS[None])}{reason}, " \
           f"{local_time(side.at)}"


def conflict_line(sides: Sequence[Side], me: str | None = None) -> str:
    """The detail pane's line on a conflict: who decided what."""
    return "Editors disagree: " + "; ".join(side_words(s, me) for s in sides)


def claimed_line(claim: Claim, now: datetime) -> str:
    """`Claimed by Bob until 18:30` (the next undecided passes the article over)."""
    return f"Claimed by {who(claim.editor)} until {local_time(claim.until, now)}"


def claim_toast(count: int, until: datetime, now: datetime) -> str:
    """What `c` did: `Claimed 20 articles until 18:30; the desk sees it at your next sync`."""
    return (f"Claimed {plural(count, 'article')} until {local_time(until, now)}; the desk "
            "sees it at your next sync")


def sync_toast(synced: Synced) -> tuple[str, str, Severity]:
    """(title, text, severity) of the toast after a sync: what was exchanged, or why the
    remote was not reached (a warning, never a success), or why nothing was (an error)."""
    if synced.error is not None or synced.result is None:
        why = synced.error or "the sync did not run"
        return "Not synced", f"{why}. No decision was lost: sync again once that is fixed", \
            "error"
    result = synced.result
    conflicts = plural(result.conflicts, "conflict") if result.conflicts else ""
    unread = (f"{plural(len(result.problems), 'line')} of the desk's logs could not be read "
              "(`newsreader sync` lists them)" if result.problems else "")
    if result.note is not None:
        kept = (f"{result.shared:,} of yours written to your log and kept. "
                if result.shared else "")
        text = "; ".join(x for x in (kept + clean_line(result.note), conflicts, unread) if x)
        return "Not synced with the desk", text, "warning"
    # `shared` counts this editor's events: decisions, and claims and releases too.
    parts = [f"{result.shared:,} of yours shared" if result.shared else "",
             f"{result.received:,} new from the desk" if result.received else "",
             f"{plural(len(result.changed), 'article')} changed" if result.changed else "",
             conflicts]
    said = ", ".join(p for p in parts if p) or "nothing new"
    return "Desk", "; ".join(x for x in (f"Synced: {said}", unread) if x), \
        "warning" if unread else "information"


def worth_saying(synced: Synced, before: Synced | None, conflicts_before: int) -> bool:
    """Whether a sync run by the timer is worth a toast: it brought or changed something,
    made a conflict, or failed otherwise than the last one did (once, not every time)."""
    result = synced.result
    if result is None or result.note is not None:
        last = None if before is None else (before.error, getattr(before.result, "note", None))
        now = (synced.error, getattr(result, "note", None))
        return now != last
    return bool(result.received or result.changed or result.problems
                or result.conflicts > conflicts_before)


def kept_words(kept: Sequence[str]) -> str:
    """What an undo or a redo left alone: `2 articles were decided by another editor
    since: left as they are`."""
    if len(kept) == 1:
        return "1 article was decided by another editor since: left as it is"
    return f"{len(kept):,} articles were decided by another editor since: left as they are"


def resolved_toast(title: str, side: Side, me: str | None = None) -> str:
    """What resolving a conflict with a side did."""
    state = side.state if side.state in DONE else "undecided"
    return (f"Resolved: {clean_line(title)} is {state}, as {who(side.editor, me)} decided; "
            "the desk sees it at your next sync (u undoes)")

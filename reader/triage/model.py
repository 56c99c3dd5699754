"""TriageModel: the triage screen's state and what each intent does to it, without Textual.

The screen holds one model. Each intent (a filter, a decision, an undo, a story edit, a look
at the journal) is a method that changes the model and returns what changed; the screen
copies that into its reactives in one place and lets the widgets redraw. Every rule of
triage lives here, so it is tested without an app: which rows a filter lists, where the
cursor goes after a decision, what the session counts, what another instance did.
"""

from __future__ import annotations

import json
import shlex
import sqlite3
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import chain
from typing import TYPE_CHECKING

from reader.data import query
from reader.data.article import Article, Decision, Problem
from reader.data.library import (
    Change,
    Library,
    LibraryError,
    RefreshResult,
    StoreError,
    StoryOutcome,
    StoryPlan,
)
from reader.data.query import SORTS, ArticleRow, Filter, Sort
from reader.triage.desk import DeskMarks, claim_until, to_claim
from reader.triage.merge import merge_rows
from reader.triage.rows import LoadedRows, Prepared, needs_sql
from reader.triage.site import SiteMarks
from reader.triage.story_rows import Lookups

if TYPE_CHECKING:
    from reader.data.library import EffectiveState

FIRST_PAGE = 100
"""Rows read before the first paint, two screens of a tall terminal; the rest are read on
a worker after it (every row read here delays the first frame)."""
MEMBERS_SHOWN = 100
"""Other articles of a story listed in the side pane, newest first. A story can hold
thousands (every version of one page), and a long option list is slow to lay out."""
NO_EDITOR = "Set $VISUAL or $EDITOR to edit files"
"""What `e` says when neither names an editor."""


@dataclass(frozen=True, slots=True)
class Ready:
    """A filter's rows worked out before they are shown, and the list's look-ups of them."""

    prepared: Prepared
    """The rows, and what they were worked out from."""
    lookups: Lookups
    """The list's look-ups of those rows."""


@dataclass(frozen=True, slots=True)
class Search:
    """What working out a search's rows on a worker thread needs (see `prepare_search`)."""

    asked: int
    """The number of the search box change this is for (only the last one's rows count)."""
    loaded: LoadedRows
    """The rows in memory to search."""
    filter: Filter
    """The filter with the search in it."""
    version: tuple[int, int]
    """The index version when asked, so that stale rows are never shown."""


@dataclass(frozen=True, slots=True)
class Moved:
    """Articles whose state changed: what they had, what they have now."""

    before: Mapping[str, Decision]
    """Their states before: as the list showed them, or, for this session's own decision,
    as the store had them just before it (for the tally; the counts come from the store)."""
    after: Mapping[str, Decision]
    """Their states now, by the store."""

    @property
    def ids(self) -> tuple[str, ...]:
        """The articles that changed (or were asked to)."""
        return tuple(self.after)


@dataclass(frozen=True, slots=True)
class Followed:
    """What another instance (an app or the CLI) did since the last look at the journal."""

    moved: Moved | None = None
    """States it changed, to show; None when none changed."""
    touched: tuple[str, ...] = ()
    """Articles its steps named, changed or not (their reasons may have changed)."""
    stories: bool = False
    """Whether it made, undid or redid a story edit: every row's story may differ."""


@dataclass(slots=True)
class Tally:
    """This session's work: the articles left in another state than it found them."""

    started: datetime
    """When the session started, for the pace."""
    first: dict[str, Decision] = field(default_factory=dict)
    """The state each article had when this session first changed it."""
    now: dict[str, Decision] = field(default_factory=dict)
    """The state of each of those articles now."""

    def count(self, before: Mapping[str, Decision], after: Mapping[str, Decision]) -> int:
        """Take in a change this session made; return how many articles it has changed."""
        for article_id, state in before.items():
            self.first.setdefault(article_id, state)
        self.now.update(after)
        return self.changed

    @property
    def changed(self) -> int:
        """Articles in another state than this session found them (an undo takes one back)."""
        return sum(self.now.get(i, first) is not first for i, first in self.first.items())

    def pace(self, now: datetime) -> float | None:
        """Articles changed per hour; None in the first minute (a pace would mean nothing)."""
        hours = (now - self.started).total_seconds() / 3600
        return self.changed / hours if hours >= 1 / 60 else None


def shifted(counts: Mapping[Decision, int], moves: Iterable[tuple[Decision, Decision]]
            ) -> dict[Decision, int]:
    """The counts after these state changes, each (from, to)."""
    after = dict(counts)
    for old, new in moves:
        after[old] -= 1
        after[new] += 1
    return after


def next_undecided(rows: Sequence[ArticleRow], start: int, backwards: bool = False,
                   passing: Collection[str] = ()) -> int | None:
    """The position of the next undecided row after `start` (before it, `backwards`),
    wrapping round once; None if there is none (the row at `start` itself does not count;
    -1: no cursor, every row does). Rows in `passing` (those another editor of the desk
    claimed) are passed over: they stay listed, and decidable when gone to on purpose."""
    # Two ranges, not a list of every position: a decision in a big folder pays for neither.
    if backwards:
        order = chain(range(start - 1, -1, -1), range(len(rows) - 1, max(start, -1), -1))
    else:
        order = chain(range(start + 1, len(rows)), range(max(start, 0)))
    for index in order:
        row = rows[index]
        if row.state is Decision.UNDECIDED and (not passing or row.id not in passing):
            return index
    return None


def targets(rows: Sequence[ArticleRow], selection: frozenset[str],
            cursor_id: str | None) -> list[str]:
    """What a key acts on: the selection in list order, else the article under the cursor."""
    ids = [row.id for row in rows if row.id in selection] if selection else []
    if not ids and cursor_id is not None:
        ids = [cursor_id]
    return ids


def place_text(flt: Filter, article_id: str | None) -> str:
    """Where the editor is, as the index keeps it: the filter (its story aside: stories
    are clustered anew) and the article under the cursor."""
    kept = {"state": flt.state.value if flt.state else None, "search": flt.search,
            "topic": flt.topic, "provider": flt.provider, "sort": flt.sort,
            "reason": flt.reason, "new": flt.new_after is not None}
    return json.dumps({"filter": kept, "article": article_id}, ensure_ascii=False)


def place_from(text: str | None, new_after: int | None = None) -> tuple[Filter, str | None]:
    """The filter and article `place_text` kept; what is missing or not understood (an
    older or damaged value) falls back to showing everything, newest first. A filter that
    showed new articles only shows those new this session: after `new_after` (None: none
    is known to be new, and the filter shows every article)."""
    try:
        data = json.loads(text) if text else {}
    except ValueError:
        data = {}
    kept = data.get("filter") if isinstance(data, dict) else None
    kept = kept if isinstance(kept, dict) else {}

    def text_of(key: str) -> str | None:
        """A kept string field, or None."""
        value = kept.get(key)
        return value if isinstance(value, str) and value else None

    states = {d.value: d for d in Decision}
    sort = kept.get("sort")
    flt = Filter(state=states.get(kept.get("state")),  # type: ignore[arg-type]
                 search=text_of("search"), topic=text_of("topic"),
                 provider=text_of("provider"), reason=text_of("reason"),
                 sort=sort if sort in SORTS else "date",
                 new_after=new_after if kept.get("new") is True else None)
    article = data.get("article") if isinstance(data, dict) else None
    return flt, article if isinstance(article, str) else None


def editor_command(environ: Mapping[str, str], path: str) -> list[str]:
    """The command that opens `path` in the editor's text editor: $VISUAL, else $EDITOR, split
    into words as a shell would (no shell runs it), with the path as the last argument.
    Raises ValueError saying what is wrong: neither is set, or the one set is no command."""
    for name in ("VISUAL", "EDITOR"):
        value = environ.get(name, "")
        if not value.strip():
            continue
        try:
            words = shlex.split(value)
        except ValueError as error:
            raise ValueError(f"${name} cannot be read as a command: {error}") from None
        if words:
            return [*words, path]
    raise ValueError(NO_EDITOR)


def changes_reason(rows: Sequence[ArticleRow]) -> bool:
    """Whether `S` on these rows changes the reason they were skipped for, rather than
    skipping them: every one of them is skipped already."""
    return bool(rows) and all(row.state is Decision.SKIPPED for row in rows)


def pending_second_publish(library: Library, rows: Sequence[ArticleRow],
                           ids: Sequence[str]) -> ArticleRow | int | None:
    """Why publishing `ids` needs a yes first: an article of the same story published
    already (that row), or how many of the chosen articles share one story; None: no need."""
    chosen = set(ids)
    stories: dict[str, int] = {}
    for row in rows:
        if row.id in chosen and row.story_size > 1:
            stories[row.story] = stories.get(row.story, 0) + 1
    for story, count in sorted(stories.items()):
        # Only its published articles: a story of thousands is not read whole per key.
        flt = Filter(story=story, state=Decision.PUBLISHED)
        for member in query.rows(library, flt, limit=len(chosen) + 1):
            if member.id not in chosen:
                return member
        if count > 1:
            return count
    return None


class TriageModel:
    """The triage state of one screen: the filter, the rows in memory, the counts, the
    session's tally and the position in the journal (the selection and the cursor are the
    list's own: `targets` and `next_undecided` take them).

    Its library belongs to the app's thread; a worker asks `Library.for_thread` for its own.
    """

    def __init__(self, library: Library, clock: Callable[[], datetime]) -> None:
        """Start a session on `library`, timed by `clock` (fixed in tests)."""
        self.library = library
        """The app thread's library: every query and decision goes through it."""
        self.clock = clock
        """The app's clock."""
        self.filter = Filter()
        """What the list shows, in which order."""
        self.counts: dict[Decision, int] = {}
        """How many articles are in each state, by the store as of journal entry `counted`
        (empty until first counted)."""
        self.counted = 0
        """The last journal entry the counts hold: any instance's later ones are news."""
        self.tally = Tally(clock())
        """This session's changes, for the status bar's count and pace."""
        self.new_after: int | None = None
        """Articles listed first by a rescan after this one are new to the editor: found
        since their last session, or by this one's rescans. None: not known yet (a first
        session, before its first scan ends: every article is new to it, so none is)."""
        self.rescans = 0
        """The newest rescan that found files, when last looked up."""
        self.seen = 0
        """The last journal entry shown: what another instance did after it is news."""
        self.stories_seen: int | None = None
        """The newest batch when the stories shown were read; None: to be looked up without
        reading them again (after this session's own story step, already shown)."""
        self.scanning_first = False
        """True while a first scan fills an empty index: only SQL sees its rows."""
        self.loaded: LoadedRows | None = None
        """Every row in one order, so that a search or a state filter is done in memory."""
        self.partial = False
        """True while the list shows only the first page of an unfiltered list."""
        self.arrived: tuple[str, ...] = ()
        """Files a rescan added while only the first page was read: announced later."""
        self._ready: Ready | None = None
        """The rows of the search being typed, worked out beforehand."""
        self._asked = 0
        """Counts the changes of the search box: only the last one's rows are worked out."""
        self.site: SiteMarks | None = None
        """What the site does with the articles, as a worker last worked it out (None: not
        yet); kept current as decisions are taken in."""
        self._site_moved: set[str] | None = None
        """The articles decided since a worker began to work the site out again (None: no
        worker is at it): taken into its marks when they come."""
        self.desk = DeskMarks()
        """The desk's conflicts and other editors' claims, as a worker last read them,
        kept current as this session decides."""
        self._desk_moved: set[str] | None = None
        """The articles decided here since a worker began to read the desk's marks (None:
        no worker is at it): resolved in the marks it brings."""

    # -- where the editor was ---------------------------------------------------------

    def restore_place(self) -> str | None:
        """Take up the filter the editor left the list with last time; return the article
        the cursor was on (None: none kept). A place that cannot be read is no place."""
        try:
            kept = self.library.place()
            self.new_after = self.library.last_shown()
            self.rescans = self.library.rescans()
        except sqlite3.Error:
            kept = None
        self.filter, article = place_from(kept, self.new_after)
        return article

    def keep_place(self, article_id: str | None) -> bool:
        """Remember the filter and the article under the cursor for the next start; False
        when the index would not take it (the next start shows everything)."""
        try:
            self.library.keep_place(place_text(self.filter, article_id))
        except sqlite3.Error:
            return False
        return True

    # -- what is new -------------------------------------------------------------------

    def is_new(self, row: ArticleRow) -> bool:
        """Whether the article is new to the editor this session."""
        return self.new_after is not None and row.seen > self.new_after

    @property
    def marks_after(self) -> int | None:
        """`new_after` when some article is new this session, else None (nothing to mark,
        and no row need be looked at for it)."""
        if self.new_after is None or self.rescans <= self.new_after:
            return None
        return self.new_after

    def scanned(self) -> bool:
        """After a scan: the session has listed every file found so far, which the next
        session shows as not new. True when the articles new this session are known only
        now (the first session's first scan)."""
        try:
            rescans = self.library.rescans()
        except sqlite3.Error:
            return False
        self.rescans = rescans
        with suppress(sqlite3.Error):  # the next session shows them as new again: no harm
            self.library.keep_shown(rescans)
        if self.new_after is not None:
            return False
        self.new_after = rescans
        return True

    def gone(self) -> list[tuple[str, Decision]]:
        """The editor's decisions whose file is gone from the folder (not found renamed);
        empty when the databases cannot say now."""
        try:
            return self.library.gone_decisions()
        except sqlite3.Error:
            return []

    def new_only(self) -> Filter | None:
        """The filter showing only the articles new this session, or back all of them
        (toggled); None when none can be new yet (see `new_after`)."""
        if self.filter.new_after is not None:
            return replace(self.filter, new_after=None)
        if self.new_after is None:
            return None
        return replace(self.filter, new_after=self.new_after)

    def live_only(self) -> Filter:
        """The filter showing only the articles live without a decision, or back all of
        them (toggled)."""
        return replace(self.filter, live_undecided=not self.filter.live_undecided)

    # -- the site ----------------------------------------------------------------------

    def site_asked(self) -> None:
        """A worker begins to work the site out again: note what is decided meanwhile."""
        self._site_moved = set()

    def read_site(self) -> SiteMarks:
        """On a worker thread: the site's marks, on a library of its own. Raises
        LibraryError, StoreError or sqlite3.Error when they cannot be read now."""
        library = self.library.for_thread()
        loaded = self.loaded  # read once: the app's thread may replace it meanwhile
        try:
            return SiteMarks.read(library, None if loaded is None else loaded.whole)
        finally:
            library.close()

    def take_site(self, marks: SiteMarks) -> None:
        """Keep the marks a worker read, with what was decided since it began."""
        moved, self._site_moved = self._site_moved or set(), None
        marks.took(self.library, moved)
        self.site = marks

    def site_changed(self) -> bool:
        """Whether the site's `_config.yml` changed (or one came or went) since this
        thread's library read it: a stat or two. Its states are then worked out anew."""
        return self.library.reload_site()

    def site_state(self, article_id: str) -> EffectiveState | None:
        """What the site does with the article; None until the marks are first read (the
        site is not looked up before the first frame) or when the index cannot say now."""
        if self.site is None:
            return None
        try:
            return self.library.site_state(article_id)
        except sqlite3.Error:
            return None

    def _site_took(self, ids: Iterable[str]) -> None:
        """Keep the marks current with decisions on these articles (by anyone)."""
        ids = tuple(ids)
        if self._site_moved is not None:
            self._site_moved.update(ids)
        if self.site is not None:
            self.site.took(self.library, ids)

    @property
    def unsettled(self) -> int | None:
        """How many articles are live without a decision (None: not known yet)."""
        return None if self.site is None else len(self.site.unsettled)

    # -- the desk: the other editors' decisions and claims ------------------------------

    def desk_asked(self) -> None:
        """A worker begins to read the desk's marks again: note what is decided meanwhile."""
        self._desk_moved = set()

    def read_desk(self) -> DeskMarks:
        """On a worker thread: the conflicts and the other editors' claims, on a library of
        its own. Raises LibraryError, StoreError or sqlite3.Error when they cannot be read."""
        library = self.library.for_thread()
        try:
            return DeskMarks.read(library)
        finally:
            library.close()

    def take_desk(self, marks: DeskMarks) -> None:
        """Keep the marks a worker read, less the conflicts resolved here since it began."""
        moved, self._desk_moved = self._desk_moved or set(), None
        self.desk = marks.resolved(moved)

    def _desk_resolved(self, ids: Collection[str]) -> None:
        """These articles were decided here: any conflict on them is resolved."""
        if self._desk_moved is not None:
            self._desk_moved.update(ids)
        self.desk = self.desk.resolved(ids)

    def desk_recheck(self, ids: Collection[str]) -> None:
        """Look again whether these articles are in conflict (after an undo, or another
        instance's sync); a store that cannot say now is asked at the next full read."""
        try:
            found = self.library.conflicts(list(ids))
        except sqlite3.Error:
            return
        now = self.desk.conflicts.difference(ids).union(found)
        if now != self.desk.conflicts:
            self.desk = replace(self.desk, conflicts=frozenset(now))

    @property
    def passed_over(self) -> Collection[str]:
        """The articles the next undecided passes over: those another editor claimed."""
        return self.desk.claimed.keys()

    def resolve(self, article_id: str, state: str | None, reason: str | None) -> Moved:
        """Resolve a conflict with one side's decision (state None, back to its file: made
        undecided, as `x` does), as one undoable step. Raises StoreError when not saved."""
        decision = Decision(state) if state in {d.value for d in Decision} else \
            Decision.UNDECIDED
        return self.decide([article_id], decision, reason if decision is Decision.SKIPPED
                           else None)

    def claim(self, rows: Sequence[ArticleRow], start: int) -> tuple[list[str], datetime]:
        """Claim the next undecided rows from `start` that no claim holds (CLAIM_COUNT of
        them, for CLAIM_HOURS): their ids (none: nothing left to claim) and when the claim
        ends. Raises StoreError when it is not saved."""
        taken = query.claimed(self.library, others_only=False)
        ids = to_claim(rows, start, taken)
        until = claim_until(self.library.now())
        if ids:
            self.library.claim(until, ids)
        return ids, until

    def release(self) -> int:
        """End this editor's claims in force: how many. Raises StoreError when not saved."""
        mine = [c.event for c in self.library.claims() if c.own]
        return len(mine) if self.library.release(mine) else 0

    # -- rows --------------------------------------------------------------------------

    def first_page(self) -> list[ArticleRow]:
        """The rows shown at the first paint: at most FIRST_PAGE of them (the rest are read
        by `take_all_rows` after the paint)."""
        rows = query.rows(self.library, self.filter, limit=FIRST_PAGE)
        self.partial = len(rows) == FIRST_PAGE
        return rows

    @property
    def first_page_only(self) -> bool:
        """Whether the list holds the first page only, every row still to be read."""
        return self.partial and self.loaded is None

    def in_memory(self, flt: Filter) -> bool:
        """Whether the rows in memory can give this filter's rows (else SQL must)."""
        if flt.live_undecided and self.site is None:  # not known yet: only SQL knows
            return False
        return not (needs_sql(flt) or self.scanning_first)  # a first scan fills the index

    def select(self, flt: Filter) -> list[ArticleRow]:
        """The filter's rows, as `query.rows` gives them: from memory unless only SQL can."""
        if not self.in_memory(flt):
            return query.rows(self.library, flt)
        if self.loaded is None or self.loaded.sort != flt.sort:
            self.loaded = LoadedRows(flt.sort, query.rows(self.library, Filter(sort=flt.sort)))
        return self._live_only(flt, self.loaded.select(self.library, flt))

    def _live_only(self, flt: Filter, rows: list[ArticleRow]) -> list[ArticleRow]:
        """Those of `rows` live without a decision when the filter asks (from the marks)."""
        if not flt.live_undecided or self.site is None:
            return rows
        unsettled = self.site.unsettled
        return [row for row in rows if row.id in unsettled]

    def set_filter(self, flt: Filter) -> tuple[list[ArticleRow], Lookups | None]:
        """Show another filter: its rows (worked out beforehand if its search was) and,
        when they were, the list's look-ups of them."""
        self.filter = flt
        self.partial = False
        ready, self._ready = self._ready, None
        loaded = self.loaded
        if ready is not None and loaded is not None and ready.prepared.filter == flt:
            rows = loaded.take(self.library, ready.prepared) if self.in_memory(flt) else None
            if rows is not None:
                return rows, ready.lookups
        rows = self.select(flt)
        if self.in_memory(flt) and self.loaded is not None:  # a part of the rows in memory
            return rows, Lookups(None, whole=self.loaded.whole)
        return rows, None

    def prepare_search(self, text: str) -> Search | None:
        """The search box now says `text`: what a worker needs to work out its rows before
        Enter, or None when there is nothing to work out (or it could not be kept)."""
        flt = replace(self.filter, search=text.strip() or None)
        self._ready = None  # rows of what the box said before: of no use now
        self._asked += 1
        loaded = self.loaded
        if (loaded is None or loaded.sort != flt.sort or not self.in_memory(flt)
                or flt.live_undecided  # its look-ups would be those of rows it leaves out
                or not LoadedRows.searches(flt)):  # an empty box lists all: nothing to do
            return None
        return Search(self._asked, loaded, flt, query.index_version(self.library))

    def work_out(self, search: Search) -> Ready | None:
        """On a worker thread: the search's rows and their look-ups, on its own library.

        None if a later change of the box asked for other rows meanwhile, or if this
        fails: then Enter searches on the app's connection, and says what fails there.
        """
        if search.asked != self._asked:
            return None
        try:
            library = self.library.for_thread()
        except (LibraryError, StoreError):
            return None
        try:
            prepared = search.loaded.prepare(library, search.filter, search.version)
        except sqlite3.Error:
            return None
        finally:
            library.close()
        if search.asked != self._asked:
            return None
        return Ready(prepared, Lookups.of(prepared.rows, search.loaded.whole))

    def keep_ready(self, ready: Ready | None) -> None:
        """Keep a search's rows for Enter, unless a rescan replaced the rows they came from."""
        if ready is not None and ready.prepared.source is self.loaded:
            self._ready = ready

    def fresh_rows(self, result: RefreshResult) -> list[ArticleRow]:
        """What the filter selects after a scan: the rows in memory stay if no file changed,
        and until every row is read, a fresh first page."""
        if self.first_page_only:
            return query.rows(self.library, self.filter, limit=FIRST_PAGE)
        if result.parsed or result.removed:
            self.loaded = self._ready = None  # nothing holds the old rows
        return self.select(self.filter)

    def merged(self, shown: Sequence[ArticleRow], result: RefreshResult) -> list[ArticleRow]:
        """The rows to show after a scan (or a story edit): the order the editor works
        through stays, newcomers slot in, rows that are no article any more go. Rows the
        filter no longer admits stay, with their state read again."""
        fresh = self.fresh_rows(result)
        fresh_ids = {row.id for row in fresh}
        others = [row.id for row in shown if row.id not in fresh_ids]
        states = query.states(self.library, others)
        gone = set(result.removed) | (set(others) - states.keys())
        return merge_rows(shown, fresh, gone, states.__getitem__)

    def stories_changed(self) -> None:
        """Forget the rows in memory: each holds the story it had before an edit."""
        self.loaded = self._ready = None

    def take_all_rows(self, sort: Sort, rows: list[ArticleRow]) -> bool:
        """Keep every row a worker read after the first paint (states decided meanwhile
        are taken in); False when they are of no use (rows are kept already, or in
        another order). While `partial`, the list should show them now."""
        if self.loaded is not None or sort != self.filter.sort:
            return False
        now = self.tally.now
        self.loaded = LoadedRows(sort, [replace(r, state=now[r.id]) if r.id in now else r
                                        for r in rows])
        if self.site is not None:  # read before the rows were: it holds ids of its own
            self.site = self.site.shared(self.loaded.whole)
        return True

    # -- counts and steps --------------------------------------------------------------

    def recount(self) -> dict[Decision, int]:
        """Count every state again, from the store (mid-scan: the rows committed so far).
        It reads every article: in a big folder, too slow for every key (see `count_news`)."""
        self.counts, self.counted = query.counts_at(self.library)
        return self.counts

    def count_news(self) -> dict[Decision, int]:
        """Take into the counts what the journal holds since they were counted: this
        session's steps and every other instance's, in the order the store made them (a
        change this instance never showed is counted all the same). Counts every state
        when none is counted yet; a store that cannot be read now is read next time."""
        if not self.counts:
            return self.recount()
        try:
            self.counted, moves = query.state_moves_since(self.library, self.counted)
        except sqlite3.Error:  # busy or damaged: the next step reads from the same entry
            return self.counts
        if moves:
            self.counts = shifted(self.counts, moves)
        return self.counts

    def store_lost(self) -> bool:
        """Whether the decisions file was found deleted or replaced (one stat): the store
        then refuses every write for good, and only a new start opens the file there now."""
        return self.library.store.lost()

    def steps(self) -> tuple[bool, bool]:
        """Whether there is a step to undo, and one to redo (by any instance)."""
        return self.library.can_undo(), self.library.can_redo()

    # -- decisions ---------------------------------------------------------------------

    def states(self, ids: Iterable[str]) -> dict[str, Decision]:
        """The states of these articles now, by the store."""
        return query.states(self.library, ids)

    def decide(self, ids: Sequence[str], decision: Decision, reason: str | None = None) -> Moved:
        """Store one decision for these articles (one undoable step) and take it in.

        Raises StoreError when it is not saved: then nothing here changed.
        """
        # For the tally only. Counting from it would lose a change another instance made
        # since the last look: the counts never had it, and once the row shows this
        # decision, no look at the journal finds a difference to count either.
        before = self.states(ids)
        self.library.decide(ids, decision, reason)
        self._desk_resolved(ids)
        return self.took(before, ids)

    def change_reason(self, ids: Sequence[str], reason: str | None) -> Moved | None:
        """Give these skipped articles another reason, as one undoable step like any
        decision; None (nothing stored) when each has that reason already. Raises
        StoreError when it is not saved."""
        if all(self.reason(article_id) == reason for article_id in ids):
            return None
        return self.decide(ids, Decision.SKIPPED, reason)

    def took(self, before: Mapping[str, Decision], ids: Iterable[str], mine: bool = True
             ) -> Moved:
        """Take in the states `ids` have now (`before`: what the list showed; `mine`:
        whether this session changed them, for its tally): rows in memory and counts."""
        after = self.states(ids)
        moved = Moved(before, after)
        if mine:
            self.tally.count(before, after)
        if self.loaded is not None:
            self.loaded.set_states(after)
        self._site_took(after)
        self.count_news()
        return moved

    def step(self, undo: bool) -> Change | None:
        """Undo or redo the next step; None when there was nothing to do. A story step's
        Change names the articles whose story changed; any other's, whose state did.
        Raises StoreError (not saved) or LibraryError (a story step saved that the index
        could not show)."""
        change = self.library.undo() if undo else self.library.redo()
        if change is not None and change.kind == "story":
            self.stories_changed()
            self.stories_seen = None
        elif change is not None and self.desk.conflicts:
            self.desk_recheck([*change.ids, *change.kept])
        return change

    def next_step_kind(self, undo: bool) -> str | None:
        """The kind of step `u` (or `r`) would take now, or None when there is none."""
        step = self.library.next_step(undo)
        return None if step is None else step.kind

    # -- another instance --------------------------------------------------------------

    def start_following(self) -> None:
        """Treat everything in the journal now as shown (at the session's start)."""
        self.seen = self.library.last_change()
        self.stories_seen = self.library.story_steps_since(None)[0]

    def follow(self, shown: Callable[[str], ArticleRow | None]) -> Followed:
        """What another instance decided, undid, redid or edited in the stories since the
        last look (one indexed query on the journal when nothing happened). `shown` gives
        the row the list shows for an id (None: not listed). This session's own steps are
        in the journal too: already shown, they change nothing.
        A store that is busy or damaged is looked at again next time (the next decision
        says what is wrong).
        """
        try:
            self.stories_seen, edited = self.library.story_steps_since(self.stories_seen)
        except sqlite3.Error:  # busy or damaged: the next step says so, and why
            edited = False
        if edited:
            self.stories_changed()
        try:
            self.seen, ids = self.library.changed_since(self.seen)
        except sqlite3.Error:  # as above
            ids = set()
        if not ids:
            return Followed(stories=edited)
        self._site_took(ids)  # who decided may have changed, the state not
        self.desk_recheck(ids)  # a sync (here or by another instance) may have split them
        self.count_news()  # a change no row shows moves the counts too (see `decide`)
        rows = {article_id: shown(article_id) for article_id in ids}
        after = self.states(ids)
        moved_ids = [i for i, now in after.items()
                     if (row := rows.get(i)) is None or row.state is not now]
        if not moved_ids:
            return Followed(touched=tuple(ids), stories=edited)
        before = {i: row.state for i in moved_ids if (row := rows.get(i)) is not None}
        return Followed(self.took(before, moved_ids, mine=False), tuple(ids), edited)

    # -- stories -----------------------------------------------------------------------

    def members(self, row: ArticleRow | None) -> tuple[tuple[ArticleRow, ...], int]:
        """The other articles of the row's story, newest first (the first MEMBERS_SHOWN),
        and how many it has in this folder, listed or not."""
        if row is None or row.story_size < 2:
            return (), 0
        found = query.story_members(self.library, row.story, limit=MEMBERS_SHOWN + 1)
        others = [member for member in found if member.id != row.id]
        return tuple(others[:MEMBERS_SHOWN]), max(len(others), row.story_size - 1)

    def plan_story(self, row: ArticleRow) -> tuple[StoryPlan, list[ArticleRow]]:
        """What `P` on this row would change, and every member of its story (not just
        those listed)."""
        everyone = query.story_members(self.library, row.story)
        ids = [row.id, *(member.id for member in everyone if member.id != row.id)]
        return self.library.plan_story(row.id, ids), everyone

    def decide_story(self, plan: StoryPlan, include: Sequence[str]) -> tuple[StoryOutcome, Moved]:
        """Publish the plan's chosen article and skip the rest of its story (the protected
        members in `include` too), as one step. Raises StoreError when not saved."""
        ids = [plan.chosen, *plan.to_skip, *(p.id for p in plan.protected), *plan.done]
        before = self.states(ids)
        outcome = self.library.decide_story(plan.chosen, ids, include)
        self._desk_resolved([plan.chosen, *plan.to_skip, *include])
        return outcome, self.took(before, ids)

    def split(self, ids: Sequence[str]) -> None:
        """Take these articles out of their stories (one step). Raises StoreError (not
        saved) or LibraryError (saved, but the index could not show it)."""
        self._story_edit(lambda: self.library.split_story(ids))

    def merge(self, ids: Sequence[str], into: str) -> None:
        """Move these articles into the story of `into` (one step); raises as `split`."""
        self._story_edit(lambda: self.library.merge_story(ids, into))

    def _story_edit(self, edit: Callable[[], object]) -> None:
        """Make a story edit; the rows in memory are read again after it, unless it was
        not saved at all (StoreError)."""
        try:
            edit()
        except LibraryError:
            self.stories_changed()
            raise
        self.stories_changed()
        self.stories_seen = None

    def article(self, article_id: str) -> Article | None:
        """The parsed article, or None when it is not in the folder now."""
        return self.library.article(article_id)

    def reason(self, article_id: str) -> str | None:
        """The reason stored with the article's state."""
        return self.library.reason(article_id)

    def problems(self) -> list[tuple[Problem, bool]]:
        """Every problem in the folder, as `newsreader check` lists them, each with whether
        its file is an article (one the list can show) or no article at all."""
        problems = self.library.problems()
        articles = self.states({p.path for p in problems})
        return [(p, p.path in articles) for p in problems]

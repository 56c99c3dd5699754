"""Library: one cache folder with its index and its triage store, the API both front ends use."""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from reader.data.article import Article, Decision, Problem
from reader.data.checks import INDEX_PROBE, Checks
from reader.data.decisions.dbfile import StoreError as StoreError
from reader.data.decisions.events import Claim as Claim
from reader.data.decisions.events import Event as Event
from reader.data.decisions.events import Side as Side
from reader.data.decisions.store import Change as Change
from reader.data.decisions.store import Clock, TriageStore
from reader.data.desk.sync import SyncError as SyncError
from reader.data.ids import id_from_key, key_from_id
from reader.data.index.index import Fingerprint, Index, Progress
from reader.data.index.index import RefreshResult as RefreshResult
from reader.data.index.index import prepare_workers as prepare_workers
from reader.paths import default_db_path, index_path_for

if TYPE_CHECKING:
    from reader.data.decisions.records import FilesStep, FileWrite, JournalEntry, Step
    from reader.data.desk.sync import SyncResult
    from reader.data.index.from_file import FileRead
    from reader.data.index.story_explain import Explanation as Explanation
    from reader.data.site.config import SiteLookup as SiteLookup
    from reader.data.site.live import SiteStates
    from reader.data.site.state import EffectiveState as EffectiveState
    from reader.data.writeback.planner import Edit, Plan
    from reader.data.writeback.writer import ApplyResult


class LibraryError(Exception):
    """The cache folder cannot be used; the message names it and says why."""


@dataclass(frozen=True, slots=True)
class Protected:
    """A member of a story that deciding the story leaves alone unless the editor says so."""

    id: str
    state: Decision
    """Its state now."""
    by_editor: bool
    """The editor decided it (any state); False: it is live because its file says so."""


@dataclass(frozen=True, slots=True)
class StoryPlan:
    """What publishing one article of a story and skipping the rest would change."""

    chosen: str
    """The article to publish."""
    chosen_published: bool
    """Whether it is published already (by its file or by the editor)."""
    to_skip: tuple[str, ...]
    """The members nobody decided whose file is not live: skipped as duplicates."""
    protected: tuple[Protected, ...]
    """The members that are live or the editor decided: skipped only when asked to."""
    done: tuple[str, ...]
    """The members the editor already skipped as duplicates of the chosen one."""


@dataclass(frozen=True, slots=True)
class StoryOutcome:
    """What deciding a story did, for a front end to say."""

    published: int
    """1 when the chosen article was not published before, else 0."""
    skipped: int
    """How many other members were skipped by this step."""
    left: tuple[Protected, ...]
    """The protected members left as they were."""
    batch: int | None
    """The undoable step, or None when nothing changed."""


def _pairs(
    gone: dict[str, Fingerprint], found: dict[str, Fingerprint],
    taken: dict[str, tuple[Decision, str | None, bool]], decided: set[str],
) -> list[tuple[str, str]]:
    """(old id, new id) for each gone file that one file found has the same bytes as, else
    the same web URL; a file the editor decided already is no candidate. A file two gone
    ones would go to is neither's, unless the editor decided only one of them (`decided`):
    a walk that ran while the file was renamed lists it under both names, and when both
    have gone by the next refresh the decided one is the file the editor knew."""
    by_digest: dict[str, list[str]] = {}
    by_url: dict[str, list[str]] = {}
    for new_id, (digest, url, _) in found.items():
        if new_id in gone or (new_id in taken and taken[new_id][2]):
            continue
        if digest:
            by_digest.setdefault(digest, []).append(new_id)
        if url:
            by_url.setdefault(url, []).append(new_id)
    wanted: dict[str, list[str]] = {}
    for old_id, (digest, url, _) in gone.items():
        candidates = by_digest.get(digest or "") or by_url.get(url) or []
        if len(candidates) == 1:
            wanted.setdefault(candidates[0], []).append(old_id)
    pairs = []
    for new_id, olds in wanted.items():
        if len(olds) > 1:
            olds = [old for old in olds if old in decided]
        if len(olds) == 1:
            pairs.append((olds[0], new_id))
    return pairs


def _index_failure(path: Path, error: BaseException) -> str:
    """One line for an index SQLite could not open or write: the file, why, a likely cause."""
    why = getattr(error, "strerror", None) or str(error)
    return (
        f"{path}: cannot write the index: {why} (is the disk full, or {path.parent} "
        "read-only?); no decision was changed"
    )


class Library:
    """A cache folder, its index (rebuildable) and its decisions (precious)."""

    def __init__(self, root: Path, db_path: Path | None = None, clock: Clock | None = None,
                 checks: Checks | None = None, story_window: timedelta | None = None,
                 site: Path | None = None):
        """Open the folder's two files; `checks` may have checked them already (the app
        starts them before its UI import, and a worker reuses its main thread's). `site`
        is the Jekyll site's `_config.yml` (or its folder) the config names; without it
        the nearest `_config.yml` above the folder is the site's (looked up when first
        needed)."""
        if not root.is_dir():
            what = "does not exist" if not root.exists() else "is not a folder"
            raise LibraryError(f"{root}: {what}")
        self.root = root
        self.story_window = story_window
        """The span of one story; None: the one the index used last (else the default)."""
        self.db_path = db_path or default_db_path(root)
        checked = checks is not None and checks.store_ok(self.db_path)
        self.store = TriageStore(self.db_path, clock=clock, checked=checked)
        try:
            self.index = Index(index_path_for(self.db_path), root)
            self.index.attach_store(self.db_path)
            if self.index.rebuilt or checks is None or not checks.index_ok(self.index.db_path):
                self._probe_index()
        except (sqlite3.Error, OSError) as error:  # a full disk, a read-only data folder
            self.store.close()
            raise LibraryError(_index_failure(index_path_for(self.db_path), error)) from None
        self.skipped: list[Problem] = []
        """Entries the last refresh passed over (symbolic links, unreadable folders)."""
        self.changed_on_disk: set[str] = set()
        """Files `article` found changed since they were indexed: the next refresh parses
        them again even if their mtime and size are the same (shared with `for_thread`'s
        libraries)."""
        self.site_setting = site
        """The site's config as the settings name it (None: the nearest one above)."""
        self._site: SiteStates | None = None
        self._site_seen: tuple[Path | None, tuple[int, int, int] | None] | None = None

    @classmethod
    def start_checks(cls, root: Path, db_path: Path | None = None) -> Checks:
        """Start checking the files a `Library(root, db_path)` opens, on a thread."""
        db_path = db_path or default_db_path(root)
        return Checks(db_path, index_path_for(db_path))

    def passed_checks(self) -> Checks:
        """This library's files as already checked: for another connection of this process."""
        return Checks.passed(self.db_path, self.index.db_path)

    def for_thread(self) -> Library:
        """The same folder on connections of its own, for a worker thread (SQLite
        connections belong to the thread that made them); the worker closes it."""
        library = Library(self.root, self.db_path, clock=self.store.clock,
                          checks=self.passed_checks(), story_window=self.story_window,
                          site=self.site_setting)
        # What the front end's `article` found changed is parsed again by the worker's refresh.
        library.changed_on_disk = self.changed_on_disk
        return library

    @property
    def index_rebuilt(self) -> bool:
        """Whether the index was made anew on opening (new, damaged or of an old schema)."""
        return self.index.rebuilt

    def close(self) -> None:
        """Close both databases."""
        self.index.close()
        self.store.close()

    def refresh(self, progress: Progress | None = None) -> RefreshResult:
        """Re-read new and changed files, then let the store follow what they say."""
        try:
            try:
                again = set(self.changed_on_disk)
                result = self.index.refresh(progress, again)
            except sqlite3.OperationalError:
                raise
            except sqlite3.DatabaseError:  # damaged past its first page: start it again
                self._rebuild_index()
                result = self.index.refresh(progress)
        except sqlite3.OperationalError as error:  # a full disk, a read-only data folder
            raise LibraryError(_index_failure(self.index.db_path, error)) from None
        self.changed_on_disk.difference_update(again)  # shared: see `for_thread`
        if result.temps:  # what a write killed halfway left behind (the walk saw them)
            from reader.data.files.safefile import clean_stale_temps

            clean_stale_temps(self.root)
        self.skipped = result.skipped
        if self.index.stories_stale():
            self.index.update_stories(self._story_window(), self.store.story_edits())
        fresh = set(result.added) | set(result.changed)
        everything = self.store.is_empty()  # a new or replaced store follows every file
        if fresh or everything:
            self.store.seed(
                (i, Decision.PUBLISHED if published else Decision.UNDECIDED)
                for i, published in self.index.initial_states()
                if everything or i in fresh
            )
        result.moved = self._follow_renames(result)
        if self._site is not None and not self.reload_site():
            self._site.forget()  # time moves on: a future date may have come
        return result

    def _follow_renames(self, result: RefreshResult) -> list[tuple[str, str]]:
        """Find each removed file again as the one file that has the same bytes, else the
        one that has the same web URL (a rename, `git mv`, a pull that renames): it keeps
        the rescan that first listed it (`result.renamed`), and the editor's decision on
        it moves along, as one undoable step (returned). Two candidates are no match: a
        decision then stays with its gone file, which `gone_decisions` reports.

        A rename made while the walk went on may show the new name a refresh before the
        old one goes (the walk saw both), or the new one a refresh after (it saw
        neither): so a decided file that went is looked for among the articles the last
        two rescans listed too, and one not found is remembered
        (`TriageStore.remember_gone`) and looked for among the files later refreshes add.
        """
        added = self.index.fingerprints(result.added)
        decided = {i for i, (_, _, mine) in self.store.rows_of(result.gone).items() if mine}
        gone = dict(result.gone)
        if decided:  # the walk may have listed the new name a refresh ago already
            prints = [result.gone[i] for i in decided]
            recent = self.index.rescans() - 1  # not a copy that was there long before
            added |= {
                i: p
                for i, p in self.index.matching(
                    (p.digest for p in prints if p.digest), (p.url for p in prints)
                ).items()
                if p.seen >= recent
            }
        remembered = self.store.gone_prints() if result.added else {}
        for old_id, (digest, url) in remembered.items():
            gone.setdefault(old_id, Fingerprint(digest, url or ""))
        if not gone:
            return []
        rows = self.store.rows_of(gone)
        mine = {old for old, (_, _, by_editor) in rows.items() if by_editor}
        pairs = _pairs(gone, added, taken=self.store.rows_of(added), decided=mine)
        result.renamed = [(old, new) for old, new in pairs if old in result.gone]
        if result.renamed:
            self.index.keep_seen({new: result.gone[old].seen for old, new in result.renamed})
        moved = self.store.move_decisions([pair for pair in pairs if pair[0] in mine])
        found = {old for old, _ in moved}
        lost = {i: (result.gone[i].digest, result.gone[i].url) for i in decided - found}
        if lost:
            self.store.remember_gone(lost)
        return moved

    # -- the site: what Jekyll does with each article (see reader.data.site) -------------

    def site(self) -> SiteLookup:
        """The Jekyll site whose rules decide what is live: `SiteLookup.summary` is a status
        line (`site: PATH`, `no site found: WHY`)."""
        return self._site_states().lookup

    def _site_states(self) -> SiteStates:
        """The site's rules applied to this folder, looked up on first use."""
        if self._site is None:
            from reader.data.site.live import SiteStates, lookup_for, stamp

            lookup = lookup_for(self.root, self.site_setting)
            self._site_seen = (lookup.config_path, stamp(lookup.config_path))
            self._site = SiteStates(lookup, self.root)
        return self._site

    def reload_site(self) -> bool:
        """Read the site's `_config.yml` again if it changed (or one appeared or went)
        since it was read: a stat or two when it did not. Every article's state is then
        worked out anew from the index (no article file is read). Returns whether it
        changed; `refresh` calls it."""
        if self._site is None or self._site_seen is None:
            return False
        from reader.data.site.config import CONFIG_NAME, find_config
        from reader.data.site.live import stamp

        where: Path | None
        if self.site_setting is not None:
            given = self.site_setting
            where = given / CONFIG_NAME if given.is_dir() else given
        else:
            try:
                where = find_config(self.root)
            except OSError:
                where = None
        if (where, stamp(where)) == self._site_seen:
            return False
        self._site = None
        self._site_states()
        return True

    def site_state(self, article_id: str) -> EffectiveState | None:
        """What Jekyll does with the article under the site's rules (or, with no site, what
        its file says), None for an id that is no article."""
        return self.site_states([article_id]).get(article_id)

    def site_states(self, ids: Iterable[str] | None = None) -> dict[str, EffectiveState]:
        """The effective state of every article (or of these ids), from what the index
        keeps of each file and the site's rules; no file is read."""
        return dict(self.each_site_state(ids))

    def each_site_state(self, ids: Iterable[str] | None = None
                        ) -> Iterator[tuple[str, EffectiveState]]:
        """`site_states` one (id, state) at a time: who keeps only a few of them never
        holds every article's id and state at once."""
        site = self._site_states()
        now = self._now()
        rows = ((i, record) for i, kind, record in self.index.jekyll_records(ids)
                if kind != "problem")
        return site.states(rows, now)

    def problem_states(self) -> dict[str, EffectiveState]:
        """The effective state of the files that are no article to newsreader (a YAML
        error, say), with a site only: Jekyll may publish them all the same."""
        site = self._site_states()
        if site.rules is None:
            return {}
        now = self._now()
        rows = ((i, record) for i, kind, record in self.index.jekyll_records()
                if kind == "problem")
        return dict(site.states(rows, now))

    def _now(self) -> datetime:
        """The clock's time, with its zone (what a site's dates are weighed against)."""
        now = self.store.clock()
        return now if now.tzinfo is not None else now.astimezone()

    def live_keys(self) -> None:
        """Fill the temporary table `live_keys` (this connection's own) with the index keys
        of every live article, for the queries that filter on it."""
        conn = self.index.conn
        conn.execute("CREATE TEMP TABLE IF NOT EXISTS live_keys (key TEXT PRIMARY KEY)")
        with conn:
            conn.execute("DELETE FROM temp.live_keys")
            conn.executemany(
                "INSERT INTO temp.live_keys VALUES (?)",
                ((key_from_id(i),) for i, state in self.each_site_state() if state.live),
            )

    def live_undecided(self) -> list[str]:
        """The live articles the editor has not decided (their file, a default or the
        site's rules put them on the site), in id order."""
        self.live_keys()
        rows = self.index.conn.execute(
            "SELECT a.key FROM articles a LEFT JOIN triage.decisions d USING (key) "
            "WHERE a.key IN (SELECT key FROM temp.live_keys) "
            "AND coalesce(d.origin, 'file') != 'editor' ORDER BY a.key"
        ).fetchall()
        return [id_from_key(key) for (key,) in rows]

    def gone_decisions(self) -> list[tuple[str, Decision]]:
        """The articles the editor published or skipped whose file is no longer in the
        folder (and was not found again under another name), by id."""
        rows = self.index.conn.execute(
            "SELECT d.key, d.state FROM triage.decisions d WHERE d.origin = 'editor' "
            "AND d.state != 'undecided' AND d.key NOT IN (SELECT key FROM articles) "
            "ORDER BY d.key"
        ).fetchall()
        return [(id_from_key(key), Decision(state)) for key, state in rows]

    def _story_window(self) -> timedelta | None:
        """The window stories are clustered with: the one given, else the one used last."""
        return self.story_window or self.index.story_window()

    def recluster(self) -> int:
        """Cluster every article into stories anew (after the window changed, say), with
        the editor's splits and merges on top; returns how many stories there are."""
        return self.index.update_stories(
            self._story_window(), self.store.story_edits(), full=True
        )

    def explain_story(self, article_id: str, among: Sequence[str] | None = None
                      ) -> Explanation | None:
        """What ties an article to the rest of its story (None: no such article); `among`
        may name the members to weigh it against, else every one."""
        from reader.data.index import story_tables as story_index

        return story_index.why(self.index.conn, article_id, self.store.story_edits(), among)

    def place(self) -> str | None:
        """Where the editor left the list last time, as `keep_place` got it (None: never,
        or the index was made anew: a place is not worth keeping in the decisions)."""
        return self.index.place()

    def keep_place(self, place: str) -> None:
        """Remember where the editor leaves the list. Raises sqlite3.Error when it cannot."""
        self.index.keep_place(place)

    def rescans(self) -> int:
        """How many rescans have found new files; an article's `seen` (in its row) is the
        one that found it, so those above a number are the newer ones."""
        return self.index.rescans()

    def last_shown(self) -> int | None:
        """The last rescan whose new files an editor's session listed, as `keep_shown` got
        it (None: none has since the index was made)."""
        return self.index.shown()

    def keep_shown(self, rescan: int) -> None:
        """Remember that a session listed the new files of the rescans up to `rescan`.
        Raises sqlite3.Error when it cannot."""
        self.index.keep_shown(rescan)

    def _probe_index(self) -> None:
        """Walk every table of the index once (cheap): damage past its first page shows
        here, before a list is read from it, and the index is made anew."""
        try:
            self.index.conn.execute(INDEX_PROBE).fetchone()
        except sqlite3.OperationalError:
            raise
        except sqlite3.DatabaseError:
            self._rebuild_index()

    def _rebuild_index(self) -> None:
        """The index is only a copy of what the files say: a damaged one is made anew."""
        path = self.index.db_path
        self.index.close()
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        self.index = Index(path, self.root)
        self.index.rebuilt = True
        self.index.attach_store(self.db_path)

    def undo(self) -> Change | None:
        """Undo the last step; an article it returns to its file's state follows the file now.

        An apply step is undone in the files: each gets its old bytes back.
        """
        step = self.store.next_step(undo=True)
        if step is not None and step.kind == "apply":
            from reader.data.writeback.undo import revert  # only an apply step needs it

            return revert(self, step.batch, undo=True)
        return self._after_step(self.store.undo())

    def redo(self) -> Change | None:
        """Redo the last undone step (an apply step writes its lines again)."""
        step = self.store.next_step(undo=False)
        if step is not None and step.kind == "apply":
            from reader.data.writeback import writer as writeback

            return writeback.revert(self, step.batch, undo=False)
        return self._after_step(self.store.redo())

    def _after_step(self, change: Change | None) -> Change | None:
        """Show what an undo or redo of a decide or story step left: the index's stories
        follow the story edits in force, the states the files."""
        if change is not None and change.kind == "story":
            self._show_story_edits()
            return change
        return self._follow_files(change)

    def _follow_files(self, change: Change | None) -> Change | None:
        """The articles a step changed that the editor no longer decides follow their files
        again (the store is seeded from the index)."""
        if change:
            self.store.seed(
                (i, Decision.PUBLISHED if published else Decision.UNDECIDED)
                for i, published in self.index.initial_states(change.ids)
            )
        return change

    def plan_story(self, chosen: str, members: Iterable[str]) -> StoryPlan:
        """Sort a story's members into those `decide_story` skips, those it leaves alone
        unless asked (live, or decided by the editor) and those already skipped as
        duplicates of `chosen`. `members` may hold `chosen` itself."""
        others = [m for m in dict.fromkeys(members) if m != chosen]
        rows = self.store.rows_of([chosen, *others])
        # What the store has not heard of yet (no refresh since it appeared) is what its
        # file says: live when it says `published: true`.
        unseen = [m for m in (chosen, *others) if m not in rows]
        files = dict(self.index.initial_states(unseen)) if unseen else {}

        def state_of(article_id: str) -> tuple[Decision, str | None, bool]:
            """The article's (state, reason, whether the editor chose it); one the store has not
            heard of is what its file says."""
            row = rows.get(article_id)
            if row is not None:
                return row
            live = files.get(article_id) is True
            return (Decision.PUBLISHED if live else Decision.UNDECIDED), None, False

        duplicate = f"duplicate of {chosen}"
        to_skip: list[str] = []
        protected: list[Protected] = []
        done: list[str] = []
        for member in others:
            state, reason, by_editor = state_of(member)
            if by_editor and state is Decision.SKIPPED and reason == duplicate:
                done.append(member)  # skipping it again would change nothing
            elif by_editor or state is Decision.PUBLISHED:
                protected.append(Protected(member, state, by_editor))
            else:
                to_skip.append(member)
        chosen_published = state_of(chosen)[0] is Decision.PUBLISHED
        return StoryPlan(chosen, chosen_published, tuple(to_skip), tuple(protected), tuple(done))

    def decide_story(
        self, chosen: str, members: Iterable[str],
        include_protected: bool | Collection[str] = False,
    ) -> StoryOutcome:
        """Publish the chosen article of a story and skip the others as its duplicates.

        One undoable step; each skip's reason is `duplicate of <chosen>`. A member that is
        live or that the editor decided is left as it is (see `plan_story`), unless
        `include_protected` is True (skip every one of them too) or holds its id (skip
        those named: the ones a prompt showed and the editor confirmed).
        """
        plan = self.plan_story(chosen, members)
        if isinstance(include_protected, bool):
            extra = plan.protected if include_protected else ()
        else:
            named = set(include_protected)
            extra = tuple(p for p in plan.protected if p.id in named)
        skip = [*plan.to_skip, *(p.id for p in extra)]
        left = tuple(p for p in plan.protected if p not in extra)
        reason = f"duplicate of {chosen}"
        items: list[tuple[str, Decision, str | None]] = [(chosen, Decision.PUBLISHED, None)]
        items += [(m, Decision.SKIPPED, reason) for m in skip]
        batch = self.store.decide_each(items)
        return StoryOutcome(0 if plan.chosen_published else 1, len(skip), left, batch)

    def split_story(self, ids: Iterable[str]) -> int | None:
        """Take each article out of its story, as one undoable step; the index shows it at
        once, and every re-clustering keeps it (until it is undone).

        Returns the batch number, or None when no id is given.
        """
        batch = self.store.split_story(ids)
        if batch is not None:
            self._show_story_edits()
        return batch

    def merge_story(self, ids: Iterable[str], into: str) -> int | None:
        """Move each article into the story that article `into` is in now, as one undoable
        step; the index shows it at once, and every re-clustering keeps it.

        Returns the batch number, or None when no id but `into` is given.
        """
        batch = self.store.merge_story(ids, into)
        if batch is not None:
            self._show_story_edits()
        return batch

    def _show_story_edits(self) -> None:
        """Have the index's stories follow the story edits in force now.

        The store holds them already: if the index cannot take them, the next clustering
        applies them, so the error says so rather than that nothing was saved.
        """
        try:
            self.index.apply_story_edits(self.store.story_edits())
        except sqlite3.Error as error:
            why = getattr(error, "strerror", None) or str(error)
            raise LibraryError(
                f"{self.index.db_path}: cannot write the index: {why} (is the disk full?); "
                "the story edit is saved, and the list shows it once the stories are "
                "clustered again"
            ) from None

    def article(self, article_id: str) -> Article | None:
        """The article as its file says now (one read and parse), or None for an id the
        index does not list as an article, or whose file is no article now.

        A file changed since it was indexed is shown as it is now, and the next refresh
        indexes it again (even if its mtime and size are the same). A file that cannot be
        read now (gone, unreadable, a link) is shown as the index knew it, with a problem
        that says why.
        """
        from reader.data.index.from_file import read_one

        entry = self.index.entry(article_id)
        if entry is None or entry[3] == "problem":
            return None
        return self._from_file(read_one(self.root, article_id), entry)

    def articles(self, ids: Sequence[str]) -> list[Article | None]:
        """`article` of each id, in order; many are read across every core."""
        from reader.data.index.from_file import read_many

        entries = [self.index.entry(i) for i in ids]
        wanted = [i for i, entry in zip(ids, entries, strict=True)
                  if entry is not None and entry[3] != "problem"]
        reads = iter(read_many(self.root, wanted))
        return [None if entry is None or entry[3] == "problem"
                else self._from_file(next(reads), entry)
                for entry in entries]  # fmt: skip

    def _from_file(self, read: FileRead, entry: tuple[int, int, str | None, str]
                   ) -> Article | None:
        """What `article` shows of a file read now, given its index entry."""
        result = read.result
        if read.stamp is None:  # not read: what the index knew, and why it is not more
            assert isinstance(result, Problem)
            known = self.index.known(result.path)
            if known is None:
                return None
            why = f"{result.why}: shown as it was when last indexed"
            return replace(known, problems=(*known.problems, replace(result, why=why)))
        if read.stamp != entry[:3]:
            self.changed_on_disk.add(result.path if isinstance(result, Problem) else result.id)
        return result if isinstance(result, Article) else None

    def problems(self) -> list[Problem]:
        """Every problem found in the folder, in id order."""
        return sorted(self.skipped + self.index.problems(), key=lambda p: p.path)

    # -- the decisions, as the front ends read and make them --------------------------

    def decide(self, ids: Iterable[str], decision: Decision, reason: str | None = None
               ) -> int | None:
        """Set the state of these articles as one undoable step (None: nothing changed).
        Raises StoreError when it is not saved."""
        return self.store.decide(ids, decision, reason)

    def decision(self, article_id: str) -> Decision:
        """The article's state now."""
        return self.store.decision(article_id)

    def reason(self, article_id: str) -> str | None:
        """The reason stored with the article's state."""
        return self.store.reason(article_id)

    def journal(self) -> Iterator[JournalEntry]:
        """Every change of state ever made, oldest first."""
        return self.store.journal()

    def can_undo(self) -> bool:
        """Whether there is a step to undo (made by any instance)."""
        return self.store.can_undo()

    def can_redo(self) -> bool:
        """Whether there is a step to redo."""
        return self.store.can_redo()

    def next_step(self, undo: bool = True) -> Step | None:
        """The step `undo` (or `redo`) would take now."""
        return self.store.next_step(undo)

    def last_change(self) -> int:
        """The newest journal entry's number: what follows it is news."""
        return self.store.last_change()

    def changed_since(self, seq: int) -> tuple[int, set[str]]:
        """The newest journal entry's number, and the articles changed after `seq`."""
        return self.store.changed_since(seq)

    def story_steps_since(self, batch: int | None) -> tuple[int, bool]:
        """The newest batch, and whether a story step was made, undone or redone after
        `batch` (None: only look the newest up)."""
        return self.store.story_steps_since(batch)

    # -- the desk: decisions shared with the other editors -------------------------------

    def sync(self, editor: str | None = None) -> SyncResult:
        """Share this store's decisions through the site's git repository and take the
        other editors' (`editor`: the config's name for me, else git's); a `SyncError`
        when nothing could be exchanged."""
        from reader.data.desk.sync import sync

        return sync(self, editor)

    def take_events(self, events: Sequence[Event]) -> tuple[int, list[str]]:
        """Add the desk's events this store lacks: (how many, the articles whose state
        changed); those that went back to their file's state follow their files again."""
        new, changed = self.store.add_events(events)
        if changed:
            self.store.seed(
                (i, Decision.PUBLISHED if published else Decision.UNDECIDED)
                for i, published in self.index.initial_states(changed)
            )
        return new, changed

    def conflicts(self, ids: Sequence[str] | None = None) -> dict[str, list[Side]]:
        """Each article two editors decided differently, neither having seen the other's
        decision: its standing decisions, latest first (`ids`: only among these)."""
        return self.store.conflicts(ids)

    def decided_by(self) -> dict[str, tuple[str | None, str]]:
        """(editor, when) of each article an editor decided; editor None: decided here and
        not shared yet."""
        return self.store.decided_by()

    def claims(self) -> list[Claim]:
        """Every claim in force, oldest first."""
        return self.store.claims(self._now().astimezone(UTC).isoformat(timespec="milliseconds"))

    def claim(self, until: datetime, articles: Sequence[str] = (), provider: str | None = None,
              topic: str | None = None) -> Claim:
        """Claim articles (or a provider's, or a topic's) until `until`: the other editors'
        next undecided passes them by once they have synced."""
        event = self.store.claim(until.astimezone(UTC).isoformat(timespec="milliseconds"),
                                 articles, provider, topic)
        return Claim(event.id, None, event.at, event.until or "", event.articles,
                     provider, topic, own=True)

    def now(self) -> datetime:
        """The library's clock (a fixed one in tests), with its zone."""
        return self._now()

    def release(self, claims: Sequence[str]) -> bool:
        """End these claims (by id) now; whether there was any to end."""
        return self.store.release(claims) is not None

    # -- write-back (loaded when first used) ------------------------------------------

    def plan_apply(self, verify: bool = True) -> Plan:
        """Every decision its file does not say yet, as an edit or why not; writes nothing."""
        from reader.data.writeback.planner import plan

        site = self._site_states()
        return plan(self, verify=verify, site=site if site.rules else None, now=self._now())

    def apply(self, edits: Iterable[Edit], commit: bool = False) -> ApplyResult:
        """Write the planned edits as one undoable step, then re-index (and, if asked,
        commit exactly those files to git)."""
        from reader.data.writeback.writer import apply

        return apply(self, edits, commit=commit)

    def commit_owed(self) -> ApplyResult:
        """Commit the files earlier `apply --commit` runs wrote and git did not get to
        commit (killed, or git refused then): `newsreader commit`. Raises what `apply`
        with `commit` raises."""
        from reader.data.writeback.writer import apply

        return apply(self, [], commit=True)

    def owed_commits(self) -> list[str]:
        """The files `apply --commit` wrote that no commit holds yet, by the store's record
        (one committed by hand since counts until `commit_owed` looks)."""
        return sorted({w.id for w in self.store.owed_writes()})

    def written_lines(self) -> list[FileWrite]:
        """Every line an apply step wrote into an article file, oldest first, each with its
        seq, batch and time (those that failed, or are still pending, left out)."""
        return self.store.written_lines()

    def files_steps(self) -> list[FilesStep]:
        """Every undo and redo of an apply step, oldest first: when, and which apply step
        (the store keeps no more of them; see `FilesStep`)."""
        return self.store.files_steps()

    def apply_commits(self) -> dict[int, str]:
        """The git commit (its sha) each apply step made, by the step's batch; an apply
        that made none is absent."""
        return self.store.apply_commits()

    # -- a file as it is on disk ------------------------------------------------------

    def raw_head(self, article_id: str, limit: int = 1 << 16) -> str | None:
        """The head of an article's file as plain text, to show as it is written: its front
        matter with both `---` lines (a press release: its first lines, where its `Date:`
        and `Tags:` are), at most `limit` characters, escapes and control characters
        removed. Read through the folder, never following a symbolic link; None when the
        file cannot be read so (gone, a link, a hard link, not a regular file, unreadable).
        """
        from reader.data.clean import clean_text
        from reader.data.files.parse import HEAD_LINES, head_of
        from reader.data.files.safefile import Folder, Unsafe

        try:
            with Folder(self.root) as folder:
                data, _ = folder.read(article_id)
        except (Unsafe, OSError):
            return None
        head = head_of(data)
        cut = len(head) < len(data)
        if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
            text = head[: len(head) // 2 * 2].decode("utf-16", errors="replace")
        else:
            head = head.removeprefix(b"\xef\xbb\xbf")
            try:
                text = head.decode("utf-8")
            except UnicodeDecodeError as error:
                if cut and error.start >= len(head) - 4:  # the read cut a character
                    text = head[: error.start].decode("utf-8", errors="replace")
                else:  # not UTF-8: read as the index reads it
                    text = head.decode("cp1252", errors="replace")
        lines = text.splitlines(keepends=True)
        if lines and lines[0].rstrip() == "---":
            end = next((n for n, line in enumerate(lines[1:], 1) if line.rstrip() == "---"),
                       len(lines) - 1)
            lines = lines[: end + 1]
        else:
            lines = lines[: HEAD_LINES + 1]  # the title, then the lines it reads after it
        text = "".join(lines)
        if len(text) <= limit:
            return clean_text(text)
        kept = text[:limit]
        kept = kept[: kept.rfind("\n") + 1] or kept  # at the end of a line, if one ends
        return f"{clean_text(kept)}\n… ({len(text) - len(kept):,} more characters not shown)"

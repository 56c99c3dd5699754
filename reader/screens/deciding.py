"""DecidingScreen: decisions, undo and redo, apply, and following another instance's steps."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from functools import partial
from itertools import chain
from pathlib import Path

from textual import on

from reader.data import query
from reader.data.article import Decision
from reader.data.decisions.dbfile import StoreError
from reader.data.library import Library, LibraryError
from reader.messages import DecisionRequested
from reader.screens.listing import ListingScreen


class DecidingScreen(ListingScreen):
    """Makes each decision (one store write, then the state), steps back and forth through
    them, and shows what another instance decided; counts this session's work."""

    def __init__(self, library: Library, db_path: Path | None,
                 clock: Callable[[], datetime]) -> None:
        super().__init__(library, db_path, clock)
        self.first_state: dict[str, Decision] = {}
        """The state each article had when this session first changed it."""
        self.state_now: dict[str, Decision] = {}
        """The state of each of those articles now."""
        self._seen = 0
        """The last journal entry shown: what another instance did after it is news."""

    # -- decisions -------------------------------------------------------------

    @on(DecisionRequested)
    def _decide(self, message: DecisionRequested) -> None:
        """The one place a decision is made: store first, then the state."""
        lst = self.article_list
        bulk = bool(lst.selected)
        before = query.states(self.library, message.ids)
        try:
            self.library.store.decide(message.ids, message.decision, message.reason)
        except StoreError as error:
            self._problem(f"Not saved: {error}")
            return
        if bulk:
            self._sync(before, message.ids)
            lst.clear_selection()
        elif message.decision is not Decision.UNDECIDED:
            self._sync_and_advance(before, message.ids)
        else:
            self._sync(before, message.ids)

    def _follow_store(self) -> None:
        """Show what another instance decided, undid or redid since the last look (one
        indexed query on the journal when nothing changed). This instance's own steps are
        in the journal too: already shown, they change nothing on screen."""
        self._follow_stories()  # story steps change no state: the journal has none
        try:
            self._seen, ids = self.library.store.changed_since(self._seen)
        except sqlite3.Error:  # busy or damaged: the next decision says so, and why
            return
        if not ids:
            return
        lst = self.article_list
        rows = {article_id: lst.loaded_row(article_id) for article_id in ids}
        after = query.states(self.library, ids)
        moved = [
            i for i, now in after.items() if (row := rows.get(i)) is None or row.state is not now
        ]
        if moved:
            before = {i: row.state for i in moved if (row := rows.get(i)) is not None}
            self._sync(before, moved, mine=False)
        else:
            self._update_steps()  # another instance's step is on the one undo stack too
            if lst.cursor_id in ids:
                self._show(lst.cursor_id)  # its reason may have changed

    def _sync(self, before: Mapping[str, Decision], ids: Iterable[str], mine: bool = True,
              show: bool = True) -> None:
        """Show the state these articles have now (`before`: what they had; `mine`: whether
        this session changed them, for its count; `show`: whether the panes show the new
        state of the article under the cursor, or of its story, now)."""
        ids = tuple(ids)
        after = query.states(self.library, ids)
        if mine:
            self._count(before, after)
        if self._loaded is not None:
            self._loaded.set_states(after)
        lst = self.article_list
        for article_id, state in after.items():
            row = lst.loaded_row(article_id)  # folded away in its story, perhaps
            if row is not None and row.state is not state:
                lst.update_row(replace(row, state=state))
        self._update_counts(before, after)
        if show and (lst.cursor_id in ids or any(member.id in ids for member in self.members)):
            self._show(lst.cursor_id)  # the reason, or a state in the story, may have changed

    def _sync_and_advance(self, before: Mapping[str, Decision], ids: Iterable[str]) -> None:
        """Show the new states, then move on; the panes show the article moved to (it comes
        with the cursor), not first the one just decided: that took a second layout of the
        whole screen before the list could show the decision (~9 ms)."""
        self._sync(before, ids, show=False)
        lst = self.article_list
        if not self._advance():  # nothing left undecided: the decided article stays shown
            self._show(lst.cursor_id)

    def _count(self, before: Mapping[str, Decision], after: Mapping[str, Decision]) -> None:
        """Count the articles this session left in another state than it found them."""
        for article_id, state in before.items():
            self.first_state.setdefault(article_id, state)
        self.state_now.update(after)
        now = self.state_now
        self.session = sum(now.get(i, first) is not first for i, first in self.first_state.items())

    def _advance(self) -> bool:
        """Move the cursor to the next undecided article, wrapping round once; False if
        there is none."""
        lst = self.article_list
        rows, start = lst.rows, lst.cursor_index
        # Not a list of every position: at 51k articles that took ~0.5 ms per decision.
        for index in chain(range(start + 1, len(rows)), range(start)):
            if rows[index].state is Decision.UNDECIDED:
                lst.cursor_id = rows[index].id
                return True
        return False

    # -- actions ---------------------------------------------------------------

    def _targets(self) -> list[str]:
        """The selection in list order, else the article under the cursor."""
        lst = self.article_list
        ids = [row.id for row in lst.rows if row.id in lst.selected] if lst.selected else []
        if not ids and lst.cursor_id is not None:
            ids = [lst.cursor_id]
        return ids

    def _request(self, decision: Decision, reason: str | None = None) -> None:
        ids = self._targets()
        if ids:
            self.post_message(DecisionRequested(ids, decision, reason))

    def action_publish(self) -> None:
        """Publish the article or the selection (asking first if its story has one published)."""
        self.guard_publish(self._targets(), partial(self._request, Decision.PUBLISHED))

    def action_skip(self) -> None:
        """Skip the article or the selection."""
        self._request(Decision.SKIPPED)

    def action_skip_reason(self) -> None:
        """Ask why, then skip the article or the selection (Esc skips nothing)."""
        def chosen(reason: str | None) -> None:
            if reason is not None:
                self._request(Decision.SKIPPED, reason or None)

        from reader.screens.reason import ReasonScreen  # loaded when first used

        self.app.push_screen(ReasonScreen(), chosen)

    def action_clear(self) -> None:
        """Make the article or the selection undecided."""
        self._request(Decision.UNDECIDED)

    def _step(self, undo: bool) -> None:
        """Undo or redo the next step; a story step waits for a running scan, which would
        write the stories it clustered over it."""
        step = self.library.store.next_step(undo)
        if step is not None and step.kind == "story" and self._scanning("undo" if undo else "redo"):
            return
        try:
            change = self.library.undo() if undo else self.library.redo()
        except StoreError as error:
            self._problem(f"Not saved: {error}")
            return
        except LibraryError as error:  # a story step, done in the store, not in the index
            self._problem(str(error))
            self._stories_changed()
            return
        if change is None:
            return
        if change.kind == "story":  # no state changed: the stories did
            self._story_stepped(change, undo)
            return
        lst = self.article_list
        listed = [row for row in map(lst.loaded_row, change.ids) if row is not None]
        self._sync({row.id: row.state for row in listed}, change.ids)
        if listed:
            lst.reveal(listed[0].id)
        what = "Undone" if undo else "Redone"
        self.app.notify(f"{what}: {len(change.ids)} article(s)", timeout=2)

    def action_undo(self) -> None:
        """Undo the last step: a decision, an apply or a story edit."""
        self._step(undo=True)

    def action_redo(self) -> None:
        """Redo the step undone last."""
        self._step(undo=False)

    def action_apply(self) -> None:
        """Preview writing each decision into its file; write them if the editor says so."""
        if any(w.group == "scan" and w.is_running for w in self.workers):
            # Both would refresh the index at once: let the scan finish first.
            self.app.notify("The folder is being scanned: apply when it is done", timeout=3)
            return
        from reader.screens.apply import ApplyScreen  # with write-back: when first used

        screen = ApplyScreen(self.library.root, self.db_path, self.clock)
        self.app.push_screen(screen, self._applied)

    def _applied(self, ids: list[str] | None) -> None:
        """Show what an apply left: the articles' states, and the step `u` undoes now."""
        if ids is not None:
            lst = self.article_list
            listed = [lst.rows[n] for n in map(lst.index_of, ids) if n is not None]
            self._sync({row.id: row.state for row in listed}, ids)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide the decision keys while there is nothing to decide, undo or redo."""
        if action in ("publish", "skip", "skip_reason", "clear"):
            return self.has_rows
        if action == "undo":
            return self.can_undo
        if action == "redo":
            return self.can_redo
        return super().check_action(action, parameters)

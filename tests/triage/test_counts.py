"""The triage model's counts come from the store: another instance (the CLI, a second app)
deciding the same articles in between, in any order, never leaves them off."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from reader.data import query
from reader.data.article import Decision
from reader.data.library import Library
from reader.data.query import ArticleRow, Filter
from reader.triage.model import Moved, TriageModel
from tests.triage import test_model

PUB, SKIP, UND = Decision.PUBLISHED, Decision.SKIPPED, Decision.UNDECIDED

folder = test_model.folder
clock = test_model.clock
library = test_model.library
triage = test_model.triage


class Shown:
    """The rows a list shows, their states changed as the screen's `_took` changes them."""

    def __init__(self, rows: list[ArticleRow]) -> None:
        """Show these rows."""
        self.rows = {row.id: row for row in rows}

    def took(self, moved: Moved | None) -> None:
        """Show the states a step moved (None: none moved)."""
        for article_id, state in (moved.after if moved else {}).items():
            if article_id in self.rows:
                self.rows[article_id] = replace(self.rows[article_id], state=state)

    def row(self, article_id: str) -> ArticleRow | None:
        """The row shown for an article (None: not listed), as `follow` asks for it."""
        return self.rows.get(article_id)


@pytest.fixture
def other(folder: Path, tmp_path: Path, clock: test_model.Clock) -> Iterator[Library]:
    """A second instance on the same folder and data folder (the CLI, or another app)."""
    lib = Library(folder, tmp_path / "db" / "decisions.sqlite", clock=clock)
    yield lib
    lib.close()


Step = Callable[[TriageModel, Library, Shown], None]
"""One move of either instance."""


def mine(ids: list[str], decision: Decision) -> Step:
    """This instance decides, and shows what it did."""
    def step(triage: TriageModel, other: Library, shown: Shown) -> None:
        """Decide through the model."""
        shown.took(triage.decide(ids, decision))
    return step


def theirs(ids: list[str], decision: Decision) -> Step:
    """The other instance decides; this one has not looked at the journal yet."""
    def step(triage: TriageModel, other: Library, shown: Shown) -> None:
        """Decide through the other library."""
        other.decide(ids, decision)
    return step


def their_undo(triage: TriageModel, other: Library, shown: Shown) -> None:
    """The other instance undoes the last step (the undo stack is one, shared)."""
    other.undo()


def my_undo(triage: TriageModel, other: Library, shown: Shown) -> None:
    """This instance undoes the last step, taking in what the list showed before it."""
    change = triage.step(undo=True)
    assert change is not None
    listed = {i: row.state for i in change.ids if (row := shown.row(i)) is not None}
    shown.took(triage.took(listed, change.ids))


def follow(triage: TriageModel, other: Library, shown: Shown) -> None:
    """This instance looks at the journal, as its timer does every second."""
    followed = triage.follow(shown.row)
    shown.took(followed.moved)


def full_count(triage: TriageModel, other: Library, shown: Shown) -> None:
    """This instance counts every state again (as at the end of a rescan), before it has
    looked at the journal: the rows still show what they showed."""
    triage.recount()


INTERLEAVINGS: dict[str, list[Step]] = {
    "theirs, then mine on the same article": [
        theirs(["c.md"], SKIP), mine(["c.md"], PUB), follow],
    "mine, theirs, then mine again": [
        mine(["c.md"], PUB), theirs(["c.md"], SKIP), mine(["c.md"], SKIP), follow],
    "theirs, then my clear of it": [theirs(["c.md"], SKIP), mine(["c.md"], UND), follow],
    "theirs on a live article, then mine": [
        theirs(["d.md"], SKIP), mine(["d.md"], SKIP), follow],
    "theirs on two, mine on one of them and another": [
        theirs(["c.md", "e.md"], PUB), mine(["e.md", "a.md"], SKIP), follow],
    "theirs, a full count, then the look at the journal": [
        theirs(["c.md"], SKIP), full_count, follow],
    "mine, their undo of it, mine again": [
        mine(["c.md"], PUB), their_undo, mine(["c.md"], SKIP), follow],
    "theirs, my undo of it before the look": [theirs(["c.md"], SKIP), my_undo, follow],
    "theirs, mine, theirs, mine, no look between": [
        theirs(["a.md"], SKIP), mine(["a.md"], PUB), theirs(["a.md"], UND),
        mine(["b.md"], SKIP), follow, follow],
}


@pytest.mark.parametrize("steps", INTERLEAVINGS.values(), ids=INTERLEAVINGS.keys())
def test_counts_equal_a_recount_from_the_store_whatever_the_order(
    triage: TriageModel, library: Library, other: Library, steps: list[Step]
) -> None:
    triage.recount()
    triage.start_following()
    shown = Shown(triage.select(Filter()))
    for step in steps:
        step(triage, other, shown)
    assert triage.counts == query.counts(library)
    assert {i: row.state for i, row in shown.rows.items()} == triage.states(shown.rows)


def test_counts_are_right_after_each_of_my_steps_not_only_after_a_look(
    triage: TriageModel, library: Library, other: Library
) -> None:
    triage.recount()
    triage.start_following()
    other.decide(["c.md"], SKIP)
    triage.decide(["c.md"], PUB)  # the store's count moves from skipped, which it never saw
    assert triage.counts == query.counts(library) == {UND: 3, PUB: 2, SKIP: 0}


def test_a_look_that_moves_no_row_still_takes_in_the_counts(
    triage: TriageModel, library: Library, other: Library
) -> None:
    """Another instance decided an article this one then decided the same way: no row
    moves, but the counts have the other's step in them."""
    triage.recount()
    triage.start_following()
    shown = Shown(triage.select(Filter()))
    other.decide(["c.md"], SKIP, "paywall")
    shown.took(triage.decide(["c.md"], SKIP))  # a new reason: stored, a step of its own
    followed = triage.follow(shown.row)
    assert followed.moved is None and "c.md" in followed.touched
    assert triage.counts == query.counts(library) == {UND: 3, PUB: 1, SKIP: 1}

"""reader.data.decisions.reading:
What a TriageStore reads back (states, reasons, the journal, changes)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.data.article import Decision
from reader.data.decisions.reading import StoreReader
from reader.data.decisions.records import FilesStep, FileWrite
from reader.data.decisions.store import TriageStore

PUB, SKIP, UND = Decision.PUBLISHED, Decision.SKIPPED, Decision.UNDECIDED
NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "decisions.db"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(db: Path, clock: Clock) -> Iterator[TriageStore]:
    s = TriageStore(db, clock=clock)
    yield s
    s.close()


def test_the_store_reads_through_store_reader(store: TriageStore) -> None:
    assert isinstance(store, StoreReader)


def test_a_new_store_reads_as_empty(store: TriageStore) -> None:
    assert store.is_empty()
    assert store.states() == {}
    assert store.editor_decisions() == {}
    assert list(store.journal()) == []
    assert store.last_change() == 0
    assert store.decision("a.md") is UND
    assert store.reason("a.md") is None


def test_editor_decisions_leave_out_the_files_own_states(store: TriageStore) -> None:
    store.seed([("a.md", PUB), ("b.md", SKIP)])
    store.decide(["b.md"], PUB, "on topic")
    assert store.states() == {"a.md": PUB, "b.md": PUB}
    assert store.editor_decisions() == {"b.md": (PUB, "on topic")}
    assert store.reason("a.md") is None
    assert store.reason("b.md") == "on topic"


def test_the_journal_names_each_step_and_its_states(store: TriageStore) -> None:
    first = store.decide(["a.md"], PUB, "why")
    store.undo()
    entries = list(store.journal())
    assert [(e.batch == first, e.kind, e.id) for e in entries] == [
        (True, "decide", "a.md"),
        (False, "undo", "a.md"),
    ]
    first_entry = entries[0]
    assert (first_entry.old_state, first_entry.new_state, first_entry.reason) == (
        None,
        "published",
        "why",
    )
    assert (entries[1].old_state, entries[1].new_state) == ("published", None)
    assert entries[0].at == NOW.isoformat(timespec="milliseconds")
    assert entries[0].seq < entries[1].seq


def test_changed_since_sees_another_stores_changes(store: TriageStore, db: Path) -> None:
    seen = store.last_change()
    other = TriageStore(db)
    try:
        other.decide(["a.md", "b.md"], SKIP)
        other.decide(["c.md"], PUB)
    finally:
        other.close()
    seen, changed = store.changed_since(seen)
    assert changed == {"a.md", "b.md", "c.md"}
    assert seen == store.last_change() == 3
    assert store.changed_since(seen) == (seen, set())


def test_decided_since_counts_only_editor_decisions_from_then_on(
    store: TriageStore, clock: Clock
) -> None:
    store.decide(["a.md"], PUB)
    clock.now = NOW + timedelta(minutes=10)
    store.decide(["b.md", "c.md"], SKIP)
    store.undo()  # an undo is no decision
    since = (NOW + timedelta(minutes=5)).isoformat()
    assert store.decided_since(since) == 2
    assert store.decided_since(NOW.isoformat()) == 3


def test_an_undo_or_redo_entry_names_the_step_it_acts_on(store: TriageStore) -> None:
    first = store.decide(["a.md"], PUB)
    store.undo()
    store.redo()
    assert [(e.kind, e.ref) for e in store.journal()] == [
        ("decide", None), ("undo", first), ("redo", first)]


def _write(article_id: str) -> FileWrite:
    """A line an apply step sets out to write into `article_id`."""
    return FileWrite(article_id, "published", 0, b"published: false\n", b"published: true\n",
                     "old", "new")  # fmt: skip


def test_written_lines_carry_their_seq_batch_and_time(store: TriageStore, clock: Clock) -> None:
    store.decide(["z.md"], SKIP)  # a journal entry: the lines are numbered apart from it
    clock.now = NOW + timedelta(minutes=1)
    batch, seqs = store.begin_apply([_write("a.md"), _write("b.md"), _write("c.md")])
    store.settle_writes([(seqs[0], "written"), (seqs[1], "failed"), (seqs[2], "written")])
    lines = store.written_lines()
    at = (NOW + timedelta(minutes=1)).isoformat(timespec="milliseconds")
    assert [(w.id, w.seq, w.batch, w.at) for w in lines] == [
        ("a.md", seqs[0], batch, at), ("c.md", seqs[2], batch, at)]
    assert [w.at for w in store.file_writes(batch)] == [at, at, at]


def test_files_steps_are_the_undos_and_redos_of_apply_steps(
    store: TriageStore, clock: Clock
) -> None:
    batch, seqs = store.begin_apply([_write("a.md")])
    store.settle_writes([(seqs[0], "written")])
    clock.now = NOW + timedelta(minutes=1)
    undone = store.end_files_step(batch, undo=True, ids=["a.md"])
    clock.now = NOW + timedelta(minutes=2)
    redone = store.end_files_step(batch, undo=False, ids=["a.md"])
    store.decide(["b.md"], PUB)
    store.undo()  # an undo of a decision is in the journal, not here
    assert store.files_steps() == [
        FilesStep(undone.batch, "undo", (NOW + timedelta(minutes=1)).isoformat(
            timespec="milliseconds"), batch),
        FilesStep(redone.batch, "redo", (NOW + timedelta(minutes=2)).isoformat(
            timespec="milliseconds"), batch),
    ]

"""reader.data.decisions.records:
The values a TriageStore hands out and takes, and their defaults."""

from __future__ import annotations

import dataclasses

import pytest

from reader.data.article import Problem
from reader.data.decisions import records as store_records
from reader.data.decisions import store
from reader.data.decisions.records import Change, FilesStep, FileWrite, JournalEntry, Step


@pytest.mark.parametrize("name", ["Change", "FileWrite", "FilesStep", "JournalEntry", "Step"])
def test_each_record_is_still_importable_from_the_store(name: str) -> None:
    assert getattr(store, name) is getattr(store_records, name)


def test_a_change_is_a_decide_step_that_refused_nothing_unless_told() -> None:
    change = Change(3, ("a.md",))
    assert (change.kind, change.refused) == ("decide", ())
    refused = (Problem("b.md", "file", "changed"),)
    assert Change(4, ("b.md",), "apply", refused).refused == refused
    assert change.commit is None  # no git commit unless an apply's is named


def test_a_file_write_is_pending_until_settled() -> None:
    write = FileWrite("a.md", "published", 10, b"published: false\n", b"published: true\n",
                      "old", "new")  # fmt: skip
    assert (write.seq, write.batch, write.status, write.at) == (0, 0, "pending", "")


@pytest.mark.parametrize(
    "record",
    [
        Change(1, ()),
        Step(1, "decide"),
        JournalEntry(1, 1, "decide", "2024-05-01T12:00:00.000Z", "a.md", None, "skipped", None),
        FileWrite("a.md", "skipped", 0, b"", b"published: false\n", "old", "new"),
        FilesStep(3, "undo", "2024-05-01T12:00:00.000Z", 2),
    ],
    ids=["Change", "Step", "JournalEntry", "FileWrite", "FilesStep"],
)
def test_records_are_frozen(record: object) -> None:
    field = dataclasses.fields(record)[0].name
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(record, field, 2)

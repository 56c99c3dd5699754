"""Story edits in the decisions store: split and merge as undoable steps, and the Library
that shows them in the index."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.data import query
from reader.data.article import Decision
from reader.data.decisions.store import Change, Step, TriageStore
from reader.data.library import Library

PUB, SKIP, UND = Decision.PUBLISHED, Decision.SKIPPED, Decision.UNDECIDED


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TriageStore]:
    s = TriageStore(tmp_path / "data" / "decisions.db")
    yield s
    s.close()


def test_edits_are_kept_in_the_order_they_were_made(store: TriageStore) -> None:
    first = store.split_story(["a.md"])
    second = store.merge_story(["b.md", "c.md", "b.md"], into="a.md")  # b given twice
    assert first is not None and second is not None and second > first
    assert store.story_edits() == [
        ("a.md", "split", None), ("b.md", "merge", "a.md"), ("c.md", "merge", "a.md"),
    ]
    assert store.next_step() == Step(second, "story")
    assert store.can_undo() and not store.can_redo()


def test_an_edit_of_nothing_is_no_step(store: TriageStore) -> None:
    assert store.split_story([]) is None
    assert store.merge_story([], into="a.md") is None
    assert store.merge_story(["a.md"], into="a.md") is None  # into its own story
    assert store.story_edits() == []
    assert not store.can_undo()


def test_undo_and_redo_take_a_story_step_back_and_forth(store: TriageStore) -> None:
    store.split_story(["a.md"])
    batch = store.merge_story(["b.md", "c.md"], into="d.md")
    change = store.undo()
    assert change is not None and change.kind == "story"
    assert change.ids == ("b.md", "c.md")
    assert change.edits == (("b.md", "merge", "d.md"), ("c.md", "merge", "d.md"))
    assert store.story_edits() == [("a.md", "split", None)]
    assert store.next_step(undo=False) == Step(batch or 0, "story")
    change = store.undo()
    assert change is not None and change.edits == (("a.md", "split", None),)
    assert store.story_edits() == []
    assert not store.can_undo() and store.can_redo()
    change = store.redo()
    assert change is not None and change.kind == "story" and change.ids == ("a.md",)
    assert store.story_edits() == [("a.md", "split", None)]
    store.redo()
    assert store.story_edits() == [
        ("a.md", "split", None), ("b.md", "merge", "d.md"), ("c.md", "merge", "d.md"),
    ]
    assert not store.can_redo()


def test_story_steps_and_decisions_share_one_stack(store: TriageStore) -> None:
    store.decide(["a.md"], PUB)
    store.split_story(["a.md"])
    store.decide(["a.md"], SKIP, "off topic")
    change = store.undo()
    assert change is not None and change.kind == "decide" and store.decision("a.md") is PUB
    assert store.story_edits() == [("a.md", "split", None)]
    change = store.undo()  # the story step: no state moves
    assert change is not None and change.kind == "story"
    assert store.decision("a.md") is PUB and store.story_edits() == []
    change = store.undo()
    assert change is not None and change.kind == "decide" and store.decision("a.md") is UND
    assert store.undo() is None


def test_a_decision_after_an_undo_drops_the_undone_edit(store: TriageStore) -> None:
    store.split_story(["a.md"])
    store.undo()
    assert store.can_redo()
    store.decide(["b.md"], SKIP)  # a new step: what was undone cannot be redone over it
    assert not store.can_redo()
    assert store.redo() is None
    assert store.story_edits() == []
    store.undo()  # the decision; the dropped edit never comes back
    assert store.story_edits() == [] and not store.can_undo()


def test_an_edit_after_an_undo_drops_the_undone_decision(store: TriageStore) -> None:
    store.decide(["a.md"], PUB)
    store.undo()
    store.merge_story(["a.md"], into="b.md")
    assert not store.can_redo()
    assert store.decision("a.md") is UND
    assert store.story_edits() == [("a.md", "merge", "b.md")]


def test_edits_keep_names_that_are_not_utf8(store: TriageStore) -> None:
    odd = "caf\udce9.md"  # a Latin-1 name, as os.fsdecode gives it
    mark = "\uffferaw.md"  # a name that starts with the key's own mark
    store.merge_story([odd], into=mark)
    store.split_story([mark])
    assert store.story_edits() == [(odd, "merge", mark), (mark, "split", None)]
    change = store.undo()
    assert change is not None and change.ids == (mark,)


def test_edits_survive_a_reopen_and_are_shared(tmp_path: Path) -> None:
    db = tmp_path / "decisions.db"
    one, two = TriageStore(db), TriageStore(db)
    try:
        one.split_story(["a.md"])
        assert two.story_edits() == [("a.md", "split", None)]
        change = two.undo()  # one undo stack for every process
        assert change is not None and change.kind == "story"
        assert one.story_edits() == []
        one.redo()
    finally:
        one.close()
        two.close()
    again = TriageStore(db)
    try:
        assert again.story_edits() == [("a.md", "split", None)]
    finally:
        again.close()


def test_story_steps_since_a_batch(store: TriageStore) -> None:
    """What an app polls to follow another instance's story steps, undos and redos."""
    assert store.story_steps_since(None) == (0, False)
    first = store.decide(["a.md"], SKIP) or 0
    assert store.story_steps_since(0) == (first, False)  # a decision is no story step
    assert store.story_steps_since(None) == (first, False)
    story = store.split_story(["a.md"]) or 0
    assert store.story_steps_since(first) == (story, True)
    assert store.story_steps_since(story) == (story, False)
    undo = (store.undo() or Change(0, ())).batch
    assert store.story_steps_since(story) == (undo, True)  # an undo of one
    assert store.story_steps_since(None) == (undo, False)  # the number only


def test_the_journal_lists_no_story_step(store: TriageStore) -> None:
    """The journal holds changes of state: a story step has none, so an export (and the
    pace, and another instance following the journal) sees nothing to relabel."""
    store.decide(["a.md"], SKIP)
    store.split_story(["a.md"])
    store.undo()
    store.redo()
    assert [(e.kind, e.id, e.new_state) for e in store.journal()] == [("decide", "a.md", "skipped")]
    assert store.decided_since("") == 1
    assert store.changed_since(0) == (1, {"a.md"})


# -- through the Library: the index shows the edits ---------------------------------------

ARTICLE = """\
---
title: "{title}"
publishedDateTime: 2024-01-{day:02d}T10:00:00Z
webUrl: "{url}"
published: false
provider:
  name: {provider}
---
"""


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    """A folder of four articles: a, b and c share a webUrl (one story), d is alone."""
    root = tmp_path / "news"
    root.mkdir()
    for name, title, day, url in [
        ("a.md", "Lead story", 10, "https://alpha.example/lead"),
        ("b.md", "Lead story again", 9, "https://alpha.example/lead"),
        ("c.md", "Lead story once more", 8, "https://alpha.example/lead"),
        ("d.md", "Other news", 7, "https://delta.example/other"),
    ]:
        text = ARTICLE.format(title=title, day=day, url=url, provider="Alpha")
        (root / name).write_text(text, encoding="utf-8")
    lib = Library(root, tmp_path / "state" / "decisions.db")
    lib.refresh()
    yield lib
    lib.close()


def stories(library: Library) -> dict[str, tuple[str, int]]:
    """(story, size) of each article, as the list reads them."""
    return {row.id: (row.story, row.story_size) for row in query.rows(library)}


def test_a_split_and_a_merge_show_at_once_and_undo_takes_them_back(library: Library) -> None:
    together = {"a.md": ("a.md", 3), "b.md": ("a.md", 3), "c.md": ("a.md", 3),
                "d.md": ("d.md", 1)}
    assert stories(library) == together
    assert library.split_story(["a.md"]) is not None
    assert stories(library) == {"a.md": ("a.md", 1), "b.md": ("b.md", 2),
                                "c.md": ("b.md", 2), "d.md": ("d.md", 1)}
    assert library.merge_story(["d.md"], into="c.md") is not None
    assert stories(library) == {"a.md": ("a.md", 1), "b.md": ("b.md", 3),
                                "c.md": ("b.md", 3), "d.md": ("b.md", 3)}
    change = library.undo()
    assert change is not None and change.kind == "story" and change.ids == ("d.md",)
    assert stories(library)["d.md"] == ("d.md", 1)
    library.undo()
    assert stories(library) == together
    change = library.redo()
    assert change is not None and change.kind == "story"
    assert stories(library)["a.md"] == ("a.md", 1)


def test_a_story_undo_changes_no_state(library: Library) -> None:
    library.store.decide(["b.md"], SKIP, "dup")
    library.split_story(["b.md"])
    library.undo()
    assert library.store.decision("b.md") is SKIP and library.store.reason("b.md") == "dup"
    assert library.store.rows_of(["a.md"])["a.md"] == (UND, None, False)  # as seeded


def test_edits_survive_a_rescan_that_clusters_again(library: Library) -> None:
    library.split_story(["c.md"])
    library.merge_story(["d.md"], into="a.md")
    (library.root / "e.md").write_text(  # a new file: the stories are found again
        ARTICLE.format(title="Lead story, late", day=11, url="https://alpha.example/lead",
                       provider="Echo"), encoding="utf-8")
    library.refresh()
    found = stories(library)
    assert found["c.md"] == ("c.md", 1)
    assert found["d.md"] == found["a.md"] == found["e.md"] == ("a.md", 4)


def test_edits_survive_a_new_library_on_the_same_files(library: Library, tmp_path: Path) -> None:
    library.split_story(["b.md"])
    again = Library(library.root, library.db_path)
    try:
        again.refresh()
        assert stories(again)["b.md"] == ("b.md", 1)
        assert stories(again)["a.md"] == ("a.md", 2)
    finally:
        again.close()

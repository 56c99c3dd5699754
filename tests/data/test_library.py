"""reader.data.library: opening a folder, refresh into the index and store, undo and redo,
deciding a story."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.data.article import Decision
from reader.data.library import Library, LibraryError, Protected
from reader.paths import default_db_path, index_path_for
from tests.data.index import test_index as test_cache
from tests.data.index.test_index import writable, write

PUB, SKIP, UND = Decision.PUBLISHED, Decision.SKIPPED, Decision.UNDECIDED

library = test_cache.library
"""test_cache's Library on a writable copy of the seeds, refreshed once."""


def seed_id(root: Path, prefix: str) -> str:
    """The id of the seed whose name starts with PREFIX (`000` ... `004`)."""
    (path,) = root.glob(f"{prefix}_*")
    return path.name


def bump(path: Path) -> None:
    """Move a file's mtime on, so a refresh sees it changed even within one tick."""
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))


# -- opening -----------------------------------------------------------------------------


def _missing(tmp_path: Path) -> Path:
    return tmp_path / "no-such-folder"


def _missing_unicode(tmp_path: Path) -> Path:
    return tmp_path / "東京 news ✓"


def _a_file(tmp_path: Path) -> Path:
    path = tmp_path / "article.md"
    path.write_text("---\ntitle: A\n---\n")
    return path


def _under_a_file(tmp_path: Path) -> Path:
    return _a_file(tmp_path) / "cache"


def _dangling_link(tmp_path: Path) -> Path:
    link = tmp_path / "link"
    link.symlink_to(tmp_path / "gone")
    return link


@pytest.mark.parametrize(
    ("make", "what"),
    [
        pytest.param(_missing, "does not exist", id="missing"),
        pytest.param(_missing_unicode, "does not exist", id="missing-unicode"),
        pytest.param(_dangling_link, "does not exist", id="dangling-link"),
        pytest.param(_under_a_file, "does not exist", id="below-a-file"),
        pytest.param(_a_file, "is not a folder", id="a-file"),
    ],
)
def test_a_folder_that_cannot_be_used_is_a_library_error_naming_it(
    tmp_path: Path, make: object, what: str
) -> None:
    root = make(tmp_path)  # type: ignore[operator]
    db = tmp_path / "db" / "decisions.db"
    with pytest.raises(LibraryError) as raised:
        Library(root, db)
    assert str(raised.value) == f"{root}: {what}"
    assert not db.parent.exists(), "a refused folder still got a decisions database"


def test_an_index_that_cannot_be_written_is_a_library_error_naming_it(
    seeds_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db" / "decisions.db"
    index_path_for(db).mkdir(parents=True)  # a folder where the index file should be
    with pytest.raises(LibraryError) as raised:
        Library(seeds_dir, db)
    text = str(raised.value)
    assert text.startswith(f"{index_path_for(db)}: cannot write the index: ")
    assert "no decision was changed" in text


def test_without_a_db_path_the_decisions_go_to_the_data_folder(seeds_dir: Path) -> None:
    lib = Library(seeds_dir)
    try:
        assert lib.db_path == default_db_path(seeds_dir)
        assert lib.db_path.exists()
        assert lib.index.db_path == index_path_for(lib.db_path)
    finally:
        lib.close()


def test_an_empty_folder_refreshes_to_nothing(tmp_path: Path) -> None:
    root = tmp_path / "empty"
    root.mkdir()
    lib = Library(root, tmp_path / "db" / "decisions.db")
    try:
        result = lib.refresh()
        assert (result.added, result.changed, result.removed, result.unchanged) == ([], [], [], 0)
        assert lib.store.is_empty() and lib.problems() == []
    finally:
        lib.close()


# -- refresh -----------------------------------------------------------------------------


def test_a_first_refresh_seeds_each_file_state(library: Library, seeds_dir: Path) -> None:
    published = seed_id(seeds_dir, "001")  # the one seed with `published: true`
    states = library.store.states()
    assert set(states) == {p.name for p in seeds_dir.iterdir()}
    assert {i for i, d in states.items() if d is PUB} == {published}
    assert not library.store.can_undo()  # nobody decided
    article = library.article(published)
    assert article is not None and article.file_published is True


def test_refresh_picks_up_an_added_file(library: Library, seeds_dir: Path) -> None:
    write(seeds_dir / "sub" / "東京.md", "Added")
    (seeds_dir / "sub" / "live.md").write_text("---\ntitle: Live\npublished: true\n---\n")
    result = library.refresh()
    assert sorted(result.added) == ["sub/live.md", "sub/東京.md"]
    assert result.unchanged == 5 and not result.changed and not result.removed
    added = library.article("sub/東京.md")
    assert added is not None and added.title == "Added"
    assert library.store.decision("sub/東京.md") is UND
    assert library.store.decision("sub/live.md") is PUB


@pytest.mark.parametrize(
    ("prefix", "old", "new", "state"),
    [
        pytest.param("000", "published: false", "published: true", PUB, id="to-true"),
        pytest.param("001", "published: true", "published: false", UND, id="to-false"),
        pytest.param("002", "published: false", "published: yes", PUB, id="to-yes"),
    ],
)
def test_refresh_follows_a_changed_file_never_decided(
    library: Library, seeds_dir: Path, prefix: str, old: str, new: str, state: Decision
) -> None:
    article_id = seed_id(seeds_dir, prefix)
    path = seeds_dir / article_id
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    bump(path)
    result = library.refresh()
    assert result.changed == [article_id] and result.unchanged == 4
    assert library.store.decision(article_id) is state


def test_refresh_keeps_an_editor_decision_over_a_changed_file(
    library: Library, seeds_dir: Path
) -> None:
    article_id = seed_id(seeds_dir, "000")
    library.store.decide([article_id], SKIP, "off topic")
    path = seeds_dir / article_id
    path.write_text(path.read_text().replace("published: false", "published: true", 1))
    bump(path)
    assert library.refresh().changed == [article_id]
    assert library.store.decision(article_id) is SKIP
    assert library.store.reason(article_id) == "off topic"


def test_refresh_forgets_a_removed_file(library: Library, seeds_dir: Path) -> None:
    article_id = seed_id(seeds_dir, "003")
    (seeds_dir / article_id).unlink()
    result = library.refresh()
    assert result.removed == [article_id]
    assert not result.added and not result.changed and result.unchanged == 4
    assert library.article(article_id) is None


def test_a_warm_refresh_changes_nothing(library: Library) -> None:
    before = library.store.states()
    result = library.refresh()
    assert result.parsed == 0 and result.unchanged == 5
    assert library.store.states() == before


def test_a_new_store_beside_a_warm_index_follows_every_file(
    seeds_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "db" / "decisions.db"
    first = Library(writable(seeds_dir), db)
    first.refresh()
    first.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    second = Library(seeds_dir, db)
    try:
        result = second.refresh()
        assert result.parsed == 0  # the index was kept...
        states = second.store.states()  # ...and the empty store still learns every file
        assert len(states) == 5 and states[seed_id(seeds_dir, "001")] is PUB
    finally:
        second.close()


def test_problems_and_skipped_entries_in_id_order(library: Library, seeds_dir: Path) -> None:
    (seeds_dir / "zz-bad.md").write_bytes(b"---\ntitle: [unclosed\n---\n")
    (seeds_dir / "aa-link.md").symlink_to(seeds_dir / seed_id(seeds_dir, "000"))
    library.refresh()
    assert [(p.path, p.field) for p in library.skipped] == [("aa-link.md", "file")]
    assert [(p.path, p.field) for p in library.problems()] == [
        ("aa-link.md", "file"),
        ("zz-bad.md", "file"),
    ]
    (seeds_dir / "aa-link.md").unlink()
    library.refresh()
    assert library.skipped == []
    assert [p.path for p in library.problems()] == ["zz-bad.md"]


def test_article_of_an_unknown_id_is_none(library: Library) -> None:
    for article_id in ("nope.md", "", "../escape.md", "/etc/passwd", "\udce9.md"):
        assert library.article(article_id) is None


def test_a_file_whose_name_starts_with_u_fffe_does_not_break_refresh(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    write(root / "fine.md", "Fine")
    write(root / "\ufffeab.md", "Odd")
    lib = Library(root, tmp_path / "db" / "decisions.db")
    try:
        assert sorted(lib.refresh().added) == ["fine.md", "\ufffeab.md"]
        odd = lib.article("\ufffeab.md")
        assert odd is not None and odd.title == "Odd"
    finally:
        lib.close()


# -- undo and redo -----------------------------------------------------------------------


def test_undo_and_redo_with_nothing_to_do(library: Library) -> None:
    assert library.undo() is None
    assert library.redo() is None


def test_undo_returns_to_the_file_state_and_redo_decides_again(
    library: Library, seeds_dir: Path
) -> None:
    live, draft = seed_id(seeds_dir, "001"), seed_id(seeds_dir, "002")
    library.store.decide([live, draft], SKIP, "duplicate")
    library.store.decide([draft], PUB)
    undone = library.undo()
    assert undone is not None and undone.ids == (draft,)
    assert library.store.decision(draft) is SKIP
    undone = library.undo()
    assert undone is not None and set(undone.ids) == {live, draft}
    assert library.store.decision(live) is PUB  # back to what its file says
    assert library.store.decision(draft) is UND
    assert library.undo() is None
    redone = library.redo()
    assert redone is not None and set(redone.ids) == {live, draft}
    assert library.store.decision(live) is SKIP and library.store.reason(live) == "duplicate"
    assert library.redo() is not None and library.store.decision(draft) is PUB
    assert library.redo() is None


def test_undo_of_an_article_whose_file_was_removed(library: Library, seeds_dir: Path) -> None:
    article_id = seed_id(seeds_dir, "001")
    library.store.decide([article_id], SKIP)
    (seeds_dir / article_id).unlink()
    library.refresh()
    change = library.undo()
    assert change is not None and change.ids == (article_id,)
    assert library.store.decision(article_id) is PUB  # the old seed: no file left to follow


def test_undo_and_redo_survive_reopening_the_library(seeds_dir: Path, tmp_path: Path) -> None:
    db = tmp_path / "db" / "decisions.db"
    article_id = seed_id(seeds_dir, "000")
    first = Library(writable(seeds_dir), db)
    first.refresh()
    first.store.decide([article_id], PUB)
    first.close()
    second = Library(seeds_dir, db)
    try:
        second.refresh()
        assert second.store.decision(article_id) is PUB
        assert second.undo() is not None and second.store.decision(article_id) is UND
        assert second.redo() is not None and second.store.decision(article_id) is PUB
    finally:
        second.close()


# -- deciding a story --------------------------------------------------------------------

STORY = {"a.md": False, "b.md": False, "c.md": True, "d.md": False, "e.md": False}
"""A story of five: a is the one to publish, c's file says `published: true`."""


@pytest.fixture
def story(tmp_path: Path) -> Iterator[Library]:
    """STORY on disk, refreshed; the editor skipped d (off topic) and published e."""
    root = tmp_path / "story"
    root.mkdir()
    for name, live in STORY.items():
        (root / name).write_text(
            f'---\ntitle: "Story {name}"\nwebUrl: "https://same.example/story"\n'
            f"published: {str(live).lower()}\n---\n"
        )
    lib = Library(root, tmp_path / "db" / "decisions.db")
    lib.refresh()
    lib.store.decide(["d.md"], SKIP, "off topic")
    lib.store.decide(["e.md"], PUB)
    yield lib
    lib.close()


def _states(lib: Library) -> dict[str, tuple[Decision, str | None]]:
    return {i: (lib.store.decision(i), lib.store.reason(i)) for i in STORY}


def test_plan_story_sets_live_and_decided_members_apart(story: Library) -> None:
    plan = story.plan_story("a.md", list(STORY))
    assert plan.chosen == "a.md" and not plan.chosen_published
    assert plan.to_skip == ("b.md",)
    assert [(p.id, p.state, p.by_editor) for p in plan.protected] == [
        ("c.md", PUB, False), ("d.md", SKIP, True), ("e.md", PUB, True),
    ]
    assert plan.done == ()


def test_decide_story_leaves_live_and_decided_members_alone(story: Library) -> None:
    before = _states(story)
    outcome = story.decide_story("a.md", list(STORY))
    assert (outcome.published, outcome.skipped) == (1, 1)
    assert [p.id for p in outcome.left] == ["c.md", "d.md", "e.md"]
    assert _states(story) == before | {"a.md": (PUB, None), "b.md": (SKIP, "duplicate of a.md")}
    assert story.undo() is not None  # one step takes it all back
    assert _states(story) == before
    assert story.store.decision("e.md") is PUB  # the editor's earlier step is still there


def test_decide_story_skips_them_too_when_asked(story: Library) -> None:
    before = _states(story)
    outcome = story.decide_story("a.md", list(STORY), include_protected=True)
    assert (outcome.published, outcome.skipped, outcome.left) == (1, 4, ())
    duplicate = (SKIP, "duplicate of a.md")
    assert _states(story) == {"a.md": (PUB, None), **{f"{m}.md": duplicate for m in "bcde"}}
    story.undo()
    assert _states(story) == before


def test_decide_story_skips_only_the_protected_members_named(story: Library) -> None:
    outcome = story.decide_story("a.md", list(STORY), include_protected=["c.md"])
    assert outcome.skipped == 2 and [p.id for p in outcome.left] == ["d.md", "e.md"]
    assert story.store.decision("c.md") is SKIP
    assert story.store.reason("d.md") == "off topic"


def test_deciding_a_story_again_changes_nothing(story: Library) -> None:
    story.decide_story("a.md", list(STORY), include_protected=True)
    plan = story.plan_story("a.md", list(STORY))
    assert plan.chosen_published and plan.to_skip == () and plan.protected == ()
    assert plan.done == ("b.md", "c.md", "d.md", "e.md")
    outcome = story.decide_story("a.md", list(STORY))
    assert (outcome.published, outcome.skipped, outcome.left, outcome.batch) == (0, 0, (), None)


def test_a_member_the_store_has_not_heard_of_follows_its_file(story: Library) -> None:
    story.store.conn.execute("DELETE FROM decisions WHERE key IN ('b.md', 'c.md')")
    plan = story.plan_story("a.md", list(STORY))
    assert plan.to_skip == ("b.md",)
    assert plan.protected[0] == Protected("c.md", PUB, False)

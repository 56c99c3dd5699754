"""reader.triage.model: the triage rules without an app: filters, advancing, bulk decisions,
the undo position, the session tally, and following another instance's decisions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.data.article import Decision
from reader.data.library import Library, StoreError
from reader.data.query import ArticleRow, Filter
from reader.triage import model
from reader.triage.model import Moved, Tally, TriageModel, next_undecided, targets

PUB, SKIP, UND = Decision.PUBLISHED, Decision.SKIPPED, Decision.UNDECIDED
NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)

ARTICLE = """---
title: "{title}"
excerpt: "{title}, as told by {provider}."
publishedDateTime: 2026-12-0{day}T0{hour}:00:00Z
webUrl: "{url}"
provider:
  name: {provider}
topics:
  - {topic}
published: {published}
---

Body.
"""


def _write(folder: Path, name: str, title: str, *, day: int = 1, hour: int = 0,
           url: str | None = None, provider: str = "Wire", topic: str = "Science",
           published: bool = False) -> None:
    """One article file in `folder`."""
    (folder / name).write_text(ARTICLE.format(
        title=title, day=day, hour=hour, url=url or f"https://example.com/{name}",
        provider=provider, topic=topic, published=str(published).lower(),
    ))


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """Five articles: two copies of one page (one story), three on their own; one live."""
    root = tmp_path / "news"
    root.mkdir()
    same = "https://example.com/comet"
    _write(root, "a.md", "Comet seen over Oslo", day=5, url=same)
    _write(root, "b.md", "Comet seen over Oslo tonight", day=4, url=same, provider="Post")
    _write(root, "c.md", "Tax bill passes the senate", day=3, topic="Politics")
    _write(root, "d.md", "New rover lands on the moon", day=2, published=True)
    _write(root, "e.md", "Chess champion retires", day=1, provider="Post", topic="Sport")
    return root


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        """Start at NOW."""
        self.now = NOW

    def __call__(self) -> datetime:
        """The time now."""
        return self.now


@pytest.fixture
def clock() -> Clock:
    """A fixed clock."""
    return Clock()


@pytest.fixture
def library(folder: Path, tmp_path: Path, clock: Clock) -> Iterator[Library]:
    """The folder's library, indexed."""
    lib = Library(folder, tmp_path / "db" / "decisions.sqlite", clock=clock)
    lib.refresh()
    yield lib
    lib.close()


@pytest.fixture
def triage(library: Library, clock: Clock) -> TriageModel:
    """A model over the folder, listing everything newest first."""
    m = TriageModel(library, clock)
    m.set_filter(Filter())
    return m


def ids(rows: list[ArticleRow]) -> list[str]:
    """The ids of rows, in order."""
    return [row.id for row in rows]


# -- pure rules ----------------------------------------------------------------------------


def _rows(states: str) -> list[ArticleRow]:
    """Rows r0, r1, ... whose states are spelled u/p/s."""
    glyph = {"u": UND, "p": PUB, "s": SKIP}
    return [ArticleRow(f"r{n}", "", "", None, glyph[c]) for n, c in enumerate(states)]


@pytest.mark.parametrize(("states", "start", "expected"), [
    ("uuu", 0, 1),      # the next one down
    ("ups", 0, None),   # none other: the one at the cursor does not count
    ("upsu", 1, 3),
    ("uspp", 2, 0),     # wraps round to the top
    ("psss", 1, None),  # nothing undecided anywhere
    ("", 0, None),
    ("u", 0, None),     # the cursor's own row is not "next"
])
def test_next_undecided_moves_down_and_wraps_once(states: str, start: int,
                                                  expected: int | None) -> None:
    assert next_undecided(_rows(states), start) == expected


@pytest.mark.parametrize(("states", "start", "expected"), [
    ("uuu", 2, 1),      # the one above
    ("uppu", 3, 0),
    ("pupu", 1, 3),     # wraps round to the bottom
    ("uuu", -1, 2),     # no cursor: from the bottom
    ("ppu", 2, None),   # the cursor's own row does not count
])
def test_previous_undecided_moves_up_and_wraps_once(states: str, start: int,
                                                    expected: int | None) -> None:
    assert next_undecided(_rows(states), start, backwards=True) == expected


def test_targets_are_the_selection_in_list_order_else_the_cursor() -> None:
    rows = _rows("uuuu")
    assert targets(rows, frozenset({"r3", "r1"}), "r0") == ["r1", "r3"]
    assert targets(rows, frozenset(), "r2") == ["r2"]
    assert targets(rows, frozenset(), None) == []
    # a selection no row holds any more (a filter hid it) falls back to the cursor
    assert targets(rows, frozenset({"gone"}), "r0") == ["r0"]


def test_the_tally_counts_articles_left_changed_and_gives_a_pace() -> None:
    tally = Tally(NOW)
    assert tally.count({"a": UND, "b": UND}, {"a": PUB, "b": SKIP}) == 2
    assert tally.count({"a": PUB}, {"a": UND}) == 1  # back as it was found: not counted
    assert tally.count({"a": UND}, {"a": SKIP}) == 2
    assert tally.pace(NOW + timedelta(seconds=30)) is None  # too soon to mean anything
    assert tally.pace(NOW + timedelta(hours=2)) == 1.0


# -- filters -------------------------------------------------------------------------------


def test_a_filter_lists_what_the_query_would(triage: TriageModel) -> None:
    assert ids(triage.set_filter(Filter())[0]) == ["a.md", "b.md", "c.md", "d.md", "e.md"]
    assert ids(triage.set_filter(Filter(state=PUB))[0]) == ["d.md"]
    assert ids(triage.set_filter(Filter(provider="Post"))[0]) == ["b.md", "e.md"]
    assert ids(triage.set_filter(Filter(search="comet"))[0]) == ["a.md", "b.md"]
    assert ids(triage.set_filter(Filter(topic="Sport"))[0]) == ["e.md"]  # SQL: topics
    assert triage.filter == Filter(topic="Sport")


def test_the_first_page_is_partial_only_when_unfiltered_and_full(
    library: Library, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(model, "FIRST_PAGE", 2)
    m = TriageModel(library, clock)
    assert ids(m.first_page()) == ["a.md", "b.md"]
    assert m.partial and m.first_page_only
    every = [row for row in m.select(Filter())]
    m.loaded = None
    assert m.take_all_rows(m.filter.sort, every)
    assert not m.first_page_only
    assert not m.take_all_rows(m.filter.sort, every)  # kept already
    m.filter = Filter(state=SKIP)
    assert ids(m.first_page()) == []
    assert not m.partial


def test_a_search_worked_out_ahead_is_what_enter_shows(triage: TriageModel) -> None:
    search = triage.prepare_search("  rover ")
    assert search is not None and search.filter == Filter(search="rover")
    ready = triage.work_out(search)
    assert ready is not None and ids(ready.prepared.rows) == ["d.md"]
    triage.keep_ready(ready)
    rows, lookups = triage.set_filter(Filter(search="rover"))
    assert ids(rows) == ["d.md"]
    assert lookups is ready.lookups  # taken, not worked out again


def test_a_later_keystroke_makes_the_earlier_search_worthless(triage: TriageModel) -> None:
    first = triage.prepare_search("comet")
    assert first is not None
    assert triage.prepare_search("chess") is not None
    assert triage.work_out(first) is None
    assert triage.prepare_search("") is None  # an empty box lists everything: nothing to do


# -- decisions, counts, undo ---------------------------------------------------------------


def test_a_decision_is_stored_then_counted_and_tallied(triage: TriageModel,
                                                       library: Library) -> None:
    assert triage.recount() == {UND: 4, PUB: 1, SKIP: 0}
    moved = triage.decide(["a.md", "c.md"], SKIP, "off-topic")
    assert moved == Moved({"a.md": UND, "c.md": UND}, {"a.md": SKIP, "c.md": SKIP})
    assert triage.counts == {UND: 2, PUB: 1, SKIP: 2}
    assert triage.tally.changed == 2
    assert library.decision("c.md") is SKIP and library.reason("c.md") == "off-topic"
    # the rows in memory follow: a state filter done in memory sees the skips
    assert ids(triage.set_filter(Filter(state=SKIP))[0]) == ["a.md", "c.md"]


def test_a_decision_that_is_not_saved_changes_nothing(
    triage: TriageModel, library: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    triage.recount()

    def full(*args: object, **kwargs: object) -> None:
        raise StoreError("database or disk is full")

    monkeypatch.setattr(library.store, "decide", full)
    with pytest.raises(StoreError):
        triage.decide(["a.md"], PUB)
    assert triage.counts[UND] == 4 and triage.tally.changed == 0
    assert ids(triage.set_filter(Filter(state=PUB))[0]) == ["d.md"]


def test_undo_and_redo_move_the_position_and_the_tally(triage: TriageModel) -> None:
    triage.recount()
    triage.decide(["a.md"], PUB)
    triage.decide(["b.md"], SKIP)
    assert triage.steps() == (True, False)
    change = triage.step(undo=True)
    assert change is not None and change.kind == "decide" and list(change.ids) == ["b.md"]
    moved = triage.took({"b.md": SKIP}, change.ids)
    assert moved.after == {"b.md": UND}
    assert triage.steps() == (True, True)
    assert triage.tally.changed == 1
    assert triage.step(undo=False) is not None
    triage.took({"b.md": UND}, ["b.md"])
    assert triage.steps() == (True, False)
    assert triage.counts == {UND: 2, PUB: 2, SKIP: 1}
    assert triage.tally.changed == 2


def test_the_store_is_lost_once_its_file_is_deleted_or_replaced(
    triage: TriageModel, library: Library
) -> None:
    assert triage.store_lost() is False
    for suffix in ("", "-wal", "-shm"):
        Path(f"{library.db_path}{suffix}").unlink(missing_ok=True)
    assert triage.store_lost() is True
    with pytest.raises(StoreError, match="deleted or replaced"):
        triage.decide(["a.md"], PUB)
    assert triage.store_lost() is True  # for good


def test_nothing_to_undo_is_none(triage: TriageModel) -> None:
    assert triage.next_step_kind(undo=True) is None
    assert triage.step(undo=True) is None


# -- another instance ----------------------------------------------------------------------


def test_another_instances_decisions_are_followed_once(
    triage: TriageModel, folder: Path, tmp_path: Path, clock: Clock
) -> None:
    triage.recount()
    triage.start_following()
    shown = {row.id: row for row in triage.select(Filter())}
    other = Library(folder, tmp_path / "db" / "decisions.sqlite", clock=clock)
    try:
        other.decide(["c.md", "e.md"], SKIP)
    finally:
        other.close()
    followed = triage.follow(shown.get)
    assert followed.moved is not None
    assert dict(followed.moved.after) == {"c.md": SKIP, "e.md": SKIP}
    assert triage.counts[SKIP] == 2
    assert triage.tally.changed == 0  # not this session's work
    assert triage.follow(shown.get) == model.Followed()  # seen: nothing new


def test_this_sessions_own_steps_are_no_news(triage: TriageModel) -> None:
    triage.recount()
    triage.start_following()
    triage.decide(["a.md"], PUB)
    shown = {row.id: row for row in triage.select(Filter())}
    followed = triage.follow(shown.get)
    assert followed.moved is None and followed.touched == ("a.md",)


# -- stories -------------------------------------------------------------------------------


def test_deciding_a_story_publishes_one_and_skips_its_copies(triage: TriageModel) -> None:
    triage.recount()
    rows = {row.id: row for row in triage.select(Filter())}
    members, total = triage.members(rows["a.md"])
    assert ids(list(members)) == ["b.md"] and total == 1
    plan, everyone = triage.plan_story(rows["a.md"])
    assert plan.to_skip == ("b.md",) and ids(everyone) == ["a.md", "b.md"]
    outcome, moved = triage.decide_story(plan, ())
    assert (outcome.published, outcome.skipped) == (1, 1)
    assert dict(moved.after) == {"a.md": PUB, "b.md": SKIP}
    assert triage.tally.changed == 2
    assert triage.members(rows["c.md"]) == ((), 0)


def test_a_split_rereads_the_rows_and_is_not_news_to_follow(triage: TriageModel) -> None:
    triage.start_following()
    triage.select(Filter())
    triage.split(["b.md"])
    assert triage.loaded is None  # every row held its old story
    rows = {row.id: row for row in triage.select(Filter())}
    assert rows["a.md"].story != rows["b.md"].story
    assert triage.follow(rows.get).stories is False


# -- where the editor was ------------------------------------------------------------------


def test_the_place_round_trips_and_nonsense_falls_back_to_everything() -> None:
    flt = Filter(state=SKIP, search="comet", provider="Post", sort="quality", reason="dup")
    assert model.place_from(model.place_text(flt, "a.md")) == (flt, "a.md")
    assert model.place_from(model.place_text(Filter(story="x.md"), None)) == (Filter(), None)
    for text in (None, "", "{", "[]", '{"filter": 3}', '{"filter": {"sort": "nope", '
                 '"state": "maybe", "search": 7}, "article": 9}'):
        assert model.place_from(text) == (Filter(), None)


def test_the_model_keeps_its_place_in_the_index(library: Library, clock: Clock) -> None:
    first = TriageModel(library, clock)
    assert first.restore_place() is None and first.filter == Filter()
    first.set_filter(Filter(state=UND, sort="title"))
    assert first.keep_place("c.md")
    again = TriageModel(library, clock)
    assert again.restore_place() == "c.md"
    assert again.filter == Filter(state=UND, sort="title")


def test_a_kept_filter_of_new_articles_shows_those_new_this_session() -> None:
    kept = model.place_text(Filter(state=UND, new_after=3), "a.md")
    assert model.place_from(kept, 5) == (Filter(state=UND, new_after=5), "a.md")
    assert model.place_from(kept, None) == (Filter(state=UND), "a.md")  # none is new yet
    assert model.place_from(model.place_text(Filter(state=UND), None), 5)[0] == Filter(
        state=UND)


# -- what is new to the editor -------------------------------------------------------------


def test_a_first_session_knows_what_is_new_once_its_scan_ends(
    library: Library, clock: Clock, folder: Path
) -> None:
    """Every article of a first session is new to it, so none is marked: the files later
    rescans find are."""
    first = TriageModel(library, clock)
    first.restore_place()
    assert first.new_after is None and first.new_only() is None
    assert first.scanned() is True  # the fixture's refresh was this session's first scan
    assert first.new_after == 1 and not any(first.is_new(r) for r in first.first_page())
    assert first.marks_after is None  # nothing new: no row is looked at for a mark
    _write(folder, "f.md", "Volcano wakes up", day=6)
    library.refresh()
    first.scanned()
    assert first.new_after == 1  # the session's own rescan: its finds are new to it
    assert first.marks_after == 1
    flt = first.new_only()
    assert flt == Filter(new_after=1)
    first.set_filter(flt)
    assert ids(first.first_page()) == ["f.md"]
    assert first.new_only() == Filter()  # toggled back


def test_the_next_session_marks_what_was_found_since_the_last(
    library: Library, clock: Clock, folder: Path
) -> None:
    first = TriageModel(library, clock)
    first.restore_place()
    first.scanned()
    _write(folder, "f.md", "Volcano wakes up", day=6)  # found by a later session's scan
    second = TriageModel(library, clock)
    second.restore_place()
    assert second.new_after == 1 and second.marks_after is None  # before its scan
    library.refresh()
    assert second.scanned() is False
    assert second.marks_after == 1
    rows = {row.id: row for row in second.first_page()}
    assert [i for i, row in rows.items() if second.is_new(row)] == ["f.md"]
    third = TriageModel(library, clock)
    third.restore_place()
    library.refresh()
    third.scanned()
    assert not any(third.is_new(row) for row in third.first_page())  # listed before


# -- reaching the file, its problems, a skip's reason ---------------------------------------


@pytest.mark.parametrize(("environ", "expected"), [
    ({"VISUAL": "code --wait", "EDITOR": "vi"}, ["code", "--wait", "/n/a.md"]),
    ({"VISUAL": "", "EDITOR": "vi"}, ["vi", "/n/a.md"]),  # an empty VISUAL is none
    ({"VISUAL": "  ", "EDITOR": "'my editor' -f"}, ["my editor", "-f", "/n/a.md"]),
    ({"EDITOR": "emacs -nw '+1'"}, ["emacs", "-nw", "+1", "/n/a.md"]),
])
def test_the_editor_is_visual_else_editor_split_as_a_shell_would(
    environ: dict[str, str], expected: list[str]
) -> None:
    assert model.editor_command(environ, "/n/a.md") == expected


@pytest.mark.parametrize(("environ", "said"), [
    ({}, "Set $VISUAL or $EDITOR to edit files"),
    ({"VISUAL": " ", "EDITOR": ""}, "Set $VISUAL or $EDITOR to edit files"),
    ({"VISUAL": "vim 'a"}, "$VISUAL cannot be read as a command: No closing quotation"),
])
def test_no_editor_or_one_that_is_no_command_says_what_to_do(
    environ: dict[str, str], said: str
) -> None:
    with pytest.raises(ValueError, match=r"^" + said.replace("$", r"\$") + "$"):
        model.editor_command(environ, "/n/a.md")


def test_S_changes_a_reason_only_when_every_row_is_skipped() -> None:
    rows = _rows("ss")
    assert model.changes_reason(rows)
    assert not model.changes_reason(_rows("su"))
    assert not model.changes_reason(_rows("p"))
    assert not model.changes_reason([])


def test_a_changed_reason_is_one_undoable_step_that_moves_no_count(
    triage: TriageModel, library: Library
) -> None:
    triage.recount()
    triage.decide(["a.md"], SKIP, "duplicate")
    assert triage.change_reason(["a.md"], "duplicate") is None  # the same: nothing stored
    moved = triage.change_reason(["a.md"], "paywall")
    assert moved == Moved({"a.md": SKIP}, {"a.md": SKIP})
    assert library.reason("a.md") == "paywall" and library.decision("a.md") is SKIP
    assert triage.counts == {UND: 3, PUB: 1, SKIP: 1}
    assert triage.tally.changed == 1  # one article changed this session, as before
    change = triage.step(undo=True)
    assert change is not None and change.kind == "decide" and list(change.ids) == ["a.md"]
    assert library.reason("a.md") == "duplicate"
    assert triage.change_reason(["a.md"], None) is not None  # a reason can be removed too
    assert library.reason("a.md") is None and library.decision("a.md") is SKIP


def test_problems_are_what_check_lists_each_with_whether_it_is_an_article(
    folder: Path, tmp_path: Path, clock: Clock
) -> None:
    (folder / "broken.md").write_text("---\ntitle: [unclosed\n---\n")
    (folder / "c.md").write_text((folder / "c.md").read_text().replace(
        "published: false", "published: false\nquality: high"))
    library = Library(folder, tmp_path / "db" / "decisions.sqlite", clock=clock)
    try:
        library.refresh()
        found = TriageModel(library, clock).problems()
        assert [p for p, _ in found] == library.problems()
        assert [(p.path, p.field, article) for p, article in found] == [
            ("broken.md", "file", False), ("c.md", "quality", True)]
    finally:
        library.close()

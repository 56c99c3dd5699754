"""Search in memory by rowid while the index changes, and story grouping with C loops."""

from __future__ import annotations

import os
import random
from dataclasses import replace
from pathlib import Path

import pytest

from reader.data import query
from reader.data.article import Decision
from reader.data.library import Library
from reader.data.query import ArticleRow, Filter
from reader.triage.rows import LoadedRows, Prepared, needs_sql
from reader.triage.story_rows import (
    IdSet,
    Lookups,
    Positions,
    StoryRows,
    Whole,
    index_by_id,
    story_of,
)
from tests.ui.conftest import counted

ARTICLE = """\
---
title: "{title}"
publishedDateTime: 2030-01-{day:02d}T10:00:00Z
webUrl: "https://example.com/{name}"
published: false
provider:
  name: Example
---
"""


def write(root: Path, name: str, title: str, day: int) -> Path:
    path = root / f"{name}.md"
    path.write_text(ARTICLE.format(title=title, day=day, name=name), encoding="utf-8")
    return path


def refresh(root: Path, db_path: Path) -> None:
    """Index the folder again on another connection, as the app's scan worker does."""
    other = Library(root, db_path)
    try:
        other.refresh()
    finally:
        other.close()


SYNTAX = ("-zebra", "common -zebra", "zebra OR word1", "provider:example -zebra",
          "-provider:EXAMPLE", "-common", "common -word1 -word2", "zebra OR changed -word0")
"""Searches with exclusions, OR and providers, which the rows in memory must answer too."""


def matched(loaded: LoadedRows, library: Library, text: str) -> list[str]:
    return [row.id for row in loaded.select(library, Filter(search=text))]


def expected(loaded: LoadedRows, library: Library, text: str) -> list[str]:
    """The loaded rows that SQL's search matches now, in the loaded order."""
    ids = {row.id for row in query.rows(library, Filter(search=text))}
    return [row.id for row in loaded.rows if row.id in ids]


def test_search_in_memory_follows_rowids_that_change(tmp_path: Path) -> None:
    """Files indexed again get new rowids (and a deleted top rowid is given out again):
    the rows in memory still match what the index says of each article."""
    root, db_path = tmp_path / "cache", tmp_path / "state" / "decisions.db"
    root.mkdir()
    paths = [write(root, f"a{n}", f"Common word{n}", n + 1) for n in range(6)]
    refresh(root, db_path)
    library = Library(root, db_path)
    try:
        loaded = LoadedRows("date", query.rows(library))
        assert matched(loaded, library, "common") == expected(loaded, library, "common")
        assert len(matched(loaded, library, "common")) == 6
        # The first and the last by rowid are parsed again: new rowids; another connection.
        write(root, "a0", "Changed zebra", 1)
        write(root, "a5", "Changed zebra", 6)
        for path in (paths[0], paths[5]):
            os.utime(path, ns=(10**18, 10**18))
        refresh(root, db_path)
        for text in ("common", "zebra", "word1", "word0", "changed", "nothing", *SYNTAX):
            assert matched(loaded, library, text) == expected(loaded, library, text), text
        assert matched(loaded, library, "zebra") == ["a5.md", "a0.md"]
        # Gone, then a new file: the gone row matches nothing, the new one is not loaded.
        paths[3].unlink()
        write(root, "b9", "Common newcomer", 9)
        library.refresh()  # this connection's own changes count too
        for text in ("common", "word3", "newcomer", *SYNTAX):
            assert matched(loaded, library, text) == expected(loaded, library, text), text
        assert "a3.md" not in matched(loaded, library, "common")
    finally:
        library.close()


def test_search_in_memory_with_states_and_provider(tmp_path: Path) -> None:
    root, db_path = tmp_path / "cache", tmp_path / "state" / "decisions.db"
    root.mkdir()
    for n in range(4):
        write(root, f"a{n}", f"Common word{n}", n + 1)
    refresh(root, db_path)
    library = Library(root, db_path)
    try:
        loaded = LoadedRows("date", query.rows(library))
        library.store.decide(["a1.md", "a2.md"], Decision.SKIPPED)
        loaded.set_states(query.states(library, ["a1.md", "a2.md"]))
        for flt in (
            Filter(search="common", state=Decision.SKIPPED),
            Filter(search="word1", state=Decision.UNDECIDED),
            Filter(search="common", provider="Example"),
            Filter(search="common", provider="Other"),
        ):
            assert loaded.select(library, flt) == query.rows(library, flt), flt
    finally:
        library.close()


def test_prepared_rows_are_select_s_until_something_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rows worked out on another connection are handed over only while the index and the
    states are what they were when asked for; then they are exactly `select`'s."""
    root, db_path = tmp_path / "cache", tmp_path / "state" / "decisions.db"
    root.mkdir()
    paths = [write(root, f"a{n}", f"Common word{n}", n + 1) for n in range(4)]
    refresh(root, db_path)
    library, reader = Library(root, db_path), Library(root, db_path)
    try:
        loaded = LoadedRows("date", query.rows(library))
        flt = Filter(search="common", state=Decision.UNDECIDED, provider="Example")

        def prepared() -> Prepared:
            return loaded.prepare(reader, flt, query.index_version(library))

        # No rowids yet: the worker reads them, and taking the rows keeps them.
        ready = prepared()
        assert ready.rowids is not None
        assert loaded.take(library, ready) == query.rows(library, flt)
        reads = counted(monkeypatch, query, "article_rowids")
        assert loaded.select(library, flt) == query.rows(library, flt) and not reads
        assert prepared().rowids is None  # those of this index: not read again
        # Rows of another list of the same rows are not its own.
        assert LoadedRows("date", query.rows(library)).take(library, prepared()) is None
        # A decision since: the rows are stale (one of them would show the wrong state).
        ready = prepared()
        library.store.decide(["a1.md"], Decision.SKIPPED)
        loaded.set_states(query.states(library, ["a1.md"]))
        assert loaded.take(library, ready) is None
        # A file indexed again since, by another connection: rowids moved.
        ready = prepared()
        write(root, "a2", "Changed zebra", 3)
        os.utime(paths[2], ns=(10**18, 10**18))
        refresh(root, db_path)
        assert loaded.take(library, ready) is None
        assert [r.id for r in loaded.select(library, flt)] == ["a3.md", "a0.md"]
        assert loaded.take(library, prepared()) == query.rows(library, flt)
    finally:
        reader.close()
        library.close()


def _row(article_id: str, story: str, size: int) -> ArticleRow:
    return ArticleRow(
        article_id, article_id, "", None, Decision.UNDECIDED, story=story, story_size=size
    )


def _old_shown(stories: StoryRows, keep: str | None) -> list[ArticleRow]:
    """What `shown` gave before it was done with C loops (a reference)."""
    row = None if keep is None else next((r for r in stories.loaded if r.id == keep), None)
    if row is not None and row.story_size > 1:
        first = next(r for r in stories.loaded if story_of(r) == story_of(row))
        if first.id != row.id:
            stories.expanded.add(story_of(row))
    return query.group_stories(stories.loaded, stories.expanded)


def test_story_rows_shown_agrees_with_group_stories() -> None:
    """Random lists of stories, some members filtered out, some stories expanded."""
    rng = random.Random(7)
    for _ in range(200):
        rows = []
        for n in range(rng.randint(0, 30)):
            size = rng.choice((1, 1, 2, 3, 5))
            story = f"s{rng.randint(0, 4)}" if size > 1 else f"r{n}"
            rows.append(_row(f"r{n}", rng.choice((story, "")) if size == 1 else story, size))
        rng.shuffle(rows)
        ids = [r.id for r in rows]
        keep = rng.choice([None, "gone", *ids])
        expanded = set(rng.sample(["s0", "s1", "s2", "s3", "s4"], rng.randint(0, 2)))
        fast, reference = StoryRows(rows), StoryRows(rows)
        primed = StoryRows()  # its look-ups worked out beforehand, as a worker does
        primed.load(rows, Lookups.of(rows))
        fast.expanded, reference.expanded = set(expanded), set(expanded)
        primed.expanded = set(expanded)
        assert fast.shown(keep) == _old_shown(reference, keep) == primed.shown(keep)
        assert fast.expanded == reference.expanded == primed.expanded
        assert (primed.index, primed.sizes, primed.heads) == (fast.index, fast.sizes, fast.heads)
        members = [r for r in rows if r.story_size > 1]
        assert fast.sizes == {
            s: sum(story_of(r) == s for r in members) for s in {story_of(r) for r in members}
        }
        assert all(
            fast.heads[story_of(r)] == next(m.id for m in members if story_of(m) == story_of(r))
            for r in members
        )
        assert fast.index == {r.id: i for i, r in enumerate(rows)}
        if members:  # a decision replaces a row: an opened story shows the new one
            changed = replace(rng.choice(members), state=Decision.SKIPPED)
            assert fast.replace(changed) and reference.replace(changed)
            fast.expanded.add(story_of(changed))
            reference.expanded.add(story_of(changed))
            assert fast.shown() == _old_shown(reference, None)
            assert changed in fast.shown()
        fast.grouped = False
        flat = fast.shown(keep)
        assert flat == fast.loaded and fast.index_of_shown(flat) == fast.index


def test_search_in_memory_finds_names_that_are_not_utf8(tmp_path: Path) -> None:
    """A name with undecodable bytes has a hex key: its row still matches by rowid."""
    root, db_path = tmp_path / "cache", tmp_path / "state" / "decisions.db"
    root.mkdir()
    write(root, "plain", "Common plain", 1)
    odd = root / os.fsdecode(b"caf\xe9.md")
    odd.write_text(ARTICLE.format(title="Common odd", day=2, name="cafe"), encoding="utf-8")
    refresh(root, db_path)
    library = Library(root, db_path)
    try:
        loaded = LoadedRows("date", query.rows(library))
        assert {row.id for row in loaded.rows} == {"plain.md", os.fsdecode(b"caf\xe9.md")}
        for text in ("common", "odd", "plain"):
            flt = Filter(search=text)
            assert loaded.select(library, flt) == query.rows(library, flt), text
        assert len(matched(loaded, library, "common")) == 2
    finally:
        library.close()


PROVIDERS = ("Example", "example", "BBC Focus", "Other")
PIECES = ("-", "OR", '"', "provider:", "topic:", "common", "word1", "wor", "bbc", '"BBC Focus"',
          "example", "zebra", "focus", " ", " ", "*", "ai")
"""What random searches are made of: words, syntax and stray quotes."""


def test_search_syntax_in_memory_is_sql_s(tmp_path: Path) -> None:
    """Exclusions, OR and provider fields are answered from memory, with SQL's rows for any
    state, sort and provider filter; a topic field needs SQL (rows carry no topics)."""
    root, db_path = tmp_path / "cache", tmp_path / "state" / "decisions.db"
    root.mkdir()
    for n in range(12):
        text = ARTICLE.format(title=f"Common word{n} {'zebra' if n % 3 == 0 else ''}",
                              day=n + 1, name=f"a{n}")
        provider = PROVIDERS[n % len(PROVIDERS)]
        text = text.replace("name: Example", f'name: "{provider}"')
        (root / f"a{n}.md").write_text(text, encoding="utf-8")
    refresh(root, db_path)
    library, reader = Library(root, db_path), Library(root, db_path)
    rng = random.Random(18)
    searches = [*SYNTAX, 'provider:"bbc focus"', "provider:other OR zebra", "- OR", "OR -",
                *("".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))
                  for _ in range(150))]
    in_memory = 0
    try:
        library.store.decide(["a1.md", "a4.md"], Decision.SKIPPED)
        for sort in query.SORTS:
            loaded = LoadedRows(sort, query.rows(library, Filter(sort=sort)))
            loaded.set_states(query.states(library, ["a1.md", "a4.md"]))
            for text in searches:
                for flt in (Filter(search=text, sort=sort),
                            Filter(search=text, sort=sort, state=Decision.UNDECIDED),
                            Filter(search=text, sort=sort, provider="EXAMPLE")):
                    if needs_sql(flt):  # a topic, or words checked one by one
                        continue
                    in_memory += 1
                    want = query.rows(library, flt)
                    assert loaded.select(library, flt) == want, flt
                    ready = loaded.prepare(reader, flt, query.index_version(library))
                    assert loaded.take(library, ready) == want, flt
        assert in_memory > 1000
        assert needs_sql(Filter(search="topic:ai")) and needs_sql(Filter(search="-topic:x"))
        assert needs_sql(Filter(search="zebra OR topic:ai"))
        assert needs_sql(Filter(search="zebra OR provider:other"))
        assert needs_sql(Filter(search="zebra OR -word1"))
        assert not needs_sql(Filter(search='-zebra provider:"BBC Focus" OR provider:other'))
        assert not needs_sql(Filter(search='"topic:ai"'))  # quoted: a phrase
    finally:
        reader.close()
        library.close()


def test_positions_in_the_rows_in_memory_are_those_of_a_dict() -> None:
    """A part of the rows in memory, in any order, is looked up in their index through an
    array: the same answers as a dict of its own, and no dict is made; a row they do not
    hold makes a dict after all."""
    rng = random.Random(7)
    whole_rows = [_row(f"r{n}", f"s{n % 4}", 2) for n in range(60)]
    whole = Whole({r.id: n for n, r in enumerate(whole_rows)}, len(whole_rows))
    for _ in range(50):
        part = rng.sample(whole_rows, rng.randint(0, len(whole_rows)))
        index = index_by_id(part, whole)
        assert isinstance(index, Positions)
        assert dict(index) == {r.id: n for n, r in enumerate(part)}
        assert len(index) == len(part)
        for row in whole_rows:
            assert (row.id in index) == (row in part)
            assert index.get(row.id) == (part.index(row) if row in part else None)
        assert "elsewhere" not in index and index.get("elsewhere") is None
        with pytest.raises(KeyError):
            index["elsewhere"]
    stranger = [*whole_rows[:3], _row("not-in-memory", "", 1)]
    assert index_by_id(stranger, whole) == {r.id: n for n, r in enumerate(stranger)}
    assert not isinstance(index_by_id(stranger, whole), Positions)


def test_a_list_of_rows_in_memory_shares_their_index(tmp_path: Path) -> None:
    """Every filter the rows in memory answer gives the list look-ups into their index,
    flat or grouped, so a big folder's list holds no second dict of every id."""
    root, db_path = tmp_path / "cache", tmp_path / "state" / "decisions.db"
    root.mkdir()
    for n in range(12):
        write(root, f"a{n:02d}", f"Headline {n} {'beta' if n % 3 else 'gamma'}", n + 1)
    library = Library(root, db_path)
    library.refresh()
    loaded = LoadedRows("date", query.rows(library, Filter()))
    for flt in (Filter(), Filter(search="beta"), Filter(state=Decision.UNDECIDED)):
        rows = loaded.select(library, flt)
        stories = StoryRows()
        stories.load(list(rows), Lookups(None, whole=loaded.whole))
        for grouped in (True, False):
            stories.grouped = grouped
            shown = stories.shown()
            index = stories.index_of_shown(shown)
            assert isinstance(index, Positions)
            assert dict(index) == {r.id: n for n, r in enumerate(shown)}
        assert dict(stories.index) == {r.id: n for n, r in enumerate(rows)}
    library.close()


def test_an_id_set_over_the_rows_in_memory_is_a_set() -> None:
    """Ids of the rows in memory by position, any other beside: it answers as a set of
    the same ids does, and gives back the rows' own strings."""
    rng = random.Random(11)
    rows = [_row(f"r{n}", "", 1) for n in range(40)]
    whole = Whole({r.id: n for n, r in enumerate(rows)}, len(rows))
    for _ in range(30):
        kept: set[str] = set()
        ids = IdSet(whole)
        for _ in range(60):
            article_id = rng.choice([*(r.id for r in rows), "x1", "x2"])
            if rng.random() < 0.6:
                kept.add(article_id)
                ids.add(article_id)
            else:
                kept.discard(article_id)
                ids.discard(article_id)
            assert len(ids) == len(kept) and set(ids) == kept
        assert all((r.id in ids) == (r.id in kept) for r in rows)
        assert ("x1" in ids) == ("x1" in kept) and 3 not in ids
        copied = [r.id[:1] + r.id[1:] for r in rows]  # the same text in other strings
        assert not any(c is r.id for c, r in zip(copied, rows, strict=True))
        assert all(any(i is r.id for r in rows) for i in IdSet(whole, copied))
    assert set(IdSet(None, ["a", "b", "a"])) == {"a", "b"}

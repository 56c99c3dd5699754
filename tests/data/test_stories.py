"""Story clusters: URL normalisation, hand-made clusters, and the real corpus pinned."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.data import query
from reader.data.library import Library
from reader.data.stories import StoryInput, cluster, normalize_url, title_key

DAY = datetime(2021, 9, 22, 12, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw, want",
    [
        ("https://www.example.com/news/a/", "example.com/news/a"),
        ("http://example.com/news/a", "example.com/news/a"),
        ("HTTPS://WWW.Example.COM/news/a#part", "example.com/news/a"),
        ("https://www.example.com/amp/news/a", "example.com/news/a"),
        ("https://example.com/news/a.amp", "example.com/news/a"),
        ("https://example.com/news/a/amp/", "example.com/news/a"),
        (
            "https://www-news--medical-net.cdn.ampproject.org/c/s/www.news-medical.net/amp/news/a.aspx",
            "news-medical.net/news/a.aspx",
        ),
        ("https://example.com/a?utm_source=x&utm_medium=y&fbclid=z", "example.com/a"),
        ("https://example.com/a?ncid=rss&ico=x&cmpscreen=y", "example.com/a"),
        ("https://youtube.com/watch?v=9FGveeLt1qk", "youtube.com/watch?v=9FGveeLt1qk"),
        ("https://example.com/a?b=2&a=1", "example.com/a?a=1&b=2"),
        ("javascript:alert(1)", None),
        ("file:///etc/passwd", None),
        ("/relative/path", None),
        ("", None),
        ("http://[::1", None),
    ],
)
def test_normalize_url(raw: str, want: str | None) -> None:
    assert normalize_url(raw) == want


def test_title_key_folds_case_accents_punctuation() -> None:
    assert title_key("Café: L’IA — “prédit”  le risque!") == "cafe l ia predit le risque"


def story(id: str, title: str = "", days: float = 0, urls=(), related=()) -> StoryInput:
    return StoryInput(id, title, DAY + timedelta(days=days), tuple(urls), tuple(related))


def groups(items: list[StoryInput]) -> set[frozenset[str]]:
    """The clusters as sets of ids (singletons included)."""
    found: dict[str, set[str]] = {}
    for article_id, story_id in cluster(items).items():
        found.setdefault(story_id, set()).add(article_id)
    return {frozenset(g) for g in found.values()}


def test_shared_url_is_one_story() -> None:
    items = [
        story("a.md", "Alpha", urls=["https://www.site.com/x/"]),
        story("b.md", "Something else", urls=["http://site.com/x"]),
        story("c.md", "Gamma", urls=["https://site.com/y"]),
    ]
    assert groups(items) == {frozenset({"a.md", "b.md"}), frozenset({"c.md"})}


def test_amp_and_canonical_url_are_one_story() -> None:
    items = [
        story("a.md", "One", urls=["https://www.news-medical.net/news/2021/a.aspx"]),
        story("b.md", "Two", urls=[
            "https://www-news--medical-net.cdn.ampproject.org/c/s/www.news-medical.net/amp/news/2021/a.aspx"
        ]),
    ]  # fmt: skip
    assert groups(items) == {frozenset({"a.md", "b.md"})}


def test_related_link_to_another_file_joins_it() -> None:
    items = [
        story("a.md", "Owkin AI predicts relapse", urls=["https://fierce.com/a"],
              related=["https://www.news-medical.net/news/b.aspx"]),
        story("b.md", "AI predicts metastatic relapse risk",
              urls=["https://www.news-medical.net/news/b.aspx"]),
        story("c.md", "Unrelated", urls=["https://other.com/c"],
              related=["https://nowhere.example/not-in-cache"]),
    ]  # fmt: skip
    assert groups(items) == {frozenset({"a.md", "b.md"}), frozenset({"c.md"})}


def test_clusters_are_transitive_and_named_by_smallest_id() -> None:
    items = [
        story("m.md", urls=["https://s.com/1"]),
        story("b.md", urls=["https://s.com/1", "https://s.com/2"]),
        story("z.md", urls=["https://s.com/2"]),
    ]
    assert set(cluster(items).values()) == {"b.md"}


def test_near_identical_titles_are_one_story() -> None:
    items = [
        story("a.md", "Diablo 4 - Official Announcement Cinematic Trailer Reaction"),
        story("b.md", "Diablo 4 - Official Announcement Cinematic Trailer | Reaction", days=3),
        story("c.md", "DIABLO 4: official announcement cinematic trailer reaction!", days=-2),
    ]
    assert groups(items) == {frozenset({"a.md", "b.md", "c.md"})}


@pytest.mark.parametrize(
    "first, second",
    [
        ("What's new: Power Apps March 2024 Feature Update",
         "What's new: Power Apps February 2024 Feature Update"),
        ("Diablo 4 Season 3 patch notes", "Diablo 4 Season 4 patch notes"),
        ("Diablo 4 beta dates confirmed for March", "Diablo 4 release date confirmed for June"),
        ("Power Apps monthly update 2021", "Power Apps monthly update 2022"),
    ],
    ids=["month", "season-number", "similar-words", "year"],
)
def test_similar_but_different_stories_stay_apart(first: str, second: str) -> None:
    items = [story("a.md", first), story("b.md", second, days=1)]
    assert groups(items) == {frozenset({"a.md"}), frozenset({"b.md"})}


def test_same_title_far_apart_in_time_is_not_one_story() -> None:
    items = [story("a.md", "Weekly roundup"), story("b.md", "Weekly roundup", days=60)]
    assert groups(items) == {frozenset({"a.md"}), frozenset({"b.md"})}


def test_year_one_and_year_9999_do_not_overflow() -> None:
    items = [
        StoryInput("a.md", "Same", datetime(1, 1, 1, tzinfo=UTC)),
        StoryInput("b.md", "Same", datetime(9999, 12, 31, tzinfo=UTC)),
        StoryInput("c.md", "Same", None),
    ]
    assert len(cluster(items)) == 3


def write(root: Path, name: str, title: str, url: str, related: str | None = None) -> None:
    rel = f'related:\n  - title: "x"\n    webUrl: "{related}"\n' if related else ""
    (root / name).write_text(
        f'---\ntitle: "{title}"\npublishedDateTime: 2021-09-22T10:00:00Z\n'
        f'webUrl: "{url}"\n{rel}---\n'
    )


def test_library_keeps_stories_up_to_date(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    root.mkdir()
    write(root, "a.md", "First outlet", "https://one.com/a", related="https://two.com/b")
    write(root, "c.md", "Unrelated", "https://three.com/c")
    lib = Library(root, tmp_path / "db" / "decisions.db")
    try:
        lib.refresh()
        assert {r.id: r.story_size for r in query.rows(lib)} == {"a.md": 1, "c.md": 1}
        write(root, "b.md", "Second outlet", "https://www.two.com/b/")
        lib.refresh()
        rows = {r.id: (r.story, r.story_size) for r in query.rows(lib)}
        assert rows == {"a.md": ("a.md", 2), "b.md": ("a.md", 2), "c.md": ("c.md", 1)}
        (root / "b.md").unlink()
        lib.refresh()
        assert {r.id: r.story_size for r in query.rows(lib)} == {"a.md": 1, "c.md": 1}
        before = lib.index.conn.total_changes
        assert lib.refresh().parsed == 0
        assert lib.index.conn.total_changes == before, "a warm start re-clustered"
    finally:
        lib.close()


def test_real_corpus_clusters_are_pinned(smartable_dir: Path, tmp_path: Path) -> None:
    lib = Library(smartable_dir, tmp_path / "decisions.db")
    try:
        lib.refresh()
        rows = query.rows(lib)
    finally:
        lib.close()
    sizes = Counter(r.story for r in rows)
    assert len(rows) == 2477
    assert len(sizes) == 1356
    assert sum(1 for n in sizes.values() if n > 1) == 395
    story_of = {r.id: r.story for r in rows}
    # The same post syndicated on two sites: one story.
    assert (
        story_of["everyday-cc-powerapps/2020-10-26-introducing-custom-api-preview.md"]
        == story_of["microsoft-power-apps/2020-10-26-introducing-custom-api-preview.md"]
    )
    # Near-identical titles three days apart.
    reaction = "diablo4/2019-11-0{}-diablo-4-official-announcement-cinematic-trailer-reaction.md"
    assert story_of[reaction.format(1)] == story_of[reaction.format(4)] == story_of[
        reaction.format(7)
    ]
    # Two different collector's-edition days are not merged with the cinematic.
    assert story_of[reaction.format(1)] != story_of[
        "diablo4/2022-12-15-diablo-4-collectors-edition-doesnt-include-the-actual-game.md"
    ]


def row(id: str, story: str, size: int) -> query.ArticleRow:
    return query.ArticleRow(id, id, "", None, query.Decision.UNDECIDED, story=story,
                            story_size=size)  # fmt: skip


def test_group_stories_shows_one_row_per_story_and_expands_in_place() -> None:
    listed = [row("b", "a", 3), row("x", "x", 1), row("a", "a", 3), row("c", "a", 3)]
    assert [r.id for r in query.group_stories(listed)] == ["b", "x"]
    assert [r.id for r in query.group_stories(listed, {"a"})] == ["b", "a", "c", "x"]


def test_members_reasons_and_reason_filter(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    root.mkdir()
    write(root, "a.md", "First", "https://one.com/a", related="https://two.com/b")
    write(root, "b.md", "Second", "https://two.com/b")
    write(root, "c.md", "Other", "https://three.com/c")
    lib = Library(root, tmp_path / "db" / "decisions.db")
    try:
        lib.refresh()
        assert [r.id for r in query.story_members(lib, "a.md")] == ["a.md", "b.md"]
        lib.store.decide(["b.md"], query.Decision.SKIPPED, "duplicate of a.md")
        lib.store.decide(["c.md"], query.Decision.SKIPPED, "off-topic")
        assert query.reasons(lib) == [("", "duplicate", 1), ("", "off-topic", 1)]
        dup = query.Filter(reason="duplicate")
        assert [r.id for r in query.rows(lib, dup)] == ["b.md"]
        assert query.rows(lib, query.Filter(reason="100%_")) == []
    finally:
        lib.close()


def test_decide_story_is_one_step(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    root.mkdir()
    write(root, "a.md", "First", "https://one.com/a", related="https://two.com/b")
    write(root, "b.md", "Second", "https://two.com/b")
    write(root, "c.md", "Third", "https://three.com/c", related="https://two.com/b")
    lib = Library(root, tmp_path / "db" / "decisions.db")
    try:
        lib.refresh()
        members = [r.id for r in query.story_members(lib, "a.md")]
        assert sorted(members) == ["a.md", "b.md", "c.md"]
        assert lib.decide_story("b.md", members) is not None
        assert lib.store.decision("b.md") is query.Decision.PUBLISHED
        assert lib.store.reason("a.md") == lib.store.reason("c.md") == "duplicate of b.md"
        assert query.states(lib, members) == {
            "a.md": query.Decision.SKIPPED, "b.md": query.Decision.PUBLISHED,
            "c.md": query.Decision.SKIPPED,
        }  # fmt: skip
        lib.undo()
        assert set(query.states(lib, members).values()) == {query.Decision.UNDECIDED}
    finally:
        lib.close()

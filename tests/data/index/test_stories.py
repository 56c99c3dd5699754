"""Story clusters: URL normalisation, hand-made clusters, and the real corpus pinned."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from reader.data import query
from reader.data.index.stories import (
    StoryInput,
    assign,
    cluster,
    normalize_url,
    terms_of,
    vocabulary,
)
from reader.data.library import Library

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


def test_a_related_link_alone_never_joins() -> None:
    items = [
        story("a.md", "Owkin raises funding round", urls=["https://fierce.com/a"],
              related=["https://www.news-medical.net/news/b.aspx"]),
        story("b.md", "Hospital opens new cardiology wing",
              urls=["https://www.news-medical.net/news/b.aspx"]),
    ]  # fmt: skip
    assert groups(items) == {frozenset({"a.md"}), frozenset({"b.md"})}


def test_a_related_link_tips_a_close_pair_into_one_story() -> None:
    # One shared name is not enough for one story; with a related link it is.
    a = ("Owkin AI predicts relapse", "https://fierce.com/a")
    b = ("Owkin signs hospital deal", "https://www.news-medical.net/news/b.aspx")
    apart = [story("a.md", a[0], urls=[a[1]]), story("b.md", b[0], urls=[b[1]])]
    linked = [story("a.md", a[0], urls=[a[1]], related=[b[1]]), apart[1]]
    assert with_filler(apart) == {frozenset({"a.md"}), frozenset({"b.md"})}
    assert with_filler(linked) == {frozenset({"a.md", "b.md"})}


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
        story("b.md", "Diablo 4 - Official Announcement Cinematic Trailer | Reaction", days=1.5),
        story("c.md", "DIABLO 4: official announcement cinematic trailer reaction!", days=-1.5),
    ]
    assert groups(items) == {frozenset({"a.md", "b.md", "c.md"})}


def test_a_story_spans_no_more_than_the_window() -> None:
    title = "Diablo 4 - Official Announcement Cinematic Trailer Reaction"
    items = [story("a.md", title), story("b.md", title, days=2), story("c.md", title, days=4)]
    assert groups(items) == {frozenset({"a.md", "b.md"}), frozenset({"c.md"})}
    wide = {frozenset({"a.md", "b.md", "c.md"})}
    assert {frozenset(g) for g in _grouped(cluster(items, window=timedelta(days=5)))} == wide


def _grouped(story_of: dict[str, str]) -> list[set[str]]:
    found: dict[str, set[str]] = {}
    for article_id, story_id in story_of.items():
        found.setdefault(story_id, set()).add(article_id)
    return list(found.values())


FILLER = [
    "Local bakery wins regional bread award", "Storm closes mountain pass for two days",
    "City council approves new bike lanes", "Museum reopens after long renovation",
    "Farmers expect record apple harvest", "School board debates later start times",
    "New ferry route links the two islands", "Zoo welcomes a baby giraffe",
    "Marathon draws thousands of runners downtown", "Library extends weekend opening hours",
    "Airport adds direct flights to Lisbon", "Heatwave warning issued for the south",
    "Orchestra announces its winter season", "Startup opens office in old warehouse",
    "River cleanup collects tons of plastic", "Hospital opens new cardiology wing",
    "Police seek witnesses after crash", "University launches climate research centre",
    "Vintage car show returns to the park", "Chess prodigy wins national title",
]
"""Other news of the same days: in a real folder most words are not the event's."""


def with_filler(items: list[StoryInput]) -> set[frozenset[str]]:
    """The stories of `items` among twenty unrelated articles, without the fillers."""
    filler = [story(f"pad{n:02}.md", title, days=n / 10) for n, title in enumerate(FILLER)]
    return {g for g in groups(items + filler) if not any(i.startswith("pad") for i in g)}


def test_different_wordings_of_one_event_join() -> None:
    items = [
        story("e1.md", "EBay, Icahn talk smack over PayPal spin-off"),
        story("e2.md", "Carl Icahn rift hurts eBay as PayPal fight grows", days=0.2),
        story("e3.md", "Icahn steps up attack on eBay board over PayPal", days=0.5),
    ]
    assert with_filler(items) == {frozenset({"e1.md", "e2.md", "e3.md"})}


def test_two_events_sharing_a_topic_word_stay_apart() -> None:
    items = [
        story("c1.md", "ECB holds interest rates as inflation slows"),
        story("c2.md", "ECB names new head of banking supervision", days=0.3),
        story("c3.md", "ECB keeps rates on hold, signals patience on inflation", days=0.2),
    ]
    assert with_filler(items) == {frozenset({"c1.md", "c3.md"}), frozenset({"c2.md"})}


def test_a_chain_of_pairs_is_not_one_story() -> None:
    # A is like B and B like C, but A is nothing like C: no single link joins all three.
    items = [
        story("a.md", "Apple unveils new iPhone camera"),
        story("b.md", "Apple iPhone camera sensor made by Sony", days=0.1),
        story("c.md", "Sony sensor factory in Japan hit by earthquake", days=0.2),
    ]
    assert with_filler(items) == {frozenset({"a.md", "b.md"}), frozenset({"c.md"})}


def test_new_articles_join_existing_stories_without_a_recluster() -> None:
    old = [
        story("e1.md", "EBay, Icahn talk smack over PayPal spin-off"),
        story("e2.md", "Carl Icahn rift hurts eBay as PayPal fight grows", days=0.2),
        story("x.md", "Chess prodigy wins national title", days=0.1),
    ]
    new = [
        story("e3.md", "Icahn steps up attack on eBay board over PayPal", days=0.5),
        story("n.md", "Zoo welcomes a baby giraffe", days=0.4),
        story("copy.md", "Another title", urls=["https://x.com/chess"]),
    ]
    old[2] = StoryInput("x.md", old[2].title, old[2].published_at, ("https://www.x.com/chess/",))
    vocab = vocabulary(old + new)
    existing = {"e1.md": old[:2], "x.md": [old[2]]}
    assert assign(new, existing, vocab) == {"e3.md": "e1.md", "n.md": "n.md", "copy.md": "x.md"}


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
    write(root, "a.md", "First outlet", "https://two.com/b?utm_source=rss")
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
    write(root, "a.md", "First", "https://two.com/b?utm_medium=x", related="https://two.com/b")
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
    write(root, "a.md", "First", "https://m.two.com/b")
    write(root, "b.md", "Second", "https://two.com/b")
    write(root, "c.md", "Third", "https://www.two.com/b/")
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


def test_copies_of_one_text_share_their_terms_and_cluster_as_before() -> None:
    """Terms are worked out once per title and excerpt; each article still counts once in
    the vocabulary, and the stories are those of terms worked out one by one."""
    when = datetime(2024, 5, 1, tzinfo=UTC)
    items = [
        StoryInput(f"a/{n}.md", "Storm closes the harbour", when + timedelta(hours=n),
                   (f"https://one.example/{n}",), (), "Boats stay in")
        for n in range(3)
    ] + [StoryInput("b/1.md", "Storm closes the harbour", when, ("https://two.example/x",), (),
                    "A different excerpt")]  # fmt: skip
    found = terms_of(items)
    assert found["a/0.md"] is found["a/1.md"] is found["a/2.md"]
    assert found["b/1.md"] is not found["a/0.md"]
    assert {i.id: dict(found[i.id]) for i in items} == {i.id: i.terms() for i in items}
    assert vocabulary(items).docs == 4
    assert vocabulary(items).df["storm"] == 4
    one_by_one = {i.id: i.terms() for i in items}
    assert cluster(items) == cluster(items, terms=one_by_one)


def test_a_new_copy_of_a_story_whose_members_went_meanwhile_starts_its_own(
    tmp_path: Path,
) -> None:
    """Another instance's refresh may remove a story's articles between two statements of
    this one's: the story its URL finds then has no member to be named by, and the new copy
    joins no story rather than failing the refresh."""
    root = tmp_path / "cache"
    root.mkdir()
    for n in range(8):  # enough stories that one new article is placed, not re-clustered
        write(root, f"o{n}.md", f"Other story number {n}", f"https://o.com/{n}")
    write(root, "a.md", "First outlet", "https://two.com/b")
    lib = Library(root, tmp_path / "db" / "decisions.db")
    try:
        lib.refresh()
        with lib.index.conn as conn:  # what the other instance's commit leaves in sight
            conn.execute("DELETE FROM articles WHERE key = 'a.md'")
        (root / "a.md").unlink()
        write(root, "b.md", "Second outlet", "https://www.two.com/b/")
        lib.refresh()
        assert {r.id: r.story_size for r in query.rows(lib)}["b.md"] == 1
    finally:
        lib.close()

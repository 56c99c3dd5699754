"""reader.data.query: filters, the four orders, counts, topics, providers and safe search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.data import query
from reader.data.article import Decision
from reader.data.library import Library
from reader.data.query import Filter, fts_query

PUB, SKIP, UND = Decision.PUBLISHED, Decision.SKIPPED, Decision.UNDECIDED


def fm(**fields: str) -> str:
    lines = [f"{key}: {value}" for key, value in fields.items()]
    return "---\n" + "\n".join(lines) + "\n---\n"


# Ties on purpose: a/b share a date and a quality, a/d share a heat, a/f share a title
# (but for case), c has no title, no date and no quality; e is a press release.
FILES = {
    "a.md": fm(
        title='"Beta"',
        publishedDateTime="2021-01-02T10:00:00Z",
        quality="50",
        heat="10",
        topics="[AI, ML]",
        provider="{name: Reuters}",
        published="true",
        excerpt='"Markets AND bonds: stocks did not fall"',
    ),
    "b.md": fm(
        title='"alpha"',
        publishedDateTime="2021-01-02T10:00:00Z",
        quality="50",
        topics="[AI]",
        provider="{name: BBC}",
        published="false",
    ),
    "c.md": fm(
        title='""',
        heat="30",
        provider="{name: Reuters}",
        excerpt='"Untitled piece"',
    ),
    "d.md": fm(
        title='"Gamma"',
        publishedDateTime="2022-05-01T00:00:00+02:00",
        quality="90",
        heat="10",
        topics="[Machine Learning]",
        published="false",
    ),
    "e.txt": "Delta press\n\nTags: AI / Partnership\n\nDate: March 5th, 2020\n\nBody.\n",
    "f.md": fm(
        title='"beta"',
        publishedDateTime="2020-01-01",
        quality="-5",
        heat="-1",
        topics="[ml]",
        provider="{name: BBC}",
        published="true",
    ),
    "sub/g.md": fm(
        title='"Zeta quoted \\"NOT\\" - col:umn *star*"',
        publishedDateTime="2019-06-01",
        quality="1",
        heat="0",
        topics="[Ünïcode, AI]",
        provider="{name: Reuters}",
        published="off",
    ),
    "bad.md": "---\ntitle: [unclosed\n---\n",
}


def build(base: Path) -> Library:
    """FILES written under BASE, in a refreshed Library."""
    root = base / "cache"
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    library = Library(root, base / "db" / "decisions.db")
    library.refresh()
    return library


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = build(tmp_path)
    yield library
    library.close()


def ids(library: Library, flt: Filter | None = None) -> list[str]:
    return [r.id for r in query.rows(library, flt or Filter())]


# -- orders ------------------------------------------------------------------------------

ORDERS = [
    pytest.param("date", ["d.md", "a.md", "b.md", "e.txt", "f.md", "sub/g.md", "c.md"], id="date"),
    pytest.param(
        "quality", ["d.md", "a.md", "b.md", "sub/g.md", "f.md", "c.md", "e.txt"], id="quality"
    ),
    pytest.param("heat", ["c.md", "a.md", "d.md", "sub/g.md", "f.md", "b.md", "e.txt"], id="heat"),
    pytest.param(
        "title", ["b.md", "a.md", "f.md", "e.txt", "d.md", "sub/g.md", "c.md"], id="title"
    ),
]


@pytest.mark.parametrize(("sort", "want"), ORDERS)
def test_sort_orders_missing_last_ties_by_id(lib: Library, sort: str, want: list[str]) -> None:
    flt = Filter(sort=sort)  # type: ignore[arg-type]
    assert ids(lib, flt) == want
    assert [a.id for a, *_ in query.articles(lib, flt)] == want  # both views agree


@pytest.mark.parametrize("sort", query.SORTS)
def test_sort_is_stable_across_refreshes_and_decisions(lib: Library, sort: str) -> None:
    flt = Filter(sort=sort)  # type: ignore[arg-type]
    first = ids(lib, flt)
    lib.store.decide(["a.md", "c.md"], SKIP)
    lib.refresh()
    assert ids(lib, flt) == first


def test_rows_carry_what_the_list_shows(lib: Library) -> None:
    rows = {r.id: r for r in query.rows(lib)}
    assert rows["d.md"].published_at is not None
    assert rows["d.md"].published_at.isoformat() == "2022-04-30T22:00:00+00:00"
    assert rows["c.md"].title == "" and rows["c.md"].published_at is None
    assert rows["c.md"].problem_count >= 1  # no title, no date
    assert rows["e.txt"].type == "press release"
    assert rows["a.md"].quality == 50 and rows["a.md"].heat == 10
    assert "bad.md" not in rows


# -- filters -----------------------------------------------------------------------------

FILTERS = [
    pytest.param(Filter(), {"a.md", "b.md", "c.md", "d.md", "e.txt", "f.md", "sub/g.md"}, id="all"),
    pytest.param(Filter(topic="AI"), {"a.md", "b.md", "e.txt", "sub/g.md"}, id="topic-ai"),
    pytest.param(Filter(topic="ML"), {"a.md", "f.md"}, id="topic-any-case"),
    pytest.param(Filter(topic="ml"), {"a.md", "f.md"}, id="topic-other-case"),
    pytest.param(Filter(topic="Machine Learning"), {"d.md"}, id="topic-with-space"),
    pytest.param(Filter(topic="Machine"), set(), id="topic-no-partial-match"),
    pytest.param(Filter(topic="Partnership"), {"e.txt"}, id="topic-press-tags"),
    pytest.param(Filter(topic="Ünïcode"), {"sub/g.md"}, id="topic-unicode"),
    pytest.param(Filter(topic="%"), set(), id="topic-like-wildcard"),
    pytest.param(Filter(provider="Reuters"), {"a.md", "c.md", "sub/g.md"}, id="provider"),
    pytest.param(Filter(provider="BBC"), {"b.md", "f.md"}, id="provider-bbc"),
    pytest.param(Filter(provider="reuters"), {"a.md", "c.md", "sub/g.md"}, id="provider-any-case"),
    pytest.param(Filter(provider="reu"), set(), id="provider-whole-name"),
    pytest.param(Filter(provider="' OR 1=1 --"), set(), id="provider-sql-injection"),
    pytest.param(Filter(state=PUB), {"a.md", "f.md"}, id="state-published-by-file"),
    pytest.param(
        Filter(state=UND), {"b.md", "c.md", "d.md", "e.txt", "sub/g.md"}, id="state-undecided"
    ),
    pytest.param(Filter(state=SKIP), set(), id="state-skipped"),
    pytest.param(Filter(search="beta"), {"a.md", "f.md"}, id="search-title"),
    pytest.param(Filter(search="reuters"), {"a.md", "c.md", "sub/g.md"}, id="search-provider"),
    pytest.param(Filter(search="untitled"), {"c.md"}, id="search-excerpt"),
    pytest.param(Filter(search="partner"), {"e.txt"}, id="search-topic-prefix"),
    pytest.param(Filter(search="AND"), {"a.md"}, id="search-and-is-a-word"),
    pytest.param(Filter(search="NOT"), {"a.md", "sub/g.md"}, id="search-not-is-a-word"),
    pytest.param(Filter(search="beta NOT"), {"a.md"}, id="search-not-does-not-negate"),
    pytest.param(Filter(search="col:umn"), {"sub/g.md"}, id="search-colon"),
    pytest.param(Filter(search="beta", provider="BBC"), {"f.md"}, id="search-and-provider"),
    pytest.param(
        Filter(topic="AI", state=UND), {"b.md", "e.txt", "sub/g.md"}, id="topic-and-state"
    ),
    pytest.param(Filter(topic="AI", provider="BBC", search="alpha"), {"b.md"}, id="three-criteria"),
]


@pytest.mark.parametrize(("flt", "want"), FILTERS)
def test_filters(lib: Library, flt: Filter, want: set[str]) -> None:
    assert set(ids(lib, flt)) == want
    assert {a.id for a, *_ in query.articles(lib, flt)} == want


def test_state_filters_follow_decisions(lib: Library) -> None:
    lib.store.decide(["b.md"], SKIP)
    lib.store.decide(["c.md"], PUB)
    lib.store.decide(["a.md"], UND)  # clears a file's `published: true`
    assert set(ids(lib, Filter(state=PUB))) == {"c.md", "f.md"}
    assert set(ids(lib, Filter(state=SKIP))) == {"b.md"}
    assert set(ids(lib, Filter(state=UND))) == {"a.md", "d.md", "e.txt", "sub/g.md"}
    lib.store.undo()
    assert set(ids(lib, Filter(state=PUB))) == {"a.md", "c.md", "f.md"}


def test_articles_carry_state_and_reason(lib: Library) -> None:
    lib.store.decide(["b.md"], SKIP, "duplicate")
    found = {item.article.id: item for item in query.articles(lib)}
    assert (found["b.md"].state, found["b.md"].reason) == (SKIP, "duplicate")
    assert found["a.md"].state is PUB
    assert (found["b.md"].story, found["b.md"].story_size) == ("b.md", 1)


# -- counts, topics, providers -----------------------------------------------------------


def test_counts_per_state(lib: Library) -> None:
    assert query.counts(lib) == {PUB: 2, UND: 5, SKIP: 0}
    lib.store.decide(["b.md", "c.md"], SKIP)
    lib.store.decide(["d.md"], PUB)
    lib.store.decide(["a.md"], UND)
    assert query.counts(lib) == {PUB: 2, UND: 3, SKIP: 2}
    lib.store.undo()
    assert query.counts(lib) == {PUB: 3, UND: 2, SKIP: 2}
    assert sum(query.counts(lib).values()) == len(ids(lib))


def test_counts_of_an_empty_folder(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    library = Library(tmp_path / "empty", tmp_path / "db" / "decisions.db")
    try:
        library.refresh()
        assert query.counts(library) == {PUB: 0, UND: 0, SKIP: 0}
        assert query.rows(library) == []
        assert query.topics(library) == [] and query.providers(library) == []
    finally:
        library.close()


def test_topics_most_common_first(lib: Library) -> None:
    """`ML` and `ml` are one topic, as a filter matches them."""
    assert query.topics(lib) == [
        ("AI", 4),
        ("ML", 2),
        ("Machine Learning", 1),
        ("Partnership", 1),
        ("Ünïcode", 1),
    ]


def test_providers_most_common_first(lib: Library) -> None:
    assert query.providers(lib) == [("Reuters", 3), ("BBC", 2)]


# -- fts_query ---------------------------------------------------------------------------

FTS = [
    pytest.param("owkin", '"owkin"*', id="word"),
    pytest.param("deep learning", '"deep"* AND "learning"*', id="two-words"),
    pytest.param("  spaced\tout\n", '"spaced"* AND "out"*', id="whitespace"),
    pytest.param("AND", '"AND"*', id="and"),
    pytest.param("a OR b", '("a"* OR "b"*)', id="or"),
    pytest.param("a or b", '"a"* AND "or"* AND "b"*', id="lowercase-or"),
    pytest.param('"OR"', '"OR"*', id="quoted-or"),
    pytest.param("NOT x", '"NOT"* AND "x"*', id="not"),
    pytest.param('say "hi"', '"say"* AND "hi"*', id="quoted-word"),
    pytest.param('say"hi"', '"say""hi"""*', id="quotes-doubled"),
    pytest.param('"deep learn"', '"deep learn"*', id="phrase"),
    pytest.param('"', "", id="lone-quote"),
    pytest.param('"" ""', "", id="empty-quotes"),
    pytest.param("*", '"*"*', id="star"),
    pytest.param("-x", "", id="minus-excludes"),
    pytest.param("a -x -y", '("a"*) NOT ("x"* OR "y"*)', id="exclusions"),
    pytest.param("a provider:x", '"a"*', id="field-aside"),
    pytest.param("a--x", '"a--x"*', id="inner-minus"),
    pytest.param("title:x", '"title:x"*', id="column-filter"),
    pytest.param("NEAR(a b)", '"NEAR(a"* AND "b)"*', id="near"),
    pytest.param("^x", '"^x"*', id="caret"),
    pytest.param("", "", id="empty"),
]


@pytest.mark.parametrize(("text", "want"), FTS)
def test_fts_query(text: str, want: str) -> None:
    assert fts_query(text) == want


NEVER_RAISES = [
    "AND",
    "OR",
    "NOT",
    "NEAR",
    "AND OR NOT",
    "a AND",
    "NOT a",
    '"',
    '""',
    '"a',
    'a"b',
    "*",
    "**",
    "a*",
    "*a",
    "-",
    "--",
    "-a",
    ":",
    "a:",
    ":a",
    "title:",
    "(",
    ")",
    "()",
    "(a",
    "NEAR(a b, 3)",
    "{a b}",
    "^",
    "+",
    "'",
    "\\",
    "%",
    "_",
    ";",
    "/*",
    "'; DROP TABLE articles; --",
    "é",
    "東京",
    "\u202e",
    "\x1b[31m",
    "\x07",
    "a" * 10_000,
    " ".join(["AND"] * 500),
    "\u200d",
]


@pytest.mark.parametrize("text", NEVER_RAISES, ids=[repr(t)[:30] for t in NEVER_RAISES])
def test_a_search_never_raises(lib: Library, text: str) -> None:
    found = ids(lib, Filter(search=text))
    assert set(found) <= set(ids(lib))


@pytest.mark.parametrize(
    "text",
    ["\x00", "owkin\x00", "a\x00b", "\udce9", "x\ud800"],
    ids=["nul", "trailing-nul", "inner-nul", "surrogate-escape", "lone-surrogate"],
)
def test_a_search_with_nul_or_surrogate_never_raises(lib: Library, text: str) -> None:
    ids(lib, Filter(search=text))


@pytest.fixture(scope="module")
def shared_lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """One library for every example of the property test."""
    base = tmp_path_factory.mktemp("query-fuzz")
    library = build(base)
    yield library
    library.close()


@settings(max_examples=300, deadline=None)
@given(
    text=st.text(
        alphabet=st.characters(codec="utf-8", blacklist_characters="\x00"),
        max_size=60,
    )
)
def test_any_search_text_never_raises(shared_lib: Library, text: str) -> None:
    found = ids(shared_lib, Filter(search=text))
    assert len(found) <= len(FILES)


def test_search_ids_agree_with_rows(lib: Library) -> None:
    for text in ("owkin", "ai", "", "\x00", '"', "-beta", "beta OR alpha -reuters"):
        assert query.search_ids(lib, text) == (
            {r.id for r in query.rows(lib, Filter(search=text))} if text.strip('"\x00') else set()
        )


def test_search_rowids_name_the_rows_a_search_finds(lib: Library) -> None:
    keys = dict(lib.index.conn.execute("SELECT rowid, key FROM articles"))
    for text in ("beta", "press", "zzz-none", "", "\x00", "-beta", "-beta -reuters"):
        hits = query.search_rowids(lib, text)
        found = {keys[rowid] for rowid in hits}
        want = {r.id for r in query.rows(lib, Filter(search=text))} if text.strip("\x00") else set()
        assert found == want, text
        assert len(hits) == len(want), text
        rowids = sorted(keys)
        assert list(hits.flags([*rowids, -1, max(rowids) + 5])) == [
            int(rowid in set(hits)) for rowid in rowids] + [0, 0]  # fmt: skip
    assert len(query.search_rowids(lib, "beta")) == 2


@pytest.mark.parametrize("found", [[], [3], [1, 5, 9], [70_000, 3], [5_000_000_000, 7]])
def test_hits_are_bytes_while_dense_and_a_set_when_not_and_answer_alike(
    found: list[int],
) -> None:
    """A byte per rowid up to 64 KiB and 4 bytes per hit beyond, else a set; the -1 of a
    row no longer indexed, and a rowid above every hit, are never hits."""
    hits = query.Hits(found)
    assert sorted(hits) == sorted(found) and len(hits) == len(found)
    asked = [-1, 0, 2, 3, 5, 7, 9, 70_000, 70_001, 5_000_000_000]
    assert list(hits.flags(asked)) == [int(r in found) for r in asked]
    assert (hits._bits is None) == (max(found, default=0) >= 64 << 10)


def test_search_rowids_read_rowids_of_more_than_32_bits(lib: Library) -> None:
    """An index whose rowids went past 2**32 (files indexed again and again)."""
    conn = lib.index.conn
    with conn:
        conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = 'articles'", (1 << 33,))
    (lib.root / "late.md").write_text('---\ntitle: "beta late"\n---\nBody\n', encoding="utf-8")
    lib.refresh()
    (rowid,) = conn.execute("SELECT rowid FROM articles WHERE key = 'late.md'").fetchone()
    assert rowid > 1 << 33
    assert rowid in set(query.search_rowids(lib, "beta"))
    assert len(query.search_rowids(lib, "beta")) == 3


def test_rows_limit_is_the_first_of_the_full_order(lib: Library) -> None:
    full = query.rows(lib)
    assert query.rows(lib, limit=3) == full[:3]
    assert query.rows(lib, limit=0) == []


def test_a_list_row_is_a_value_hashed_by_its_fields() -> None:
    # The list's render cache keys on rows: two rows alike are one key, a changed copy not.
    from dataclasses import replace

    row = query.ArticleRow("a.md", "Title", "Outlet", None, Decision.UNDECIDED)
    same = query.ArticleRow("a.md", "Title", "Outlet", None, Decision.UNDECIDED)
    changed = replace(row, state=Decision.SKIPPED)
    assert row == same and hash(row) == hash(same)
    assert {row, same, changed} == {row, changed}
    assert row.state is Decision.UNDECIDED and changed.state is Decision.SKIPPED

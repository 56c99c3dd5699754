"""Search syntax: `-word`, `OR`, `provider:` and `topic:`; case-insensitive topics and
providers; topic, provider and reason counts under a filter; `list --search=-word`."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reader.cli.main import run
from reader.config import Settings
from reader.data import query
from reader.data.article import Decision
from reader.data.library import Library
from reader.data.query import Filter
from tests.data.test_query import build, fm

ALL = {"a.md", "b.md", "c.md", "d.md", "e.txt", "f.md", "sub/g.md"}
REUTERS = {"a.md", "c.md", "sub/g.md"}


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    """The query tests' files, indexed."""
    library = build(tmp_path)
    yield library
    library.close()


def found(library: Library, flt: Filter) -> set[str]:
    """The ids `rows` lists, checked against what `articles` lists."""
    ids = [row.id for row in query.rows(library, flt)]
    assert ids == [item.article.id for item in query.articles(library, flt)]
    return set(ids)


SYNTAX = [
    pytest.param("beta -reuters", {"f.md"}, id="exclude"),
    pytest.param("-reuters", ALL - REUTERS, id="exclude-only"),
    pytest.param("-beta -alpha", ALL - {"a.md", "b.md", "f.md"}, id="two-exclusions"),
    pytest.param("-bet", ALL - {"a.md", "f.md"}, id="exclude-a-prefix"),
    pytest.param('-"stocks did"', ALL - {"a.md"}, id="exclude-a-phrase"),
    pytest.param("alpha OR gamma", {"b.md", "d.md"}, id="or"),
    pytest.param("alpha OR gamma OR untitled", {"b.md", "c.md", "d.md"}, id="or-three"),
    pytest.param("beta OR alpha reuters", {"a.md"}, id="or-then-and"),
    pytest.param("reuters beta OR untitled", {"a.md", "c.md"}, id="and-then-or"),
    pytest.param("alpha or gamma", set(), id="lowercase-or-is-a-word"),
    pytest.param('"AND"', {"a.md"}, id="quoted-word"),
    pytest.param('"stocks did"', {"a.md"}, id="phrase"),
    pytest.param('"did stocks"', set(), id="phrase-in-order"),
    pytest.param('"stocks di', {"a.md"}, id="phrase-unbalanced-quote"),
    pytest.param("provider:bbc", {"b.md", "f.md"}, id="provider-any-case"),
    pytest.param("Provider:BBC beta", {"f.md"}, id="provider-and-word"),
    pytest.param("provider:reut", set(), id="provider-whole-name"),
    pytest.param("-provider:bbc", ALL - {"b.md", "f.md"}, id="provider-excluded"),
    pytest.param("provider:bbc OR provider:reuters", {"b.md", "f.md"} | REUTERS, id="providers-or"),
    pytest.param("provider:bbc OR untitled", {"b.md", "c.md", "f.md"}, id="provider-or-word"),
    pytest.param("topic:ml", {"a.md", "f.md"}, id="topic-any-case"),
    pytest.param('topic:"machine learning"', {"d.md"}, id="topic-quoted"),
    pytest.param('topic:"Machine Learning', {"d.md"}, id="topic-unbalanced-quote"),
    pytest.param("topic:machine", set(), id="topic-whole-name"),
    pytest.param("topic:ÜNÏCODE", {"sub/g.md"}, id="topic-unicode-case"),
    pytest.param("-topic:ai", {"c.md", "d.md", "f.md"}, id="topic-excluded"),
    pytest.param("topic:ai -provider:reuters", {"b.md", "e.txt"}, id="topic-not-provider"),
    pytest.param("beta OR -reuters", {"a.md", "b.md", "d.md", "e.txt", "f.md"}, id="or-not"),
    pytest.param(
        "alpha OR provider:reuters -untitled", {"a.md", "b.md", "sub/g.md"}, id="mixed"
    ),
    pytest.param("col:umn", {"sub/g.md"}, id="other-colon-is-a-word"),
    pytest.param("NOT", {"a.md", "sub/g.md"}, id="not-is-a-word"),
    # Nothing to search for: every article.
    pytest.param("OR", ALL, id="lone-or"),
    pytest.param("-", ALL, id="lone-minus"),
    pytest.param("- OR -", ALL, id="minus-or-minus"),
    pytest.param("provider:", ALL, id="provider-no-value"),
    pytest.param('provider:""', ALL, id="provider-empty-quotes"),
    pytest.param('-topic:"', ALL, id="topic-lone-quote"),
    # An operator at either end means nothing.
    pytest.param("beta OR", {"a.md", "f.md"}, id="or-at-the-end"),
    pytest.param("OR beta", {"a.md", "f.md"}, id="or-at-the-start"),
    pytest.param("beta -", {"a.md", "f.md"}, id="minus-at-the-end"),
    pytest.param("beta provider:", {"a.md", "f.md"}, id="field-at-the-end"),
]


@pytest.mark.parametrize(("text", "want"), SYNTAX)
def test_search_syntax(lib: Library, text: str, want: set[str]) -> None:
    """Each piece of syntax lists what it says, in `rows` and in `articles`."""
    assert found(lib, Filter(search=text)) == want


@pytest.mark.parametrize(
    ("flt", "want"),
    [
        pytest.param(Filter(topic="ml"), {"a.md", "f.md"}, id="topic-lower"),
        pytest.param(Filter(topic="ML"), {"a.md", "f.md"}, id="topic-upper"),
        pytest.param(Filter(topic="machine learning"), {"d.md"}, id="topic-with-space"),
        pytest.param(Filter(topic="ünïcode"), {"sub/g.md"}, id="topic-unicode"),
        pytest.param(Filter(topic="ÜNÏCODE"), {"sub/g.md"}, id="topic-unicode-upper"),
        pytest.param(Filter(provider="reuters"), REUTERS, id="provider-lower"),
        pytest.param(Filter(provider="BBC", search="-beta"), {"b.md"}, id="provider-exclude"),
    ],
)
def test_filters_match_topics_and_providers_in_any_case(
    lib: Library, flt: Filter, want: set[str]
) -> None:
    """The topic and provider filters match a whole name in any case."""
    assert found(lib, flt) == want


NEVER_RAISES = [
    "-", "--", "- -", "-OR", "OR OR", "a OR OR b", "OR -", "-provider:", "topic:",
    "provider:-", 'provider:"', 'topic:"a', '-"', '"-"', '"OR"', "-*", "* OR -*",
    'provider:"BBC" OR', "provider:%", "topic:_", "provider:' OR 1=1 --",
    " OR ".join(["provider:x"] * 2000), " ".join(["-provider:x"] * 2000),
    " ".join(["topic:x OR y"] * 1000), " ".join(["-a"] * 3000),
]


@pytest.mark.parametrize("text", NEVER_RAISES, ids=[repr(t)[:30] for t in NEVER_RAISES])
def test_search_syntax_never_raises(lib: Library, text: str) -> None:
    """Odd, unbalanced or huge syntax lists some articles, never an error."""
    assert found(lib, Filter(search=text)) <= ALL


@pytest.fixture(scope="module")
def shared_lib(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Library]:
    """One library for every example of the property test."""
    library = build(tmp_path_factory.mktemp("syntax-fuzz"))
    yield library
    library.close()


PIECES = ["-", "OR", '"', "provider:", "topic:", "beta", "bbc", "ai", "ml", " ", " ", ":", "*"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=12))
def test_any_syntax_never_raises(shared_lib: Library, pieces: list[str]) -> None:
    """Any mix of syntax pieces lists some articles, never an error."""
    assert found(shared_lib, Filter(search="".join(pieces))) <= ALL


# -- counts under a filter --------------------------------------------------------------

CASES = {
    "a.md": fm(title='"One"', topics="[AI, Health]", provider="{name: BBC}"),
    "b.md": fm(title='"Two"', topics="[ai]", provider="{name: bbc}"),
    "c.md": fm(title='"Three"', topics="[AI, ai, Space]", provider="{name: Reuters}"),
    "d.md": fm(title='"Four owkin"', topics="[Space]", provider="{name: BBC}"),
}


@pytest.fixture
def cases(tmp_path: Path) -> Iterator[Library]:
    """Four articles with topics and providers spelled in two cases."""
    root = tmp_path / "cases"
    root.mkdir()
    for name, text in CASES.items():
        (root / name).write_text(text)
    library = Library(root, tmp_path / "db" / "decisions.db")
    library.refresh()
    yield library
    library.close()


def test_topics_and_providers_count_each_spelling_as_one(cases: Library) -> None:
    """The most common spelling names them; an article with two spellings counts once."""
    assert query.topics(cases) == [("AI", 3), ("Space", 2), ("Health", 1)]
    assert query.providers(cases) == [("BBC", 3), ("Reuters", 1)]
    assert found(cases, Filter(topic="ai")) == {"a.md", "b.md", "c.md"}
    assert found(cases, Filter(provider="bbc")) == {"a.md", "b.md", "d.md"}


def test_counts_under_a_filter_leave_their_own_field_aside(cases: Library) -> None:
    """The topic list under a topic filter still offers the other topics, and so on."""
    assert query.topics(cases, Filter(search="-owkin")) == [("AI", 3), ("Health", 1), ("Space", 1)]
    assert query.topics(cases, Filter(provider="bbc")) == [("AI", 2), ("Health", 1), ("Space", 1)]
    assert query.topics(cases, Filter(topic="Space")) == query.topics(cases)
    assert query.providers(cases, Filter(topic="space")) == [("BBC", 1), ("Reuters", 1)]
    assert query.providers(cases, Filter(provider="bbc")) == query.providers(cases)
    assert query.providers(cases, Filter(search="zzz")) == []
    assert query.topics(cases, Filter()) == query.topics(cases)


def test_reasons_under_a_filter(cases: Library) -> None:
    """Skip reasons count only the articles the filter admits, its reason aside."""
    cases.store.decide(["a.md", "b.md"], Decision.SKIPPED, "paywall")
    cases.store.decide(["c.md"], Decision.SKIPPED, "duplicate of d.md")
    everything = [("BBC", "paywall", 1), ("Reuters", "duplicate", 1), ("bbc", "paywall", 1)]
    assert query.reasons(cases) == everything
    assert query.reasons(cases, Filter()) == everything
    assert query.reasons(cases, Filter(provider="BBC")) == [
        ("BBC", "paywall", 1), ("bbc", "paywall", 1)
    ]
    assert query.reasons(cases, Filter(search="-two", reason="duplicate")) == [
        ("BBC", "paywall", 1), ("Reuters", "duplicate", 1)
    ]
    assert query.reasons(cases, Filter(state=Decision.UNDECIDED)) == []


# -- the command line -------------------------------------------------------------------


def listed(*argv: str) -> set[str]:
    """The ids `newsreader list --format json` prints."""
    out = io.StringIO()
    assert run(["list", *argv, "--format", "json"], Settings(), out) == 0
    return {item["id"] for item in json.loads(out.getvalue())}


def test_cli_list_search_syntax_and_filters_in_any_case(tmp_path: Path) -> None:
    """`list --search=-word` excludes (argparse needs the `=` before a `-`)."""
    library = build(tmp_path)
    library.close()
    where = [str(tmp_path / "cache"), "--db", str(tmp_path / "db" / "decisions.db")]
    assert listed(*where, "--search=-reuters") == ALL - REUTERS
    assert listed(*where, "--search", "beta -reuters") == {"f.md"}
    assert listed(*where, "--search", "provider:bbc OR untitled") == {"b.md", "c.md", "f.md"}
    assert listed(*where, "--provider", "reuters") == REUTERS
    assert listed(*where, "--topic", "ml") == {"a.md", "f.md"}


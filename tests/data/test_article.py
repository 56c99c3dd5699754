"""reader.data.article: Decision, Problem, Article and the dict round trip the index stores."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from reader.data.article import (
    Article,
    Decision,
    Problem,
    RelatedLink,
    article_from_dict,
    article_to_dict,
)

WHEN = datetime(2021, 9, 22, 14, 25, 0, 123456, tzinfo=UTC)

# -- Decision ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("decision", "value", "glyph"),
    [
        pytest.param(Decision.UNDECIDED, "undecided", "·", id="undecided"),
        pytest.param(Decision.PUBLISHED, "published", "✓", id="published"),
        pytest.param(Decision.SKIPPED, "skipped", "✗", id="skipped"),
    ],
)
def test_each_decision_has_its_value_and_one_character_glyph(
    decision: Decision, value: str, glyph: str
) -> None:
    assert decision.value == value
    assert Decision(value) is decision  # what the store reads back from its text column
    assert decision.glyph == glyph
    assert len(decision.glyph) == 1


def test_the_glyphs_tell_the_decisions_apart() -> None:
    assert len({d.glyph for d in Decision}) == len(Decision) == 3


@pytest.mark.parametrize("value", ["Published", "PUBLISHED", "", "publish", "none"])
def test_an_unknown_decision_value_is_refused(value: str) -> None:
    with pytest.raises(ValueError):
        Decision(value)


# -- Problem -----------------------------------------------------------------------------

PROBLEMS = [
    pytest.param(Problem("a.md", "title", "missing"), "a.md: title: missing", id="plain"),
    pytest.param(Problem("sub/x.md", "file", "not UTF-8"), "sub/x.md: file: not UTF-8", id="file"),
    pytest.param(Problem("", "", ""), ": : ", id="empty"),
    pytest.param(
        Problem("東京: a.md", "topics", "null entry"),
        "東京: a.md: topics: null entry",
        id="colon-id",
    ),
]


@pytest.mark.parametrize(("problem", "text"), PROBLEMS)
def test_a_problem_reads_path_field_why(problem: Problem, text: str) -> None:
    assert str(problem) == text


def test_a_problem_is_frozen_and_hashable() -> None:
    problem = Problem("a.md", "title", "missing")
    with pytest.raises(dataclasses.FrozenInstanceError):
        problem.why = "changed"  # type: ignore[misc]
    assert {problem, Problem("a.md", "title", "missing")} == {problem}


# -- Article -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("web", "original", "url"),
    [
        pytest.param("https://w.example/a", "https://o.example/a", "https://w.example/a", id="web"),
        pytest.param("", "https://o.example/a", "https://o.example/a", id="original"),
        pytest.param("https://w.example/a", "", "https://w.example/a", id="web-only"),
        pytest.param("", "", "", id="neither"),
    ],
)
def test_url_is_web_url_else_original_url(web: str, original: str, url: str) -> None:
    assert Article("a.md", web_url=web, original_url=original).url == url


@pytest.mark.parametrize(
    ("file_published", "decision"),
    [
        pytest.param(True, Decision.PUBLISHED, id="true"),
        pytest.param(False, Decision.UNDECIDED, id="false"),
        pytest.param(None, Decision.UNDECIDED, id="missing"),
    ],
)
def test_initial_decision_is_published_only_when_the_file_says_so(
    file_published: bool | None, decision: Decision
) -> None:
    article = Article("a.md", file_published=file_published, has_published_key=True)
    assert article.initial_decision is decision


def test_an_article_is_frozen_and_hashable() -> None:
    article = Article("a.md", title="T", topics=("AI",))
    with pytest.raises(dataclasses.FrozenInstanceError):
        article.title = "U"  # type: ignore[misc]
    assert hash(article) == hash(Article("a.md", title="T", topics=("AI",)))


def test_defaults() -> None:
    article = Article("a.md")
    assert (article.kind, article.type, article.title, article.url) == (
        "frontmatter",
        "article",
        "",
        "",
    )
    assert article.published_at is None and article.file_published is None
    assert not article.has_published_key
    assert article.topics == article.images == article.related == article.problems == ()
    assert RelatedLink() == RelatedLink("", "", "", "", "", None, None)


# -- article_to_dict and article_from_dict -----------------------------------------------

FULL = Article(
    id="sub/caf\udce9 東京.md",
    kind="frontmatter",
    title="Owkin's AI \u202eevil\u202c",
    excerpt="line\nbreak\ttab",
    body="# Body\n\n" + "x" * 10_000,
    published_at=WHEN,
    provider="FierceBiotech",
    domain="fiercebiotech.com",
    topics=("Machine Learning", "AI", ""),
    quality=38.0,
    heat=-1.0,
    type="article",
    web_url="https://w.example/a?b=1&c=%20",
    original_url="https://o.example/a",
    video_url="https://v.example/v.mp4",
    images=("https://i.example/1.jpg", "https://i.example/2.jpg"),
    related=(
        RelatedLink("Other", "Its excerpt", "https://r.example", "R", "r.example", WHEN, 4.5),
        RelatedLink(),
    ),
    secured="opaque-" + "s" * 200,
    file_published=False,
    has_published_key=True,
    problems=(
        Problem("sub/caf\udce9 東京.md", "topics", "null entry in the list (dropped)"),
        Problem("sub/caf\udce9 東京.md", "file", "not UTF-8"),
    ),
)

ARTICLES = [
    pytest.param(FULL, id="every-field"),
    pytest.param(Article("a.md"), id="defaults"),
    pytest.param(Article("r.txt", kind="press", body="A release"), id="press"),
    pytest.param(Article("a.md", published_at=datetime(1970, 1, 1, tzinfo=UTC)), id="epoch-date"),
    pytest.param(
        Article("a.md", published_at=datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)),
        id="far-future",
    ),
    pytest.param(Article("a.md", quality=0.0, heat=0.0), id="zero-scores"),
    pytest.param(Article("a.md", quality=float("inf"), heat=-1e308), id="extreme-scores"),
    pytest.param(Article("a.md", file_published=True, has_published_key=True), id="published"),
    pytest.param(Article("a.md", title="nul\x00inside", body="\x1b[2J"), id="controls"),
    pytest.param(Article("a.md", title="🦀" * 1000), id="astral"),
    pytest.param(Article("\ufffe" + "x" * 300 + ".md"), id="odd-long-id"),
]


@pytest.mark.parametrize("article", ARTICLES)
def test_the_dict_round_trips(article: Article) -> None:
    assert article_from_dict(article_to_dict(article)) == article


@pytest.mark.parametrize("article", ARTICLES)
def test_the_dict_round_trips_through_json_as_the_index_stores_it(article: Article) -> None:
    text = json.dumps(article_to_dict(article), default=str)
    assert text.isascii()  # escaped name bytes and all: the index keeps it as text
    assert article_from_dict(json.loads(text)) == article


def test_the_dict_holds_every_field_and_dates_as_iso_utc() -> None:
    data = article_to_dict(FULL)
    assert set(data) == {f.name for f in dataclasses.fields(Article)}
    assert data["published_at"] == "2021-09-22T14:25:00.123456+00:00"
    assert data["related"][0]["published_at"] == data["published_at"]
    assert data["related"][1]["published_at"] is None
    assert data["topics"] == ["Machine Learning", "AI", ""]
    assert data["problems"][0] == {"field": "topics", "why": "null entry in the list (dropped)"}


def test_a_date_keeps_its_instant_through_the_dict() -> None:
    """The parser makes UTC; a date in another zone still comes back as the same instant."""
    paris = datetime(2021, 9, 22, 16, 25, tzinfo=timezone(timedelta(hours=2)))
    back = article_from_dict(article_to_dict(Article("a.md", published_at=paris))).published_at
    assert back is not None and back.utcoffset() is not None
    assert back == paris == datetime(2021, 9, 22, 14, 25, tzinfo=UTC)


def test_problems_come_back_under_the_articles_id() -> None:
    """The dict keeps only field and why: the id is the article's, not repeated per problem."""
    data = article_to_dict(Article("a.md", problems=(Problem("a.md", "title", "missing"),)))
    data["id"] = "renamed.md"
    assert article_from_dict(data).problems == (Problem("renamed.md", "title", "missing"),)


@pytest.mark.parametrize("missing", ["id", "title", "related", "problems", "published_at"])
def test_a_dict_missing_a_field_is_refused(missing: str) -> None:
    data = article_to_dict(FULL)
    del data[missing]
    with pytest.raises(KeyError):
        article_from_dict(data)

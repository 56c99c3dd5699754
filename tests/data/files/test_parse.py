"""reader.data.files.parse: the seeds, hostile inputs in tables, the hostile corpus, and fuzzing."""

from __future__ import annotations

import codecs
import dataclasses
import importlib.util
import os
import re
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.data import query
from reader.data.article import Article, Problem, RelatedLink
from reader.data.clean import escape_name, is_openable
from reader.data.files.parse import parse_bytes, parse_file
from reader.data.files.walk import is_candidate, walk
from reader.data.library import Library

REPO = Path(__file__).resolve().parents[3]
HOSTILE_SCRIPT = REPO.parent / "shared" / "corpus" / "hostile" / "make_hostile.py"

# What no shown string may hold: C0 (LF allowed only in a body), DEL, C1, bidi, surrogates.
UNSAFE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
UNSAFE_BODY = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def front_matter(extra: str = "", title: str = '"A title"') -> bytes:
    """A small valid front-matter article with EXTRA lines added to the YAML."""
    return (
        f"---\ntitle: {title}\npublishedDateTime: 2021-09-22T14:25:00Z\n{extra}\n---\nBody.\n"
    ).encode()


def parsed(data: bytes, article_id: str = "x.md") -> Article:
    """Parse DATA and insist that it is an article."""
    result = parse_bytes(data, article_id)
    assert isinstance(result, Article), result
    return result


def fields_with_problems(article: Article) -> set[str]:
    return {p.field for p in article.problems}


# -- the seeds ---------------------------------------------------------------------------


def seed(seeds_dir: Path, prefix: str) -> tuple[Path, str]:
    (path,) = seeds_dir.glob(f"{prefix}_*")
    return path, path.name


def test_press_release_seed(seeds_dir: Path) -> None:
    path, name = seed(seeds_dir, "003")
    article = parse_file(path, name)
    assert isinstance(article, Article)
    assert article.kind == "press"
    assert article.title == (
        "The FFCD and Owkin Join Forces to Apply Machine Learning to Digestive Oncology"
    )
    assert article.published_at is not None
    assert article.published_at.date().isoformat() == "2020-03-05"
    assert article.published_at.tzinfo is not None
    assert article.topics == ("Partnership", "ML")
    assert article.body.startswith("The FFCD and Owkin Join Forces")
    assert "Tags:" not in article.body and "Date:" not in article.body
    assert article.file_published is None and not article.has_published_key
    assert article.problems == ()


def test_fiercebiotech_excerpt_mojibake_repaired(seeds_dir: Path) -> None:
    path, name = seed(seeds_dir, "000")
    article = parse_file(path, name)
    assert isinstance(article, Article)
    assert article.provider == "FierceBiotech"
    assert "that’s" in article.excerpt
    assert "â€" not in article.excerpt
    assert "that’s" in parse_file(*seed(seeds_dir, "001")).related[0].excerpt  # type: ignore[union-attr]


def test_news_medical_seed_is_published(seeds_dir: Path) -> None:
    path, name = seed(seeds_dir, "001")
    article = parse_file(path, name)
    assert isinstance(article, Article)
    assert article.provider == "News Medical"
    assert article.file_published is True
    assert article.has_published_key
    assert len(article.related) == 2
    assert article.published_at == datetime(2021, 9, 22, 2, 36, tzinfo=UTC)


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_every_seed_loads_clean(seeds_dir: Path, prefix: str) -> None:
    article = parse_file(*seed(seeds_dir, prefix))
    assert isinstance(article, Article)
    assert article.title
    assert article.published_at is not None
    assert article.problems == ()


@pytest.mark.parametrize("prefix", ["000", "001", "002", "003", "004"])
def test_crlf_seed_parses_to_the_same_fields(seeds_dir: Path, prefix: str) -> None:
    path, name = seed(seeds_dir, prefix)
    lf = parse_file(path, name)
    crlf = parse_bytes(path.read_bytes().replace(b"\n", b"\r\n"), name)
    assert isinstance(crlf, Article)
    assert crlf == lf


# -- Jekyll's `published:` ---------------------------------------------------------------

PUBLISHED = [
    # raw YAML, file_published, a problem on `published`
    pytest.param("true", True, False, id="true"),
    pytest.param("false", False, False, id="false"),
    pytest.param("yes", True, False, id="yes"),
    pytest.param("no", False, False, id="no"),
    pytest.param("on", True, False, id="on"),
    pytest.param("off", False, False, id="off"),
    pytest.param("Off", False, False, id="Off"),
    pytest.param("False", False, False, id="False-capital"),
    pytest.param("FALSE", False, False, id="FALSE-upper"),
    pytest.param("True", True, False, id="True-capital"),
    pytest.param('"false"', True, True, id="quoted-false"),
    pytest.param("'no'", True, True, id="quoted-no"),
    pytest.param('"yes"', True, True, id="quoted-yes"),
    pytest.param("0", True, True, id="zero"),
    pytest.param("1", True, True, id="one"),
    pytest.param("[false]", True, True, id="list"),
    pytest.param("{a: b}", True, True, id="mapping"),
    pytest.param("null", None, True, id="null"),
    pytest.param("~", None, True, id="tilde"),
    pytest.param("", None, True, id="empty-value"),
]


@pytest.mark.parametrize(("raw", "want", "problem"), PUBLISHED)
def test_published_as_jekyll_reads_it(raw: str, want: bool | None, problem: bool) -> None:
    article = parsed(front_matter(f"published: {raw}"))
    assert article.file_published is want
    assert article.has_published_key
    assert ("published" in fields_with_problems(article)) is problem


def test_published_missing() -> None:
    article = parsed(front_matter())
    assert article.file_published is None
    assert not article.has_published_key
    assert "published" not in fields_with_problems(article)
    assert article.problems == ()


# -- dates -------------------------------------------------------------------------------

DATES = [
    pytest.param("2021-09-22T14:25:00Z", datetime(2021, 9, 22, 14, 25, tzinfo=UTC), id="zulu"),
    pytest.param(
        "2021-09-22T14:25:00+02:00", datetime(2021, 9, 22, 12, 25, tzinfo=UTC), id="offset"
    ),
    pytest.param(
        "2021-09-22T01:00:00-05:00", datetime(2021, 9, 22, 6, 0, tzinfo=UTC), id="neg-offset"
    ),
    pytest.param(
        "2021-09-22T23:30:00-05:00", datetime(2021, 9, 23, 4, 30, tzinfo=UTC), id="next-day"
    ),
    pytest.param("2021-09-22T14:25:00", datetime(2021, 9, 22, 14, 25, tzinfo=UTC), id="no-tz"),
    pytest.param("2021-09-22 14:25:00", datetime(2021, 9, 22, 14, 25, tzinfo=UTC), id="space"),
    pytest.param("2021-09-22", datetime(2021, 9, 22, tzinfo=UTC), id="date-only"),
    pytest.param('"March 5th, 2020"', datetime(2020, 3, 5, tzinfo=UTC), id="words"),
    pytest.param('"2021-09-22T14:25:00Z"', datetime(2021, 9, 22, 14, 25, tzinfo=UTC), id="quoted"),
    pytest.param("9999-12-31T23:59:59Z", datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC), id="9999"),
    pytest.param("0001-01-01T00:00:00Z", datetime(1, 1, 1, tzinfo=UTC), id="0001"),
    pytest.param("1632320700", datetime(2021, 9, 22, 14, 25, tzinfo=UTC), id="epoch-int"),
]


@pytest.mark.parametrize(("raw", "want"), DATES)
def test_dates_read_as_utc(raw: str, want: datetime) -> None:
    article = parsed(f"---\ntitle: T\npublishedDateTime: {raw}\n---\n".encode())
    assert article.published_at == want
    assert article.published_at is not None
    assert article.published_at.utcoffset() == timedelta(0)
    assert "publishedDateTime" not in fields_with_problems(article)


BAD_DATES = [
    pytest.param('"soon™ (ask PR)"', id="garbage-words"),
    pytest.param('"garbage"', id="garbage"),
    pytest.param('"the 32nd of Smarch 2020"', id="garbage-with-digits"),
    pytest.param("2021-02-30", id="feb-30"),
    pytest.param("2021-02-30T00:00:00Z", id="feb-30-time"),
    pytest.param('"2021-13-45"', id="month-13"),
    pytest.param("true", id="bool"),
    pytest.param("[2021, 9, 22]", id="list"),
    pytest.param("{y: 2021}", id="mapping"),
    pytest.param("-5", id="negative-epoch"),
    pytest.param("99999999999999999999999", id="huge-int"),
    pytest.param("1e300", id="huge-float"),
    pytest.param(".nan", id="nan"),
]


@pytest.mark.parametrize("raw", BAD_DATES)
def test_bad_dates_are_unset_with_a_problem(raw: str) -> None:
    article = parsed(f"---\ntitle: T\npublishedDateTime: {raw}\n---\n".encode())
    assert article.published_at is None
    assert "publishedDateTime" in fields_with_problems(article)
    assert article.title == "T"  # a bad date sinks only its own field


@pytest.mark.parametrize(
    "raw",
    ["9999-12-31T23:59:59-05:00", "0001-01-01T00:00:00+05:00"],
    ids=["9999-west", "0001-east"],
)
def test_extreme_dates_with_offsets_do_not_overflow(raw: str) -> None:
    article = parsed(f"---\ntitle: T\npublishedDateTime: {raw}\n---\n".encode())
    assert article.published_at is not None
    assert article.published_at.tzinfo is not None
    assert article.published_at.year in (1, 9999)


def test_missing_date_is_a_problem() -> None:
    article = parsed(b"---\ntitle: T\n---\n")
    assert article.published_at is None
    assert "publishedDateTime" in fields_with_problems(article)


def test_related_dates_are_utc() -> None:
    article = parsed(
        front_matter("related:\n  - title: R\n    publishedDateTime: 2021-09-22T14:25:00+02:00")
    )
    assert article.related[0].published_at == datetime(2021, 9, 22, 12, 25, tzinfo=UTC)


# -- wrong types -------------------------------------------------------------------------


WRONG_TYPES = [
    # extra YAML, title override (None: keep), how to read the value, expected, field with a problem
    pytest.param("", "1984", lambda a: a.title, "1984", None, id="title-int"),
    pytest.param("", "12.5", lambda a: a.title, "12.5", None, id="title-float"),
    pytest.param(
        "",
        "[Part one, Part two]",
        lambda a: a.title,
        "Part one / Part two",
        "title",
        id="title-list",
    ),
    pytest.param(
        "",
        "{en: English, fr: Titre}",
        lambda a: a.title,
        "English / Titre",
        "title",
        id="title-dict",
    ),
    pytest.param("", "null", lambda a: a.title, "", "title", id="title-null"),
    pytest.param("", "", lambda a: a.title, "", "title", id="title-empty"),
    pytest.param("", '"   "', lambda a: a.title, "", "title", id="title-blank"),
    pytest.param("", "true", lambda a: a.title, "true", "title", id="title-bool"),
    pytest.param("", "[]", lambda a: a.title, "", "title", id="title-empty-list"),
    pytest.param("", "[[a], {b: c}]", lambda a: a.title, "", "title", id="title-nested"),
    pytest.param("", "!!binary aGVsbG8=", lambda a: a.title, "", "title", id="title-binary"),
    pytest.param("", '"\\e[31m"', lambda a: a.title, "", "title", id="title-only-escape"),
    pytest.param(
        "quality: '\"high\"'", None, lambda a: a.quality, None, "quality", id="quality-high"
    ),
    pytest.param(
        'quality: "high"', None, lambda a: a.quality, None, "quality", id="quality-string"
    ),
    pytest.param(
        'quality: "57"', None, lambda a: a.quality, 57, "quality", id="quality-numeric-text"
    ),
    pytest.param("quality: 57.5", None, lambda a: a.quality, 57.5, None, id="quality-float"),
    pytest.param("quality: -12", None, lambda a: a.quality, -12, None, id="quality-negative"),
    pytest.param("quality: true", None, lambda a: a.quality, None, "quality", id="quality-bool"),
    pytest.param("quality: [1]", None, lambda a: a.quality, None, "quality", id="quality-list"),
    pytest.param("heat: {a: 1}", None, lambda a: a.heat, None, "heat", id="heat-dict"),
    pytest.param(
        "topics: Machine Learning",
        None,
        lambda a: a.topics,
        ("Machine Learning",),
        "topics",
        id="topics-string",
    ),
    pytest.param(
        "topics: [AI, null, ML]",
        None,
        lambda a: a.topics,
        ("AI", "ML"),
        "topics",
        id="topics-null-entry",
    ),
    pytest.param("topics: [null]", None, lambda a: a.topics, (), "topics", id="topics-only-null"),
    pytest.param("topics: {a: b}", None, lambda a: a.topics, (), "topics", id="topics-dict"),
    pytest.param(
        "topics: [1, 2.5]", None, lambda a: a.topics, ("1", "2.5"), None, id="topics-numbers"
    ),
    pytest.param("topics: 42", None, lambda a: a.topics, (), "topics", id="topics-int"),
    pytest.param(
        'related: {title: Only one, webUrl: "https://example.com/1"}',
        None,
        lambda a: [(r.title, r.url) for r in a.related],
        [("Only one", "https://example.com/1")],
        "related",
        id="related-dict",
    ),
    pytest.param(
        "related: [1, text, null, {title: ok}, [a]]",
        None,
        lambda a: [r.title for r in a.related],
        ["ok"],
        "related[0]",
        id="related-junk-items",
    ),
    pytest.param("related: text", None, lambda a: a.related, (), "related", id="related-string"),
    pytest.param(
        "related: [{title: {a: b}, publishedDateTime: never, quality: high}]",
        None,
        lambda a: (a.related[0].title, a.related[0].published_at, a.related[0].quality),
        ("b", None, None),
        "related[0].quality",
        id="related-item-wrong-types",
    ),
    pytest.param(
        "related: [{title: R, provider: Reuters}]",
        None,
        lambda a: a.related[0].provider,
        "Reuters",
        None,
        id="related-provider-string",
    ),
    pytest.param(
        "images: [{width: 800, height: 450}]",
        None,
        lambda a: a.images,
        (),
        "images[0]",
        id="image-without-url",
    ),
    pytest.param(
        'images: [{url: ""}, {url: 5}, null, {url: "https://e.com/i.jpg"}]',
        None,
        lambda a: a.images,
        ("https://e.com/i.jpg",),
        "images[2]",
        id="images-mixed",
    ),
    pytest.param("images: {url: x}", None, lambda a: a.images, (), "images", id="images-dict"),
    pytest.param(
        "provider: Reuters", None, lambda a: a.provider, "Reuters", None, id="provider-string"
    ),
    pytest.param("provider: [a]", None, lambda a: a.provider, "", "provider", id="provider-list"),
    pytest.param(
        "provider: {name: [a, b], domain: 5}",
        None,
        lambda a: (a.provider, a.domain),
        ("a / b", "5"),
        "provider.name",
        id="provider-name-list",
    ),
    pytest.param("webUrl: 42", None, lambda a: a.web_url, "42", None, id="weburl-int"),
]


@pytest.mark.parametrize(("extra", "title", "read", "want", "field"), WRONG_TYPES)
def test_wrong_types_sink_only_their_field(
    extra: str, title: str | None, read: Any, want: Any, field: str | None
) -> None:
    data = front_matter(extra) if title is None else front_matter(extra, title=title)
    article = parsed(data)
    assert read(article) == want
    if field is not None:
        assert field in fields_with_problems(article)
    if title is None:
        assert article.title == "A title"
    assert article.published_at == datetime(2021, 9, 22, 14, 25, tzinfo=UTC)


def test_duplicate_keys_last_wins() -> None:
    article = parsed(b"---\ntitle: First\ntitle: Second\n---\n")
    assert article.title == "Second"


# -- files that are not articles ---------------------------------------------------------


def _alias_bomb() -> bytes:
    lines = ["---", 'a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines += ["title: Billion laughs", "related: *a9", "---", ""]
    return "\n".join(lines).encode()


REFUSED = [
    pytest.param(b"", id="empty"),
    pytest.param(b"  \n\n\t\r\n", id="whitespace-only"),
    pytest.param(bytes(range(256)) * 16, id="binary"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(2000), id="png-header"),
    pytest.param(b"---\ntitle: T\n\nThe body starts without a closing marker.\n", id="unclosed"),
    pytest.param(b"---\n", id="only-opening-line"),
    pytest.param(b"---\n- title: A list\n- published: true\n---\n", id="front-matter-list"),
    pytest.param(
        b"---\nJust a sentence where the mapping should be\n---\n", id="front-matter-scalar"
    ),
    pytest.param(b"---\n42\n---\n", id="front-matter-int"),
    pytest.param(b"---\n---\n", id="front-matter-empty"),
    pytest.param(b"---\n\n   \n---\nbody\n", id="front-matter-blank"),
    pytest.param(b"---\nnull\n---\n", id="front-matter-null"),
    pytest.param(_alias_bomb(), id="alias-bomb"),
    pytest.param(
        b"---\ntitle: T\nrelated: " + b"[" * 100_000 + b"]" * 100_000 + b"\n---\n",
        id="deep-brackets",
    ),
    pytest.param(b"---\ntitle: T\nrelated: " + b"[" * 100_000 + b"\n---\n", id="deep-unbalanced"),
    pytest.param(
        b"---\ntitle: T\nr: " + b"{a: " * 1000 + b"1" + b"}" * 1000 + b"\n---\n", id="deep-braces"
    ),
    pytest.param(
        b"---\ntitle: T\nr:\n" + b"".join(b" " * (2 * i) + b"-\n" for i in range(300)) + b"---\n",
        id="deep-indentation",
    ),
    pytest.param(b"---\ntitle: T\nr: " + b"- " * 1000 + b"x\n---\n", id="deep-dashes"),
    pytest.param(b'---\ntitle: "\x1b[31mRaw escape bytes\x1b[0m"\n---\n', id="raw-esc-in-yaml"),
    pytest.param(b'---\ntitle: "NUL\x00\x00 here"\n---\n', id="nul-in-yaml"),
    pytest.param(b'---\ntitle: "a\x07b"\n---\n', id="raw-bel-in-yaml"),
    pytest.param(b'---\ntitle: "a\x7fb"\n---\n', id="raw-del-in-yaml"),
    pytest.param('---\ntitle: "a\x9bb"\n---\n'.encode(), id="raw-c1-in-yaml"),
    pytest.param(
        b"---\ntitle: T\nprovider:\n\tname: Reuters\n\tdomain: reuters.com\n---\n", id="tab-indent"
    ),
    pytest.param(b'---\ntitle: "unterminated\n---\n', id="unterminated-string"),
    pytest.param(b"---\ntitle: [a\n---\n", id="unclosed-flow"),
    pytest.param(b"---\n? [a, b]\n: 1\ntitle: X\n---\n", id="unhashable-key"),
    pytest.param(b"---\ntitle: !!python/name:os.system\n---\n", id="python-name-tag"),
    pytest.param(b"---\ntitle: !!python/object/new:os.system [ls]\n---\n", id="python-new-tag"),
    pytest.param(b"---\ntitle: !e%1B%5B31mRED x\n---\n", id="tag-with-escaped-esc"),
]


@pytest.mark.parametrize("data", REFUSED)
def test_refused_files_are_problems_naming_the_file(data: bytes) -> None:
    result = parse_bytes(data, "sub/odd.md")
    assert isinstance(result, Problem), result
    assert result.field == "file"
    assert result.path == "sub/odd.md"
    assert result.why
    assert str(result).startswith("sub/odd.md: file: ")
    assert "\x1b" not in result.why and "\x00" not in result.why


def test_python_tag_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    data = front_matter(f'secured: !!python/object/apply:os.system ["touch {marker.as_posix()}"]')
    result = parse_bytes(data, "yaml-python-tag.md")
    assert isinstance(result, Problem)
    assert result.field == "file"
    assert not marker.exists()


def test_refused_file_through_parse_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.md"
    path.write_bytes(b"---\ntitle: [a\n---\n")
    result = parse_file(path, "broken.md")
    assert isinstance(result, Problem) and result.path == "broken.md" and result.field == "file"


def test_unreadable_path_is_a_problem(tmp_path: Path) -> None:
    result = parse_file(tmp_path / "missing.md", "missing.md")
    assert isinstance(result, Problem)
    assert result.field == "file" and result.path == "missing.md"
    directory = tmp_path / "folder.md"
    directory.mkdir()
    assert isinstance(parse_file(directory, "folder.md"), Problem)


NOT_AN_ARTICLE = (
    "not an article: no front matter, and no `Date:` or `Tags:` line of a press release"
)

PLAIN_TEXT = [
    pytest.param(b"# Notes\n\nThis folder holds the articles.\n", id="readme"),
    pytest.param(b"Just one line", id="one-line"),
    pytest.param(b"MIT License\r\n\r\nCopyright (c) 2021\r\n", id="license-crlf"),
    pytest.param("Caf\u00e9 notes\n\nNo date here.\n".encode("latin-1"), id="latin-1"),
    pytest.param(b"Title\n" + b"a line\n" * 20 + b"Date: 2020-03-05\n", id="date-far-down"),
    pytest.param(b"Title\n\nUpdated: 2020-03-05\n\nBody\n", id="other-field"),
    pytest.param(b"--\ntitle: T\n--\n", id="two-dashes"),
]


@pytest.mark.parametrize("data", PLAIN_TEXT)
def test_plain_text_that_is_no_press_release_is_not_an_article(data: bytes) -> None:
    result = parse_bytes(data, "README.md")
    assert result == Problem("README.md", "file", NOT_AN_ARTICLE)


@pytest.mark.parametrize(
    "data",
    [b"Title\n\nDate: 2020-03-05\n\nBody\n", b"Title\nTags: A / B\n\nBody\n"],
    ids=["date-line", "tags-line-only"],
)
def test_a_date_or_tags_line_makes_a_press_release(data: bytes) -> None:
    assert parsed(data, "release.txt").kind == "press"


def test_a_readme_in_the_folder_is_never_listed(seeds_dir: Path, tmp_path: Path) -> None:
    (seeds_dir / "README.md").write_bytes(b"# About these articles\n\nSee the seeds.\n")
    view = library_view(seeds_dir, tmp_path / "d.db")
    assert "README.md" not in view["articles"] and "README.md" not in view["rows"]
    assert len(view["articles"]) == 5
    assert [p for p in view["problems"] if p.path == "README.md"] == [
        Problem("README.md", "file", NOT_AN_ARTICLE)
    ]


# -- encodings ---------------------------------------------------------------------------

ENCODINGS = [
    pytest.param(codecs.BOM_UTF8 + front_matter(), id="utf8-bom"),
    pytest.param(
        codecs.BOM_UTF16_LE + front_matter().decode().encode("utf-16-le"), id="utf16-le-bom"
    ),
    pytest.param(
        codecs.BOM_UTF16_BE + front_matter().decode().encode("utf-16-be"), id="utf16-be-bom"
    ),
    pytest.param(front_matter().replace(b"\n", b"\r\n"), id="crlf"),
    pytest.param(front_matter().rstrip(b"\n"), id="no-final-newline"),
    pytest.param(
        b"---\ntitle: A title\npublishedDateTime: 2021-09-22T14:25:00Z\n---", id="close-at-eof"
    ),
]


@pytest.mark.parametrize("data", ENCODINGS)
def test_encodings(data: bytes) -> None:
    article = parsed(data)
    assert article.title == "A title"
    assert article.published_at == datetime(2021, 9, 22, 14, 25, tzinfo=UTC)
    # newsreader reads a byte-order mark; Jekyll sees no front matter after one (issue 19).
    bom = data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    assert [p.why.split(" (")[0] for p in article.problems] == (
        ["Jekyll sees no front matter in it"] if bom else []
    )


def test_mixed_line_endings() -> None:
    lines = front_matter().split(b"\n")
    data = b"".join(line + (b"\r\n" if i % 2 else b"\n") for i, line in enumerate(lines[:-1]))
    article = parsed(data)
    assert article.title == "A title"
    assert article.problems == ()


def test_latin1_bytes_read_as_windows_1252() -> None:
    data = '---\ntitle: "Café au lait prices soar"\n---\nCrème brûlée\n'.encode("latin-1")
    article = parsed(data)
    assert article.title == "Café au lait prices soar"
    assert any(p.field == "file" and "UTF-8" in p.why for p in article.problems)


def test_latin1_press_release() -> None:
    article = parsed("Café news\n\nDate: 2020-03-05\n\nBody é\n".encode("latin-1"))
    assert article.kind == "press"
    assert article.title == "Café news"


# -- large files -------------------------------------------------------------------------


def test_20_mb_body_after_small_front_matter(tmp_path: Path) -> None:
    path = tmp_path / "large.md"
    paragraph = b"Lorem ipsum dolor sit amet, the body goes on for twenty megabytes.\n" * 1000
    with open(path, "wb") as handle:
        handle.write(front_matter(title='"Twenty megabyte body"'))
        while handle.tell() < 20 * 1024 * 1024:
            handle.write(paragraph)
    article = parse_file(path, "large.md")
    assert isinstance(article, Article)
    assert article.title == "Twenty megabyte body"
    assert len(article.body) <= 1 << 20


def test_20_mb_press_release_is_cut(tmp_path: Path) -> None:
    path = tmp_path / "large.txt"
    with open(path, "wb") as handle:
        handle.write(b"A huge release\n\nDate: 2020-03-05\n\n")
        while handle.tell() < 20 * 1024 * 1024:
            handle.write("Paragraph with é and ’ characters.\n".encode() * 1000)
    article = parse_file(path, "large.txt")
    assert isinstance(article, Article)
    assert article.title == "A huge release"
    assert "body" in fields_with_problems(article)


def test_front_matter_of_2_5_mb_loads_all_5000_related(tmp_path: Path) -> None:
    items = "".join(
        f'\n  - title: "Syndicated copy number {i}"'
        f'\n    excerpt: "{"Coverage of the same story from another outlet. " * 6}"'
        f'\n    webUrl: "https://www.example.com/news/{i}-coverage"'
        f"\n    publishedDateTime: 2021-09-21T08:15:00Z"
        f"\n    provider:\n      name: Outlet {i}\n      domain: example.com"
        f"\n    quality: 44"
        for i in range(5000)
    )
    path = tmp_path / "many.md"
    path.write_bytes(front_matter("related:" + items, title='"Five thousand related links"'))
    assert path.stat().st_size > 2_000_000
    article = parse_file(path, "many.md")
    assert isinstance(article, Article)
    assert article.title == "Five thousand related links"
    assert len(article.related) == 5000
    assert article.related[4999].title == "Syndicated copy number 4999"
    assert article.related[4999].url == "https://www.example.com/news/4999-coverage"


def test_unclosed_front_matter_over_the_read_limit(tmp_path: Path) -> None:
    path = tmp_path / "unclosed-large.md"
    path.write_bytes(b"---\ntitle: T\n" + b"x: " + b"y" * (3 << 20) + b"\n")
    result = parse_file(path, "unclosed-large.md")
    assert isinstance(result, Problem) and result.field == "file"


# -- every string is clean ---------------------------------------------------------------


def string_fields(article: Article) -> list[tuple[str, str]]:
    """Every shown string of an article as (name, value); the body is separate."""
    out = []
    for f in dataclasses.fields(article):
        value = getattr(article, f.name)
        if f.name in ("id", "body", "problems"):
            continue
        if isinstance(value, str):
            out.append((f.name, value))
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                if isinstance(item, str):
                    out.append((f"{f.name}[{i}]", item))
                elif dataclasses.is_dataclass(item):
                    for sub in dataclasses.fields(item):
                        v = getattr(item, sub.name)
                        if isinstance(v, str):
                            out.append((f"{f.name}[{i}].{sub.name}", v))
    return out


def assert_clean(result: Article | Problem) -> None:
    """Every string of the result is plain text a terminal cannot act on."""
    assert isinstance(result, Article | Problem)
    if isinstance(result, Problem):
        assert result.field and result.why
        assert "\x1b" not in result.why and "\x00" not in result.why
        return
    for name, value in string_fields(result):
        assert not UNSAFE_LINE.search(value), (name, value)
        assert value == value.strip(), (name, value)
    assert not UNSAFE_BODY.search(result.body), result.body
    for problem in result.problems:
        assert "\x1b" not in problem.why, problem


HOSTILE_STRINGS = [
    pytest.param("\x1b[1;31mRED\x1b[0m", id="csi"),
    pytest.param("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", id="osc8"),
    pytest.param("\x1b]52;c;ZXZpbA==\x07x", id="osc52"),
    pytest.param("\x9b31mc1\x9b0m", id="c1-csi"),
    pytest.param("a\u202eb\u2066c", id="bidi"),
    pytest.param("a\x07b\x08c\x00d\x7fe", id="controls"),
    pytest.param("a\nb\r\nc\td\u2028e\x85f", id="line-breaks"),
    pytest.param("\ud83d lone surrogate", id="surrogate"),
    pytest.param("&#27;[31m&#x9b;0m", id="entities-to-controls"),
]


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
def test_every_field_cleaned(text: str) -> None:
    mapping = {
        "title": text,
        "excerpt": text,
        "publishedDateTime": text,
        "type": text,
        "webUrl": text,
        "originalUrl": text,
        "secured": text,
        "provider": {"name": text, "domain": text},
        "topics": [text, f"x{text}y"],
        "images": [{"url": text}],
        "related": [{"title": text, "excerpt": text, "webUrl": text, "provider": text}],
        "featuredContent": f'<iframe src="https://e.com/{text}">',
    }
    source = yaml.safe_dump(mapping, allow_unicode=False)  # controls become YAML escapes
    body = f"Body {text} end".encode("utf-8", "surrogatepass")
    result = parse_bytes(b"---\n" + source.encode() + b"---\n" + body, "x.md")
    if not re.search(r"[\ud800-\udfff]", text):  # libyaml refuses a `\uD83D` escape
        assert isinstance(result, Article), result
    assert_clean(result)


@pytest.mark.parametrize("text", HOSTILE_STRINGS)
def test_press_release_cleaned(text: str) -> None:
    data = f"{text} title\n\nTags: {text} / ML\n\nDate: {text}\n\n{text} body\n"
    assert_clean(parse_bytes(data.encode("utf-8", "surrogatepass"), "pr.txt"))


# -- property tests ----------------------------------------------------------------------

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
KEYS = st.sampled_from(
    [
        "title",
        "excerpt",
        "publishedDateTime",
        "published",
        "quality",
        "heat",
        "topics",
        "related",
        "images",
        "provider",
        "webUrl",
        "originalUrl",
        "type",
        "secured",
        "featuredContent",
        "name",
        "url",
        "domain",
    ]
)
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats()
    | st.text(max_size=40)
    | st.datetimes(timezones=st.none() | st.just(UTC))
    | st.dates()
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=4),
    max_leaves=20,
)


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_never_raise(data: bytes) -> None:
    assert_clean(parse_bytes(data, "fuzz.md"))


@FUZZ
@given(st.binary(max_size=4096))
def test_arbitrary_bytes_after_front_matter_marker_never_raise(data: bytes) -> None:
    assert_clean(parse_bytes(b"---\n" + data, "fuzz.md"))


@FUZZ
@given(st.text(max_size=2000))
def test_arbitrary_text_front_matter_never_raises(text: str) -> None:
    data = ("---\n" + text + "\n---\nbody\n").encode("utf-8", "surrogatepass")
    assert_clean(parse_bytes(data, "fuzz.md"))


@FUZZ
@given(st.dictionaries(KEYS, VALUES, max_size=8))
def test_arbitrary_yaml_mapping_never_raises(mapping: dict[str, Any]) -> None:
    source = yaml.safe_dump(mapping, allow_unicode=True)
    assert_clean(
        parse_bytes(("---\n" + source + "---\nbody\n").encode("utf-8", "surrogatepass"), "f")
    )


@FUZZ
@given(st.text(max_size=300), st.text(max_size=100), st.text(max_size=500))
def test_arbitrary_press_release_never_raises(title: str, date: str, body: str) -> None:
    data = f"{title}\n\nDate: {date}\n\n{body}".encode("utf-8", "surrogatepass")
    assert_clean(parse_bytes(data, "fuzz.txt"))


# -- the hostile corpus ------------------------------------------------------------------


def load_make_hostile() -> ModuleType | None:
    """The corpus generator, imported by path (None when ../shared is absent)."""
    if not HOSTILE_SCRIPT.exists():
        return None
    spec = importlib.util.spec_from_file_location("make_hostile", HOSTILE_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)  # dataclasses need the module registered
    spec.loader.exec_module(module)
    return module


MAKE_HOSTILE = load_make_hostile()


def _case_id(name: bytes) -> str:
    shown = MAKE_HOSTILE.encode_name(name) if MAKE_HOSTILE else repr(name)
    return shown if len(shown) <= 60 else shown[:57] + "..."


def _hostile_names() -> list[Any]:
    """One parameter per corpus entry, known at collection time from the generator."""
    if MAKE_HOSTILE is None:
        return [pytest.param(b"", id="hostile-corpus-absent")]
    params = []
    for case in MAKE_HOSTILE.build():
        name = os.fsencode(case.name)
        params.append(pytest.param(name, id=_case_id(name)))
    return params


@pytest.fixture(scope="module")
def manifest(hostile_dir: Path) -> dict[bytes, tuple[str, str]]:
    """cases.tsv of the generated corpus: name bytes -> (case, expectation)."""
    assert MAKE_HOSTILE is not None
    rows = MAKE_HOSTILE.read_manifest(hostile_dir / "cases.tsv")
    return {name: (case, expect) for name, case, expect in rows}


def library_view(root: Path, db_path: Path) -> dict[str, Any]:
    """A folder through Library + refresh + query: what the reader lists and reports."""
    before = sorted(os.listdir(root))
    lib = Library(root, db_path)
    try:
        result = lib.refresh()
        view = {
            "articles": {item[0].id: item[0] for item in query.articles(lib)},
            "rows": {r.id: r for r in query.rows(lib)},
            "problems": lib.problems(),
            "result": result,
        }
    finally:
        lib.close()
    assert sorted(os.listdir(root)) == before, "the refresh wrote into the folder"
    return view


@pytest.fixture(scope="module")
def hostile_library(hostile_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The corpus through the Library, once per module."""
    return library_view(hostile_dir, tmp_path_factory.mktemp("hostile-db") / "decisions.db")


def expected_value(article: Article, field: str) -> Any:
    """The shown value of a manifest FIELD; None, '' or () when unset."""
    if match := re.fullmatch(r"(related|images)\[(\d+)\](?:\.(\w+))?", field):
        items = article.related if match[1] == "related" else article.images
        index = int(match[2])
        if index >= len(items):
            return None
        item = items[index]
        if match[1] == "images":
            return item
        return {"title": item.title, "webUrl": item.url}[match[3]]  # type: ignore[union-attr]
    if field == "date":
        return article.published_at.date().isoformat() if article.published_at else None
    if field == "published":
        return {True: "true", False: "false", None: "unset"}[article.file_published]
    if field == "quality":
        return None if article.quality is None else f"{article.quality:g}"
    if field == "tags":
        assert article.kind == "press", "tags belong to press releases"
        return ", ".join(article.topics)
    if field == "file":
        return escape_name(article.id)
    return {
        "title": article.title,
        "excerpt": article.excerpt,
        "provider.name": article.provider,
        "topics": ", ".join(article.topics),
        "webUrl": article.web_url,
        "originalUrl": article.original_url,
    }[field]


CLASSES = {
    "ESC": "\x1b",
    "BEL": "\x07",
    "BS": "\x08",
    "CR": "\r",
    "LF": "\n",
    "TAB": "\t",
    "NUL": "\x00",
    "C0": "".join(map(chr, range(0x20))),
    "C1": "".join(map(chr, range(0x80, 0xA0))),
    "BIDI": "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    "LINEBREAK": "\n\r\x0b\x0c\x85\u2028\u2029",
    "SURROGATE": "".join(map(chr, range(0xD800, 0xE000))),
}
FIELD = r"(?P<field>[A-Za-z.]+(?:\[\d+\](?:\.\w+)?)?)"


def check(article: Article, text: str) -> None:
    """Assert one manifest CHECK on an article (see the corpus README)."""
    if m := re.fullmatch(FIELD + r" (?P<op>contains|starts with|lacks) (?P<arg>.*)", text):
        value = expected_value(article, m["field"])
        assert isinstance(value, str), (text, value)
        ok = {
            "contains": m["arg"] in value,
            "starts with": value.startswith(m["arg"]),
            "lacks": m["arg"] not in value,
        }[m["op"]]
        assert ok, f"{text!r}: shown {value!r}"
    elif m := re.fullmatch(FIELD + r" has no (?P<cls>[A-Z0-9]+)", text):
        value = expected_value(article, m["field"])
        found = [c for c in str(value or "") if c in CLASSES[m["cls"]]]
        assert not found, f"{text!r}: shown {value!r}"
    elif m := re.fullmatch(FIELD + r" (?P<op>unset|is text|openable|not openable)", text):
        value = expected_value(article, m["field"])
        if m["op"] == "unset":
            assert value in (None, "", "unset"), f"{text!r}: shown {value!r}"
        elif m["op"] == "is text":
            assert isinstance(value, str) and value, f"{text!r}: shown {value!r}"
        else:
            assert is_openable(value or "") is (m["op"] == "openable"), f"{text!r}: {value!r}"
    elif m := re.fullmatch(FIELD + r"=(?P<arg>.*)", text):
        value = expected_value(article, m["field"])
        assert value == m["arg"], f"{text!r}: shown {value!r}"
    else:
        raise AssertionError(f"unknown check {text!r}")


def parse_expectation(expectation: str) -> tuple[str, list[str]]:
    """`KIND[: CHECK; CHECK ...][ # note]` -> (KIND, [CHECK, ...])."""
    head = expectation.split(" # ", 1)[0].strip()
    kind, _, checks = head.partition(":")
    separator = MAKE_HOSTILE.CHECK_SEP if MAKE_HOSTILE else "; "
    return kind.strip(), [c.strip() for c in checks.split(separator) if c.strip()]


@pytest.mark.parametrize("name", _hostile_names())
def test_hostile_corpus_entry(
    name: bytes,
    hostile_dir: Path,
    manifest: dict[bytes, tuple[str, str]],
    hostile_library: dict[str, Any],
    tmp_path: Path,
) -> None:
    if name not in manifest:
        pytest.skip("this file system refused the entry, so the manifest leaves it out")
    case, expectation = manifest[name]
    kind, checks = parse_expectation(expectation)
    article_id = os.fsdecode(name)
    path = hostile_dir / article_id
    found, skipped = walk(hostile_dir)
    walked = {stat.id for stat in found}
    view = hostile_library
    listed = view["articles"]

    if kind == "skip":
        assert article_id not in listed, f"{case}: listed as an article"
        assert article_id not in view["rows"]
        if os.path.islink(path):
            assert article_id not in walked, "a symlink is never followed"
            if is_candidate(article_id):
                assert any(p.path == article_id for p in skipped), "a symlink is reported"
        elif path.is_dir():
            assert article_id not in walked
        elif article_id.startswith(".") or not is_candidate(article_id):
            assert article_id not in walked, "hidden, swap and non-article names are ignored"
        else:
            assert article_id in walked
            result = parse_file(path, article_id)
            assert isinstance(result, Problem), f"{case}: parsed as an article"
            assert result.field == "file" and result.path == article_id
        return

    assert article_id in walked, f"{case}: not found by walk"
    result = parse_file(path, article_id)
    if kind == "problem":
        assert isinstance(result, Problem), f"{case}: loaded, but it should be refused"
        assert result.field == "file" and result.path == article_id
        assert article_id not in listed
        assert any(p.path == article_id and p.field == "file" for p in view["problems"]), (
            "the library reports it"
        )
        if case == "yaml-python-tag":
            assert not os.path.exists(MAKE_HOSTILE.PWNED_MARKER)  # type: ignore[union-attr]
        return

    assert kind == "loads", expectation
    assert isinstance(result, Article), f"{case}: {result}"
    assert_clean(result)
    assert article_id in listed, f"{case}: not listed by query.articles"
    assert listed[article_id] == result, "the index gives back what the parser read"
    for text in checks:
        check(result, text)


def test_hostile_corpus_every_entry_accounted_for(
    manifest: dict[bytes, tuple[str, str]], hostile_library: dict[str, Any]
) -> None:
    """Every loads row is listed, nothing else is, and every problem row is reported."""
    loads = {os.fsdecode(n) for n, (_, e) in manifest.items() if e.startswith("loads")}
    problem = {os.fsdecode(n) for n, (_, e) in manifest.items() if e.startswith("problem")}
    assert set(hostile_library["articles"]) == loads
    reported = {p.path for p in hostile_library["problems"] if p.field == "file"}
    assert problem <= reported
    result = hostile_library["result"]
    assert result.unchanged == 0 and not result.changed and not result.removed


def test_hostile_corpus_pwned_marker_absent(hostile_library: dict[str, Any]) -> None:
    assert MAKE_HOSTILE is not None
    assert not os.path.exists(MAKE_HOSTILE.PWNED_MARKER)
    assert os.path.dirname(MAKE_HOSTILE.PWNED_MARKER) == tempfile.gettempdir()


CHECKER = [
    # check, whether it holds on SAMPLE
    pytest.param("title=Owkin’s model", True, id="equals"),
    pytest.param("title=Owkin", False, id="equals-wrong"),
    pytest.param("title contains model", True, id="contains"),
    pytest.param("title contains MODEL", False, id="contains-wrong"),
    pytest.param("title starts with Owkin", True, id="starts-with"),
    pytest.param("title lacks â€", True, id="lacks"),
    pytest.param("title lacks model", False, id="lacks-wrong"),
    pytest.param("excerpt has no ESC", True, id="has-no"),
    pytest.param("file has no LF", True, id="has-no-escaped-name"),
    pytest.param("provider.name has no BIDI", False, id="has-no-wrong"),
    pytest.param("date=2021-09-22", True, id="date"),
    pytest.param("date=2021-09-23", False, id="date-wrong"),
    pytest.param("quality=-12", True, id="quality"),
    pytest.param("published=false", True, id="published"),
    pytest.param("published=unset", False, id="published-wrong"),
    pytest.param("excerpt unset", True, id="unset"),
    pytest.param("title unset", False, id="unset-wrong"),
    pytest.param("title is text", True, id="is-text"),
    pytest.param("excerpt is text", False, id="is-text-wrong"),
    pytest.param("webUrl openable", True, id="openable"),
    pytest.param("originalUrl not openable", True, id="not-openable"),
    pytest.param("webUrl not openable", False, id="not-openable-wrong"),
    pytest.param("related[0].title=Other outlet", True, id="related-title"),
    pytest.param("related[1].title=Other outlet", False, id="related-missing"),
    pytest.param("topics=AI, ML", True, id="topics-joined"),
    pytest.param("file=two\\x0alines.md", True, id="file-escaped"),
]
SAMPLE = Article(
    id="two\nlines.md",
    title="Owkin’s model",
    provider="fdp\u202eexe",
    published_at=datetime(2021, 9, 22, 23, 59, tzinfo=UTC),
    quality=-12,
    topics=("AI", "ML"),
    web_url="https://example.com/a",
    original_url="javascript:alert(1)",
    related=(RelatedLink(title="Other outlet"),),
    file_published=False,
    has_published_key=True,
)


@pytest.mark.parametrize(("text", "holds"), CHECKER)
def test_manifest_checker_itself(text: str, holds: bool) -> None:
    """The checker fails a wrong value, so a passing corpus row means something."""
    if holds:
        check(SAMPLE, text)
    else:
        with pytest.raises(AssertionError):
            check(SAMPLE, text)


def test_manifest_expectation_grammar() -> None:
    assert parse_expectation("skip # a note; with: colons") == ("skip", [])
    assert parse_expectation("problem") == ("problem", [])
    assert parse_expectation("loads: title=A: b; date unset # note") == (
        "loads",
        ["title=A: b", "date unset"],
    )

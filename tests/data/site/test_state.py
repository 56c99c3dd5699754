"""reader.data.site.state: what Jekyll does with one article, and the line that changes it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from reader.data.site.config import Collection, DefaultSet, SiteRules
from reader.data.site.frontmatter import JekyllFile, read_as_jekyll
from reader.data.site.state import blocked_by, effective_state, value_to_write

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
NEWS = {"news": Collection("news", output=True)}
FALSE_DEFAULT = (DefaultSet(0, "_news", None, {"published": False}),)


def site(**kw: Any) -> SiteRules:
    """A site with a `news` collection that has output, in UTC, changed by KW."""
    values: dict[str, Any] = {"collections": NEWS, "timezone": "UTC", **kw}
    return SiteRules(Path("/site"), Path("/site/_config.yml"), **values)


def state(rules: SiteRules, front: Any, rel: str = "_news/a.md") -> tuple[bool, bool, str]:
    """(listed, written, because) of REL with FRONT at NOW."""
    got = effective_state(rules, rel, front, NOW)
    return got.listed, got.written, got.because


CASES = [
    # (rules, front matter, path, listed, written, words in `because`)
    (site(), {"title": "x"}, "_news/a.md", True, True, "no published: key and no default"),
    (site(), {"published": True}, "_news/a.md", True, True, "published: true in the file"),
    (site(), {"published": False}, "_news/a.md", False, False, "published: false in the file"),
    (site(), {"published": "false"}, "_news/a.md", True, True, 'published: "false" in the file'),
    (site(), {"published": None}, "_news/a.md", True, False, "dead link"),
    (site(defaults=FALSE_DEFAULT), {}, "_news/a.md", False, False, 'defaults[0] (path "_news")'),
    (site(defaults=FALSE_DEFAULT), {"published": True}, "_news/a.md", True, True, "in the file"),
    (site(defaults=FALSE_DEFAULT), {"published": None}, "_news/a.md", False, False, "defaults[0]"),
    (site(), {"date": datetime(2099, 1, 1)}, "_news/a.md", True, False, "in the future"),
    (site(), {}, "_news/2099-01-01-a.md", True, False, "the file name's date 2099-01-01"),
    (site(), {"date": "2001-01-01"}, "_news/2099-01-01-a.md", True, True, "no published: key"),
    (site(), {"publishedDateTime": datetime(2099, 1, 1)}, "_news/a.md", True, True, "no published"),
    (site(future=True), {"date": datetime(2099, 1, 1)}, "_news/a.md", True, True, "live"),
    (site(unpublished=True), {"published": False}, "_news/a.md", True, True, "unpublished: true"),
    (
        site(collections={"news": Collection("news", False)}),
        {},
        "_news/a.md",
        True,
        False,
        "output is not true",
    ),
    (
        site(collections={"news": Collection("news", True, True)}),
        {"date": "2099-01-01"},
        "_news/a.md",
        True,
        False,
        "future is not read by Jekyll 4.3",
    ),
    (site(), {}, "_news/_draft.md", False, False, "Jekyll skips it"),
    (site(), {}, "_other/a.md", False, False, "no `other` collection"),
    (site(), {"published": False}, "pages/a.md", False, False, "a page"),
    (
        site(defaults=(DefaultSet(0, "pages", None, {"published": False}),)),
        {},
        "pages/a.md",
        False,
        True,
        "a page",
    ),
    (site(), {"date": datetime(2099, 1, 1)}, "pages/a.md", False, True, "a page"),
]


@pytest.mark.parametrize(("rules", "front", "rel", "listed", "written", "words"), CASES)
def test_effective_state(
    rules: SiteRules, front: Any, rel: str, listed: bool, written: bool, words: str
) -> None:
    """Each rule that decides, named in `because`."""
    got = state(rules, front, rel)
    assert got[:2] == (listed, written), got
    assert words in got[2]


def test_a_yaml_error_jekyll_skips_past_leaves_the_defaults() -> None:
    """Jekyll logs the error and keeps the document with only the defaults."""
    broken = JekyllFile.failed("invalid YAML at line 2")
    assert state(site(), broken)[:2] == (True, True)
    assert "skips past it" in state(site(), broken)[2]
    assert state(site(defaults=FALSE_DEFAULT), broken)[:2] == (False, False)
    assert "file name's date" not in state(site(), broken, "_news/2099-01-01-a.md")[2]


def test_strict_front_matter_stops_the_build() -> None:
    """With strict_front_matter, a YAML error stops the whole build."""
    got = effective_state(site(strict_front_matter=True), "_news/a.md", JekyllFile.failed("x"), NOW)
    assert got.stops_build and not got.written
    assert "strict_front_matter" in got.because
    fine = effective_state(site(strict_front_matter=True), "_news/a.md", {}, NOW)
    assert not fine.stops_build and fine.written


@pytest.mark.parametrize(
    ("front", "rel"),
    [({"date": "not a date"}, "_news/a.md"), ({}, "_news/2024-13-45-a.md")],
)
def test_an_unreadable_date_stops_the_build(front: dict[str, Any], rel: str) -> None:
    """Jekyll raises on a date it cannot parse, whatever `published:` says."""
    assert effective_state(site(), rel, {**front, "published": False}, NOW).stops_build


def test_markdown_that_is_not_utf8_stops_the_build_only_when_listed() -> None:
    """Jekyll converts listed documents only."""
    latin1 = read_as_jekyll(b"---\ntitle: caf\xe9\n---\n")
    assert effective_state(site(), "_news/a.md", latin1, NOW).stops_build
    assert not effective_state(site(), "_news/a.html", latin1, NOW).stops_build
    assert not effective_state(site(defaults=FALSE_DEFAULT), "_news/a.md", latin1, NOW).stops_build


def test_static_files() -> None:
    """No front matter: copied as it is, unless a default scoped by its URL unpublishes it."""
    cr_only = read_as_jekyll(b"---\rtitle: x\r---\r")
    got = effective_state(site(), "_news/a.md", cr_only, NOW)
    assert (got.kind, got.listed, got.written, got.copied) == ("static", False, False, True)
    assert "CR only" in got.because
    by_path = effective_state(site(defaults=FALSE_DEFAULT), "_news/a.md", cr_only, NOW)
    assert by_path.copied  # the scope `_news` does not match its URL path `news/a.md`
    by_url = (DefaultSet(0, "news", None, {"published": False}),)
    assert not effective_state(site(defaults=by_url), "_news/a.md", cr_only, NOW).copied


def test_the_configs_time_stands_in_for_the_clock() -> None:
    """`time:` in _config.yml decides what is in the future."""
    rules = site(time=datetime(2100, 1, 1))
    assert effective_state(rules, "_news/a.md", {"date": datetime(2099, 1, 1)}, NOW).written


def test_collections_dir() -> None:
    """Collections under `collections_dir` are found there."""
    rules = site(collections_dir="coll")
    assert effective_state(rules, "coll/_news/a.md", {}, NOW).kind == "document"


WRITES = [
    # (rules, front matter, publish, value to write)
    (site(defaults=FALSE_DEFAULT), {}, True, True),  # never rely on a default it lacks
    (site(defaults=FALSE_DEFAULT), {}, False, None),
    (site(), {}, True, None),
    (site(), {}, False, False),
    (site(), {"published": "false"}, False, False),
    (site(), {"published": None}, True, True),
    (site(), {"published": None}, False, False),
    (site(), {"published": False}, False, None),
    (site(), {"published": True}, True, None),
    (site(defaults=(DefaultSet(0, "", None, {"published": True}),)), {}, True, None),
]


@pytest.mark.parametrize(("rules", "front", "publish", "value"), WRITES)
def test_value_to_write(rules: SiteRules, front: dict[str, Any], publish: bool, value: Any) -> None:
    """The line to write so the file does what the editor decided, or None."""
    assert value_to_write(rules, "_news/a.md", front, publish, NOW) is value
    assert blocked_by(rules, "_news/a.md", front, publish, NOW) is None


@pytest.mark.parametrize(
    ("rules", "front", "publish", "words"),
    [
        (site(), {"date": datetime(2099, 1, 1)}, True, "in the future"),
        (site(unpublished=True), {}, False, "unpublished: true"),
        (site(collections={"news": Collection("news", False)}), {}, True, "output is not true"),
        (site(), read_as_jekyll(b"---\rx: 1\r---\r"), True, "CR only"),
        (site(), read_as_jekyll(b"---\rx: 1\r---\r"), False, "copied as it is"),
        (site(defaults=FALSE_DEFAULT), read_as_jekyll(b"---\nx: 1\n"), True, "closed by no"),
        (site(), JekyllFile.failed("invalid YAML"), False, "skips past it"),
    ],
)
def test_what_no_published_line_can_do(
    rules: SiteRules, front: Any, publish: bool, words: str
) -> None:
    """blocked_by names why the wanted state is out of reach of a `published:` line."""
    why = blocked_by(rules, "_news/a.md", front, publish, NOW)
    assert why is not None and words in why

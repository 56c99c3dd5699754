"""The site wired into the data layer: the parser's Jekyll reading, what the index keeps, the
Library's site and states, the live-without-a-decision filter, and the planner's lines."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from reader.config import load_settings
from reader.data import query
from reader.data.article import Article, Decision, Problem
from reader.data.files import parse
from reader.data.files.jekyll import JekyllFile, from_record, read_as_jekyll, to_record
from reader.data.library import Library
from reader.data.query import Filter

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
CONFIG = """\
timezone: UTC
collections:
  news:
    output: true
defaults:
  - scope: {path: "_news"}
    values: {published: false}
"""
FM = "---\ntitle: {title}\npublishedDateTime: 2024-01-01T00:00:00Z\n{extra}---\nBody.\n"


def fm(title: str, extra: str = "") -> bytes:
    """A front-matter article titled TITLE with EXTRA lines."""
    return FM.format(title=title, extra=extra).encode()


FILES = {
    "nokey.md": fm("No key"),
    "true.md": fm("Own true", "published: true\n"),
    "false.md": fm("Own false", "published: false\n"),
    "future.md": fm("Future", "published: true\ndate: 2099-01-01\n"),
    "release.txt": b"A release\nDate: 2024-01-01\nTags: a / b\n\nBody.\n",
}


def make_site(root: Path, config: str = CONFIG) -> Path:
    """A site at ROOT with FILES in its `_news` folder; returns the article folder."""
    (root / "_news").mkdir(parents=True)
    if config:
        (root / "_config.yml").write_text(config)
    for name, data in FILES.items():
        (root / "_news" / name).write_bytes(data)
    return root / "_news"


@pytest.fixture
def lib(tmp_path: Path) -> Iterator[Library]:
    library = Library(make_site(tmp_path / "site"), tmp_path / "db" / "d.db", clock=lambda: NOW)
    library.refresh()
    yield library
    library.close()


# -- the parser reads front matter as Jekyll does -----------------------------------------


def test_a_front_matter_closed_by_dots_is_read() -> None:
    got = parse.parse_bytes(b"---\ntitle: Dots\npublished: false\n...\nBody.\n", "x.md")
    assert isinstance(got, Article)
    assert (got.title, got.file_published) == ("Dots", False)


@pytest.mark.parametrize(
    ("data", "cause"),
    [
        (b"---\rtitle: x\rdate: 2024-01-01\r---\rBody.\r", "old Mac line endings (CR only)"),
        ("---\ntitle: x\n---\nBody.\n".encode("utf-16-le"), "UTF-16 text without a byte-order"),
        ("---\ntitle: x\n---\nBody.\n".encode("utf-16-be"), "UTF-16 text without a byte-order"),
        (b"\n---\ntitle: x\ndate: 2024-01-01\n---\nBody.\n", "blank lines or spaces before"),
        (b"x---\ntitle: x\ndate: 2024-01-01\n---\nBody.\n", "stray characters before"),
    ],
)
def test_front_matter_jekyll_would_not_see_is_a_problem_with_its_cause(
    data: bytes, cause: str
) -> None:
    """Not a press release titled `---`, not "binary data": the file and what is wrong."""
    got = parse.parse_bytes(data, "x.md")
    assert isinstance(got, Problem), got
    assert got.path == "x.md" and "front matter that Jekyll does not see" in got.why
    assert cause in got.why


def test_a_press_release_stays_an_article() -> None:
    got = parse.parse_bytes(FILES["release.txt"], "r.txt")
    assert isinstance(got, Article) and got.kind == "press" and got.problems == ()


def test_a_boolean_in_any_case_is_read_as_jekylls_yaml_reads_it() -> None:
    got = parse.parse_bytes(fm("Mixed", "published: fAlSe\n"), "x.md")
    assert isinstance(got, Article) and got.file_published is False
    assert [p.field for p in got.problems] == ["published"]


def test_what_only_psych_refuses_is_named() -> None:
    got = parse.parse_bytes(fm(":-) smile"), "x.md")
    assert isinstance(got, Article)
    assert any("Jekyll cannot read this front matter" in p.why for p in got.problems)


# -- what the index keeps -----------------------------------------------------------------


@pytest.mark.parametrize(
    "file",
    [
        JekyllFile(True),
        JekyllFile(True, {"published": False, "date": date(2099, 1, 1)}),
        JekyllFile(True, {"published": "false", "date": datetime(2024, 1, 2, 3, 4, tzinfo=UTC)}),
        JekyllFile(True, {"published": None, "date": "2024-01-01 10:00"}),
        JekyllFile(False, why_static="old Mac line endings (CR only)"),
        JekyllFile(True, error="invalid YAML", not_utf8=True),
        JekyllFile(True, unclosed=True),
    ],
)
def test_the_record_keeps_what_the_rules_read(file: JekyllFile) -> None:
    assert from_record(to_record(file)) == file


def test_the_record_leaves_out_the_other_fields() -> None:
    file = read_as_jekyll(fm("x", "published: true\n"))
    assert from_record(to_record(file)).data == {"published": True}


def test_the_index_keeps_each_files_jekyll_record(lib: Library) -> None:
    kept = {i: from_record(r) for i, _, r in lib.index.jekyll_records()}
    assert kept["future.md"].data == {"published": True, "date": date(2099, 1, 1)}
    assert kept["true.md"].data == {"published": True}
    assert not kept["release.txt"].has_front_matter


# -- the Library's site -------------------------------------------------------------------


def test_the_nearest_config_above_is_the_site(lib: Library, tmp_path: Path) -> None:
    assert lib.site().found
    assert lib.site().summary == f"site: {tmp_path / 'site' / '_config.yml'}"


def test_no_site_is_said(tmp_path: Path) -> None:
    library = Library(make_site(tmp_path / "bare", config=""), tmp_path / "d.db")
    try:
        library.refresh()
        assert library.site().summary.startswith("no site found: no _config.yml in")
        # Today's reading: no key is live, the file's own false is not.
        states = library.site_states()
        assert states["nokey.md"].live and not states["false.md"].live
        assert "no site found" in states["nokey.md"].because
    finally:
        library.close()


def test_an_explicit_site_and_a_folder_outside_it(tmp_path: Path) -> None:
    folder = make_site(tmp_path / "site")
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "_config.yml").write_text("future: true\n")
    library = Library(folder, tmp_path / "d.db", site=tmp_path / "other")
    try:
        assert not library.site().found
        assert "is not inside the site's folder" in library.site().problem
    finally:
        library.close()
    library = Library(folder, tmp_path / "d.db", site=tmp_path / "site" / "_config.yml")
    try:
        assert library.site().found
    finally:
        library.close()


def test_states_follow_the_sites_rules(lib: Library) -> None:
    states = lib.site_states()
    assert not states["nokey.md"].live and "defaults[0]" in states["nokey.md"].because
    assert states["true.md"].live
    assert states["future.md"].listed and not states["future.md"].live
    assert states["release.txt"].kind == "static" and not states["release.txt"].live
    assert lib.site_state("true.md") == states["true.md"]
    assert lib.site_state("nope.md") is None


def test_a_changed_config_is_read_again_without_reading_an_article(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert not lib.site_states()["nokey.md"].live
    assert lib.reload_site() is False  # nothing changed: nothing read

    def no_parse(*_: object) -> None:
        raise AssertionError("an article was parsed again")

    monkeypatch.setattr(parse, "parse_for_index", no_parse)
    config = lib.site().config_path
    assert config is not None
    config.write_text(CONFIG.replace("published: false", "layout: x") + "# changed\n")
    assert lib.reload_site() is True
    assert lib.site_states()["nokey.md"].live
    lib.refresh()  # a refresh notices the config too (and parses nothing here)


def test_live_without_a_decision_is_counted_and_filtered(lib: Library) -> None:
    # true.md is live by its own key, and nobody decided it.
    assert query.live_undecided(lib) == ["true.md"]
    rows = query.rows(lib, Filter(live_undecided=True))
    assert [r.id for r in rows] == ["true.md"]
    lib.decide(["true.md"], Decision.PUBLISHED)
    assert query.live_undecided(lib) == []
    assert query.rows(lib, Filter(live_undecided=True)) == []
    assert query.providers(lib, Filter(live_undecided=True)) == []


# -- the planner writes what the site needs -----------------------------------------------


def test_publish_under_a_false_default_writes_true(lib: Library) -> None:
    lib.decide(["nokey.md"], Decision.PUBLISHED)
    lib.decide(["false.md"], Decision.SKIPPED)  # off the site already: nothing to write
    found = lib.plan_apply()
    assert [(e.id, e.summary) for e in found.edits] == [("nokey.md", "added published: true")]
    assert found.skipped == []
    lib.apply(found.edits)
    assert lib.site_states()["nokey.md"].live


def test_skip_under_a_false_default_writes_nothing(lib: Library) -> None:
    lib.decide(["nokey.md"], Decision.SKIPPED)
    assert lib.plan_apply().edits == []


def test_no_line_can_reach_the_decision(lib: Library) -> None:
    lib.decide(["future.md"], Decision.PUBLISHED)
    found = lib.plan_apply()
    assert found.edits == []
    ((item),) = found.skipped
    assert (item.id, item.code) == ("future.md", "site")
    assert item.why.startswith("no published: line puts it on the site: date: 2099-01-01")


def test_without_a_site_the_plan_is_as_before(tmp_path: Path) -> None:
    library = Library(make_site(tmp_path / "bare", config=""), tmp_path / "d.db")
    try:
        library.refresh()
        library.decide(["nokey.md"], Decision.SKIPPED)
        library.decide(["future.md"], Decision.PUBLISHED)  # its date is not weighed, as before
        found = library.plan_apply()
        assert [(e.id, e.summary) for e in found.edits] == [("nokey.md", "added published: false")]
        assert found.skipped == []
    finally:
        library.close()


# -- the config's `site:` -----------------------------------------------------------------


def test_the_site_setting(tmp_path: Path) -> None:
    make_site(tmp_path / "site")
    config = tmp_path / "config.yaml"
    config.write_text(f"site: {tmp_path / 'site'}\n")
    settings, warnings = load_settings(config)
    assert settings.site == tmp_path / "site" and warnings == []
    config.write_text(f"site: {tmp_path / 'nowhere'}\n")
    settings, warnings = load_settings(config)
    assert settings.site is None
    assert warnings == [
        f"{config}: site must name a Jekyll site's _config.yml or its folder: "
        f"{tmp_path / 'nowhere'} does not exist; using the default"
    ]


def test_a_future_date_that_comes_is_live_within_a_minute_without_a_refresh(
    tmp_path: Path,
) -> None:
    from reader.data.site.config import load_site
    from reader.data.site.live import SiteStates, lookup_for

    site = tmp_path / "site"
    (site / "_news").mkdir(parents=True)
    (site / "_config.yml").write_text("collections:\n  news:\n    output: true\n")
    (site / "_news" / "soon.md").write_text(
        "---\ntitle: Soon\ndate: 2030-01-01 12:00:00 +0000\n---\n"
    )
    assert load_site(site / "_config.yml").rules is not None
    states = SiteStates(lookup_for(site / "_news", None), site / "_news")
    record = to_record(read_as_jekyll((site / "_news" / "soon.md").read_bytes()))
    before = datetime(2030, 1, 1, 11, 59, 30, tzinfo=UTC)
    assert not states.state("soon.md", record, before).live  # a date in the future
    assert not states.state("soon.md", record, before + timedelta(seconds=40)).live  # cached
    assert states.state("soon.md", record, before + timedelta(minutes=2)).live  # it came

"""reader.data.site.config: finding the site's _config.yml and reading its rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader.data.site.config import find_config, find_site, load_site, truthy


def write(path: Path, text: str | bytes) -> Path:
    """Write TEXT to PATH (folders made), returning PATH."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return path


def test_nearest_config_above_the_folder(tmp_path: Path) -> None:
    """The nearest `_config.yml` at or above the article folder is the site's."""
    write(tmp_path / "_config.yml", "future: true\n")
    inner = write(tmp_path / "site" / "_config.yml", "future: false\n")
    (tmp_path / "site" / "_news" / "deep").mkdir(parents=True)
    assert find_config(tmp_path / "site" / "_news" / "deep") == inner.resolve()
    lookup = find_site(tmp_path / "site" / "_news")
    assert lookup.found and lookup.rules is not None and lookup.rules.future is False
    assert lookup.rules.root == inner.parent.resolve()


def test_the_search_stops_at_a_git_work_tree_top(tmp_path: Path) -> None:
    """A config above the repository holding the articles is not the site's."""
    write(tmp_path / "_config.yml", "future: true\n")
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    (tmp_path / "repo" / "_news").mkdir()
    lookup = find_site(tmp_path / "repo" / "_news")
    assert not lookup.found
    assert lookup.summary.startswith("no site found: no _config.yml in ")


def test_no_site_found(tmp_path: Path) -> None:
    """No config anywhere: no rules, and a summary that says so."""
    (tmp_path / ".git").mkdir()
    lookup = find_site(tmp_path)
    assert lookup.rules is None and lookup.config_path is None
    assert "no site found" in lookup.summary


def test_an_explicit_site(tmp_path: Path) -> None:
    """A `site:` key names the config file or its folder; a missing one is said to be."""
    config = write(tmp_path / "elsewhere" / "_config.yml", "unpublished: true\n")
    for given in (config, config.parent):
        lookup = find_site(tmp_path, explicit=given)
        assert lookup.rules is not None and lookup.rules.unpublished
    missing = find_site(tmp_path, explicit=tmp_path / "nope.yml")
    assert missing.summary == f"site config unreadable: {tmp_path / 'nope.yml'}: no such file"


@pytest.mark.parametrize(
    ("content", "why"),
    [
        ("defaults: [\n", "invalid YAML at line 2"),
        ("title: :sym\n", "Tried to load unspecified class: Symbol"),
        ("- a\n- b\n", "a list, not a mapping; Jekyll ignores it"),
        ("collections: 3\n", "`collections` must be a mapping or a list"),
        ("defaults:\n  - scope: 3\n    values: {a: 1}\n", "defaults[0].scope is not a mapping"),
        (b"title: caf\xe9\n", "not UTF-8"),
    ],
)
def test_an_unreadable_config(tmp_path: Path, content: str | bytes, why: str) -> None:
    """Each way a config can be bad is named, with the file, and nothing is raised."""
    path = write(tmp_path / "_config.yml", content)
    lookup = load_site(path)
    assert lookup.rules is None and lookup.config_path == path
    assert why in lookup.problem
    assert lookup.summary.startswith(f"site config unreadable: {path}: ")


def test_an_empty_config_is_a_site_with_jekylls_defaults(tmp_path: Path) -> None:
    """An empty `_config.yml` is a site: future, unpublished and strict all off."""
    rules = load_site(write(tmp_path / "_config.yml", "")).rules
    assert rules is not None
    assert (rules.future, rules.unpublished, rules.strict_front_matter) == (False, False, False)
    assert rules.defaults == () and rules.collections == {}


def test_the_rules_read(tmp_path: Path) -> None:
    """Every setting the state depends on, as Jekyll reads it (Ruby truth included)."""
    text = """\
future: "false"
unpublished: FALSE
strict_front_matter: yes
timezone: Europe/Paris
collections_dir: /coll/
collections:
  news: {output: true, future: true}
  notes:
defaults:
  - values: {layout: x}
  - scope: {path: _news, type: post}
    values: {published: false}
  - "not a set"
"""
    rules = load_site(write(tmp_path / "_config.yml", text)).rules
    assert rules is not None
    assert rules.future is True  # the string "false" is true to Ruby
    assert rules.unpublished is False and rules.strict_front_matter is True
    assert rules.timezone == "Europe/Paris" and rules.collections_dir == "coll"
    assert rules.collections["news"].output and rules.collections["news"].future is True
    assert not rules.collections["notes"].output
    assert [(d.index, d.path, d.type) for d in rules.defaults] == [
        (0, "", None),
        (1, "_news", "posts"),
    ]
    assert rules.warnings == ("defaults[2] is not a set with `values`: Jekyll ignores it",)


def test_collections_as_a_list(tmp_path: Path) -> None:
    """`collections: [news]` makes a collection with no output."""
    rules = load_site(write(tmp_path / "_config.yml", "collections: [news]\n")).rules
    assert rules is not None and not rules.collections["news"].output


@pytest.mark.parametrize(
    ("value", "truth"), [(None, False), (False, False), (True, True), ("false", True), (0, True)]
)
def test_ruby_truth(value: object, truth: bool) -> None:
    """Only nil and false are false."""
    assert truthy(value) is truth

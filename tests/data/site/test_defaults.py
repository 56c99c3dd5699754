"""reader.data.site.defaults: scopes and their merge, as frontmatter_defaults.rb does it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from reader.data.site.config import DefaultSet, SiteRules
from reader.data.site.defaults import deep_merge, matching_sets, merged_defaults


def rules(tmp_path: Path, *sets: tuple[str, str | None, dict[str, Any]], **kw: Any) -> SiteRules:
    """Rules holding default SETS of (scope path, scope type, values)."""
    defaults = tuple(DefaultSet(i, p, t, v) for i, (p, t, v) in enumerate(sets))
    return SiteRules(tmp_path, tmp_path / "_config.yml", defaults=defaults, **kw)


F, T = {"published": False}, {"published": True}

SCOPES = [
    # (sets, path, type, published wanted, set that decided)
    ([("_news", None, F)], "_news/a.md", "news", False, 0),
    ([("_news", None, F)], "_newsletter/a.md", "newsletter", False, 0),  # a string prefix
    ([("_news/", None, F)], "_news/a.md", "news", False, 0),
    ([("/_news", None, F)], "_news/a.md", "news", None, None),  # a leading slash: no match
    ([("", "news", F)], "_news/a.md", "news", False, 0),
    ([("", "news", F)], "x/a.md", "pages", None, None),
    ([("_news", "news", F)], "_news/a.md", "pages", None, None),  # both must match
    ([("", "post", F)], "_posts/a.md", "posts", False, 0),  # a deprecated type name
    ([("_news", None, F), ("_news/sub", None, T)], "_news/sub/a.md", "news", True, 1),
    ([("_news/sub", None, T), ("_news", None, F)], "_news/sub/a.md", "news", True, 0),
    ([("_news", None, T), ("_news", None, F)], "_news/a.md", "news", False, 1),  # later wins
    ([("_news", "news", F), ("_news", None, T)], "_news/a.md", "news", False, 0),  # type wins
    ([("_news", None, T), ("_news", "news", F)], "_news/a.md", "news", False, 1),
    ([("", None, F), ("_news", None, {"layout": "x"})], "_news/a.md", "news", False, 0),
    ([("_news", None, F), ("", None, {"published": None})], "_news/a.md", "news", False, 0),
]


@pytest.mark.parametrize(("sets", "path", "kind", "wanted", "decider"), SCOPES)
def test_scopes(
    tmp_path: Path,
    sets: list[tuple[str, str | None, dict[str, Any]]],
    path: str,
    kind: str,
    wanted: bool | None,
    decider: int | None,
) -> None:
    """Path prefix, type, both, more specific wins, the later of equals wins."""
    the_rules = rules(tmp_path, *[(p, {"post": "posts"}.get(t, t), v) for p, t, v in sets])
    merged, source = merged_defaults(the_rules, path, kind)
    assert merged.get("published") is wanted
    assert (source["published"].index if "published" in source else None) == decider


def test_glob_scopes_match_existing_paths_as_prefixes(tmp_path: Path) -> None:
    """A scope with `*` is globbed against the site's files; each match is a prefix."""
    (tmp_path / "_news" / "2024").mkdir(parents=True)
    (tmp_path / "_news" / "2024" / "a.md").write_text("x")
    (tmp_path / "_news" / "2023").mkdir()
    the_rules = rules(tmp_path, ("_news/*4", None, F))
    assert matching_sets(the_rules, "_news/2024/a.md", "news")
    assert not matching_sets(the_rules, "_news/2023/a.md", "news")
    assert not matching_sets(the_rules, "_news/2034/new.md", "news")  # globbed once, as Jekyll


def test_collections_dir_is_stripped_from_scopes(tmp_path: Path) -> None:
    """Documents are named without `collections_dir`; a scope naming it still matches."""
    the_rules = rules(tmp_path, ("coll/_news", None, F), collections_dir="coll")
    assert merged_defaults(the_rules, "_news/a.md", "news")[0] == F


@pytest.mark.parametrize(
    ("target", "other", "merged"),
    [
        ({"a": 1}, {"a": 2}, {"a": 2}),
        ({"a": 1}, {"a": None}, {"a": 1}),  # nil never replaces
        ({}, {"a": None}, {"a": None}),
        ({"a": {"x": 1}}, {"a": {"y": 2}}, {"a": {"x": 1, "y": 2}}),
        ({"a": {"x": 1}}, {"a": 3}, {"a": 3}),
    ],
)
def test_deep_merge(target: dict[str, Any], other: dict[str, Any], merged: dict[str, Any]) -> None:
    """Jekyll's deep_merge_hashes."""
    assert deep_merge(target, other) == merged

"""Front-matter defaults merged as Jekyll 4.3 merges them (lib/jekyll/frontmatter_defaults.rb)."""

from __future__ import annotations

import glob
from pathlib import PurePosixPath
from typing import Any

from reader.data.site.config import DefaultSet, SiteRules


def matching_sets(rules: SiteRules, path: str, kind: str | None) -> list[DefaultSet]:
    """The default sets whose scope takes PATH (relative to the site or the collections
    folder, as Jekyll names the file) and type KIND (`news`, `pages`), in config order."""
    return [s for s in rules.defaults if _applies_type(s, kind) and _applies_path(rules, s, path)]


def merged_defaults(
    rules: SiteRules, path: str, kind: str | None
) -> tuple[dict[str, Any], dict[str, DefaultSet]]:
    """Jekyll's `FrontmatterDefaults#all`: the merged values, and which set gave each top-level
    key. A more specific scope (longer path, then a type) wins; at a tie the later set wins."""
    merged: dict[str, Any] = {}
    source: dict[str, DefaultSet] = {}
    old: DefaultSet | None = None
    for entry in matching_sets(rules, path, kind):
        if _has_precedence(old, entry):
            _merge(merged, source, entry.values, entry, over=True)
            old = entry
        else:
            _merge(merged, source, entry.values, entry, over=False)
    return merged, source


def deep_merge(target: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Jekyll's `Utils.deep_merge_hashes`: OTHER wins, except that its nil never replaces a
    value, and two mappings merge."""
    result = dict(target)
    for key, value in other.items():
        if key in result and value is None:
            continue
        old = result.get(key)
        both = isinstance(old, dict) and isinstance(value, dict)
        result[key] = deep_merge(old, value) if both else value  # type: ignore[arg-type]
    return result


def _merge(
    merged: dict[str, Any],
    source: dict[str, DefaultSet],
    values: dict[str, Any],
    entry: DefaultSet,
    over: bool,
) -> None:
    """Merge VALUES into MERGED (winning when OVER, else only filling gaps), noting sources."""
    combined = deep_merge(merged, values) if over else deep_merge(values, merged)
    for key, value in combined.items():
        if key not in merged or value is not merged[key]:
            source[key] = entry
        merged[key] = value


def _applies_type(entry: DefaultSet, kind: str | None) -> bool:
    """No type in the scope, or the same type."""
    return entry.type is None or entry.type == kind


def _applies_path(rules: SiteRules, entry: DefaultSet, path: str) -> bool:
    """No path in the scope, or PATH starts with it (a plain string prefix, so `_news` also
    takes `_newsletter/`); a scope with `*` is globbed and each match is such a prefix."""
    scope = entry.path
    if not scope:
        return True
    path = _sanitize(path)
    if "*" in scope:
        return any(path.startswith(match) for match in _globbed(rules, scope))
    return path.startswith(_strip_collections_dir(rules, scope))


def _globbed(rules: SiteRules, scope: str) -> tuple[str, ...]:
    """The scope glob's matches, relative to the site (collections folder stripped)."""
    if scope not in rules.glob_cache:
        found = glob.glob(str(rules.root / scope), recursive=True)
        relative = (PurePosixPath(p).relative_to(rules.root.as_posix()).as_posix() for p in found)
        rules.glob_cache[scope] = tuple(_strip_collections_dir(rules, r) for r in relative)
    return rules.glob_cache[scope]


def _strip_collections_dir(rules: SiteRules, path: str) -> str:
    """A scope path with the `collections_dir/` prefix taken off (documents are named
    without it)."""
    prefix = f"{rules.collections_dir}/"
    if rules.collections_dir and path.startswith(prefix):
        return path.replace(prefix, "", 1)
    return path


def _sanitize(path: str) -> str:
    """Jekyll's `sanitize_path`: a leading `/` dropped (only from the file's path, not from the
    scope, which is why a scope `/_news` matches nothing)."""
    return path[1:] if path.startswith("/") else path


def _has_precedence(old: DefaultSet | None, new: DefaultSet) -> bool:
    """Whether NEW's scope is at least as specific as OLD's: a longer path; at the same
    length, a set with a type, or one without when OLD has none either."""
    if old is None:
        return True
    new_path, old_path = _sanitize(new.path), _sanitize(old.path)
    if len(new_path) != len(old_path):
        return len(new_path) >= len(old_path)
    if new.type is not None:
        return True
    return old.type is None

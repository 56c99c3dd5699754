"""The site's `_config.yml`: found above the article folder, read into the rules Jekyll uses."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from reader.data.site.yaml_psych import load_config

CONFIG_NAME = "_config.yml"
CONFIG_LIMIT = 4 << 20
"""Largest `_config.yml` read; a bigger one is refused as unreadable."""
DEPRECATED_TYPES = {"page": "pages", "post": "posts", "draft": "drafts"}
"""Scope types Jekyll renames before matching (frontmatter_defaults.rb)."""


def truthy(value: Any) -> bool:
    """Ruby's truth: only nil and false are false (so the string "false" is true)."""
    return value is not None and value is not False


@dataclass(frozen=True, slots=True)
class DefaultSet:
    """One entry of `defaults:`: the values given to files in its scope."""

    index: int
    """Its place in the list (0-based): a later one wins a tie."""
    path: str
    """`scope.path` as written ('' when absent or not text: every path)."""
    type: str | None
    """`scope.type` (deprecated singular names made plural), or None for every type."""
    values: dict[str, Any]

    @property
    def label(self) -> str:
        """How the set is named in a `because` text: `defaults[1] (path "_news", type news)`."""
        parts = [f'path "{self.path}"'] if self.path else []
        parts += [f"type {self.type}"] if self.type is not None else []
        return f"defaults[{self.index}] ({', '.join(parts) or 'every file'})"


@dataclass(frozen=True, slots=True)
class Collection:
    """A collection's settings under `collections:`."""

    label: str
    output: bool
    """Whether its documents get pages (`output:`, false when absent)."""
    future: Any = None
    """`future:` as written. Jekyll 4.3 never reads it (only `future:` at the top level)."""


@dataclass(frozen=True, slots=True)
class SiteRules:
    """What of a site's `_config.yml` decides which files Jekyll lists and writes."""

    root: Path
    """The site's folder: the one holding `_config.yml`."""
    config_path: Path
    defaults: tuple[DefaultSet, ...] = ()
    future: bool = False
    unpublished: bool = False
    strict_front_matter: bool = False
    collections: dict[str, Collection] = field(default_factory=dict)
    collections_dir: str = ""
    timezone: str | None = None
    """`timezone:` (an IANA name): how Jekyll reads a date with no offset. None: local time."""
    time: datetime | None = None
    """`time:`, which Jekyll uses instead of the clock to decide what is in the future."""
    warnings: tuple[str, ...] = ()
    """Parts of the config Jekyll warns about and ignores (an invalid default set)."""
    glob_cache: dict[str, tuple[str, ...]] = field(default_factory=dict, compare=False)
    """Scope globs expanded once, as Jekyll expands them once per build."""


@dataclass(frozen=True, slots=True)
class SiteLookup:
    """The outcome of looking for a site: its rules, or why there are none."""

    rules: SiteRules | None
    config_path: Path | None = None
    problem: str = ""
    """Why there are no rules: nothing found, or what is wrong with the file."""

    @property
    def found(self) -> bool:
        """Whether a readable site config was found."""
        return self.rules is not None

    @property
    def summary(self) -> str:
        """One line for a status bar: the site used, or why there is none."""
        if self.rules is not None:
            return f"site: {self.rules.config_path}"
        if self.config_path is None:
            return f"no site found: {self.problem}"
        return f"site config unreadable: {self.config_path}: {self.problem}"


def find_config(folder: Path) -> Path | None:
    """The nearest `_config.yml` at or above FOLDER, not climbing past a git work tree's top."""
    here = folder.resolve()
    while True:
        candidate = here / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if (here / ".git").exists() or here.parent == here:
            return None
        here = here.parent


def find_site(folder: Path, explicit: Path | None = None) -> SiteLookup:
    """The site of the articles in FOLDER: EXPLICIT (a `site:` key: the config file or its
    folder) if given, else the nearest `_config.yml` above. Never raises."""
    if explicit is not None:
        path = explicit / CONFIG_NAME if explicit.is_dir() else explicit
        if not path.is_file():
            return SiteLookup(None, path, "no such file")
        return load_site(path)
    try:
        found = find_config(folder)
    except OSError as error:
        return SiteLookup(None, None, f"cannot look above {folder}: {error.strerror or error}")
    if found is None:
        return SiteLookup(None, None, f"no {CONFIG_NAME} in {folder} or above it")
    return load_site(found)


def load_site(path: Path) -> SiteLookup:
    """Read one `_config.yml` into SiteRules; every failure is a SiteLookup saying why."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(CONFIG_LIMIT + 1)
    except OSError as error:
        return SiteLookup(None, path, f"cannot read: {error.strerror or error}")
    if len(data) > CONFIG_LIMIT:
        return SiteLookup(None, path, f"larger than {CONFIG_LIMIT >> 20} MiB")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return SiteLookup(None, path, f"not UTF-8 (byte {error.start}); Jekyll cannot read it")
    try:
        config = load_config(text)
    except yaml.YAMLError as error:
        return SiteLookup(None, path, f"invalid YAML{_where(error)}; Jekyll stops on it")
    except RecursionError:
        return SiteLookup(None, path, "YAML nested too deep to read")
    except ValueError as error:
        return SiteLookup(None, path, f"{error}; Jekyll stops on it")
    if config is None:
        config = {}
    if not isinstance(config, dict):
        why = f"a {type(config).__name__}, not a mapping; Jekyll ignores it and uses its defaults"
        return SiteLookup(None, path, why)
    try:
        return SiteLookup(_rules(path, config), path)
    except ValueError as error:
        return SiteLookup(None, path, str(error))


def _where(error: yaml.YAMLError) -> str:
    """` at line L, column C` for a marked YAML error, else ``."""
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None)
    where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
    return f"{where}: {problem}" if problem else where


def _rules(path: Path, config: dict[Any, Any]) -> SiteRules:
    """SiteRules from a loaded config mapping; raises ValueError for what stops Jekyll."""
    warnings: list[str] = []
    zone = config.get("timezone")
    when = config.get("time")
    return SiteRules(
        root=path.parent,
        config_path=path,
        defaults=_defaults(config.get("defaults"), warnings),
        future=truthy(config.get("future", False)),
        unpublished=truthy(config.get("unpublished", False)),
        strict_front_matter=truthy(config.get("strict_front_matter", False)),
        collections=_collections(config.get("collections")),
        collections_dir=str(config.get("collections_dir") or "").strip("/"),
        timezone=zone if isinstance(zone, str) and zone else None,
        time=when if isinstance(when, datetime) else None,
        warnings=tuple(warnings),
    )


def _collections(value: Any) -> dict[str, Collection]:
    """`collections:` as Jekyll reads it: a mapping of label to settings, or a list of labels."""
    if value is None:
        return {}
    if isinstance(value, list):
        return {str(label): Collection(str(label), False) for label in value}
    if not isinstance(value, dict):
        raise ValueError("`collections` must be a mapping or a list; Jekyll stops on it")
    found = {}
    for label, meta in value.items():
        meta = meta if isinstance(meta, dict) else {}
        found[str(label)] = Collection(str(label), truthy(meta.get("output")), meta.get("future"))
    return found


def _defaults(value: Any, warnings: list[str]) -> tuple[DefaultSet, ...]:
    """The valid sets of `defaults:`; an invalid one is skipped with a warning, as Jekyll does."""
    if not isinstance(value, list):
        return ()
    sets = []
    for index, entry in enumerate(value):
        if not (isinstance(entry, dict) and isinstance(entry.get("values"), dict)):
            warnings.append(f"defaults[{index}] is not a set with `values`: Jekyll ignores it")
            continue
        scope = entry.get("scope", {})
        if not isinstance(scope, dict):
            raise ValueError(f"defaults[{index}].scope is not a mapping; Jekyll stops on it")
        scope_path = scope.get("path")
        kind = scope.get("type")
        if "type" in scope and kind is not None:
            kind = DEPRECATED_TYPES.get(str(kind), str(kind))
        sets.append(
            DefaultSet(
                index=index,
                path=scope_path if isinstance(scope_path, str) else "",
                type=None if "type" not in scope else kind,
                values=dict(entry["values"]),
            )
        )
    return tuple(sets)

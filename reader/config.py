"""Settings read from the user's YAML config file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path
from typing import Any

from reader import paths


@dataclass
class Settings:
    """What the config file can set. Every field has a working default."""

    cache: Path | None = None
    """The article folder to open when none is given on the command line (`~` expanded)."""
    theme: str = "textual-dark"
    """The Textual theme name; the app saves the user's last choice here."""
    keymap: dict[str, str] = field(default_factory=dict)
    """Binding id -> keys (comma separated), as `App.set_keymap` takes them."""
    db: Path | None = None
    """The decisions database; by default one per article folder in the data dir."""
    story_days: float = 3.0
    """The span of one story in days: articles further apart are never one story."""


class _BadValue(ValueError):
    """A config value of the wrong type or shape; the message says what was expected."""


def _kind(value: object) -> str:
    """Name a YAML value's type in words, for warnings."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, date):
        return "a date"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return type(value).__name__


def _text(value: object) -> str:
    """Accept non-empty text."""
    if not isinstance(value, str) or not value.strip():
        raise _BadValue(f"must be non-empty text, found {_kind(value)}")
    return value.strip()


def _path(value: object) -> Path:
    """Accept a path given as text, expanding `~`."""
    return Path(_text(value)).expanduser()


def _days(value: object) -> float:
    """Accept a positive number of days."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 3650:
        raise _BadValue(f"must be a number of days above 0, found {_kind(value)}")
    return float(value)


def _keymap(value: object) -> dict[str, str]:
    """Accept a mapping of binding id (text) to keys (text)."""
    if not isinstance(value, Mapping):
        raise _BadValue(f"must be a mapping of binding id to keys, found {_kind(value)}")
    bad = [k for k, v in value.items() if not (isinstance(k, str) and isinstance(v, str))]
    if bad:
        raise _BadValue(f"entries must be text: text (quote keys such as '1'): {bad[0]!r}")
    return {k: v.strip() for k, v in value.items()}


_PARSERS: dict[str, Callable[[object], Any]] = {
    "cache": _path,
    "theme": _text,
    "keymap": _keymap,
    "db": _path,
    "story_days": _days,
}


def _read_mapping(path: Path) -> tuple[dict[Any, Any], list[str]]:
    """Read the YAML file at PATH as a mapping; on any failure return {} and a warning."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}, []
    except (OSError, UnicodeDecodeError) as exc:
        return {}, [f"{path}: cannot read the config file ({exc}); using the defaults"]
    import yaml  # only when there is a file: a start without one does not load YAML

    try:  # libyaml is much faster; the pure-Python loader is the fallback
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None)
        why = f" ({problem})" if problem else ""
        return {}, [f"{path}: not valid YAML{where}{why}; using the defaults"]
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [f"{path}: expected a mapping of settings, found {_kind(data)}; "
                    "using the defaults"]
    return data, []


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """Load settings from PATH (default: the user's config file).

    Returns the settings and human-readable warnings. A missing file gives the
    defaults and no warning; anything wrong gives a warning and the default for
    what was wrong, keeping the rest.
    """
    path = paths.config_file() if path is None else path
    data, warnings = _read_mapping(path)
    values: dict[str, Any] = {}
    for key, raw in data.items():
        parse = _PARSERS.get(key) if isinstance(key, str) else None
        if parse is None:
            known = ", ".join(f.name for f in fields(Settings))
            warnings.append(f"{path}: unknown setting {key!r} ignored (known: {known})")
        elif raw is not None:
            try:
                values[key] = parse(raw)
            except _BadValue as exc:
                warnings.append(f"{path}: {key} {exc}; using the default")
    return Settings(**values), warnings


def save_theme(path: Path, theme: str) -> None:
    """Set `theme:` in the config file at PATH, keeping its other keys.

    The file is rewritten whole (comments are not kept) and replaced atomically.
    A file that exists but is not a YAML mapping is left alone: ValueError.
    """
    data, warnings = _read_mapping(path)
    if warnings:
        raise ValueError(warnings[0].replace("using the defaults", "not saving the theme"))
    data["theme"] = theme
    import yaml

    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".yaml")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yaml.safe_dump(data, fh, sort_keys=False, allow_unicode=True)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

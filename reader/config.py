"""Settings read from the user's YAML config file."""

from __future__ import annotations

import os
import re
import stat
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
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
    site: Path | None = None
    """The Jekyll site's `_config.yml` (or the folder holding it) whose rules decide what is
    live; by default the nearest `_config.yml` above the article folder."""
    editor: str | None = None
    """Who decides here, as the desk's logs name them (`newsreader sync`); by default git's
    user.name and user.email."""
    sync_minutes: float = 0.0
    """Sync with the desk this often while the app runs, in minutes; 0: only by key."""
    source: Path | None = field(default=None, compare=False, repr=False)
    """The config file these settings were read from (None: made in code)."""
    problems: tuple[str, ...] = field(default=(), compare=False, repr=False)
    """What was wrong in that file, one warning each, as `load_settings` returns them."""


MAX_BYTES = 1024 * 1024
"""The largest config file read, 1 MiB: a real one is a few hundred bytes, and a larger
one would cost every start its time and memory."""


class _NotAConfig(ValueError):
    """A config file that is not read at all: not a regular file, or too large."""


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


def _site(value: object) -> Path:
    """Accept a Jekyll site's `_config.yml`, or a folder holding one (`~` expanded)."""
    path = _path(value)
    if path.is_dir():
        if not (path / "_config.yml").is_file():
            raise _BadValue(f"must name a Jekyll site's _config.yml or its folder: {path} "
                            "holds no _config.yml")
    elif not path.is_file():
        what = "is not a file" if path.exists() else "does not exist"
        raise _BadValue(f"must name a Jekyll site's _config.yml or its folder: {path} {what}")
    return path


def _editor(value: object) -> str:
    """Accept a name of at most 100 characters, none of them a control character."""
    name = _text(value)
    if len(name) > 100 or any(ord(c) < 32 or 127 <= ord(c) < 160 for c in name):
        raise _BadValue("must be a name of at most 100 characters on one line")
    return name


def _minutes(value: object) -> float:
    """Accept a number of minutes, 0 (never) or from 1 to a day."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _BadValue(f"must be a number of minutes, found {_kind(value)}")
    if value != 0 and not 1 <= value <= 24 * 60:
        raise _BadValue(f"must be 0 (only by key) or from 1 to 1440 minutes, found {value}")
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
    "site": _site,
    "editor": _editor,
    "sync_minutes": _minutes,
}

_BLOCK_START = r"(?![-:](?:\s|$))[^\s#]"
"""A line that starts a top-level entry: not indented, blank or a comment, nor an item or a
value (`- x`, `: x`) that a key above may own."""
_BLOCK_KEY = r"""(?P<q>['"]?)(?P<key>[^\s:#'"][^:]*?)(?P=q)[ \t]*:(?:\s|$)"""
"""The name at the start of a top-level `name: value` line."""
_MARKER = ("---", "...", "%")
"""Lines that mark documents or give directives: no setting of their own."""
_THEME_LINE = (
    r"""(?P<key>\ufeff?(?:theme|'theme'|"theme")[ \t]*:)"""
    r"""(?:(?P<gap>[ \t]+)(?P<value>'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|(?:[^#\s].*?)?)"""
    r"""(?P<rest>[ \t]*(?<=[ \t])#.*)?)?"""
)
"""A top-level `theme:` line: its key, the gap, its value and its comment."""
_PLAIN = r"[A-Za-z0-9][A-Za-z0-9_.-]*"
"""A theme name that can be written without quotes (if YAML reads it back as text)."""


def _load(text: str) -> object:
    """Parse YAML text with the safe loader (libyaml's, much faster, when there is one)."""
    import yaml  # only when there is a file: a start without one does not load YAML

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _problem(exc: Exception) -> tuple[int | None, str]:
    """The 0-based line of a YAML error (None if unknown) and its problem in brackets."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    return (mark.line if mark is not None else None), (f" ({problem})" if problem else "")


def _read_text(path: Path) -> tuple[str | None, list[str]]:
    """The config file's text as it is, line ends included (None if there is no file), or a
    warning if it cannot be read or is not a regular file of at most MAX_BYTES."""
    try:
        return _read_bounded(path).decode("utf-8"), []
    except FileNotFoundError:
        return None, []
    except _NotAConfig as exc:
        return None, [f"{path}: {exc}; using the defaults"]
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{path}: cannot read the config file ({exc}); using the defaults"]


def _read_bounded(path: Path) -> bytes:
    """The bytes of the regular file at PATH (links followed), or _NotAConfig.

    A named pipe or a device is never read (nor waited on: the file is checked again once
    open, in case it was swapped), and at most MAX_BYTES + 1 bytes are read.
    """
    _check_file(os.stat(path))
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with os.fdopen(fd, "rb") as fh:
        _check_file(os.fstat(fh.fileno()))
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:  # it grew after the check
        raise _NotAConfig(_too_large(None))
    return data


def _check_file(found: os.stat_result) -> None:
    """Raise _NotAConfig unless FOUND is a regular file of at most MAX_BYTES."""
    mode = found.st_mode
    if not stat.S_ISREG(mode):
        what = ("a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "a device")
        raise _NotAConfig(f"the config file is not a regular file ({what})")
    if found.st_size > MAX_BYTES:
        raise _NotAConfig(_too_large(found.st_size))


def _too_large(size: int | None) -> str:
    """Say that a config file of SIZE bytes (None: unknown) is too large, in MB."""
    shown = round(size / MAX_BYTES, 1) if size is not None else 0.0
    what = f"{shown:g} MB" if shown > 1 else "more than 1 MB"
    return f"the config file is {what}, and it may be at most 1 MB"


def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """Split YAML text into top-level blocks: (first line number, lines), each block one
    unindented line with the indented, blank and comment lines after it."""
    blocks: list[tuple[int, list[str]]] = []
    for number, line in enumerate(text.splitlines(keepends=True), 1):
        if not blocks or re.match(_BLOCK_START, line):
            blocks.append((number, [line]))
        else:
            blocks[-1][1].append(line)
    return blocks


def _read_blocks(path: Path, text: str) -> tuple[dict[Any, Any], list[str]]:
    """Read a file that does not parse block by block: keep each top-level `name: value`
    that parses, and warn about each one that does not."""
    import yaml

    data: dict[Any, Any] = {}
    warnings: list[str] = []
    for start, lines in _blocks(text):
        if lines[0].lstrip("\ufeff").startswith(_MARKER):  # what follows is read on its own
            start, lines = start + 1, lines[1:]
            if not "".join(lines).strip():
                continue
        try:
            value = _load("".join(lines))
        except yaml.YAMLError as exc:
            line, why = _problem(exc)
            last = max((i for i, t in enumerate(lines) if t.strip() and t.strip()[0] != "#"),
                       default=0)
            where = start + (last if line is None else min(line, last))
            found = re.match(_BLOCK_KEY, lines[0].lstrip("\ufeff"))
            key = found.group("key") if found else None
            what = (f"{key} uses the default" if key in _PARSERS
                    else f"{key!r} is ignored" if key else "that entry is ignored")
            warnings.append(f"{path}: not valid YAML at line {where}{why}; {what}")
            continue
        if isinstance(value, dict):
            data.update(value)
        elif value is not None:
            warnings.append(f"{path}: line {start} is not a setting (expected `name: value`, "
                            f"found {_kind(value)}); ignored")
    return data, warnings


def _read_mapping(path: Path) -> tuple[dict[Any, Any], list[str]]:
    """Read the YAML file at PATH as a mapping, keeping what can be kept, with warnings.

    A file that does not parse is read again block by block (only then: a good file is
    parsed once); one that parses as something else than a mapping gives {}.
    """
    text, warnings = _read_text(path)
    if text is None:
        return {}, warnings
    import yaml

    try:
        data = _load(text)
    except yaml.YAMLError:
        return _read_blocks(path, text)
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, [f"{path}: expected a mapping of settings, found {_kind(data)}; "
                    "using the defaults"]
    return data, []


def load_settings(path: Path | None = None) -> tuple[Settings, list[str]]:
    """Load settings from PATH (default: the user's config file).

    Returns the settings and human-readable warnings (also kept in `Settings.problems`). A
    missing file gives the defaults and no warning; anything wrong gives a warning and the
    default for what was wrong, keeping the rest.
    """
    path = paths.config_file() if path is None else path
    data, warnings = _read_mapping(path)
    values: dict[str, Any] = {}
    for key, raw in data.items():
        parse = _PARSERS.get(key) if isinstance(key, str) else None
        if parse is None:
            known = ", ".join(_PARSERS)
            warnings.append(f"{path}: unknown setting {key!r} ignored (known: {known})")
        elif raw is not None:
            try:
                values[key] = parse(raw)
            except _BadValue as exc:
                warnings.append(f"{path}: {key} {exc}; using the default")
    return Settings(**values, source=path, problems=tuple(warnings)), warnings


def _scalar(theme: str) -> str:
    """THEME as a YAML value: plain if YAML reads it back as that text, else quoted."""
    if re.fullmatch(_PLAIN, theme) and _load(theme) == theme:
        return theme
    import json  # a JSON string is a YAML double-quoted one

    return json.dumps(theme, ensure_ascii=False)


def _with_theme(text: str, theme: str) -> str:
    """TEXT with its last top-level `theme:` line (and the value's continuation lines) set
    to THEME, or with a `theme:` line added at the end; every other line as it was."""
    lines = text.splitlines(keepends=True)
    value = _scalar(theme)
    for index in range(len(lines) - 1, -1, -1):
        body = lines[index].rstrip("\r\n")
        found = re.fullmatch(_THEME_LINE, body)
        if found is None:
            continue
        rest = found.group("rest") or ""
        if rest and rest[0] not in " \t":
            rest = " " + rest
        end = index + 1
        while end < len(lines) and lines[end][:1] in (" ", "\t") and lines[end].strip() \
                and not lines[end].lstrip().startswith("#"):
            end += 1
        newline = lines[index][len(body):]
        line = f"{found.group('key')}{found.group('gap') or ' '}{value}{rest}{newline}"
        return "".join([*lines[:index], line, *lines[end:]])
    newline = "\r\n" if lines and lines[0].endswith("\r\n") else "\n"
    if text and not text.endswith(("\n", "\r")):
        text += newline
    return f"{text}theme: {value}{newline}"


def save_theme(path: Path, theme: str) -> None:
    """Set `theme:` in the config file at PATH by changing that one line (or adding one).

    Every other byte stays as it was (comments, order, line endings); a symlinked file is
    written through its link and keeps its mode. The new text must read back as the old
    settings with the new theme before it replaces the file (atomically). A file that does
    not read whole as a YAML mapping is left alone: ValueError.
    """
    target = Path(os.path.realpath(path))  # a config file kept with one's dotfiles: a link
    text, warnings = _read_text(target)
    if warnings:
        raise ValueError(warnings[0].replace(str(target), str(path))
                         .replace("using the defaults", "not saving the theme"))
    import yaml

    before: object = {}
    if text is not None:
        try:
            before = _load(text)
        except yaml.YAMLError as exc:
            line, why = _problem(exc)
            where = "" if line is None else f" at line {min(line + 1, len(text.splitlines()))}"
            raise ValueError(f"{path}: not valid YAML{where}{why}; not saving the theme") from None
        before = {} if before is None else before
        if not isinstance(before, dict):
            raise ValueError(f"{path}: expected a mapping of settings, found {_kind(before)}; "
                             "not saving the theme")
    new = _with_theme(text or "", theme)
    try:
        after = _load(new)
    except yaml.YAMLError:
        after = None
    if not isinstance(before, dict) or after != {**before, "theme": theme}:
        raise ValueError(f"{path}: the theme: line cannot be changed on its own; "
                         "not saving the theme")
    _replace(target, new.encode("utf-8"))


def _replace(path: Path, data: bytes) -> None:
    """Write DATA to a new file beside PATH, with PATH's mode if it exists, then rename it
    over PATH."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode: int | None = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        mode = None  # a new file: private to the user, as mkstemp makes it
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".config-", suffix=".yaml")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        if mode is not None:
            os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

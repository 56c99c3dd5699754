"""An editor's shared log: one JSON object per line, appended to, never rewritten.

Each editor writes only their own file (`.newsreader/decisions/<editor>.jsonl` in the
site's repository), so git never has two changes of one file to merge. Article paths are
the files' paths from the top of the repository, so every clone names them alike.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from reader.data.article import Problem
from reader.data.clean import clean_line
from reader.data.decisions.events import Event

LOG_DIR = Path(".newsreader") / "decisions"
"""Where the logs live, from the top of the site's repository."""
VERSION = 1
_KINDS = ("decide", "claim", "release")
_STATES = ("published", "skipped", "undecided", None)
_ID = re.compile(r"[A-Za-z0-9_-]{1,64}")
_MAX_TEXT = 4096
"""The longest editor name, reason or article path a line may carry."""


def log_name(editor: str) -> str:
    """The file name of an editor's log: their name (or email) in lower-case letters,
    digits, dots and dashes, never empty."""
    text = unicodedata.normalize("NFKD", editor).encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9.@]+", "-", text).replace("@", "-at-").strip("-.")
    return f"{slug[:80] or 'editor'}.jsonl"


def to_line(event: Event, article: str | None = None,
            articles: Sequence[str] = ()) -> bytes:
    """One event as its log line (its article, or its claim's articles, as paths from the
    top of the repository). Keys sorted and ASCII only: the same event is the same bytes on
    every machine."""
    data: dict[str, object] = {"v": VERSION, "id": event.id, "at": event.at,
                               "editor": event.editor, "kind": event.kind}
    if event.kind == "decide":
        data |= {"article": article, "state": event.state, "reason": event.reason,
                 "on": list(event.on)}
    elif event.kind == "claim":
        data |= {"until": event.until, "articles": list(articles)}
        if event.provider is not None:
            data["provider"] = event.provider
        if event.topic is not None:
            data["topic"] = event.topic
    else:
        data["on"] = list(event.on)
    return json.dumps(data, sort_keys=True, separators=(",", ":")).encode() + b"\n"


def _time(value: object) -> str:
    """An ISO 8601 time with its offset, as UTC to the millisecond; ValueError if not one."""
    if not isinstance(value, str):
        raise ValueError("is not a time")
    when = datetime.fromisoformat(value)
    if when.tzinfo is None:
        raise ValueError("has no UTC offset")
    return when.astimezone(UTC).isoformat(timespec="milliseconds")


def _text(data: dict[str, object], key: str, *, optional: bool = True) -> str | None:
    """A string field of at most _MAX_TEXT characters (None when absent and `optional`)."""
    value = data.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value or len(value) > _MAX_TEXT:
        raise ValueError(f"`{key}` is not a string of 1 to {_MAX_TEXT} characters")
    return value


def _ids(data: dict[str, object], key: str) -> tuple[str, ...]:
    """A list of event ids."""
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and _ID.fullmatch(v)
                                              for v in value):
        raise ValueError(f"`{key}` is not a list of event ids")
    return tuple(value)


def from_line(line: bytes) -> Event:
    """The event a log line holds, its article paths as they are in the log; a
    ValueError saying what is wrong with it."""
    try:
        data = json.loads(line)
    except (ValueError, UnicodeDecodeError) as error:
        raise ValueError(f"not JSON ({error})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    if data.get("v") != VERSION:
        raise ValueError(f"version {data.get('v')!r} is not {VERSION} (a newer newsreader?)")
    event_id, kind = data.get("id"), data.get("kind")
    if not isinstance(event_id, str) or not _ID.fullmatch(event_id):
        raise ValueError("`id` is not an event id")
    if kind not in _KINDS:
        raise ValueError(f"`kind` is not one of {', '.join(_KINDS)}")
    try:
        at = _time(data.get("at"))
    except ValueError as error:
        raise ValueError(f"`at` {error}") from None
    editor = _text(data, "editor", optional=False)
    if kind == "decide":
        if data.get("state") not in _STATES:
            raise ValueError("`state` is not published, skipped, undecided or null")
        return Event(event_id, at, editor, kind, _text(data, "article", optional=False),
                     data.get("state"), _text(data, "reason"), _ids(data, "on"))
    if kind == "release":
        return Event(event_id, at, editor, kind, on=_ids(data, "on"))
    try:
        until = _time(data.get("until"))
    except ValueError as error:
        raise ValueError(f"`until` {error}") from None
    articles = data.get("articles", [])
    if not isinstance(articles, list) or not all(isinstance(a, str) for a in articles):
        raise ValueError("`articles` is not a list of paths")
    return Event(event_id, at, editor, kind, until=until, articles=tuple(articles),
                 provider=_text(data, "provider"), topic=_text(data, "topic"))


def read_log(path: Path) -> tuple[list[Event], list[Problem]]:
    """Every event of one log, in order, and a problem for each line that is not one
    (which file, which line, what is wrong): the rest is read all the same."""
    events: list[Event] = []
    problems: list[Problem] = []
    try:
        data = path.read_bytes()
    except OSError as error:
        return [], [Problem(str(path), "log", f"cannot be read: {error.strerror or error}")]
    lines = data.split(b"\n")
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            events.append(from_line(line))
        except ValueError as error:
            torn = number == len(lines)  # no newline after it: a write was cut short
            why = "the last line is cut short" if torn else clean_line(str(error))
            problems.append(Problem(str(path), f"line {number}", why))
    return events, problems


def append(path: Path, lines: Iterable[bytes]) -> int:
    """Append lines to a log, flushed to the disk before it returns; how many.

    A last line cut short (a run killed while writing it) is cut off first: it was never
    committed, and the events it held are written again from the store."""
    chunk = b"".join(lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC, 0o644)
    try:
        size = os.fstat(fd).st_size
        if size:
            tail = os.pread(fd, min(size, 1 << 16), max(0, size - (1 << 16)))
            if not tail.endswith(b"\n"):
                cut = tail.rfind(b"\n")
                os.ftruncate(fd, max(0, size - len(tail)) + cut + 1 if cut >= 0 else
                             max(0, size - len(tail)))
                size = os.fstat(fd).st_size
        if chunk:
            os.pwrite(fd, chunk, size)
        os.fsync(fd)
    finally:
        os.close(fd)
    return chunk.count(b"\n")


def mine(event: Event, editor: str) -> Event:
    """This store's own event, as `editor` shares it."""
    return replace(event, editor=editor)

"""An editor's shared log: one JSON object per line, appended to, never rewritten.

Each editor writes only their own file (`.newsreader/decisions/<editor>.jsonl` in the
site's repository), so git never has two changes of one file to merge. Article paths are
the files' paths from the top of the repository, so every clone names them alike.
"""

from __future__ import annotations

import hashlib
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
    digits, dots and dashes, never empty. A name with letters that have no ASCII form (山田)
    gets a digest of the whole name too, so that two such editors never share one log."""
    folded = unicodedata.normalize("NFKD", editor)
    text = folded.encode("ascii", "ignore").decode().lower()
    slug = re.sub(r"[^a-z0-9.@]+", "-", text).replace("@", "-at-").strip("-.")[:80].strip("-.")
    if any(not c.isascii() and not unicodedata.combining(c) for c in folded):
        digest = hashlib.sha256(editor.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        slug = f"{slug}-{digest}" if slug else f"editor-{digest}"
    return f"{slug or 'editor'}.jsonl"


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


def _article(value: object) -> str:
    """An article's path from the top of the repository, as sync writes it: relative, in
    plain steps (no `..`, `.` or empty step), so it names a file the same way
    in every clone and never one outside the repository."""
    if not isinstance(value, str) or not value or len(value) > _MAX_TEXT:
        raise ValueError(f"`article` is not a path of 1 to {_MAX_TEXT} characters")
    if any(step in ("", ".", "..") for step in value.split("/")):
        raise ValueError(f"`article` {clean_line(value)!r} is not a plain relative path "
                         "(no `..`, `.` or empty step)")
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
        return Event(event_id, at, editor, kind, _article(data.get("article")),
                     data.get("state"), _text(data, "reason"), _ids(data, "on"))
    if kind == "release":
        return Event(event_id, at, editor, kind, on=_ids(data, "on"))
    try:
        until = _time(data.get("until"))
    except ValueError as error:
        raise ValueError(f"`until` {error}") from None
    articles = data.get("articles", [])
    if not isinstance(articles, list):
        raise ValueError("`articles` is not a list of paths")
    return Event(event_id, at, editor, kind, until=until,
                 articles=tuple(_article(a) for a in articles),
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
        if number == len(lines):  # no newline after it: a write was cut short, and the
            # next append cuts it off, so even a whole JSON object there is not in the log
            problems.append(Problem(str(path), f"line {number}", "the last line is cut short"))
            continue
        try:
            events.append(from_line(line))
        except ValueError as error:
            problems.append(Problem(str(path), f"line {number}", clean_line(str(error))))
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
        whole = _whole_lines(fd, size)
        if whole != size:
            os.ftruncate(fd, whole)
            size = whole
        if chunk:
            os.pwrite(fd, chunk, size)
        os.fsync(fd)
    finally:
        os.close(fd)
    return chunk.count(b"\n")


def _whole_lines(fd: int, size: int) -> int:
    """The length of the file's whole lines: up to and with its last newline (0: none)."""
    end = size
    while end > 0:
        start = max(0, end - (1 << 16))
        cut = os.pread(fd, end - start, start).rfind(b"\n")
        if cut >= 0:
            return start + cut + 1
        end = start
    return 0


def mine(event: Event, editor: str) -> Event:
    """This store's own event, as `editor` shares it."""
    return replace(event, editor=editor)

"""One file's bytes as Jekyll 4.3 reads them: front matter found where, and loaded how; and the
few fields of it the index keeps, so that a site's rules can be applied without the file."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from reader.data.files.psych import _BOOL, load_psych

# Utils.has_yaml_header?: the first line (up to the first LF) must be `---` and spaces.
_HEADER = re.compile(rb"\A---\s*\r?\n")
# Document::YAML_FRONT_MATTER_REGEXP, Ruby's /m being Python's DOTALL; `^`/`$` are lines.
_FRONT_MATTER = re.compile(
    r"\A(---\s*\n.*?\n?)^((---|\.\.\.)\s*$\n?)", re.DOTALL | re.MULTILINE | re.ASCII
)
_SYMBOL_HINT = re.compile(r"(?:\A|[\s\[{,]):\S")
"""Where a plain scalar may start with `:` (a Ruby symbol, which Psych refuses): a coarse
test, cheaper than `psych._differs`, for a source the project's loader has read already."""
_SYMBOL_MARKS = (" :", "\n:", "\t:", "[:", "{:", ",:", "\r:")
"""What `_SYMBOL_HINT` needs to find (looked for first: `in` is cheaper than a search)."""
KEPT = ("published", "date")
"""The front-matter fields a site's rules read (with the defaults): all the index keeps."""


@dataclass(frozen=True, slots=True)
class JekyllFile:
    """What Jekyll makes of one file: front matter it reads (a document or a page), or none
    (a static file it copies as it is)."""

    has_front_matter: bool
    data: dict[str, Any] = field(default_factory=dict)
    """The front matter's fields ({} when it is empty, unclosed or unreadable)."""
    error: str = ""
    """Why Jekyll could not read the front matter: it skips past it (or, with
    `strict_front_matter`, stops the build)."""
    why_static: str = ""
    """Why Jekyll sees no front matter in the file."""
    not_utf8: bool = False
    """Bytes that are not UTF-8: converting the file as Markdown stops Jekyll's build."""
    unclosed: bool = False
    """Opened by `---` but closed by no `---` or `...` line: a document with no fields, all
    of it body (so a `published:` line written into it does nothing)."""

    @classmethod
    def of(cls, mapping: Mapping[str, Any]) -> JekyllFile:
        """A file whose front matter the caller has loaded (to MAPPING)."""
        return cls(True, dict(mapping))

    @classmethod
    def failed(cls, why: str) -> JekyllFile:
        """A file with front matter Jekyll cannot load (a YAML error), WHY in words."""
        return cls(True, error=why)


def read_as_jekyll(
    data: bytes, text: str | None = None, known: tuple[str, Any] | None = None
) -> JekyllFile:
    """DATA (the whole file, or at least all its front matter) as Jekyll reads it.

    TEXT may give DATA decoded as UTF-8 already; KNOWN, a front matter's YAML source and
    what the project's loader made of it (reused when Jekyll reads the same source and
    Psych would read it alike, so a file is loaded once: then only the fields of KEPT are
    sure to be Psych's reading)."""
    first_line = data.split(b"\n", 1)[0] + (b"\n" if b"\n" in data else b"")
    if not _HEADER.match(first_line):
        return JekyllFile(False, why_static=why_no_front_matter(data))
    if text is None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as error:
            why = f"not UTF-8 (byte {error.start}), so Jekyll cannot read its front matter"
            return JekyllFile(True, error=why, not_utf8=True)
    source = _source(text)
    if source is None:
        return JekyllFile(True, unclosed=True)
    try:
        if known is not None and _same(known[0], source) and _psych_agrees(source, known[1]):
            loaded = known[1]
        else:
            loaded = load_psych(source)
    except (ValueError, RecursionError) as error:
        return JekyllFile.failed(str(error) or "YAML too deep to read")
    if loaded is None or loaded is False:
        return JekyllFile(True)
    if not isinstance(loaded, dict):
        return JekyllFile.failed(f"front matter is a {type(loaded).__name__}, not a mapping")
    return JekyllFile(True, {str(k): v for k, v in loaded.items()})


def _source(text: str) -> str | None:
    """The YAML of the front matter as `_FRONT_MATTER` finds it (the lines after the first,
    up to the first `---` or `...` line), None when no such line closes it; found with
    `str.find`, which is faster than the regular expression on long front matter."""
    first = text.find("\n")
    if first < 0:
        return None
    ends = []
    for mark in ("\n---", "\n..."):
        at = text.find(mark, first)
        while at >= 0 and _CLOSE_REST.match(text, at + 4) is None:
            at = text.find(mark, at + 1)
        if at >= 0:
            ends.append(at)
    return text[first + 1 : min(ends) + 1] if ends else None


_CLOSE_REST = re.compile(r"[ \t\r\f\v]*(?:\n|\Z)")
"""The rest of a closing line after `---` or `...`: Ruby's `\\s*$`."""


def _psych_agrees(source: str, loaded: Any) -> bool:
    """Whether Psych reads SOURCE (which the project's loader made LOADED of) alike, as far
    as the fields of KEPT go: no symbol anywhere (Psych refuses the whole front matter), and
    no `published:` text that Psych would take for a boolean (`fAlSe`)."""
    hinted = source.startswith(":") or any(hint in source for hint in _SYMBOL_MARKS)
    if hinted and _SYMBOL_HINT.search(source):
        return False
    value = loaded.get("published") if isinstance(loaded, dict) else None
    return not (isinstance(value, str) and _BOOL.match(value))


def _same(ours: str, jekylls: str) -> bool:
    """Whether two front-matter sources load alike: the same but for line ends (YAML reads
    CRLF as LF) and the newlines before the closing line."""
    return ours.rstrip("\r\n").replace("\r\n", "\n") == jekylls.rstrip("\r\n").replace("\r\n", "\n")


def why_no_front_matter(data: bytes) -> str:
    """Why Jekyll sees no front matter: the likely cause, for a file meant to have some."""
    head = data[:64]
    if head.startswith(b"\xef\xbb\xbf---"):
        return "a UTF-8 byte-order mark before `---`"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16 text"
    if head.startswith((b"-\x00-\x00-\x00", b"\x00-\x00-\x00-")):
        return "UTF-16 text without a byte-order mark"
    if head.startswith(b"---") and b"\r" in head and b"\n" not in data:
        return "old Mac line endings (CR only): the first line never ends"
    if head.startswith(b"---"):
        return "text after `---` on the first line"
    stripped = data.lstrip()
    if stripped.startswith(b"---") and not data.startswith(b"---"):
        return "blank lines or spaces before `---`"
    line_end = data.find(b"\n", 0, 200)
    if line_end > 0 and data[:line_end].rstrip().endswith(b"---"):
        return "stray characters before `---`"
    return "no `---` line at the top"


# -- what the index keeps -------------------------------------------------------------------

_DATETIME, _DATE, _OTHER = "\x00t", "\x00d", "\x00r"
"""Tags of values JSON has no type for (a key no YAML mapping of text can hold)."""


def _tagged(value: Any) -> Any:
    """VALUE as JSON can hold it, a date or time (or an odd YAML type) tagged."""
    if isinstance(value, datetime):
        return {_DATETIME: value.isoformat()}
    if isinstance(value, date):
        return {_DATE: value.isoformat()}
    if value is None or isinstance(value, str | bool | int | float):
        return value
    if isinstance(value, list):
        return [_tagged(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _tagged(v) for k, v in value.items()}
    return {_OTHER: repr(value)[:200]}


def _untagged(value: Any) -> Any:
    """The inverse of `_tagged` (an odd type comes back as its text)."""
    if isinstance(value, list):
        return [_untagged(v) for v in value]
    if not isinstance(value, dict):
        return value
    if len(value) == 1:
        (tag, inner), = value.items()
        if tag == _DATETIME:
            return datetime.fromisoformat(inner)
        if tag == _DATE:
            return date.fromisoformat(inner)
        if tag == _OTHER:
            return inner
    return {k: _untagged(v) for k, v in value.items()}


PLAIN = None
"""The record of the common file: front matter Jekyll reads, none of KEPT in it."""


def to_record(file: JekyllFile) -> str | None:
    """What the index keeps of FILE (PLAIN for the common case), as short JSON."""
    kept = {k: _tagged(file.data[k]) for k in KEPT if k in file.data}
    if file.has_front_matter and not (kept or file.error or file.unclosed or file.not_utf8):
        return PLAIN
    record: dict[str, Any] = {"d": kept} if kept else {}
    if not file.has_front_matter:
        record["s"] = file.why_static
    record |= {"e": file.error} if file.error else {}
    record |= {"u": 1} if file.unclosed else {}
    record |= {"n": 1} if file.not_utf8 else {}
    return json.dumps(record, separators=(",", ":"))


def from_record(record: str | None) -> JekyllFile:
    """The JekyllFile `to_record` kept (with only the fields of KEPT)."""
    if record is PLAIN:
        return JekyllFile(True)
    found = json.loads(record)
    return JekyllFile(
        "s" not in found,
        {k: _untagged(v) for k, v in found.get("d", {}).items()},
        error=found.get("e", ""),
        why_static=found.get("s", ""),
        not_utf8=bool(found.get("n")),
        unclosed=bool(found.get("u")),
    )

"""One file's bytes as Jekyll 4.3 reads them: front matter found where, and loaded how."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from reader.data.site.yaml_psych import load_psych

# Utils.has_yaml_header?: the first line (up to the first LF) must be `---` and spaces.
_HEADER = re.compile(rb"\A---\s*\r?\n")
# Document::YAML_FRONT_MATTER_REGEXP, Ruby's /m being Python's DOTALL; `^`/`$` are lines.
_FRONT_MATTER = re.compile(
    r"\A(---\s*\n.*?\n?)^((---|\.\.\.)\s*$\n?)", re.DOTALL | re.MULTILINE | re.ASCII
)


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


def read_as_jekyll(data: bytes) -> JekyllFile:
    """DATA (the whole file, or at least all its front matter) as Jekyll reads it."""
    first_line = data.split(b"\n", 1)[0] + (b"\n" if b"\n" in data else b"")
    if not _HEADER.match(first_line):
        return JekyllFile(False, why_static=_why_no_header(data))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        why = f"not UTF-8 (byte {error.start}), so Jekyll cannot read its front matter"
        return JekyllFile(True, error=why, not_utf8=True)
    match = _FRONT_MATTER.match(text)
    if match is None:
        return JekyllFile(True, unclosed=True)
    source = match.group(1).split("\n", 1)[1] if "\n" in match.group(1) else ""
    try:
        loaded = load_psych(source)
    except (ValueError, RecursionError) as error:
        return JekyllFile.failed(str(error) or "YAML too deep to read")
    if loaded is None or loaded is False:
        return JekyllFile(True)
    if not isinstance(loaded, dict):
        return JekyllFile.failed(f"front matter is a {type(loaded).__name__}, not a mapping")
    return JekyllFile(True, {str(k): v for k, v in loaded.items()})


def _why_no_header(data: bytes) -> str:
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

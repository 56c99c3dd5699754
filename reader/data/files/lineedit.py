"""The one `published:` line of a front matter, in bytes: find it, change it, verify the change."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from typing import Any

import yaml

from reader.data.files import lineproof
from reader.data.files.parse import YamlLoader

UTF8_BOM = b"\xef\xbb\xbf"
# The same `---` lines as reader.data.files.parse finds them (there on text, here on bytes: the
# encodings it reads keep ASCII as it is, so both see the same lines).
_OPEN = re.compile(rb"---[ \t]*(\r?\n)")
_CLOSE_REST = re.compile(rb"[ \t]*(?:\r?\n|\Z)")
"""What follows `\\n---` on a closing line."""
_KEY = re.compile(rb"""^(?:published|"published"|'published')[ \t]*:(?=[ \t\r\n]|\Z)""", re.M)
_DOUBLE = re.compile(rb'"(?:[^"\\]|\\.)*"')
_SINGLE = re.compile(rb"'(?:[^']|'')*'")
_PLAIN_END = re.compile(rb"[ \t]#|\r")


class Refused(Exception):
    """The file cannot be edited safely; `code` says which kind of refusal, the text why."""

    def __init__(self, code: str, why: str):
        """A refusal of kind `code`, saying `why`."""
        super().__init__(why)
        self.code = code
        self.why = why


@dataclass(frozen=True, slots=True)
class LineEdit:
    """One line replaced (or added, when old_line is empty) at one byte offset."""

    offset: int
    """Where the line starts, in the old file and in the new one."""
    old_line: bytes
    """The whole line with its line ending; empty when the line is added."""
    new_line: bytes

    def apply(self, data: bytes) -> bytes:
        """The new file from the old one."""
        return data[: self.offset] + self.new_line + data[self.offset + len(self.old_line) :]

    def revert(self, data: bytes) -> bytes:
        """The old file from the new one."""
        return data[: self.offset] + self.old_line + data[self.offset + len(self.new_line) :]


@dataclass(frozen=True, slots=True)
class _Span:
    """Where the front matter lies in a file's bytes."""

    start: int
    """The first byte after the opening `---` line."""
    end: int
    """The first byte of the closing `---` (or `...`) line."""
    eol: bytes
    """The file's own line ending: that of its first line."""


def _span(data: bytes) -> _Span:
    """Find the front matter as the project's parser does; refuse a file without one."""
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise Refused("encoding", "UTF-16 file: not rewritten")
    at = len(UTF8_BOM) if data.startswith(UTF8_BOM) else 0
    opening = _OPEN.match(data, at)
    if opening is None:
        raise Refused("press", "no front matter (a plain-text release): not rewritten")
    end = _close(data, opening.end() - 1)
    if end <= opening.end():
        raise Refused("verify", "front matter not closed by a `---` or `...` line, or empty")
    return _Span(opening.end(), end, opening.group(1))


def _close(data: bytes, start: int) -> int:
    """The first byte of the first `---` or `...` line (YAML's end of document, which
    Jekyll and the parser take as a closer too) after the newline at or after `start`, or -1.

    As `re.search(rb"(\\r?\\n)(?:---|\\.\\.\\.)[ \\t]*(?:\\r?\\n|\\Z)", data[start:])` finds
    it, but looking for the literals rather than trying a pattern at every byte.
    """
    found = [_first(data, start, mark) for mark in (b"\n---", b"\n...")]
    return min((at for at in found if at >= 0), default=-1)


def _first(data: bytes, start: int, mark: bytes) -> int:
    """The first byte of the first line that is `mark` (after its newline) at or after
    `start`, up to blanks and its line ending, or -1."""
    at = data.find(mark, start)
    while at >= 0 and _CLOSE_REST.match(data, at + 4) is None:
        at = data.find(mark, at + 1)
    return at + 1 if at >= 0 else -1


def _value_end(content: bytes, at: int) -> int:
    """Where the value that starts at `at` ends (a quoted one may not run past its line)."""
    quote = content[at : at + 1]
    if quote == b'"':
        match = _DOUBLE.match(content, at)
    elif quote == b"'":
        match = _SINGLE.match(content, at)
    else:
        stop = _PLAIN_END.search(content, at)
        return len(content[: stop.start() if stop else len(content)].rstrip(b" \t"))
    if match is None:
        raise Refused("verify", "`published:` value runs on past its line: not rewritten")
    return match.end()


def _value_start(content: bytes, key_end: int) -> tuple[int, int]:
    """(start, end) of the value after a key; equal when the value is empty (null)."""
    at = key_end + len(content[key_end:]) - len(content[key_end:].lstrip(b" \t"))
    if content[at : at + 1] in (b"|", b">", b"[", b"{"):
        raise Refused("verify", "`published:` holds a block or a collection: not rewritten")
    if at == len(content) or content[at : at + 1] in (b"#", b"\r"):
        return at, at
    return at, _value_end(content, at)


def _last_key(data: bytes, span: _Span) -> re.Match[bytes] | None:
    """The last `published:` key at the start of a front-matter line (`_KEY`), or None.

    The last match of `_KEY.finditer(data, span.start, span.end)`, found from the
    literal: only a line that starts with the word (or a quote and it) can match.
    """
    at = data.rfind(b"published", span.start, span.end)
    while at >= 0:
        line = at - 1 if at > span.start and data[at - 1] in b"\"'" else at
        if data[line - 1] == 10:  # a line start: the front matter starts after a newline
            key = _KEY.match(data, line, span.end)
            if key is not None:
                return key
        at = data.rfind(b"published", span.start, at)
    return None


def published_edit(data: bytes, value: bool) -> LineEdit:
    """The edit that makes the last top-level `published:` say `value`, or adds that line.

    Only the value changes: the key's spelling, the spaces, a trailing comment and the
    line ending stay. A missing key gets `published: VALUE` just before the closing `---`,
    with the file's own line ending. Raises Refused when the file cannot take the edit.
    """
    span = _span(data)
    word = b"true" if value else b"false"
    key = _last_key(data, span)  # YAML keeps the last of duplicate keys
    if key is None:
        return LineEdit(span.end, b"", b"published: " + word + span.eol)
    start = key.start()
    line = data[start : data.index(b"\n", start) + 1]
    eol = b"\r\n" if line.endswith(b"\r\n") else b"\n"
    content = line[: -len(eol)]
    at, stop = _value_start(content, key.end() - start)
    before, after = content[:at], content[stop:]
    if not before.endswith((b" ", b"\t")):
        before += b" "  # `published:` with nothing after it
    if at == stop and after.startswith(b"#"):
        after = b" " + after  # keep an empty value apart from its comment
    return LineEdit(start, line, before + word + after + eol)


def old_value(edit: LineEdit) -> str:
    """The value the edited line held, as text for a report ('' when the line is added)."""
    if not edit.old_line:
        return ""
    content = edit.old_line.rstrip(b"\r\n")
    key = _KEY.match(content)
    assert key is not None
    at, stop = _value_start(content, key.end())
    return content[at:stop].decode("utf-8", "replace")


# -- verification ------------------------------------------------------------------------


def _text(front: bytes) -> tuple[str, bool]:
    """Front-matter bytes as text, the same way for the old and the new file; and whether
    they were UTF-8 (else they are read as cp1252)."""
    try:
        return front.decode("utf-8"), True
    except UnicodeDecodeError:
        return front.decode("cp1252", "replace"), False


_STR = "tag:yaml.org,2002:str"
_BOOL = "tag:yaml.org,2002:bool"
_Pairs = list[tuple[Any, Any]]


class _Loader(YamlLoader):
    """The articles' loader, remembering what tag each short scalar resolves to.

    A tag depends only on the node's kind, its text and how it was written (the loader
    has no path resolvers), so a remembered one is the one the loader would find again;
    most front matters repeat the same keys and short values.
    """

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        """The tag the loader gives this scalar, remembered for a short one."""
        if not _MEMO:
            return str(super().resolve(kind, value, implicit))
        key = (kind, value, implicit)
        tag = _TAGS.get(key)
        if tag is None:
            tag = super().resolve(kind, value, implicit)
            if value is None or len(value) <= _REMEMBER:
                if len(_TAGS) >= _REMEMBERED:
                    _TAGS.clear()
                _TAGS[key] = tag
        return tag


_REMEMBER = 80
"""Longest scalar text whose tag is remembered."""
_REMEMBERED = 50_000
"""Most tags remembered; then forgotten all at once."""
_TAGS: dict[tuple[Any, Any, Any], str] = {}
_MEMO = not YamlLoader.yaml_path_resolvers
"""Path resolvers would make a tag depend on where its node is too: none, as in SafeLoader."""


def _compose(text: str) -> Any:
    """The YAML `text` composed into one node tree (nothing constructed)."""
    loader = _Loader(text)
    try:
        return loader.get_single_node()
    finally:
        loader.dispose()


@dataclass(frozen=True, slots=True)
class _Front:
    """A front matter composed into YAML nodes: each value with its resolved tag."""

    root: yaml.MappingNode
    span: _Span
    text: str
    """What was composed."""
    utf8: bool
    """Whether the text is the bytes read as UTF-8 (else as cp1252)."""


def _root(data: bytes, which: str) -> _Front:
    """The front matter composed; Refused when it does not load or is no mapping."""
    span = _span(data)
    text, utf8 = _text(data[span.start : span.end])
    try:
        node = _compose(text)
    except (yaml.YAMLError, RecursionError) as error:
        why = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise Refused("verify", f"the {which} front matter does not load: {why}") from None
    if not isinstance(node, yaml.MappingNode):
        raise Refused("verify", f"the {which} front matter is not a mapping")
    return _Front(node, span, text, utf8)


def _published(pairs: _Pairs) -> list[int]:
    """Where `published` is a key of the root mapping (YAML keeps the last)."""
    return [
        i
        for i, (key, _) in enumerate(pairs)
        if isinstance(key, yaml.ScalarNode) and key.tag == _STR and key.value == "published"
    ]


def _nodes(pairs: _Pairs, leave_out: int = -1) -> list[Any]:
    """The key and value nodes of mapping entries, in order, but the one at `leave_out`."""
    return [node for i, pair in enumerate(pairs) if i != leave_out for node in pair]


def _same(old: list[Any], new: list[Any]) -> bool:
    """Whether two lists of nodes are alike: tags, values and shapes, all the way down.

    A loader builds each value from its node's tag and text alone, so alike nodes load
    as equal values. Aliases (one node in two places) are compared once.
    """
    if len(old) != len(new):
        return False
    stack = list(zip(old, new, strict=True))
    pop, push = stack.pop, stack.extend
    seen: set[tuple[int, int]] = set()
    while stack:
        a, b = pop()
        kind = a.__class__
        if kind is not b.__class__ or a.tag != b.tag:
            return False
        if kind is _SCALAR:
            if a.value != b.value:
                return False
            continue
        if (id(a), id(b)) in seen:
            continue
        seen.add((id(a), id(b)))
        if len(a.value) != len(b.value):
            return False
        if kind is _MAPPING:  # entries are (key, value) pairs: compare both, in order
            push(zip(_flat(a.value), _flat(b.value), strict=True))
        else:
            push(zip(a.value, b.value, strict=True))
    return True


_SCALAR, _MAPPING = yaml.ScalarNode, yaml.MappingNode
_flat = itertools.chain.from_iterable


def verify(old: bytes, edit: LineEdit, value: bool) -> bytes:
    """The new bytes, once checked to load as the old ones but for `published: VALUE`.

    Both front matters are parsed with the project's YAML loader into nodes (each value
    with the tag it resolves to, as Jekyll would read it). Every entry of the root
    mapping but `published` must be the same, in the same order, and the new last
    `published` must be a plain boolean VALUE. A replaced line keeps its entry's place;
    an added one is a new last entry, where the old file had no `published` key.
    Raises Refused otherwise. When the edit only swaps a one-line plain value for the word,
    neither is composed: `_only_the_value` shows they would pass.
    """
    new = edit.apply(old)
    if _only_the_value(old, edit, value):
        return new
    was, now = _root(old, "old").root, _root(new, "new").root
    found = _published(now.value)
    if not found:
        raise Refused("verify", "no `published` key at the top of the new front matter")
    slot = found[-1]
    key, target = now.value[slot]
    if not (
        isinstance(target, yaml.ScalarNode)
        and target.tag == _BOOL
        and target.value == ("true" if value else "false")
        and not target.style
    ):
        raise Refused("verify", f"the new `published:` would not read as {str(value).lower()}")
    if edit.old_line:
        kept = _published(was.value)[-1:] == [slot] and _same(
            [*_nodes(was.value, slot), was.value[slot][0]], [*_nodes(now.value, slot), key]
        )
    else:
        if _published(was.value):
            raise Refused("verify", "a `published` key is there, though not on a line of its own")
        kept = slot == len(now.value) - 1 and _same(_nodes(was.value), _nodes(now.value[:slot]))
    if not kept or was.tag != now.tag:
        raise Refused("verify", "the change would reach beyond the `published:` value")
    return new


# -- the new front matter known from the old one ---------------------------------------


def _only_the_value(old: bytes, edit: LineEdit, value: bool) -> bool:
    """Whether the new front matter surely composes as the old one but for the last
    top-level `published` value, which becomes the plain word `true` or `false`: then
    `verify` would pass it, and need not compose either. False when unsure (an added
    line, an empty, quoted, tagged, anchored or multi-line value, a cp1252 file...).

    It is sure when the edit swaps the characters of a plain scalar, on one line, for the
    word, and that scalar is the value of the last `published` key of the root block
    mapping of a front matter that composes, the key at the start of the same line
    (`lineproof.only_the_value` shows both from libyaml's events). libyaml then scans the
    new text as the old: up to the value the bytes are the same; the word is a plain
    scalar that ends where the old value did (before the same blank or line break), with
    the scanner in the same state (no pending blanks or breaks, block context, the same
    line); what follows is the same bytes, at the same columns from the next line on
    (those left on this line are past the value, beyond the indentation of the mapping,
    the one that a plain scalar checks). So the tokens and events are the same but for
    that scalar's text. Its event has no anchor or tag (the node's marks would take them
    in, and its value would not be all the text), so the nodes, aliases included, are the
    same but for that value, which resolves from the word to a plain boolean.
    """
    if not lineproof.FAST:
        return False
    try:
        span = _span(old)
        text = old[span.start : span.end].decode("utf-8")
    except (Refused, UnicodeDecodeError):
        return False
    found = _value_chars(old, edit, value, span)
    return found is not None and lineproof.only_the_value(text, *found)


def _value_chars(
    old: bytes, edit: LineEdit, value: bool, span: _Span
) -> tuple[int, int, int] | None:
    """Where, in the front matter's text, the edited line starts and its one-line plain
    value starts and ends, when the edit replaces that value, and only it, with the word
    (the bytes around stay, and a blank or a line break follows it); else None."""
    line, at, stop = edit.old_line, edit.offset, edit.offset + len(edit.old_line)
    key = _KEY.match(line)
    if not (key and line.count(b"\n") == 1 and line[-1:] == b"\n" and span.start <= at):
        return None
    if not (stop <= span.end and old[at - 1] == 10 and old[at:stop] == line):
        return None
    content = line[: -2 if line.endswith(b"\r\n") else -1]
    try:
        begin, end = _value_start(content, key.end())
    except Refused:
        return None
    word = b"true" if value else b"false"
    if begin == end or line[end] not in b" \t\r\n":
        return None
    if edit.new_line != line[:begin] + word + line[end:]:
        return None
    first = len(old[span.start : at].decode("utf-8"))
    start = first + begin  # the key, the colon and the blanks before the value are ASCII
    return first, start, start + len(content[begin:end].decode("utf-8"))

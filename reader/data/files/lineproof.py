"""Show, without composing either front matter, that an edit changes only the `published:` value.

`lineedit.verify` asks this first: `only_the_value` is True only where composing the old
and the new front matter and comparing them would pass the edit too; where it is unsure
(False), `verify` composes both and compares them.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from reader.data.files.parse import YamlLoader

FAST = issubclass(YamlLoader, getattr(yaml, "CSafeLoader", ()))
"""Whether articles load with libyaml, whose scanner and parser `only_the_value` reasons
about (its events, and `raw_parse`, which runs its parser with no Python objects)."""
_STR = "tag:yaml.org,2002:str"
_NODES = (ScalarEvent, AliasEvent, MappingStartEvent, SequenceStartEvent)
_ENDS = (MappingEndEvent, SequenceEndEvent)
_WORD = re.compile(r"\w")
_INSIDE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789=")
"""Characters after which `&` or `*` belongs to the scalar (or tag) being read."""
_BREAKS = "\r\n\x85\u2028\u2029"
"""What libyaml takes for a line break."""
_LETTER_ESCAPES = frozenset("xuU" + _BREAKS)
"""What may follow a backslash that makes a letter, or joins two lines, in a double-quoted
scalar."""


def only_the_value(text: str, first: int, start: int, stop: int) -> bool:
    """Whether the front matter `text` surely composes, with the key at character `first`
    the last `published` key of its root block mapping, and that key's value a plain
    scalar (no anchor, no tag) that is exactly `text[start:stop]`.

    Then an edit that swaps those characters, on one line, for the word `true` or `false`
    leaves a front matter that composes as this one but for that value (the reasoning is
    in `lineedit.verify`). The events are walked, as the composer would meet them (with its
    checks: each alias names an earlier anchor, no anchor twice, one document), up to that
    value; the rest only goes through libyaml's parser, when nothing in it could be an
    anchor, an alias, a `published` key or a second document (`_rest_is_plain`), else
    through the same walk. False when unsure, or when the text does not parse.
    """
    loader = YamlLoader(text)
    try:
        return _Walk(loader, text).to_the_end(first, start, stop)
    except (yaml.YAMLError, RecursionError):
        return False
    finally:
        loader.dispose()


def _rest_is_plain(text: str, stop: int) -> bool:
    """Whether nothing from `stop` on can be a root key that composes as `published`, an
    anchor or alias, or the start of another document.

    A key equal to `published` is those nine letters in a row in the text, but for an
    escape of a double-quoted scalar that makes a letter (`\\x`, `\\u`, `\\U`) or joins
    two lines (a backslash before a line break): folding puts a blank or a break between
    the parts of a scalar, and a word character before or after the letters would belong
    to the same scalar (a scalar starts after a blank or an indicator, and none ends at a
    word character that another token could follow at once). Likewise an anchor or alias
    starts with `&` or `*` after a blank, an indicator or the start of a line, never right
    after a letter, a digit or `=` (there the character belongs to the scalar, tag, anchor
    or alias being read). A second document needs a `---` (or a `...`) at a line's start.
    """
    for mark, bad in _SUSPECTS:
        at = text.find(mark, stop)
        while at >= 0:
            if bad(text, at):
                return False
            at = text.find(mark, at + 1)
    return True


def _line_start(text: str, at: int) -> bool:
    """Whether the `---` or `...` at `at` starts a line."""
    return text[at - 1 : at] in _BREAKS


def _word_around(text: str, at: int) -> bool:
    """Whether the `published` at `at` could be a whole scalar: no word character before
    or after it."""
    return not (at and _WORD.match(text, at - 1)) and not _WORD.match(text, at + 9)


def _escapes(text: str, at: int) -> bool:
    """Whether the backslash at `at` could be an escape that makes a letter or joins lines."""
    return text[at + 1 : at + 2] in _LETTER_ESCAPES or at + 1 == len(text)


def _starts(text: str, at: int) -> bool:
    """Whether the `&` or `*` at `at` could start an anchor or an alias."""
    return not at or text[at - 1] not in _INSIDE


class _Walk:
    """The events of one front matter, as `only_the_value` walks them."""

    def __init__(self, loader: Any, text: str):
        """The walk of `text`, whose events `loader` gives."""
        self.loader = loader
        self.text = text
        self.anchors: dict[str, bool] = {}
        """Each anchor so far, and whether its node composes as the string `published`."""

    def to_the_end(self, first: int, start: int, stop: int) -> bool:
        """See `only_the_value`."""
        get = self.loader.get_event
        get(), get()  # the stream's start, the document's
        root = get()
        if root.__class__ is not MappingStartEvent or root.flow_style:
            return False
        self._anchor(root)
        key, depth, found = True, 1, False
        while depth:
            event = get()
            kind = event.__class__
            if kind in _ENDS:
                depth -= 1
                key ^= depth == 1
                continue
            if kind not in _NODES or not self._anchor(event):
                return False
            if depth > 1:
                depth += kind is MappingStartEvent or kind is SequenceStartEvent
                continue
            if key and self._is_published(event):
                if found:
                    return False  # a later `published` key: YAML keeps that one
                if event.start_mark.index == first:
                    if not self._value(start, stop):
                        return False
                    if _rest_is_plain(self.text, stop):
                        self.loader.raw_parse()  # to the stream's end, or a YAMLError
                        return True
                    found = True
                    continue  # its value read: the next node is a key again
            elif key and event.start_mark.index == first:
                return False  # the edited line's key is no `published` key
            if kind is ScalarEvent or kind is AliasEvent:
                key = not key
            else:
                depth += 1
        get()  # the document's end
        return found and get().__class__ is StreamEndEvent

    def _anchor(self, event: Any) -> bool:
        """Note the event's anchor, and whether its node composes as the string
        `published`; False where the composer refuses the document (an alias to no
        earlier anchor, an anchor used twice)."""
        anchor = event.anchor
        if anchor is None:
            return True
        if event.__class__ is AliasEvent:
            return anchor in self.anchors
        if anchor in self.anchors:
            return False
        self.anchors[anchor] = self._is_published(event)
        return True

    def _is_published(self, event: Any) -> bool:
        """Whether an event's node composes as the string `published` (an alias, as the
        node it names)."""
        if event.__class__ is AliasEvent:
            return self.anchors.get(event.anchor or "", False)
        if event.__class__ is not ScalarEvent or event.value != "published":
            return False
        tag = event.tag
        if tag is None or tag == "!":  # as the composer resolves it
            tag = self.loader.resolve(yaml.ScalarNode, event.value, event.implicit)
        return bool(tag == _STR)

    def _value(self, start: int, stop: int) -> bool:
        """Whether the next event is a plain scalar with no anchor or tag that is exactly
        the characters from `start` to `stop`."""
        event = self.loader.get_event()
        kind = event.__class__  # (not narrowing: a scalar's marks are always set)
        return (
            kind is ScalarEvent
            and not event.style
            and event.tag is None
            and event.anchor is None
            and (event.start_mark.index, event.end_mark.index) == (start, stop)
            and event.value == self.text[start:stop]
        )


_SUSPECTS = (
    ("---", _line_start), ("...", _line_start), ("published", _word_around), ("\\", _escapes),
    ("&", _starts), ("*", _starts),
)  # fmt: skip
"""What to look for after the edited value, and whether each one found may matter."""

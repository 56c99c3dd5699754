"""Front-matter YAML to Python values, safely: what would crash or swamp libyaml is refused."""

from __future__ import annotations

import re
from typing import Any

import yaml

MAX_DEPTH = 64
"""Deepest YAML nesting accepted; libyaml segfaults on very deep nesting, so it is refused first."""
MAX_NODES = 200_000
"""Most YAML nodes a front matter may expand to through aliases (a billion laughs stops here)."""

_Base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):
    """The safe loader, except that a timestamp it cannot build stays a string for us."""


def _timestamp(loader: Any, node: yaml.ScalarNode) -> Any:
    """A YAML timestamp as a datetime, or its text when it cannot be one."""
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)
YamlLoader: Any = _Loader
"""The loader articles are read with: safe, C-fast when it can, lenient with timestamps."""

_STR = "tag:yaml.org,2002:str"
_SEQ = "tag:yaml.org,2002:seq"
_MAP = "tag:yaml.org,2002:map"
_PLAIN_TAGS = frozenset(
    f"tag:yaml.org,2002:{name}" for name in ("null", "bool", "int", "float", "timestamp")
)
"""The scalar tags whose constructors `_PlainLoader` calls as they are."""


class _PlainLoader(_Loader):
    """`_Loader`, faster for the plain documents nearly every front matter is.

    SafeLoader's constructor is Python, and goes through bookkeeping a document without
    aliases needs none of: a memo of every node, generators that fill each mapping later
    (for recursive documents), path resolvers around every node. This loader builds a
    document whose nodes are only strings, the plain scalars, sequences and mappings in one
    recursive pass, and hands anything else (a merge key, a tag of its own, a key that
    cannot be hashed, any error) to SafeLoader's constructor, which builds or refuses it as
    always. Used only on a source without `*`, so no node is reached twice.
    """

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        """Nothing to do: the loader has no path resolvers (see `_plain_ok`)."""

    def ascend_resolver(self) -> None:
        """Nothing to do: the loader has no path resolvers (see `_plain_ok`)."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        """BaseResolver.resolve without path resolvers or wildcard implicit ones."""
        if kind is yaml.ScalarNode:
            if implicit[0]:
                for tag, regexp in self.yaml_implicit_resolvers.get(value[:1], ()):
                    if regexp.match(value):
                        return str(tag)
            return _STR
        return str(super().resolve(kind, value, implicit))

    def construct_document(self, node: Any) -> Any:
        """The document in one pass, else as SafeLoader builds it."""
        try:
            return self._plain(node)
        except Exception:  # not plain (or bad): the full constructor decides what it is
            return super().construct_document(node)

    def _plain(self, node: Any) -> Any:
        """One node's value; raises on anything that is not plain."""
        tag = node.tag
        if tag == _STR:
            if type(node) is not yaml.ScalarNode:
                raise ValueError(tag)
            return node.value
        if tag in _PLAIN_TAGS:
            if type(node) is not yaml.ScalarNode:
                raise ValueError(tag)
            return self.yaml_constructors[tag](self, node)
        if tag == _SEQ and type(node) is yaml.SequenceNode:
            return [self._plain(child) for child in node.value]
        if tag == _MAP and type(node) is yaml.MappingNode:
            mapping = {}
            for key_node, value_node in node.value:
                if key_node.tag not in (_STR, *_PLAIN_TAGS):  # `<<`, `=`, a mapping key
                    raise ValueError(key_node.tag)
                mapping[self._plain(key_node)] = self._plain(value_node)
            return mapping
        raise ValueError(tag)


def _plain_ok() -> bool:
    """Whether `_PlainLoader` resolves as `_Loader` does: no path resolvers, no implicit
    resolver for every first character, and the usual constructors of its scalar tags."""
    constructors = _Loader.yaml_constructors
    return (
        not _Loader.yaml_path_resolvers
        and None not in _Loader.yaml_implicit_resolvers
        and constructors.get(_STR) is yaml.SafeLoader.construct_yaml_str
        and constructors.get(_SEQ) is yaml.SafeLoader.construct_yaml_seq
        and constructors.get(_MAP) is yaml.SafeLoader.construct_yaml_map
    )


_PLAIN = _plain_ok()

_RAW_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_DEEP_INDENT = re.compile(rf"^ {{{MAX_DEPTH * 4},}}\S", re.MULTILINE)
_DEEP_DASHES = re.compile(rf"(?:- ){{{MAX_DEPTH},}}")


class _Refused(Exception):
    """The file is not an article; the message says why."""


def load_yaml(source: str) -> Any:
    """The YAML between the `---` lines, loaded after the checks libyaml needs; raises _Refused."""
    bad = _RAW_CONTROL.search(source)
    if bad:
        line = source.count("\n", 0, bad.start()) + 2
        raise _Refused(
            f"raw control character U+{ord(bad.group()):04X} on line {line} (invalid YAML)"
        )
    _check_depth(source)
    if "*" in source and "&" in source:
        _check_aliases(source)
    # Without `*` there is no alias: no node is shared, which `_PlainLoader` relies on.
    loader = _PlainLoader if _PLAIN and "*" not in source else _Loader
    try:
        return yaml.load(source, Loader=loader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        where = f" at line {mark.line + 2}, column {mark.column + 1}" if mark else ""
        raise _Refused(f"invalid YAML{where}: {error.problem or error.context}") from None
    except yaml.YAMLError as error:
        raise _Refused(f"invalid YAML: {error}") from None


def _check_depth(source: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH, by brackets or by indentation."""
    if source.count("[") + source.count("{") > MAX_DEPTH:
        depth = deepest = 0
        for char in re.sub(r"[^\[\]{}]", "", source):
            depth = depth + 1 if char in "[{" else max(depth - 1, 0)
            deepest = max(deepest, depth)
        if deepest > MAX_DEPTH:
            raise _Refused(f"YAML nested deeper than {MAX_DEPTH} levels")
    # Each regex only runs when the literal it needs is there: both are rare and slow.
    if (" " * MAX_DEPTH * 4 in source and _DEEP_INDENT.search(source)) or (
        "- " * MAX_DEPTH in source and _DEEP_DASHES.search(source)
    ):
        raise _Refused(f"YAML nested deeper than {MAX_DEPTH} levels")


def _check_aliases(source: str) -> None:
    """Refuse front matter whose aliases would expand to more than MAX_NODES nodes."""
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = [[0, None]]
    for event in yaml.parse(source, Loader=_Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            stack.append([1, event.anchor])
            continue
        if isinstance(event, yaml.CollectionEndEvent):
            size, anchor = stack.pop()
        elif isinstance(event, yaml.AliasEvent):
            size, anchor = sizes.get(event.anchor or "", 1), None
        elif isinstance(event, yaml.ScalarEvent):
            size, anchor = 1, event.anchor
        else:
            continue
        if anchor:
            sizes[anchor] = size
        stack[-1][0] += size
        if stack[-1][0] > MAX_NODES:
            raise _Refused(f"YAML aliases expand to more than {MAX_NODES:,} nodes (alias bomb)")

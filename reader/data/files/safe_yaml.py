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
    try:
        return yaml.load(source, Loader=_Loader)
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

"""reader.data.files.safe_yaml:
Front-matter YAML loaded safely, hostile YAML refused before libyaml."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from reader.data.files import parse
from reader.data.files import safe_yaml as parse_yaml
from reader.data.files.safe_yaml import MAX_DEPTH, MAX_NODES, YamlLoader, _Refused, load_yaml


def alias_bomb(levels: int = 10) -> str:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("name", ["MAX_DEPTH", "MAX_NODES", "YamlLoader"])
def test_the_names_are_still_importable_from_parse(name: str) -> None:
    assert getattr(parse, name) is getattr(parse_yaml, name)


LOADED = [
    pytest.param("title: A title\n", {"title": "A title"}, id="plain"),
    pytest.param("a: &x [1, 2]\nb: *x\n", {"a": [1, 2], "b": [1, 2]}, id="small-alias"),
    pytest.param("n: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n", None, id="deep-at-the-limit"),
    pytest.param(
        "when: 2021-09-22T14:25:00Z\n",
        {"when": datetime(2021, 9, 22, 14, 25, tzinfo=UTC)},
        id="timestamp",
    ),
    pytest.param("when: 2021-02-30\n", {"when": "2021-02-30"}, id="impossible-date-stays-text"),
]


@pytest.mark.parametrize(("source", "want"), LOADED)
def test_safe_yaml_loads(source: str, want: Any) -> None:
    loaded = load_yaml(source)
    if want is not None:
        assert loaded == want
    else:
        assert isinstance(loaded, dict)


# Lines are counted in the file: its first YAML line is line 2, after `---`.
REFUSED = [
    pytest.param(alias_bomb(), "alias bomb", id="alias-bomb"),
    pytest.param("r: " + "[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1) + "\n", "deeper", id="deep"),
    pytest.param("r: " + "{a: " * 1000 + "1" + "}" * 1000 + "\n", "deeper", id="deep-braces"),
    pytest.param("r: " + "- " * 1000 + "x\n", "deeper", id="deep-dashes"),
    pytest.param(
        "r:\n" + "".join(" " * (2 * i) + "-\n" for i in range(300)), "deeper", id="deep-indent"
    ),
    pytest.param('title: "\x1b[31mred"\n', "U+001B on line 2", id="raw-esc"),
    pytest.param('a: 1\ntitle: "NUL\x00"\n', "U+0000 on line 3", id="raw-nul-line-3"),
    pytest.param('title: "unterminated\n', "invalid YAML at line", id="unterminated"),
    pytest.param("title: !!python/name:os.system\n", "invalid YAML", id="python-tag"),
]


@pytest.mark.parametrize(("source", "why"), REFUSED)
def test_hostile_yaml_is_refused_with_a_reason(source: str, why: str) -> None:
    with pytest.raises(_Refused, match=re.escape(why)):
        load_yaml(source)


def test_an_alias_bomb_is_refused_before_it_expands() -> None:
    with pytest.raises(_Refused, match=f"more than {MAX_NODES:,} nodes"):
        load_yaml(alias_bomb())


def test_a_python_tag_runs_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    source = f'x: !!python/object/apply:os.system ["touch {marker.as_posix()}"]\n'
    with pytest.raises(_Refused):
        load_yaml(source)
    assert not marker.exists()


def test_the_loader_is_safe() -> None:
    assert issubclass(YamlLoader, yaml.SafeLoader | getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _typed(value: Any) -> Any:
    """VALUE with the type of every part beside it: True and 1 compare equal, not alike."""
    if isinstance(value, dict):
        return ("dict", [(_typed(k), _typed(v)) for k, v in value.items()])
    if isinstance(value, list | tuple | set):
        return (type(value).__name__, [_typed(v) for v in value])
    if isinstance(value, float) and value != value:
        return ("float", "nan")
    return (type(value).__name__, repr(value))


def _outcome(source: str, loader: Any) -> Any:
    """What LOADER makes of SOURCE: the typed value, or the error's type and message."""
    try:
        return _typed(yaml.load(source, Loader=loader))
    except Exception as error:  # the error itself is the outcome compared
        return (type(error).__name__, str(error))


PLAIN_CASES = [
    "a: 1\nb: [1, 2, {c: d}]\n", "<<: {a: 1}\nb: 2\n", "a: &x 1\n", "? [1, 2]\n: v\n",
    "? {a: 1}\n: v\n", "=: 1\n", "a: !!str 12\n", "a: !!int '12'\n", "a: !!binary aGVsbG8=\n",
    "a: !foo bar\n", "!!map {a: 1}\n", "a: !!set {x, y}\n", "a: !!omap [x: 1]\n",
    "a: 2001-12-14t21:59:43.10-05:00\n", "a: 2001-13-45\n", "a: 2020-02-30\n",
    "a: .inf\nb: -.Inf\nc: .nan\nd: 0x1F\ne: 0o17\nf: 1_000\ng: 0b101\nh: 1:20\n",
    "a: yes\nb: No\nc: ~\nd: null\ne:\n", "1: a\n1.0: b\ntrue: c\n", "a: 1\na: 2\n",
    "- 1\n- 2\n", "just text", "'quoted: x'", "a: !!str\nb: !!null ''\n", "a: !!float 1\n",
    "a: !!timestamp 2001-12-14\n", "a: !!str [1]\n", "a: !!map [1]\n", "a: [\n", "a: b: c\n",
    "a: !!python/object:os.system x\n", "'': empty key\n", "? \n: v\n", "a: !!int 0x\n",
    "a: 12e3\nb: 1.5e+3\nc: 0\nd: -0\ne: +12\nf: 012\ng: 09\n",
]  # fmt: skip


@pytest.mark.parametrize("source", PLAIN_CASES)
def test_the_plain_loader_loads_as_the_safe_loader(source: str) -> None:
    assert _outcome(source, parse_yaml._PlainLoader) == _outcome(source, YamlLoader)

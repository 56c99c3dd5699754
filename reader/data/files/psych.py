"""YAML read the way Jekyll's Ruby (Psych `safe_load`) reads it, where PyYAML differs (front
matter for reader.data.files.jekyll, `_config.yml` for reader.data.site)."""

from __future__ import annotations

import re
from typing import Any

import yaml

from reader.data.files.safe_yaml import YamlLoader, _Refused, load_yaml

_BOOL = re.compile(r"^(?:yes|true|on|no|false|off)$", re.IGNORECASE)
_SYMBOL = re.compile(r"^:.")
_SYMBOL_TAG = "tag:newsreader,2025:ruby-symbol"
# Cheap test for the two differences: a mixed-case boolean word, a plain scalar led by ':'.
_DIFFERS = re.compile(r"(?i:\b(?:yes|true|on|no|false|off)\b)|(?:^|[\s\[{,])[:]\S", re.MULTILINE)
_PYYAML_BOOLS = frozenset(
    w
    for word in ("yes", "no", "true", "false", "on", "off")
    for w in (word, word.title(), word.upper())
)


class SymbolRefused(ValueError):
    """Psych's safe_load refuses a Ruby symbol (a plain scalar such as `:x`)."""


class PsychLoader(YamlLoader):
    """The project's safe loader plus Psych's differences: booleans in any case (`fAlSe`),
    and a plain scalar starting with `:` is a symbol, which `safe_load` refuses."""


def _symbol(loader: Any, node: yaml.ScalarNode) -> Any:
    """Refuse a symbol, in Psych's words."""
    raise SymbolRefused(f"Tried to load unspecified class: Symbol ({node.value[:40]!r})")


PsychLoader.add_implicit_resolver("tag:yaml.org,2002:bool", _BOOL, list("yYtToOnNfF"))
PsychLoader.add_implicit_resolver(_SYMBOL_TAG, _SYMBOL, [":"])
PsychLoader.add_constructor(_SYMBOL_TAG, _symbol)


def load_psych(source: str) -> Any:
    """Front-matter SOURCE loaded as Jekyll would; raises ValueError saying why not (invalid
    YAML, a symbol Psych refuses, what is unsafe to load: see files/safe_yaml.py)."""
    value = _load_checked(source)
    if _differs(source):
        value = yaml.load(source, Loader=PsychLoader)
    return value


def _load_checked(source: str) -> Any:
    """The project's checked load (depth, alias bombs, control characters, YAML errors);
    each refusal comes out as ValueError, its message saying why."""
    try:
        return load_yaml(source)
    except _Refused as refused:
        raise ValueError(str(refused)) from None


def _differs(source: str) -> bool:
    """Whether Psych might read SOURCE differently from PyYAML (then it is loaded again)."""
    for match in _DIFFERS.finditer(source):
        word = match.group()
        if word.lstrip()[:1] in "[{,:" or word not in _PYYAML_BOOLS:
            return True
    return False


def load_config(source: str) -> Any:
    """A `_config.yml` loaded as Jekyll would; raises yaml.YAMLError or SymbolRefused."""
    return yaml.load(source, Loader=PsychLoader)

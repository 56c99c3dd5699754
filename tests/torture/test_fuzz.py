"""Properties: the parser never raises (see tests/data/files/test_parse.py); apply changes
one line."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reader.data.article import Decision
from reader.data.files.parse import parse_bytes
from reader.data.library import Library
from reader.data.writeback import writer as writeback

from .helpers import Counts

# The parser's own properties live in tests/data/files/test_parse.py (arbitrary bytes, text, YAML
# mappings, press releases); here a few more shapes around a valid front matter.
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=list(HealthCheck))

TEXT = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40)
FIELDS = st.fixed_dictionaries(
    {"title": TEXT},
    optional={
        "excerpt": TEXT,
        "quality": st.integers(-5, 100),
        "heat": st.integers(0, 100),
        "topics": st.lists(TEXT, max_size=3),
        "webUrl": st.just("https://example.com/a"),
        "publishedDateTime": st.just("2021-09-22T14:25:00Z"),
        "provider": st.fixed_dictionaries({"name": TEXT}),
    },
)
PUBLISHED = st.sampled_from(
    [None, "true", "false", "yes", "no", "off", "True", "FALSE", '"false"', "0", "1", "null", ""]
)
"""The raw `published:` value, or None for no key."""


@st.composite
def front_matter(draw: st.DrawFn) -> bytes:
    """A file with valid front matter: fields in any order, a `published:` line or none."""
    fields: dict[str, Any] = draw(FIELDS)
    lines = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1000).splitlines()
    published = draw(PUBLISHED)
    if published is not None:
        at = draw(st.integers(0, len(lines)))
        pad = draw(st.sampled_from(["", " ", "  "]))
        lines.insert(at, f"published:{pad} {published}".rstrip())
    eol = draw(st.sampled_from(["\n", "\r\n"]))
    body = draw(st.text(max_size=80)).replace("\r", "")
    final = draw(st.sampled_from(["", eol]))
    return (eol.join(["---", *lines, "---", body]) + final).encode("utf-8", "surrogatepass")


def _published_lines(data: bytes) -> list[int]:
    """Indexes of the top-level `published:` lines of the front matter."""
    lines = data.split(b"\n")
    end = next((i for i, x in enumerate(lines) if i and x.rstrip(b"\r") == b"---"), len(lines))
    return [i for i, x in enumerate(lines[:end]) if re.match(rb"published:", x)]


@pytest.mark.slow
@FUZZ
@given(front_matter(), st.sampled_from([Decision.PUBLISHED, Decision.SKIPPED]))
def test_apply_changes_exactly_the_published_line(data: bytes, decision: Decision) -> None:
    article = parse_bytes(data, "a.md")
    if not hasattr(article, "title"):  # a Problem: nothing to apply (the parser said why)
        return
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "cache"
        root.mkdir()
        (root / "a.md").write_bytes(data)
        library = Library(root, Path(tmp) / "data" / "decisions.db")
        try:
            library.refresh()
            library.store.decide(["a.md"], decision)
            edits = writeback.plan(library).edits
            if edits:
                assert writeback.apply(library, edits).ok
        finally:
            library.close()
        new = (root / "a.md").read_bytes()
    _COUNTED[0] += 1
    old_lines, new_lines = data.split(b"\n"), new.split(b"\n")
    old_at, new_at = _published_lines(data), _published_lines(new)
    assert len(new_at) == 1 or (not edits and new == data)
    if not edits:
        assert new == data
        return
    # Every other line is kept byte for byte; only `published:` changed or was added.
    rest_old = [x for i, x in enumerate(old_lines) if i not in old_at]
    rest_new = [x for i, x in enumerate(new_lines) if i not in new_at]
    assert rest_old == rest_new
    value = new_lines[new_at[0]].rstrip(b"\r").split(b":", 1)[1].strip()
    assert value == (b"true" if decision is Decision.PUBLISHED else b"false")
    reparsed = parse_bytes(new, "a.md")
    assert getattr(reparsed, "file_published", None) is (decision is Decision.PUBLISHED)


_COUNTED = [0]


@pytest.mark.slow
@FUZZ
@given(front_matter(), st.binary(max_size=200), st.integers(0, 2000))
def test_arbitrary_bytes_spliced_into_valid_front_matter_never_raise(
    data: bytes, noise: bytes, at: int
) -> None:
    at = min(at, len(data))
    result = parse_bytes(data[:at] + noise + data[at:], "a.md")
    assert hasattr(result, "title") or hasattr(result, "why")


def test_count_the_fuzzed_files(counts: Counts) -> None:
    """Add the files the property checked to the summary (runs after it, in file order)."""
    counts.files += _COUNTED[0]

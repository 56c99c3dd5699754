"""reader.data.site.frontmatter and yaml_psych: a file's bytes as Jekyll 4.3 reads them."""

from __future__ import annotations

from datetime import date

import pytest

from reader.data.site.frontmatter import read_as_jekyll
from reader.data.site.yaml_psych import load_psych

STATIC = [
    (b"---\rpublished: false\r---\rBody.\r", "old Mac line endings (CR only)"),
    (b"\xef\xbb\xbf---\npublished: false\n---\n", "a UTF-8 byte-order mark"),
    ("---\ntitle: x\n---\n".encode("utf-16"), "UTF-16 text"),
    ("---\ntitle: x\n---\n".encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
    (b"\n---\ntitle: x\n---\n", "blank lines or spaces before `---`"),
    (b"  ---\ntitle: x\n---\n", "blank lines or spaces before `---`"),
    (b"x---\ntitle: x\n---\n", "stray characters before `---`"),
    (b"--- # comment\ntitle: x\n---\n", "text after `---` on the first line"),
    (b"A release\nDate: 2024-01-01\n", "no `---` line at the top"),
    (b"", "no `---` line at the top"),
]


@pytest.mark.parametrize(("data", "why"), STATIC)
def test_files_jekyll_sees_no_front_matter_in(data: bytes, why: str) -> None:
    """Each is a static file to Jekyll, with the cause named."""
    file = read_as_jekyll(data)
    assert not file.has_front_matter
    assert file.why_static.startswith(why)


FIELDS = [
    (b"---\npublished: false\n---\nBody.\n", {"published": False}),
    (b"---\npublished: false\n...\nBody.\n", {"published": False}),  # the `...` closer
    (b"---\r\npublished: false\r\n---\r\nBody.\r\n", {"published": False}),
    (b"---   \n\n\npublished: false\n---\n", {"published": False}),
    (b"---\npublished: fAlSe\n---\n", {"published": False}),  # Psych: any case
    (b"---\npublished: 'false'\n---\n", {"published": "false"}),
    (b"---\npublished: n\n---\n", {"published": "n"}),
    (b"---\ndate: 2099-01-01\n---\n", {"date": date(2099, 1, 1)}),
    (b"---\n---\nBody.\n", {}),
    (b"---\nfalse\n---\n", {}),
    (b"---\ntitle: a\n--- \nb: 1\n---\n", {"title": "a"}),  # the first closer ends it
]


@pytest.mark.parametrize(("data", "fields"), FIELDS)
def test_front_matter_fields(data: bytes, fields: dict[str, object]) -> None:
    """The fields Jekyll reads, closers and Psych's booleans included."""
    file = read_as_jekyll(data)
    assert file.has_front_matter and not file.error and not file.unclosed
    assert file.data == fields


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"---\ntitle: [a\n---\n", "invalid YAML"),
        (b"---\ntitle: :-) hi\n---\n", "Tried to load unspecified class: Symbol"),
        (b"---\n- a\n---\n", "front matter is a list, not a mapping"),
        (b"---\ntitle: caf\xe9\n---\n", "not UTF-8"),
    ],
)
def test_front_matter_jekyll_cannot_read(data: bytes, error: str) -> None:
    """Errors Jekyll skips past (or stops on, with strict_front_matter)."""
    file = read_as_jekyll(data)
    assert file.has_front_matter and file.data == {} and error in file.error
    assert file.not_utf8 is (error == "not UTF-8")


def test_unclosed_front_matter_is_a_document_with_no_fields() -> None:
    """Jekyll finds no closer: the whole file is the body."""
    file = read_as_jekyll(b"---\npublished: false\nBody.\n")
    assert file.has_front_matter and file.unclosed and file.data == {}


@pytest.mark.parametrize(
    ("source", "value"),
    [
        ("a: FALSE", False),
        ("a: oFF", False),
        ("a: YeS", True),
        ("a: ':x'", ":x"),
        ("a: b :c", "b :c"),
        ("a: on the way", "on the way"),
    ],
)
def test_psych_scalars(source: str, value: object) -> None:
    """Where Psych and PyYAML differ, Psych's reading; elsewhere the same."""
    assert load_psych(source) == {"a": value}

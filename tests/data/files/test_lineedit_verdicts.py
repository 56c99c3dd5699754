"""lineedit.verify: a one-line `published:` change passes, anything else is refused."""

from __future__ import annotations

import pytest

from reader.data.files.lineedit import LineEdit, Refused, published_edit, verify
from tests.data.writeback.test_writer import FILES, article

OLD = article("false")
"""An article whose `published:` line is `published: false`."""
AT = OLD.index(b"published: false")
LINE = b"published: false\n"


def at(old_line: bytes, new_line: bytes, data: bytes = OLD) -> LineEdit:
    """An edit of the line that starts with old_line."""
    return LineEdit(data.index(old_line), old_line, new_line)


GOOD = [
    pytest.param(OLD, published_edit(OLD, True), True, id="false-to-true"),
    pytest.param(OLD, published_edit(OLD, False), False, id="false-to-false"),
    pytest.param(article(None), published_edit(article(None), False), False, id="line-added"),
    pytest.param(FILES["crlf.md"], published_edit(FILES["crlf.md"], True), True, id="crlf"),
    pytest.param(OLD, at(LINE, b"published: true # by newsreader\n"), True, id="with-a-comment"),
    pytest.param(OLD, at(LINE, b"published:    true\n"), True, id="more-spaces"),
]


def verdict(old: bytes, edit: LineEdit, value: bool) -> tuple[str, str] | None:
    """None when verify passes the edit, else the refusal's (code, why)."""
    try:
        new = verify(old, edit, value)
    except Refused as refused:
        return refused.code, refused.why
    assert new == edit.apply(old)
    return None


@pytest.mark.parametrize(("old", "edit", "value"), GOOD)
def test_a_one_line_published_change_is_verified(old: bytes, edit: LineEdit, value: bool) -> None:
    assert verdict(old, edit, value) is None


BAD = [
    pytest.param(OLD, published_edit(OLD, True), False, "verify", id="value-not-the-one-asked"),
    pytest.param(OLD, at(LINE, b'published: "true"\n'), True, "verify", id="quoted-string"),
    pytest.param(OLD, at(LINE, b"published: True\n"), True, "verify", id="capitalised"),
    pytest.param(OLD, at(LINE, b"published: yes\n"), True, "verify", id="yes"),
    pytest.param(OLD, at(LINE, b"published: true"), True, "verify", id="line-ending-eaten"),
    pytest.param(
        OLD, at(LINE, b"published: true\nextra: 1\n"), True, "verify", id="a-second-line-added"
    ),
    pytest.param(
        OLD, at(b"title: A title\n", b"title: Another\n"), True, "verify", id="another-line"
    ),
    pytest.param(
        OLD,
        at(b"  - AI\n", b"  - AI\npublished: true\n"),
        True,
        "verify",
        id="added-though-a-key-is-there",
    ),
    pytest.param(
        OLD, at(LINE, b"published: true\n---\n"), True, "verify", id="front-matter-closed-early"
    ),
    pytest.param(OLD, at(LINE, b"published: [true]\n"), True, "verify", id="a-list"),
    pytest.param(
        FILES["release.txt"],
        LineEdit(0, b"", b"published: true\n"),
        True,
        "press",
        id="press-release",
    ),
    pytest.param(
        b"\xff\xfe-\x00-\x00-\x00\n\x00", LineEdit(0, b"", b""), True, "encoding", id="utf-16"
    ),
]


@pytest.mark.parametrize(("old", "edit", "value", "code"), BAD)
def test_anything_but_a_one_line_published_change_is_refused(
    old: bytes, edit: LineEdit, value: bool, code: str
) -> None:
    found = verdict(old, edit, value)
    assert found is not None and found[0] == code and found[1]

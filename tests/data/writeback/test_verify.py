"""reader.data.writeback.verify: a batch of edits verified, in the caller or on worker processes."""

from __future__ import annotations

import itertools
import os
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool

import pytest

from reader.data.files.lineedit import LineEdit, published_edit
from reader.data.writeback.verify import (
    CHUNK,
    FIRST,
    POOL_THRESHOLD,
    Item,
    Verifier,
    chunks,
    verify_many,
)
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


@pytest.mark.parametrize(("old", "edit", "value"), GOOD)
def test_a_one_line_published_change_is_verified(old: bytes, edit: LineEdit, value: bool) -> None:
    assert verify_many([(old, edit, value)]) == [None]


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
    (verdict,) = verify_many([(old, edit, value)])
    assert verdict is not None and verdict[0] == code and verdict[1]


def _mixed(count: int) -> list[Item]:
    """Every good and bad edit in turn, `count` of them."""
    table = [p.values[:3] for p in GOOD + BAD]
    return [table[i % len(table)] for i in range(count)]  # type: ignore[misc]


def _expected(items: list[Item]) -> list[str | None]:
    good = {id(p.values[1]) for p in GOOD}
    return [None if id(edit) in good else "refused" for _, edit, _ in items]


def _codes(verdicts: list[tuple[str, str] | None]) -> list[str | None]:
    return [None if v is None else "refused" for v in verdicts]


def test_verdicts_keep_the_order_of_the_edits() -> None:
    items = _mixed(3 * len(GOOD + BAD))
    assert _codes(verify_many(items)) == _expected(items)
    assert verify_many([]) == []


def test_chunks_start_small_and_double_up_to_chunk() -> None:
    sizes = [s.stop - s.start for s in chunks(1000)]
    assert sizes[:3] == [FIRST, 2 * FIRST, 4 * FIRST]
    assert all(b == min(2 * a, CHUNK) for a, b in itertools.pairwise(sizes))
    assert list(chunks(0)) == []
    assert [(s.start, s.stop) for s in chunks(1)] == [(0, FIRST)]  # sliced, so it may run past


def test_a_small_batch_is_verified_in_the_caller() -> None:
    items = _mixed(POOL_THRESHOLD - 1)
    with Verifier(len(items)) as verifier:
        assert verifier._pool is None
        future = verifier.submit(items)
        assert future.done()
        assert _codes(verifier.verdicts(future, items)) == _expected(items)


def test_a_large_batch_gives_the_same_verdicts_as_the_caller() -> None:
    items = _mixed(POOL_THRESHOLD)
    with Verifier(len(items)) as verifier:
        assert (verifier._pool is not None) is ((os.cpu_count() or 1) >= 2)
        futures = [(verifier.submit(items[s]), items[s]) for s in chunks(len(items))]
        verdicts = [v for future, part in futures for v in verifier.verdicts(future, part)]
    assert verdicts == verify_many(items)
    assert verifier._pool is None  # the block stopped the workers


def test_a_broken_pool_is_verified_in_the_caller_after_all() -> None:
    items = _mixed(10)
    broken: Future[list[tuple[str, str] | None]] = Future()
    broken.set_exception(BrokenProcessPool("a worker died"))
    verifier = Verifier(0)
    assert _codes(verifier.verdicts(broken, items)) == _expected(items)
    verifier.submit(items)  # and goes on in the caller

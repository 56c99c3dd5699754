"""The shortcuts apply takes for speed find what the plain definitions find."""

from __future__ import annotations

import random
import re
import threading
import time
from pathlib import Path

import yaml

from reader.data.files import lineedit
from reader.data.files.parse import YamlLoader
from reader.data.files.safefile import Folder, Writer

_CLOSE = re.compile(rb"(\r?\n)---[ \t]*(?:\r?\n|\Z)")
"""The closing `---` line, as a pattern (what lineedit._close finds by the literal)."""
_PIECES = [
    b"---", b"\n", b"\r\n", b"\r", b" ", b"\t", b":", b"#", b'"', b"'", b"published",
    b'"published"', b"'published'", b"unpublished", b"publishedX", b"true", b"a: b\n",
    b"\n---", b"---\n", b"\n--- \n", b"\n----\n",
]  # fmt: skip


def _random_files(count: int) -> list[bytes]:
    rng = random.Random(5)
    files = []
    for _ in range(count):
        body = b"".join(rng.choice(_PIECES) for _ in range(rng.randint(0, 16)))
        files.append(b"---\n" + body if rng.random() < 0.7 else body)
    return files


def test_the_closing_line_and_the_last_key_are_the_patterns() -> None:
    for data in _random_files(20_000):
        for start in range(min(len(data), 6)):
            found = _CLOSE.search(data, start)
            assert lineedit._close(data, start) == (found.end(1) if found else -1), data
        try:
            span = lineedit._span(data)
        except lineedit.Refused:
            continue
        keys = list(lineedit._KEY.finditer(data, span.start, span.end))
        key = lineedit._last_key(data, span)
        assert (key.span() if key else None) == (keys[-1].span() if keys else None), data


def test_remembered_tags_are_the_loaders() -> None:
    text = (
        "a: 1\nb: '1'\nc: yes\nd: 2021-01-01\ne: ~\nf: [1, '1', x]\ng: {h: 1.5, i: .nan}\n"
        "j: !!str 1\nk: 0o12\nl: null\nm: 'null'\n"
    )
    for _ in range(2):  # the second time from what the first remembered
        ours, theirs = lineedit._compose(text), yaml.compose(text, Loader=YamlLoader)
        assert lineedit._same([ours], [theirs])
        assert yaml.serialize(ours) == yaml.serialize(theirs)


def test_the_writer_reports_in_order_while_writing_at_once(tmp_path: Path) -> None:
    names = [f"{i:03d}.md" for i in range(60)]
    for name in names:
        (tmp_path / name).write_bytes(b"old " + name.encode())
    done: list[tuple[str, BaseException | None]] = []
    threads: set[str] = set()
    with Folder(tmp_path) as folder:
        replace = folder.replace

        def noting(article_id: str, data: bytes, was: object) -> None:
            threads.add(threading.current_thread().name)
            time.sleep(0.005)  # slow enough that the next one starts meanwhile
            replace(article_id, data, was)  # type: ignore[arg-type]

        folder.replace = noting  # type: ignore[method-assign]
        with Writer(folder) as writer:
            for name in names:
                _, st = folder.read(name)
                writer.put(name, b"new " + name.encode(), st, lambda e, n=name: done.append((n, e)))
        folder.sync()
    assert done == [(name, None) for name in names]
    assert all((tmp_path / n).read_bytes() == b"new " + n.encode() for n in names)
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
    assert len(threads) > 1

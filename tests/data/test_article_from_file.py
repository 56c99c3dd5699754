"""reader.data.index.from_file and Library.article: a shown article is read from its file,
equals what the index knew of it, and is never shown stale."""

from __future__ import annotations

import os
import random
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from reader.data import query
from reader.data.article import Article, RelatedLink
from reader.data.files.parse import parse_file
from reader.data.index.from_file import read_many, read_one
from reader.data.library import Library

SAMPLE = 300
"""Articles of the smartable corpus compared one by one."""


@pytest.fixture
def library(seeds_dir: Path, tmp_path: Path) -> Iterator[Library]:
    """A Library on a writable copy of the seeds, refreshed once."""
    lib = Library(seeds_dir, tmp_path / "state" / "decisions.db")
    lib.refresh()
    yield lib
    lib.close()


def only_indexed(article: Article) -> Article:
    """ARTICLE with only what the index keeps: no body, images, video or related links."""
    return replace(article, body="", images=(), video_url="", related=(), secured="")


def as_listed(article: Article) -> Article:
    """ARTICLE as `list --format json` reads it from the index: what the index keeps, and
    the body, images, video and related links' title, URL, provider and date."""
    related = tuple(RelatedLink(title=r.title, url=r.url, provider=r.provider,
                                published_at=r.published_at) for r in article.related)
    return replace(only_indexed(article), body=article.body, images=article.images,
                   video_url=article.video_url, related=related)  # fmt: skip


def assert_as_indexed(lib: Library, root: Path, article_id: str) -> None:
    """The article shown equals the parse the index made of the same file, and what the
    index keeps of it."""
    shown = lib.article(article_id)
    assert shown is not None
    assert shown == parse_file(root / article_id, article_id)
    assert lib.index.known(article_id) == only_indexed(shown)


def assert_listed_as_read(lib: Library) -> None:
    """What `list --format json` reads from the index equals what the files say."""
    listed = query.articles(lib, read="list")
    assert [as_listed(a.article) for a in query.articles(lib)] == [a.article for a in listed]


def test_every_seed_shown_from_its_file_equals_what_the_index_knew(
    library: Library, seeds_dir: Path
) -> None:
    ids = [listed.article.id for listed in query.articles(library, read="row")]
    assert len(ids) == 5
    for article_id in ids:
        assert_as_indexed(library, seeds_dir, article_id)
    assert_listed_as_read(library)
    assert not library.changed_on_disk


def test_the_smartable_sample_shown_from_files_equals_what_the_index_knew(
    smartable_dir: Path, tmp_path: Path
) -> None:
    lib = Library(smartable_dir, tmp_path / "decisions.db")
    try:
        lib.refresh()
        ids = [listed.article.id for listed in query.articles(lib, read="row")]
        for article_id in random.Random(22).sample(ids, min(SAMPLE, len(ids))):
            assert_as_indexed(lib, smartable_dir, article_id)
        assert_listed_as_read(lib)
        assert not lib.changed_on_disk
    finally:
        lib.close()


def test_a_full_list_reads_each_file_and_equals_one_read(
    library: Library, seeds_dir: Path
) -> None:
    full = query.articles(library)
    slim = query.articles(library, read="row")
    assert [a.article.id for a in full] == [a.article.id for a in slim]
    for listed, known in zip(full, slim, strict=True):
        assert listed.article == library.article(listed.article.id)
        assert only_indexed(listed.article) == known.article
    ids = [a.article.id for a in full]
    assert read_many(seeds_dir, ids) == [read_one(seeds_dir, i) for i in ids]


def _front(extra: str = "", title: str = '"A title"') -> bytes:
    """A small front-matter article with EXTRA lines added to its YAML."""
    return (f"---\ntitle: {title}\npublishedDateTime: 2021-09-22T14:25:00Z\n{extra}\n"
            "---\nBody.\n").encode()  # fmt: skip


HOSTILE = [
    *(pytest.param(_front(f"published: {raw}"), id=f"published-{name}") for name, raw in
      [("true", "true"), ("off", "off"), ("quoted", '"false"'), ("zero", "0"),
       ("null", "null"), ("tilde", "~"), ("empty", ""), ("list", "[false]")]),
    pytest.param(_front(), id="no-published-key"),
    pytest.param(_front("quality: 72\nheat: 7.5\ntopics: [AI, 3, null]"), id="numbers"),
    pytest.param(_front("quality: high\nheat: [1]"), id="wrong-types"),
    pytest.param(_front("provider:\n  name: \x1b[31mRed\x1b[0m\n  domain: a\u202eb"),
                 id="controls-bidi"),
    pytest.param(_front(title='"\\x9b31mc1 \\u2066x"'), id="c1-escaped"),
    pytest.param(_front("excerpt: \"&#27;[31m &#x9b;0m\""), id="entities"),
    pytest.param(_front("webUrl: javascript:alert(1)\noriginalUrl: https://a.example/x"),
                 id="bad-url"),
    pytest.param(_front("related:\n  - title: R\n    url: https://r.example\n"
                        "    publishedDateTime: 2021-09-22T14:25:00+02:00\n  - 42"),
                 id="related"),
    pytest.param(_front("images: [https://i.example/a.png, 7]\nvideoUrl: https://v.example"),
                 id="images-video"),
    pytest.param(_front().replace(b"\n", b"\r\n"), id="crlf"),
    pytest.param(b"\xef\xbb\xbf" + _front(), id="utf8-bom"),
    pytest.param(b"\xff\xfe" + _front().decode().encode("utf-16-le"), id="utf16-le-bom"),
    pytest.param(_front("x: \xe9".encode("latin-1").decode("latin-1")).replace(
        b"\xc3\xa9", b"\xe9"), id="latin-1-byte"),
    pytest.param(b"---\ntitle: Dots\n...\nBody.\n", id="dots-closer"),
    pytest.param(b"A press release\nDate: 2024-01-01\n\nFor immediate release.\n",
                 id="press-release"),
    pytest.param(_front("body: " + "long " * 40000), id="past-the-read-limit"),
]


@pytest.mark.parametrize("data", HOSTILE)
def test_a_hostile_file_shown_from_its_file_equals_what_the_index_knew(
    data: bytes, tmp_path: Path
) -> None:
    root = tmp_path / "folder"
    root.mkdir()
    (root / "x.md").write_bytes(data)
    lib = Library(root, tmp_path / "state" / "decisions.db")
    try:
        lib.refresh()
        if lib.index.entry("x.md")[3] == "problem":  # type: ignore[index]
            assert lib.article("x.md") is None and lib.index.known("x.md") is None
            return
        assert_as_indexed(lib, root, "x.md")
        assert_listed_as_read(lib)
        assert not lib.changed_on_disk
    finally:
        lib.close()


def _same_size_and_mtime(path: Path, old: str, new: str) -> None:
    """Edit PATH's text keeping its size and mtime: a refresh by (mtime, size) misses it."""
    st = path.stat()
    text = path.read_text()
    assert old in text and len(old) == len(new)
    path.write_text(text.replace(old, new))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_a_file_changed_since_indexing_is_shown_as_it_is_now(
    library: Library, seeds_dir: Path
) -> None:
    (path,) = seeds_dir.glob("004_*")
    title = library.article(path.name).title  # type: ignore[union-attr]
    path.write_text(path.read_text().replace(title, "Rewritten since the index read it"))
    shown = library.article(path.name)
    assert shown is not None and shown.title == "Rewritten since the index read it"
    assert library.index.known(path.name).title == title  # type: ignore[union-attr]
    library.refresh()
    assert library.index.known(path.name).title == shown.title  # type: ignore[union-attr]


def test_a_change_that_keeps_size_and_mtime_is_shown_and_indexed_again(
    library: Library, seeds_dir: Path
) -> None:
    (path,) = seeds_dir.glob("004_*")
    _same_size_and_mtime(path, "AI improves", "AI IMPROVES")
    shown = library.article(path.name)
    assert shown is not None and "AI IMPROVES" in shown.title
    assert library.changed_on_disk == {path.name}
    assert library.refresh().changed == [path.name]
    assert library.index.known(path.name) == only_indexed(shown)
    assert not library.changed_on_disk


def test_a_file_that_is_no_article_now_is_shown_as_none(
    library: Library, seeds_dir: Path
) -> None:
    (path,) = seeds_dir.glob("001_*")
    path.write_bytes(b"---\ntitle: [unclosed\n---\n")
    assert library.article(path.name) is None
    assert library.changed_on_disk == {path.name}


@pytest.mark.parametrize("how", ["gone", "link", "folder"])
def test_a_file_that_cannot_be_read_is_shown_as_indexed_with_why(
    library: Library, seeds_dir: Path, tmp_path: Path, how: str
) -> None:
    (path,) = seeds_dir.glob("002_*")
    known = library.index.known(path.name)
    assert known is not None
    outside = tmp_path / "outside.txt"
    outside.write_text("Not for the pane\nDate: 2024-01-01\n\nsecret\n")
    path.unlink()
    if how == "link":
        path.symlink_to(outside)
    elif how == "folder":
        path.mkdir()
    shown = library.article(path.name)
    assert shown is not None and shown.title == known.title != "Not for the pane"
    *kept, why = shown.problems
    assert tuple(kept) == known.problems
    assert why.field == "file" and why.why.endswith("shown as it was when last indexed")


def test_a_hard_linked_file_is_read(library: Library, seeds_dir: Path, tmp_path: Path) -> None:
    (path,) = seeds_dir.glob("003_*")
    os.link(path, tmp_path / "second-name.txt")
    assert_as_indexed(library, seeds_dir, path.name)


def test_an_id_the_index_does_not_list_is_none(library: Library, seeds_dir: Path) -> None:
    (seeds_dir / "new.txt").write_text("Not indexed yet\nDate: 2024-01-01\n\nbody\n")
    assert library.article("new.txt") is None
    assert library.article("no-such.txt") is None


def test_a_change_found_by_the_front_end_is_indexed_by_a_worker(
    library: Library, seeds_dir: Path
) -> None:
    (path,) = seeds_dir.glob("004_*")
    _same_size_and_mtime(path, "AI improves", "AI IMPROVES")
    assert library.article(path.name) is not None
    worker = library.for_thread()
    try:
        assert worker.refresh().changed == [path.name]
    finally:
        worker.close()
    assert not library.changed_on_disk
    assert "AI IMPROVES" in library.index.known(path.name).title  # type: ignore[union-attr]

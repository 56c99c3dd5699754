"""reader.data.index.index: the walk, the incremental index, full-text search, the real corpus."""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.data import query
from reader.data.files.walk import is_candidate, walk
from reader.data.index.index import _BIG_CHANGE, WAL_LIMIT, Index, RefreshResult
from reader.data.library import Library

ARTICLE = "---\ntitle: {title}\npublishedDateTime: 2021-09-22T14:25:00Z\ntopics: [AI]\n---\n"


def write(path: Path, title: str = "A title") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(ARTICLE.format(title=title))
    return path


def writable(folder: Path) -> Path:
    """The seeds are read-only in the checkout; make a copy's files writable."""
    for path in folder.rglob("*"):
        path.chmod(path.stat().st_mode | stat.S_IWUSR)
    return folder


# -- is_candidate and walk ---------------------------------------------------------------

CANDIDATES = [
    pytest.param("story.md", True, id="md"),
    pytest.param("STORY.MD", True, id="md-upper"),
    pytest.param("story.markdown", True, id="markdown"),
    pytest.param("release.txt", True, id="txt"),
    pytest.param("release.text", True, id="text"),
    pytest.param("no-suffix", False, id="no-suffix"),
    pytest.param("cases.tsv", False, id="tsv"),
    pytest.param("page.html", False, id="html"),
    pytest.param(".draft.md", False, id="hidden"),
    pytest.param(".control-03.md.swp", False, id="vim-swap"),
    pytest.param("story.md.swp", False, id="swp"),
    pytest.param("story.md.swo", False, id="swo"),
    pytest.param("story.md~", False, id="tilde-backup"),
    pytest.param("story.md.bak", False, id="bak"),
    pytest.param("story.md.orig", False, id="orig"),
    pytest.param("story.md.tmp", False, id="tmp"),
    pytest.param("#story.md#", False, id="emacs-autosave"),
    pytest.param("caf\udce9.md", True, id="non-utf8-name"),
    pytest.param("line\nbreak.md", True, id="newline-name"),
]


@pytest.mark.parametrize(("name", "ok"), CANDIDATES)
def test_is_candidate(name: str, ok: bool) -> None:
    assert is_candidate(name) is ok


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A folder with articles, subfolders and everything a walk must pass over."""
    root = tmp_path / "cache"
    write(root / "a.md")
    write(root / "b.txt")
    write(root / "sub" / "x.md")
    write(root / "sub" / "deeper" / "y.markdown")
    write(root / ".hidden.md")
    write(root / ".hidden-dir" / "z.md")
    write(root / "sub" / ".draft.md")
    write(root / "a.md.swp")
    write(root / "a.md~")
    write(root / "notes.tsv")
    (root / "empty-dir.md").mkdir()
    (root / "link.md").symlink_to(root / "a.md")
    (root / "outside.md").symlink_to("/etc/passwd")
    (root / "loop-a.md").symlink_to("loop-b.md")
    (root / "loop-b.md").symlink_to("loop-a.md")
    (root / "dir-link").symlink_to(root / "sub", target_is_directory=True)
    return root


def test_walk_finds_articles_in_subfolders(tree: Path) -> None:
    found, _ = walk(tree)
    assert sorted(s.id for s in found) == [
        "a.md",
        "b.txt",
        "sub/deeper/y.markdown",
        "sub/x.md",
    ]
    for s in found:
        assert Path(s.path) == tree / s.id
        assert s.size == (tree / s.id).stat().st_size
        assert s.mtime_ns == (tree / s.id).stat().st_mtime_ns


def test_walk_reports_symlinks_and_never_follows_them(tree: Path) -> None:
    found, skipped = walk(tree)
    assert not {"link.md", "outside.md", "loop-a.md", "loop-b.md"} & {s.id for s in found}
    assert not any(s.id.startswith("dir-link") for s in found)
    reported = {p.path: p for p in skipped}
    assert set(reported) == {"link.md", "outside.md", "loop-a.md", "loop-b.md"}
    for problem in reported.values():
        assert problem.field == "file"
        assert "link" in problem.why


def test_walk_of_odd_names(tmp_path: Path) -> None:
    root = tmp_path / "odd"
    root.mkdir()
    names = [b"caf\xe9.md", b"\x1b[31mred\x1b[0m.md", b"line\nbreak.md", b"x" * 252 + b".md"]
    for name in names:
        with open(os.path.join(os.fsencode(root), name), "wb") as handle:
            handle.write(ARTICLE.format(title="T").encode())
    found, skipped = walk(root)
    assert sorted(os.fsencode(s.id) for s in found) == sorted(names)
    assert skipped == []


def test_walk_of_an_unreadable_folder(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every folder")
    root = tmp_path / "cache"
    write(root / "ok.md")
    locked = root / "locked"
    write(locked / "hidden.md")
    locked.chmod(0)
    try:
        found, skipped = walk(root)
    finally:
        locked.chmod(0o755)
    assert [s.id for s in found] == ["ok.md"]
    assert [p.path for p in skipped] == ["locked"]


# -- the index ---------------------------------------------------------------------------


@pytest.fixture
def index(seeds_dir: Path, tmp_path: Path) -> Iterator[Index]:
    idx = Index(tmp_path / "db" / "index.db", writable(seeds_dir))
    yield idx
    idx.close()


def test_cold_refresh_parses_all_then_warm_parses_nothing(index: Index) -> None:
    cold = index.refresh()
    assert cold.parsed == 5 and len(cold.added) == 5
    assert cold.unchanged == 0 and not cold.changed and not cold.removed
    warm = index.refresh()
    assert warm.parsed == 0
    assert warm.unchanged == 5
    assert not warm.added and not warm.changed and not warm.removed
    assert len(list(index.articles())) == 5


def test_a_first_index_of_many_files_leaves_no_big_wal(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    root.mkdir()
    body = "---\ntitle: Article {n}\npublished: false\n---\n" + "Text. " * 400
    for n in range(_BIG_CHANGE):
        (root / f"{n:04d}.md").write_text(body.format(n=n))
    idx = Index(tmp_path / "db" / "index.db", root)
    try:
        assert idx.refresh().parsed == _BIG_CHANGE
        wal = Path(f"{idx.db_path}-wal")  # emptied at the end of a big change
        assert not wal.exists() or wal.stat().st_size == 0
        assert idx.conn.execute("PRAGMA journal_size_limit").fetchone()[0] == WAL_LIMIT
    finally:
        idx.close()


def test_touching_one_file_reparses_exactly_that_one(index: Index, seeds_dir: Path) -> None:
    index.refresh()
    (path,) = seeds_dir.glob("002_*")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
    result = index.refresh()
    assert result.changed == [path.name]
    assert result.parsed == 1 and result.unchanged == 4 and not result.added


def test_a_changed_file_is_read_again(index: Index, seeds_dir: Path) -> None:
    index.refresh()
    (path,) = seeds_dir.glob("004_*")
    path.write_text(path.read_text().replace("AI improves precision", "AI sharpens precision"))
    result = index.refresh()
    assert result.changed == [path.name]
    article = index.known(path.name)
    assert article is not None and article.title.startswith("AI sharpens precision")


def test_same_size_and_mtime_is_not_reread(index: Index, seeds_dir: Path) -> None:
    """(mtime, size) is the contract: an edit that keeps both is not seen."""
    index.refresh()
    (path,) = seeds_dir.glob("004_*")
    st = path.stat()
    path.write_text(path.read_text().replace("AI improves", "AI IMPROVES"))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert index.refresh().parsed == 0


def test_deleting_one_file_reports_it_removed(index: Index, seeds_dir: Path) -> None:
    index.refresh()
    (path,) = seeds_dir.glob("000_*")
    path.unlink()
    result = index.refresh()
    assert result.removed == [path.name]
    assert result.parsed == 0 and result.unchanged == 4
    assert index.known(path.name) is None
    assert len(list(index.articles())) == 4


def test_a_new_file_is_added(index: Index, seeds_dir: Path) -> None:
    index.refresh()
    write(seeds_dir / "sub" / "new.md", "Brand new")
    result = index.refresh()
    assert result.added == ["sub/new.md"]
    article = index.known("sub/new.md")
    assert article is not None and article.title == "Brand new"


def test_a_file_that_turns_bad_becomes_a_problem(index: Index, seeds_dir: Path) -> None:
    index.refresh()
    (path,) = seeds_dir.glob("001_*")
    path.write_bytes(b"---\ntitle: [unclosed\n---\n")
    index.refresh()
    assert index.known(path.name) is None
    assert [(p.path, p.field) for p in index.problems()] == [(path.name, "file")]


@pytest.mark.parametrize(
    "garbage",
    [
        pytest.param(b"this is not a database" * 100, id="text"),
        pytest.param(b"SQLite format 3\x00" + b"\xff" * 4000, id="bad-header"),
        pytest.param(bytes(range(256)) * 64, id="binary"),
    ],
)
def test_a_garbage_index_is_rebuilt(seeds_dir: Path, tmp_path: Path, garbage: bytes) -> None:
    db = tmp_path / "index.db"
    db.write_bytes(garbage)
    idx = Index(db, seeds_dir)
    try:
        assert idx.rebuilt
        assert idx.refresh().parsed == 5
        assert idx.refresh().parsed == 0
        assert len(list(idx.articles())) == 5
    finally:
        idx.close()
    again = Index(db, seeds_dir)
    try:
        assert not again.rebuilt
        assert again.refresh().unchanged == 5
    finally:
        again.close()


def test_index_survives_reopening(seeds_dir: Path, tmp_path: Path) -> None:
    first = Index(tmp_path / "index.db", seeds_dir)
    first.refresh()
    first.close()
    second = Index(tmp_path / "index.db", seeds_dir)
    try:
        assert not second.rebuilt
        result = second.refresh()
        assert result.parsed == 0 and result.unchanged == 5
    finally:
        second.close()


def test_progress_is_reported(index: Index) -> None:
    calls: list[tuple[int, int]] = []
    index.refresh(lambda done, total: calls.append((done, total)))
    assert calls and calls[-1] == (5, 5)


def test_a_non_utf8_file_name_loads(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    write(root / "fine.md", "Fine")
    with open(os.path.join(os.fsencode(root), b"caf\xe9.md"), "wb") as handle:
        handle.write(ARTICLE.format(title="Latin-1 name").encode())
    lib = Library(root, tmp_path / "db" / "decisions.db")
    try:
        lib.refresh()
        article = lib.article("caf\udce9.md")
        assert article is not None and article.title == "Latin-1 name"
        assert {r.id for r in query.rows(lib)} == {"fine.md", "caf\udce9.md"}
    finally:
        lib.close()


def test_a_non_utf8_file_name_that_is_not_an_article_is_a_problem(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    write(root / "fine.md", "Fine")
    with open(os.path.join(os.fsencode(root), b"caf\xe9.md"), "wb") as handle:
        handle.write(b"")
    lib = Library(root, tmp_path / "db" / "decisions.db")
    try:
        lib.refresh()
        assert [(p.path, p.field) for p in lib.problems()] == [("caf\udce9.md", "file")]
        assert [r.id for r in query.rows(lib)] == ["fine.md"]
    finally:
        lib.close()


def test_odd_but_utf8_names_round_trip(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    names = ["\x1b[31mred\x1b[0m.md", "line\nbreak.md", "東京.md", "sub/ü.md"]
    for i, name in enumerate(names):
        write(root / name, f"Title {i}")
    lib = Library(root, tmp_path / "db" / "decisions.db")
    try:
        lib.refresh()
        assert {r.id for r in query.rows(lib)} == set(names)
        for i, name in enumerate(names):
            article = lib.article(name)
            assert article is not None and article.title == f"Title {i}"
    finally:
        lib.close()


# -- search ------------------------------------------------------------------------------


@pytest.fixture
def library(seeds_dir: Path, tmp_path: Path) -> Iterator[Library]:
    lib = Library(writable(seeds_dir), tmp_path / "db" / "decisions.db")
    lib.refresh()
    yield lib
    lib.close()


SEARCHES = [
    pytest.param("Owkin", {"000", "001", "003"}, id="word-title"),
    pytest.param("owkin", {"000", "001", "003"}, id="case-insensitive"),
    pytest.param("owk", {"000", "001", "003"}, id="prefix"),
    pytest.param("Karolinska", {"004"}, id="excerpt"),
    pytest.param("FierceBiotech", {"000"}, id="provider"),
    pytest.param("Partnership", {"003"}, id="topic"),
    pytest.param("deep learning", {"000", "002"}, id="two-words-all-must-match"),
    pytest.param("mammograms risk", {"002"}, id="two-words-excerpt"),
    pytest.param("zzzz-nothing", set(), id="no-match"),
    pytest.param("", {"000", "001", "002", "003", "004"}, id="empty-is-everything"),
]


@pytest.mark.parametrize(("text", "want"), SEARCHES)
def test_search(library: Library, text: str, want: set[str]) -> None:
    got = {r.id[:3] for r in query.rows(library, query.Filter(search=text))}
    assert got == want


def test_search_follows_a_changed_file(library: Library, seeds_dir: Path) -> None:
    (path,) = seeds_dir.glob("004_*")
    path.write_text(path.read_text().replace("Karolinska", "Uppsala"))
    library.refresh()
    assert query.rows(library, query.Filter(search="Karolinska")) == []
    assert [r.id for r in query.rows(library, query.Filter(search="Uppsala"))] == [path.name]


def test_search_forgets_a_deleted_file(library: Library, seeds_dir: Path) -> None:
    (path,) = seeds_dir.glob("004_*")
    path.unlink()
    library.refresh()
    assert query.rows(library, query.Filter(search="Karolinska")) == []


# -- the real corpus ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def smartable(
    smartable_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Library, RefreshResult]]:
    """The 2,477-file corpus in a Library, refreshed once for the module (read only)."""
    lib = Library(smartable_dir, tmp_path_factory.mktemp("smartable") / "decisions.db")
    yield lib, lib.refresh()
    lib.close()


def test_smartable_all_load(smartable: tuple[Library, RefreshResult]) -> None:
    lib, result = smartable
    assert result.parsed == 2477
    assert result.skipped == []
    assert len(query.rows(lib)) == 2477
    counts = query.counts(lib)
    assert sum(counts.values()) == 2477


def test_smartable_problems_are_the_seven_null_topics(
    smartable: tuple[Library, RefreshResult],
) -> None:
    lib, _ = smartable
    problems = lib.problems()
    assert len(problems) == 7
    assert all(p.field == "topics" for p in problems)
    assert all(p.why == "null entry in the list (dropped)" for p in problems)


def test_smartable_crlf_files_parse(
    smartable: tuple[Library, RefreshResult], smartable_dir: Path
) -> None:
    lib, _ = smartable
    found, _ = walk(smartable_dir)
    crlf = [s.id for s in found if b"\r\n" in Path(s.path).read_bytes()]
    assert len(crlf) == 57
    for article_id in crlf:
        article = lib.article(article_id)
        assert article is not None and article.title, article_id
        assert article.published_at is not None, article_id


def test_smartable_published_key(smartable: tuple[Library, RefreshResult]) -> None:
    lib, _ = smartable
    articles = [item[0] for item in query.articles(lib)]
    missing = [a for a in articles if not a.has_published_key]
    assert len(missing) == 111
    assert all(a.file_published is None for a in missing)
    assert all(a.file_published is not None for a in articles if a.has_published_key)


def test_smartable_warm_refresh_parses_nothing(
    smartable: tuple[Library, RefreshResult],
) -> None:
    lib, _ = smartable
    again = lib.refresh()
    assert again.parsed == 0 and again.unchanged == 2477 and not again.removed


def test_smartable_copy_with_one_change(smartable_dir: Path, tmp_path: Path) -> None:
    """On a private copy: a cold refresh through the process pool, then one edit."""
    root = Path(shutil.copytree(smartable_dir, tmp_path / "smartable"))
    writable(root)
    lib = Library(root, tmp_path / "db" / "decisions.db")
    try:
        assert lib.refresh().parsed == 2477
        path = next(root.rglob("*.md"))
        path.write_bytes(path.read_bytes() + b"\n")
        result = lib.refresh()
        assert result.changed == [path.relative_to(root).as_posix()]
        assert result.unchanged == 2476
    finally:
        lib.close()

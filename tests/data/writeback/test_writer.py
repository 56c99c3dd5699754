"""reader.data.writeback.writer:
Plan, diff, apply, undo and redo on real folders; git; a v1 store."""

from __future__ import annotations

import os
import random
import re
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.data import query
from reader.data.article import Article, Decision, article_to_dict
from reader.data.decisions.dbfile import FilesStepError
from reader.data.decisions.schema import SCHEMA_VERSION
from reader.data.decisions.store import TriageStore
from reader.data.files.git import GitError
from reader.data.files.parse import parse_bytes
from reader.data.files.safefile import TEMP_SUFFIX, Folder, clean_stale_temps, temp_name
from reader.data.library import Library
from reader.data.writeback import writer as writeback

PUB, SKIP, UND = Decision.PUBLISHED, Decision.SKIPPED, Decision.UNDECIDED


def article(published: str | None = None, eol: str = "\n", title: str = "A title") -> bytes:
    """An article file; `published` is the raw value, None for no key."""
    lines = ["---", f"title: {title}", "publishedDateTime: 2021-09-22T14:25:00Z", "quality: 3"]
    if published is not None:
        lines.append(f"published: {published}")
    lines += ["topics:", "  - AI", "---", "", "The body."]
    return (eol.join(lines) + eol).encode()


FILES = {
    "live.md": article("true"),
    "draft.md": article("false"),
    "nokey.md": article(None),
    "crlf.md": article("false", eol="\r\n"),
    "sub/deep.md": article("true"),
    "release.txt": b"A press release\nDate: 2020-03-05\n\nBody of the release.\n",
}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "cache"
    for name, data in FILES.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


@pytest.fixture
def lib(root: Path, tmp_path: Path) -> Iterator[Library]:
    library = Library(root, tmp_path / "db" / "decisions.db")
    library.refresh()
    yield library
    library.close()


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file below root (hidden ones too), by relative path."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.is_symlink()
    }


def temps(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.name.endswith(TEMP_SUFFIX)]


# -- apply -------------------------------------------------------------------------------


def test_apply_changes_one_line_and_the_index_follows(lib: Library) -> None:
    before = snapshot(lib.root)
    lib.store.decide(["draft.md", "crlf.md"], PUB)
    lib.store.decide(["live.md", "nokey.md"], SKIP)
    result = writeback.apply(lib, writeback.plan(lib).edits)
    assert result.ok and result.batch is not None
    assert sorted(e.id for e in result.written) == ["crlf.md", "draft.md", "live.md", "nokey.md"]
    after = snapshot(lib.root)
    assert after["draft.md"] == before["draft.md"].replace(b"false", b"true")
    assert after["crlf.md"] == before["crlf.md"].replace(b"published: false", b"published: true")
    assert after["live.md"] == before["live.md"].replace(b"published: true", b"published: false")
    assert after["nokey.md"] == before["nokey.md"].replace(
        b"  - AI\n---", b"  - AI\npublished: false\n---"
    )
    assert {k: v for k, v in after.items() if k not in {e.id for e in result.written}} == {
        k: v for k, v in before.items() if k not in {e.id for e in result.written}
    }
    # The index re-read the files: they now say what was decided, so nothing is left to do.
    assert lib.article("draft.md").file_published is True  # type: ignore[union-attr]
    assert lib.article("nokey.md").file_published is False  # type: ignore[union-attr]
    assert writeback.plan(lib).edits == []
    states = {row.id: row.state for row in query.rows(lib)}
    assert states["draft.md"] is PUB and states["nokey.md"] is SKIP


@pytest.mark.parametrize("mode", [0o640, 0o444, 0o600], ids=oct)
def test_the_mode_is_kept(lib: Library, mode: int) -> None:
    path = lib.root / "draft.md"
    path.chmod(mode)
    lib.refresh()
    lib.store.decide(["draft.md"], PUB)
    assert writeback.apply(lib, writeback.plan(lib).edits).ok
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert b"published: true" in path.read_bytes()


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")
def test_the_owner_is_kept(lib: Library) -> None:
    path = lib.root / "draft.md"
    os.chown(path, 4321, 8765)
    lib.refresh()
    lib.store.decide(["draft.md"], PUB)
    assert writeback.apply(lib, writeback.plan(lib).edits).ok
    st = path.stat()
    assert (st.st_uid, st.st_gid) == (4321, 8765)


def test_a_file_changed_between_index_and_plan_is_reported(lib: Library) -> None:
    lib.store.decide(["draft.md"], PUB)
    path = lib.root / "draft.md"
    edited = path.read_bytes().replace(b"The body.", b"The editor's new body.")
    path.write_bytes(edited)
    found = writeback.plan(lib)
    assert [(s.id, s.code) for s in found.skipped] == [("draft.md", "changed")]
    assert path.read_bytes() == edited


def test_a_file_changed_between_plan_and_apply_is_left_as_edited(lib: Library) -> None:
    lib.store.decide(["draft.md", "live.md"], SKIP)
    lib.store.decide(["draft.md", "crlf.md"], PUB)
    found = writeback.plan(lib)
    path = lib.root / "draft.md"
    edited = path.read_bytes().replace(b"title: A title", b"title: Retitled by hand")
    path.write_bytes(edited)
    result = writeback.apply(lib, found.edits)
    assert [(s.id, s.code) for s in result.skipped] == [("draft.md", "changed")]
    assert not result.ok
    assert path.read_bytes() == edited
    assert [e.id for e in result.written] == ["crlf.md", "live.md"]


def test_same_size_same_mtime_but_other_bytes_is_changed(lib: Library) -> None:
    lib.store.decide(["draft.md"], PUB)
    found = writeback.plan(lib)
    path = lib.root / "draft.md"
    st = path.stat()
    edited = path.read_bytes().replace(b"A title", b"B title")
    path.write_bytes(edited)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    result = writeback.apply(lib, found.edits)
    assert [s.code for s in result.skipped] == ["changed"]
    assert path.read_bytes() == edited


def test_a_symbolic_link_is_never_followed(lib: Library, tmp_path: Path) -> None:
    outside = tmp_path / "outside.md"
    outside.write_bytes(article("false"))
    lib.store.decide(["draft.md", "sub/deep.md"], PUB)
    lib.store.decide(["sub/deep.md"], SKIP)
    found = writeback.plan(lib)
    (lib.root / "draft.md").unlink()
    (lib.root / "draft.md").symlink_to(outside)  # planted after the plan
    shutil.rmtree(lib.root / "sub")
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "deep.md").write_bytes(article("true"))
    (lib.root / "sub").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    result = writeback.apply(lib, found.edits)
    assert sorted((s.id, s.code) for s in result.skipped) == [
        ("draft.md", "symlink"),
        ("sub/deep.md", "symlink"),
    ]
    assert outside.read_bytes() == article("false")
    assert (tmp_path / "elsewhere" / "deep.md").read_bytes() == article("true")
    # Next time the scan passes over the link, and the plan says why.
    again = writeback.plan(lib)
    assert ("draft.md", "symlink") in [(s.id, s.code) for s in again.skipped]


def test_a_hard_link_is_not_split(lib: Library) -> None:
    os.link(lib.root / "draft.md", lib.root.parent / "other-name.md")
    lib.store.decide(["draft.md"], PUB)
    found = writeback.plan(lib)
    assert [(s.id, s.code) for s in found.skipped] == [("draft.md", "hardlink")]


def test_verification_refusal_is_reported(tmp_path: Path) -> None:
    root = tmp_path / "c"
    root.mkdir()
    sneaky = b'---\ntitle: "A long\npublished: true"\npublishedDateTime: 2021-01-01\n---\n'
    (root / "x.md").write_bytes(sneaky)
    library = Library(root, tmp_path / "d.db")
    try:
        library.refresh()
        library.store.decide(["x.md"], SKIP)
        found = writeback.plan(library)
        assert [(s.id, s.code) for s in found.skipped] == [("x.md", "verify")]
        assert writeback.plan(library, verify=False).edits  # apply still verifies:
        result = writeback.apply(library, writeback.plan(library, verify=False).edits)
        assert [(s.id, s.code) for s in result.skipped] == [("x.md", "verify")]
        assert (root / "x.md").read_bytes() == sneaky
    finally:
        library.close()


def test_stale_temporaries_are_cleaned(lib: Library) -> None:
    stale = [lib.root / temp_name("draft.md"), lib.root / "sub" / temp_name("deep.md")]
    for path in stale:
        path.write_bytes(b"half a fi")
    link = lib.root / ".link.md.newsreader-tmp"
    link.symlink_to(lib.root / "live.md")
    lib.refresh()  # a scan cleans them
    assert temps(lib.root) == [link]  # a link is not ours: left alone
    assert (lib.root / "live.md").exists()
    stale[0].write_bytes(b"again")
    lib.store.decide(["draft.md"], PUB)
    result = writeback.apply(lib, writeback.plan(lib).edits)  # and so does an apply
    assert result.cleaned == [stale[0].name] and result.ok
    assert temps(lib.root) == [link]


def test_clean_waits_for_no_one(lib: Library) -> None:
    (lib.root / temp_name("draft.md")).write_bytes(b"in flight")
    with Folder(lib.root) as folder, folder.lock() as got:
        assert got
        assert clean_stale_temps(lib.root) == []  # another writer holds the folder
    assert clean_stale_temps(lib.root) == [temp_name("draft.md")]


def test_a_long_name_gets_a_short_temporary() -> None:
    assert len(temp_name("x" * 250 + ".md").encode()) <= 255
    assert temp_name("a.md") == ".a.md.newsreader-tmp"


# -- undo and redo -----------------------------------------------------------------------


def test_undo_restores_the_bytes_and_redo_writes_them_again(lib: Library) -> None:
    original = snapshot(lib.root)
    lib.store.decide(["draft.md", "crlf.md"], PUB)
    lib.store.decide(["live.md", "nokey.md", "sub/deep.md"], SKIP)
    writeback.apply(lib, writeback.plan(lib).edits)
    applied = snapshot(lib.root)
    assert applied != original
    assert lib.store.can_undo()
    with pytest.raises(FilesStepError):
        lib.store.undo()  # the store alone cannot undo a step that wrote files
    change = lib.undo()
    assert change is not None and change.kind == "apply" and change.refused == ()
    assert sorted(change.ids) == ["crlf.md", "draft.md", "live.md", "nokey.md", "sub/deep.md"]
    assert snapshot(lib.root) == original
    assert lib.article("nokey.md").has_published_key is False  # type: ignore[union-attr]
    assert lib.store.decision("draft.md") is PUB  # the decisions stay
    change = lib.redo()
    assert change is not None and change.kind == "apply"
    assert snapshot(lib.root) == applied
    lib.undo()
    change = lib.undo()  # then the decisions, one step at a time
    assert change is not None and change.kind == "decide"
    assert snapshot(lib.root) == original


def test_undo_leaves_a_file_edited_since_the_apply(lib: Library) -> None:
    lib.store.decide(["draft.md", "crlf.md"], PUB)
    writeback.apply(lib, writeback.plan(lib).edits)
    path = lib.root / "draft.md"
    edited = path.read_bytes() + b"A line added by hand.\n"
    path.write_bytes(edited)
    change = lib.undo()
    assert change is not None and change.ids == ("crlf.md",)
    assert [p.path for p in change.refused] == ["draft.md"]
    assert "changed on disk" in change.refused[0].why
    assert path.read_bytes() == edited
    assert (lib.root / "crlf.md").read_bytes() == FILES["crlf.md"]


def test_a_new_decision_after_undo_drops_the_redo(lib: Library) -> None:
    lib.store.decide(["draft.md"], PUB)
    writeback.apply(lib, writeback.plan(lib).edits)
    lib.undo()
    assert lib.store.can_redo()
    lib.store.decide(["live.md"], SKIP)
    assert not lib.store.can_redo()
    assert lib.redo() is None


def test_a_killed_run_is_settled_from_the_files(lib: Library) -> None:
    """A run killed after journaling: its writes are pending; the files say what happened."""
    lib.store.decide(["draft.md", "crlf.md"], PUB)
    found = writeback.plan(lib)
    done, _ = found.edits
    batch, _ = lib.store.begin_apply([e.file_write() for e in found.edits])
    path = lib.root / done.id
    path.write_bytes(done.line.apply(path.read_bytes()))  # only the first one got written
    change = lib.undo()
    assert change is not None and change.ids == (done.id,)
    assert snapshot(lib.root)[done.id] == FILES[done.id]
    assert [w.status for w in lib.store.file_writes(batch)] == ["written", "failed"]


def test_a_killed_run_that_wrote_nothing_is_no_step(lib: Library) -> None:
    lib.store.decide(["draft.md"], PUB)
    (edit,) = writeback.plan(lib).edits
    lib.store.begin_apply([edit.file_write()])
    change = lib.undo()  # the empty apply step is dropped: this undoes the decision
    assert change is not None and change.kind == "decide"
    assert lib.store.decision("draft.md") is Decision.UNDECIDED


# -- git ---------------------------------------------------------------------------------

GIT = shutil.which("git")


def git(repo: Path, *args: str) -> str:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Test",
        "GIT_AUTHOR_EMAIL": "test@example.com",
        "GIT_COMMITTER_NAME": "Test",
        "GIT_COMMITTER_EMAIL": "test@example.com",
    }
    done = subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True
    )
    return done.stdout


@pytest.fixture
def repo(root: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    if GIT is None:
        pytest.skip("git is not installed")
    top = root.parent
    for var, value in (
        ("GIT_AUTHOR_NAME", "Test"),
        ("GIT_AUTHOR_EMAIL", "test@example.com"),
        ("GIT_COMMITTER_NAME", "Test"),
        ("GIT_COMMITTER_EMAIL", "test@example.com"),
        ("GIT_CONFIG_GLOBAL", os.devnull),
        ("GIT_CONFIG_NOSYSTEM", "1"),
    ):
        monkeypatch.setenv(var, value)
    git(top, "init", "-q", "-b", "main")
    (top / "notes.txt").write_text("notes\n")
    git(top, "add", "cache", "notes.txt")
    git(top, "commit", "-q", "-m", "the articles")
    return top


def test_commit_holds_exactly_the_files_written(lib: Library, repo: Path) -> None:
    (repo / "notes.txt").write_text("notes, staged by someone\n")
    (repo / "new.txt").write_text("new and staged\n")
    git(repo, "add", "notes.txt", "new.txt")
    lib.store.decide(["draft.md"], PUB, "good story")
    lib.store.decide(["nokey.md"], SKIP)
    result = writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    assert result.commit is not None and result.commit.sha and result.ok
    files = git(repo, "show", "--name-only", "--format=", "HEAD").split()
    assert sorted(files) == ["cache/draft.md", "cache/nokey.md"]
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("newsreader: publish 1, skip 1\n")
    assert "publish: draft.md (good story)" in message and "skip: nokey.md" in message
    staged = git(repo, "diff", "--cached", "--name-only").split()
    assert sorted(staged) == ["new.txt", "notes.txt"]  # still staged, not committed
    assert git(repo, "status", "--porcelain", "--", "cache") == ""


def test_the_store_remembers_the_commit_of_an_apply(lib: Library, repo: Path) -> None:
    lib.store.decide(["draft.md"], PUB)
    result = writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    assert result.commit is not None and result.commit.sha and result.batch is not None
    assert result.commit.sha == git(repo, "rev-parse", "HEAD").strip()
    assert lib.store.commit_of(result.batch) == result.commit.sha
    undone = lib.undo()  # the files go back; the commit stays in git
    assert undone is not None and undone.kind == "apply"
    assert undone.commit == result.commit.sha
    redone = lib.redo()
    assert redone is not None and redone.commit == result.commit.sha


def test_an_apply_without_commit_remembers_none(lib: Library, repo: Path) -> None:
    lib.store.decide(["draft.md"], PUB)
    result = writeback.apply(lib, writeback.plan(lib).edits)
    assert result.commit is None and result.batch is not None
    assert lib.store.commit_of(result.batch) is None
    undone = lib.undo()
    assert undone is not None and undone.kind == "apply" and undone.commit is None


def test_commit_leaves_out_a_file_with_other_changes(lib: Library, repo: Path) -> None:
    path = lib.root / "draft.md"
    path.write_bytes(path.read_bytes() + b"An edit nobody committed.\n")
    lib.refresh()
    lib.store.decide(["draft.md", "crlf.md"], PUB)
    result = writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    assert result.commit is not None and result.commit.ids == ["crlf.md"]
    assert [i for i, _ in result.commit.left_out] == ["draft.md"]
    assert not result.ok
    assert git(repo, "show", "--name-only", "--format=", "HEAD").split() == ["cache/crlf.md"]


def unchanged_and_no_step(lib: Library, before: dict[str, bytes], decided: list[str]) -> None:
    """Nothing was written: the files as they were, no apply step, the decisions kept."""
    assert snapshot(lib.root) == before and temps(lib.root) == []
    step = lib.store.next_step()
    assert step is not None and step.kind == "decide"
    assert all(lib.store.decision(i) is PUB for i in decided)


def test_commit_outside_a_work_tree_writes_nothing(
    lib: Library, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(lib.root.parent.parent))
    lib.store.decide(["draft.md"], PUB)
    before = snapshot(lib.root)
    with pytest.raises(writeback.CannotCommit) as raised:
        writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    assert str(raised.value).startswith(
        f"nothing written: {lib.root} is not inside a git work tree"
    )
    unchanged_and_no_step(lib, before, ["draft.md"])


def test_commit_without_git_writes_nothing(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(lib.root / "nowhere"))
    lib.store.decide(["draft.md"], PUB)
    before = snapshot(lib.root)
    with pytest.raises(writeback.CannotCommit, match=r"^nothing written: git is not installed"):
        writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    unchanged_and_no_step(lib, before, ["draft.md"])


def test_commit_without_a_git_identity_writes_nothing(
    lib: Library, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(repo / "no-home"))
    for var in (
        "GIT_AUTHOR_NAME",
        "GIT_AUTHOR_EMAIL",
        "GIT_COMMITTER_NAME",
        "GIT_COMMITTER_EMAIL",
        "EMAIL",
    ):
        monkeypatch.delenv(var, raising=False)
    git(repo, "config", "user.name", "Ed Itor")
    lib.store.decide(["draft.md", "nokey.md"], PUB)
    before, head = snapshot(lib.root), git(repo, "rev-parse", "HEAD")
    with pytest.raises(writeback.CannotCommit) as raised:
        writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    assert "git has no user email to commit with" in str(raised.value)
    assert 'git config --global user.email "you@example.com"' in str(raised.value)
    unchanged_and_no_step(lib, before, ["draft.md", "nokey.md"])
    assert git(repo, "rev-parse", "HEAD") == head


def test_a_refused_commit_reaches_the_front_ends_as_an_error() -> None:
    """The CLI turns a FolderBusy into `newsreader: error: ...` and exit status 2."""
    assert issubclass(writeback.CannotCommit, writeback.FolderBusy)
    assert issubclass(writeback.CannotCommit, GitError)


# -- the store's schema 1 ----------------------------------------------------------------

SCHEMA_1 = """
CREATE TABLE decisions (
    key TEXT PRIMARY KEY,
    state TEXT NOT NULL CHECK (state IN ('undecided', 'published', 'skipped')),
    reason TEXT,
    origin TEXT NOT NULL CHECK (origin IN ('file', 'editor')),
    at TEXT NOT NULL
);
CREATE TABLE batches (
    batch INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('decide', 'undo', 'redo')),
    ref INTEGER, status TEXT, top INTEGER
);
CREATE TABLE journal (
    seq INTEGER PRIMARY KEY,
    batch INTEGER NOT NULL REFERENCES batches(batch),
    at TEXT NOT NULL,
    key TEXT NOT NULL,
    old_state TEXT, old_reason TEXT, old_origin TEXT,
    new_state TEXT, new_reason TEXT, new_origin TEXT
);
CREATE INDEX journal_batch ON journal(batch);
INSERT INTO decisions VALUES ('a.md', 'published', NULL, 'editor', '2024-01-01');
INSERT INTO decisions VALUES ('b.md', 'skipped', 'dup', 'editor', '2024-01-01');
INSERT INTO batches VALUES (1, '2024-01-01', 'decide', NULL, 'done', 1);
INSERT INTO batches VALUES (2, '2024-01-01', 'decide', NULL, 'done', 2);
INSERT INTO journal VALUES
    (1, 1, '2024-01-01', 'a.md', NULL, NULL, NULL, 'published', NULL, 'editor'),
    (2, 2, '2024-01-01', 'b.md', NULL, NULL, NULL, 'skipped', 'dup', 'editor');
PRAGMA user_version = 1;
"""


def test_a_schema_1_store_is_upgraded_in_place(tmp_path: Path) -> None:
    db = tmp_path / "decisions.db"
    conn = sqlite3.connect(db)
    conn.executescript(SCHEMA_1)
    conn.close()
    store = TriageStore(db)
    try:
        assert store.conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert store.decision("b.md") is SKIP and store.reason("b.md") == "dup"
        assert store.undo() is not None and store.decision("b.md") is UND
        batch, _ = store.begin_apply([])  # the new kind of step is allowed
        assert store.next_step() is not None and store.next_step().kind == "apply"  # type: ignore[union-attr]
        assert batch > 3
    finally:
        store.close()
    TriageStore(db).close()  # and opens again as it is


# -- the real corpus: 200 published, 200 skipped, across every kind of file ---------------

REPO = Path(__file__).resolve().parents[3]
LINE = re.compile(rb"published:([ \t]*)(true|false)([ \t]*)(\r?\n)")


def copy_corpus(source: Path, target: Path, ids: list[str] | None = None) -> list[str]:
    """Copy (some of) a read-only corpus into a writable folder; returns the ids copied."""
    every = sorted(p.relative_to(source).as_posix() for p in source.rglob("*.md"))
    for article_id in every if ids is None else ids:
        (target / article_id).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / article_id, target / article_id)
    return every if ids is None else ids


def kind_of(data: bytes, article_id: str) -> tuple[str, str, str]:
    """(folder, line ending, published value) of a corpus file."""
    eol = "crlf" if data.startswith(b"---\r\n") else "lf"
    found = re.search(rb"^published: (true|false)\r?$", data, re.M)
    return article_id.split("/")[0], eol, found.group(1).decode() if found else "none"


def spread(kinds: dict[str, tuple[str, str, str]], count: int, rng: random.Random) -> list[str]:
    """COUNT ids taken in turn from every kind of file, so that each kind is in."""
    groups: dict[tuple[str, str, str], list[str]] = {}
    for article_id, kind in sorted(kinds.items()):
        groups.setdefault(kind, []).append(article_id)
    for ids in groups.values():
        rng.shuffle(ids)
    chosen: list[str] = []
    while len(chosen) < count:
        for ids in groups.values():
            if ids and len(chosen) < count:
                chosen.append(ids.pop())
    return chosen


def split_lines(data: bytes) -> list[bytes]:
    return [line for line in re.split(rb"(?<=\n)", data) if line]


def assert_one_line_changed(old: bytes, new: bytes, value: bool) -> str:
    """The only difference is the value on one `published:` line, or one line added."""
    was, now = split_lines(old), split_lines(new)
    word = b"true" if value else b"false"
    if len(now) == len(was):
        (i,) = [i for i, (a, b) in enumerate(zip(was, now, strict=True)) if a != b]
        before, after = LINE.fullmatch(was[i]), LINE.fullmatch(now[i])
        assert before and after, (was[i], now[i])
        assert before.group(1, 3, 4) == after.group(1, 3, 4) and after.group(2) == word
        return "replaced"
    assert len(now) == len(was) + 1
    i = next(i for i, (a, b) in enumerate(zip(was, now, strict=False)) if a != b)
    assert now[:i] == was[:i] and now[i + 1 :] == was[i:]
    eol = b"\r\n" if was[0].endswith(b"\r\n") else b"\n"
    assert now[i] == b"published: " + word + eol
    assert now[i + 1].rstrip(b"\r\n") == b"---"
    assert not any(LINE.fullmatch(line) for line in was[:i])
    return "added"


def test_corpus_publish_200_skip_200_then_undo(
    smartable_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "smartable"
    ids = copy_corpus(smartable_dir, root)
    original = {i: (root / i).read_bytes() for i in ids}
    kinds = {i: kind_of(data, i) for i, data in original.items()}
    assert sum(1 for k in kinds.values() if k[1] == "crlf") == 57
    assert sum(1 for k in kinds.values() if k[2] == "none") == 111
    chosen = spread(kinds, 400, random.Random(2024))
    publish, skip = chosen[0::2], chosen[1::2]
    library = Library(root, tmp_path / "db" / "decisions.db")
    try:
        library.refresh()
        library.store.decide(publish, PUB)
        library.store.decide(skip, SKIP)
        found = writeback.plan(library)
        assert found.skipped == []
        result = writeback.apply(library, found.edits)
        assert result.ok and not result.skipped
        # Written: exactly the decisions the files did not say yet.
        want = {i for i in publish if kinds[i][2] == "false"}
        want |= {i for i in skip if kinds[i][2] in ("true", "none")}
        written = {e.id: e for e in result.written}
        assert set(written) == want
        seen = {"replaced": 0, "added": 0, "crlf": 0}
        for article_id in ids:
            new = (root / article_id).read_bytes()
            old = original[article_id]
            if article_id not in written:
                assert new == old, article_id
                continue
            value = written[article_id].value
            seen[assert_one_line_changed(old, new, value)] += 1
            seen["crlf"] += kinds[article_id][1] == "crlf"
            before, after = parse_bytes(old, article_id), parse_bytes(new, article_id)
            assert isinstance(before, Article) and isinstance(after, Article)
            assert after.file_published is value
            assert fields(before) == fields(after), article_id
        assert seen["replaced"] and seen["added"] and seen["crlf"], seen
        assert len({kinds[i] for i in written}) >= 6  # every folder, both endings, each value
        assert writeback.plan(library).edits == []  # re-indexed: in sync now
        change = library.undo()
        assert change is not None and change.refused == () and len(change.ids) == len(want)
        for article_id in ids:
            assert (root / article_id).read_bytes() == original[article_id], article_id
    finally:
        library.close()
    with capsys.disabled():
        print(
            f"\ncorpus apply: {len(publish)} published, {len(skip)} skipped, {len(written)} files "
            f"written ({seen['added']} lines added, {seen['crlf']} CRLF), all restored by undo"
        )


def fields(article: Article) -> dict:
    """Every parsed field but those about `published`."""
    data = article_to_dict(article)
    del data["file_published"], data["has_published_key"]
    data["problems"] = [p for p in data["problems"] if p["field"] != "published"]
    return data


# -- SIGKILL during apply and undo ---------------------------------------------------------

KILL_SCRIPT = (Path(__file__).parents[2] / "apply_until_killed.py").read_text()
"""The child the kill test runs: apply or undo, saying "go" at the first write."""
KILLS = 30
"""Kills that land while the files are being written (runs that finish first do not count)."""


def kill_corpus(tmp_path: Path, source: Path | None) -> tuple[Path, list[str]]:
    """About 300 files: a spread of the real corpus, else synthetic ones of every kind."""
    root = tmp_path / "cache"
    if source is not None and source.is_dir():
        every = sorted(p.relative_to(source).as_posix() for p in source.rglob("*.md"))
        kinds = {i: kind_of((source / i).read_bytes(), i) for i in every}
        return root, copy_corpus(source, root, spread(kinds, 300, random.Random(5)))
    ids = []
    for i in range(300):
        published = ("true", "false", None)[i % 3]
        path = root / f"f{i % 4}" / f"{i:03d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(article(published, eol="\r\n" if i % 5 == 0 else "\n"))
        ids.append(path.relative_to(root).as_posix())
    return root, ids


def run_killed(root: Path, db: Path, mode: str, delay: float) -> bool:
    """Run the writer, SIGKILL it DELAY seconds after its first write; True if it was cut."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(root), str(db), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=env,
    )
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline()
        if first == b"go\n":  # else it had nothing to write
            time.sleep(delay)
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        output = first + proc.stdout.read()
        errors = proc.stderr.read() if proc.stderr else b""
    finally:
        watchdog.cancel()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    assert proc.returncode == -signal.SIGKILL or (proc.returncode == 0 and b"done" in output), (
        errors
    )
    return proc.returncode == -signal.SIGKILL


def pick_run(
    root: Path, db: Path, ids: list[str], new: dict[str, bytes], rng: random.Random
) -> tuple[str, int]:
    """(mode, files it has to write): apply while a file is old, or undo the last apply."""
    done = sum((root / i).read_bytes() == new[i] for i in ids)
    library = Library(root, db)
    try:
        step = library.store.next_step()
        undoable = 0
        if step is not None and step.kind == "apply":
            undoable = sum(w.status != "failed" for w in library.store.file_writes(step.batch))
    finally:
        library.close()
    if undoable and (done == len(ids) or rng.random() < 0.5):
        return "undo", undoable
    return "apply", len(ids) - done


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_sigkill_during_apply_leaves_old_or_new_bytes(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The real corpus when it is there, else synthetic files: not a `corpus` test.
    root, ids = kill_corpus(tmp_path, REPO.parent / "shared" / "corpus" / "smartable")
    db = tmp_path / "db" / "decisions.db"
    old = {i: (root / i).read_bytes() for i in ids}
    library = Library(root, db)
    try:
        library.refresh()
        for article_id in ids:  # decide against every file: each one has a write to make
            a = library.article(article_id)
            assert a is not None
            library.store.decide([article_id], SKIP if writeback.in_sync(a, PUB) else PUB)
        new = {e.id: e.line.apply(old[e.id]) for e in writeback.plan(library).edits}
        assert set(new) == set(ids)
        start = time.perf_counter()
        writeback.apply(library, writeback.plan(library, verify=False).edits)
        full = time.perf_counter() - start  # how long a whole apply takes: kill within it
        library.undo()
    finally:
        library.close()
    rng = random.Random(1905)
    kills = checked = damaged = runs = halfway = left = 0
    while kills < KILLS and runs < 4 * KILLS:
        runs += 1
        mode, count = pick_run(root, db, ids, new, rng)
        # Kill it somewhere in its writing (or just after: the re-index).
        cut = run_killed(root, db, mode, rng.uniform(0, full * 1.1 * count / len(ids)))
        kills += cut
        done = 0
        for article_id in ids:
            data = (root / article_id).read_bytes()
            checked += 1
            done += data == new[article_id]
            if data not in (old[article_id], new[article_id]):
                damaged += 1
        assert damaged == 0, f"run {runs}: a file is neither its old nor its new bytes"
        halfway += cut and 0 < done < len(ids)
        left += bool(temps(root))
        library = Library(root, db)
        try:
            library.refresh()  # the next run cleans what a killed write left
        finally:
            library.close()
        assert temps(root) == [], f"run {runs}: a temporary file was left behind"
    assert kills >= KILLS, f"only {kills} of {runs} runs were cut while writing"
    assert halfway >= KILLS // 3, f"only {halfway} kills left some files written, some not"
    # Once it may finish, an apply brings every file to its new bytes, and undo back.
    library = Library(root, db)
    try:
        library.refresh()
        result = writeback.apply(library, writeback.plan(library).edits)
        assert result.ok
        assert {i: (root / i).read_bytes() for i in ids} == new
        while (step := library.store.next_step()) is not None and step.kind == "apply":
            change = library.undo()
            assert change is not None and change.refused == ()
        assert {i: (root / i).read_bytes() for i in ids} == old
    finally:
        library.close()
    with capsys.disabled():
        print(f"\napply kill test: {kills} kills, {checked:,} files checked, {damaged} damaged")
        print(f"  ({halfway} kills cut a run halfway; {left} left a temporary file, then cleaned)")

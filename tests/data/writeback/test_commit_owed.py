"""reader.data.writeback.writer: `apply --commit` finishes what it started.

A write of a file git had clean is owed a commit until a commit holds it: a commit that
git refused or a kill stopped is made by the next `apply --commit` (or with no edits,
`newsreader commit`). The message says what the commit holds, read back from git.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reader.data.article import Decision
from reader.data.decisions.store import StoreError
from reader.data.library import Library
from reader.data.writeback import writer as writeback
from tests.data.writeback import test_writer
from tests.data.writeback.test_writer import git

root, lib, repo = test_writer.root, test_writer.lib, test_writer.repo
"""test_writer's fixtures: a folder of articles, its library, and the folder in git."""

PUB, SKIP = Decision.PUBLISHED, Decision.SKIPPED


def status(top: Path) -> str:
    """git's short status of the articles' folder: empty when every file is committed."""
    return git(top, "status", "--porcelain", "--", "cache")


def head_files(top: Path) -> list[str]:
    """The paths the newest commit changed."""
    return sorted(git(top, "show", "--name-only", "--format=", "HEAD").split())


def commit_now(lib: Library) -> writeback.ApplyResult:
    """`newsreader commit`: an apply with nothing to write that commits what is owed."""
    return writeback.apply(lib, [], commit=True)


def apply_killed_before_its_commit(lib: Library, monkeypatch: pytest.MonkeyPatch) -> None:
    """`apply --commit` of every planned edit, stopped after its writes, before its commit
    (as a kill would stop it)."""
    with monkeypatch.context() as patch:
        patch.setattr(writeback._Commit, "finish", lambda self, written: None)
        writeback.apply(lib, writeback.plan(lib).edits, commit=True)


def test_a_held_lock_file_is_named_and_the_next_commit_finishes(
    lib: Library, repo: Path
) -> None:
    lock = repo / ".git" / "index.lock"
    lock.write_text("")
    lib.store.decide(["draft.md"], PUB, "good story")
    result = writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    assert [e.id for e in result.written] == ["draft.md"]
    assert result.commit is not None and result.commit.sha is None and not result.ok
    note = result.commit.note or ""
    assert "index.lock is there: another git command is running" in note
    assert "newsreader commit" in note
    assert status(repo) == " M cache/draft.md\n"
    assert [w.id for w in lib.store.owed_writes()] == ["draft.md"]
    # Nothing more to write: a plain apply commits nothing, and says nothing went wrong.
    assert writeback.plan(lib).edits == []
    lock.unlink()
    done = commit_now(lib)
    assert done.ok and done.commit is not None and done.commit.sha
    assert done.commit.ids == ["draft.md"] and done.commit.earlier == ["draft.md"]
    assert status(repo) == "" and head_files(repo) == ["cache/draft.md"]
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("newsreader: publish 1\n")
    assert "publish: draft.md (good story)" in message
    assert lib.store.owed_writes() == []
    assert result.batch is not None and lib.store.commit_of(result.batch) == done.commit.sha
    again = commit_now(lib)  # nothing left: no commit, and no complaint
    assert again.ok and again.commit is not None and again.commit.sha is None


def test_a_run_killed_before_its_commit_is_committed_by_the_next_apply(
    lib: Library, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib.store.decide(["draft.md"], PUB)
    apply_killed_before_its_commit(lib, monkeypatch)
    assert status(repo) == " M cache/draft.md\n"
    lib.store.decide(["nokey.md"], SKIP, "off topic")
    done = writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    assert done.ok and done.commit is not None
    assert sorted(done.commit.ids) == ["draft.md", "nokey.md"]
    assert done.commit.earlier == ["draft.md"]
    assert status(repo) == "" and head_files(repo) == ["cache/draft.md", "cache/nokey.md"]
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("newsreader: publish 1, skip 1\n")


def test_a_run_killed_after_git_committed_is_named_by_that_commit(
    lib: Library, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib.store.decide(["draft.md"], PUB)

    def killed(*args: object) -> None:
        raise SystemExit(9)  # git made the commit; the store never heard of it

    with monkeypatch.context() as patch, pytest.raises(SystemExit):
        patch.setattr(lib.store, "commit_made", killed)
        writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    sha = git(repo, "rev-parse", "HEAD").strip()
    assert status(repo) == "" and [w.id for w in lib.store.owed_writes()] == ["draft.md"]
    done = commit_now(lib)
    assert done.ok and done.commit is not None and done.commit.sha is None
    assert done.commit.settled == ["draft.md"] and lib.store.owed_writes() == []
    step = lib.store.next_step()
    assert step is not None and lib.store.commit_of(step.batch) == sha


def test_the_message_names_only_the_files_the_commit_holds(lib: Library, repo: Path) -> None:
    (lib.root / "draft.md").write_bytes((lib.root / "draft.md").read_bytes() + b"Edit.\n")
    (lib.root / "new.md").write_bytes((lib.root / "crlf.md").read_bytes())  # untracked
    lib.refresh()
    lib.store.decide(["draft.md", "new.md", "crlf.md"], PUB)
    result = writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    assert len(result.written) == 3
    assert result.commit is not None and result.commit.ids == ["crlf.md"]
    assert sorted(i for i, _ in result.commit.left_out) == ["draft.md", "new.md"]
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("newsreader: publish 1\n")  # it said "publish 3" before
    assert "draft.md" not in message and "new.md" not in message
    # Those two were never newsreader's to commit: they are owed nothing.
    assert lib.store.owed_writes() == []


def hook(top: Path, script: str) -> None:
    """Install a pre-commit hook."""
    path = top / ".git" / "hooks" / "pre-commit"
    path.write_text("#!/bin/sh\n" + script)
    path.chmod(0o755)


def test_a_hook_that_adds_a_file_is_reported_and_the_message_says_so(
    lib: Library, repo: Path
) -> None:
    hook(repo, 'echo "stamped" > stamp.txt && git add stamp.txt\n')
    lib.store.decide(["draft.md"], PUB)
    result = writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    assert result.commit is not None and result.commit.sha
    assert result.commit.ids == ["draft.md"] and result.commit.extra == ["stamp.txt"]
    assert head_files(repo) == ["cache/draft.md", "stamp.txt"]
    assert result.commit.sha == git(repo, "rev-parse", "HEAD").strip()
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("newsreader: publish 1\n")
    assert "not written by newsreader (a git hook added it):\n  stamp.txt" in message


def test_a_hook_that_refuses_leaves_the_files_owed(lib: Library, repo: Path) -> None:
    hook(repo, 'echo "no commits on Fridays" >&2; exit 1\n')
    lib.store.decide(["draft.md"], PUB)
    result = writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    assert result.commit is not None and not result.ok
    assert "no commits on Fridays" in (result.commit.note or "")
    (repo / ".git" / "hooks" / "pre-commit").unlink()
    done = commit_now(lib)
    assert done.ok and done.commit is not None and done.commit.ids == ["draft.md"]
    assert status(repo) == ""


def test_a_detached_head_is_refused_before_anything_is_written(
    lib: Library, repo: Path
) -> None:
    git(repo, "checkout", "-q", "--detach")
    lib.store.decide(["draft.md"], PUB)
    before = (lib.root / "draft.md").read_bytes()
    with pytest.raises(writeback.CannotCommit, match="HEAD is detached"):
        writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    assert (lib.root / "draft.md").read_bytes() == before


def test_a_file_changed_after_the_write_is_not_committed_until_it_is_clean(
    lib: Library, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib.store.decide(["draft.md"], PUB)
    apply_killed_before_its_commit(lib, monkeypatch)
    path = lib.root / "draft.md"
    path.write_bytes(path.read_bytes() + b"Someone's edit.\n")
    done = commit_now(lib)
    assert done.commit is not None and done.commit.sha is None and not done.ok
    assert [i for i, _ in done.commit.left_out] == ["draft.md"]
    assert "changed since newsreader wrote it" in done.commit.left_out[0][1]
    assert [w.id for w in lib.store.owed_writes()] == ["draft.md"]  # still reported
    git(repo, "commit", "-q", "-am", "the editor's own commit")
    done = commit_now(lib)
    assert done.ok and done.commit is not None and done.commit.settled == ["draft.md"]
    assert lib.store.owed_writes() == []


def test_an_undone_apply_owes_no_commit(
    lib: Library, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib.store.decide(["draft.md"], PUB)
    head = git(repo, "rev-parse", "HEAD")
    apply_killed_before_its_commit(lib, monkeypatch)
    assert lib.undo() is not None
    done = commit_now(lib)
    assert done.ok and done.commit is not None and done.commit.sha is None
    assert git(repo, "rev-parse", "HEAD") == head and lib.store.owed_writes() == []


def test_a_plain_apply_over_an_owed_write_is_committed_as_it_now_reads(
    lib: Library, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib.store.decide(["nokey.md"], SKIP)
    apply_killed_before_its_commit(lib, monkeypatch)
    lib.store.decide(["nokey.md"], PUB, "changed my mind")
    assert len(writeback.apply(lib, writeback.plan(lib).edits).written) == 1  # no commit
    done = commit_now(lib)
    assert done.ok and done.commit is not None and done.commit.ids == ["nokey.md"]
    message = git(repo, "log", "-1", "--format=%B")
    assert message.startswith("newsreader: publish 1\n")
    assert "publish: nokey.md (changed my mind)" in message
    assert "published: true" in git(repo, "show", "HEAD:cache/nokey.md")
    assert status(repo) == ""


def test_a_gone_file_is_owed_nothing(
    lib: Library, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib.store.decide(["nokey.md"], SKIP)
    apply_killed_before_its_commit(lib, monkeypatch)
    os.unlink(lib.root / "nokey.md")
    done = commit_now(lib)
    assert done.commit is not None and done.commit.settled == ["nokey.md"]
    assert done.commit.sha is None and lib.store.owed_writes() == []


def test_a_store_that_cannot_note_the_commit_says_the_commit_was_made(
    lib: Library, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib.store.decide(["draft.md"], PUB)

    def full(*args: object) -> None:
        raise StoreError("/d/decisions.db: cannot write the decisions database: disk full; "
                         "nothing was changed")  # fmt: skip

    with monkeypatch.context() as patch, pytest.raises(StoreError) as raised:
        patch.setattr(lib.store, "commit_made", full)
        writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    sha = git(repo, "rev-parse", "HEAD").strip()
    assert str(raised.value) == (
        f"git commit {sha[:12]} holds the files written, but the decisions database could not "
        "note it (/d/decisions.db: cannot write the decisions database: disk full); the next "
        "`newsreader commit` notes it"
    )
    done = commit_now(lib)  # and it does
    assert done.ok and done.commit is not None and done.commit.settled == ["draft.md"]
    step = lib.store.next_step()
    assert step is not None and lib.store.commit_of(step.batch) == sha


def test_a_store_pulled_while_apply_writes_says_the_files_were_written(
    lib: Library, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib.store.decide(["draft.md", "nokey.md"], SKIP)
    lib.store.decide(["draft.md"], PUB)
    moved = lib.store.db_path.parent.with_name("pulled")
    replace = writeback.Folder.replace

    def pull_then_replace(self: writeback.Folder, *args: object) -> None:
        monkeypatch.setattr(writeback.Folder, "replace", replace)
        lib.store.db_path.parent.rename(moved)
        replace(self, *args)  # type: ignore[arg-type]

    monkeypatch.setattr(writeback.Folder, "replace", pull_then_replace)
    result = writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    assert sorted(e.id for e in result.written) == ["draft.md", "nokey.md"]
    assert not result.ok and result.store_lost is not None
    assert result.store_lost.startswith("2 files written, but the decisions database cannot "
                                        "record them, so no undo can restore them: ")
    assert "deleted or replaced" in result.store_lost
    assert result.commit is not None and result.commit.sha is None
    assert status(repo) != ""  # nothing committed that no store knows of


def test_a_write_that_puts_the_committed_bytes_back_owes_nothing_and_is_no_failure(
    lib: Library, repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    lib.store.decide(["draft.md"], PUB)  # its committed file says false
    apply_killed_before_its_commit(lib, monkeypatch)
    lib.store.decide(["draft.md"], SKIP)  # back to what git has
    head = git(repo, "rev-parse", "HEAD")
    done = writeback.apply(lib, writeback.plan(lib).edits, commit=True)
    assert [e.id for e in done.written] == ["draft.md"]
    assert done.ok and done.commit is not None and done.commit.left_out == []
    assert done.commit.sha is None and git(repo, "rev-parse", "HEAD") == head
    assert status(repo) == "" and lib.store.owed_writes() == []

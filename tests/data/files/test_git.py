"""reader.data.files.git: one commit of exactly the files an apply wrote, in or out of git."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from reader.data.files.git import (
    CommitResult,
    GitError,
    Repo,
    _in_our_words,
    check_can_commit,
    commit_message,
)
from tests.data.writeback import test_writer as test_writeback
from tests.data.writeback.test_writer import FILES, GIT, git

root = test_writeback.root
"""test_writeback's folder fixture, shared rather than copied."""
repo = test_writeback.repo
"""test_writeback's work tree: root committed in it, as `cache/`, beside notes.txt."""

needs_git = pytest.mark.skipif(GIT is None, reason="git is not installed: no work tree to test")


@pytest.fixture(autouse=True)
def _no_work_tree_above(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Keep git from finding a work tree above tmp_path."""
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))


def head(top: Path) -> str:
    return git(top, "rev-parse", "HEAD").strip()


# -- outside git -------------------------------------------------------------------------


@needs_git
def test_a_folder_outside_a_work_tree_is_refused_with_the_reason(root: Path) -> None:
    with pytest.raises(GitError, match="not inside a git work tree: no commit made") as raised:
        Repo(root)
    assert str(root) in str(raised.value)


@needs_git
def test_a_bare_repository_is_not_a_work_tree(tmp_path: Path) -> None:
    bare = tmp_path / "bare.git"
    git(tmp_path, "init", "-q", "--bare", str(bare))
    with pytest.raises(GitError, match="not inside a git work tree"):
        Repo(bare)


def test_without_git_the_error_says_so(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(root / "nowhere"))
    with pytest.raises(GitError, match=r"^git is not installed: no commit made$"):
        Repo(root)


# -- inside git --------------------------------------------------------------------------


@needs_git
def test_only_tracked_unchanged_files_are_clean(root: Path, repo: Path) -> None:
    (root / "draft.md").write_bytes(b"changed, not staged\n")
    (root / "live.md").write_bytes(b"changed and staged\n")
    git(repo, "add", "cache/live.md")
    (root / "untracked.md").write_bytes(b"new\n")
    found = Repo(root)
    assert found.top == repo.resolve()
    assert found.prefix == "cache"
    assert found.clean == {f"cache/{i}" for i in FILES} - {"cache/draft.md", "cache/live.md"}


@needs_git
@pytest.mark.parametrize(
    ("article_id", "want"),
    [("a.md", "cache/a.md"), ("sub/deep.md", "cache/sub/deep.md"), ("./x.md", "cache/x.md")],
)
def test_path_is_from_the_top_of_the_work_tree(
    root: Path, repo: Path, article_id: str, want: str
) -> None:
    assert Repo(root).path(article_id) == want


@needs_git
def test_a_cache_that_is_the_top_itself(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "articles")
    found = Repo(root)
    assert found.prefix == "." and found.path("live.md") == "live.md"
    assert "live.md" in found.clean


@needs_git
def test_a_cache_reached_through_a_link_is_found_where_it_is(
    root: Path, repo: Path, tmp_path: Path
) -> None:
    link = tmp_path / "link-to-cache"
    link.symlink_to(root, target_is_directory=True)
    found = Repo(link)
    assert found.prefix == "cache" and "cache/live.md" in found.clean


HOSTILE_NAMES = [
    pytest.param("*.md", id="glob-star"),
    pytest.param("[ab].md", id="glob-class"),
    pytest.param(":(top)notes.md", id="pathspec-magic"),
    pytest.param("-rf.md", id="leading-dash"),
    pytest.param("with space.md", id="space"),
    pytest.param("new\nline.md", id="newline"),
]


@needs_git
@pytest.mark.parametrize("name", HOSTILE_NAMES)
def test_a_commit_holds_exactly_the_named_file(root: Path, repo: Path, name: str) -> None:
    siblings = ["a.md", "b.md", "notes.md"]
    for other in [name, *siblings]:
        (root / other).write_bytes(b"before\n")
    git(repo, "add", "cache")
    git(repo, "commit", "-q", "-m", "odd names")
    found = Repo(root)
    for other in [name, *siblings]:  # the apply writes them all
        (root / other).write_bytes(b"after\n")
    result = CommitResult()
    found.commit([("publish", name, None)], result)
    assert result.ids == [name] and result.left_out == [] and result.extra == [] and result.ok
    assert result.sha == head(repo)
    files = git(repo, "show", "-z", "--name-only", "--format=", "HEAD").split("\0")
    assert [f for f in files if f] == ["cache/" + name]
    changed = git(repo, "status", "-z", "--porcelain", "--", "cache").split("\0")
    assert sorted(c[3:] for c in changed if c) == [f"cache/{s}" for s in siblings]


@needs_git
def test_a_file_git_does_not_track_is_a_git_error_not_a_commit(root: Path, repo: Path) -> None:
    """The writer never asks for one (it commits only files git had clean); if it did, git
    refuses the whole commit."""
    (root / "untracked.md").write_bytes(b"new\n")
    (root / "live.md").write_bytes(b"written by the apply\n")
    before = head(repo)
    with pytest.raises(GitError, match=r"^git commit failed: "):
        Repo(root).commit([("skip", "untracked.md", None), ("skip", "live.md", None)],
                          CommitResult())  # fmt: skip
    assert head(repo) == before


@pytest.mark.parametrize(
    ("stderr", "said"),
    [
        pytest.param(
            "fatal: Unable to create '/s/.git/index.lock': File exists.\n\nAnother git process "
            "seems to be running in this repository...\n",
            "git's lock file /s/.git/index.lock is there: another git command is running in "
            "/s, or one was stopped before it finished. When no git command is running, "
            "remove /s/.git/index.lock",
            id="lock-file",
        ),
        pytest.param(
            "fatal: cannot do a partial commit during a merge.\n",
            "a merge is under way in /s: finish it (`git commit`) or abort it "
            "(`git merge --abort`) first",
            id="merge",
        ),
        pytest.param("error: \x1b[31mrefused\n", "git commit failed: error: refused",
                     id="other"),
        pytest.param("", "git commit failed: no reason given", id="silent"),
        pytest.param(
            "fatal: '/gone/site.git' does not appear to be a git repository\n"
            "fatal: Could not read from remote repository.\n\n"
            "Please make sure you have the correct access rights\nand the repository exists.\n",
            "git commit failed: fatal: '/gone/site.git' does not appear to be a git repository",
            id="advice-after-the-error",
        ),
    ],
)
def test_gits_errors_are_said_in_our_words(stderr: str, said: str) -> None:
    assert _in_our_words(Path("/s"), "commit", stderr) == said


@needs_git
def test_a_failing_commit_raises_and_leaves_head_and_files(root: Path, repo: Path) -> None:
    hook = repo / ".git" / "hooks" / "pre-commit"
    hook.write_text("#!/bin/sh\necho 'refused by a hook' >&2\nexit 1\n")
    hook.chmod(0o755)
    found = Repo(root)
    (root / "live.md").write_bytes(b"written by the apply\n")
    before = head(repo)
    with pytest.raises(GitError, match=r"^git commit failed: refused by a hook$"):
        found.commit([("publish", "live.md", None)], CommitResult())
    assert head(repo) == before
    assert (root / "live.md").read_bytes() == b"written by the apply\n"


# -- the result and the message ----------------------------------------------------------

OK = [
    pytest.param(CommitResult(sha="abc", ids=["a.md"]), True, id="all-committed"),
    pytest.param(CommitResult(sha="abc", ids=["a"], left_out=[("b", "why")]), False, id="one-out"),
    pytest.param(CommitResult(note="no file to commit"), False, id="no-commit"),
    pytest.param(CommitResult(), True, id="nothing-asked"),
]


@pytest.mark.parametrize(("result", "ok"), OK)
def test_ok_means_every_written_file_was_committed(result: CommitResult, ok: bool) -> None:
    assert result.ok is ok


MESSAGES = [
    pytest.param(
        [("publish", "a.md", "good"), ("skip", "b.md", None), ("publish", "c.md", None)],
        "newsreader: publish 2, skip 1\n\npublish: a.md (good)\nskip: b.md\npublish: c.md\n",
        id="counted-in-first-seen-order",
    ),
    pytest.param(
        [("skip", "x.md", "line one\nline two\x1b[31m")],
        "newsreader: skip 1\n\nskip: x.md (line one line two)\n",
        id="reason-kept-on-one-line-without-controls",
    ),
    pytest.param(
        [("skip", "evil\nsigned-off-by: x.md", "")],
        "newsreader: skip 1\n\nskip: evil\\x0asigned-off-by: x.md\n",
        id="id-with-a-newline-escaped",
    ),
    pytest.param(
        [("publish", "caf\udce9.md", None)],
        "newsreader: publish 1\n\npublish: caf\\xe9.md\n",
        id="undecodable-byte-escaped",
    ),
]


@pytest.mark.parametrize(("lines", "want"), MESSAGES)
def test_commit_message(lines: list[tuple[str, str, str | None]], want: str) -> None:
    assert commit_message(iter(lines)) == want


# -- before an apply writes: can git commit here at all? ---------------------------------

IDENTITY = ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL")


@pytest.fixture
def no_identity(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No git identity from the machine: no global or system config, no identity variables."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in (*IDENTITY, "EMAIL"):
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def bare_tree(root: Path, no_identity: None) -> Path:
    """`root` as a work tree of its own, committed by a one-off identity, with none kept."""
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "articles")  # `git` passes its identity for this one
    return root


@needs_git
def test_ready_outside_a_work_tree_says_so_and_how(root: Path, no_identity: None) -> None:
    with pytest.raises(GitError) as raised:
        check_can_commit(root)
    text = str(raised.value)
    assert f"{root} is not inside a git work tree" in text and "`git init`" in text


def test_ready_without_git_says_so(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(root / "nowhere"))
    with pytest.raises(GitError, match=r"^git is not installed: install it"):
        check_can_commit(root)


@needs_git
def test_ready_without_a_name_or_email_names_both_and_the_fix(bare_tree: Path) -> None:
    with pytest.raises(GitError) as raised:
        check_can_commit(bare_tree)
    text = str(raised.value)
    assert "git has no user name or email" in text
    assert 'git config --global user.name "Your Name"' in text
    assert 'git config --global user.email "you@example.com"' in text


@needs_git
@pytest.mark.parametrize(
    ("config", "missing"),
    [(("user.name", "Ed Itor"), "email"), (("user.email", "ed@example.com"), "name")],
    ids=["email-missing", "name-missing"],
)
def test_ready_names_only_what_is_missing(
    bare_tree: Path, config: tuple[str, str], missing: str
) -> None:
    git(bare_tree, "config", *config)
    with pytest.raises(GitError) as raised:
        check_can_commit(bare_tree)
    text = str(raised.value)
    assert f"git has no user {missing} to commit with" in text
    assert f"git config --global user.{missing} " in text
    assert config[0] not in text


@needs_git
def test_ready_with_the_repository_s_own_identity(bare_tree: Path) -> None:
    git(bare_tree, "config", "user.name", "Ed Itor")
    git(bare_tree, "config", "user.email", "ed@example.com")
    check_can_commit(bare_tree)


@needs_git
def test_ready_with_an_identity_from_the_environment(
    bare_tree: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for var in IDENTITY:
        monkeypatch.setenv(var, "ed@example.com" if var.endswith("EMAIL") else "Ed Itor")
    check_can_commit(bare_tree)
    monkeypatch.delenv("GIT_COMMITTER_EMAIL")
    with pytest.raises(GitError, match="no user email"):  # git needs the committer's too
        check_can_commit(bare_tree)
    monkeypatch.setenv("EMAIL", "ed@example.com")  # git's own fallback for both
    check_can_commit(bare_tree)

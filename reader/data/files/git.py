"""One git commit of exactly the files an apply wrote: no push, other staged changes kept."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from reader.data.clean import clean_line, escape_name

_ENV = {"GIT_LITERAL_PATHSPECS": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
"""File names are names, never patterns; git never asks for anything."""


class GitError(Exception):
    """git is missing, the folder is not in a work tree, or a git command failed."""


@dataclass
class CommitResult:
    """What `apply --commit` (or `newsreader commit`) did in git."""

    sha: str | None = None
    """The new commit, or None when none was made."""
    ids: list[str] = field(default_factory=list)
    """The files in the commit (article ids), as read back from git."""
    earlier: list[str] = field(default_factory=list)
    """Those of `ids` an earlier apply wrote and did not get committed (killed, or git
    refused then)."""
    left_out: list[tuple[str, str]] = field(default_factory=list)
    """(id, why) of files written but not committed."""
    extra: list[str] = field(default_factory=list)
    """Paths (from the top of the work tree) the commit holds that newsreader did not
    write: a git hook added them."""
    settled: list[str] = field(default_factory=list)
    """Files an earlier apply wrote that need no commit any more (committed by hand, put
    back by an undo, or gone)."""
    note: str | None = None
    """Why no commit was made, when none was (None also when there was nothing to commit)."""

    @property
    def ok(self) -> bool:
        """Whether every written file was committed."""
        return self.note is None and not self.left_out


def _git(
    top: Path, *args: str, data: bytes | None = None, env: dict[str, str] | None = None
) -> bytes:
    """Run git in `top` with `args` (and `data` on stdin, `env` added to the environment);
    its output, or a `GitError`."""
    try:
        done = subprocess.run(
            ["git", "-C", os.fspath(top), *args],
            input=data,
            capture_output=True,
            env={**os.environ, **_ENV, **(env or {})},
            timeout=120,
        )
    except FileNotFoundError:
        raise GitError("git is not installed: no commit made") from None
    except subprocess.TimeoutExpired:
        raise GitError(f"git {args[0]} took too long: no commit made") from None
    if done.returncode != 0:
        raise GitError(_in_our_words(top, args[0], done.stderr.decode("utf-8", "replace")))
    return done.stdout


def _in_our_words(top: Path, command: str, stderr: str) -> str:
    """What git's error output means, in a line that says what to do: its lock file in the
    way, a merge under way; else git's own last line."""
    lines = [clean_line(line) for line in stderr.strip().splitlines() if line.strip()]
    lock = next((line for line in lines if ".lock" in line and "exists" in line.lower()), None)
    if lock is not None:
        path = lock.split("'")[1] if lock.count("'") >= 2 else ".git/index.lock"
        return (f"git's lock file {path} is there: another git command is running in {top}, "
                "or one was stopped before it finished. When no git command is running, "
                f"remove {path}")  # fmt: skip
    if any("during a merge" in line for line in lines):
        return (f"a merge is under way in {top}: finish it (`git commit`) or abort it "
                "(`git merge --abort`) first")  # fmt: skip
    # git's own error line says what went wrong; what follows it is advice ("Please make
    # sure you have the correct access rights and the repository exists.")
    said = next((line for line in lines if line.startswith("fatal: ")), None)
    return f"git {command} failed: {said or (lines[-1] if lines else 'no reason given')}"


def _work_tree(root: Path) -> Path:
    """The top of the work tree holding `root`; a `GitError` when there is none or git is
    missing."""
    try:
        out = _git(root, "rev-parse", "--is-inside-work-tree", "--show-toplevel")
    except GitError as error:
        if "git is not installed" in str(error):
            raise
        raise GitError(f"{root} is not inside a git work tree: no commit made") from None
    lines = out.decode("utf-8", "surrogateescape").splitlines()
    if len(lines) < 2 or lines[0] != "true":
        raise GitError(f"{root} is not inside a git work tree: no commit made")
    return Path(lines[1])


_PROBE = {"NAME": "newsreader probe", "EMAIL": "probe@example.invalid"}
"""Stand-ins for one half of an identity, to learn whether git has the other half."""
_FIX = {
    "name": 'git config --global user.name "Your Name"',
    "email": 'git config --global user.email "you@example.com"',
}
"""How to give git what it lacks, as git itself suggests."""


def _ident_ok(top: Path, role: str, stand_in: str | None = None) -> bool:
    """Whether git has a name and email of its own (never made up from the machine's user
    and host names) for the `role` (AUTHOR or COMMITTER) of a commit in `top`; with
    `stand_in` (NAME or EMAIL), whether it has the other half."""
    options = ["-c", "user.useConfigOnly=true"]
    if os.environ.get("EMAIL"):  # git's fallback, which useConfigOnly would not take
        options += ["-c", f"user.email={os.environ['EMAIL']}"]
    env = {f"GIT_{role}_{stand_in}": _PROBE[stand_in]} if stand_in else None
    try:
        _git(top, *options, "var", f"GIT_{role}_IDENT", env=env)
    except GitError:
        return False
    return True


def _missing_identity(top: Path) -> list[str]:
    """What git lacks to name the author and committer of a commit in `top`: `name`,
    `email`, both or neither."""
    missing: set[str] = set()
    for role in ("AUTHOR", "COMMITTER"):
        if _ident_ok(top, role):
            continue
        lacks = {
            half
            for half, other in (("name", "EMAIL"), ("email", "NAME"))
            if not _ident_ok(top, role, other)
        }
        missing |= lacks or {"name", "email"}  # each half alone is fine, not both: say both
    return [half for half in ("name", "email") if half in missing]


def check_can_commit(root: Path) -> None:
    """Raise a `GitError` saying what is missing and how to set it, unless git is installed,
    `root` lies in a work tree and git has a user name and email to commit with there."""
    try:
        top = _work_tree(root)
    except GitError as error:
        if "git is not installed" in str(error):
            raise GitError(
                "git is not installed: install it, or apply without committing"
            ) from None
        raise GitError(
            f"{root} is not inside a git work tree: make it one (`git init`, then commit the "
            "articles), or apply without committing"
        ) from None
    if _detached(top):
        raise GitError(
            f"HEAD is detached in {top} (no branch is checked out): a commit there would "
            "belong to no branch. Check out a branch first (`git switch <branch>`), or apply "
            "without committing"
        )
    missing = _missing_identity(top)
    if missing:
        what = " or ".join(missing)
        fixes = " and ".join(f"`{_FIX[m]}`" for m in missing)
        raise GitError(
            f"git has no user {what} to commit with: set {'it' if len(missing) == 1 else 'them'} "
            f"with {fixes} (or without --global, inside {top}, for that repository only)"
        )


def _detached(top: Path) -> bool:
    """Whether `top`'s HEAD points at a commit rather than a branch."""
    try:
        _git(top, "symbolic-ref", "--quiet", "HEAD")
    except GitError:
        return True
    return False


class Repo:
    """The git work tree holding a cache folder, as seen before an apply writes."""

    def __init__(self, root: Path):
        """The work tree holding `root`; a `GitError` when there is none or git is missing."""
        top = _work_tree(root)
        self.top = top
        self.prefix = os.path.relpath(os.path.realpath(root), os.path.realpath(top))
        self.clean = self._clean_files()
        """Paths (from the top) tracked by git and unchanged: only these may be committed."""

    def path(self, article_id: str) -> str:
        """An article's path from the top of the work tree."""
        return os.path.normpath(os.path.join(self.prefix, article_id))

    def _clean_files(self) -> set[str]:
        """The files under the cache folder that git tracks and that have no changes."""
        spec = self.prefix
        tracked = _paths(_git(self.top, "ls-files", "-z", "--", spec))
        status = _git(
            self.top, "status", "--porcelain=v1", "-z", "--no-renames", "--untracked-files=no",
            "--", spec,
        )  # fmt: skip
        changed = {entry[3:] for entry in _paths(status)}
        return tracked - changed

    def refresh(self) -> None:
        """Look again at which files are clean (after writing some)."""
        self.clean = self._clean_files()

    def is_clean(self, article_id: str) -> bool:
        """Whether git tracks the article's file and it has no changes."""
        return self.path(article_id) in self.clean

    def commit(
        self, lines: Sequence[tuple[str, str, str | None]], result: CommitResult
    ) -> None:
        """Commit exactly the files of `lines` ((action, id, reason) each) as they are on
        disk; what was staged before stays staged, and out of the commit.

        The commit is read back from git: `result.ids` are the files it holds, a file it
        does not hold goes to `result.left_out`, and one it holds that newsreader did not
        write (a hook added it) to `result.extra`; when they differ from `lines`, the
        message is rewritten to say what the commit holds. A `GitError` when git refuses.
        """
        names = b"\0".join(os.fsencode(self.path(i)) for _, i, _ in lines)
        # --only: the commit holds these paths as they are on disk and nothing else staged.
        _git(
            self.top, "commit", "--only", "--quiet", "--message", commit_message(lines),
            "--pathspec-from-file=-", "--pathspec-file-nul", data=names,
        )  # fmt: skip
        result.sha = _git(self.top, "rev-parse", "HEAD").decode().strip()
        held = _paths(_git(
            self.top, "diff-tree", "--no-commit-id", "-r", "--name-only", "-z", "--root",
            "--no-renames", result.sha,
        ))  # fmt: skip
        kept = [line for line in lines if self.path(line[1]) in held]
        result.ids = [i for _, i, _ in kept]
        result.left_out += [
            (i, "git left it out of the commit (a hook unstaged it?): not committed")
            for _, i, _ in lines
            if self.path(i) not in held
        ]
        result.extra = sorted(held - {self.path(i) for _, i, _ in lines})
        if len(kept) != len(lines) or result.extra:
            _git(
                self.top, "commit", "--amend", "--only", "--no-verify", "--quiet",
                "--message", commit_message(kept, result.extra),
            )  # fmt: skip
            result.sha = _git(self.top, "rev-parse", "HEAD").decode().strip()

    def last_commit_of(self, article_id: str) -> tuple[str, str, int] | None:
        """The newest commit that changed the article's file: (sha, subject, when it was
        made in Unix seconds), or None."""
        try:
            out = _git(self.top, "log", "-1", "--format=%H%x00%ct%x00%s", "--",
                       self.path(article_id))  # fmt: skip
        except GitError:
            return None
        sha, _, rest = out.decode("utf-8", "replace").strip().partition("\0")
        when, _, subject = rest.partition("\0")
        return (sha, subject, int(when)) if sha and when.isdigit() else None


MESSAGE_TITLE = "newsreader: "
"""How the title of every commit newsreader makes begins."""


def commit_message(lines: Iterable[tuple[str, str, str | None]], extra: Sequence[str] = ()) -> str:
    """`newsreader: publish 2, skip 1`, then a line per (action, id, reason): `skip: ID (why)`;
    then the `extra` paths the commit holds that newsreader did not write."""
    lines = list(lines)
    counts: dict[str, int] = {}
    for action, _, _ in lines:
        counts[action] = counts.get(action, 0) + 1
    title = ", ".join(f"{action} {n}" for action, n in counts.items()) or "no decision"
    body = [f"{a}: {escape_name(i)}" + (f" ({clean_line(r)})" if r else "") for a, i, r in lines]
    if extra:
        body += ["", "Also in this commit, not written by newsreader (a git hook added it):"]
        body += [f"  {escape_name(path)}" for path in extra]
    return f"{MESSAGE_TITLE}{title}\n\n" + "\n".join(body) + "\n"


def _paths(out: bytes) -> set[str]:
    """The paths in git's NUL-separated output."""
    return {os.fsdecode(part) for part in out.split(b"\0") if part}

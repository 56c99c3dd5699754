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
    """What `apply --commit` did in git."""

    sha: str | None = None
    """The new commit, or None when none was made."""
    ids: list[str] = field(default_factory=list)
    """The files in the commit (article ids)."""
    left_out: list[tuple[str, str]] = field(default_factory=list)
    """(id, why) of files written but not committed."""
    note: str | None = None
    """Why no commit was made, when none was."""

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
        why = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(f"git {args[0]} failed: {why[-1] if why else done.returncode}")
    return done.stdout


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
    missing = _missing_identity(top)
    if missing:
        what = " or ".join(missing)
        fixes = " and ".join(f"`{_FIX[m]}`" for m in missing)
        raise GitError(
            f"git has no user {what} to commit with: set {'it' if len(missing) == 1 else 'them'} "
            f"with {fixes} (or without --global, inside {top}, for that repository only)"
        )


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

    def commit(self, ids: Sequence[str], message: str) -> CommitResult:
        """Commit exactly these files as they are now; others stay as they were staged.

        A file git does not track, or that had other changes before the apply, is left
        out (committing it would take in more than the decision).
        """
        result = CommitResult()
        for article_id in ids:
            if self.path(article_id) in self.clean:
                result.ids.append(article_id)
            else:
                result.left_out.append(
                    (article_id, "not tracked by git, or it had other changes: not committed")
                )
        if not result.ids:
            result.note = "no file to commit"
            return result
        names = b"\0".join(os.fsencode(self.path(i)) for i in result.ids)
        # --only: the commit holds these paths as they are on disk and nothing else staged.
        _git(
            self.top, "commit", "--only", "--quiet", "--message", message,
            "--pathspec-from-file=-", "--pathspec-file-nul", data=names,
        )  # fmt: skip
        result.sha = _git(self.top, "rev-parse", "HEAD").decode().strip()
        return result


def commit_message(lines: Iterable[tuple[str, str, str | None]]) -> str:
    """`newsreader: publish 2, skip 1`, then a line per (action, id, reason): `skip: ID (why)`."""
    lines = list(lines)
    counts: dict[str, int] = {}
    for action, _, _ in lines:
        counts[action] = counts.get(action, 0) + 1
    title = ", ".join(f"{action} {n}" for action, n in counts.items())
    body = [f"{a}: {escape_name(i)}" + (f" ({clean_line(r)})" if r else "") for a, i, r in lines]
    return f"newsreader: {title}\n\n" + "\n".join(body) + "\n"


def _paths(out: bytes) -> set[str]:
    """The paths in git's NUL-separated output."""
    return {os.fsdecode(part) for part in out.split(b"\0") if part}

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


def _git(top: Path, *args: str, data: bytes | None = None) -> bytes:
    """Run git in `top` with `args` (and `data` on stdin); its output, or a `GitError`."""
    try:
        done = subprocess.run(
            ["git", "-C", os.fspath(top), *args],
            input=data,
            capture_output=True,
            env={**os.environ, **_ENV},
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


class Repo:
    """The git work tree holding a cache folder, as seen before an apply writes."""

    def __init__(self, root: Path):
        """The work tree holding `root`; a `GitError` when there is none or git is missing."""
        try:
            out = _git(root, "rev-parse", "--is-inside-work-tree", "--show-toplevel")
        except GitError as error:
            if "git is not installed" in str(error):
                raise
            raise GitError(f"{root} is not inside a git work tree: no commit made") from None
        inside, top = out.decode("utf-8", "surrogateescape").splitlines()[:2]
        if inside != "true":
            raise GitError(f"{root} is not inside a git work tree: no commit made")
        self.top = Path(top)
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

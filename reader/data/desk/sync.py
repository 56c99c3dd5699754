"""`newsreader sync`: share my decisions through the site's git repository, take everyone's.

One sync: write this store's new events to my log, commit only that file, fetch, rebase
onto the remote, push; then read every editor's log into the store. No remote, or one that
cannot be reached: the log is still written and committed, the others' logs already in
the work tree are read, and the result says why nothing was exchanged.

A sync killed at any moment loses nothing: the store marks an event shared only once its
line is on disk, and a line is written again (by id, never twice) if the mark was lost;
the next sync finishes or undoes what git was doing (see `_SyncLock`).
"""

from __future__ import annotations

import os
import time
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from reader.data.article import Problem
from reader.data.clean import clean_line
from reader.data.decisions.events import Event, Side
from reader.data.decisions.store import TriageStore
from reader.data.desk.log import LOG_DIR, append, log_name, mine, read_log, to_line
from reader.data.files.git import GitError, _detached, _git, _work_tree, check_can_commit


class Host(Protocol):
    """What a sync needs of the Library (which lies above this layer)."""

    root: Path
    store: TriageStore

    def refresh(self) -> Any:
        """Re-read new and changed files."""

    def take_events(self, events: list[Event]) -> tuple[int, list[str]]:
        """Add the desk's events the store lacks."""

    def conflicts(self) -> dict[str, list[Side]]:
        """The articles in conflict."""

FETCH_TRIES = 3
"""Fetch, rebase and push again this many times when someone pushed in between."""
LOCK_NAME = "newsreader-sync"
"""The file in the git folder that says a sync is under way (and by which process)."""


class SyncError(Exception):
    """The sync could not start or share: nothing was exchanged (the store keeps every
    decision, to share at a later sync)."""


@dataclass
class SyncResult:
    """What one sync did."""

    editor: str
    log: str
    """My log's path from the top of the repository."""
    shared: int = 0
    """My events written to my log by this sync."""
    commit: str | None = None
    """The commit this sync made of my log, or None."""
    pushed: bool = False
    """Whether the remote now has my log's commits."""
    received: int = 0
    """Events of the other editors new to this store."""
    changed: list[str] = field(default_factory=list)
    """Articles whose state the received events changed."""
    conflicts: int = 0
    """Articles in conflict after the sync."""
    problems: list[Problem] = field(default_factory=list)
    """Log lines that are not events (which log, which line, what is wrong): passed over."""
    note: str | None = None
    """Why the remote was not synced with (no remote, not reached, the branches differ in
    other files), or None when it was."""

    @property
    def ok(self) -> bool:
        """Whether everything was shared with the remote and taken from it."""
        return self.note is None


def editor_of(top: Path, configured: str | None) -> str:
    """Who decides here: the config's `editor:`, else git's user name and email."""
    if configured:
        return configured
    name, email = (_config(top, key) for key in ("user.name", "user.email"))
    if name and email:
        return f"{name} <{email}>"
    if name or email:
        return name or email or ""
    raise SyncError(
        "no editor name: set `editor: Your Name` in newsreader's config, or git's "
        '`git config --global user.name "Your Name"` and user.email'
    )


def _config(top: Path, key: str) -> str | None:
    """A git config value, or None when unset."""
    try:
        return _git(top, "config", "--get", key).decode("utf-8", "replace").strip() or None
    except GitError:
        return None


def sync(library: Host, configured_editor: str | None = None) -> SyncResult:
    """Sync the library's decisions with the desk (see the module's docstring)."""
    try:
        top = _work_tree(library.root)
    except GitError as error:
        raise SyncError(f"{error}".replace("no commit made", "nothing was synced")) from None
    editor = editor_of(top, configured_editor)
    git_dir = Path(os.fsdecode(_git(top, "rev-parse", "--absolute-git-dir").strip()))
    prefix = os.path.relpath(os.path.realpath(library.root), os.path.realpath(top))
    log = LOG_DIR / log_name(editor.split(" <")[-1].rstrip(">") if "<" in editor else editor)
    result = SyncResult(editor, log.as_posix())
    with _SyncLock(top, git_dir):
        _refuse_states(top, git_dir)
        try:
            result.shared = _share(library, top / log, editor, prefix)
        except OSError as error:  # a link or a folder in its place, a full disk
            raise SyncError(f"cannot write your log {log.as_posix()}: "
                            f"{error.strerror or error}") from None
        try:
            check_can_commit(library.root)
            result.commit = _commit_log(top, log, editor)
        except GitError as error:
            result.note = f"{error}; your decisions are in {log.as_posix()}, not committed"
        before = _head(top)
        if result.note is None:
            result.note, result.pushed = _exchange(top)
    if _folder_changed(top, before, prefix):
        library.refresh()  # the pull brought article files, not only the desk's logs
    received, result.problems = _read_logs(top, prefix)
    result.received, result.changed = library.take_events(received)
    result.conflicts = len(library.conflicts())
    return result


def _share(library: Host, path: Path, editor: str, prefix: str) -> int:
    """Append this store's unshared events to my log, then mark them shared; how many lines
    were written (events already in the log, from a sync killed before its mark, are not
    written twice)."""
    events = library.store.unshared_events()
    if not events:
        return 0
    there = {e.id for e in read_log(path)[0]} if path.exists() else set()
    lines = [_line(mine(e, editor), prefix) for e in events if e.id not in there]
    written = append(path, lines)
    library.store.mark_shared([e.id for e in events], editor)
    return written


def _line(event: Event, prefix: str) -> bytes:
    """An event's log line, its articles as paths from the top of the repository."""
    def path(article_id: str) -> str:
        return article_id if prefix == "." else f"{prefix}/{article_id}"

    return to_line(event, path(event.article) if event.article else None,
                   [path(a) for a in event.articles])


def _commit_log(top: Path, log: Path, editor: str) -> str | None:
    """Commit my log alone, when it changed; the commit's sha, or None."""
    rel = log.as_posix()
    if not _git(top, "status", "--porcelain=v1", "--untracked-files=all", "--", rel).strip():
        return None
    _git(top, "add", "--", rel)
    _git(top, "commit", "--only", "--quiet", "--message",
         "newsreader sync: decisions of " + clean_line(editor.split(" <")[0]), "--", rel)
    return _git(top, "rev-parse", "HEAD").decode().strip()


def _folder_changed(top: Path, before: str, prefix: str) -> bool:
    """Whether the commits a pull brought change anything in the library's folder."""
    after = _head(top)
    if after == before:
        return False
    if not before:
        return True
    try:
        _git(top, "diff", "--quiet", before, after, "--", prefix)
    except GitError:
        return True  # differences (exit 1), or git could not tell: look at the files
    return False


def _head(top: Path) -> str:
    """The commit checked out ("" in a repository with no commit yet)."""
    try:
        return _git(top, "rev-parse", "--verify", "--quiet", "HEAD").decode().strip()
    except GitError:
        return ""


def _refuse_states(top: Path, git_dir: Path) -> None:
    """A `SyncError` when git is in the middle of something of the user's."""
    if (git_dir / "rebase-merge").exists() or (git_dir / "rebase-apply").exists():
        raise SyncError(f"a rebase is under way in {top}: finish it (`git rebase --continue`) "
                        "or abort it (`git rebase --abort`), then sync")
    for name, what in (("CHERRY_PICK_HEAD", "cherry-pick"), ("REVERT_HEAD", "revert")):
        if (git_dir / name).exists():
            raise SyncError(f"a {what} is under way in {top}: finish it (`git {what} "
                            f"--continue`) or abort it (`git {what} --abort`), then sync")
    if (git_dir / "MERGE_HEAD").exists():
        raise SyncError(f"a merge is under way in {top}: finish it (`git commit`) or abort "
                        "it (`git merge --abort`), then sync")
    try:
        _git(top, "symbolic-ref", "--quiet", "HEAD")
    except GitError:
        raise SyncError(f"HEAD is detached in {top}: check out your branch "
                        "(`git switch <branch>`), then sync") from None


def _upstream(top: Path) -> tuple[str, str, bool] | None:
    """(remote, its branch, whether to set it as upstream) for the branch checked out, or
    None when the repository has no remote."""
    branch = _git(top, "symbolic-ref", "--short", "HEAD").decode().strip()
    remote, merge = _config(top, f"branch.{branch}.remote"), _config(top, f"branch.{branch}.merge")
    if remote and merge and remote != ".":
        return remote, merge.removeprefix("refs/heads/"), False
    remotes = _git(top, "remote").decode().split()
    if not remotes:
        return None
    return ("origin" if "origin" in remotes else remotes[0]), branch, True


def _exchange(top: Path) -> tuple[str | None, bool]:
    """Fetch, rebase onto the remote, push: (why it could not, or None; whether pushed)."""
    upstream = _upstream(top)
    if upstream is None:
        return ("this repository has no remote: your decisions are committed here; add one "
                "(`git remote add origin URL`) to share them"), False
    remote, branch, new_upstream = upstream
    ref = f"refs/remotes/{remote}/{branch}"
    for _ in range(FETCH_TRIES):
        try:
            _git(top, "fetch", "--quiet", remote)
        except GitError as error:
            return (f"cannot reach {remote}: {_why(error)}. Your decisions are kept and "
                    "committed here: sync again when it can be reached"), False
        if _has(top, ref) and not _is_ancestor(top, ref, "HEAD"):
            if _staged(top):  # a rebase's autostash would give them back unstaged
                return (f"you have staged changes in {top}, and {remote} has new commits: "
                        "commit them, or unstage them (`git restore --staged .`), then sync; "
                        "your decisions are committed here"), False
            try:
                _git(top, "rebase", "--autostash", "--quiet", ref)
            except GitError as error:
                _abort_rebase(top)
                return (f"your branch and {remote}/{branch} changed the same files (not the "
                        f"decision logs): {_why(error)}. Merge them by hand (`git pull`), "
                        "then sync; your decisions are kept"), False
        if _has(top, ref) and _same(top, ref, "HEAD"):
            return None, True
        try:
            _git(top, "push", "--quiet", *(["-u"] if new_upstream else []), remote,
                 f"HEAD:refs/heads/{branch}")
            return None, True
        except GitError as error:
            if not _rejected(str(error)):
                return (f"cannot push to {remote}: {_why(error)}. Your decisions are kept "
                        "and committed here: sync again later"), False
    return f"{remote} kept changing while syncing: sync again", False


def _why(error: GitError) -> str:
    """git's reason, without the `git x failed: ` we put before it."""
    text = str(error)
    text = text.split(" failed: ", 1)[1] if " failed: " in text else text
    return text.removeprefix("fatal: ").rstrip(".")


def _rejected(text: str) -> bool:
    """Whether a push failed because the remote moved on since the fetch."""
    return any(w in text for w in ("rejected", "fetch first", "non-fast-forward", "stale info"))


def _staged(top: Path) -> bool:
    """Whether git's index holds changes not committed."""
    try:
        _git(top, "diff", "--cached", "--quiet")
    except GitError:
        return True
    return False


def _has(top: Path, ref: str) -> bool:
    """Whether the ref exists."""
    try:
        _git(top, "rev-parse", "--verify", "--quiet", ref)
    except GitError:
        return False
    return True


def _is_ancestor(top: Path, older: str, newer: str) -> bool:
    """Whether `older` is an ancestor of (or is) `newer`."""
    try:
        _git(top, "merge-base", "--is-ancestor", older, newer)
    except GitError:
        return False
    return True


def _same(top: Path, one: str, other: str) -> bool:
    """Whether two refs name the same commit."""
    first, second = _git(top, "rev-parse", one, other).split()
    return first == second


def _abort_rebase(top: Path) -> None:
    """Abort a rebase this sync started (its autostash goes back into the work tree)."""
    with suppress(GitError):  # no rebase under way after all
        _git(top, "rebase", "--abort")


def _read_logs(top: Path, prefix: str) -> tuple[list[Event], list[Problem]]:
    """Every event of every editor's log, its articles as ids in the library's folder
    (events of articles outside it left out), and the problems of the logs' lines."""
    folder = top / LOG_DIR
    events: list[Event] = []
    problems: list[Problem] = []
    try:
        names = sorted(p for p in folder.iterdir() if p.suffix == ".jsonl")
    except FileNotFoundError:
        return [], []
    except OSError as error:
        return [], [Problem(LOG_DIR.as_posix(), "folder", error.strerror or str(error))]
    for path in names:
        if path.is_symlink() or not path.is_file():
            problems.append(Problem((LOG_DIR / path.name).as_posix(), "file",
                                    "not a regular file: not read"))
            continue
        found, bad = read_log(path)
        problems += [Problem((LOG_DIR / path.name).as_posix(), p.field, p.why) for p in bad]
        events += [e for e in (_local(e, prefix) for e in found) if e is not None]
    return events, problems


def _local(event: Event, prefix: str) -> Event | None:
    """The event with its articles as ids in the library's folder; None for a decision on
    an article outside it."""
    from dataclasses import replace

    def local(path: str) -> str | None:
        if prefix == ".":
            return path
        return path[len(prefix) + 1:] if path.startswith(prefix + "/") else None

    if event.kind == "decide":
        article = local(event.article or "")
        return None if article is None else replace(event, article=article)
    if event.kind == "claim":
        kept = tuple(a for a in (local(p) for p in event.articles) if a is not None)
        return replace(event, articles=kept)
    return event


class _SyncLock:
    """One sync at a time per repository, and a sync killed halfway cleaned up after.

    The lock file holds the syncing process's id. Found with a process that is gone, it
    was a sync killed halfway: the git command it ran may still be finishing (it is given a
    few seconds), a rebase it left is aborted (the branch goes back to my commits, the
    autostash to the work tree), and a git lock file its git left is removed.
    """

    GRACE = 2.0
    """Seconds to wait for a killed sync's git lock files to go, where no git process can
    be seen (no /proc)."""
    WAIT = 60.0
    """Most seconds to wait for git processes still running in the work tree."""

    def __init__(self, top: Path, git_dir: Path) -> None:
        """Lock syncs of the repository at `top`, whose git folder is `git_dir`."""
        self.top, self.git_dir, self.path = top, git_dir, git_dir / LOCK_NAME

    def __enter__(self) -> _SyncLock:
        """Take the lock (cleaning up after a killed sync), or a `SyncError`."""
        # The lock appears with the process id already in it: written to a file of this
        # process's own, then linked into place (a link fails when the lock is there).
        mine = self.path.with_name(f"{LOCK_NAME}.{os.getpid()}")
        mine.write_text(f"{os.getpid()}\n")
        try:
            for _ in range(2):
                try:
                    os.link(mine, self.path)
                except FileExistsError:
                    self._after_killed()
                    continue
                return self
        finally:
            mine.unlink(missing_ok=True)
        raise SyncError(f"another sync is running in {self.top}")

    def __exit__(self, *exc: object) -> None:
        """Let the next sync run."""
        self.path.unlink(missing_ok=True)

    def _rebasing(self) -> bool:
        """Whether a rebase's folder is there."""
        return (self.git_dir / "rebase-merge").exists() or (self.git_dir / "rebase-apply").exists()

    def _after_killed(self) -> None:
        """Clean up after the sync that holds the lock, if its process is gone; else a
        `SyncError`."""
        try:
            pid = int(self.path.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            pid = 0  # not one of ours, or damaged: no process to wait for
        if pid and pid != os.getpid() and _alive(pid):
            raise SyncError(f"another sync is running in {self.top} (process {pid})")
        # Killed alone, a sync leaves its git command running (a rebase goes on picking):
        # let it finish before looking at what is left.
        deadline = time.monotonic() + self.WAIT
        while _git_running_in(self.top) and time.monotonic() < deadline:
            time.sleep(0.05)
        deadline = time.monotonic() + self.GRACE
        locks = [self.git_dir / "index.lock", self.git_dir / "HEAD.lock"]
        while any(p.exists() for p in locks) and time.monotonic() < deadline:
            time.sleep(0.05)
        # Whatever lock files are left, its git left them: index, HEAD, CHERRY_PICK_HEAD,
        # ORIG_HEAD, packed-refs, config, any ref's (none of them names a file of ours).
        for lock in (*self.git_dir.glob("*.lock"), *self.git_dir.glob("refs/**/*.lock")):
            lock.unlink(missing_ok=True)
        if self._rebasing():
            _abort_rebase(self.top)
        if self._rebasing() and not _detached(self.top):
            # An abort killed halfway: the branch is back, the rebase's folder half gone
            # (`--abort` then fails). `--quit` removes what is left, keeping the branch as
            # it is and an autostash in the stash list.
            with suppress(GitError):
                _git(self.top, "rebase", "--quit")
        if (self.git_dir / "CHERRY_PICK_HEAD").exists():  # a pick of our rebase, cut short
            with suppress(GitError):
                _git(self.top, "cherry-pick", "--abort")
            (self.git_dir / "CHERRY_PICK_HEAD").unlink(missing_ok=True)
        self.path.unlink(missing_ok=True)
        for left in self.git_dir.glob(f"{LOCK_NAME}.*"):  # a killed sync's id, never linked
            with suppress(ValueError):
                if not _alive(int(left.suffix[1:])):
                    left.unlink(missing_ok=True)


def _git_running_in(top: Path) -> bool:
    """Whether a git process runs in the work tree `top` (Linux's /proc; False where it
    cannot be seen): `git -C top` works from there, and so do the commands it starts."""
    try:
        entries = os.listdir("/proc")
    except OSError:
        return False
    real = os.path.realpath(top)
    for entry in entries:
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/comm", encoding="utf-8", errors="replace") as comm:
                if not comm.read().startswith("git"):
                    continue
            if os.readlink(f"/proc/{entry}/cwd") == real:
                return True
        except OSError:  # gone meanwhile, or not ours to look at
            continue
    return False


def _alive(pid: int) -> bool:
    """Whether a process with this id exists."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

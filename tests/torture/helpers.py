"""Torture helpers: the counters, child processes, synthetic articles."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, fields
from pathlib import Path

import pytest

from reader.data.files.safefile import TEMP_SUFFIX

REPO = Path(__file__).resolve().parent.parent.parent
"""The root of the checkout."""

needs_sigkill = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


@dataclass
class Counts:
    """What the torture tests did and found, for the one summary line."""

    kills: int = 0
    decisions: int = 0
    """Acknowledged decisions looked up in a reopened store."""
    files: int = 0
    """Article files compared with their old and new bytes."""
    hostile: int = 0
    """Hostile corpus cases that behaved as their manifest says (per front end)."""
    lost: int = 0
    damaged: int = 0
    renames: int = 0
    """Decided files renamed or moved (between decide and apply, or during apply)."""
    deletes: int = 0
    """Decided files deleted, whose decisions must then be reported as gone."""
    stores_pulled: int = 0
    """Times the store's folder or file was removed or replaced under a running front end."""
    commit_kills: int = 0
    """SIGKILLs of `apply --commit` (also counted in `kills`), before one run commits all."""

    def line(self) -> str:
        """The summary line CI shows."""
        return (
            f"torture: {self.kills:,} kills, {self.decisions:,} decisions checked, "
            f"{self.files:,} files checked, {self.hostile:,} hostile cases passed, "
            f"{self.lost:,} lost, {self.damaged:,} damaged"
            + self._more()
        )

    def _more(self) -> str:
        """The counts the rename and store-loss tests add, once any of them ran."""
        if not (self.renames or self.deletes or self.stores_pulled or self.commit_kills):
            return ""
        return (
            f"; {self.renames:,} renames, {self.deletes:,} deletes, "
            f"{self.stores_pulled:,} stores pulled, {self.commit_kills:,} apply --commit kills"
        )


COUNTS = Counts()


def reset_counts() -> None:
    """Zero the counters (the tests of this file's own hook use it)."""
    for f in fields(Counts):
        setattr(COUNTS, f.name, 0)


def child_env(**extra: str) -> dict[str, str]:
    """The environment for a child Python: this checkout first on the path."""
    return {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
        **extra,
    }


def python(code: str, *args: str, **popen: object) -> subprocess.Popen[bytes]:
    """Start `python -c CODE ARGS` in the checkout, stdout and stderr piped."""
    return subprocess.Popen(  # type: ignore[call-overload,no-any-return]
        [sys.executable, "-c", code, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=child_env(),
        start_new_session=True,  # its own process group: a kill reaches its workers too
        **popen,
    )


def temps(root: Path) -> list[Path]:
    """Write-back temporaries left in the folder."""
    return [p for p in root.rglob("*") if p.name.endswith(TEMP_SUFFIX)]


def article(n: int, published: str | None = None, title: str | None = None) -> bytes:
    """A small synthetic article file; `published` is the raw value, None for no key."""
    lines = [
        "---",
        f"title: {title or f'Article number {n}'}",
        f"publishedDateTime: 2021-09-{n % 28 + 1:02d}T14:25:00Z",
        f"quality: {n % 10}",
        f"webUrl: https://example.com/{n}",
        "provider:",
        f"  name: Provider {n % 17}",
        f"  domain: p{n % 17}.example",
        "topics:",
        f"  - Topic {n % 5}",
    ]
    if published is not None:
        lines.append(f"published: {published}")
    lines += ["---", "", f"Body of article {n}.", ""]
    return "\n".join(lines).encode()


def make_corpus(root: Path, count: int) -> list[str]:
    """COUNT synthetic articles in a few subfolders; their ids."""
    ids = []
    for n in range(count):
        published = ("true", "false", None)[n % 3]
        path = root / f"d{n % 8}" / f"{n:05d}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(article(n, published))
        ids.append(path.relative_to(root).as_posix())
    return ids


# -- added for the rename and store-loss tortures (issue 20) ----------------------------


def cli(*argv: str) -> tuple[int, str, str]:
    """Run one `newsreader` command in this process: (exit status, stdout, stderr)."""
    import contextlib
    import io

    from reader.cli.main import run
    from reader.config import Settings

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run(list(argv), Settings(), out)
    return code, out.getvalue(), err.getvalue()


def published_lines(data: bytes) -> list[bytes]:
    """The `published:` lines of a synthetic article (see `article`)."""
    return [line for line in data.split(b"\n") if line.startswith(b"published:")]


def only_published_differs(old: bytes, new: bytes, value: str | None) -> bool:
    """Whether NEW is OLD with nothing changed but its one `published:` line, which (when
    VALUE is given) now says `published: VALUE`; equal bytes always pass."""
    if old == new:
        return True
    rest = [line for line in old.split(b"\n") if not line.startswith(b"published:")]
    now = [line for line in new.split(b"\n") if not line.startswith(b"published:")]
    wanted = [f"published: {value}".encode()] if value is not None else published_lines(new)
    return rest == now and published_lines(new) == wanted and len(wanted) == 1


def url_of(data: bytes) -> str:
    """The `webUrl:` of a synthetic article (each is unique: it names the file wherever it
    is moved)."""
    for line in data.split(b"\n"):
        if line.startswith(b"webUrl: "):
            return line.removeprefix(b"webUrl: ").decode()
    raise AssertionError(f"no webUrl in {data[:80]!r}")


def editor_decisions(db: Path) -> dict[str, tuple[str, str | None]]:
    """What a store opened afresh at DB holds as the editor's: id -> (state, reason)."""
    from reader.data.decisions.store import TriageStore

    store = TriageStore(db)
    try:
        return {i: (d.value, r) for i, (d, r) in store.editor_decisions().items()}
    finally:
        store.close()


def reap_group(proc: subprocess.Popen[bytes]) -> None:
    """Wait for a killed child (started in a session of its own), let what it started
    (git) finish by itself for up to 30 s, then end whatever is left of its group."""
    proc.wait()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.killpg(proc.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.01)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)

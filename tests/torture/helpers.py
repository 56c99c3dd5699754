"""Torture helpers: the counters, child processes, synthetic articles."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
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

    def line(self) -> str:
        """The summary line CI shows."""
        return (
            f"torture: {self.kills:,} kills, {self.decisions:,} decisions checked, "
            f"{self.files:,} files checked, {self.hostile:,} hostile cases passed, "
            f"{self.lost:,} lost, {self.damaged:,} damaged"
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

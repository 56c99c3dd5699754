"""Write the README's screenshots: the real app on the seeds, at a fixed size and clock.

Run it from the repo:

    .venv/bin/python scripts/screenshots.py [--out screenshots]

It copies the seeds and keeps the decisions in a temporary folder, so your own
decisions and config are never touched, and writes main, story, help, search, reason
and narrow .svg.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

SIZE = (120, 40)
NARROW = (80, 24)
NOW = datetime(2024, 1, 15, 12, 0, tzinfo=UTC)
SHOTS: dict[str, tuple[tuple[int, int], Sequence[str]]] = {
    "main": (SIZE, ("p",)),
    "story": (SIZE, ("p", "right")),
    "help": (SIZE, ("f1",)),
    "search": (SIZE, ("slash", *"deep learning", "enter")),
    "reason": (SIZE, ("S",)),
    "narrow": (NARROW, ("p",)),
}
"""Screenshot name -> the terminal size and the keys pressed before it is taken."""


async def shoot(
    seeds: Path, db_path: Path, size: tuple[int, int], keys: Sequence[str], out: Path
) -> None:
    """Start the app, wait for its scan, press the keys and save one SVG."""
    from reader.app import make_app
    from reader.config import Settings

    app = make_app(seeds, db_path, Settings(), now=lambda: NOW)
    async with app.run_test(size=size) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press(*keys)
        await app.workers.wait_for_complete()
        await pilot.pause()
        svg = app.export_screenshot(title="newsreader")
    out.write_text(svg, encoding="utf-8", newline="\n")


def main() -> None:
    """Write every screenshot into --out."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("screenshots"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    repo = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        # platformdirs then points inside tmp: the user's config and data stay untouched.
        for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
            os.environ[var] = str(Path(tmp) / var.lower())
        os.environ["TZ"] = "UTC"
        for name, (size, keys) in SHOTS.items():
            seeds = Path(shutil.copytree(repo / "seeds", Path(tmp) / name / "seeds"))
            db_path = Path(tmp) / name / "state" / "decisions.db"
            asyncio.run(shoot(seeds, db_path, size, keys, args.out / f"{name}.svg"))
            print(args.out / f"{name}.svg")


if __name__ == "__main__":
    main()

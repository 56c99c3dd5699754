"""The CLI's command names, the default folder and the one-line argument parser: all
`__main__` needs to pick app or command.

`__main__` reads them before it knows whether to start the app or a command: the CLI's
modules load only for a command.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import NoReturn

from reader.config import Settings
from reader.paths import bundled_seeds

COMMANDS = (
    "check", "list", "show", "decide", "undo", "redo", "export", "apply", "commit", "stories",
    "stats", "sync", "conflicts", "claim", "release",
)  # fmt: skip


def default_root(settings: Settings) -> Path:
    """The configured cache folder, else the bundled seeds."""
    return settings.cache or bundled_seeds()


def closest_command(word: str) -> str | None:
    """The command `word` most likely misspells, or None when none is close."""
    import difflib  # only a mistyped word pays for it

    found = difflib.get_close_matches(word.lower(), COMMANDS, n=1, cutoff=0.6)
    return found[0] if found else None


class OneLineParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr, exit status 2, no usage dump."""

    def error(self, message: str) -> NoReturn:
        """Print `newsreader: error: WHAT; see PROG --help` and exit with status 2."""
        what = " ".join(message.split())
        self.exit(2, f"newsreader: error: {what}; see {self.prog} --help\n")

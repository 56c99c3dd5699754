"""The CLI's command names and the default folder, all `__main__` needs to pick app or command.

`__main__` reads them before it knows whether to start the app or a command: the CLI's
modules load only for a command.
"""

from __future__ import annotations

from pathlib import Path

from reader.config import Settings
from reader.paths import bundled_seeds

COMMANDS = (
    "check", "list", "show", "decide", "undo", "redo", "export", "apply", "stories", "stats",
)  # fmt: skip


def default_root(settings: Settings) -> Path:
    """The configured cache folder, else the bundled seeds."""
    return settings.cache or bundled_seeds()

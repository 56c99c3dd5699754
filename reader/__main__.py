"""Entry point: `newsreader [PATH]` opens the app; `newsreader COMMAND ...` runs a CLI command."""

from __future__ import annotations

import argparse
import gc
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from reader import __version__
from reader.cli.names import COMMANDS, OneLineParser, closest_command, default_root
from reader.config import load_settings
from reader.paths import config_file

SWITCH_INTERVAL = 0.001
"""Seconds a thread may keep the GIL while another waits for it (`sys.setswitchinterval`;
Python's default is 0.005).

Textual writes each frame from its own thread, which needs the GIL a few times per frame. When
the app's thread goes on working after a frame (at start, the layout for the terminal's first
Resize and the related pane's list), each of those waits lasted the whole interval: the first
frame reached the terminal long after it was made, where a one-label app's arrives almost at
once. With this interval it arrives soon after. Threads only switch this often while two want
to run.
"""
FRAME_RATE = 120
"""Frames per second Textual may draw at most (`TEXTUAL_FPS`, unless set; its default 60).

A cursor move draws two frames: the list's new cursor line at once, then the article and
related panes it loaded meanwhile. Textual draws a frame that follows an earlier one one to
two frame periods after it, so at 60 the panes came 17 to 33 ms after the list. At this rate
they follow within 8 to 17 ms. Textual draws only when something changed, so an idle screen
costs nothing more.
"""


def _app_parser() -> argparse.ArgumentParser:
    """The parser for the app's own arguments: PATH, `--db`, `--version`."""
    parser = OneLineParser(
        prog="newsreader",
        description="Triage a folder of news articles: publish or skip, keyboard only.",
        epilog="commands (newsreader COMMAND --help): " + ", ".join(COMMANDS),
    )
    parser.add_argument(
        "path",
        nargs="?",
        type=Path,
        metavar="PATH",
        help="the article folder (default: the configured cache, else the demo)",
    )
    parser.add_argument("--db", type=Path, metavar="FILE", help="the decisions database")
    parser.add_argument("--version", action="version", version=f"newsreader {__version__}")
    return parser


def _no_folder(path: Path, given: bool) -> str:
    """Why `path` cannot be opened, in a few words; `given`: on the command line (a word that
    is not a folder may be a mistyped command), else the config's `cache`."""
    word = str(path)
    if path.exists():
        return f"{word}: a file, not a folder" if path.is_file() else f"{word}: not a folder"
    if not given:
        return f"{word}: no such folder (the config's `cache`)"
    if "/" in word or word.startswith((".", "~")):
        return f"{word}: no such folder"
    guess = closest_command(word)
    return f"{word}: no such command or folder" + (f" (did you mean `{guess}`?)" if guess else "")


def _refuse(what: str) -> int:
    """Say on stderr, in one line, why the app does not start; the exit status 2."""
    print(f"newsreader: error: {what}; see newsreader --help", file=sys.stderr)
    return 2


def _one_malloc_arena() -> None:
    """Have every thread allocate from the C heap the main thread uses (glibc only).

    glibc gives each thread that allocates while another does a heap of its own, and
    keeps what is freed there for that heap alone. The workers (scans, every row, the
    site, a search as it is typed) each read through SQLite: their page caches and
    Python's larger objects filled heaps that stayed mostly empty and resident, on top
    of the app's. The threads take turns on the GIL anyway, so one heap costs them
    little. Done before any thread starts: a thread keeps the heap it was given.
    """
    try:
        import ctypes

        ctypes.CDLL(None).mallopt(_M_ARENA_MAX, 1)
    except (ImportError, OSError, AttributeError):  # not glibc: its allocator, its rules
        pass


_M_ARENA_MAX = -8
"""glibc's `mallopt` parameter for the most heaps threads may use (malloc.h)."""


@contextmanager
def _built_for_good() -> Iterator[Callable[[], None]]:
    """Build what lives as long as the process (the UI's modules, then the app's first
    screen) out of the cyclic collector's sight. Yields what to call once the first frame
    is out: until then the collector stays paused.

    Otherwise the collector walks Textual's and our many module objects again and again
    as they are made, and all of them once more in a full collection just before the first
    frame, delaying the start. The modules are frozen (`gc.freeze`) as soon as they are
    imported, keeping the little cyclic garbage the imports leave. The first screen is
    built with the collector still paused (its young collections slowed the first frame);
    once it is out, one collection frees that work's cyclic garbage, what is left is
    frozen too, and the collector runs again.
    """
    enabled = gc.isenabled()
    gc.disable()

    def first_frame_out() -> None:
        """Free the first screen's cyclic garbage, freeze what is left, and let the
        collector run again (if it ran before)."""
        gc.collect()
        gc.freeze()
        if enabled:
            gc.enable()

    try:
        yield first_frame_out
    finally:
        gc.freeze()


def main(argv: Sequence[str] | None = None) -> int:
    """Run newsreader; returns the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    settings, warnings = load_settings(config_file())
    for warning in warnings:
        print(f"newsreader: config: {warning}", file=sys.stderr)
    try:
        if args and args[0] in COMMANDS:
            from reader.cli.main import run  # the app's start does not pay for the CLI's modules

            try:
                return run(args, settings)
            except (KeyboardInterrupt, BrokenPipeError):
                raise
            except Exception as error:  # a bug: still one line, never a traceback
                print(f"newsreader: internal error: {type(error).__name__}: {error}",
                      file=sys.stderr)  # fmt: skip
                return 70
        ns = _app_parser().parse_args(args)
        root, db = ns.path or default_root(settings), ns.db or settings.db
        if not root.is_dir():  # before the screen opens: the error stays in sight
            return _refuse(_no_folder(root, given=ns.path is not None))
        _one_malloc_arena()
        os.environ.setdefault("TEXTUAL_FPS", str(FRAME_RATE))  # read when Textual is imported
        with _built_for_good() as first_frame_out:
            from reader.data.library import Library

            checks = Library.start_checks(root, db)  # they run while the UI is imported
            from reader.app import make_app  # the UI is imported only when it is used

        app = make_app(root, db, settings, checks=checks, after_first_frame=first_frame_out)
        sys.setswitchinterval(SWITCH_INTERVAL)
        app.run()
        return app.return_code or 0
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        sys.stderr.close()  # the reader of our output went away (`| head`): not an error
        return 0


if __name__ == "__main__":
    sys.exit(main())

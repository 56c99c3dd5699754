"""Verify many edits at once on several cores: loading YAML is where an apply spends its time."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from reader.data.files.lineedit import LineEdit, Refused, verify
from reader.data.index.index import start_method

POOL_THRESHOLD = 100
"""Below this many edits, worker processes cost more than they save."""
CHUNK = 32
"""Edits sent to a worker at a time."""
FIRST = 4
"""Edits in the first chunk: the writes wait for it (the chunks double up to CHUNK)."""

Item = tuple[bytes, LineEdit, bool]
"""(old bytes, edit, value): what `verify` takes."""
Verdict = tuple[str, str] | None
"""None when the edit is verified, else the refusal's (code, why)."""


def verify_many(items: Sequence[Item]) -> list[Verdict]:
    """Verify each edit (see lineedit.verify); runs in a worker or in the caller."""
    verdicts: list[Verdict] = []
    for data, line, value in items:
        try:
            verify(data, line, value)
        except Refused as refused:
            verdicts.append((refused.code, refused.why))
        else:
            verdicts.append(None)
    return verdicts


def chunks(count: int) -> Iterator[slice]:
    """Slices of `count` edits to verify at a time: small ones first, so writes start soon."""
    start, size = 0, FIRST
    while start < count:
        yield slice(start, start + size)
        start, size = start + size, min(2 * size, CHUNK)


def _watch_parent(parent: int) -> None:
    """In a worker: leave when the process that started the pool is gone.

    A pool's workers outlive a parent killed with SIGKILL, waiting for work forever.
    """
    first = os.getppid()

    def watch() -> None:
        """Poll the parent and leave the process once it is gone."""
        while True:
            time.sleep(0.25)
            try:
                os.kill(parent, 0)
            except ProcessLookupError:
                os._exit(0)
            except OSError:
                pass
            if os.getppid() != first:
                os._exit(0)

    threading.Thread(target=watch, name="newsreader-parent-watch", daemon=True).start()


class Verifier:
    """Runs `verify_many` on worker processes for a large batch, in the caller otherwise.

    Make it before opening any file to write (forked workers inherit descriptors) and
    use it as a context manager. `submit` returns a future; `verdicts` its result,
    verified in the caller after all if the pool broke.
    """

    def __init__(self, count: int):
        """A verifier for `count` edits: a started pool of worker processes when there are
        many edits and more than one core, else (or if the pool cannot start) none."""
        self._pool: ProcessPoolExecutor | None = None
        cores = os.cpu_count() or 1
        if count < POOL_THRESHOLD or cores < 2:
            return
        # Every core, up to four: this process's reads and writes mostly wait on the disk.
        workers = min(cores, 4)
        try:
            context = multiprocessing.get_context(start_method())
            self._pool = ProcessPoolExecutor(
                workers, mp_context=context, initializer=_watch_parent, initargs=(os.getpid(),)
            )
            self._pool.submit(os.getpid).result()  # start the workers now, before the writes
        except (OSError, RuntimeError, BrokenProcessPool):
            self.close()

    def __enter__(self) -> Verifier:
        """The verifier itself; the workers stop when the block ends."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the workers."""
        self.close()

    def close(self) -> None:
        """Stop the workers."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def submit(self, items: Sequence[Item]) -> Future[list[Verdict]]:
        """Start verifying some edits."""
        if self._pool is not None:
            try:
                return self._pool.submit(verify_many, list(items))
            except (RuntimeError, BrokenProcessPool):
                self.close()
        done: Future[list[Verdict]] = Future()
        done.set_result(verify_many(items))
        return done

    def verdicts(self, future: Future[list[Verdict]], items: Sequence[Item]) -> list[Verdict]:
        """The verdicts for `items`, as submitted."""
        try:
            return future.result()
        except BrokenProcessPool:  # a worker died: do it here
            self.close()
            return verify_many(items)

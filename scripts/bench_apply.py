"""Benchmark for issue "Publish for real": apply 1,000 decisions against a bare write loop.

Run it from the repo:

    .venv/bin/python scripts/bench_apply.py [--runs 5] [--files 1000] [--dir DIR]

It copies 1,000 files of ../shared/corpus/smartable (the shared folder beside the repo;
synthetic articles when it is absent) into a temporary folder (in DIR if given: put it
on the file system you care about), decides each one against what its file says, so
that every file needs a write, and then measures, interleaved (bare, apply, bare, ...)
so that machine noise hits both alike:

  bare     the floor: for each file, write its bytes to a temporary beside it, fsync,
           rename over it (what any atomic write costs), in as many threads as apply
           writes in (the target's floor); the same on one thread, for reference
  apply    writeback.plan(verify=False) + writeback.apply(refresh=False): read each
           file, check it against the index, build the edit, journal it, read it again,
           verify the edit (lineedit.verify), write a temporary, fsync, rename (in a few
           writer threads); fsync the folders
  reindex  the library.refresh() that apply does after, so the index sees the values
  preview  writeback.plan(): what a preview (or --dry-run) costs, verification included

Between runs, Library.undo() restores every file (not timed). Target: apply / bare in
threads <= 1.5. It prints medians and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import shutil
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reader.data.article import Decision  # noqa: E402
from reader.data.files.safefile import Writer  # noqa: E402
from reader.data.library import Library  # noqa: E402
from reader.data.writeback import writer as writeback  # noqa: E402

CORPUS = REPO.parent / "shared" / "corpus" / "smartable"
TARGET = 1.5
"""Most an apply may take, as a multiple of the bare loop in as many threads as apply's."""

SYNTHETIC = (
    "---\ntitle: Article {i}\nexcerpt: A short excerpt for article {i}.\n"
    "publishedDateTime: 2021-09-22T14:25:00Z\nprovider:\n  name: Outlet\n  domain: example.com\n"
    "topics:\n  - AI\n  - Health\nquality: 3\nheat: 7\n{published}---\n\n" + "Body text. " * 300
)


def make_corpus(target: Path, count: int) -> list[str]:
    """Copy COUNT corpus files (spread across its folders) into target; returns their ids."""
    target.mkdir(parents=True)
    if CORPUS.is_dir():
        every = sorted(p.relative_to(CORPUS).as_posix() for p in CORPUS.rglob("*.md"))
        ids = sorted(random.Random(7).sample(every, min(count, len(every))))
        for article_id in ids:
            (target / article_id).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(CORPUS / article_id, target / article_id)
        return ids
    ids = [f"synthetic/{i:05d}.md" for i in range(count)]
    (target / "synthetic").mkdir()
    for i, article_id in enumerate(ids):
        published = ("published: true\n", "published: false\n", "")[i % 3]
        (target / article_id).write_text(SYNTHETIC.format(i=i, published=published))
    return ids


def cpu() -> float:
    """CPU seconds so far, user and system, of this process and its finished workers."""
    own, kids = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def bare_loop(root: Path, ids: list[str], threads: int = 1) -> float:
    """Seconds to rewrite every file through a temporary: write, fsync, rename (in THREADS
    threads at once, as apply's writer does, for the reference line)."""
    start = time.perf_counter()
    if threads == 1:
        for article_id in ids:
            rewrite(root / article_id)
    else:
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(rewrite, (root / article_id for article_id in ids)))
    return time.perf_counter() - start


def rewrite(path: Path) -> None:
    """One file of the bare loop."""
    data = path.read_bytes()
    temp = path.with_name(f".{path.name}.bench-tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temp, path)


def timed_apply(library: Library) -> tuple[float, float, float, float, int]:
    """(apply seconds, of which the plan's, its CPU seconds, re-index seconds, files written)."""
    start, used = time.perf_counter(), cpu()
    found = writeback.plan(library, verify=False)
    planned = time.perf_counter()
    result = writeback.apply(library, found.edits, refresh=False)
    applied, used = time.perf_counter(), cpu() - used
    library.refresh()
    again = time.perf_counter() - applied
    return applied - start, planned - start, used, again, len(result.written)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--dir", type=Path, help="where to make the temporary folder")
    ns = parser.parse_args()
    with tempfile.TemporaryDirectory(dir=ns.dir) as tmp:
        root = Path(tmp) / "cache"
        ids = make_corpus(root, ns.files)
        library = Library(root, Path(tmp) / "db" / "decisions.db")
        library.refresh()
        for article_id in ids:  # decide against the file, so that every file is written
            article = library.article(article_id)
            live = article is not None and writeback.in_sync(article, Decision.PUBLISHED)
            library.store.decide([article_id], Decision.SKIPPED if live else Decision.PUBLISHED)
        source = "the shared corpus" if CORPUS.is_dir() else "synthetic articles"
        print(f"{len(ids):,} files from {source}, {ns.runs} runs, interleaved")
        bare, threaded, apply, reindex, preview = [], [], [], [], []
        bare_cpu, apply_cpu = [], []
        for run in range(ns.runs):
            bare.append(bare_loop(root, ids))
            start = cpu()
            threaded.append(bare_loop(root, ids, Writer.THREADS))
            bare_cpu.append(cpu() - start)
            library.refresh()  # the bare loops changed every mtime
            start = time.perf_counter()
            planned = len(writeback.plan(library).edits)
            preview.append(time.perf_counter() - start)
            seconds, planning, used, again, written = timed_apply(library)
            apply_cpu.append(used)
            apply.append(seconds)
            reindex.append(again)
            change = library.undo()
            restored = len(change.ids) if change else 0
            print(
                f"  run {run + 1}: bare {threaded[-1]:.3f} s in threads ({bare[-1]:.3f} s on one), "
                f"apply {seconds:.3f} s "
                f"(plan {planning:.3f} s; {written} written of {planned} planned), "
                f"re-index {again:.3f} s, preview {preview[-1]:.3f} s; undo restored {restored}"
            )
        library.close()
    med = statistics.median
    print(f"bare loop (write + fsync + rename) in {Writer.THREADS} threads median: "
          f"{med(threaded):.3f} s (on one thread: {med(bare):.3f} s)")  # fmt: skip
    print(
        f"  CPU (user + system, workers too): bare in threads {med(bare_cpu):.3f} s, "
        f"apply {med(apply_cpu):.3f} s, on {os.cpu_count()} cores"
    )
    print(f"apply (plan + verify + journal + write) median: {med(apply):.3f} s")
    print(f"re-index after apply median: {med(reindex):.3f} s")
    print(f"preview (plan with verification) median: {med(preview):.3f} s")
    ratio = med(apply) / med(threaded)
    whole = (med(apply) + med(reindex)) / med(threaded)
    print(
        f"apply / bare in {Writer.THREADS} threads (as apply writes): {ratio:.2f} "
        f"(target <= {TARGET}); with the re-index: {whole:.2f}"
    )
    print(f"for reference, apply / the bare loop on one thread: {med(apply) / med(bare):.2f}")


if __name__ == "__main__":
    main()

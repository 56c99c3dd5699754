"""Benchmark for issue "Foundation": cold index and warm start against a YAML parse floor.

Run it from the repo:

    .venv/bin/python scripts/bench_index.py [--runs 3] [--limit N] [--corpus DIR]

Without --corpus it extracts ../shared/corpus/smartable-history.tar.gz (the shared folder
beside the repo) into a temporary folder; --limit N indexes only the first N files (by path).
Each run measures, interleaved (floor, cold, warm, floor, ...) so machine noise hits all alike:

  floor the parse floor: read each file and load the YAML between its `---` lines with
        yaml.CSafeLoader, in a pool of as many processes as the index's (os.cpu_count(),
        its start method, chunks of its size); starting the pool counts
  cold  Library(root, fresh db).refresh() in a fresh interpreter (its pool uses every core)
  warm  Library(root, same db).refresh() + query.rows() in a fresh interpreter; parses nothing

The first run also times the same floor on one core, in this process: what the floor was
before it used every core the index uses, for comparison with older figures.
Cold and warm are timed by wall clock from here, so interpreter start-up, imports and the
process pool count; each child's own timing is printed beside it. The CPU seconds of the
floor and of the cold index (every process of each) are printed too: on a shared machine
they move less with other load than wall clock does.
It also prints the index file's size against the bytes of the articles it indexes.
Targets: cold / floor <= 1.5, warm / cold <= 5 % and index / articles <= 0.5. It prints
medians and asserts nothing.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:
    from reader.data.library import Library

REPO = Path(__file__).resolve().parent.parent
TARBALL = REPO.parent / "shared" / "corpus" / "smartable-history.tar.gz"
COLD_TARGET = 1.5
"""Most a cold index may take, as a multiple of the parse floor on every core."""
WARM_TARGET = 0.05
"""Most a warm start may take, as a share of a cold index."""
SIZE_TARGET = 0.5
"""Largest index file, as a share of the bytes of the articles it indexes."""


def one(mode: str, root: Path, db: Path) -> None:
    """In the child: index (cold) or reopen and list (warm), then print its own timings."""
    start = time.perf_counter()
    from reader.data import query
    from reader.data.index import story_tables as story_index
    from reader.data.library import Library

    imported = time.perf_counter()
    library = Library(root, db)
    stale = library.index.stories_stale()  # would this refresh cluster the stories again?
    result = library.refresh()
    refreshed = time.perf_counter()
    rows = len(query.rows(library)) if mode == "warm" else None
    done, used = time.perf_counter(), cpu()
    stories = placed = None
    largest: list[tuple[str, int]] = []
    if mode == "cold":  # the clustering that refresh did, once more on its own, for its cost
        library.recluster()
        stories = time.perf_counter() - done
        largest = story_index.largest(library.index.conn, 3)
        placed = place_100(library)
    library.close()  # the last connection: its WAL goes into the file
    extra = time.perf_counter() - done  # measurements after the work: not part of it
    from reader.paths import index_path_for

    index = index_path_for(db)
    sizes = [Path(f"{index}{suffix}") for suffix in ("", "-wal")]
    report = {"import": imported - start, "work": done - imported, "parsed": result.parsed,
              "refresh": refreshed - imported, "largest": largest, "placed": placed,
              "extra": extra, "extra_cpu": cpu() - used,
              "index_bytes": sum(p.stat().st_size for p in sizes if p.exists())}
    print(json.dumps(report | {"rows": rows, "stories": stories, "clustered": stale}))


def place_100(library: Library) -> float:
    """Seconds to give stories to 100 articles that have none, as after a rescan that found
    100 new files: the clustering part of that rescan (their parse is the index's)."""
    import random

    conn = library.index.conn
    rowids = [rowid for (rowid,) in conn.execute(  # sampled by key, as they always were
        "SELECT s.rowid FROM stories s JOIN articles a ON a.rowid = s.rowid ORDER BY a.key")]
    gone = random.Random(100).sample(rowids, min(100, len(rowids)))
    with conn:
        conn.executemany("DELETE FROM stories WHERE rowid = ?", ((r,) for r in gone))
        conn.executemany("DELETE FROM story_urls WHERE article = ?", ((r,) for r in gone))
    start = time.perf_counter()
    library.index.update_stories(library.index.story_window(), library.store.story_edits())
    return time.perf_counter() - start


def cpu() -> float:
    """CPU seconds (user and system) of this process and of its children waited for."""
    mine, theirs = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(
        resource.RUSAGE_CHILDREN)
    return mine.ru_utime + mine.ru_stime + theirs.ru_utime + theirs.ru_stime


def child(mode: str, root: Path, db: Path) -> tuple[float, dict]:
    """Run `one` in a fresh interpreter: wall time seen from here (less what the child
    measured after its work), and the child's report, with the CPU seconds of the child and
    its pool (`cpu`, less what the child's measurements after its work used)."""
    command = [sys.executable, __file__, "--one", mode, "--corpus", str(root), "--db", str(db)]
    start, used = time.perf_counter(), cpu()
    out = subprocess.run(command, check=True, capture_output=True, text=True, cwd=REPO).stdout
    report = json.loads(out.splitlines()[-1])
    seconds, used = time.perf_counter() - start - report["extra"], cpu() - used
    return seconds, report | {"cpu": used - report["extra_cpu"]}


def load_all(paths: list[str]) -> int:
    """Read these files and load each one's front matter with the bare C loader; returns
    how many loaded (a small answer: the floor sends nothing heavy back)."""
    loaded = 0
    for path in paths:
        with open(path, "rb") as handle:
            text = handle.read().decode("utf-8", "replace")
        end = text.find("\n---", 3)
        if text.startswith("---") and end > 0:
            # The reader turns bad YAML into problems; the floor just moves on.
            with contextlib.suppress(yaml.YAMLError):
                yaml.load(text[3:end], Loader=yaml.CSafeLoader)
                loaded += 1
    return loaded


def one_core_floor(paths: list[str]) -> float:
    """Seconds to load every front matter in this process, on one core."""
    start = time.perf_counter()
    load_all(paths)
    return time.perf_counter() - start


def floor_parse(paths: list[str]) -> tuple[float, float]:
    """Seconds, and CPU seconds, to load every front matter in a pool like the index's: as
    many processes, the same start method, chunks of the same size."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    from reader.data.index.index import POOL_CHUNK, start_method

    start, used = time.perf_counter(), cpu()
    context = multiprocessing.get_context(start_method())
    chunks = [paths[i : i + POOL_CHUNK] for i in range(0, len(paths), POOL_CHUNK)]
    with ProcessPoolExecutor(os.cpu_count(), mp_context=context) as pool:
        sum(pool.map(load_all, chunks))
    return time.perf_counter() - start, cpu() - used


def corpus(args: argparse.Namespace, tmp: Path) -> Path:
    """The folder to index: --corpus, else the shared tarball extracted; cut to --limit files."""
    from reader.data.files.walk import walk

    root: Path = args.corpus
    if not root:
        root, start = tmp / "corpus", time.perf_counter()
        with tarfile.open(TARBALL) as tar:
            tar.extractall(root, filter="data")
        print(f"extracted {TARBALL.name} in {time.perf_counter() - start:.1f} s")
    files = sorted(walk(root)[0], key=lambda stat: stat.id)
    if args.limit and args.limit < len(files):
        root = tmp / "subset"
        for stat in files[: args.limit]:
            target = root / stat.id
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(stat.path, target)  # same bytes, no copy, when on one file system
            except OSError:
                shutil.copy2(stat.path, target)
    return root


def version() -> str:
    """The commit, and a digest of reader/'s sources: others edit them while we measure."""
    try:
        command = ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]
        head = subprocess.run(command, capture_output=True, text=True).stdout.strip()
    except OSError:
        head = ""
    digest = hashlib.blake2b(digest_size=4)
    for path in sorted((REPO / "reader").rglob("*.py")):
        digest.update(path.read_bytes())
    return f"commit {head or '?'}, reader/ sources {digest.hexdigest()}"


def line(name: str, values: list[float]) -> str:
    """One row of the summary: median, min and max in seconds."""
    return f"{name:<12}{statistics.median(values):>9.3f}{min(values):>9.3f}{max(values):>9.3f}"


def bench(root: Path, runs: int, tmp: Path) -> None:
    """Warm the page cache, run the interleaved measurements and print the summary."""
    from reader.data.files.walk import walk

    stats = walk(root)[0]
    paths = [stat.path for stat in stats]
    article_bytes = sum(stat.size for stat in stats)
    for path in paths:  # page cache: every measurement then reads from memory
        with open(path, "rb") as handle:
            handle.read()
    code = version()
    print(f"code: {code}\nfiles: {len(paths):,}   cpus: {os.cpu_count()}   runs: {runs}")
    floor, cold, warm = [], [], []  # warm holds (warm, cold) of the same run
    clusters: list[float] = []  # clustering's share of each cold index
    placements: list[float] = []  # seconds to place 100 new articles into the stories
    refreshes: list[float] = []  # warm start without building the list's 51k rows, / cold
    cpus: list[float] = []  # CPU seconds of the cold index / of the floor, each run
    index_bytes: list[int] = []  # the index file after each cold index
    one_core = one_core_floor(paths)  # once: it takes as long as the rest of a run
    for run in range(1, runs + 1):
        seconds, floor_cpu = floor_parse(paths)
        floor.append(seconds)
        db = tmp / f"run-{run}" / "decisions.db"
        seconds, inside = child("cold", root, db)
        cold.append(seconds)
        index_bytes.append(inside["index_bytes"])
        print(
            f"run {run}: floor {floor[-1]:.2f} s | cold {seconds:.2f} s (child: import "
            f"{inside['import']:.2f} s, index {inside['work']:.2f} s, "
            f"parsed {inside['parsed']:,}); of which stories {inside['stories']:.2f} s"
        )
        print(f"       CPU: floor {floor_cpu:.1f} s, cold {inside['cpu']:.1f} s")
        cpus.append(inside["cpu"] / floor_cpu)
        print(f"       index file {inside['index_bytes'] / 1e6:.1f} MB")
        sizes = ", ".join(f"{size} ({story})" for story, size in inside["largest"])
        print(f"       largest stories: {sizes}")
        print(f"       100 articles new since the last scan placed in {inside['placed']:.3f} s")
        clusters.append(inside["stories"] / inside["work"])
        placements.append(inside["placed"])
        seconds, inside = child("warm", root, db)
        print(
            f"       warm {seconds:.3f} s (child: import {inside['import']:.3f} s, refresh + "
            f"rows {inside['work']:.3f} s (refresh {inside['refresh']:.3f} s), "
            f"parsed {inside['parsed']}, rows {inside['rows']:,}, "
            f"stories clustered again: {inside['clustered']})"
        )
        if inside["parsed"]:  # e.g. the index schema changed between the two children
            print("       ^ left out: not a warm start (it re-parsed); reader/ edited mid-run?")
        else:
            warm.append((seconds, cold[-1]))
            refreshes.append((seconds - (inside["work"] - inside["refresh"])) / cold[-1])
        shutil.rmtree(db.parent)
    if version() != code:
        print("reader/ changed during the runs: they may have measured different code")
    summary(floor, cold, warm, one_core)
    print(f"CPU seconds, cold / floor: {statistics.median(cpus):.2f}x")
    size = statistics.median(index_bytes)
    verdict = "met" if size <= SIZE_TARGET * article_bytes else "NOT met"
    print(f"index / articles: {size / 1e6:.1f} MB / {article_bytes / 1e6:.1f} MB = "
          f"{size / article_bytes:.2f}x (target <= {SIZE_TARGET}x: {verdict})")
    if refreshes:
        print(f"warm start without reading the 51k list rows (open + refresh): "
              f"{statistics.median(refreshes):.2%} of cold")  # fmt: skip
    share = statistics.median(clusters)
    verdict = "met" if share < 0.25 else "NOT met"
    print(f"stories: clustering is {share:.1%} of a cold index (target < 25%: {verdict})")
    placed = statistics.median(placements)
    verdict = "met" if placed < 1.0 else "NOT met"
    print(f"stories: 100 new articles placed in {placed:.3f} s (target < 1 s: {verdict})")


def summary(floor: list[float], cold: list[float], warm: list[tuple[float, float]],
            one_core: float) -> None:
    """Medians and extremes, then the target ratios, each taken within a run (same noise)."""
    warm_alone = [seconds for seconds, _ in warm]
    print(f"\n{'seconds':<12}{'median':>9}{'min':>9}{'max':>9}")
    for name, values in ("parse floor", floor), ("cold index", cold), ("warm start", warm_alone):
        if values:
            print(line(name, values))
    print(f"{'(one core)':<12}{one_core:>9.3f}   the floor on one core, run 1 only")
    # Also min / min: the least disturbed by other load.
    ratio = statistics.median(c / f for c, f in zip(cold, floor, strict=True))
    verdict = "met" if ratio <= COLD_TARGET else "NOT met"
    print(
        f"cold / floor: {ratio:.2f}x (target <= {COLD_TARGET}x: {verdict}); "
        f"min / min {min(cold) / min(floor):.2f}x; cold / one-core floor "
        f"{statistics.median(cold) / one_core:.2f}x"
    )
    if not warm:
        print("warm / cold: no true warm start was measured")
        return
    ratio = statistics.median(w / c for w, c in warm)
    verdict = "met" if ratio <= WARM_TARGET else "NOT met"
    print(
        f"warm / cold: {ratio:.2%} (target <= {WARM_TARGET:.0%}: {verdict}); "
        f"min / min {min(warm_alone) / min(cold):.2%}"
    )


def main() -> None:
    """Parse the arguments, then run the benchmark or, with --one, a single child measurement."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="an already extracted corpus folder")
    parser.add_argument("--limit", type=int, help="index only the first N files")
    parser.add_argument("--runs", type=int, default=3, help="interleaved runs (default 3)")
    parser.add_argument("--one", choices=("cold", "warm"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        return one(args.one, args.corpus, args.db)
    if not args.corpus and not TARBALL.is_file():
        print(f"no corpus: {TARBALL} is absent (pass --corpus DIR); nothing measured")
        return
    print("load average at start: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        bench(corpus(args, Path(tmp)), args.runs, Path(tmp))
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()

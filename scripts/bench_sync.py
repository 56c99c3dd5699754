"""Benchmark for issue "desk": `newsreader sync` at 10 editors x 2,000 decisions over 51k articles.

Run it from the repo:

    .venv/bin/python scripts/bench_sync.py [--corpus DIR] [--limit N] [--runs 5] [--rounds 3]

Without --corpus it extracts ../shared/corpus/smartable-history.tar.gz (the shared folder
beside the repo) into a temporary folder; --corpus DIR reuses an extracted copy (any folder
of .md files); --limit N takes N articles of it (a seeded sample) for a quick run.

It builds, in a temporary folder (in --dir if given):

  remote.git  a bare repository, the desk's remote
  site        the measured clone: the corpus under `_news/`, committed once; its own
              decisions store, the index built before anything is timed (Library on
              `site/_news`, so article paths in the logs carry the `_news/` prefix)
  other       a second clone, sparse (only `.newsreader/` checked out): the other editors

In `other` it writes 10 editors' logs of 2,000 `decide` events each (log.to_line, the
bytes sync writes), interleaved in time over random articles (seeded), each made on top
of the heads its editor saw, a few made without having seen the last decision (the
conflicts a desk has), commits them and pushes. Then, in `site`, through Library.sync:

  a) the first sync, importing the 20,000 events (reported, no target)
  b) a sync with nothing new, the median of --runs; target <= 1 s (the issue's trigger
     for compaction)
  c) a sync after another editor pushed 2,000 new events from `other`: the median of
     --rounds, each round pushing 2,000 more
  d) the logs' size, bytes per event, and how much the remote's objects grew

Each sync is split into phases by wrapping the functions sync calls (the sync that runs is
the real one): git (every git process it starts), the index refresh, reading the logs,
the store import (add_events, the seeding after it), the conflict count, the rest. It
prints medians and ratios and asserts nothing.

Compaction (the plan; built only if (b) takes more than 1 s at 10 x 2,000):

  What grows. A sync reads every line of every log and parses it, and the store looks
  every id up; a log only grows. Git is not the cost: fetch, status and push do not read
  the logs, and a log's history is deltas of appended lines.

  The snapshot. An editor may fold the old part of their own log (and only their own:
  each editor still writes one file alone, so git never merges two changes of one file)
  into `.newsreader/decisions/<editor>.snapshot.jsonl`: one line per event that still
  matters, the same line format, plus a first line `{"v":1,"kind":"snapshot",
  "through":"<last event id folded>","dropped":N,"digest":"<sha256 of the folded
  lines>"}`. The `.jsonl` log then starts again with the events after `through`, both
  files changed in one commit.

  Which events stay. A decide event stays while it is a head of its article (no later
  event, of anyone, names it in `on`), or while another editor's event that is not
  folded yet names it in `on`; a claim stays until its `until` has passed, a release
  while its claim stays. Every other event may be dropped: its article's state is given
  by a later event, and nothing that will still be read refers to it. Dropping happens
  only for events older than a grace period (a week) that every log already in the
  repository has seen, so a clone that has not synced for a while still finds the
  parents its own unshared events name. An event whose parent is dropped is read as a
  head only where no later event supersedes it, which is what it already was.

  Clones that imported the old events stay consistent because import is by id: events
  they hold that the snapshot drops stay in their store (history, the journal) and
  change nothing, since only heads give a state and the heads are the same events; a
  fresh clone imports the snapshot and gets the same heads, hence the same states and
  the same conflicts. What a fresh clone lacks is only who decided an article before the
  last decision of it.

  Reading fast without compaction. A sync with nothing new need not parse a log that
  has not changed: remember, per log, its size, mtime and inode (a small state file in
  the git folder) and the events read from it, and parse only the bytes past the old
  size when a log only grew (logs are appended to, never rewritten; a log that shrank
  or was replaced is read whole).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from reader.data.decisions.events import Event  # noqa: E402
from reader.data.desk import sync as sync_module  # noqa: E402
from reader.data.desk.log import LOG_DIR, log_name, to_line  # noqa: E402
from reader.data.files import git as git_module  # noqa: E402
from reader.data.library import Library  # noqa: E402

TARBALL = REPO.parent / "shared" / "corpus" / "smartable-history.tar.gz"
TARGET = 1.0
"""Most a sync with nothing new may take, in seconds, before logs need compacting."""
ME = "Measured Editor <me@example.org>"
"""The editor of the measured clone."""
CONCURRENT = 0.02
"""Share of decisions made without having seen the article's last decision."""
REASONS = ("off topic", "duplicate", "paywall", "too old", "press release")
GIT_ENV = {"GIT_AUTHOR_NAME": "Bench", "GIT_AUTHOR_EMAIL": "bench@example.org",
           "GIT_COMMITTER_NAME": "Bench", "GIT_COMMITTER_EMAIL": "bench@example.org",
           "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0"}
"""A fixed identity, and nothing from this machine's git config but the user's own."""


def git(cwd: Path, *args: str) -> str:
    """Run a git command of the bench's own (not timed); its output."""
    done = subprocess.run(["git", "-C", os.fspath(cwd), *args], check=True,
                          capture_output=True, text=True, env={**os.environ, **GIT_ENV})
    return done.stdout


def corpus_folder(ns: argparse.Namespace, tmp: Path) -> Path:
    """The corpus: --corpus, else the shared tarball extracted into `tmp`."""
    if ns.corpus:
        return Path(ns.corpus)
    root = tmp / "corpus"
    start = time.perf_counter()
    with tarfile.open(TARBALL) as tar:
        tar.extractall(root, filter="data")
    print(f"extracted {TARBALL.name} in {time.perf_counter() - start:.1f} s")
    return root


def article_ids(corpus: Path, limit: int | None) -> list[str]:
    """The corpus's articles (paths from its top), all or a seeded sample of `limit`."""
    every = sorted(p.relative_to(corpus).as_posix() for p in corpus.rglob("*.md"))
    if limit is not None and limit < len(every):
        every = sorted(random.Random(51).sample(every, limit))
    return every


def build_site(corpus: Path, ids: list[str], tmp: Path) -> tuple[Path, Path, Path]:
    """The measured clone `site` (corpus under `_news/`, committed), the bare remote, and
    the sparse clone `other`."""
    site, remote, other = tmp / "site", tmp / "remote.git", tmp / "other"
    for article_id in ids:
        target = site / "_news" / article_id
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / article_id, target)
    (site / "_config.yml").write_text("title: Bench desk\ncollections:\n  news:\n"
                                      "    output: true\n")
    git(site, "init", "--quiet", "--initial-branch", "main")
    git(site, "add", "--all")
    git(site, "commit", "--quiet", "--message", "the corpus")
    # Packed as a clone's would be (loose, every fetch would start a `gc --auto`); no
    # delta search, which would take minutes and changes nothing measured here.
    git(site, "repack", "-a", "-d", "-q", "--window=0")
    git(site, "prune")
    git(tmp, "clone", "--quiet", "--bare", os.fspath(site), os.fspath(remote))
    git(site, "remote", "add", "origin", os.fspath(remote))
    git(site, "fetch", "--quiet", "origin")
    git(site, "branch", "--quiet", "--set-upstream-to", "origin/main")
    git(tmp, "clone", "--quiet", "--no-checkout", os.fspath(remote), os.fspath(other))
    git(other, "sparse-checkout", "set", "--no-cone", "/.newsreader/")
    git(other, "checkout", "--quiet", "main")
    return site, remote, other


class Desk:
    """The desk's made-up history: each article's heads, so that each new decision is made
    on top of what its editor saw."""

    def __init__(self, ids: list[str], seed: int) -> None:
        """A desk deciding among these article ids (paths under `_news/`)."""
        self.rng = random.Random(seed)
        self.paths = [f"_news/{i}" for i in ids]
        self.heads: dict[str, list[str]] = {}
        self.clock = datetime(2026, 1, 5, 8, tzinfo=UTC)
        self.made = 0

    def decide(self, editor: str) -> Event:
        """One more decision by `editor`, on a random article."""
        rng = self.rng
        path = rng.choice(self.paths)
        self.clock += timedelta(milliseconds=rng.randint(200, 4000))
        state = rng.choices(("published", "skipped", None), (45, 50, 5))[0]
        reason = rng.choice(REASONS) if state == "skipped" and rng.random() < 0.3 else None
        before = self.heads.get(path, [])
        seen = [] if rng.random() < CONCURRENT else before
        event_id = f"{rng.getrandbits(128):032x}"
        self.made += 1
        self.heads[path] = [h for h in before if h not in seen] + [event_id]
        at = self.clock.isoformat(timespec="milliseconds")
        return Event(event_id, at, editor, "decide", path, state, reason, tuple(seen))

    def superseded(self) -> int:
        """How many events are no head of their article: what a compaction could fold
        away (less those a later unfolded event still names, and the recent ones)."""
        return self.made - sum(len(h) for h in self.heads.values())

    def batch(self, editors: list[str], each: int) -> dict[str, list[bytes]]:
        """`each` decisions per editor, interleaved in time: each editor's log lines."""
        turns = [e for e in editors for _ in range(each)]
        self.rng.shuffle(turns)
        lines: dict[str, list[bytes]] = {e: [] for e in editors}
        for editor in turns:
            event = self.decide(editor)
            lines[editor].append(to_line(event, event.article))
        return lines


def editor_name(number: int) -> str:
    """The name and email of the bench's editor `number`."""
    return f"Editor {number:02d} <editor{number:02d}@example.org>"


def push_logs(other: Path, lines: dict[str, list[bytes]]) -> None:
    """Append the lines to each editor's log in `other`, commit them and push (not timed)."""
    git(other, "pull", "--quiet", "--rebase")
    for editor, chunk in lines.items():
        email = editor.split(" <")[-1].rstrip(">")
        path = other / LOG_DIR / log_name(email)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("ab") as out:
            out.write(b"".join(chunk))
    git(other, "add", "--", LOG_DIR.as_posix())
    git(other, "commit", "--quiet", "--message", f"{len(lines)} editors' decisions")
    git(other, "push", "--quiet", "origin", "HEAD:refs/heads/main")


def timed(spent: dict[str, float], phase: str, function: Callable[..., Any]
          ) -> Callable[..., Any]:
    """`function`, adding the seconds each call takes to `spent[phase]`."""
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        """Call the function, timed."""
        start = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[phase] = spent.get(phase, 0.0) + time.perf_counter() - start
            spent[phase + " calls"] = spent.get(phase + " calls", 0) + 1

    return wrapper


@contextlib.contextmanager
def phases(library: Library, spent: dict[str, float]) -> Iterator[None]:
    """While inside, every sync adds each phase's seconds to `spent`: git (every git process
    sync starts, its own or through reader.data.files.git; none of the other timed
    functions starts one), the index refresh, log reading, the store import, the conflict
    count, sharing my events."""
    module_targets = [
        (sync_module, "_git", "git"), (git_module, "_git", "git"),
        (sync_module, "_read_logs", "log reading"),
        (sync_module, "_share", "share mine"),
    ]
    library_targets = [("refresh", "index refresh"), ("take_events", "store import"),
                       ("conflicts", "conflicts")]
    saved = [(module, name, getattr(module, name)) for module, name, _ in module_targets]
    for module, name, phase in module_targets:
        setattr(module, name, timed(spent, phase, getattr(module, name)))
    for name, phase in library_targets:
        setattr(library, name, timed(spent, phase, getattr(library, name)))
    try:
        yield
    finally:
        for module, name, function in saved:
            setattr(module, name, function)
        for name, _ in library_targets:
            delattr(library, name)


def one_sync(library: Library) -> tuple[float, dict[str, float], Any]:
    """One real sync of the library: (seconds, its phases, its result)."""
    spent: dict[str, float] = {}
    with phases(library, spent):
        start = time.perf_counter()
        result = library.sync(ME)
        spent["total"] = time.perf_counter() - start
    named = sum(v for k, v in spent.items() if k != "total" and not k.endswith(" calls"))
    spent["other"] = spent["total"] - named
    return spent["total"], spent, result


PHASES = ("git", "index refresh", "log reading", "store import", "conflicts", "share mine",
          "other")


def phase_line(runs: list[dict[str, float]]) -> str:
    """The median of each phase over `runs`, with its share of the median total."""
    total = statistics.median(r["total"] for r in runs)
    parts = []
    for phase in PHASES:
        seconds = statistics.median(r.get(phase, 0.0) for r in runs)
        calls = statistics.median(r.get(phase + " calls", 0) for r in runs)
        extra = f", {calls:.0f} processes" if phase == "git" else ""
        parts.append(f"{phase} {seconds:.3f} s ({seconds / total:.0%}{extra})")
    return "     phases (median): " + "; ".join(parts)


def objects_bytes(repo: Path) -> int:
    """Bytes of a repository's object store (loose objects and packs)."""
    return sum(p.stat().st_size for p in (repo / "objects").rglob("*") if p.is_file())


def packed_bytes(repo: Path, since: str) -> int:
    """Bytes of one pack of every object added since commit `since`: what the logs'
    history costs once git has packed it (and what a new clone fetches for it)."""
    objects = git(repo, "rev-list", "--objects", f"{since}..main")
    done = subprocess.run(["git", "-C", os.fspath(repo), "pack-objects", "--stdout", "-q"],
                          input=objects.encode(), capture_output=True, check=True)
    return len(done.stdout)


def cli_sync(site: Path, db: Path, config_home: Path) -> float:
    """Seconds of `newsreader sync` in a fresh process (start-up and imports included),
    the editor named in a config of the bench's own."""
    (config_home / "newsreader").mkdir(parents=True, exist_ok=True)
    (config_home / "newsreader" / "config.yaml").write_text(f"editor: {ME}\n")
    env = {**os.environ, "XDG_CONFIG_HOME": os.fspath(config_home),
           "XDG_DATA_HOME": os.fspath(config_home.parent / "xdg-data")}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "reader", "sync", os.fspath(site / "_news"),
                    "--db", os.fspath(db)], check=True, capture_output=True, env=env, cwd=REPO)
    return time.perf_counter() - start


def logs_bytes(site: Path) -> tuple[int, int]:
    """(how many logs, their bytes) in the work tree."""
    logs = [p for p in (site / LOG_DIR).glob("*.jsonl")]
    return len(logs), sum(p.stat().st_size for p in logs)


def read_floor(site: Path) -> float:
    """Seconds to read every log's bytes and split them into lines: the floor under
    parsing them."""
    start = time.perf_counter()
    for path in (site / LOG_DIR).glob("*.jsonl"):
        path.read_bytes().split(b"\n")
    return time.perf_counter() - start


def check(label: str, seconds: float, target: float | None, note: str = "") -> None:
    """Print one figure, next to its target when it has one."""
    verdict = ("" if target is None else
               f"   target <= {target:g} s: {'met' if seconds <= target else 'MISSED'} "
               f"({seconds / target:.2f} of it)")
    print(f"{label:<52} {seconds:8.3f} s{verdict}{note}")


def run(ns: argparse.Namespace, tmp: Path) -> None:
    """Build the desk, sync, print the figures."""
    corpus = corpus_folder(ns, tmp)
    ids = article_ids(corpus, ns.limit)
    start = time.perf_counter()
    site, remote, other = build_site(corpus, ids, tmp)
    print(f"corpus: {len(ids):,} articles under _news/, committed and cloned in "
          f"{time.perf_counter() - start:.1f} s (not timed below)")
    library = Library(site / "_news", tmp / "data" / "decisions.db")
    start = time.perf_counter()
    library.refresh()
    print(f"index built in {time.perf_counter() - start:.1f} s (before any sync; not part of one)")
    git(remote, "config", "gc.auto", "0")  # the sizes below are as the pushes left them
    remote_before, corpus_commit = objects_bytes(remote), git(remote, "rev-parse", "main").strip()
    editors = [editor_name(n) for n in range(1, ns.editors + 1)]
    desk = Desk(ids, seed=2026)
    push_logs(other, desk.batch(editors, ns.events))
    first = ns.editors * ns.events
    print(f"desk: {ns.editors} editors x {ns.events:,} decisions = {first:,} events pushed")
    print()

    seconds, spent, result = one_sync(library)
    check(f"a) first sync, importing {result.received:,} events", seconds, None,
          f"   ({result.conflicts} conflicts, {len(result.changed):,} articles changed)")
    print(phase_line([spent]))

    idle = [one_sync(library) for _ in range(ns.runs)]
    idle_median = statistics.median(s for s, _, _ in idle)
    check(f"b) sync with nothing new (median of {ns.runs})", idle_median, TARGET,
          f"   (received {max(r.received for _, _, r in idle)})")
    print(phase_line([p for _, p, _ in idle]))
    print(f"     floor: reading the logs' bytes and splitting lines {read_floor(site):.3f} s")
    library.close()  # the command below opens the same store
    cli = statistics.median(cli_sync(site, tmp / "data" / "decisions.db", tmp / "xdg-config")
                            for _ in range(ns.runs))
    check(f"b') the same as `newsreader sync` (median of {ns.runs})", cli, TARGET,
          f"   (a fresh process: {cli - idle_median:.3f} s more than b)")
    start = time.perf_counter()
    library = Library(site / "_news", tmp / "data" / "decisions.db")
    library.refresh()
    opened = time.perf_counter() - start
    print(f"     of which: opening the library and refreshing its index, nothing changed "
          f"{opened:.3f} s (once)")

    rounds = []
    for _ in range(ns.rounds):
        push_logs(other, desk.batch([editors[1]], ns.events))
        rounds.append(one_sync(library))
    busy = statistics.median(s for s, _, _ in rounds)
    check(f"c) sync after {ns.events:,} new events (median of {ns.rounds})", busy, None,
          f"   ({busy / idle_median:.1f}x b; received "
          f"{', '.join(str(r.received) for _, _, r in rounds)})")
    print(phase_line([p for _, p, _ in rounds]))

    count, size = logs_bytes(site)
    events = first + ns.rounds * ns.events
    grown = objects_bytes(remote) - remote_before
    print(f"d) logs: {count} files, {size:,} bytes for {events:,} events = "
          f"{size / events:.0f} bytes per event")
    packed = packed_bytes(remote, corpus_commit)
    print(f"   remote's objects grew {grown:,} bytes over {1 + ns.rounds} pushes, as stored "
          f"({grown / events:.0f} per event, {grown / size:.2f} of the logs' size); "
          f"{packed:,} bytes packed ({packed / events:.0f} per event)")
    print(f"   of the {desk.made:,} events, {desk.superseded():,} "
          f"({desk.superseded() / desk.made:.0%}) are no head of their article: the most a "
          "compaction could fold away")
    print()
    over = idle_median > TARGET
    print(f"compaction: a sync with nothing new took {idle_median:.3f} s at "
          f"{ns.editors} x {ns.events:,}: "
          + ("over the 1 s trigger, compaction is needed" if over else
             "under the 1 s trigger, so compaction is not built (the plan is in this "
             "script's docstring)"))
    library.close()


def main() -> None:
    """Parse the arguments and run the bench in a temporary folder."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="an extracted corpus folder to reuse")
    parser.add_argument("--limit", type=int, help="use N articles of the corpus (seeded)")
    parser.add_argument("--editors", type=int, default=10)
    parser.add_argument("--events", type=int, default=2000, help="decisions per editor")
    parser.add_argument("--runs", type=int, default=5, help="syncs with nothing new")
    parser.add_argument("--rounds", type=int, default=3, help="syncs after new events")
    parser.add_argument("--dir", type=Path, help="where to make the temporary folder")
    ns = parser.parse_args()
    os.environ.update(GIT_ENV)  # sync's own git commits need an identity
    with tempfile.TemporaryDirectory(dir=ns.dir) as tmp:
        run(ns, Path(tmp))


if __name__ == "__main__":
    main()

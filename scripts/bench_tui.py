"""Benchmark of the TUI: first paint, key latency and peak RSS at 100 and at ~51,000 articles.

Run it from the repo (it drives the real app in a private, detached tmux server, 120x40):

    .venv/bin/python scripts/bench_tui.py [--runs 5] [--repeat 30] [--rounds 2] [--corpus DIR]

Without --corpus it extracts ../shared/corpus/smartable-history.tar.gz into a temporary folder;
the small corpus is 100 of its article files, evenly spaced by path (see SMALL). Each corpus
gets its own temporary database, indexed once beforehand with `newsreader list`, so every
launch is a warm start.
The timing tools are ../shared/perf: ttfp.py for first paint, and its tmuxctl.py library for
the keys (keylat.py's loop cannot wait out the warm rescan and its toast, or vary the search).

  first paint  launch until the status bar shows a non-zero "N shown" (the list is usable);
               runs interleave minimal, skeleton, 100, 51k. The minimal app is one Textual
               Label; the skeleton is the app's kinds of widget in its layout with fixed
               text (what Textual alone costs for such a screen). "Complete screen" waits
               for the article and related panes and the footer's keys as well.
  keys         one session per corpus and round, on a fresh copy of its database, after the
               warm rescan and its toast are over: `z` (flat), Down, then `s` (skip and
               advance: the decision path of `p` without its same-story guard), then
               search (`/`, the word, then Enter until the filter line names the word; the
               word alternates so every Enter runs a new query). "first" is the first change
               on screen (keylat.py's --change), "settled" the last repaint the key caused.
  peak RSS     VmHWM of the app process at the end of its sessions (so it grows with --repeat:
               the warm rescan sets the peak at 51k, the key presses at 100); also at first paint.

Targets: first paint at 51k <= 1.5x the minimal app; each key's p50 at 51k <= 1.2x its p50
at 100; peak RSS at 51k < 2x that at 100 and <= 80 MiB; a cursor down settled at 51k within
two frames (33 ms) p50. It prints medians and asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PERF = SHARED / "perf"
TARBALL = SHARED / "corpus" / "smartable-history.tar.gz"
NEWSREADER = Path(sys.executable).with_name("newsreader")
APP_MARKER = r"\b[1-9]\d* shown"
"""The status bar once the list has rows (a regex)."""
FULL = " complete"
"""The suffix naming a size's complete-screen runs."""
FULL_MARKER = r"(?s)Article.*Related coverage.*\b[1-9]\d* shown.*Quit"
"""Every part of the screen: the article and related panes, the status bar and the footer."""
MINIMAL_APP = """\
from textual.app import App
from textual.widgets import Label


class Minimal(App):
    def compose(self):
        yield Label("ready")


Minimal().run()
"""
"""The reference: a Textual app with one label, run by the same Python."""
SKELETON_APP = """\
from rich.segment import Segment
from textual.app import App
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.widgets import Footer, Header, Label, OptionList, Static

TEXT = "Diablo IV season patch notes: what changes for the Necromancer and the Barbarian"


class Rows(ScrollView, can_focus=True):
    def on_mount(self):
        self.virtual_size = Size(80, 100)

    def render_line(self, y):
        n = y + int(self.scroll_offset.y)
        line = f" . 2026-11-{n % 28 + 1:02d} polygon.com  {TEXT}"
        return Strip([Segment(line[: self.size.width])])


class Skeleton(App):
    CSS = \"\"\"
    #panes { height: 1fr; }
    #list { width: 58%; }
    Rows { height: 1fr; border: round $panel; }
    #detail { height: 1fr; border: round $panel; }
    OptionList { height: auto; max-height: 45%; }
    #status { height: 1; background: $panel; }
    \"\"\"
    BINDINGS = [Binding(k, "bell", d) for k, d in [
        ("p", "Publish"), ("s", "Skip"), ("x", "Clear"), ("u", "Undo"), ("/", "Search"),
        ("o", "Open"), ("y", "Copy"), ("r", "Rescan"), ("q", "Quit"), ("f1", "Help")]]

    def compose(self):
        yield Header()
        with Horizontal(id="panes"):
            with Vertical(id="list"):
                yield Label("all, newest first")
                yield Rows()
            with Vertical():
                with VerticalScroll(id="detail"):
                    yield Static("\\n".join([TEXT] * 12))
                yield OptionList(*[TEXT] * 5)
        yield Static("100 shown; 100 undecided, 0 published, 0 skipped", id="status")
        yield Footer(compact=True)


Skeleton().run()
"""
"""A second reference: the app's kinds of widget in its layout, with fixed text and no data
or code of ours. What it costs over the minimal app is Textual's, whatever the app does."""
WORDS = ("diablo", "blizzard")
"""Search words, alternated; each matches part of either corpus, so the cursor's article can
change at Enter at both sizes."""
SMALL = 100
"""Articles in the small corpus: a sample of the big one, every (n / 100)th file by path.

Not its first 100 files: those are 100 versions of one page (one title, one story), where
both words list the same rows and the cursor's article never changes at Enter, while at 51k
it does, and the article pane is drawn again; the two sizes did different work per key."""
STARTUP_QUIET = 6.0
"""Seconds without output before keys are timed: the warm rescan ends, its toast (5 s) goes."""
SETTLE = 0.3
"""Seconds without output that end a key's response."""
TIMEOUT = 60.0
PAINT_TARGET, KEY_TARGET, RSS_TARGET = 1.5, 1.2, 2.0
SETTLED_MS = 2 * 1000 / 60
"""A cursor move's last repaint (the article and related panes) within two 60 Hz frames."""
RSS_MIB = 80
"""Peak RSS at the big corpus, in MiB, through the whole session."""
KEYS = ("cursor down", "skip+advance", "search")


def corpora(given: Path | None, tmp: Path) -> dict[str, Path]:
    """The big corpus (--corpus, else the tarball extracted) and a sample of it (SMALL)."""
    big = given
    if big is None:
        big = tmp / "corpus"
        with tarfile.open(TARBALL) as tar:
            tar.extractall(big, filter="data")
    small = tmp / "small"
    paths = sorted(big.rglob("*.md"))
    for path in paths[:: max(1, len(paths) // SMALL)][:SMALL]:
        target = small / path.relative_to(big)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    return {f"{SMALL}": small, f"{len(paths):,}": big}


def warm(root: Path, db: Path) -> None:
    """Index the folder headless, so that the app's launches are warm starts."""
    command = [str(NEWSREADER), "list", str(root), "--db", str(db), "--format", "csv"]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, cwd=REPO)


def fresh_db(db: Path, name: str) -> Path:
    """A copy of the decisions db and its index beside it, so each session has the same work."""
    copy = db.with_name(name + ".db")
    for part in db.parent.glob(db.stem + ".*"):
        shutil.copyfile(part, copy.with_name(name + part.name.removeprefix(db.stem)))
    return copy


def first_paint(argv: list[str], marker: str) -> tuple[float, float]:
    """One ttfp.py run: (seconds to the marker, peak RSS in MiB at that moment)."""
    tool = [sys.executable, str(PERF / "ttfp.py"), "--json", "--regex", "--runs", "1"]
    command = [*tool, "--timeout", "120", "--marker", marker, "--", *argv]
    out = subprocess.run(command, capture_output=True, text=True, cwd=REPO).stdout
    run = json.loads(out)["runs"][0]
    if run["seconds"] is None:
        shown = subprocess.run([*command[:2], "--show", *command[2:]], capture_output=True,
                               text=True, cwd=REPO).stderr
        raise SystemExit(f"never painted {marker!r}: {' '.join(argv)}\n{shown}")
    return run["seconds"], run["peak_rss_kib"] / 1024


def press(h, pane: str, keys: list[str], done=None, literal: bool = False):
    """Send keys; return (seconds to the first change or to `done`, seconds to the last repaint)."""
    before = h.capture(pane, escapes=True)
    start = h.send_keys(pane, keys, literal)
    shown, screen = h.wait_for(pane, done or (lambda s: s != before), TIMEOUT, escapes=not done)
    if shown is None:
        raise SystemExit(f"no response to {keys}; screen:\n{screen}")
    h.wait_quiet(pane, SETTLE, timeout=TIMEOUT)
    last = h.capture_full(pane)[1] or shown
    return shown - start, max(last, shown) - start


def search(h, pane: str, word: str):
    """Open the search box, type the word (untimed), then time Enter until the filter shows it."""
    press(h, pane, ["/"])
    press(h, pane, ["End", "C-u"])
    press(h, pane, [word], literal=True)
    return press(h, pane, ["Enter"], done=lambda s: f"search {word}" in s)


def session(h, root: Path, db: Path, repeat: int, lat: dict[str, list]) -> float:
    """One app session: the three keys `repeat` times each; returns peak RSS in MiB."""
    from tmuxctl import marker_predicate, tree_mem

    argv = [str(NEWSREADER), str(root), "--db", str(db)]
    pane, pid, _ = h.launch(argv, cwd=str(REPO))
    if h.wait_for(pane, marker_predicate(APP_MARKER, regex=True), 120)[0] is None:
        raise SystemExit(f"the app never showed its list: {' '.join(argv)}")
    h.wait_quiet(pane, STARTUP_QUIET, timeout=180)
    # The flat list: grouped by story, the rows the keys move over would differ by size.
    press(h, pane, ["z"])
    lat["cursor down"] += [press(h, pane, ["Down"]) for _ in range(repeat)]
    # s takes publish's path (store, row, advance) without the guard that asks before a
    # second publish in one story: versions of one page are one story, so p would stop there.
    lat["skip+advance"] += [press(h, pane, ["s"]) for _ in range(repeat)]
    lat["search"] += [search(h, pane, WORDS[i % 2]) for i in range(repeat)]
    rss: float = tree_mem(pid)["peak_rss_kib"] / 1024
    h.kill(pane)
    return rss


def pct(values: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))]


def version() -> str:
    """The commit measured, and whether reader/ differs from it (others edit as we run)."""
    git = ["git", "-C", str(REPO)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True)
    dirty = subprocess.run([*git, "status", "--porcelain", "reader"], capture_output=True,
                           text=True).stdout
    return (head.stdout.strip() or "unknown") + (" + uncommitted reader/ changes" if dirty else "")


def verdict(name: str, ratio: float, target: float, strict: bool = False) -> None:
    """One target line: the ratio, the target and whether it is met."""
    met = ratio < target if strict else ratio <= target
    sign = "<" if strict else "<="
    print(f"  {name:<34}{ratio:6.2f}x  (target {sign} {target}x)  {'met' if met else 'MISSED'}")


def report(sizes: list[str], paint: dict[str, list], rss: dict[str, list],
           lat: dict[str, dict[str, list]], first_rss: dict[str, list]) -> None:
    """The table of medians, then the three targets."""
    small, big = sizes
    print(f"\n{'':<26}{'minimal':>12}" + "".join(f"{s + ' articles':>22}" for s in sizes))
    print(f"{'first paint p50 s':<26}" + "".join(
        f"{statistics.median(paint[n]):>{12 if n == 'minimal' else 22}.3f}"
        for n in ("minimal", *sizes)))
    print(f"{'complete screen p50 s':<26}{'':>12}" + "".join(
        f"{statistics.median(paint[n + FULL]):>22.3f}" for n in sizes))
    print(f"{'skeleton first paint p50 s':<26}{statistics.median(paint['skeleton']):>12.3f}"
          "  (the same kinds of widget, fixed text, none of our code)")
    for key in KEYS:
        for label, part in (("first", 0), ("settled", 1)):
            cells = ""
            for size in sizes:
                ms = [x[part] * 1000 for x in lat[size][key]]
                cells += f"{statistics.median(ms):>11.1f} p95 {pct(ms, 95):>6.1f}"
            print(f"{key + ' ' + label + ' ms':<26}{'':>12}{cells}")
    for label, table in (("RSS at first paint MiB", first_rss), ("peak RSS MiB", rss)):
        print(f"{label:<26}" + "".join(
            f"{max(table[n]):>{12 if n == 'minimal' else 22}.1f}" for n in ("minimal", *sizes)))
    print("  (peak RSS: the minimal app at first paint, the app at the end of its sessions)")
    print("\ntargets:")
    # First paint: the ratio within each interleaved run (same noise), then the median.
    ratios = [b / m for b, m in zip(paint[big], paint["minimal"], strict=True)]
    verdict(f"first paint {big} / minimal", statistics.median(ratios), PAINT_TARGET)
    for name in (big + FULL, "skeleton"):  # context, not targets: the same runs' ratios
        ratios = [b / m for b, m in zip(paint[name], paint["minimal"], strict=True)]
        label = f"complete screen {name.removesuffix(FULL)}" if name != "skeleton" else name
        print(f"  ({label} / minimal {statistics.median(ratios):.2f}x)")
    for key in KEYS:
        p50 = [statistics.median(x[0] for x in lat[size][key]) for size in sizes]
        verdict(f"{key} p50 {big} / {small}", p50[1] / p50[0], KEY_TARGET)
    verdict(f"peak RSS {big} / {small}", max(rss[big]) / max(rss[small]), RSS_TARGET, True)
    settled = statistics.median(x[1] * 1000 for x in lat[big]["cursor down"])
    print(f"  {'cursor down settled p50 ' + big:<34}{settled:6.1f} ms  (target <= "
          f"{SETTLED_MS:.1f} ms, 2 frames)  {'met' if settled <= SETTLED_MS else 'MISSED'}")
    peak = max(rss[big])
    print(f"  {'peak RSS ' + big:<34}{peak:6.1f} MiB (target <= {RSS_MIB} MiB)  "
          f"{'met' if peak <= RSS_MIB else 'MISSED'}")


def compile_bytecode() -> None:
    """Write reader/'s bytecode, as `pip install .` does when it installs the app.

    The benchmark runs the dev venv's editable install; where PYTHONDONTWRITEBYTECODE is set
    (as on these machines) every launch would otherwise compile each of the app's modules
    again (~40 ms), which an installed app never does, while Textual's own are compiled.
    """
    import compileall

    compileall.compile_dir(REPO / "reader", quiet=1)


def cannot_measure(corpus: Path | None) -> str | None:
    """Why nothing can be measured here (no shared folder, no corpus, no tmux), or None."""
    if not PERF.is_dir() or (corpus is None and not TARBALL.is_file()):
        return f"no {PERF} or {TARBALL} (the shared folder beside the repo): nothing measured"
    if shutil.which("tmux") is None:
        return "tmux is not installed: nothing measured"
    return None


def main() -> int:
    """Prepare the corpora and databases, measure, and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="an already extracted copy of the corpus")
    parser.add_argument("--runs", type=int, default=5, help="first-paint runs (default 5)")
    parser.add_argument("--repeat", type=int, default=30, help="presses per key per session")
    parser.add_argument("--rounds", type=int, default=2, help="key sessions per corpus")
    args = parser.parse_args()
    if why := cannot_measure(args.corpus):
        print(why)
        return 0
    sys.path.insert(0, str(PERF))
    from tmuxctl import Harness

    print("code: {}   load average: {:.2f} {:.2f} {:.2f}".format(version(), *os.getloadavg()))
    compile_bytecode()
    with tempfile.TemporaryDirectory(prefix="bench-tui-") as name:
        tmp = Path(name)
        roots = corpora(args.corpus, tmp)
        sizes = list(roots)
        (tmp / "minimal.py").write_text(MINIMAL_APP)
        (tmp / "skeleton.py").write_text(SKELETON_APP)
        apps = {"minimal": ([sys.executable, str(tmp / "minimal.py")], "ready"),
                "skeleton": ([sys.executable, str(tmp / "skeleton.py")], "100 shown")}
        for size, root in roots.items():
            db = tmp / f"db-{len(apps)}" / "decisions.db"
            db.parent.mkdir()
            warm(root, db)
            apps[size] = ([str(NEWSREADER), str(root), "--db", str(db)], APP_MARKER)
            apps[size + FULL] = (apps[size][0], FULL_MARKER)
        paint: dict[str, list] = {n: [] for n in apps}
        rss: dict[str, list] = {n: [] for n in apps}
        first_rss: dict[str, list] = {n: [] for n in apps}
        for run in range(args.runs + 1):  # run 0 only warms the page cache
            for n, (argv, marker) in apps.items():
                seconds, mib = first_paint(argv, marker)
                paint[n].append(seconds)
                first_rss[n].append(mib)
            print(f"first paint run {run}{' (dropped)' if not run else ''}: "
                  + "  ".join(f"{n} {v[-1]:.3f} s" for n, v in paint.items()))
        paint = {n: v[1:] for n, v in paint.items()}
        rss["minimal"] = first_rss["minimal"]
        lat: dict[str, dict[str, list]] = {s: {k: [] for k in KEYS} for s in sizes}
        with Harness(120, 40) as h:
            for rnd in range(args.rounds):
                for size in sizes:
                    db = fresh_db(Path(apps[size][0][-1]), f"round-{rnd}")
                    rss[size].append(session(h, roots[size], db, args.repeat, lat[size]))
                    for part in db.parent.glob(f"round-{rnd}*"):
                        part.unlink()
                    print(f"key round {rnd + 1}, {size}: done, peak RSS {rss[size][-1]:.1f} MiB")
        report(sizes, paint, rss, lat, first_rss)
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

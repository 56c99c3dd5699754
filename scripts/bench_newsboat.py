"""Benchmark against newsboat: list, cursor, search and peak RSS at 10,000 and ~51,000 articles.

Run it from the repo (both apps run in one private, detached tmux server, 120x40):

    .venv/bin/python scripts/bench_newsboat.py [--runs 3] [--repeat 20] [--searches 3]
        [--corpus DIR]

Without --corpus it extracts ../shared/corpus/smartable-history.tar.gz into a temporary folder;
the small corpus is hard links to its first 10,000 article files (by path). For each corpus the
articles are read with the project's own data layer (reader.data) and written as one local RSS
feed (title, link, date, the excerpt as description, the article id as guid), which fills a
private newsboat cache (`newsboat -x reload`, with a temporary HOME: nothing of yours is read or
touched). newsreader's database is indexed beforehand, so both apps start warm.

Per corpus, --runs sessions of each app, interleaved (the order alternates), after one untimed
warm-up launch of each. Each session times:

  launch to list  newsreader: until the status bar shows a non-zero "N shown".
                  newsboat: until its feed list shows, then Enter at once, until the feed's
                  article list shows (the breakdown is printed too).
  cursor down     Down, until the screen changes (colours included); after newsreader's warm
                  rescan and its toast are over, in its flat list (`z`). "settled" is the
                  last repaint the key caused.
  search          `/`, the word (untimed), then Enter until the filtered screen shows: the filter
                  line names the word (newsreader), "Search results" (newsboat, then `q` back to
                  the article list). The word alternates between two.
  peak RSS        VmHWM of the app's process tree at the end of its session.

Targets at ~51k: launch and search <= newsboat's; peak RSS <= newsboat's; cursor down p50 <= half
of newsboat's and under one 60 Hz frame; the screen settled after a cursor down (its last
repaint: the article and related panes) within two frames (33 ms) p50. It prints medians and
ratios and asserts nothing.
Without newsboat (Debian: `apt-get install newsboat`) it says so and measures newsreader alone.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote
from xml.sax.saxutils import escape

from bench_tui import (
    APP_MARKER,
    NEWSREADER,
    PERF,
    REPO,
    SETTLE,
    STARTUP_QUIET,
    TARBALL,
    WORDS,
    cannot_measure,
    compile_bytecode,
    pct,
    press,
    search,
    version,
    warm,
)

SMALL = 10_000
"""Articles in the small corpus."""
FRAME_MS = 1000 / 60
SETTLED_FRAMES = 2
"""Frames of 60 Hz from a cursor move until the screen settles (article and related panes)."""
NEWSBOAT = shutil.which("newsboat")
FEED_TITLE = "History"
FEEDS_SHOWN = "Your feeds"
"""newsboat's feed list header: its first screen."""
ARTICLES_SHOWN = "Articles in feed"
"""newsboat's article list header."""
RESULTS_SHOWN = "Search results"
APPS = ("newsreader", "newsboat")
MEASURES = ("launch", "cursor", "search", "rss")
EXIT_WAIT = 60.0
"""Seconds an app may take to exit after its pane is killed."""


def extract(given: Path | None, tmp: Path) -> Path:
    """The big corpus: --corpus, else the tarball extracted into tmp."""
    if given is not None:
        return given
    big = tmp / "corpus"
    with tarfile.open(TARBALL) as tar:
        tar.extractall(big, filter="data")
    return big


def subset(big: Path, target: Path, count: int) -> Path:
    """Hard links (copies across devices) to the first `count` article files, by path."""
    for path in sorted(big.rglob("*.md"))[:count]:
        link = target / path.relative_to(big)
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, link)
        except OSError:
            shutil.copy2(path, link)
    return target


def rss_item(article) -> str:
    """One article as an RSS <item>; the guid is its id, quoted so that any path stays unique."""
    guid = quote(article.id, safe="/", errors="surrogateescape")
    date = article.published_at
    when = f"<pubDate>{format_datetime(date)}</pubDate>" if date else ""
    return (
        f"<item><title>{escape(article.title)}</title><link>{escape(article.url)}</link>"
        f'<guid isPermaLink="false">{guid}</guid>{when}'
        f"<description>{escape(article.excerpt)}</description></item>\n"
    )


def write_feed(root: Path, db: Path, feed: Path) -> int:
    """Write the indexed folder's articles as one RSS 2.0 feed; return how many."""
    from reader.data.library import Library
    from reader.data.query import articles

    library = Library(root, db)
    try:
        listed = articles(library)
    finally:
        library.close()
    with feed.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>')
        out.write(f"<title>{FEED_TITLE}</title><link>http://localhost/</link>")
        out.write("<description>the article history corpus</description>\n")
        out.writelines(rss_item(entry.article) for entry in listed)
        out.write("</channel></rss>\n")
    return len(listed)


def newsboat_setup(feed: Path, home: Path) -> tuple[list[str], dict[str, str]]:
    """A private newsboat (urls, cache, config, HOME) for one feed, its cache filled."""
    home.mkdir(parents=True)
    (home / "urls").write_text(feed.as_uri() + "\n")
    (home / "config").write_text("")
    env = {
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "XDG_DATA_HOME": str(home / ".local" / "share"),
    }
    argv = [
        str(NEWSBOAT),
        "-u",
        str(home / "urls"),
        "-c",
        str(home / "cache.db"),
        "-C",
        str(home / "config"),
    ]
    subprocess.run(
        [*argv, "-x", "reload"],
        env={**os.environ, **env},
        cwd=home,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return argv, env


def cached_items(home: Path) -> int:
    """How many items newsboat's cache holds."""
    with sqlite3.connect(home / "cache.db") as conn:
        return conn.execute("SELECT count(*) FROM rss_item").fetchone()[0]


def newsboat_list(screen: str) -> bool:
    """The feed's article list is on screen, with its first row."""
    return ARTICLES_SHOWN in screen and "\n   1 " in screen


def launch_newsreader(h, app: dict) -> tuple[str, int, dict]:
    """Launch until the list is usable: (pane, pid, {"launch": seconds})."""
    from tmuxctl import marker_predicate

    pane, pid, start = h.launch(app["argv"], cwd=str(REPO))
    shown, screen = h.wait_for(pane, marker_predicate(APP_MARKER, regex=True), 120)
    if shown is None:
        raise SystemExit(f"newsreader never showed its list:\n{screen}")
    return pane, pid, {"launch": shown - start}


def launch_newsboat(h, app: dict) -> tuple[str, int, dict]:
    """Launch until the feed list shows, Enter, until the article list shows."""
    # The last instance has exited (see `end`); its lock would stop this one.
    Path(app["cwd"], "cache.db.lock").unlink(missing_ok=True)
    pane, pid, start = h.launch(app["argv"], env=app["env"], cwd=app["cwd"])
    feeds, screen = h.wait_for(pane, lambda s: FEEDS_SHOWN in s and FEED_TITLE in s, 120)
    if feeds is None:
        raise SystemExit(f"newsboat never showed its feed list:\n{screen}")
    enter = h.send_keys(pane, ["Enter"])
    shown, screen = h.wait_for(pane, newsboat_list, 120)
    if shown is None:
        raise SystemExit(f"newsboat never showed the article list:\n{screen}")
    return (
        pane,
        pid,
        {"launch": shown - start, "first screen": feeds - start, "open feed": shown - enter},
    )


LAUNCH = {"newsreader": launch_newsreader, "newsboat": launch_newsboat}


def search_newsboat(h, pane: str, word: str) -> tuple[float, float]:
    """`/`, the word, then time Enter until the results show; `q` back to the article list."""
    press(h, pane, ["/"])
    press(h, pane, [word], literal=True)
    timed = press(h, pane, ["Enter"], done=lambda s: RESULTS_SHOWN in s)
    press(h, pane, ["q"], done=newsboat_list)
    return timed


def session(h, name: str, app: dict, args, out: dict) -> None:
    """One timed session of one app: launch, cursor downs, searches, peak RSS."""
    from tmuxctl import tree_mem

    pane, pid, launch = LAUNCH[name](h, app)
    for part, seconds in launch.items():
        out.setdefault(part, []).append(seconds)
    h.wait_quiet(pane, STARTUP_QUIET if name == "newsreader" else SETTLE, timeout=180)
    if name == "newsreader":
        # The flat list, as newsboat's: grouped by story, a small folder is a few rows,
        # and the cursor would stop at the last one.
        press(h, pane, ["z"])
    out["cursor"] += [press(h, pane, ["Down"]) for _ in range(args.repeat)]
    finder = search if name == "newsreader" else search_newsboat
    out["search"] += [finder(h, pane, WORDS[i % 2]) for i in range(args.searches)]
    out["rss"].append(tree_mem(pid)["peak_rss_kib"] / 1024)
    end(h, pane, pid)


def warm_up(h, name: str, app: dict) -> None:
    """One untimed launch, so both apps start from a warm page cache."""
    pane, pid, _ = LAUNCH[name](h, app)
    end(h, pane, pid)


def end(h, pane: str, pid: int) -> None:
    """Kill the pane and wait for the app to exit, so the next launch starts alone."""
    h.kill(pane)
    deadline = time.monotonic() + EXIT_WAIT
    while running(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if running(pid):
        os.kill(pid, signal.SIGKILL)  # our own app, by its pid


def running(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_bytes()
    except OSError:
        return False
    return stat[stat.rindex(b")") + 2 :][:1] != b"Z"


def prepare(size: str, root: Path, tmp: Path) -> dict[str, dict]:
    """Index the folder for newsreader and, with newsboat, write its feed and fill its cache."""
    db = tmp / size / "decisions.db"
    db.parent.mkdir(parents=True)
    warm(root, db)
    apps = {"newsreader": {"argv": [str(NEWSREADER), str(root), "--db", str(db)]}}
    if NEWSBOAT:
        feed = tmp / size / "feed.xml"
        count = write_feed(root, db, feed)
        argv, env = newsboat_setup(feed, tmp / size / "newsboat")
        cached = cached_items(tmp / size / "newsboat")
        print(f"{size}: feed of {count:,} items, newsboat's cache holds {cached:,}")
        apps["newsboat"] = {"argv": argv, "env": env, "cwd": str(tmp / size / "newsboat")}
    return apps


def measure(h, apps: dict[str, dict], args) -> dict[str, dict[str, list]]:
    """Warm-up launches, then --runs sessions per app, interleaved with alternating order."""
    names = list(apps)
    for name in names:
        warm_up(h, name, apps[name])
    found: dict[str, dict[str, list]] = {n: {m: [] for m in MEASURES} for n in names}
    for run in range(args.runs):
        order = names if run % 2 == 0 else names[::-1]
        for name in order:
            session(h, name, apps[name], args, found[name])
        print(
            f"  run {run + 1}: "
            + "  ".join(
                f"{n} list {found[n]['launch'][-1]:.3f} s, RSS {found[n]['rss'][-1]:.0f} MiB"
                for n in names
            )
        )
    return found


def cells(found: dict[str, dict[str, list]]) -> list[tuple[str, dict[str, float]]]:
    """The table's rows: a label and each app's figure."""

    def p(name: str, measure: str, q: float) -> float:
        return pct([x[0] * 1000 for x in found[name][measure]], q)

    rows = [("launch to list p50 s", {n: statistics.median(f["launch"]) for n, f in found.items()})]
    for part in ("first screen", "open feed"):
        if part in found.get("newsboat", {}):
            rows.append(
                (
                    f"  newsboat {part} p50 s",
                    {"newsboat": statistics.median(found["newsboat"][part])},
                )
            )
    for measure, label in (("cursor", "cursor down"), ("search", "search")):
        first = {n: statistics.median(x[0] * 1000 for x in found[n][measure]) for n in found}
        rows.append((f"{label} p50 ms", first))
        rows.append((f"{label} p95 ms", {n: p(n, measure, 95) for n in found}))
        rows.append(
            (
                f"{label} settled p50 ms",
                {n: statistics.median(x[1] * 1000 for x in found[n][measure]) for n in found},
            )
        )
    rows.append(("peak RSS MiB", {n: max(found[n]["rss"]) for n in found}))
    return rows


def table(size: str, found: dict[str, dict[str, list]]) -> None:
    """Medians per app and the newsreader/newsboat ratio."""
    print(f"\n{size + ' articles':<28}{'newsreader':>12}{'newsboat':>12}{'ratio':>9}")
    for label, value in cells(found):
        mine, theirs = value.get("newsreader"), value.get("newsboat")
        line = f"{label:<28}" + (f"{mine:>12.3f}" if mine is not None else f"{'':>12}")
        line += f"{theirs:>12.3f}" if theirs is not None else f"{'-':>12}"
        if mine is not None and theirs:
            line += f"{mine / theirs:>8.2f}x"
        print(line)


def verdict(name: str, ratio: float, target: float, extra: str = "", met: bool = True) -> None:
    """One target line: the ratio, the target and whether it is met."""
    ok = ratio <= target and met
    print(f"  {name:<28}{ratio:6.2f}x  (target <= {target}x{extra})  {'met' if ok else 'MISSED'}")


def targets(size: str, found: dict[str, dict[str, list]]) -> None:
    """The four targets at the big corpus, as ratios to newsboat."""
    mine, theirs = found["newsreader"], found["newsboat"]
    print(f"\ntargets at {size} (newsreader / newsboat):")
    pairs = zip(mine["launch"], theirs["launch"], strict=True)
    verdict("launch to list", statistics.median(a / b for a, b in pairs), 1.0)
    search = [statistics.median(x[0] for x in f["search"]) for f in (mine, theirs)]
    verdict("search", search[0] / search[1], 1.0)
    verdict("peak RSS", max(mine["rss"]) / max(theirs["rss"]), 1.0)
    cursor = [statistics.median(x[0] * 1000 for x in f["cursor"]) for f in (mine, theirs)]
    verdict(
        "cursor down p50",
        cursor[0] / cursor[1],
        0.5,
        f", and {cursor[0]:.1f} ms < {FRAME_MS:.1f} ms",
        cursor[0] < FRAME_MS,
    )
    settled = statistics.median(x[1] * 1000 for x in mine["cursor"])
    ok = "met" if settled <= SETTLED_FRAMES * FRAME_MS else "MISSED"
    print(f"  {'cursor down settled p50':<28}{settled:6.1f} ms (target <= {SETTLED_FRAMES} frames, "
          f"{SETTLED_FRAMES * FRAME_MS:.1f} ms)  {ok}")


def main() -> int:
    """Prepare both corpora, feeds and caches, measure, and print the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, help="an already extracted copy of the corpus")
    parser.add_argument("--runs", type=int, default=3, help="timed sessions per app (default 3)")
    parser.add_argument("--repeat", type=int, default=20, help="cursor downs per session")
    parser.add_argument("--searches", type=int, default=3, help="searches per session")
    args = parser.parse_args()
    if why := cannot_measure(args.corpus):
        print(why)
        return 0
    if not NEWSBOAT:
        print("newsboat is not installed (apt-get install newsboat): newsreader's figures only")
    sys.path.insert(0, str(PERF))
    from tmuxctl import Harness

    print("code: {}   load average: {:.2f} {:.2f} {:.2f}".format(version(), *os.getloadavg()))
    compile_bytecode()
    if NEWSBOAT:
        print(
            subprocess.run(
                [NEWSBOAT, "--version"], capture_output=True, text=True
            ).stdout.splitlines()[0]
        )
    with tempfile.TemporaryDirectory(prefix="bench-newsboat-") as name:
        tmp = Path(name)
        big = extract(args.corpus, tmp)
        roots = {f"{SMALL:,}": subset(big, tmp / "small", SMALL)}
        roots[f"{sum(1 for _ in big.rglob('*.md')):,}"] = big
        results = {}
        with Harness(120, 40) as h:
            for size, root in roots.items():
                apps = prepare(size, root, tmp)
                print(f"{size}: measuring")
                results[size] = measure(h, apps, args)
        for size, found in results.items():
            table(size, found)
        if NEWSBOAT:
            targets(size, results[size])
    print("load average at end: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    return 0


if __name__ == "__main__":
    sys.exit(main())

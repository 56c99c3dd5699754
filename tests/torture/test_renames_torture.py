"""Decided files renamed, moved, edited and deleted between `decide` and `apply`, and while
`apply` runs: every decision follows its file or is reported as gone, and no file changes
but for its one `published:` line."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.data.article import Decision, Problem
from reader.data.files.walk import FileStat
from reader.data.library import Library

from .helpers import (
    Counts,
    cli,
    editor_decisions,
    make_corpus,
    only_published_differs,
    python,
    temps,
    url_of,
)

GONE = "decided, but the file is gone (newsreader decide ID clear forgets it)"
"""How `apply` says a decision's file is gone (reader.data.writeback.planner.GONE_WHY)."""
VALUE = {"published": "true", "skipped": "false"}
"""The `published:` value `apply` writes for each decision."""
ACTION = {"published": "publish", "skipped": "skip"}

Decided = dict[str, tuple[str, str | None]]
"""id -> (state, reason), as `editor_decisions` reads a store."""


def _git(root: Path, *args: str) -> None:
    """Run git in ROOT (a throwaway repository of the test's own)."""
    subprocess.run(
        ["git", "-c", "user.name=torture", "-c", "user.email=torture@example.com", *args],
        cwd=root, check=True, capture_output=True,
    )  # fmt: skip


def _decide(root: Path, db: Path, ids: list[str], rng: random.Random) -> Decided:
    """Decide every id, half through the CLI and half through the Library API, each with
    a reason of its own; returns what the store must hold."""
    wanted: Decided = {}
    library = Library(root, db)
    try:
        library.refresh()
        for n, article_id in enumerate(ids):
            state = rng.choice(("published", "skipped"))
            reason = f"why {n}"
            wanted[article_id] = (state, reason)
            if n % 2:
                library.decide([article_id], Decision(state), reason)
            else:
                code, _, err = cli("decide", str(root), article_id, ACTION[state],
                                   "--reason", reason, "--db", str(db))  # fmt: skip
                assert code == 0, err
    finally:
        library.close()
    assert editor_decisions(db) == wanted
    return wanted


def _replay_export(root: Path, db: Path) -> Decided:
    """The editor's decisions as `newsreader export` tells them: the last journal entry of
    each id (a move's entry with no new state drops the id)."""
    code, out, err = cli("export", str(root), "--db", str(db))
    assert code == 0, err
    found: Decided = {}
    for entry in json.loads(out):
        if entry["kind"] == "apply" or entry["id"] is None:
            continue
        if entry["new_state"] is None:
            found.pop(entry["id"], None)
        else:
            found[entry["id"]] = (entry["new_state"], entry["reason"])
    return found


def _files(root: Path) -> dict[str, bytes]:
    """Every article file below ROOT (not .git) by id."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*.md"))
        if ".git" not in p.parts
    }


# -- between decide and apply -----------------------------------------------------------


def test_renames_and_deletes_between_decide_and_apply(tmp_path: Path, counts: Counts) -> None:
    root = tmp_path / "cache"
    ids = make_corpus(root, 96)
    db = tmp_path / "data" / "decisions.db"
    git = shutil.which("git") is not None
    if git:
        _git(root, "init", "-q")
        _git(root, "add", "-A")
        _git(root, "commit", "-qm", "articles")
    rng = random.Random(2020)
    decided = rng.sample(ids, 48)
    wanted = _decide(root, db, decided, rng)
    original = _files(root)

    # What happens to the decided files: a plain mv, a move to another folder (git mv when
    # git is there), a rename with another line edited, a chain of two renames, a delete.
    kinds = ["mv", "git-mv", "edit", "chain", "rm", "stay"]
    plan = {article_id: kinds[n % len(kinds)] for n, article_id in enumerate(decided)}
    moved: dict[str, str] = {}  # old id -> new id
    expected_old: dict[str, bytes] = {}  # new id -> the bytes before apply
    (root / "moved").mkdir()
    for article_id, kind in plan.items():
        folder, _, name = article_id.rpartition("/")
        data = original[article_id]
        if kind == "rm":
            (root / article_id).unlink()
            continue
        if kind == "stay":
            expected_old[article_id] = data
            continue
        new = {"mv": f"{folder}/renamed-{name}", "git-mv": f"moved/{name}",
               "edit": f"{folder}/edited-{name}", "chain": f"moved/twice-{name}"}[kind]
        if kind == "git-mv" and git:
            _git(root, "mv", article_id, new)
        elif kind == "chain":
            (root / article_id).rename(root / f"{folder}/once-{name}")
            (root / f"{folder}/once-{name}").rename(root / new)
        else:
            (root / article_id).rename(root / new)
        if kind == "edit":  # another line changes too: the decision follows by URL
            data = data.replace(b"\nBody of article", b"\nEdited body of article")
            (root / new).write_bytes(data)
        moved[article_id] = new
        expected_old[new] = data
    # Undecided files are renamed too: they gain no decision and no line.
    for article_id in [i for i in ids if i not in wanted][:6]:
        folder, _, name = article_id.rpartition("/")
        (root / article_id).rename(root / f"{folder}/plain-{name}")
    before = _files(root)
    gone = sorted(i for i, kind in plan.items() if kind == "rm")
    expected = {moved.get(i, i): decision for i, decision in wanted.items()}

    code, out, err = cli("apply", str(root), "--db", str(db))

    assert code == 1, (out, err)  # a decision whose file is gone is not a success
    for article_id in gone:
        action = ACTION[wanted[article_id][0]]
        assert f"not written: {article_id}: {action}: {GONE}\n" in out, out
    for old, new in moved.items():
        assert f"your decision followed its file to its new name: {old} -> {new} " in err, err
    after = _files(root)
    assert set(after) == set(before)
    damaged = []
    for article_id, data in after.items():
        was = expected_old.get(article_id, before[article_id])
        state = expected.get(article_id, (None, None))[0]
        if state is None:
            ok = data == before[article_id]  # undecided: not one byte changes
        else:
            ok = only_published_differs(was, data, VALUE[state])
        if not ok:
            damaged.append(article_id)
    counts.files += len(after)
    counts.damaged += len(damaged)
    assert damaged == [], damaged
    now = editor_decisions(db)
    lost = sum(now.get(i) != d for i, d in expected.items()) + len(set(now) - set(expected))
    counts.decisions += len(expected)
    counts.lost += lost
    counts.renames += len(moved)
    counts.deletes += len(gone)
    assert now == expected
    assert _replay_export(root, db) == expected

    code, out, _ = cli("check", str(root), "--db", str(db))
    assert code == 1
    listed = [line.split(": ")[0] for line in out.splitlines() if "file is gone" in line]
    assert sorted(listed) == gone
    code, out, _ = cli("apply", str(root), "--db", str(db))  # again: nothing new, still gone
    assert code == 1 and f"apply: 0 files written, {len(gone)} not\n" in out, out
    assert _files(root) == after


# -- a rename while a refresh walks the folder ----------------------------------------------


class StrandedDecision(AssertionError):
    """A decided file is there under a new name, and its decision is left under an old
    name and reported as gone."""


def _racing_walk(monkeypatch: pytest.MonkeyPatch, root: Path, kind: str) -> dict[str, str]:
    """Make the next walk of ROOT move one file at its first step: from a folder not walked
    yet into the root, walked already (`unseen`: the walk sees neither name), or the file
    just listed into another folder (`twice`: it sees both); returns {old: new} once done."""
    from reader.data.files.walk import iter_files as real
    from reader.data.index import index as index_module

    moved: dict[str, str] = {}

    def walk(top: Path, skipped: list[Problem], temps: list[str] | None = None
             ) -> Iterator[FileStat]:
        for stat in real(top, skipped, temps):
            if not moved:
                folder = stat.id.partition("/")[0]
                other = next(f"d{n}" for n in range(8) if f"d{n}" != folder)
                old = stat.id if kind == "twice" else sorted(
                    p.relative_to(top).as_posix() for p in (top / other).iterdir())[0]
                new = f"{other}/renamed.md" if kind == "twice" else "renamed.md"
                os.rename(top / old, top / new)
                moved[old] = new
            yield stat

    monkeypatch.setattr(index_module, "iter_files", walk)
    return moved


@pytest.mark.parametrize("kind", ["unseen", "twice"])
def test_a_rename_during_a_refresh_walk_keeps_its_decision(
    tmp_path: Path, counts: Counts, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    root = tmp_path / "cache"
    ids = make_corpus(root, 40)
    db = tmp_path / "data" / "decisions.db"
    wanted = _decide_all(root, db, ids)
    library = Library(root, db)
    try:
        with monkeypatch.context() as patch:
            moved = _racing_walk(patch, root, kind)
            library.refresh()  # the walk the rename races
        library.refresh()  # the next one finds the file under its new name
        gone = dict(library.gone_decisions())
    finally:
        library.close()
    [(old, new)] = moved.items()
    now = editor_decisions(db)
    counts.renames += 1
    counts.decisions += len(wanted)
    assert now.get(old, now.get(new)) == wanted[old], "the decision is nowhere"
    if now.get(new) != wanted[old]:
        raise StrandedDecision(f"{old} -> {new}: the decision stayed with {old}, "
                               f"reported as gone: {old in gone}")  # fmt: skip
    assert old not in gone


# -- during apply -------------------------------------------------------------------------

DURING_ROUNDS = 3
DURING_FILES = 240

APPLY_CLI = """
import io, sys
from reader.cli.main import run
from reader.config import Settings
from reader.data.library import Library

plan, refresh = Library.plan_apply, Library.refresh


def planning(self, *args, **kwargs):
    print("plan", flush=True)  # the mover starts now: the writes follow at once
    return plan(self, *args, **kwargs)


def refreshing(self, *args, **kwargs):
    print("refresh", flush=True)  # the mover hurries while the folder is walked
    return refresh(self, *args, **kwargs)


Library.plan_apply, Library.refresh = planning, refreshing
out = io.StringIO()
code = run(["apply", sys.argv[1], "--db", sys.argv[2]], Settings(), out)
sys.stdout.write(out.getvalue())
print(f"exit {code}", flush=True)
"""
"""The child: `newsreader apply`, saying "plan" as it plans its writes, "refresh" as it
walks the folder (first to open it, then to re-index what it wrote)."""


class Mover:
    """Renames and deletes decided files in a loop, on a thread, and remembers every name
    each file (known by its unique URL) has had."""

    def __init__(self, root: Path, ids: list[str], seed: int):
        """Move the files IDS below ROOT; each file's names start with its id."""
        self.root = root
        self.rng = random.Random(seed)
        self.names = {url_of((root / i).read_bytes()): [i] for i in ids}
        """URL -> every name the file had, the current one last."""
        self.deleted: set[str] = set()
        """The URLs of the files deleted."""
        self.renames = 0
        self.go = threading.Event()
        """Set when the apply starts to plan: the moves begin."""
        self.hurry = threading.Event()
        """Set while the apply walks the folder to re-index: the moves come faster."""
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def current(self, url: str) -> str | None:
        """The file's name now, or None when it was deleted."""
        return None if url in self.deleted else self.names[url][-1]

    def _run(self) -> None:
        """Wait for the word, then rename (85%) or delete a random decided file every few
        milliseconds until told to stop."""
        if not self.go.wait(60):
            return
        live = list(self.names)
        while not self.stop.is_set() and live:
            url = self.rng.choice(live)
            old = self.names[url][-1]
            if self.rng.random() < 0.15:
                (self.root / old).unlink()
                self.deleted.add(url)
                live.remove(url)
            else:
                new = f"d{self.rng.randrange(8)}/m{self.renames}-{old.rpartition('/')[2]}"
                os.rename(self.root / old, self.root / new)
                self.names[url].append(new)
                self.renames += 1
            pause = 0.0005 if self.hurry.is_set() else self.rng.uniform(0.001, 0.008)
            time.sleep(pause)


def _decide_all(root: Path, db: Path, ids: list[str]) -> Decided:
    """Decide every article so that each file has a line to write, as one step."""
    library = Library(root, db)
    try:
        library.refresh()
        items = []
        for n, article_id in enumerate(ids):
            # Jekyll publishes a file with no `published:` key: skip it, and the live ones.
            live = b"\npublished: false\n" not in (root / article_id).read_bytes()
            items.append((article_id, Decision.SKIPPED if live else Decision.PUBLISHED, f"r{n}"))
        library.store.decide_each(items)
    finally:
        library.close()
    return {i: (d.value, r) for i, d, r in items}


def _watch(proc: subprocess.Popen[bytes], mover: Mover, lines: list[str]) -> None:
    """Collect the child's lines, telling the mover when to start and when to hurry."""
    assert proc.stdout is not None
    for raw in proc.stdout:
        line = raw.decode().rstrip("\n")
        lines.append(line)
        if line == "plan":
            mover.go.set()
        elif line == "refresh" and mover.go.is_set():
            mover.hurry.set()


def _apply_while_moving(root: Path, db: Path, mover: Mover) -> str:
    """Run `newsreader apply` in a child while MOVER moves files; its output's last line."""
    proc = python(APPLY_CLI, str(root), str(db))
    lines: list[str] = []
    watcher = threading.Thread(target=_watch, args=(proc, mover, lines), daemon=True)
    watcher.start()
    mover.thread.start()
    try:
        proc.wait(timeout=120)
    finally:
        mover.stop.set()
        mover.go.set()
        mover.thread.join()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        watcher.join(5)
    errors = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    for stream in (proc.stdout, proc.stderr):
        if stream:
            stream.close()
    assert proc.returncode == 0 and lines[-1:] in (["exit 0"], ["exit 1"]), (lines, errors)
    assert "Traceback" not in errors, errors
    return lines[-1]


@pytest.mark.parametrize("round_", range(DURING_ROUNDS))
def test_renames_and_deletes_during_apply(tmp_path: Path, counts: Counts, round_: int) -> None:
    root = tmp_path / "cache"
    ids = make_corpus(root, DURING_FILES)
    db = tmp_path / "data" / "decisions.db"
    wanted = _decide_all(root, db, ids)
    original = {url_of(data): data for data in ((root / i).read_bytes() for i in ids)}
    first = {url_of((root / i).read_bytes()): i for i in ids}
    mover = Mover(root, ids, seed=700 + round_)
    _apply_while_moving(root, db, mover)
    assert mover.renames > 0, "the mover never ran during the apply"
    counts.renames += mover.renames
    counts.deletes += len(mover.deleted)
    assert temps(root) == [], "a write-back temporary was left behind"

    # Every file is its old bytes or differs only in its decided `published:` line, and
    # none is there twice (a rename racing a write must not bring the old name back).
    found: dict[str, list[str]] = {}
    damaged = []
    for article_id, data in _files(root).items():
        url = url_of(data)
        found.setdefault(url, []).append(article_id)
        if not only_published_differs(original[url], data, VALUE[wanted[first[url]][0]]):
            damaged.append(article_id)
    where = {url: mover.current(url) for url in original}
    twice = {url: names for url, names in found.items() if len(names) > 1}
    counts.files += sum(len(names) for names in found.values())
    counts.damaged += len(damaged) + len(twice)
    assert damaged == [] and twice == {}, (damaged, twice)
    assert {url: names[0] for url, names in found.items()} == {
        url: name for url, name in where.items() if name is not None
    }

    # Every decision is under its file's name now, or under a name it had, reported as gone.
    library = Library(root, db)
    try:
        library.refresh()
        gone = dict(library.gone_decisions())
    finally:
        library.close()
    now = editor_decisions(db)
    lost, stranded = [], []
    for url, first_id in first.items():
        decision, name = wanted[first_id], where[url]
        if name is not None and now.get(name) == decision:
            continue
        held = [n for n in mover.names[url] if n in gone and now.get(n) == decision]
        if len(held) != 1:
            lost.append(first_id)
        elif name is not None:
            stranded.append(f"{held[0]} (now {name})")
    extra = set(now) - {name for name in where.values() if name} - set(gone)
    counts.decisions += len(first)
    counts.lost += len(lost) + len(extra)
    assert lost == [] and extra == set(), (lost, extra)

    # Once nothing moves, one more apply writes every file left whose decision it knows.
    code, out, err = cli("apply", str(root), "--db", str(db))
    assert code == (1 if mover.deleted or stranded else 0), (out, err)
    held_by = {s.partition(" (now ")[2].rstrip(")") for s in stranded}
    for url, name in where.items():
        if name is not None and name not in held_by:
            data = (root / name).read_bytes()
            value = VALUE[wanted[first[url]][0]]
            assert data != original[url] and only_published_differs(original[url], data, value)
    if stranded:
        raise StrandedDecision(f"{len(stranded)} decisions left under an old name: {stranded}")

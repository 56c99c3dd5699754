"""reader.data.desk.sync with real git: a bare repository as the remote, clones of it each
with its own editor and store; decisions and syncs interleaved in every order agree in the
end, a conflict is seen everywhere and resolved once, nothing is lost when the remote
cannot be reached, claims travel, and two clones applying the same decisions agree."""

from __future__ import annotations

import itertools
import random
import shutil
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from reader.data import query
from reader.data.article import Decision
from reader.data.decisions.events import Event
from reader.data.desk.log import to_line
from reader.data.desk.sync import SyncError
from reader.data.library import Library
from tests.data.desk.gitdesk import (
    NEWS,
    Clone,
    article_ids,
    clone,
    git,
    isolate_git,
    make_remote,
    remote_log_ids,
    states,
)

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
PUB, SKIP, UND = Decision.PUBLISHED, Decision.SKIPPED, Decision.UNDECIDED
FIERCE = "000_603f865bca10b7c4.txt"  # published: false
MEDICAL = "001_38bcfbeb79dc117a.txt"  # published: true


@pytest.fixture(autouse=True)
def _no_global_git(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(monkeypatch)


@pytest.fixture
def remote(tmp_path: Path) -> Path:
    return make_remote(tmp_path)


@pytest.fixture
def opened() -> Iterator[ExitStack]:
    """Closes every Library a test opens through it."""
    with ExitStack() as stack:
        yield stack


def open_clones(remote: Path, base: Path, stack: ExitStack, *names: str
                ) -> list[tuple[Clone, Library]]:
    """Clones of the remote, one per name, each with its Library open."""
    found = []
    for name in names:
        made = clone(remote, base, name)
        library = made.open()
        stack.callback(library.close)
        found.append((made, library))
    return found


def synced(library: Library) -> None:
    """Sync, and insist that everything was exchanged."""
    result = library.sync()
    assert result.note is None, result.note
    assert result.problems == []


def picture(library: Library) -> tuple[dict[str, tuple[str, str | None]], dict[str, Any]]:
    """What a clone shows: every article's (state, reason), and each conflict's sides as
    (editor, state, reason), latest first."""
    conflicts = {i: [(s.editor, s.state, s.reason) for s in sides]
                 for i, sides in library.conflicts().items()}
    return states(library), conflicts


def random_step(rng: random.Random, library: Library, ids: list[str], who: str) -> None:
    """One thing an editor might do: decide (with or without a reason), undo, or redo."""
    roll = rng.random()
    if roll < 0.15 and library.can_undo():
        library.undo()
    elif roll < 0.2 and library.can_redo():
        library.redo()
    else:
        state = rng.choice([PUB, SKIP, UND])
        reason = rng.choice([None, f"{who} says so", "dup"])
        library.decide(rng.sample(ids, rng.randint(1, 2)), state, reason)


@pytest.mark.parametrize("names", [("ann", "bob"), ("ann", "bob", "cy")],
                         ids=["two-clones", "three-clones"])
def test_every_sync_order_ends_with_every_clone_showing_the_same(
    remote: Path, tmp_path: Path, opened: ExitStack, names: tuple[str, ...]
) -> None:
    """For each order of the clones, a round where each decides (or undoes) and then syncs
    in that order, the others deciding in between; after a final round of syncs every
    clone shows the same state and reason for every article and the same conflicts, and
    the remote holds every event each store made."""
    clones = open_clones(remote, tmp_path, opened, *names)
    ids = article_ids(clones[0][1])
    rng = random.Random(21)
    for order in itertools.permutations(range(len(clones))):
        for position, i in enumerate(order):
            made, library = clones[i]
            random_step(rng, library, ids, made.name)
            synced(library)
            later = order[position + 1:]  # someone decides while others sync
            if later:
                other = clones[rng.choice(later)]
                random_step(rng, other[1], ids, other[0].name)
    for _, library in clones * 2:  # the first ones need the last ones' pushes too
        synced(library)
    pictures = [picture(library) for _, library in clones]
    assert all(p == pictures[0] for p in pictures[1:]), pictures
    on_remote = {i for log in remote_log_ids(remote).values() for i in log}
    for _, library in clones:
        own = {r[0] for r in library.store.conn.execute("SELECT id FROM events WHERE own = 1")}
        assert own <= on_remote
        assert library.store.unshared_events() == []
    for log in remote_log_ids(remote).values():
        assert len(log) == len(set(log)), "an event written twice into one log"


def test_a_conflict_is_seen_in_every_clone_and_one_resolution_ends_it_for_all(
    remote: Path, tmp_path: Path, opened: ExitStack
) -> None:
    """Ann publishes and Bob skips one article apart: after syncs each of the three clones
    lists it as a conflict with both sides (apply refuses it); Cy decides it once, and
    after syncs nobody has a conflict and all show Cy's decision."""
    clones = open_clones(remote, tmp_path, opened, "ann", "bob", "cy")
    (_, ann), (_, bob), (_, cy) = clones
    ann.decide([FIERCE], PUB, "big")
    bob.decide([FIERCE], SKIP, "paywall")
    for library in (ann, bob, cy, ann):
        synced(library)
    for _, library in clones:
        sides = library.conflicts()[FIERCE]
        assert sorted((s.editor or "", s.state or "") for s in sides) == [
            ("Ann <ann@example.com>", "published"), ("Bob <bob@example.com>", "skipped")]
        skipped = {s.id: s.code for s in library.plan_apply().skipped}
        assert skipped.get(FIERCE) == "conflict"
    cy.decide([FIERCE], UND, "ask the desk")
    for library in (cy, ann, bob):
        synced(library)
    for _, library in clones:
        assert library.conflicts() == {}
        assert (library.decision(FIERCE), library.reason(FIERCE)) == (UND, "ask the desk")
        assert library.decided_by()[FIERCE][0] == "Cy <cy@example.com>"


def test_an_undo_travels_as_a_new_event(remote: Path, tmp_path: Path,
                                        opened: ExitStack) -> None:
    """Ann decides and syncs, Bob takes it; Ann undoes and syncs: her log grows by one
    event (nothing rewritten) and Bob's clone follows the file again."""
    (_, ann), (_, bob) = [c for c in open_clones(remote, tmp_path, opened, "ann", "bob")]
    ann.decide([MEDICAL], SKIP, "old")
    synced(ann)
    synced(bob)
    assert bob.decision(MEDICAL) is SKIP
    before = remote_log_ids(remote)["ann-at-example.com.jsonl"]
    assert ann.undo() is not None
    synced(ann)
    after = remote_log_ids(remote)["ann-at-example.com.jsonl"]
    assert after[: len(before)] == before and len(after) == len(before) + 1
    synced(bob)
    assert (bob.decision(MEDICAL), bob.reason(MEDICAL)) == (PUB, None)  # its file says true
    assert MEDICAL not in bob.decided_by()
    assert bob.conflicts() == {}


def test_an_unreachable_remote_keeps_every_decision_until_it_is_back(
    remote: Path, tmp_path: Path, opened: ExitStack
) -> None:
    """With the remote's URL pointing nowhere, sync says why (note set) and keeps the
    decisions, committed in the clone; once the URL is fixed, a sync shares them all."""
    ((ann_clone, ann),) = open_clones(remote, tmp_path, opened, "ann")
    ann_clone.git("remote", "set-url", "origin", str(tmp_path / "gone.git"))
    ann.decide([FIERCE], PUB)
    ann.decide([MEDICAL], SKIP, "old")
    result = ann.sync()
    assert result.note is not None and "cannot reach origin" in result.note
    assert not result.pushed and result.shared == 2 and result.commit is not None
    assert ann.decision(FIERCE) is PUB and ann.reason(MEDICAL) == "old"
    assert remote_log_ids(remote) == {}
    ann.decide([FIERCE], SKIP)
    assert ann.sync().note is not None
    ann_clone.git("remote", "set-url", "origin", str(remote))
    again = ann.sync()
    assert again.note is None and again.pushed
    (log,) = remote_log_ids(remote).values()
    assert len(log) == 3
    ((_, bob),) = open_clones(remote, tmp_path, opened, "bob")
    synced(bob)
    assert picture(bob) == picture(ann)


def test_no_remote_at_all_is_a_note_and_the_decisions_stay_committed(
    tmp_path: Path, opened: ExitStack
) -> None:
    """A repository with no remote: the log is committed here, the note says there is no
    remote and how to add one."""
    top = tmp_path / "site"
    shutil.copytree(Path(__file__).resolve().parents[3] / "seeds", top / NEWS)
    git(top, "init", "-q", "-b", "main")
    git(top, "config", "user.name", "Solo")
    git(top, "config", "user.email", "solo@example.com")
    git(top, "add", ".")
    git(top, "commit", "-q", "-m", "articles")
    library = Library(top / NEWS, tmp_path / "d.db")
    opened.callback(library.close)
    library.refresh()
    library.decide([FIERCE], PUB)
    result = library.sync()
    assert result.note is not None and "no remote" in result.note
    assert "git remote add" in result.note
    assert result.commit is not None and not result.pushed
    assert git(top, "status", "--porcelain") == ""
    assert "solo-at-example.com.jsonl" in git(top, "show", "--stat", "HEAD")


def test_a_folder_outside_a_work_tree_is_a_sync_error(tmp_path: Path,
                                                     opened: ExitStack) -> None:
    """No git work tree at all: a SyncError, and the decision is still in the store."""
    folder = tmp_path / "plain"
    shutil.copytree(Path(__file__).resolve().parents[3] / "seeds", folder)
    library = Library(folder, tmp_path / "d.db")
    opened.callback(library.close)
    library.refresh()
    library.decide([FIERCE], PUB)
    with pytest.raises(SyncError, match=r"nothing was synced|not inside a git work tree"):
        library.sync()
    assert library.decision(FIERCE) is PUB
    assert len(library.store.unshared_events()) == 1


def test_claims_travel_and_the_other_editor_sees_them(remote: Path, tmp_path: Path,
                                                      opened: ExitStack) -> None:
    """Ann claims the next two undecided articles; after her sync and Bob's, Bob's
    `query.claimed` names Ann on exactly those two; her release travels the same way."""
    (_, ann), (_, bob) = open_clones(remote, tmp_path, opened, "ann", "bob")
    undecided = [r.id for r in query.rows(ann, query.Filter(UND))][:2]
    assert len(undecided) == 2
    claim = ann.claim(ann.now().replace(year=ann.now().year + 1), undecided)
    synced(ann)
    synced(bob)
    assert query.claimed(bob) == dict.fromkeys(undecided, "Ann <ann@example.com>")
    assert query.claimed(ann) == {}  # her own claim, not another's
    assert ann.release([claim.event])
    synced(ann)
    synced(bob)
    assert query.claimed(bob) == {}


def files(root: Path) -> dict[str, bytes]:
    """Every file's bytes under `root`, by path."""
    return {p.relative_to(root).as_posix(): p.read_bytes()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("commit", [True, False], ids=["apply-commit", "apply-uncommitted"])
def test_two_clones_applying_the_same_decisions_write_the_same_bytes(
    remote: Path, tmp_path: Path, opened: ExitStack, commit: bool
) -> None:
    """Ann decides, both clones sync and agree, each applies: the article files are the
    same bytes in both, and syncs afterwards rebase cleanly (no note) onto each other."""
    (ann_clone, ann), (bob_clone, bob) = open_clones(remote, tmp_path, opened, "ann", "bob")
    ann.decide([FIERCE], PUB)
    ann.decide([MEDICAL], SKIP, "old")
    bob.decide(["004_82dd85211220d7b2.txt"], PUB)
    for library in (ann, bob, ann):
        synced(library)
    assert picture(ann) == picture(bob)
    before = files(ann.root)
    for library in (ann, bob):
        plan = library.plan_apply()
        assert plan.skipped == []
        assert len(library.apply(plan.edits, commit=commit).written) == 3
    assert files(ann.root) == files(bob.root) != before
    for library in (ann, bob, ann):
        synced(library)
    assert files(ann.root) == files(bob.root)
    for made in (ann_clone, bob_clone):
        assert not (made.top / ".git" / "rebase-merge").exists()
        assert "UU " not in made.git("status", "--porcelain")
    if commit:
        assert ann_clone.git("rev-parse", "HEAD") == bob_clone.git("rev-parse", "HEAD")
        assert ann_clone.git("status", "--porcelain") == ""


def test_a_whole_line_left_without_its_newline_is_shared_again(
    remote: Path, tmp_path: Path, opened: ExitStack
) -> None:
    """A sync killed as it wrote its line, after the JSON but before the newline, left the
    event unmarked in the store: the next sync cuts that line and writes it again, so
    the remote has the event (not lost because the line looked whole)."""
    ((ann_clone, ann),) = open_clones(remote, tmp_path, opened, "ann")
    ann.decide([FIERCE], PUB)
    (event,) = ann.store.unshared_events()
    log = ann_clone.top / ".newsreader" / "decisions" / "ann-at-example.com.jsonl"
    log.parent.mkdir(parents=True)
    log.write_bytes(to_line(replace(event, editor="Ann <ann@example.com>"),
                            f"{NEWS}/{FIERCE}").rstrip(b"\n"))
    synced(ann)
    assert remote_log_ids(remote) == {"ann-at-example.com.jsonl": [event.id]}


def test_a_hostile_path_in_another_log_decides_nothing_outside(
    remote: Path, tmp_path: Path, opened: ExitStack
) -> None:
    """A log line naming `_news/../outside.txt` (or an absolute path, or a path with an
    empty or `.` step) is a problem of that line, read as no event: no decision is made
    of it, and apply writes nothing outside the folder."""
    (mal_clone, _), (_, bob) = open_clones(remote, tmp_path, opened, "mal", "bob")
    outside = mal_clone.top / "outside.txt"
    outside.write_text("---\ntitle: x\npublished: false\n---\n")
    lines = b"".join(
        to_line(ev, ev.article) for ev in [
            _decide("h1", f"{NEWS}/../outside.txt"), _decide("h2", "/etc/passwd"),
            _decide("h3", f"{NEWS}//{FIERCE}"), _decide("h4", f"{NEWS}/./{FIERCE}")])
    log = mal_clone.top / ".newsreader" / "decisions" / "mal.jsonl"
    log.parent.mkdir(parents=True)
    log.write_bytes(lines)
    mal_clone.git("add", ".")
    mal_clone.git("commit", "-q", "-m", "hostile")
    mal_clone.git("push", "-q", "origin", "HEAD:main")
    result = bob.sync()
    assert result.note is None
    assert [(p.path, p.field) for p in result.problems] == [
        (".newsreader/decisions/mal.jsonl", f"line {n}") for n in (1, 2, 3, 4)]
    assert all("not a plain relative path" in p.why for p in result.problems)
    assert result.received == 0 and bob.decided_by() == {}
    seen = (tmp_path / "bob" / "outside.txt").read_bytes()
    plan = bob.plan_apply()
    assert plan.edits == [] and plan.skipped == []
    bob.apply(plan.edits)
    assert (tmp_path / "bob" / "outside.txt").read_bytes() == seen


def _decide(event_id: str, article: str) -> Event:
    """Another editor's decision to publish `article`, by path."""
    return Event(event_id, "2026-03-01T10:00:00.000+00:00", "Mal", "decide", article,
                 "published", None, ())



def edit_two_articles(ann_clone: Clone, ann: Library) -> tuple[Path, Path]:
    """Ann edits FIERCE and stages it, and edits MEDICAL without staging it."""
    staged, loose = ann.root / FIERCE, ann.root / MEDICAL
    staged.write_bytes(staged.read_bytes() + b"\nstaged note\n")
    ann_clone.git("add", "--", f"{NEWS}/{FIERCE}")
    loose.write_bytes(loose.read_bytes() + b"\nloose note\n")
    return staged, loose


def test_a_sync_commits_only_my_log_and_keeps_the_editors_own_changes(
    remote: Path, tmp_path: Path, opened: ExitStack
) -> None:
    """Ann has articles edited by hand (not staged) when a sync must rebase onto Bob's
    push: her commit holds her log alone, and both edits are still in the work tree
    afterwards."""
    (ann_clone, ann), (_, bob) = open_clones(remote, tmp_path, opened, "ann", "bob")
    bob.decide([MEDICAL], SKIP)
    synced(bob)
    staged, loose = edit_two_articles(ann_clone, ann)
    ann_clone.git("restore", "--staged", "--", f"{NEWS}/{FIERCE}")
    ann.decide([FIERCE], PUB)
    result = ann.sync()
    assert result.note is None and result.commit is not None
    committed = ann_clone.git("show", "--name-only", "--format=", "HEAD").split()
    assert committed == [".newsreader/decisions/ann-at-example.com.jsonl"]
    status = ann_clone.git("status", "--porcelain").splitlines()
    assert sorted(line[3:] for line in status) == [f"{NEWS}/{FIERCE}", f"{NEWS}/{MEDICAL}"]
    assert staged.read_bytes().endswith(b"\nstaged note\n")
    assert loose.read_bytes().endswith(b"\nloose note\n")
    assert ann.decision(MEDICAL) is SKIP


def test_a_sync_that_must_rebase_over_staged_changes_leaves_them_and_says_so(
    remote: Path, tmp_path: Path, opened: ExitStack
) -> None:
    """A rebase's autostash would give staged changes back unstaged: with changes staged
    and new commits on the remote, sync commits my log, touches git's index not at all,
    and says what to do; once they are committed, the next sync goes through."""
    (ann_clone, ann), (_, bob) = open_clones(remote, tmp_path, opened, "ann", "bob")
    bob.decide([MEDICAL], SKIP)
    synced(bob)
    edit_two_articles(ann_clone, ann)
    ann.decide([FIERCE], PUB)
    result = ann.sync()
    assert result.note is not None and "staged changes" in result.note
    assert result.commit is not None and not result.pushed
    status = ann_clone.git("status", "--porcelain").splitlines()
    assert sorted(status) == [f" M {NEWS}/{MEDICAL}", f"M  {NEWS}/{FIERCE}"]
    ann_clone.git("commit", "-q", "-m", "by hand")
    synced(ann)
    assert ann.decision(MEDICAL) is SKIP


def _dead_pid() -> int:
    """The id of a process that has exited."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    return int(done.stdout)


def test_a_sync_killed_with_its_git_leaves_nothing_in_the_way(
    remote: Path, tmp_path: Path, opened: ExitStack
) -> None:
    """A sync killed with its git (a power cut) leaves its lock, git's lock files (the
    index's, a ref's, CHERRY_PICK_HEAD's) and a pick cut short: the next sync clears what
    its dead process left and goes through; a cherry-pick the editor started is refused."""
    (ann_clone, ann), (_, bob) = open_clones(remote, tmp_path, opened, "ann", "bob")
    bob.decide([MEDICAL], SKIP)
    synced(bob)
    ann.decide([FIERCE], PUB)
    git_dir = ann_clone.top / ".git"
    (git_dir / "newsreader-sync").write_text(f"{_dead_pid()}\n")
    head = ann_clone.git("rev-parse", "HEAD").strip()
    for left in ("index.lock", "CHERRY_PICK_HEAD.lock", "refs/heads/main.lock"):
        (git_dir / left).write_text("")
    (git_dir / "CHERRY_PICK_HEAD").write_text(f"{head}\n")
    synced(ann)
    assert not list(git_dir.glob("*.lock")) and not (git_dir / "CHERRY_PICK_HEAD").exists()
    assert ann.decision(MEDICAL) is SKIP and bob.sync().changed == [FIERCE]
    (git_dir / "CHERRY_PICK_HEAD").write_text(f"{head}\n")  # the editor's own, no dead sync
    with pytest.raises(SyncError, match="a cherry-pick is under way"):
        ann.sync()


def test_a_sync_killed_while_aborting_a_killed_rebase_leaves_nothing_in_the_way(
    remote: Path, tmp_path: Path, opened: ExitStack
) -> None:
    """A sync killed while it aborted the rebase of a sync killed before it: the branch is
    back, but the rebase's folder is half removed and `git rebase --abort` fails on it. The
    next sync removes it and goes through."""
    (ann_clone, ann), (_, bob) = open_clones(remote, tmp_path, opened, "ann", "bob")
    bob.decide([MEDICAL], SKIP)
    synced(bob)
    ann.decide([FIERCE], PUB)
    git_dir = ann_clone.top / ".git"
    (git_dir / "newsreader-sync").write_text(f"{_dead_pid()}\n")
    (git_dir / "rebase-merge").mkdir()  # what an abort cut short left: its folder, empty
    with pytest.raises(AssertionError, match="rebase --abort"):
        ann_clone.git("rebase", "--abort")
    synced(ann)
    assert not (git_dir / "rebase-merge").exists()
    assert ann.decision(MEDICAL) is SKIP and bob.sync().changed == [FIERCE]

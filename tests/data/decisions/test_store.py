"""reader.data.decisions.store:
Decisions, the journal, undo and redo, seeding, damage, and SIGKILL."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.data import query
from reader.data.article import Decision
from reader.data.decisions.dbfile import DamagedStoreError, StoreError
from reader.data.decisions.store import FileWrite, TriageStore
from reader.data.library import Library

REPO = Path(__file__).resolve().parents[3]
PUB, SKIP, UND = Decision.PUBLISHED, Decision.SKIPPED, Decision.UNDECIDED


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "decisions.db"


@pytest.fixture
def store(db: Path) -> Iterator[TriageStore]:
    s = TriageStore(db)
    yield s
    s.close()


def journal_size(store: TriageStore) -> int:
    return len(list(store.journal()))


# -- deciding ----------------------------------------------------------------------------


def test_unknown_id_is_undecided(store: TriageStore) -> None:
    assert store.decision("never-heard-of.md") is UND
    assert store.reason("never-heard-of.md") is None
    assert store.is_empty()
    assert not store.can_undo() and not store.can_redo()


@pytest.mark.parametrize("decision", [PUB, SKIP, UND], ids=["publish", "skip", "clear"])
def test_decide_is_idempotent(store: TriageStore, decision: Decision) -> None:
    batch = store.decide(["a.md"], decision)
    assert batch is not None
    assert store.decision("a.md") is decision
    size = journal_size(store)
    assert store.decide(["a.md"], decision) is None
    assert journal_size(store) == size
    assert store.decision("a.md") is decision


def test_decide_with_reason(store: TriageStore) -> None:
    assert store.decide(["a.md"], SKIP, "duplicate") is not None
    assert store.reason("a.md") == "duplicate"
    assert store.decide(["a.md"], SKIP, "duplicate") is None
    assert store.decide(["a.md"], SKIP, "off topic") is not None  # a new reason is a change
    assert store.reason("a.md") == "off topic"
    store.undo()
    assert store.reason("a.md") == "duplicate"


def test_decide_nothing(store: TriageStore) -> None:
    assert store.decide([], PUB) is None
    assert journal_size(store) == 0
    assert not store.can_undo()


def test_publish_skip_clear_sequence(store: TriageStore) -> None:
    for decision in (PUB, SKIP, UND, PUB):
        assert store.decide(["a.md"], decision) is not None
        assert store.decision("a.md") is decision
    entries = list(store.journal())
    assert [(e.old_state, e.new_state) for e in entries] == [
        (None, "published"),
        ("published", "skipped"),
        ("skipped", "undecided"),
        ("undecided", "published"),
    ]
    assert all(e.kind == "decide" and e.id == "a.md" for e in entries)


def test_bulk_decide_is_one_batch_undone_as_one_step(store: TriageStore) -> None:
    store.decide(["c.md"], SKIP)
    ids = [f"{i:03d}.md" for i in range(50)]
    batch = store.decide([*ids, "c.md", ids[0]], PUB)  # a repeat and an already-decided id
    assert batch is not None
    entries = [e for e in store.journal() if e.batch == batch]
    assert [e.id for e in entries] == [*ids, "c.md"]
    assert all(store.decision(i) is PUB for i in ids)
    change = store.undo()
    assert change is not None and set(change.ids) == {*ids, "c.md"}
    assert all(store.decision(i) is UND for i in ids)
    assert store.decision("c.md") is SKIP
    assert store.can_undo()  # the first decision is still there
    change = store.redo()
    assert change is not None and len(change.ids) == 51
    assert all(store.decision(i) is PUB for i in [*ids, "c.md"])


def test_bulk_decide_leaves_unchanged_ids_out(store: TriageStore) -> None:
    store.decide(["a.md"], PUB)
    batch = store.decide(["a.md", "b.md"], PUB)
    assert [e.id for e in store.journal() if e.batch == batch] == ["b.md"]
    store.undo()
    assert store.decision("a.md") is PUB and store.decision("b.md") is UND


# -- undo and redo -----------------------------------------------------------------------


def test_multi_level_undo_then_redo(store: TriageStore) -> None:
    steps = [("a.md", PUB), ("b.md", SKIP), ("a.md", SKIP), ("c.md", PUB)]
    for article_id, decision in steps:
        store.decide([article_id], decision)
    history = [
        {"a.md": SKIP, "b.md": SKIP, "c.md": PUB},
        {"a.md": SKIP, "b.md": SKIP, "c.md": UND},
        {"a.md": PUB, "b.md": SKIP, "c.md": UND},
        {"a.md": PUB, "b.md": UND, "c.md": UND},
        {"a.md": UND, "b.md": UND, "c.md": UND},
    ]

    def state() -> dict[str, Decision]:
        return {i: store.decision(i) for i in ("a.md", "b.md", "c.md")}

    assert state() == history[0]
    for expected in history[1:]:
        assert store.undo() is not None
        assert state() == expected
    assert store.undo() is None
    assert not store.can_undo() and store.can_redo()
    for expected in reversed(history[:-1]):
        assert store.redo() is not None
        assert state() == expected
    assert store.redo() is None
    assert not store.can_redo() and store.can_undo()


def test_undo_and_redo_report_their_ids(store: TriageStore) -> None:
    store.decide(["a.md", "b.md"], PUB)
    undone = store.undo()
    assert undone is not None and set(undone.ids) == {"a.md", "b.md"}
    redone = store.redo()
    assert redone is not None and set(redone.ids) == {"a.md", "b.md"}
    kinds = [e.kind for e in store.journal()]
    assert kinds == ["decide", "decide", "undo", "undo", "redo", "redo"]


def test_a_new_decision_after_undo_drops_the_redo_stack(store: TriageStore) -> None:
    store.decide(["a.md"], PUB)
    store.decide(["b.md"], PUB)
    store.undo()
    assert store.can_redo()
    store.decide(["c.md"], SKIP)
    assert not store.can_redo()
    assert store.redo() is None
    assert store.decision("b.md") is UND
    assert store.undo() is not None and store.decision("c.md") is UND
    assert store.undo() is not None and store.decision("a.md") is UND
    assert store.undo() is None


def test_an_idempotent_decide_keeps_the_redo_stack(store: TriageStore) -> None:
    store.decide(["a.md"], PUB)
    store.decide(["b.md"], PUB)
    store.undo()
    assert store.decide(["a.md"], PUB) is None  # nothing changed, so nothing is dropped
    assert store.can_redo()


def test_undo_redo_across_a_reopened_store(db: Path) -> None:
    first = TriageStore(db)
    first.decide(["a.md"], PUB)
    first.decide(["b.md"], SKIP)
    first.decide(["c.md"], PUB)
    first.undo()
    first.close()

    second = TriageStore(db)
    assert second.decision("c.md") is UND
    assert second.can_redo()
    assert second.redo() is not None and second.decision("c.md") is PUB
    assert second.undo() is not None
    assert second.undo() is not None and second.decision("b.md") is UND
    second.close()

    third = TriageStore(db)
    assert third.redo() is not None and third.decision("b.md") is SKIP
    assert third.decision("a.md") is PUB and third.decision("c.md") is UND
    third.close()


# -- seeding from the files --------------------------------------------------------------


def test_seed_gives_the_file_state_to_new_ids(store: TriageStore) -> None:
    store.seed([("a.md", PUB), ("b.md", UND)])
    assert store.decision("a.md") is PUB and store.decision("b.md") is UND
    assert not store.is_empty()
    assert journal_size(store) == 0  # nobody decided
    assert not store.can_undo()


def test_seed_follows_a_changed_file_for_never_decided_ids(store: TriageStore) -> None:
    store.seed([("a.md", PUB)])
    store.seed([("a.md", UND)])
    assert store.decision("a.md") is UND
    store.seed([("a.md", PUB)])
    assert store.decision("a.md") is PUB


@pytest.mark.parametrize("editor", [PUB, SKIP, UND], ids=["published", "skipped", "cleared"])
@pytest.mark.parametrize("file", [PUB, UND], ids=["file-published", "file-undecided"])
def test_seed_never_overrides_an_editor_decision(
    store: TriageStore, editor: Decision, file: Decision
) -> None:
    store.seed([("a.md", file)])
    store.decide(["a.md"], editor)
    for later in (PUB, UND, PUB):
        store.seed([("a.md", later)])
        assert store.decision("a.md") is editor


def test_deciding_the_file_state_is_still_an_editor_decision(store: TriageStore) -> None:
    store.seed([("a.md", PUB)])
    assert store.decide(["a.md"], PUB) is not None  # now the editor's, not the file's
    store.seed([("a.md", UND)])
    assert store.decision("a.md") is PUB


def test_undo_of_a_first_decision_restores_the_seeded_state(store: TriageStore) -> None:
    store.seed([("a.md", PUB), ("b.md", UND)])
    store.decide(["a.md", "b.md"], SKIP)
    store.undo()
    assert store.decision("a.md") is PUB and store.decision("b.md") is UND
    store.seed([("a.md", UND)])  # and they follow their files again
    assert store.decision("a.md") is UND


def test_undo_of_a_first_decision_without_seed_forgets_the_id(store: TriageStore) -> None:
    store.decide(["a.md"], SKIP)
    store.undo()
    assert store.decision("a.md") is UND
    assert "a.md" not in store.states()
    assert store.is_empty()


def test_undo_follows_a_file_that_changed_since_the_decision(tmp_path: Path) -> None:
    root = tmp_path / "cache"
    root.mkdir()
    article = root / "a.md"
    article.write_text("---\ntitle: A\npublished: false\n---\n")
    lib = Library(root, tmp_path / "db" / "decisions.db")
    try:
        lib.refresh()
        lib.store.decide(["a.md"], SKIP)
        article.write_text("---\ntitle: A\npublished: true\n---\n")
        st = article.stat()
        os.utime(article, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))
        assert lib.refresh().changed == ["a.md"]
        assert query.rows(lib)[0].state is SKIP  # the editor's decision stands
        lib.undo()
        assert query.rows(lib)[0].state is PUB  # undone: it follows its file again
    finally:
        lib.close()


# -- two stores, one file ----------------------------------------------------------------


def test_two_stores_on_one_file_both_write_and_both_see_all(db: Path) -> None:
    one, two = TriageStore(db), TriageStore(db)
    try:
        for i in range(20):
            (one if i % 2 else two).decide([f"{i:02d}.md"], PUB if i % 3 else SKIP)
        want = {f"{i:02d}.md": PUB if i % 3 else SKIP for i in range(20)}
        assert one.states() == want
        assert two.states() == want
        one.decide(["00.md"], PUB)
        assert two.decision("00.md") is PUB
        assert journal_size(one) == journal_size(two) == 21
    finally:
        one.close()
        two.close()


def test_two_stores_in_threads(db: Path) -> None:
    TriageStore(db).close()
    errors: list[BaseException] = []

    def work(prefix: str) -> None:
        s = TriageStore(db)
        try:
            for i in range(50):
                s.decide([f"{prefix}-{i}"], PUB)
        except BaseException as error:  # reported below
            errors.append(error)
        finally:
            s.close()

    threads = [threading.Thread(target=work, args=(p,)) for p in "abc"]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    final = TriageStore(db)
    try:
        assert len(final.states()) == 150
    finally:
        final.close()


# -- damage ------------------------------------------------------------------------------


def _other_app_database(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE decisions (x INTEGER)")
    conn.execute("INSERT INTO decisions VALUES (1)")
    conn.commit()
    conn.close()


def _newer_schema(path: Path) -> None:
    TriageStore(path).close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 99")
    conn.commit()
    conn.close()


def _corrupt_pages(path: Path) -> None:
    store = TriageStore(path)
    store.decide([f"{i:04d}.md" for i in range(400)], PUB, "x" * 50)
    store.close()
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    data = bytearray(path.read_bytes())
    noise = random.Random(7).randbytes(len(data) - 8192)
    data[8192:] = noise  # page 1 (the schema) survives; the rows do not
    path.write_bytes(bytes(data))


GARBAGE = [
    pytest.param(b"this is not a database\n" * 100, None, id="text"),
    pytest.param(
        b"SQLite format 3\x00" + random.Random(1).randbytes(8000), None, id="header-noise"
    ),
    pytest.param(b"SQLite format 3\x00" + bytes(4080), None, id="header-zeros"),
    pytest.param(random.Random(2).randbytes(4096), None, id="binary"),
    pytest.param(b'{"decisions": []}', None, id="json"),
    pytest.param(b"gg", None, id="two-bytes"),
    pytest.param(None, _newer_schema, id="newer-schema"),
    pytest.param(
        b"g",
        None,
        id="one-byte",
    ),
    pytest.param(
        None,
        _other_app_database,
        id="another-apps-database",
    ),
    pytest.param(
        None,
        _corrupt_pages,
        id="corrupt-data-pages",
    ),
]


@pytest.mark.parametrize(("garbage", "make"), GARBAGE)
def test_a_garbage_decisions_file_is_refused_and_kept(
    db: Path, garbage: bytes | None, make: object
) -> None:
    db.parent.mkdir(parents=True, exist_ok=True)
    if garbage is not None:
        db.write_bytes(garbage)
    else:
        make(db)  # type: ignore[operator]
    before = db.read_bytes()
    with pytest.raises(StoreError) as raised:
        store = TriageStore(db)
        try:  # a store that opened must still refuse to be used
            store.states()
            store.decide(["a.md"], PUB)
        finally:
            store.close()
    assert str(db) in str(raised.value)
    if make in (_newer_schema, _other_app_database):  # not damaged, just not ours to use
        assert db.read_bytes() == before, "the decisions file was changed"
        return
    # Damaged: set aside beside itself, byte for byte, and the user is told where.
    assert isinstance(raised.value, DamagedStoreError)
    aside = raised.value.aside
    assert aside is not None and aside.parent == db.parent
    assert aside.name.startswith("decisions.db.damaged-")
    assert str(aside) in str(raised.value)
    assert aside.read_bytes() == before, "the damaged decisions file was changed"
    assert not db.exists(), "the damaged file is still where the next start would use it"


def test_an_empty_file_is_a_new_store(db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"")
    store = TriageStore(db)
    try:
        assert store.is_empty()
        store.decide(["a.md"], PUB)
    finally:
        store.close()
    assert TriageStore(db).decision("a.md") is PUB


def test_a_locked_store_says_so(db: Path) -> None:
    TriageStore(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        store = TriageStore(db, timeout=0.1)
        with pytest.raises(StoreError):
            store.decide(["a.md"], PUB)
    except StoreError:
        pass  # refusing to open at all is as good
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    reopened = TriageStore(db)
    try:
        assert reopened.decision("a.md") is UND  # nothing half-written
    finally:
        reopened.close()


# -- SIGKILL -----------------------------------------------------------------------------

KILL_SCRIPT = """
import sys
from pathlib import Path
from reader.data.article import Decision
from reader.data.decisions.store import TriageStore

store = TriageStore(Path(sys.argv[1]))
states = (Decision.PUBLISHED, Decision.SKIPPED)
i = 0
while True:
    if i % 10 == 9:  # a bulk step now and then, acknowledged id by id once it returns
        ids = [f"kill-{i:06d}-{k}" for k in range(3)]
        store.decide(ids, states[i % 2], f"reason {i}")
    else:
        ids = [f"kill-{i:06d}"]
        store.decide(ids, states[i % 2], f"reason {i}")
    if i % 7 == 6:  # an undo of a throwaway step keeps the journal busy
        store.decide([f"throwaway-{i}"], Decision.SKIPPED)
        store.undo()
    for article_id in ids:
        sys.stdout.write(f"{article_id} {states[i % 2].value} reason {i}\\n")
    sys.stdout.flush()
    i += 1
"""
KILLS = 20


def _kill_once(db: Path, wanted: int) -> tuple[int, int]:
    """Run the writer, SIGKILL it after WANTED acknowledgements; return (acked, lost)."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    proc = subprocess.Popen(
        [sys.executable, "-c", KILL_SCRIPT, str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=env,
    )
    watchdog = threading.Timer(120, proc.kill)
    watchdog.start()
    acked: dict[str, tuple[str, str]] = {}
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            article_id, state, reason = line.decode().rstrip("\n").split(" ", 2)
            acked[article_id] = (state, reason)
            if len(acked) >= wanted:
                break
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        watchdog.cancel()
        proc.wait()
        stderr = proc.stderr.read().decode() if proc.stderr else ""
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    assert len(acked) >= wanted, f"the writer stopped early: {stderr}"
    assert proc.returncode == -signal.SIGKILL
    store = TriageStore(db)
    try:
        lost = [
            i
            for i, (state, reason) in acked.items()
            if store.decision(i).value != state or store.reason(i) != reason
        ]
    finally:
        store.close()
    return len(acked), len(lost)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")
def test_no_acknowledged_decision_is_lost_to_sigkill(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rng = random.Random(20240517)
    total_acked = total_lost = 0
    for k in range(KILLS):
        db = tmp_path / f"kill-{k:02d}" / "decisions.db"
        acked, lost = _kill_once(db, rng.randint(20, 300))
        total_acked += acked
        total_lost += lost
        assert lost == 0, f"kill {k + 1}: {lost} of {acked} acknowledged decisions lost"
    with capsys.disabled():
        print(
            f"\nkill test: {KILLS} kills, {total_acked:,} acknowledged decisions checked, "
            f"{total_lost} lost"
        )
    assert total_lost == 0


def test_a_killed_store_reopens_and_keeps_working(tmp_path: Path) -> None:
    if not hasattr(signal, "SIGKILL"):
        pytest.skip("needs SIGKILL (POSIX)")
    db = tmp_path / "decisions.db"
    _kill_once(db, 50)
    store = TriageStore(db)
    try:
        before = len(store.states())
        assert store.can_undo()
        assert store.decide(["after-the-kill.md"], PUB) is not None
        assert store.undo() is not None and store.decision("after-the-kill.md") is UND
        assert len(store.states()) == before
    finally:
        store.close()


def test_a_second_store_in_this_process_keeps_the_first_ones_locks(db: Path) -> None:
    """The app's workers open their own store beside the main one. Closing any descriptor of
    a file drops every POSIX lock the process holds on it; were the second open to read the
    file outside SQLite, another process closing last would believe itself alone, checkpoint
    and delete the WAL under the main connection ("database disk image is malformed")."""
    first = TriageStore(db)
    try:
        first.decide(["a.md"], PUB)
        TriageStore(db).close()  # what a worker thread does
        other = (
            "import sys; from pathlib import Path\n"
            "from reader.data.decisions.store import TriageStore\n"
            "from reader.data.article import Decision\n"
            "s = TriageStore(Path(sys.argv[1])); s.decide(['b.md'], Decision.SKIPPED); s.close()"
        )
        subprocess.run([sys.executable, "-c", other, str(db)], check=True, cwd=REPO)
        # Still open here, so the other process was not the last: its close kept the WAL.
        assert Path(f"{db}-wal").exists()
        first.decide(["c.md"], SKIP)
        assert first.states() == {"a.md": PUB, "b.md": SKIP, "c.md": SKIP}
    finally:
        first.close()


# -- the git commit an apply step made -----------------------------------------------------

SHA = "0123456789abcdef0123456789abcdef01234567"


def _apply_step(store: TriageStore) -> int:
    """An apply step that wrote one line into `a.md`; its batch."""
    write = FileWrite("a.md", "published", 0, b"", b"published: true\n", "old", "new")
    batch, seqs = store.begin_apply([write])
    store.settle_writes([(seqs[0], "written")])
    return batch


def test_an_apply_steps_commit_is_recorded_and_read_back(db: Path) -> None:
    store = TriageStore(db)
    try:
        batch = _apply_step(store)
        assert store.commit_of(batch) is None  # none until one is recorded
        store.record_commit(batch, SHA)
        assert store.commit_of(batch) == SHA
        assert store.apply_commits() == {batch: SHA}
    finally:
        store.close()
    reopened = TriageStore(db)
    try:
        assert reopened.commit_of(batch) == SHA
        assert reopened.commit_of(batch + 1) is None
    finally:
        reopened.close()


def test_undo_and_redo_of_an_apply_carry_its_commit(store: TriageStore) -> None:
    batch = _apply_step(store)
    store.record_commit(batch, SHA)
    undone = store.end_files_step(batch, undo=True, ids=["a.md"])
    assert (undone.kind, undone.commit) == ("apply", SHA)
    redone = store.end_files_step(batch, undo=False, ids=["a.md"])
    assert redone.commit == SHA


def test_an_apply_without_a_commit_has_none(store: TriageStore) -> None:
    batch = _apply_step(store)
    assert store.end_files_step(batch, undo=True, ids=["a.md"]).commit is None
    assert store.apply_commits() == {}


def test_a_commit_is_recorded_only_for_an_apply_step(store: TriageStore) -> None:
    decided = store.decide(["b.md"], PUB)
    assert decided is not None
    with pytest.raises(StoreError):
        store.record_commit(decided, SHA)
    with pytest.raises(StoreError):
        store.record_commit(decided + 100, SHA)  # no such step
    assert store.apply_commits() == {}

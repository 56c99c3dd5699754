"""Two instances on one store at once: both decide, and nothing either acknowledged is lost."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from reader.data.library import Library

from .helpers import Counts, make_corpus, needs_sigkill, python
from .test_kill import APP_BURST, CLI_BURST, Allowed, _kill, _lines_until, _lost, _settle

pytestmark = [needs_sigkill]


def _start(kind: str, root: Path, db: Path, ids: list[str], seed: int) -> subprocess.Popen[bytes]:
    if kind == "cli":
        return python(CLI_BURST, str(root), str(db), str(seed), ",".join(ids))
    return python(APP_BURST, str(root), str(db), str(seed))


@pytest.mark.parametrize("pair", [("cli", "cli"), ("app", "cli"), ("app", "app")], ids="-".join)
@pytest.mark.parametrize("warm", [True, False], ids=["warm", "cold"])
def test_two_instances_decide_at_once_and_nothing_is_lost(
    tmp_path: Path, counts: Counts, pair: tuple[str, str], warm: bool
) -> None:
    root = tmp_path / "cache"
    ids = make_corpus(root, 80)
    db = tmp_path / "data" / "decisions.db"
    if warm:
        library = Library(root, db)
        try:
            library.refresh()
        finally:
            library.close()
    procs = [_start(kind, root, db, ids, n * 1000 + 1) for n, kind in enumerate(pair)]
    outputs = []
    for proc, kind in zip(procs, pair, strict=True):  # each acknowledges 30 (app: 12)
        lines, _ = _lines_until(proc, 60 if kind == "cli" else 24, watchdog=90)
        outputs.append(lines)
    allowed: Allowed = {}
    touched: list[set[str]] = []
    unseen: list[set[str]] = []
    for proc, lines in zip(procs, outputs, strict=True):
        rest, errors = _kill(proc)
        lines += rest
        assert "failed" not in lines, f"an instance could not decide: {errors[-2000:]}"
        # An app press the other instance overrode at once shows its state, not ours
        # ("unseen", checked below): it still counts as a press that was answered.
        answered = lines.count("ok") + sum(x.startswith("unseen ") for x in lines)
        assert answered >= 12, (lines, errors[-2000:])
        touched.append({x.split(" ")[1] for x in lines if x.startswith("start ")})
        unseen.append({x.split(" ")[1] for x in lines if x.startswith("unseen ")})
        mine: Allowed = {}
        _settle(lines, mine)
        for article_id, states in mine.items():  # an id both decided may hold either's
            allowed[article_id] = allowed.get(article_id, set()) | states
    # The app shows another state than the key it pressed only where the other one decided.
    assert unseen[0] <= touched[1] and unseen[1] <= touched[0], unseen
    lost = _lost(db, allowed)
    counts.decisions += len(allowed)
    counts.lost += lost
    assert lost == 0

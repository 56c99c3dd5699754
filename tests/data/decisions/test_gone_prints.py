"""TriageStore.remember_gone / gone_prints: a decided file that went keeps what identified
it, while the editor's decision on it stays."""

from __future__ import annotations

from pathlib import Path

from reader.data.article import Decision
from reader.data.decisions.store import TriageStore


def test_only_an_editors_decision_keeps_its_gone_files_print(tmp_path: Path) -> None:
    store = TriageStore(tmp_path / "d.db")
    try:
        store.decide(["a.md"], Decision.SKIPPED, "paywall")
        store.seed([("b.md", Decision.PUBLISHED)])  # the file's own state: no decision
        store.remember_gone({"a.md": ("d1", "https://x/a"), "b.md": ("d2", None),
                             "c.md": ("d3", None)})  # fmt: skip
        assert store.gone_prints() == {"a.md": ("d1", "https://x/a")}
        store.decide(["a.md"], Decision.UNDECIDED)  # cleared: nothing to follow
        assert store.gone_prints() == {}
    finally:
        store.close()


def test_a_moved_decision_forgets_the_print(tmp_path: Path) -> None:
    store = TriageStore(tmp_path / "d.db")
    try:
        store.decide(["a.md"], Decision.SKIPPED)
        store.remember_gone({"a.md": ("d1", None)})
        assert store.move_decisions([("a.md", "b.md")]) == [("a.md", "b.md")]
        assert store.gone_prints() == {}
        assert store.decision("b.md") is Decision.SKIPPED
    finally:
        store.close()

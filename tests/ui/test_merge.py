"""merge_rows: a rescan keeps the editor's order, drops removed rows and slots newcomers in."""

from __future__ import annotations

from reader.data.article import Decision
from reader.data.query import ArticleRow
from reader.triage.merge import merge_rows


def row(article_id: str, state: Decision = Decision.UNDECIDED, title: str = "") -> ArticleRow:
    """A row with only what merging looks at."""
    return ArticleRow(article_id, title or article_id, "", None, state)


def ids(rows: list[ArticleRow]) -> list[str]:
    """The ids, in order."""
    return [r.id for r in rows]


def undecided(article_id: str) -> Decision:
    """The store's answer for a row the filter no longer admits."""
    return Decision.SKIPPED


def test_newcomers_slot_in_after_their_fresh_predecessor() -> None:
    old = [row("a"), row("b"), row("c")]
    fresh = [row("n0"), row("a"), row("c"), row("n1"), row("b")]  # c now sorts before b
    merged = merge_rows(old, fresh, removed=(), state=undecided)
    assert ids(merged) == ["n0", "a", "b", "c", "n1"]  # a, b, c keep their order


def test_removed_rows_go_and_fresh_data_is_taken() -> None:
    old = [row("a"), row("b"), row("c")]
    fresh = [row("a", title="new title")]
    merged = merge_rows(old, fresh, removed={"c"}, state=undecided)
    assert ids(merged) == ["a", "b"]
    assert merged[0].title == "new title"
    assert merged[1].state is Decision.SKIPPED  # b left the filter: it stays, state refreshed


def test_an_empty_list_takes_the_fresh_order() -> None:
    fresh = [row("x"), row("y")]
    assert ids(merge_rows([], fresh, removed=(), state=undecided)) == ["x", "y"]

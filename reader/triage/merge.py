"""Merge a rescan into the list without reordering what the editor is working through."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import replace

from reader.data.article import Decision
from reader.data.query import ArticleRow


def merge_rows(
    old: Sequence[ArticleRow],
    fresh: Sequence[ArticleRow],
    removed: Collection[str],
    state: Callable[[str], Decision],
) -> list[ArticleRow]:
    """Keep the old order, drop removed ids, and slot each newcomer in after its fresh predecessor.

    Rows still listed take their fresh data; rows the filter no longer admits stay (they
    were on screen) with their state looked up again. `fresh` is the filter's new result.
    """
    by_id = {row.id: row for row in fresh}
    kept = [
        by_id.get(row.id) or replace(row, state=state(row.id))
        for row in old
        if row.id not in removed
    ]
    kept_ids = {row.id for row in kept}
    after: dict[str | None, list[ArticleRow]] = {}
    anchor: str | None = None
    for row in fresh:
        if row.id in kept_ids:
            anchor = row.id
        else:
            after.setdefault(anchor, []).append(row)
    merged = list(after.get(None, []))
    for row in kept:
        merged.append(row)
        merged.extend(after.get(row.id, []))
    return merged

"""LoadedRows: every row of the list in memory, so a search or a state filter sorts nothing."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from reader.data import query
from reader.data.article import Decision
from reader.data.library import Library
from reader.data.query import ArticleRow, Filter, Sort


def needs_sql(flt: Filter) -> bool:
    """Whether only SQL can apply this filter: rows carry no topics, reasons or story lists."""
    return bool(flt.topic or flt.reason or flt.story)


class LoadedRows:
    """Every listable article in one order, kept current as decisions change states."""

    def __init__(self, sort: Sort, rows: list[ArticleRow]) -> None:
        self.sort = sort
        """The order of `rows`."""
        self.rows = rows
        """Every article the index lists (as `query.rows` with no filter gives them)."""
        self._index = {row.id: n for n, row in enumerate(rows)}

    def select(self, library: Library, flt: Filter) -> list[ArticleRow]:
        """What `query.rows(library, flt)` gives, from memory: search, state and provider.

        Only for a filter in this order that `needs_sql` refuses.
        """
        assert flt.sort == self.sort and not needs_sql(flt)
        rows = self.rows
        if flt.search and query.fts_query(flt.search):  # no words: no search, as in SQL
            ids = query.search_ids(library, flt.search)
            rows = [row for row in rows if row.id in ids]
        if flt.state is not None:
            rows = [row for row in rows if row.state is flt.state]
        if flt.provider:
            rows = [row for row in rows if row.provider == flt.provider]
        return list(rows) if rows is self.rows else rows

    def set_states(self, states: Mapping[str, Decision]) -> None:
        """Take in the states these articles have now (after a decision, an undo, an apply)."""
        for article_id, state in states.items():
            n = self._index.get(article_id)
            if n is not None and self.rows[n].state is not state:
                self.rows[n] = replace(self.rows[n], state=state)

"""LoadedRows: every row of the list in memory, so a search or a state filter sorts nothing."""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import replace
from itertools import compress, count

from reader.data import query
from reader.data.article import Decision
from reader.data.keys import keys_from_ids
from reader.data.library import Library
from reader.data.query import ArticleRow, Filter, Sort

_TRIES = 3
"""Searches by rowid while the index keeps changing under them, before searching by id."""


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
        self._rowids = array("q")
        """Each row's rowid in the index at `_version` (-1: no longer indexed)."""
        self._version: tuple[int, int] | None = None
        """The index version `_rowids` were read at; None before the first search."""

    def select(self, library: Library, flt: Filter) -> list[ArticleRow]:
        """What `query.rows(library, flt)` gives, from memory: search, state and provider.

        Only for a filter in this order that `needs_sql` refuses.
        """
        assert flt.sort == self.sort and not needs_sql(flt)
        rows = self.rows
        if flt.search and query.fts_query(flt.search):  # no words: no search, as in SQL
            rows = self._search(library, flt.search)
        if flt.state is not None:
            rows = [row for row in rows if row.state is flt.state]
        if flt.provider:
            rows = [row for row in rows if row.provider == flt.provider]
        return list(rows) if rows is self.rows else rows

    def _search(self, library: Library, text: str) -> list[ArticleRow]:
        """The rows the search matches, in order: by rowid, with no key decoded per match.

        The rowids are those of one unchanged index (else read again), so they name the
        same articles as the rows' ids do.
        """
        for _ in range(_TRIES):
            version = query.index_version(library)
            if version != self._version:
                self._map_rowids(library)
                self._version = version
            hits = query.search_rowids(library, text)
            if query.index_version(library) == version:  # no commit in between
                return list(compress(self.rows, map(hits.__contains__, self._rowids)))
        ids = query.search_ids(library, text)
        return [row for row in self.rows if row.id in ids]

    def _map_rowids(self, library: Library) -> None:
        """Read each row's rowid in the index as it is now.

        One (key, rowid) at a time: a dict of every key would hold ~15 MiB at 51k rows, and
        set the process's peak memory on the first search.
        """
        ids = [row.id for row in self.rows]
        keys = keys_from_ids(ids)
        position = self._index if keys is ids else dict(zip(keys, count()))
        rowids = array("q", [-1]) * len(self.rows)  # 8 bytes a row, not an int object
        for key, rowid in query.article_rowids(library):
            n = position.get(key)
            if n is not None:
                rowids[n] = rowid
        self._rowids = rowids

    def set_states(self, states: Mapping[str, Decision]) -> None:
        """Take in the states these articles have now (after a decision, an undo, an apply)."""
        for article_id, state in states.items():
            n = self._index.get(article_id)
            if n is not None and self.rows[n].state is not state:
                self.rows[n] = replace(self.rows[n], state=state)

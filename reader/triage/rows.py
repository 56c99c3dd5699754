"""LoadedRows: every row of the list in memory, so a search or a state filter sorts nothing.

A filter's rows can be worked out on a worker thread beforehand (`prepare`, then `take`).
"""

from __future__ import annotations

from array import array
from collections.abc import Mapping
from dataclasses import dataclass, replace
from itertools import compress, count

from reader.data import query
from reader.data.article import Decision
from reader.data.ids import keys_from_ids
from reader.data.library import Library
from reader.data.query import ArticleRow, Filter, Sort, Term
from reader.triage.story_rows import Whole

_TRIES = 3
"""Searches by rowid while the index keeps changing under them, before searching by id."""


@dataclass(frozen=True, eq=False)
class Prepared:
    """A filter's rows worked out on a worker: valid while nothing they came from changed."""

    source: LoadedRows
    """The rows they were taken from."""
    filter: Filter
    version: tuple[int, int]
    """The index version (`query.index_version` on the app's connection) when asked for."""
    generation: int
    """`source.generation` when asked for: no state changed since."""
    rows: list[ArticleRow]
    rowids: array | None
    """The rowids read on the way, when the source's were of an older index."""


def needs_sql(flt: Filter) -> bool:
    """Whether only SQL can apply this filter: rows carry no topics, reasons or story lists,
    and a search's terms other than its words and providers are checked one by one."""
    return bool(flt.topic or flt.reason or flt.story) or any(
        term.field != "provider" for group in _checks(flt) for term in group
    )


def _checks(flt: Filter) -> tuple[tuple[Term, ...], ...]:
    """The groups of the filter's search that are checked term by term (see `ParsedSearch`)."""
    return query.parse_search(flt.search).checks if flt.search else ()


class _Providers(dict[str, bool]):
    """Whether the filter admits a provider, by its name: worked out once per name.

    Only for a filter that `needs_sql` refuses: its search checks providers only.
    """

    def __init__(self, flt: Filter) -> None:
        """The test of the filter's provider and of its search's provider terms."""
        super().__init__()
        self.wanted = query.casefold(flt.provider) if flt.provider else None
        """The provider asked for, folded; None for any."""
        self.groups = [
            [(query.casefold(term.text), term.negated) for term in group]
            for group in _checks(flt)
        ]
        """The search's groups: (name folded, excluded) pairs, one of which must hold."""
        self.narrows = self.wanted is not None or bool(self.groups)
        """Whether some providers are not admitted."""

    def __missing__(self, provider: str) -> bool:
        """Whether the filter admits this provider (and remember it)."""
        name = query.casefold(provider)
        admitted = (self.wanted is None or name == self.wanted) and all(
            any((name == folded) != negated for folded, negated in group)
            for group in self.groups
        )
        self[provider] = admitted
        return admitted


class LoadedRows:
    """Every listable article in one order, kept current as decisions change states."""

    def __init__(self, sort: Sort, rows: list[ArticleRow]) -> None:
        """The rows of an unfiltered list, in the order `sort`, with no rowid read yet."""
        self.sort = sort
        """The order of `rows`."""
        self.rows = rows
        """Every article the index lists (as `query.rows` with no filter gives them)."""
        self._index = {row.id: n for n, row in enumerate(rows)}
        self._rowids = array("q")
        """Each row's rowid in the index at `_version` (-1: no longer indexed)."""
        self._version: tuple[int, int] | None = None
        """The index version `_rowids` were read at; None before the first search."""
        self.generation = 0
        """Counts the changes of state taken in (a row worked out before one is stale)."""

    @property
    def whole(self) -> Whole:
        """These rows as the list's look-ups take them (see story_rows.Positions)."""
        return Whole(self._index, len(self.rows))

    def select(self, library: Library, flt: Filter) -> list[ArticleRow]:
        """What `query.rows(library, flt)` gives, from memory: search, state and provider.

        Only for a filter in this order that `needs_sql` refuses.
        """
        assert flt.sort == self.sort and not needs_sql(flt)
        rows = self._search(library, flt.search or "") if self.searches(flt) else self.rows
        return self._narrowed(flt, rows)

    def prepare(self, reader: Library, flt: Filter, version: tuple[int, int]) -> Prepared:
        """`select`'s rows, worked out on a worker thread while the app waits for a key.

        `reader` is the worker's own connection, `version` the index version on the app's
        when it asked: `take` hands the rows over only if the index and the states are
        still what they were then, so a commit or a decision in between costs the work,
        never a wrong row. Nothing here is changed: the rowids read on the way go back too.
        """
        assert flt.sort == self.sort and not needs_sql(flt)
        generation, rows, fresh = self.generation, self.rows, None
        if self.searches(flt):
            rowids = self._rowids
            if self._version != version:
                rowids = fresh = self._read_rowids(reader)
            rows = self._matching(query.search_rowids(reader, flt.search or ""), rowids)
        return Prepared(self, flt, version, generation, self._narrowed(flt, rows), fresh)

    def take(self, library: Library, prepared: Prepared) -> list[ArticleRow] | None:
        """The prepared rows if they are still right (on the app's thread), else None."""
        version = query.index_version(library)
        if (prepared.source is not self or prepared.version != version
                or prepared.generation != self.generation):
            return None
        if prepared.rowids is not None:
            self._rowids, self._version = prepared.rowids, version
        return prepared.rows

    @staticmethod
    def searches(flt: Filter) -> bool:
        """Whether the filter searches the index for words, or their absence (a search of
        providers only is done in memory, and no words is no search, as in SQL)."""
        return bool(flt.search and query.parse_search(flt.search).words)

    def _narrowed(self, flt: Filter, rows: list[ArticleRow]) -> list[ArticleRow]:
        """Those of `rows` in the filter's state, new enough, and of the providers the filter
        and its search admit (in any case); a new list even of all rows."""
        if flt.state is not None:
            rows = [row for row in rows if row.state is flt.state]
        if (after := flt.new_after) is not None:
            rows = [row for row in rows if row.seen > after]
        if (admits := _Providers(flt)).narrows:
            rows = [row for row in rows if admits[row.provider]]
        return list(rows) if rows is self.rows else rows

    def _matching(self, hits: query.Hits, rowids: array) -> list[ArticleRow]:
        """The rows whose rowid (in `rowids`, read at the hits' index version) is a hit."""
        return list(compress(self.rows, hits.flags(rowids)))

    def _search(self, library: Library, text: str) -> list[ArticleRow]:
        """The rows the search matches, in order: by rowid, with no key decoded per match.

        The rowids are those of one unchanged index (else read again), so they name the
        same articles as the rows' ids do.
        """
        for _ in range(_TRIES):
            version = query.index_version(library)
            if version != self._version:
                self._rowids = self._read_rowids(library)
                self._version = version
            hits = query.search_rowids(library, text)
            if query.index_version(library) == version:  # no commit in between
                return self._matching(hits, self._rowids)
        ids = query.search_ids(library, text)
        return [row for row in self.rows if row.id in ids]

    def _read_rowids(self, library: Library) -> array:
        """Each row's rowid in the index as it is now (-1: no longer indexed).

        One (key, rowid) at a time: a dict of every key would hold a copy of every key at
        once, and set the process's peak memory on a big folder's first search.
        """
        ids = [row.id for row in self.rows]
        keys = keys_from_ids(ids)
        position = self._index if keys is ids else dict(zip(keys, count()))
        rowids = array("q", [-1]) * len(self.rows)  # 8 bytes a row, not an int object
        for key, rowid in query.article_rowids(library):
            n = position.get(key)
            if n is not None:
                rowids[n] = rowid
        return rowids

    def set_states(self, states: Mapping[str, Decision]) -> None:
        """Take in the states these articles have now (after a decision, an undo, an apply)."""
        for article_id, state in states.items():
            n = self._index.get(article_id)
            if n is not None and self.rows[n].state is not state:
                self.rows[n] = replace(self.rows[n], state=state)
                self.generation += 1

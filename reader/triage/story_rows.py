"""StoryRows: the article list's loaded rows, shown one row per story or flat, and row marks."""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator, Mapping, MutableSet, Sequence
from dataclasses import dataclass
from itertools import compress, count
from operator import attrgetter

from reader.data.query import ArticleRow


def story_of(row: ArticleRow) -> str:
    """The row's story id (its own id when the index has not clustered it yet)."""
    return row.story or row.id


_ID = attrgetter("id")


@dataclass(frozen=True, slots=True)
class Whole:
    """Every row in memory (see triage/rows.py): what each row's position in it is, by id
    (a dict in the rows' order), and how many there are. The rows a list shows are a
    part of them."""

    index: Mapping[str, int]
    size: int


class Positions(Mapping[str, int]):
    """Each row's position in `rows`, a part of the rows in memory (`whole`): their index
    and an array of 4 bytes a row, not one more dict of every id (at 51,000 articles a
    flat list, or a search that lists most of them, held a second 3 MiB copy of it).
    Raises KeyError when made of a row that is not in `whole`."""

    __slots__ = ("_at", "_rows", "_whole")

    def __init__(self, whole: Whole, rows: Sequence[ArticleRow]) -> None:
        """Look each of `rows` up in `whole` (C loops, but for one pass over the rows)."""
        at = array("i", [-1]) * whole.size
        for n, place in enumerate(map(whole.index.__getitem__, map(_ID, rows))):
            at[place] = n
        self._whole, self._at, self._rows = whole.index, at, rows

    def __getitem__(self, article_id: str) -> int:
        """The row's position in `rows`; KeyError when it is not there."""
        n = self._at[self._whole[article_id]]
        if n < 0:
            raise KeyError(article_id)
        return n

    def __iter__(self) -> Iterator[str]:
        """The rows' ids, in order."""
        return map(_ID, self._rows)

    def __len__(self) -> int:
        """How many rows."""
        return len(self._rows)


class IdSet(MutableSet[str]):
    """A set of article ids, most of them of the rows in memory (`whole`): those are a
    byte each, by position, and iterate as the rows' own id strings; any other id is kept
    in a set beside. At 51,000 articles, of which 42,000 live, the site's two sets of
    live articles held 4 MiB of hash table."""

    __slots__ = ("_bits", "_count", "_index", "_others")

    def __init__(self, whole: Whole | None = None, ids: Iterable[str] = ()) -> None:
        """A set of `ids`, by position in `whole` where it holds them."""
        self._index: Mapping[str, int] = {} if whole is None else whole.index
        self._bits = bytearray(0 if whole is None else whole.size)
        self._count = 0
        self._others: set[str] = set()
        for article_id in ids:
            self.add(article_id)

    def __contains__(self, article_id: object) -> bool:
        """Whether the id is in the set."""
        n = self._index.get(article_id) if isinstance(article_id, str) else None
        return self._bits[n] == 1 if n is not None else article_id in self._others

    def add(self, article_id: str) -> None:
        """Put the id in the set."""
        n = self._index.get(article_id)
        if n is None:
            self._others.add(article_id)
        elif not self._bits[n]:
            self._bits[n] = 1
            self._count += 1

    def discard(self, article_id: str) -> None:
        """Take the id out of the set, if it is there."""
        n = self._index.get(article_id)
        if n is None:
            self._others.discard(article_id)
        elif self._bits[n]:
            self._bits[n] = 0
            self._count -= 1

    def __iter__(self) -> Iterator[str]:
        """The ids: those of the rows in memory in their order (their own strings), then
        the others."""
        yield from compress(self._index, self._bits)  # a dict's keys in insertion order
        yield from self._others

    def __len__(self) -> int:
        """How many ids."""
        return self._count + len(self._others)


@dataclass(frozen=True, slots=True)
class Lookups:
    """What the list works out from a list of rows to look them up and fold their stories:
    made when first needed, or beforehand on a worker thread along with the rows."""

    index: Mapping[str, int] | None
    """Each row's position, by id (None: worked out when first needed)."""
    sizes: dict[str, int] | None = None
    """Articles per story, for stories of more than one article only (None: as `index`)."""
    heads: dict[str, str] | None = None
    """The first article of each such story: the row a folded story shows."""
    whole: Whole | None = None
    """The rows in memory the rows are a part of, if they are: their positions are looked
    up there (see `Positions`)."""

    @classmethod
    def of(cls, rows: Sequence[ArticleRow], whole: Whole | None = None) -> Lookups:
        """Work them out (C loops where it can: quick even for a long list)."""
        sizes, heads = count_stories(rows)
        return cls(index_by_id(rows, whole), sizes, heads, whole)


def index_by_id(rows: Sequence[ArticleRow], whole: Whole | None = None) -> Mapping[str, int]:
    """Each row's position in `rows`, by id: `Positions` when they are a part of `whole`."""
    if whole is not None:
        try:
            return Positions(whole, rows)
        except (KeyError, IndexError):  # a row the rows in memory do not hold
            pass
    return dict(zip(map(_ID, rows), count()))


def count_stories(rows: Sequence[ArticleRow]) -> tuple[dict[str, int], dict[str, str]]:
    """The size and the first row's id of each story that has more than one row."""
    sizes: dict[str, int] = {}
    heads: dict[str, str] = {}
    for row in rows:
        if row.story_size > 1:
            story = row.story or row.id
            n = sizes.get(story)
            if n is None:
                sizes[story], heads[story] = 1, row.id
            else:
                sizes[story] = n + 1
    return sizes, heads


class StoryRows:
    """Every row the list was given, which stories are expanded, and what to show."""

    def __init__(self, rows: Sequence[ArticleRow] = ()) -> None:
        """The rows of a new list, grouped by story with none expanded."""
        self.grouped = True
        """Whether a story shows as one row (its first) rather than every article."""
        self.expanded: set[str] = set()
        """The stories whose members show under their first row."""
        self.loaded: list[ArticleRow] = []
        self._index: Mapping[str, int] | None = None
        self._whole: Whole | None = None
        """The rows in memory `loaded` is a part of, if known (see `Lookups.whole`)."""
        self._stories: tuple[dict[str, int], dict[str, str]] | None = None
        self._newest: dict[str, int] | None = None
        self.load(list(rows))

    def load(self, rows: list[ArticleRow], lookups: Lookups | None = None) -> None:
        """Take a new list of rows, in order (the expanded stories stay expanded).

        The list is kept, not copied: it is this object's from now on (`replace` changes it).
        A search in a big folder lists a great many rows, and each copy of them was made,
        walked by the cyclic collector while young, and freed again on the key press.

        What it takes to look rows up or fold stories is worked out when first needed (a
        long flat list needs neither to show), unless `lookups` brings it.
        """
        self.loaded = rows
        self._newest = None
        self._index = None if lookups is None else lookups.index
        self._whole = None if lookups is None else lookups.whole
        self._stories = (None if lookups is None or lookups.sizes is None or lookups.heads is None
                         else (lookups.sizes, lookups.heads))

    @property
    def index(self) -> Mapping[str, int]:
        """Each loaded row's position in `loaded`, by id."""
        if self._index is None:
            self._index = index_by_id(self.loaded, self._whole)
        return self._index

    def index_of_shown(self, shown: Sequence[ArticleRow]) -> Mapping[str, int]:
        """Each row's position in `shown` (what `shown` gave), by id: flat, that is `index`."""
        if not self.grouped and len(shown) == len(self.loaded):
            return self.index
        return index_by_id(shown, self._whole)

    @property
    def sizes(self) -> dict[str, int]:
        """Loaded articles per story, for stories of more than one article only."""
        return self._count()[0]

    @property
    def heads(self) -> dict[str, str]:
        """The first loaded article of each such story: the row a folded story shows."""
        return self._count()[1]

    def _count(self) -> tuple[dict[str, int], dict[str, str]]:
        """Count the loaded stories of more than one article (once per `load`)."""
        if self._stories is None:
            self._stories = count_stories(self.loaded)
        return self._stories

    def row(self, article_id: str) -> ArticleRow | None:
        """The loaded row of an article, shown or folded away, or None."""
        index = self.index.get(article_id)
        return None if index is None else self.loaded[index]

    def _find(self, article_id: str) -> ArticleRow | None:
        """`row`, without building `index` for one look-up (C loops: cheap even for a long list)."""
        if self._index is not None:
            return self.row(article_id)
        try:
            return self.loaded[list(map(_ID, self.loaded)).index(article_id)]
        except ValueError:
            return None

    def replace(self, row: ArticleRow) -> bool:
        """Replace the loaded row with the same id; False when it is not loaded."""
        index = self.index.get(row.id)
        if index is None:
            return False
        self.loaded[index] = row
        return True

    def shown(self, keep: str | None = None) -> list[ArticleRow]:
        """The rows to show; the story of `keep` is expanded if it would hide that article.

        Flat, that is `loaded` itself: a row `replace`d shows at once, in the same place.
        """
        if not self.grouped:
            return self.loaded
        heads = self.heads
        first = set(heads.values())
        row = None if keep is None or keep in first else self._find(keep)
        if row is not None and row.story_size > 1:
            self.expanded.add(story_of(row))  # a member folded away: its story opens
        folded = [r for r in self.loaded if r.story_size < 2 or r.id in first]
        opened = self.expanded.intersection(heads)
        return self._open(folded, opened) if opened else folded

    def _open(self, folded: list[ArticleRow], opened: set[str]) -> list[ArticleRow]:
        """The folded rows with the other members of the opened stories after their first."""
        members: dict[str, list[ArticleRow]] = {}
        for row in self.loaded:
            if row.story_size > 1 and (row.story or row.id) in opened:
                members.setdefault(row.story or row.id, []).append(row)
        firsts = {self.heads[story] for story in opened}
        shown: list[ArticleRow] = []
        done = 0
        for n in compress(count(), map(firsts.__contains__, map(_ID, folded))):
            shown += folded[done : n + 1]
            shown += members[story_of(folded[n])][1:]
            done = n + 1
        shown += folded[done:]
        return shown

    def foldable(self, row: ArticleRow) -> bool:
        """Whether the row's story shows more than one article of the list when expanded."""
        return self.grouped and self.sizes.get(story_of(row), 1) > 1

    def newest_seen(self, row: ArticleRow) -> int:
        """The newest `seen` among the loaded articles of a folded row's story (a row that
        stands for itself: its own), so that a folded story shows a new member's mark."""
        if not self.foldable(row) or self.is_expanded(row):
            return row.seen
        if self._newest is None:  # once per load, and only once a folded row asks
            newest: dict[str, int] = {}
            for member in self.loaded:
                story = story_of(member)
                if member.seen > newest.get(story, -1):
                    newest[story] = member.seen
            self._newest = newest
        return self._newest.get(story_of(row), row.seen)

    def is_expanded(self, row: ArticleRow) -> bool:
        """Whether the row's story is expanded in the grouped view."""
        return self.foldable(row) and story_of(row) in self.expanded

    def expand(self, row: ArticleRow) -> bool:
        """Expand the row's story; False when there is nothing to expand."""
        if not self.foldable(row) or story_of(row) in self.expanded:
            return False
        self.expanded.add(story_of(row))
        return True

    def collapse(self, row: ArticleRow) -> str | None:
        """Fold the row's story away; the id of the row that stays, or None if none changed."""
        if not self.is_expanded(row):
            return None
        self.expanded.discard(story_of(row))
        return self.heads[story_of(row)]

    def mark(self, rows: Sequence[ArticleRow], index: int) -> str:
        """What goes before a shown row's title: `+2 ` folded, `-2 ` open, ` ├ `/` └ ` member.

        O(1): it looks at the row and its neighbour only.
        """
        row = rows[index]
        if not self.foldable(row):
            return ""
        story = story_of(row)
        others = self.sizes[story] - 1
        if story not in self.expanded:
            return f"+{others} "
        if self.heads[story] == row.id:
            return f"-{others} "
        last = index + 1 >= len(rows) or story_of(rows[index + 1]) != story
        return " └ " if last else " ├ "

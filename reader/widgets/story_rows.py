"""StoryRows: the article list's loaded rows, shown one row per story or flat, and row marks."""

from __future__ import annotations

from collections.abc import Sequence

from reader.data.query import ArticleRow, group_stories


def story_of(row: ArticleRow) -> str:
    """The row's story id (its own id when the index has not clustered it yet)."""
    return row.story or row.id


class StoryRows:
    """Every row the list was given, which stories are expanded, and what to show."""

    def __init__(self, rows: Sequence[ArticleRow] = ()) -> None:
        self.grouped = True
        """Whether a story shows as one row (its first) rather than every article."""
        self.expanded: set[str] = set()
        """The stories whose members show under their first row."""
        self.loaded: list[ArticleRow] = []
        self.index: dict[str, int] = {}
        self.sizes: dict[str, int] = {}
        """Loaded articles per story, for stories of more than one article only."""
        self.heads: dict[str, str] = {}
        """The first loaded article of each such story: the row a folded story shows."""
        self.load(rows)

    def load(self, rows: Sequence[ArticleRow]) -> None:
        """Take a new list of rows, in order (the expanded stories stay expanded)."""
        self.loaded = list(rows)
        self.index = {row.id: i for i, row in enumerate(self.loaded)}
        sizes: dict[str, int] = {}
        heads: dict[str, str] = {}
        for row in self.loaded:
            if row.story_size > 1:
                story = story_of(row)
                sizes[story] = sizes.get(story, 0) + 1
                heads.setdefault(story, row.id)
        self.sizes, self.heads = sizes, heads

    def row(self, article_id: str) -> ArticleRow | None:
        """The loaded row of an article, shown or folded away, or None."""
        index = self.index.get(article_id)
        return None if index is None else self.loaded[index]

    def replace(self, row: ArticleRow) -> bool:
        """Replace the loaded row with the same id; False when it is not loaded."""
        index = self.index.get(row.id)
        if index is None:
            return False
        self.loaded[index] = row
        return True

    def shown(self, keep: str | None = None) -> list[ArticleRow]:
        """The rows to show; the story of `keep` is expanded if it would hide that article."""
        if not self.grouped:
            return list(self.loaded)
        row = None if keep is None else self.row(keep)
        if row is not None and self.heads.get(story_of(row), row.id) != row.id:
            self.expanded.add(story_of(row))
        return group_stories(self.loaded, self.expanded)

    def foldable(self, row: ArticleRow) -> bool:
        """Whether the row's story shows more than one article of the list when expanded."""
        return self.grouped and self.sizes.get(story_of(row), 1) > 1

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

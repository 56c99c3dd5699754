"""Why an article is in its story: shared URL, related links, the words it shares."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from reader.data.index.stories import StoryInput, normalize_url, terms_of
from reader.data.index.story_text import Vector, Vocabulary, dot, unit_mean, words


@dataclass(frozen=True)
class Explanation:
    """What ties one article to the rest of its story."""

    story: str = ""
    """The story's id."""
    size: int = 1
    """How many articles the story has."""
    same_url: tuple[str, ...] = ()
    """Members that are copies of it (the same normalised URL)."""
    related: tuple[str, ...] = ()
    """Members that it lists as related, or that list it."""
    score: float = 0.0
    """Cosine between the article and the centroid of the other members."""
    shared: tuple[str, ...] = ()
    """The words it shares with the others, the weightiest first."""
    edited: str | None = None
    """'split' or 'merge' when the editor's last edit put it here."""


def explain(article: StoryInput, others: Iterable[StoryInput], vocab: Vocabulary,
            limit: int = 8, terms: Mapping[str, Mapping[str, float]] | None = None
            ) -> Explanation:
    """Why `article` belongs with `others` (the rest of its story); `terms` may hold each
    one's terms, worked out already (`stories.terms_of`: copies share one mapping, and
    one vector is worked out for each mapping)."""
    rest = list(others)
    urls, related = article.own_urls(), {u for u in map(normalize_url, article.related_urls) if u}
    same = tuple(o.id for o in rest if not urls.isdisjoint(o.own_urls()))
    linked = tuple(
        o.id for o in rest
        if not related.isdisjoint(o.own_urls())
        or not urls.isdisjoint(u for u in map(normalize_url, o.related_urls) if u)
    )
    of = terms if terms is not None else terms_of([article, *rest])
    vectors: dict[int, Vector] = {}  # by the id of a terms mapping: copies share one

    def vector(item: StoryInput) -> Vector:
        doc = of[item.id]
        found = vectors.get(id(doc))
        if found is None:
            found = vectors[id(doc)] = vocab.vector(doc)
        return found

    mine = vector(article)
    centroid = unit_mean(vector(o) for o in rest)
    weights = sorted(((w * centroid[t], t) for t, w in mine.items() if t in centroid), reverse=True)
    surface: dict[str, str] = {}
    for stem, word in words(f"{article.title} {article.excerpt}"):
        surface.setdefault(stem, word)
    shared = tuple(surface.get(t, t) for _, t in weights[:limit])
    return Explanation(same_url=same, related=linked, score=round(dot(mine, centroid), 3),
                       shared=shared)

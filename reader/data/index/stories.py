"""Stories: the articles about one news event, joined by a shared URL or by what they say.

Two passes, both by centroid, never by a chain of pairs:

1. In time order, each article joins the story whose centroid (the mean of its members'
   TF-IDF vectors) is closest, if that is close enough (JOIN) and the story stays within
   the time window; otherwise it starts a story.
2. Stories then merge, closest first, while they share a key word (one that most of the
   members of both use), their centroids are alike (ALIKE), and still alike once the
   strongest shared word is left out (LINK): two events that share one word ("ECB") stay
   apart. Two broad stories merge only when their centroids are closer (BROAD_JOIN).

Articles with the same normalised URL are copies of one article: they always share a
story, and count once. A `related` link between two articles adds RELATED_BONUS to their
stories' closeness; it never joins them on its own.
"""

from __future__ import annotations

import bisect
import functools
import heapq
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from reader.data.index.story_text import (
    Vector,
    Vocabulary,
    add_into,
    dot,
    numbers,
    terms,
    unit_mean,
)

WINDOW = timedelta(days=3)
"""The default span of one story: its first and last article at most this far apart."""
JOIN = 0.5
"""Least cosine between an article and a story's centroid for it to join as it is read."""
LINK = 0.03
"""Least cosine between two stories' centroids, less their strongest shared word, to merge."""
ALIKE = 0.15
"""Least cosine between two stories' centroids, as a whole, to merge."""
BROAD = 10
"""Stories of at least this many articles each are broad: they merge only when alike."""
BROAD_JOIN = 0.3
"""Least cosine between two broad stories' centroids for them to merge."""
RELATED_BONUS = 0.1
"""Added to the closeness of two stories when an article of one lists one of the other."""

_TRACKING = re.compile(
    r"^(utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_mc|ocid|ncid|cmpid|cmpscreen|ico|"
    r"cid|elq_.*|mkt_tok|mkt|icid|ref|ref_src|amp|outputtype|__twitter_impression|s_cid)$",
    re.IGNORECASE,
)
_AMP_CACHE = re.compile(r"^[^/]+\.cdn\.ampproject\.org$", re.IGNORECASE)


@functools.lru_cache(maxsize=1 << 16)  # copies of one article repeat their URLs
def normalize_url(url: str) -> str | None:
    """A URL reduced to what names the story: no scheme, `www.`, AMP, tracking or trailing `/`."""
    try:
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        host, path, query = parts.hostname.lower(), parts.path, parts.query
        if _AMP_CACHE.match(host):  # .../c/s/www.example.com/amp/news/x -> www.example.com/...
            match = re.match(r"^/(?:[a-z]/)*(?:s/)?([^/]+)(/.*)?$", path)
            if not match:
                return None
            host, path = match.group(1).lower(), match.group(2) or ""
    except ValueError:
        return None
    host = host.removeprefix("www.").removeprefix("amp.").removeprefix("m.")
    segments = [s for s in path.split("/") if s and s.lower() != "amp"]
    path = "/".join(segments)
    path = re.sub(r"\.amp(\.html?)?$", "", path, flags=re.IGNORECASE)
    kept = [(k, v) for k, v in parse_qsl(query, keep_blank_values=True) if not _TRACKING.match(k)]
    return f"{host}/{path}" + (f"?{urlencode(sorted(kept))}" if kept else "")


@dataclass(frozen=True, slots=True)
class StoryInput:
    """What clustering needs of one article."""

    id: str
    title: str = ""
    published_at: datetime | None = None
    urls: tuple[str, ...] = ()
    """The article's own URLs (webUrl, originalUrl), raw."""
    related_urls: tuple[str, ...] = ()
    """The URLs of its `related` articles, raw."""
    excerpt: str = ""

    def terms(self) -> dict[str, float]:
        """Its terms (title and excerpt) and how much each counts."""
        return terms(self.title, self.excerpt)

    def own_urls(self) -> set[str]:
        """Its own URLs, normalised."""
        return {u for u in map(normalize_url, self.urls) if u}


def _seconds(when: datetime | None) -> float | None:
    """A date as seconds since the epoch, or None."""
    return None if when is None else when.timestamp()


@dataclass(slots=True)
class _Unit:
    """Copies of one article (one normalised URL, or an article without one): one vote."""

    ids: list[str]
    vector: Vector
    lo: float | None
    hi: float | None
    urls: set[str]
    related: set[str]
    numbers: frozenset[str] = frozenset()
    """The numbers and months its headline names."""


@dataclass(slots=True)
class _Story:
    """A story being built: the sum of its units' vectors and what the rules read of it."""

    label: str | None = None
    """The id an existing story already has (incremental runs); None for a new one."""
    ids: list[str] = field(default_factory=list)
    total: Vector = field(default_factory=dict)
    length: float = 0.0
    counts: Counter[str] = field(default_factory=Counter)
    units: int = 0
    lo: float | None = None
    hi: float | None = None
    urls: set[str] = field(default_factory=set)
    related: set[str] = field(default_factory=set)
    numbers: set[str] = field(default_factory=set)
    fresh: bool = False
    """Holds an article of this run (incremental runs merge only such stories)."""

    def add(self, unit: _Unit, fresh: bool = True) -> None:
        """Take one unit in."""
        self.ids.extend(unit.ids)
        square = self.length**2 + 2 * dot(self.total, unit.vector) + dot(unit.vector, unit.vector)
        add_into(self.total, unit.vector)
        self.length = math.sqrt(max(square, 0.0))
        self.counts.update(unit.vector.keys())
        self.units += 1
        self.lo, self.hi = _span(self.lo, self.hi, unit.lo, unit.hi)
        self.urls |= unit.urls
        self.related |= unit.related
        self.numbers |= unit.numbers
        self.fresh = self.fresh or fresh

    def absorb(self, other: _Story) -> None:
        """Take every unit of another story in."""
        self.ids.extend(other.ids)
        add_into(self.total, other.total)
        self.length = math.sqrt(sum(w * w for w in self.total.values()))
        self.counts.update(other.counts)
        self.units += other.units
        self.lo, self.hi = _span(self.lo, self.hi, other.lo, other.hi)
        self.urls |= other.urls
        self.related |= other.related
        self.numbers |= other.numbers
        self.fresh = self.fresh or other.fresh
        self.label = self.label or other.label

    def key_words(self) -> set[str]:
        """Its key words: those that more than half of its units use."""
        return {t for t, n in self.counts.items() if 2 * n > self.units}

    def links(self, other: _Story | _Unit) -> bool:
        """Whether an article of one lists an article of the other as related."""
        return not self.related.isdisjoint(other.urls) or not other.related.isdisjoint(self.urls)


def _span(lo: float | None, hi: float | None, lo2: float | None, hi2: float | None
          ) -> tuple[float | None, float | None]:
    """The span of two spans (None: undated)."""
    los = [x for x in (lo, lo2) if x is not None]
    his = [x for x in (hi, hi2) if x is not None]
    return (min(los) if los else None), (max(his) if his else None)


def _lone(item: _Story | _Unit) -> bool:
    """Whether it is one article (or copies of one)."""
    return isinstance(item, _Unit) or item.units == 1


def _fits(a: _Story | _Unit, b: _Story | _Unit, window: float) -> bool:
    """Whether the two together span no more than the window (undated fits anything), and
    two lone articles do not name different numbers ("Season 3" and "Season 4")."""
    if _lone(a) and _lone(b) and a.numbers and b.numbers and a.numbers != b.numbers:
        return False
    if a.lo is None or b.lo is None or a.hi is None or b.hi is None:
        return True
    return max(a.hi, b.hi) - min(a.lo, b.lo) <= window


def terms_of(items: Iterable[StoryInput]) -> dict[str, Mapping[str, float]]:
    """Each article's terms (see StoryInput.terms), worked out once per title and excerpt:
    copies of one article (versions of one file, one story syndicated) share one mapping,
    which nobody changes."""
    found: dict[tuple[str, str], Mapping[str, float]] = {}
    of: dict[str, Mapping[str, float]] = {}
    for item in items:
        text = (item.title, item.excerpt)
        item_terms = found.get(text)
        if item_terms is None:
            item_terms = found[text] = item.terms()
        of[item.id] = item_terms
    return of


def units_of(inputs: Iterable[StoryInput], vocab: Vocabulary,
             terms: Mapping[str, Mapping[str, float]] | None = None) -> list[_Unit]:
    """Articles grouped by normalised URL (copies of one article), each group one unit;
    `terms` may hold each article's terms, worked out already."""
    groups: dict[int, list[StoryInput]] = {}
    owner: dict[str, int] = {}
    for n, item in enumerate(inputs):
        urls = item.own_urls()
        found = {owner[u] for u in urls if u in owner}
        target = min(found) if found else n
        merged = groups.setdefault(target, [])
        merged.append(item)
        for other in found - {target}:  # this article's URLs join two groups
            moved = groups.pop(other)
            merged.extend(moved)
            for u in owner:
                if owner[u] == other:
                    owner[u] = target
        for u in urls:
            owner[u] = target
    if terms is None:
        terms = terms_of(i for group in groups.values() for i in group)
    weigh = _Memo(vocab.vector, key=id)  # shared terms (see terms_of): one vector each
    heads = _Memo(numbers)
    return [_unit(group, terms, weigh, heads) for group in groups.values()]


class _Memo:
    """A function's results, each worked out once per key for as long as the memo lives
    (the values it is asked about must outlive it when the key is `id`)."""

    def __init__(self, function: Callable[[Any], Any], key: Callable[[Any], Any] | None = None):
        self.function, self.key = function, key
        self.done: dict[Any, Any] = {}

    def __call__(self, value: Any) -> Any:
        """The function's result for `value`."""
        key = value if self.key is None else self.key(value)
        result = self.done.get(key, self)
        if result is self:
            result = self.done[key] = self.function(value)
        return result


def _unit(group: list[StoryInput], terms: Mapping[str, Mapping[str, float]],
          weigh: Callable[[Mapping[str, float]], Vector],
          heads: Callable[[str], frozenset[str]]) -> _Unit:
    """One unit from copies of one article: their ids, mean vector (`weigh` gives each
    article's), time span, URLs and headline numbers (`heads` gives a title's)."""
    times = [t for t in (_seconds(i.published_at) for i in group) if t is not None]
    return _Unit(
        ids=[i.id for i in group],
        vector=unit_mean(weigh(terms[i.id]) for i in group),
        lo=min(times) if times else None,
        hi=max(times) if times else None,
        urls=set().union(*(i.own_urls() for i in group)),
        related={u for i in group for u in map(normalize_url, i.related_urls) if u},
        numbers=frozenset().union(*(heads(i.title) for i in group)),
    )


class _Clusterer:
    """The two passes over units, with existing stories to join (incremental) or none."""

    def __init__(self, window: timedelta, existing: Iterable[_Story] = ()):
        """A clusterer for `window`, joining the `existing` stories if there are any."""
        self.window = window.total_seconds()
        self.stories: list[_Story] = list(existing)
        self.incremental = bool(self.stories)

    def grow(self, units: list[_Unit]) -> None:
        """Pass 1: each unit, in time order, joins the closest story or starts one."""
        postings: dict[str, set[int]] = defaultdict(set)
        for n, story in enumerate(self.stories):
            for term in story.total:
                postings[term].add(n)
        expiry: list[tuple[float, int]] = []
        by_url: dict[str, int] = {}
        for n, story in enumerate(self.stories):  # a URL in two stories (one split out by
            for u in story.urls:  # the editor): its copies join the one with most articles
                if u not in by_url or len(story.ids) > len(self.stories[by_url[u]].ids):
                    by_url[u] = n
        ordered = sorted(units, key=lambda u: (u.lo is None, u.lo or 0.0, u.ids[0]))
        for unit in ordered:
            if not self.incremental and unit.lo is not None:
                while expiry and expiry[0][0] < unit.lo:  # too old to join: forget it
                    _, gone = heapq.heappop(expiry)
                    for term in self.stories[gone].total:
                        postings[term].discard(gone)
            same = [by_url[u] for u in unit.urls if u in by_url]
            chosen = min(same) if same else self._closest(unit, postings)
            if chosen is None:
                chosen = len(self.stories)
                self.stories.append(_Story())
            story = self.stories[chosen]
            story.add(unit)
            for term in unit.vector:
                postings[term].add(chosen)
            for u in unit.urls:
                by_url.setdefault(u, chosen)
            if story.lo is not None and story.units == 1:
                heapq.heappush(expiry, (story.lo + self.window, chosen))

    def _closest(self, unit: _Unit, postings: Mapping[str, set[int]]) -> int | None:
        """The story whose centroid is closest to the unit, if close enough and in time."""
        scores: dict[int, float] = defaultdict(float)
        for term, weight in unit.vector.items():
            for n in postings.get(term, ()):
                scores[n] += weight * self.stories[n].total[term]
        best, best_score = None, JOIN
        for n, product in scores.items():
            story = self.stories[n]
            score = product / (story.length or 1.0)
            if story.links(unit):
                score += RELATED_BONUS
            if score >= best_score and _fits(story, unit, self.window):
                best, best_score = n, score
        return best

    def link(self) -> list[_Story]:
        """Pass 2: merge stories, closest first, while they share key words and stay alike."""
        alive = dict(enumerate(self.stories))
        dated: dict[str, list[tuple[float, int]]] = defaultdict(list)
        undated: dict[str, list[int]] = defaultdict(list)
        queue: list[tuple[float, int, int]] = []

        def enter(n: int) -> None:
            """List story `n` under each of its key words, by its first date."""
            story = alive[n]
            for term in story.key_words():
                if story.lo is None:
                    undated[term].append(n)
                else:
                    bisect.insort(dated[term], (story.lo, n))

        def offer(n: int) -> None:
            """Queue each merge story `n` could make, closest first."""
            for other, score in self._partners(n, alive, dated, undated).items():
                heapq.heappush(queue, (-score, min(n, other), max(n, other)))

        for n in alive:
            enter(n)
        for n in list(alive):
            offer(n)
        next_id = len(self.stories)
        while queue:
            _, a, b = heapq.heappop(queue)
            if a not in alive or b not in alive:
                continue
            merged = alive.pop(a)
            merged.absorb(alive.pop(b))
            alive[next_id] = merged
            enter(next_id)
            offer(next_id)
            next_id += 1
        return list(alive.values())

    def _partners(self, n: int, alive: Mapping[int, _Story],
                  dated: Mapping[str, list[tuple[float, int]]],
                  undated: Mapping[str, list[int]]) -> dict[int, float]:
        """The stories story `n` may merge with, and how close each is."""
        story = alive[n]
        seen: set[int] = {n}
        found: dict[int, float] = {}
        for term in story.key_words():
            candidates: list[int] = list(undated.get(term, ()))
            column = dated.get(term, [])
            if story.lo is None or story.hi is None:
                candidates += [m for _, m in column]
            else:
                start = bisect.bisect_left(column, (story.hi - self.window, -1))
                stop = bisect.bisect_right(column, (story.lo + self.window, math.inf))
                candidates += [m for _, m in column[start:stop]]
            for m in candidates:
                if m in seen or m not in alive:
                    continue
                seen.add(m)
                score = self._closeness(story, alive[m])
                if score is not None:
                    found[m] = score
        return found

    def _closeness(self, a: _Story, b: _Story) -> float | None:
        """How close two stories are, or None when they may not merge."""
        if self.incremental and not (a.fresh or b.fresh):
            return None  # an incremental run never re-clusters what was there
        if a.label is not None and b.label is not None:
            return None  # two existing stories stay two
        if not _fits(a, b, self.window):
            return None
        small, large = (a.total, b.total) if len(a.total) < len(b.total) else (b.total, a.total)
        total = top = 0.0
        for term, weight in small.items():
            other = large.get(term)
            if other is not None:
                product = weight * other
                total += product
                if product > top:
                    top = product
        lengths = (a.length or 1.0) * (b.length or 1.0)
        if total / lengths < (BROAD_JOIN if min(a.units, b.units) >= BROAD else ALIKE):
            return None
        score = (total - top) / lengths + (RELATED_BONUS if a.links(b) else 0.0)
        return score if score >= LINK else None


def vocabulary(inputs: Iterable[StoryInput]) -> Vocabulary:
    """The document frequencies of these articles' terms."""
    return Vocabulary.of(terms_of(inputs).values())


def cluster(articles: Iterable[StoryInput], window: timedelta = WINDOW,
            vocab: Vocabulary | None = None,
            terms: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, str]:
    """Each article's story id: the smallest id among the articles of its story. `vocab`
    and `terms` (each article's) may be given when the caller worked them out already."""
    items = list(articles)
    vocab = vocab or vocabulary(items)
    clusterer = _Clusterer(window)
    clusterer.grow(units_of(items, vocab, terms))
    story_of: dict[str, str] = {}
    for story in clusterer.link():
        label = min(story.ids)
        for article_id in story.ids:
            story_of[article_id] = label
    return story_of


def assign(new: Iterable[StoryInput], existing: Mapping[str, Iterable[StoryInput]],
           vocab: Vocabulary, window: timedelta = WINDOW,
           terms: Mapping[str, Mapping[str, float]] | None = None) -> dict[str, str]:
    """Stories for new articles, without re-clustering the others.

    `existing` maps each story the new articles may join (those close in time, or sharing
    a URL) to its articles. A new article joins one of them or starts a story; two
    existing stories are never merged or split. Returns each new article's story: an
    existing story's id, or the smallest id of a new one. `terms` may hold the new
    articles' terms, worked out already.
    """
    stories = []
    for label, members in existing.items():
        story = _Story(label=label)
        for unit in units_of(members, vocab):
            story.add(unit, fresh=False)
        stories.append(story)
    clusterer = _Clusterer(window, stories)
    clusterer.grow(units_of(new, vocab, terms))
    found: dict[str, str] = {}
    old = {i for members in existing.values() for i in (m.id for m in members)}
    for story in clusterer.link():
        if not story.fresh:
            continue
        label = story.label or min(story.ids)
        for article_id in story.ids:
            if article_id not in old:
                found[article_id] = label
    return found

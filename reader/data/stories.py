"""Stories: clusters of articles about one story, by shared URL or near-identical title."""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit

TITLE_SCORE = 95.0
"""Least rapidfuzz ratio (0-100) between normalised titles for one story: near-identical only."""
TITLE_WINDOW = timedelta(days=7)
"""Titles are compared only with articles published this close (or without a date)."""
_TRACKING = re.compile(
    r"^(utm_.*|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|_mc|ocid|ncid|cmpid|cmpscreen|ico|"
    r"cid|elq_.*|mkt_tok|mkt|icid|ref|ref_src|amp|outputtype|__twitter_impression|s_cid)$",
    re.IGNORECASE,
)
_AMP_CACHE = re.compile(r"^[^/]+\.cdn\.ampproject\.org$", re.IGNORECASE)
_NUMBER = re.compile(r"\d+")


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


def title_key(title: str) -> str:
    """A title folded for comparison: case, accents, punctuation and spacing ignored."""
    text = unicodedata.normalize("NFKD", title.casefold())
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", " ", text).split())


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


@dataclass
class _Sets:
    """Union-find over article ids; the root of a set is its smallest id."""

    parent: dict[str, str] = field(default_factory=dict)

    def find(self, item: str) -> str:
        root = item
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while item != root:  # path compression
            self.parent[item], item = root, self.parent[item]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            low, high = (ra, rb) if ra < rb else (rb, ra)
            self.parent[high] = low


def cluster(articles: Iterable[StoryInput]) -> dict[str, str]:
    """Each article's story id: the smallest id among the articles of its story."""
    items = list(articles)
    sets = _Sets({a.id: a.id for a in items})
    owner: dict[str, str] = {}
    for a in items:
        for url in filter(None, map(normalize_url, a.urls)):
            if url in owner:
                sets.union(owner[url], a.id)
            else:
                owner[url] = a.id
    for a in items:
        for url in filter(None, map(normalize_url, a.related_urls)):
            if url in owner:
                sets.union(owner[url], a.id)
    _join_titles(items, sets)
    return {a.id: sets.find(a.id) for a in items}


def _join_titles(items: list[StoryInput], sets: _Sets) -> None:
    """Join articles with near-identical titles published within TITLE_WINDOW of each other."""
    from rapidfuzz import fuzz, process  # imported when clustering runs, not at start-up

    by_key: dict[str, list[StoryInput]] = defaultdict(list)
    for a in items:
        if key := title_key(a.title):
            by_key[key].append(a)
    # Identical folded titles: one story when their dates are close.
    for group in by_key.values():
        group.sort(key=lambda a: (a.published_at is None, a.published_at or datetime.min))
        for first, other in itertools.pairwise(group):
            if _close(first.published_at, other.published_at):
                sets.union(first.id, other.id)
    # Near-identical: compare each title with the distinct titles dated close to it.
    # Seconds, not datetimes: `when - TITLE_WINDOW` overflows for a date in year 1.
    window_seconds = TITLE_WINDOW.total_seconds()
    dated: list[tuple[float, str]] = sorted(
        (group[0].published_at.timestamp(), key)
        for key, group in by_key.items()
        if group[0].published_at is not None
    )
    start = 0
    for i, (when, key) in enumerate(dated):
        while dated[start][0] < when - window_seconds:
            start += 1
        window = [other for _, other in dated[start:i]]
        for _, _, index in process.extract(
            key, window, scorer=fuzz.ratio, score_cutoff=TITLE_SCORE, limit=None
        ):
            match = window[index]
            if _same_story(key, match):
                sets.union(by_key[key][0].id, by_key[match][0].id)


def _same_story(a: str, b: str) -> bool:
    """Titles already near-identical must also agree on every number they contain."""
    return _NUMBER.findall(a) == _NUMBER.findall(b)


def _close(a: datetime | None, b: datetime | None) -> bool:
    return a is None or b is None or abs(a - b) <= TITLE_WINDOW

"""What an article says, as story clustering compares it: words, their weights, vectors."""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

Vector = dict[str, float]
"""Word -> weight; the vectors of articles have length 1."""

EXCERPT_WEIGHT = 0.5
"""How much a word of the excerpt counts next to a word of the title: the title is what an
outlet chose to say the story is, the excerpt says more and more loosely."""

UNSEEN = 10
"""Articles assumed beyond those counted, none using any term: in a folder of three, words
all three use still weigh something, and in a folder of thousands this changes nothing."""

_WORD = re.compile(r"[^\W_]+")
_POSSESSIVE = re.compile(r"['\u2019]s\b")
# Function words and the verbs of headlines ("says", "will"): they tie nothing together.
# Inverse document frequency weighs common words down anyway; this list keeps the ones
# that are common everywhere out of the story's key words altogether.
STOPWORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on
    once only or other our ours ourselves out over own same she should so some such than
    that the their theirs them themselves then there these they this those through to too
    under until up us very via vs was we were what when where which while who whom why will
    with would you your yours yourself yourselves says say said new get gets""".split()  # noqa: SIM905
)


def fold(text: str) -> str:
    """Case and accents folded away."""
    if text.isascii():  # most headlines: nothing to decompose
        return text.casefold()
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in text if not unicodedata.combining(c))


def stem(word: str) -> str:
    """A light English stem: plurals only, so that "talks" meets "talk" and "Icahn" stays."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(text: str) -> list[tuple[str, str]]:
    """(stem, folded word) for each word that can tie articles together."""
    text = _POSSESSIVE.sub("", fold(text))
    stems = _STEMS
    if len(stems) > _STEMS_KEPT:
        stems.clear()
    found = []
    for w in _WORD.findall(text):
        if (len(w) > 1 or w.isdigit()) and w not in STOPWORDS:
            s = stems.get(w)
            if s is None:
                s = stems[w] = stem(w)
            found.append((s, w))
    return found


_STEMS: dict[str, str] = {}
"""Each word's stem, as `stem` gives it: clustering meets the same words over and over,
and a look-up costs less than the suffix tests."""
_STEMS_KEPT = 200_000
"""Most stems remembered; then forgotten all at once, so memory stays bounded."""


_MONTHS = frozenset(
    "january february march april june july august september october november december".split()  # noqa: SIM905
)  # not "may": in a headline it is far more often the verb


def numbers(title: str) -> frozenset[str]:
    """The numbers and month names of a headline: which season, version, year or month it
    is about. Two headlines whose numbers differ are about different events."""
    return frozenset(w for _, w in words(title) if w.isdigit() or w in _MONTHS)


def terms(title: str, excerpt: str = "") -> dict[str, float]:
    """An article's terms and how much each counts (each once: a headline repeats little)."""
    found = {s: 1.0 for s, _ in words(title)}
    for s, _ in words(excerpt):
        found.setdefault(s, EXCERPT_WEIGHT)
    return found


@dataclass
class Vocabulary:
    """How many articles use each term, for inverse document frequency."""

    df: Counter[str] = field(default_factory=Counter)
    docs: int = 0

    @classmethod
    def of(cls, documents: Iterable[Mapping[str, float]]) -> Vocabulary:
        """The vocabulary of these term sets."""
        vocab = cls()
        for doc in documents:
            vocab.add(doc)
        return vocab

    def add(self, doc: Mapping[str, float]) -> None:
        """Count one more article."""
        self.docs += 1
        self.df.update(doc.keys())

    def idf(self, term: str) -> float:
        """Rare terms (names, places, the event's own words) weigh most; a term in nearly
        every article weighs little. A term never counted weighs as if seen once."""
        return math.log((self.docs + UNSEEN) / (self.df.get(term, 1) + 1))

    def vector(self, doc: Mapping[str, float]) -> Vector:
        """TF-IDF weights of one article's terms, scaled to length 1."""
        weighted = {t: w * self.idf(t) for t, w in doc.items()}
        weighted = {t: w for t, w in weighted.items() if w > 0}
        norm = math.sqrt(sum(w * w for w in weighted.values())) or 1.0
        return {t: w / norm for t, w in weighted.items()}


def add_into(total: Vector, vector: Mapping[str, float], scale: float = 1.0) -> None:
    """Add `vector` (times `scale`) into `total`, in place."""
    for term, weight in vector.items():
        total[term] = total.get(term, 0.0) + weight * scale


def dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    """The dot product of two sparse vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items())


def norm(a: Mapping[str, float]) -> float:
    """The length of a sparse vector (1.0 for an empty one, so it can divide)."""
    return math.sqrt(sum(w * w for w in a.values())) or 1.0


def unit_mean(vectors: Iterable[Mapping[str, float]]) -> Vector:
    """The sum of vectors scaled to length 1: copies of one article count as one."""
    total: Vector = {}
    for v in vectors:
        add_into(total, v)
    length = norm(total)
    return {t: w / length for t, w in total.items()}

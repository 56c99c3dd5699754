"""The article model: Article, RelatedLink, Problem and Decision."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


class Decision(enum.Enum):
    """An editor's decision on one article."""

    UNDECIDED = "undecided"
    PUBLISHED = "published"
    SKIPPED = "skipped"

    @property
    def glyph(self) -> str:
        """A one-character mark for lists."""
        return {"undecided": "·", "published": "✓", "skipped": "✗"}[self.value]


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one field of one file (or the whole file)."""

    path: str
    """The article id: its path relative to the cache root."""
    field: str
    """The front-matter field at fault, or `file` for the whole file."""
    why: str
    """What is wrong, in words."""

    def __str__(self) -> str:
        """`path: field: why`, one line as `check` prints it."""
        return f"{self.path}: {self.field}: {self.why}"


@dataclass(frozen=True, slots=True)
class RelatedLink:
    """Another outlet's article about the same story, as listed in `related`."""

    title: str = ""
    excerpt: str = ""
    url: str = ""
    provider: str = ""
    domain: str = ""
    published_at: datetime | None = None
    quality: float | None = None


@dataclass(frozen=True, slots=True)
class Article:
    """One article file, parsed and cleaned: every string is plain text."""

    id: str
    """Path relative to the cache root, exactly as on disk (surrogate-escaped)."""
    kind: str = "frontmatter"
    """`frontmatter` (Markdown with YAML) or `press` (plain-text release)."""
    title: str = ""
    excerpt: str = ""
    body: str = ""
    published_at: datetime | None = None
    """Always timezone-aware UTC, or None when absent or unreadable."""
    provider: str = ""
    domain: str = ""
    topics: tuple[str, ...] = ()
    quality: float | None = None
    heat: float | None = None
    type: str = "article"
    web_url: str = ""
    original_url: str = ""
    video_url: str = ""
    """The video's own link, taken from `featuredContent` (never rendered)."""
    images: tuple[str, ...] = ()
    related: tuple[RelatedLink, ...] = ()
    secured: str = ""
    """The opaque `secured` string: kept, never shown in full."""
    file_published: bool | None = None
    """The file's `published:` value as Jekyll reads it; None when the key is missing or null."""
    has_published_key: bool = False
    problems: tuple[Problem, ...] = field(default=())

    @property
    def url(self) -> str:
        """The article's own link: webUrl, else originalUrl."""
        return self.web_url or self.original_url

    @property
    def initial_decision(self) -> Decision:
        """The state before the editor decides: published only when the file says so."""
        return Decision.PUBLISHED if self.file_published is True else Decision.UNDECIDED


def _when(value: datetime | None) -> str | None:
    """A date as ISO 8601 text, or None."""
    return value.isoformat() if value else None


def _parse_when(value: str | None) -> datetime | None:
    """ISO 8601 text back to a date, or None."""
    return datetime.fromisoformat(value) if value else None


def article_to_dict(article: Article) -> dict[str, Any]:
    """A JSON-ready dict of every field (dates as ISO 8601 UTC)."""
    return {
        "id": article.id,
        "kind": article.kind,
        "title": article.title,
        "excerpt": article.excerpt,
        "body": article.body,
        "published_at": _when(article.published_at),
        "provider": article.provider,
        "domain": article.domain,
        "topics": list(article.topics),
        "quality": article.quality,
        "heat": article.heat,
        "type": article.type,
        "web_url": article.web_url,
        "original_url": article.original_url,
        "video_url": article.video_url,
        "images": list(article.images),
        "related": [
            {
                "title": r.title,
                "excerpt": r.excerpt,
                "url": r.url,
                "provider": r.provider,
                "domain": r.domain,
                "published_at": _when(r.published_at),
                "quality": r.quality,
            }
            for r in article.related
        ],
        "secured": article.secured,
        "file_published": article.file_published,
        "has_published_key": article.has_published_key,
        "problems": [{"field": p.field, "why": p.why} for p in article.problems],
    }


def article_from_dict(data: dict[str, Any]) -> Article:
    """The inverse of `article_to_dict`."""
    article_id = data["id"]
    return Article(
        id=article_id,
        kind=data["kind"],
        title=data["title"],
        excerpt=data["excerpt"],
        body=data["body"],
        published_at=_parse_when(data["published_at"]),
        provider=data["provider"],
        domain=data["domain"],
        topics=tuple(data["topics"]),
        quality=data["quality"],
        heat=data["heat"],
        type=data["type"],
        web_url=data["web_url"],
        original_url=data["original_url"],
        video_url=data["video_url"],
        images=tuple(data["images"]),
        related=tuple(
            RelatedLink(**{**r, "published_at": _parse_when(r["published_at"])})
            for r in data["related"]
        ),
        secured=data["secured"],
        file_published=data["file_published"],
        has_published_key=data["has_published_key"],
        problems=tuple(Problem(article_id, p["field"], p["why"]) for p in data["problems"]),
    )

"""The reporting commands: `stories` (clusters and their members) and `stats` (counts)."""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from reader.data import query
from reader.data.article import Decision
from reader.data.clean import escape_name
from reader.data.library import Library


def add_parsers(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Add `stories` and `stats` to the CLI's subcommands."""
    stories = command("stories", "list stories: articles about one story, grouped")
    stories.add_argument("path", nargs="?", type=Path, metavar="PATH")
    stories.add_argument("--all", action="store_true", help="include single-article stories")
    stories.add_argument("--format", choices=("text", "json"), default="text")
    stats = command("stats", "counts per state, and skip reasons per provider")
    stats.add_argument("path", nargs="?", type=Path, metavar="PATH")
    stats.add_argument("--format", choices=("text", "json"), default="text")


def _member(row: query.ArticleRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "provider": row.provider,
        "published_at": row.published_at.isoformat() if row.published_at else None,
        "quality": row.quality,
        "heat": row.heat,
        "state": row.state.value,
    }


def cmd_stories(library: Library, ns: argparse.Namespace, out: TextIO) -> int:
    """Every story with its members, largest first; singletons only with --all."""
    groups: dict[str, list[query.ArticleRow]] = {}
    for row in query.rows(library):
        groups.setdefault(row.story or row.id, []).append(row)
    found = sorted(
        ((story, members) for story, members in groups.items() if ns.all or len(members) > 1),
        key=lambda item: (-len(item[1]), item[0]),
    )
    if ns.format == "json":
        items = [{"story": s, "size": len(m), "members": [_member(r) for r in m]} for s, m in found]
        json.dump(items, out, ensure_ascii=False, indent=2)
        print(file=out)
        return 0
    for story, members in found:
        print(f"{len(members):>4}  {members[0].title}  [{escape_name(story)}]", file=out)
        for row in members:
            when = row.published_at.date().isoformat() if row.published_at else "----------"
            print(f"      {row.state.glyph} {when}  {row.provider[:24]:<24}  "
                  f"{escape_name(row.id)}", file=out)  # fmt: skip
    return 0


def cmd_stats(library: Library, ns: argparse.Namespace, out: TextIO) -> int:
    """Counts per state and skip reasons per provider."""
    counts = query.counts(library)
    reasons = query.reasons(library)
    if ns.format == "json":
        data = {
            "states": {d.value: n for d, n in counts.items()},
            "skip_reasons": [{"provider": p, "reason": r, "count": n} for p, r, n in reasons],
        }
        json.dump(data, out, ensure_ascii=False, indent=2)
        print(file=out)
        return 0
    total = sum(counts.values())
    print(f"{total} articles: " + ", ".join(f"{n} {d.value}" for d, n in counts.items()), file=out)
    if reasons:
        print("skip reasons by provider:", file=out)
        for provider, reason, count in reasons:
            print(f"  {count:>5}  {reason:<20}  {provider or '(no provider)'}", file=out)
    elif counts[Decision.SKIPPED]:
        print("no skip was given a reason", file=out)
    return 0

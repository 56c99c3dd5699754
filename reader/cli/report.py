"""The reporting commands: `stories` (clusters and their members) and `stats` (counts)."""

from __future__ import annotations

import argparse
import json
import os
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any, TextIO

from reader.data import query
from reader.data.article import Decision
from reader.data.clean import clean_line, escape_name
from reader.data.library import Library


class CliError(Exception):
    """A one-line error for the user; the exit status is 2."""


_RAW_IN_JSON = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
"""What JSON may carry raw but a terminal must not get: DEL, the C1 controls, the bidi
marks, embeddings, overrides and isolates, and lone surrogates (bytes of a file name that
were not UTF-8)."""


def write_json(data: Any, out: TextIO) -> None:
    """Print DATA as indented JSON, readable text kept as it is but the characters of
    `_RAW_IN_JSON` written as `\\uXXXX` escapes: still valid JSON that reads back as the
    same strings. Outside strings JSON is plain ASCII, so they can only be inside one."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    print(_RAW_IN_JSON.sub(lambda m: f"\\u{ord(m.group()):04x}", text), file=out)


def counted(n: int, noun: str) -> str:
    """`1 article`, `2 articles`: a count in words (`noun` takes an s)."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def stored_id(library: Library, given: str) -> str:
    """The id as stored for what the user typed: the id itself, or a path to the file inside
    the folder (`./x.md` from the folder, a path from the working folder, or an absolute one).
    A path that leads out of the folder is a CliError; any other word is returned as it is."""
    if library.article(given) is not None:
        return given
    absolute = os.path.isabs(given)
    relative = os.path.normpath(given)
    if not absolute and library.article(relative) is not None:
        return relative
    from_here = _inside(library.root, os.path.abspath(given))
    if from_here is not None and (absolute or library.article(from_here) is not None):
        return from_here
    leaves = absolute or relative == ".." or relative.startswith("../")
    if leaves and from_here is None:
        raise CliError(f"{escape_name(given)}: not in the article folder {library.root}")
    return given


def _inside(root: Path, path: str) -> str | None:
    """`path` (absolute, normalised) relative to `root` as an id, or None when it is not
    inside it; symbolic links in either are followed to find out."""
    candidates = [
        (Path(os.path.abspath(root)), Path(path)),
        (root.resolve(), Path(os.path.realpath(os.path.dirname(path))) / os.path.basename(path)),
    ]
    for base, where in candidates:
        try:
            found = where.relative_to(base).as_posix()
        except ValueError:
            continue
        return None if found == "." else found
    return None


def add_parsers(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Add `stories` and `stats` to the CLI's subcommands."""
    stories = command("stories", "list stories: articles about one story, grouped")
    stories.add_argument("path", nargs="?", type=Path, metavar="PATH")
    stories.add_argument("--all", action="store_true", help="include single-article stories")
    stories.add_argument("--format", choices=("text", "json"), default="text")
    stories.add_argument("--explain", metavar="ID",
                         help="say what ties one article to its story: URL, links, words")
    stories.add_argument("--recluster", action="store_true",
                         help="cluster every article anew first (after story_days changed)")
    stats = command("stats", "counts per state, and skip reasons per provider")
    stats.add_argument("path", nargs="?", type=Path, metavar="PATH")
    stats.add_argument("--format", choices=("text", "json"), default="text")


def _member(row: query.ArticleRow) -> dict[str, Any]:
    """One story member's JSON object for `stories --format json`."""
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
    if ns.recluster:
        library.recluster()
    if ns.explain is not None:
        return _explain(library, stored_id(library, ns.explain), ns.format, out)
    groups: dict[str, list[query.ArticleRow]] = {}
    for row in query.rows(library):
        groups.setdefault(row.story or row.id, []).append(row)
    found = sorted(
        ((story, members) for story, members in groups.items() if ns.all or len(members) > 1),
        key=lambda item: (-len(item[1]), item[0]),
    )
    if ns.format == "json":
        items = [{"story": s, "size": len(m), "members": [_member(r) for r in m]} for s, m in found]
        write_json(items, out)
        return 0
    for story, members in found:
        # The bracket names the story by its id, the smallest of its members': the title
        # beside it is that article's, not the newest member's (another file's).
        head = next((row for row in members if row.id == story), members[0])
        print(f"{len(members):>4}  {head.title}  [{escape_name(head.id)}]", file=out)
        for row in members:
            when = row.published_at.date().isoformat() if row.published_at else "----------"
            print(f"      {row.state.glyph} {when}  {row.provider[:24]:<24}  "
                  f"{escape_name(row.id)}", file=out)  # fmt: skip
    return 0


def _explain(library: Library, article_id: str, form: str, out: TextIO) -> int:
    """What ties one article to its story, for `stories --explain`."""
    found = library.explain_story(article_id)
    if found is None:
        raise CliError(f"unknown article id: {escape_name(article_id)}")
    if form == "json":
        data = {"id": article_id, "story": found.story, "size": found.size,
                "same_url": list(found.same_url), "related": list(found.related),
                "score": found.score, "shared_words": list(found.shared),
                "edited": found.edited}  # fmt: skip
        write_json(data, out)
        return 0
    name = escape_name
    print(f"{name(article_id)}: in story [{name(found.story)}] of "
          f"{counted(found.size, 'article')}", file=out)  # fmt: skip
    if found.size < 2:
        print("  alone: nothing else here is close enough in what it says and when", file=out)
    if found.edited == "split":
        print("  you split it out of its story", file=out)
    elif found.edited == "merge":
        print("  you merged it into this story", file=out)
    if found.same_url:
        shown = ", ".join(map(name, found.same_url[:3]))
        more = f" and {len(found.same_url) - 3} more" if len(found.same_url) > 3 else ""
        print(f"  same URL (copies of it): {shown}{more}", file=out)
    if found.related:
        print(f"  related links with: {', '.join(map(name, found.related[:5]))}", file=out)
    if found.size > 1 + len(found.same_url):
        words = ", ".join(found.shared) or "none"
        print(f"  closeness to the rest of the story: {found.score:.2f}; shared words: {words}",
              file=out)  # fmt: skip
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
        write_json(data, out)
        return 0
    total = sum(counts.values())
    states = ", ".join(f"{n} {d.value}" for d, n in counts.items())
    print(f"{counted(total, 'article')}: {states}", file=out)
    if reasons:
        print("skip reasons by provider:", file=out)
        for provider, reason, count in reasons:
            # A reason is kept as typed (`decide --reason`): cleaned here, as the app cleans one.
            print(f"  {count:>5}  {clean_line(reason):<20}  {provider or '(no provider)'}",
                  file=out)  # fmt: skip
    elif counts[Decision.SKIPPED]:
        print("no skip was given a reason", file=out)
    return 0

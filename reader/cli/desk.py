"""The desk's commands: sync, conflicts, claim and release; on reader.data only."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any, TextIO

from reader.cli.report import CliError, counted, write_json
from reader.data import query
from reader.data.article import Decision
from reader.data.clean import clean_line, escape_name
from reader.data.library import Library, Side, SyncError


def add_parsers(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Add `sync`, `conflicts`, `claim` and `release` to the CLI's subcommands."""
    command(
        "sync",
        "share your decisions with the desk through the site's git repository, and take "
        "the other editors' (commit your log, pull, push)",
    ).add_argument("path", nargs="?", type=Path, metavar="PATH")
    conflicts = command("conflicts", "list the articles editors decided differently")
    conflicts.add_argument("path", nargs="?", type=Path, metavar="PATH")
    conflicts.add_argument("--format", choices=("text", "json"), default="text")
    claim = command("claim", "claim articles for a while: the other editors' next undecided "
                             "passes them by (shared at the next sync)")
    claim.add_argument("path", nargs="?", type=Path, metavar="PATH")
    what = claim.add_mutually_exclusive_group()
    what.add_argument("--next", type=int, metavar="N", default=None,
                      help="the next N undecided articles nobody claimed (the default: 20)")
    what.add_argument("--provider", metavar="NAME")
    what.add_argument("--topic", metavar="TOPIC")
    what.add_argument("--list", action="store_true", help="list the claims in force")
    claim.add_argument("--hours", type=float, default=4.0, help="how long (default 4)")
    claim.add_argument("--format", choices=("text", "json"), default="text")
    command("release", "end your claims in force now (shared at the next sync)").add_argument(
        "path", nargs="?", type=Path, metavar="PATH")


def cmd_sync(library: Library, ns: argparse.Namespace, out: TextIO) -> int:
    """`sync`: exit status 0 when everything was exchanged with the remote, 1 when the
    remote could not be reached (every decision is kept for a later sync)."""
    try:
        done = library.sync(getattr(ns, "editor", None))
    except SyncError as error:
        raise CliError(f"{error}; no decision was lost, sync again once that is fixed") from None
    name = clean_line(done.editor)
    print(f"sync: {counted(done.shared, 'decision')} of {name} written to {done.log}"
          + (f", committed ({done.commit[:12]})" if done.commit else ""), file=out)
    for problem in done.problems:
        print(f"newsreader: {escape_name(problem.path)}: {problem.field}: {problem.why} "
              "(passed over)", file=sys.stderr)
    if done.note is not None:
        print(f"newsreader: not synced with the remote: {done.note}", file=sys.stderr)
    else:
        print("sync: the remote has your decisions, and you have the desk's", file=out)
    print(f"sync: {counted(done.received, 'new event')} from the desk, "
          f"{counted(len(done.changed), 'article')} changed state, "
          f"{counted(done.conflicts, 'conflict')}"
          + (" (newsreader conflicts lists them)" if done.conflicts else ""), file=out)
    return 0 if done.ok else 1


def _side(side: Side) -> dict[str, Any]:
    """One editor's standing decision in a conflict, as JSON."""
    return {"editor": side.editor, "state": side.state or "as its file says",
            "reason": side.reason, "at": side.at, "event": side.event}


def cmd_conflicts(library: Library, ns: argparse.Namespace, out: TextIO) -> int:
    """`conflicts`: each article editors decided differently, with who decided what; exit
    status 1 when there is any."""
    found = library.conflicts()
    if ns.format == "json":
        write_json([{"id": i, "state": library.decision(i).value,
                     "sides": [_side(s) for s in sides]} for i, sides in sorted(found.items())],
                   out)
    else:
        for article_id, sides in sorted(found.items()):
            said = "; ".join(f"{clean_line(s.editor or 'you')}: {s.state or 'as its file says'}"
                             + (f" ({clean_line(s.reason)})" if s.reason else "")
                             for s in sides)
            print(f"{escape_name(article_id)}: {said}", file=out)
        print(f"{counted(len(found), 'conflict')}"
              + ("; decide each again to resolve it (newsreader decide ID publish)"
                 if found else ""), file=sys.stderr)
    return 1 if found else 0


def cmd_claim(library: Library, ns: argparse.Namespace, out: TextIO) -> int:
    """`claim`: claim the next N undecided articles nobody claimed, a provider or a topic,
    for `--hours`; `--list`: the claims in force."""
    if ns.list:
        claims = library.claims()
        if ns.format == "json":
            write_json([{"id": c.event, "editor": c.editor, "at": c.at, "until": c.until,
                         "articles": list(c.articles), "provider": c.provider,
                         "topic": c.topic} for c in claims], out)
        for c in claims if ns.format == "text" else ():
            what = (f"provider {c.provider}" if c.provider is not None else
                    f"topic {c.topic}" if c.topic is not None else
                    counted(len(c.articles), "article"))
            print(f"{clean_line(c.editor or 'you')}: {clean_line(what)} until {c.until}",
                  file=out)
        return 0
    if not 0 < ns.hours <= 24 * 7:
        raise CliError("--hours must be more than 0 and at most a week (168)")
    until = library.now() + timedelta(hours=ns.hours)
    if ns.provider or ns.topic:
        claim = library.claim(until, provider=ns.provider, topic=ns.topic)
        print(f"claim: {clean_line(ns.provider or ns.topic)} until {claim.until}", file=out)
        return 0
    wanted = 20 if ns.next is None else ns.next
    if wanted < 1:
        raise CliError("--next must be at least 1")
    claimed = query.claimed(library, others_only=False)  # mine too: never claimed twice
    free = [r.id for r in query.rows(library, query.Filter(Decision.UNDECIDED))
            if r.id not in claimed][:wanted]
    if not free:
        print("claim: no undecided article is left unclaimed", file=sys.stderr)
        return 1
    claim = library.claim(until, free)
    for article_id in free:
        print(escape_name(article_id), file=out)
    print(f"claim: {counted(len(free), 'article')} until {claim.until} "
          "(the desk sees it at your next sync)", file=sys.stderr)
    return 0


def cmd_release(library: Library, ns: argparse.Namespace, out: TextIO) -> int:
    """`release`: end this store's own claims in force."""
    mine = [c.event for c in library.claims() if c.own]
    if not library.release(mine):
        print("release: you have no claim in force", file=sys.stderr)
        return 1
    print(f"release: {counted(len(mine), 'claim')} ended (the desk sees it at your next sync)",
          file=out)
    return 0


HANDLERS = {"sync": cmd_sync, "conflicts": cmd_conflicts, "claim": cmd_claim,
            "release": cmd_release}

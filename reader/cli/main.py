"""The headless commands: check, list, show, decide, undo, redo, export, apply; on reader.data."""

from __future__ import annotations

import argparse
import csv
import sys
from collections.abc import Callable, Sequence
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from reader import __version__
from reader.cli import desk as cli_desk
from reader.cli import report as cli_report
from reader.cli.names import OneLineParser, default_root
from reader.cli.report import CliError, counted, stored_id, write_json
from reader.config import Settings
from reader.data import query, writeback
from reader.data.article import Article, Decision, article_to_dict
from reader.data.clean import clean_line, escape_name
from reader.data.library import Change, Library, LibraryError, StoreError
from reader.paths import bundled_seeds

if TYPE_CHECKING:
    from reader.data.library import EffectiveState

ACTIONS = {"publish": Decision.PUBLISHED, "skip": Decision.SKIPPED, "clear": Decision.UNDECIDED}


def build_parser() -> argparse.ArgumentParser:
    """The parser for every subcommand (the TUI's own arguments are parsed in __main__)."""
    parser = OneLineParser(prog="newsreader", description="Triage a folder of news articles.")
    parser.add_argument("--version", action="version", version=f"newsreader {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        """Add the subcommand `name`, with `text` as its help and the `--db` every command takes."""
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("--db", type=Path, metavar="FILE", help="the decisions database")
        return p

    command("check", "list every problem, one per line; exit 1 if there are any").add_argument(
        "path", nargs="?", type=Path, metavar="PATH"
    )
    ls = command("list", "list articles")
    ls.add_argument("path", nargs="?", type=Path, metavar="PATH")
    ls.add_argument("--state", choices=[*(d.value for d in Decision), "all"], default="all")
    ls.add_argument("--search", metavar="TEXT", help="full-text search")
    ls.add_argument("--topic", metavar="TOPIC")
    ls.add_argument("--provider", metavar="NAME")
    ls.add_argument("--live-undecided", action="store_true",
                    help="only the articles that are live and that nobody decided")
    ls.add_argument("--sort", choices=query.SORTS, default="date")
    ls.add_argument("--format", choices=("table", "json", "csv"), default="table")
    show = command("show", "show one article")
    show.add_argument("args", nargs="+", metavar="[PATH] ID")
    show.add_argument("--format", choices=("text", "json"), default="text")
    decide = command("decide", "publish, skip or clear articles (one undoable step)")
    decide.add_argument("args", nargs="+", metavar="[PATH] ID... {publish,skip,clear}")
    decide.add_argument("--reason", metavar="TEXT")
    for name, text in (("undo", "undo the last step"), ("redo", "redo the last undone step")):
        command(name, text).add_argument("path", nargs="?", type=Path, metavar="PATH")
    cli_report.add_parsers(command)
    cli_desk.add_parsers(command)
    export = command("export", "write the journal of every change")
    export.add_argument("path", nargs="?", type=Path, metavar="PATH")
    export.add_argument("--format", choices=("json", "csv"), default="json")
    apply = command("apply", "write the editor's decisions into the files' `published:` lines")
    apply.add_argument("path", nargs="?", type=Path, metavar="PATH")
    how = apply.add_mutually_exclusive_group()
    how.add_argument(
        "--dry-run", action="store_true", help="print a unified diff of each change; write nothing"
    )
    how.add_argument(
        "--commit", action="store_true", help="then commit exactly the files written (git)"
    )
    command(
        "commit",
        "commit the files an earlier `apply --commit` wrote but did not get to commit (git)",
    ).add_argument("path", nargs="?", type=Path, metavar="PATH")
    return parser


def _split_path(args: list[str], settings: Settings) -> tuple[Path, list[str]]:
    """A leading folder argument is PATH (an id is always a file, never a folder)."""
    if len(args) > 1 and Path(args[0]).is_dir():
        return Path(args[0]), args[1:]
    return default_root(settings), args


def open_library(root: Path, db: Path | None, settings: Settings, refresh: bool = True
                 ) -> Library:
    """Open and refresh the library, with progress on a terminal for a long first scan
    (`refresh` False: open it only; `sync` refreshes when a pull changed the folder)."""
    library = Library(root, db or settings.db, story_window=timedelta(days=settings.story_days),
                      site=settings.site)
    if not refresh:
        return library

    def progress(done: int, total: int) -> None:
        """Show `done` of `total` on one terminal line, for a large scan only."""
        if total >= 2000:
            end = "\n" if done == total else ""
            print(f"\rindexing {done:,}/{total:,} files", end=end, file=sys.stderr, flush=True)

    result = library.refresh(progress if sys.stderr.isatty() else None)
    for old, new in result.moved:
        print(f"newsreader: your decision followed its file to its new name: "
              f"{escape_name(old)} -> {escape_name(new)} (newsreader undo takes it back)",
              file=sys.stderr)
    if library.index_rebuilt:
        print(
            "newsreader: the index was damaged and has been rebuilt from the files", file=sys.stderr
        )
    return library


def _known(library: Library, given: str) -> Article:
    """The article the user named (its id, or a path to its file inside the folder), or a
    `CliError` when the library has none."""
    article = library.article(stored_id(library, given))
    if article is None:
        raise CliError(f"unknown article id: {escape_name(given)}")
    return article


def record(article: Article, state: Decision, reason: str | None = None,
           live: EffectiveState | None = None) -> dict[str, Any]:
    """The JSON object for one article, as `list` and `show` print it; LIVE is what Jekyll
    does with it (`live`, `live_because`)."""
    data = article_to_dict(article)
    return {
        "id": article.id,
        "title": article.title,
        "excerpt": article.excerpt,
        "published_at": data["published_at"],
        "provider": article.provider,
        "domain": article.domain,
        "url": article.url,
        "topics": list(article.topics),
        "quality": article.quality,
        "heat": article.heat,
        "type": article.type,
        "state": state.value,
        "reason": reason,
        "file_published": article.file_published,
        "related": [
            {k: r[k] for k in ("title", "url", "provider", "published_at")} for r in data["related"]
        ],
        "problems": [f"{p['field']}: {p['why']}" for p in data["problems"]],
        "kind": article.kind,
        "video_url": article.video_url,
        "images": list(article.images),
        "body": article.body,
        "live": None if live is None else live.live,
        "live_because": None if live is None else live.because,
    }


def _story(listed: query.Listed) -> dict[str, Any]:
    """The story fields `list --format json` adds to an article's record."""
    return {"story": listed.story, "story_size": listed.story_size}


def _desk_fields(library: Library) -> Callable[[str], dict[str, Any]]:
    """The desk's fields `list --format json` adds to an article's record: who decided it
    and when (None: nobody, or its file), whether editors decided it differently, and who
    claimed it (a claim in force of another editor's, or `you`)."""
    by, conflicts = library.decided_by(), library.conflicts()
    claims = query.claimed(library, others_only=False)

    def fields(article_id: str) -> dict[str, Any]:
        editor, at = by.get(article_id, (None, None))
        claimer = claims.get(article_id, "")
        return {
            "decided_by": (editor or "you") if at else None,
            "decided_at": at,
            "conflict": article_id in conflicts,
            "claimed_by": None if claimer == "" else claimer or "you",
        }

    return fields


def _date(article: Article) -> str:
    """The article's date as `YYYY-MM-DD`, or dashes of that width when it has none."""
    return article.published_at.date().isoformat() if article.published_at else "----------"


def cmd_check(library: Library, ns: argparse.Namespace, out: TextIO) -> int:
    """`check`: print every problem, every decision whose file is gone and every file
    written by `apply --commit` and not yet committed, one a line; exit status 1 if there
    are any."""
    problems = library.problems()
    for p in problems:
        print(f"{escape_name(p.path)}: {p.field}: {p.why}", file=out)
    gone = library.gone_decisions()
    for article_id, decision in gone:
        print(f"{escape_name(article_id)}: decision: {decision.value}, but the file is gone "
              "(newsreader decide ID clear forgets it)", file=out)
    owed = library.owed_commits()
    for article_id in owed:
        print(f"{escape_name(article_id)}: commit: apply --commit wrote it, and no commit holds "
              "it yet (newsreader commit commits it)", file=out)  # fmt: skip
    stops = _check_site(library, out)
    return 1 if problems or gone or owed or stops else 0


LIVE_SHOWN = 20
"""Live articles nobody decided that `check` names; the rest are counted."""


def _check_site(library: Library, out: TextIO) -> int:
    """Print what of the site stops Jekyll's build (its config, an article) to OUT, one a
    line, and return how many; say which site is used and which live articles nobody
    decided on stderr (no problem: worth knowing)."""
    site = library.site()
    print(f"newsreader: {site.summary}", file=sys.stderr)
    stops = 0
    if site.config_path is not None and site.rules is None and "stops" in site.problem:
        print(f"{escape_name(str(site.config_path))}: site: {site.problem}", file=out)
        stops += 1
    if site.rules is not None:
        for warning in site.rules.warnings:
            print(f"newsreader: {escape_name(str(site.config_path))}: {warning}", file=sys.stderr)
    states = {**library.problem_states(), **library.site_states()}
    for article_id, state in sorted(states.items()):
        if state.stops_build:
            print(f"{escape_name(article_id)}: site: {state.because}", file=out)
            stops += 1
    live = library.live_undecided()
    print(f"newsreader: live without a decision: {len(live)}", file=sys.stderr)
    for article_id in live[:LIVE_SHOWN]:
        print(f"newsreader:   {escape_name(article_id)}: {states[article_id].because}",
              file=sys.stderr)
    if len(live) > LIVE_SHOWN:
        print(f"newsreader:   and {len(live) - LIVE_SHOWN:,} more (newsreader list "
              "--live-undecided lists them)", file=sys.stderr)
    return stops


def cmd_list(library: Library, ns: argparse.Namespace, out: TextIO) -> int:
    """`list`: the articles the filter selects, as a table, JSON or CSV (a table's counts go to
    stderr)."""
    state = None if ns.state == "all" else Decision(ns.state)
    flt = query.Filter(state, ns.search, ns.topic, ns.provider, ns.sort,
                       live_undecided=ns.live_undecided)
    found = query.articles(library, flt, read="list" if ns.format == "json" else "row")
    live = library.site_states(None if len(found) > 500 else [i.article.id for i in found])
    if ns.format == "json":
        desk = _desk_fields(library)
        items = [record(i.article, i.state, i.reason, live[i.article.id]) | _story(i)
                 | desk(i.article.id) for i in found]
        write_json(items, out)
    elif ns.format == "csv":
        writer = csv.writer(out)
        writer.writerow(
            [
                "id",
                "state",
                "published_at",
                "provider",
                "title",
                "url",
                "quality",
                "heat",
                "type",
                "topics",
                "file_published",
                "reason",
                "live",
                "live_because",
            ]
        )
        for a, s, reason, *_ in found:
            writer.writerow(
                [
                    escape_name(a.id),  # CSV goes to spreadsheets and terminals: no raw bytes
                    s.value,
                    a.published_at.isoformat() if a.published_at else "",
                    a.provider,
                    a.title,
                    a.url,
                    a.quality,
                    a.heat,
                    a.type,
                    "; ".join(a.topics),
                    a.file_published,
                    reason,
                    live[a.id].live,
                    live[a.id].because,
                ]
            )
    else:
        for a, s, *_ in found:
            on = "live" if live[a.id].live else "    "
            print(
                f"{s.glyph} {on}  {_date(a)}  {a.provider[:24]:<24}  {a.title}  "
                f"[{escape_name(a.id)}]",
                file=out,
            )
        counts = query.counts(library)
        print(
            f"{len(found)} shown; " + ", ".join(f"{n} {d.value}" for d, n in counts.items()),
            file=sys.stderr,
        )
    return 0


def cmd_show(library: Library, ns: argparse.Namespace, out: TextIO) -> int:
    """`show`: one article with its state, fields, body and problems, as text or JSON."""
    if len(ns.args) != 1:
        raise CliError("show takes one article id; see newsreader show --help")
    article = _known(library, ns.args[0])
    state, reason = library.decision(article.id), library.reason(article.id)
    live = library.site_state(article.id)
    if ns.format == "json":
        write_json(record(article, state, reason, live), out)
        return 0
    lines = [
        article.title or "(no title)",
        f"  id:        {escape_name(article.id)}",
        f"  state:     {state.value}" + (f" ({reason})" if reason else ""),
        f"  date:      {article.published_at.isoformat() if article.published_at else '-'}",
        f"  provider:  {article.provider} ({article.domain})"
        if article.domain
        else f"  provider:  {article.provider or '-'}",
        f"  topics:    {', '.join(article.topics) or '-'}",
        f"  quality:   {article.quality}   heat: {article.heat}   type: {article.type}",
        f"  url:       {article.url or '-'}",
        f"  published: {_file_published(article)}",
    ]
    if live is not None:
        lines.append(f"  on site:   {'live' if live.live else 'not live'}: {live.because}")
    if article.video_url:
        lines.append(f"  video:     {article.video_url}")
    lines += [f"  image:     {url}" for url in article.images]
    if article.excerpt:
        lines += ["", article.excerpt]
    if article.body:
        lines += ["", article.body]
    for r in article.related:
        lines.append(f"  related:   {r.provider or '-'}: {r.title} <{r.url}>")
    lines += [f"  problem:   {p.field}: {p.why}" for p in article.problems]
    print("\n".join(lines), file=out)
    return 0


def _file_published(article: Article) -> str:
    """What the file's `published:` line says, in words for `show`."""
    if not article.has_published_key:
        return "(no published: key; Jekyll publishes it)"
    return {True: "true", False: "false", None: "(empty)"}[article.file_published]


def cmd_decide(library: Library, ns: argparse.Namespace, out: TextIO) -> int:
    """`decide`: publish, skip or clear the given articles in one undoable step."""
    *given, action = ns.args
    if action not in ACTIONS:
        raise CliError(
            f"the last word must be publish, skip or clear, not {escape_name(action)}"
            "; see newsreader decide --help"
        )
    if not given:
        raise CliError("name at least one article; see newsreader decide --help")
    decision = ACTIONS[action]
    gone = {i for i, _ in library.gone_decisions()} if decision is Decision.UNDECIDED else set()
    ids = list(dict.fromkeys(name if name in gone else _known(library, name).id
                             for name in given))  # a gone file's decision can be cleared
    # A reason is one plain line, as the app's reason dialog keeps it: no escapes or
    # control characters reach a table, a CSV, an export or a commit message later.
    reason = clean_line(ns.reason) or None if ns.reason else None
    batch = library.decide(ids, decision, reason if decision != Decision.UNDECIDED else None)
    what = "no change" if batch is None else f"step {batch}"
    print(f"{decision.value}: {counted(len(ids), 'article')}, {what}", file=out)
    return 0


def _undo_redo(name: str) -> Callable[[Library, argparse.Namespace, TextIO], int]:
    """The handler of `undo` or `redo` (`name`): the two differ only in the step they take."""
    def run(library: Library, ns: argparse.Namespace, out: TextIO) -> int:
        """Take the step back (or again) and print what it changed; exit status 1 when there
        was none."""
        try:
            change = library.undo() if name == "undo" else library.redo()
        except writeback.FolderBusy as error:
            raise CliError(str(error)) from None
        if change is None:
            print(f"nothing to {name}", file=out)
            return 1
        if change.kind == "apply":
            return _files_step(name, change, out)
        if change.kind == "story":  # the articles' stories changed, not their states
            for article_id, action, target in change.edits:
                where = "out of its story" if target is None else (
                    f"into the story of {escape_name(target)}")
                print(f"{name}: {action} of {escape_name(article_id)} {where}", file=out)
            return 0
        for article_id in change.ids:
            print(
                f"{name}: {escape_name(article_id)} is now "
                f"{library.decision(article_id).value}",
                file=out,
            )
        return 0

    return run


def _files_step(name: str, change: Change, out: TextIO) -> int:
    """What an undo or redo of an apply did to the files."""
    verb = "restored" if name == "undo" else "rewrote"
    for article_id in change.ids:
        print(f"{name}: {verb} {escape_name(article_id)}", file=out)
    for problem in change.refused:
        print(f"{name}: not {verb}: {escape_name(problem.path)}: {problem.why}", file=out)
    print(
        f"{name}: {counted(len(change.ids), 'file')} {verb}, {len(change.refused)} left as they "
        "were",
        file=out,
    )
    if name == "undo" and change.commit and change.ids:
        print(f"undo: the apply's commit {change.commit[:12]} stays in git; the restored files "
              "now differ from it", file=out)  # fmt: skip
    return 1 if change.refused else 0


def cmd_apply(library: Library, ns: argparse.Namespace, out: TextIO) -> int:
    """`apply`: write the decisions into the files' `published:` lines (and commit them), or
    with `--dry-run` print each change's diff; exit status 1 if any file was not written."""
    found = library.plan_apply(verify=ns.dry_run)  # apply verifies each file anyway
    if ns.dry_run:
        for edit in found.edits:
            print(writeback.diff(edit), end="", file=out)
        _report("would write", found.edits, found.skipped, out)
        _report_undecided(found.undecided, out)
        print(
            f"apply --dry-run: {counted(len(found.edits), 'file')} would be written, "
            f"{len(found.skipped)} not",
            file=out,
        )
        return 1 if found.skipped else 0
    if library.root.resolve() == bundled_seeds().resolve():
        raise CliError("the bundled demo articles are never rewritten: give an article folder")
    try:
        done = library.apply(found.edits, commit=ns.commit)
    except writeback.FolderBusy as error:
        raise CliError(str(error)) from None
    skipped = found.skipped + done.skipped
    _report("wrote", done.written, skipped, out)
    if done.store_lost is not None:  # the files above are written; no store knows of them
        raise CliError(done.store_lost)
    _report_undecided(found.undecided, out)
    print(f"apply: {counted(len(done.written), 'file')} written, {len(skipped)} not", file=out)
    if done.commit is not None:
        _report_commit(done.commit, out)
    else:
        _report_owed(library, out)
    return 0 if done.ok and not found.skipped else 1


def cmd_commit(library: Library, ns: argparse.Namespace, out: TextIO) -> int:
    """`commit`: commit the files earlier `apply --commit` runs wrote and did not get to
    commit; exit status 1 if any is still not committed."""
    try:
        done = library.commit_owed()
    except writeback.FolderBusy as error:
        raise CliError(str(error)) from None
    assert done.commit is not None
    _report_commit(done.commit, out)
    if done.commit.sha is None and done.commit.ok:
        print("commit: nothing to commit: every file newsreader wrote is in a commit", file=out)
    return 0 if done.ok else 1


def _report_owed(library: Library, out: TextIO) -> None:
    """Say which files an earlier `apply --commit` wrote and did not get to commit."""
    owed = library.owed_commits()
    for article_id in owed:
        print(f"not committed yet: {escape_name(article_id)}: an earlier apply --commit wrote it",
              file=out)  # fmt: skip
    if owed:
        print(f"apply: {counted(len(owed), 'file')} written by an earlier apply --commit "
              "not yet in a commit: `newsreader commit` commits them", file=out)  # fmt: skip


def _report(
    verb: str, edits: list[writeback.Edit], skipped: list[writeback.Skipped], out: TextIO
) -> None:
    """Print each edit as `verb` and each skipped file with why it was not written."""
    for edit in edits:
        action = writeback.ACTIONS[edit.decision]
        print(f"{verb}: {escape_name(edit.id)}: {action} ({edit.summary})", file=out)
    for item in skipped:
        action = writeback.ACTIONS[item.decision]
        print(f"not written: {escape_name(item.id)}: {action}: {item.why}", file=out)


def _report_undecided(ids: list[str], out: TextIO) -> None:
    """Print each article made undecided whose file still reads as live: nothing is written
    for it (not a failure, but the site goes on publishing it)."""
    for article_id in ids:
        print(f"left as it is: {escape_name(article_id)}: undecided: nothing to write "
              "(its file still says published)", file=out)


def _report_commit(commit: writeback.CommitResult, out: TextIO) -> None:
    """Print the files owed no commit any more, those left out of the commit, the files a
    hook added to it, then the commit (as git holds it) or why there was none."""
    for article_id in commit.settled:
        print(f"owes no commit now: {escape_name(article_id)}: committed already, put back "
              "by an undo, or gone", file=out)  # fmt: skip
    for article_id, why in commit.left_out:
        print(f"not committed: {escape_name(article_id)}: {why}", file=out)
    for path in commit.extra:
        print(f"warning: the commit also holds {escape_name(path)}, which newsreader did not "
              "write (a git hook added it)", file=out)  # fmt: skip
    if commit.sha:
        earlier = f", {len(commit.earlier)} of them written by an earlier apply" * bool(
            commit.earlier
        )
        print(f"commit: {commit.sha[:12]} ({counted(len(commit.ids), 'file')}{earlier})",
              file=out)  # fmt: skip
    elif commit.note:
        print(f"no commit: {commit.note}", file=out)


EXPORTED = ("seq", "batch", "kind", "at", "id", "old_state", "new_state", "reason", "old_line",
            "new_line", "ref", "commit")  # fmt: skip
"""The fields of each entry `export` writes: the journal's, the lines of an apply step, the
step an undo or redo acts on (`ref`) and the git commit an apply made (`commit`). A `seq`
numbers a change of state in the journal, or a line in the apply steps' own record: the
two are numbered apart."""


def cmd_export(library: Library, ns: argparse.Namespace, out: TextIO) -> int:
    """`export`: the journal of every change, with each line an apply step wrote into a file
    and each undo and redo of an apply step, oldest first, as JSON or CSV."""
    entries: list[dict[str, Any]] = [
        {f: getattr(e, f, None) for f in EXPORTED} for e in library.journal()
    ]
    lines = _apply_entries(library)
    entries += lines + _files_step_entries(library, lines)
    entries.sort(key=lambda entry: entry["batch"])  # steps are numbered in the order made
    if ns.format == "json":
        write_json(entries, out)
    else:
        writer = csv.writer(out)
        writer.writerow(EXPORTED)
        # CSV goes to spreadsheets and terminals: names escaped, as `list` writes them.
        writer.writerows(
            [escape_name(e[f]) if f == "id" else e[f] for f in EXPORTED] for e in entries
        )
    return 0


def _entry(**given: Any) -> dict[str, Any]:
    """One entry of `export`, with every field of EXPORTED (None when not given)."""
    return {f: given.get(f) for f in EXPORTED}


def _apply_entries(library: Library) -> list[dict[str, Any]]:
    """An entry for each line an apply step wrote into an article file: its seq, step and
    time, the state it wrote, the line it replaced (None when it added one), the new line,
    and the git commit the step made (None when it made none)."""
    commits = library.apply_commits()
    return [
        _entry(seq=w.seq, batch=w.batch, kind="apply", at=w.at, id=w.id, new_state=w.state,
               old_line=_line(w.old_line) or None, new_line=_line(w.new_line),
               commit=commits.get(w.batch))
        for w in library.written_lines()
    ]  # fmt: skip


def _files_step_entries(library: Library, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An entry for each file of an apply step that an undo or a redo acted on: the undo
    or redo (`batch`, `kind`), its time, the apply step (`ref`) and the file (`id`), one
    for each of the step's `lines` (its entries, as `_apply_entries` made them).

    The store keeps no more of such a step: not which of those files it restored (or wrote
    again) and which it left as they were because they had changed since, so `old_line`
    and `new_line` are None (the lines are the apply's own entries, undone or redone), and
    so is `seq` (the step has no line of its own).
    """
    files: dict[int, list[str]] = {}
    for line in lines:
        files.setdefault(line["batch"], []).append(line["id"])
    return [
        _entry(batch=step.batch, kind=step.kind, at=step.at, id=article_id, ref=step.ref)
        for step in library.files_steps()
        for article_id in files.get(step.ref, [])
    ]


def _line(raw: bytes) -> str:
    """One line of an article file as text, without its line ending."""
    return raw.decode("utf-8", "replace").rstrip("\r\n")


HANDLERS: dict[str, Callable[[Library, argparse.Namespace, TextIO], int]] = {
    "check": cmd_check,
    "list": cmd_list,
    "show": cmd_show,
    "decide": cmd_decide,
    "undo": _undo_redo("undo"),
    "redo": _undo_redo("redo"),
    "export": cmd_export,
    "apply": cmd_apply,
    "commit": cmd_commit,
    "stories": cli_report.cmd_stories,
    "stats": cli_report.cmd_stats,
    **cli_desk.HANDLERS,
}


def run(argv: Sequence[str], settings: Settings, out: TextIO | None = None) -> int:
    """Run one subcommand; errors become one line on stderr and exit status 2. Output goes
    to `out`, else to the stdout of the moment (not the one of the import)."""
    out = out if out is not None else sys.stdout
    ns = build_parser().parse_args(argv)
    try:
        if hasattr(ns, "args"):
            root, ns.args = _split_path(ns.args, settings)
        else:
            root = ns.path or default_root(settings)
        library = open_library(root, ns.db, settings, refresh=ns.command != "sync")
        ns.editor = settings.editor
        try:
            return HANDLERS[ns.command](library, ns, out)
        finally:
            library.close()
    except (CliError, LibraryError, StoreError) as error:
        print(f"newsreader: error: {error}", file=sys.stderr)
        return 2

"""Every case of the hostile corpus, through every CLI command and the running app."""

from __future__ import annotations

import asyncio
import importlib.util
import io
import json
import os
import re
import shutil
import sys
from contextlib import redirect_stderr
from pathlib import Path
from typing import Any

import pytest

from reader.app import make_app
from reader.cli.main import run
from reader.config import Settings
from reader.data.clean import escape_name, is_openable

from .helpers import Counts

CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
"""What must never reach a terminal (LF and TAB are layout; CR only in CSV line ends)."""

KNOWN_LEAKS: dict[str, list[str]] = {}
"""Commands allowed to print a control character (none: CSV ids are escaped too)."""

Case = tuple[str, str, str]
"""(id, case, expectation) of one manifest row."""


def _manifest(hostile_dir: Path) -> list[Case]:
    script = Path(__file__).resolve().parents[2].parent / "shared/corpus/hostile/make_hostile.py"
    spec = importlib.util.spec_from_file_location("make_hostile", script)
    assert spec is not None and spec.loader is not None
    module = sys.modules.get("make_hostile") or importlib.util.module_from_spec(spec)
    if "make_hostile" not in sys.modules:
        sys.modules["make_hostile"] = module
        spec.loader.exec_module(module)
    return [(os.fsdecode(n), c, e) for n, c, e in module.read_manifest(hostile_dir / "cases.tsv")]


@pytest.fixture
def hostile_copy(hostile_dir: Path, tmp_path: Path) -> tuple[Path, list[Case]]:
    """A private copy of the hostile corpus (links kept as links) and its manifest."""
    root = Path(shutil.copytree(hostile_dir, tmp_path / "hostile", symlinks=True))
    return root, _manifest(hostile_dir)


def cli(*argv: str | Path) -> tuple[int, str, str]:
    """Run one CLI command in process: (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stderr(err):
        try:
            status = run([str(a) for a in argv], Settings(), out)
        except SystemExit as stop:  # argparse
            status = int(stop.code or 0)
    return status, out.getvalue(), err.getvalue()


def _controls(text: str) -> list[str]:
    """The control characters in TEXT (a CSV line end is fine)."""
    return sorted(set(CONTROLS.findall(text.replace("\r\n", "\n"))))


def _shown(record: dict[str, Any], field: str) -> str | None:
    """The text the reader shows for a manifest FIELD (None: not in the CLI's record)."""
    related = re.fullmatch(r"related\[(\d+)\]\.(title|webUrl)", field)
    if related:
        items = record["related"]
        n = int(related.group(1))
        if n >= len(items):
            return ""
        return str(items[n]["title" if related.group(2) == "title" else "url"] or "")
    value = {
        "title": record["title"],
        "excerpt": record["excerpt"],
        "provider.name": record["provider"],
        "topics": ", ".join(record["topics"]),
        "webUrl": record["url"],
        "date": (record["published_at"] or "")[:10],
        "quality": record["quality"],
        "published": {True: "true", False: "false", None: "unset"}[record["file_published"]],
        "file": escape_name(record["id"]),  # how `list` and `show` print a name
    }.get(field)
    return None if value is None else str(value if value is not None else "")


CLASSES = {
    "ESC": "\x1b", "BEL": "\x07", "BS": "\x08", "CR": "\r", "LF": "\n", "TAB": "\t",
    "NUL": "\x00", "C0": "[\x00-\x1f]", "C1": "[\x80-\x9f]", "BIDI": "[\u202a-\u202e\u2066-\u2069]",
    "LINEBREAK": "[\n\r\x0b\x0c\x85\u2028\u2029]", "SURROGATE": "[\ud800-\udfff]",
}  # fmt: skip


def check(record: dict[str, Any], expectation: str) -> list[str]:
    """The checks of one `loads` row that fail for RECORD (those the CLI can show)."""
    head = expectation.split(" # ")[0]
    failed = []
    for item in head.partition(":")[2].split(";"):
        item = item.strip()
        if not item:
            continue
        match = re.fullmatch(
            r"(\S+?)(=| contains | starts with | lacks | has no | unset| is text"
            r"| not openable| openable)(.*)",
            item,
        )
        assert match, item
        field, op, arg = match.groups()
        shown = _shown(record, field)
        if shown is None:
            continue
        ok = {
            "=": shown == arg,
            " contains ": arg in shown,
            " starts with ": shown.startswith(arg),
            " lacks ": arg not in shown,
            " has no ": not re.search(CLASSES.get(arg, "$^"), shown),
            " unset": shown in ("", "0") if field == "quality" else shown in ("", "unset"),
            " is text": isinstance(shown, str),
            " not openable": not is_openable(shown),
            " openable": is_openable(shown),
        }[op]
        if not ok:
            failed.append(f"{item} (shown: {shown[:80]!r})")
    return failed


def test_every_hostile_case_in_every_cli_command(
    hostile_copy: tuple[Path, list[Case]], tmp_path: Path, counts: Counts
) -> None:
    root, cases = hostile_copy
    db = tmp_path / "data" / "decisions.db"
    before = {p: p.read_bytes() for p in root.rglob("*") if p.is_file() and not p.is_symlink()}
    leaks: dict[str, list[str]] = {}

    def call(*argv: str | Path, ok: tuple[int, ...] = (0, 1)) -> str:
        status, out, err = cli(*argv, "--db", db)
        where = " ".join(map(str, argv[:1] + argv[2:]))
        assert status in ok, f"{where}: exit {status}: {err}"
        assert "Traceback" not in out + err, where
        if found := _controls(out + err):
            leaks[where if argv[0] != "show" else f"show {argv[3:]}"] = found
        return out

    listed = {r["id"]: r for r in json.loads(call("list", root, "--format", "json"))}
    call("list", root)
    call("list", root, "--format", "csv")
    problems = call("check", root)
    for args in (("stories", root), ("stats", root), ("export", root)):
        call(*args)
    for article_id in listed:
        call("show", root, article_id)
        call("show", root, article_id, "--format", "json")
    call("decide", root, *listed, "skip", "--reason", "[bold]x[/] \x1b[31m")
    call("apply", root, "--dry-run")
    call("apply", root)
    call("undo", root)
    call("redo", root)
    call("undo", root)
    failures = []
    for name, case, expectation in cases:
        kind = expectation.split(" # ")[0].split(":")[0]
        if kind == "loads":
            record = listed.get(name)
            wrong = ["not listed"] if record is None else check(record, expectation)
        elif kind == "problem":
            wrong = [] if name not in listed else ["listed as an article"]
            if escape_name(name) not in problems:
                wrong.append("`check` does not name it")
        else:
            wrong = [] if name not in listed else ["listed as an article"]
        if wrong:
            failures.append(f"{case}: {'; '.join(wrong)}")
        else:
            counts.hostile += 1
    assert not failures, "\n".join(failures)
    unknown = {w: f for w, f in leaks.items() if not set(f) <= set(KNOWN_LEAKS.get(w, ()))}
    assert unknown == {}, unknown
    # Undo brought every file back; no link was followed out of the folder.
    for path, data in before.items():
        counts.files += 1
        counts.damaged += path.read_bytes() != data
    assert counts.damaged == 0
    assert (root / "passwd.md").is_symlink() and (root / "passwd.md").resolve() == Path(
        "/etc/passwd"
    ).resolve()


def test_every_hostile_case_in_the_running_app(
    hostile_copy: tuple[Path, list[Case]], tmp_path: Path, counts: Counts
) -> None:
    root, cases = hostile_copy
    db = tmp_path / "data" / "decisions.db"
    listed = {r["id"] for r in json.loads(cli("list", root, "--format", "json", "--db", db)[1])}
    opened: list[str] = []

    async def drive() -> dict[str, str]:
        app = make_app(root, db, Settings())
        app.open_url = lambda url, **kw: opened.append(url)  # type: ignore[method-assign]
        rendered: dict[str, str] = {}
        async with app.run_test(size=(120, 40)) as pilot:
            await app.workers.wait_for_complete()
            await pilot.pause()
            lst = app.screen.article_list  # type: ignore[attr-defined]
            if lst.grouped:  # hostile files alike in what they say are one story: unfold
                await pilot.press("z")
                await pilot.pause()
            shown = {row.id for row in lst.rows}
            assert listed <= shown or len(shown) >= len(listed), "the app lists fewer"
            for article_id in sorted(listed):
                lst.cursor_id = article_id
                await pilot.pause()
                await pilot.press("o")
                await pilot.pause()
                rendered[article_id] = "\n".join(
                    str(getattr(w.render(), "plain", w.render()))
                    for w in app.screen.walk_children()
                    if w.display
                )
            assert app.return_code is None, "the app stopped (a [@click=app.quit] ran?)"
        return rendered

    rendered = asyncio.run(drive())
    assert opened, "no link was opened at all: is open_url still the way out?"
    bad_urls = [u for u in opened if not is_openable(u)]
    assert not bad_urls, f"passed to the browser: {bad_urls}"
    assert not [u for u in opened if re.match(r"(?i)\s*(javascript|file|data):", u)]
    failures = []
    for name, case, expectation in cases:
        if expectation.startswith("loads") and name not in rendered:
            failures.append(f"{case}: not shown")
            continue
        text = rendered.get(name, "")
        found = CONTROLS.findall(text)
        if found:
            failures.append(f"{case}: rendered {sorted(set(found))!r}")
            continue
        counts.hostile += 1
    assert not failures, "\n".join(failures)

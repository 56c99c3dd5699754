"""Reaching the file behind an article and seeing what is wrong: `e` edits the file, `F`
shows its front matter, `!` (or a click on the status bar's count) lists every problem,
and skip reasons show in the list and can be changed."""

from __future__ import annotations

import argparse
import io
import os
import shlex
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Label, OptionList, TextArea

from reader.app import NewsReader
from reader.cli.main import cmd_check
from reader.data.article import Decision
from reader.data.library import Library
from reader.data.query import ArticleRow
from reader.dialogs.problems import ProblemsScreen
from reader.dialogs.raw import RawScreen
from reader.dialogs.reason import CHANGE_TITLE, ReasonScreen
from reader.triage.model import NO_EDITOR
from reader.triage.screen import CANNOT_SUSPEND, TriageScreen
from reader.widgets.article_lines import REASON_STYLE
from reader.widgets.row_text import REASON_MAX, format_parts, format_row
from reader.widgets.status_bar import StatusBar
from tests.ui.conftest import HOSTILE_BROKEN, HOSTILE_MARKUP, SIZE, AppFactory, counted
from tests.ui.test_triage import ORDER, detail_text, reasons, screen, start, stored

NEWEST = ORDER[0]
"""The newest seed: the first row of the flat list."""
ODD = """---
title: "Odd one"
publishedDateTime: 2021-10-02T10:00:00Z
quality: high
webUrl: "https://odd.example/a"
provider:
  name: Wire
---

Body.
"""
"""The newest article of the problem folder: it lists, with a problem in one field."""
EDITOR = """\
import pathlib, sys
pathlib.Path(sys.argv[1]).write_text("\\n".join(sys.argv[1:]), encoding="utf-8")
path = pathlib.Path(sys.argv[-1])
text = path.read_text(encoding="utf-8")
path.write_text(text.replace("AI improves precision", "Edited: AI sharpens"), encoding="utf-8")
"""
"""An editor that writes its arguments to the file named first, then changes the title of
the file named last."""


def toasts(app: NewsReader) -> list[str]:
    """Every notification's text so far, title first (run_test does not show toasts)."""
    return [f"{n.title}: {n.message}" if n.title else n.message for n in app._notifications]


def fake_suspend(app: NewsReader, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Let `app.suspend` work under the headless driver (it hands nothing over); count
    the times it is entered."""
    entered: list[int] = []

    @contextmanager
    def suspend() -> Iterator[None]:
        entered.append(1)
        yield

    monkeypatch.setattr(app, "suspend", suspend)
    return entered


def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, variable: str = "VISUAL") -> Path:
    """Set $VISUAL (or $EDITOR) to the EDITOR script with an option first; return the file
    it writes its arguments to."""
    script = tmp_path / "editor.py"
    script.write_text(EDITOR, encoding="utf-8")
    called = tmp_path / "editor-args.txt"
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)
    monkeypatch.setenv(variable, shlex.join([sys.executable, str(script), str(called)]))
    return called


# -- e: edit the file ----------------------------------------------------------------------


@pytest.mark.parametrize("variable", ["VISUAL", "EDITOR"])
async def test_e_edits_the_file_then_the_panes_show_what_it_says(
    new_app: AppFactory, seeds_dir: Path, db_path: Path, tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch, variable: str,
) -> None:
    called = editor(tmp_path, monkeypatch, variable)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        entered = fake_suspend(app, monkeypatch)
        assert "AI improves precision" in detail_text(app)
        await pilot.press("e")
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert entered == [1]
        # Split as a shell would; the file's absolute path last.
        assert called.read_text(encoding="utf-8").split("\n") == [
            str(called), str((seeds_dir / NEWEST).absolute())]
        triage = screen(app)
        assert triage.article_list.cursor_id == NEWEST
        assert "Edited: AI sharpens" in detail_text(app)
        assert triage.article_list.rows[0].title.startswith("Edited: AI sharpens")
        assert toasts(app) == []
    library = Library(seeds_dir, db_path)  # the index holds what the file says now
    try:
        article = library.article(NEWEST)
        assert article is not None and article.title.startswith("Edited: AI sharpens")
    finally:
        library.close()


async def test_e_without_an_editor_says_so_and_nothing_else(
    new_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.setenv("EDITOR", "  ")
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        entered = fake_suspend(app, monkeypatch)
        scans = counted(monkeypatch, screen(app), "start_scan")
        await pilot.press("e")
        await pilot.pause()
        assert toasts(app) == ["Set $VISUAL or $EDITOR to edit files"] == [NO_EDITOR]
        assert entered == [] and scans == []


async def test_e_where_the_terminal_cannot_be_handed_over_says_so(
    new_app: AppFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The headless driver cannot suspend: Textual raises SuspendNotSupported."""
    called = editor(tmp_path, monkeypatch)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("e")
        await pilot.pause()
        assert toasts(app) == [CANNOT_SUSPEND]
        assert CANNOT_SUSPEND == "newsreader cannot hand the terminal over to an editor here"
        assert not called.exists()  # no editor ran
        assert isinstance(app.screen, TriageScreen)


async def test_e_says_when_the_editor_fails_or_cannot_start(
    new_app: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        fake_suspend(app, monkeypatch)
        scans = counted(monkeypatch, screen(app), "start_scan")
        monkeypatch.setenv("VISUAL", shlex.join([sys.executable, "-c", "raise SystemExit(3)"]))
        await pilot.press("e")
        await pilot.pause()
        name = Path(sys.executable).name
        assert toasts(app) == [
            f"The editor ({name}) exited with status 3; the file is read again anyway"]
        assert len(scans) == 1
        app.clear_notifications()
        monkeypatch.setenv("VISUAL", "newsreader-no-such-editor --wait")
        await pilot.press("e")
        await pilot.pause()
        assert toasts(app) == ["Not edited: The editor could not start: "
                               "newsreader-no-such-editor: No such file or directory"]
        assert len(scans) == 1  # nothing to read again
        app.clear_notifications()
        monkeypatch.setenv("VISUAL", "vim 'unclosed")
        await pilot.press("e")
        await pilot.pause()
        assert toasts(app) == ["$VISUAL cannot be read as a command: No closing quotation"]


# -- F: the front matter as written --------------------------------------------------------


async def test_F_shows_the_front_matter_as_plain_text_and_esc_closes(
    app_factory: Callable[[Path], AppFactory], seeds_dir: Path, db_path: Path
) -> None:
    (seeds_dir / "100_markup.md").write_text(HOSTILE_MARKUP + "\nThe body.\n", encoding="utf-8")
    app = app_factory(seeds_dir)()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert screen(app).article_list.cursor_id == "100_markup.md"
        await pilot.press("F")
        await pilot.pause()
        raw = app.screen
        assert isinstance(raw, RawScreen)
        assert str(raw.query_one("#raw-title", Label).render()) == (
            "Front matter of 100_markup.md")
        text = raw.query_one(TextArea).text
        assert text == HOSTILE_MARKUP.strip()  # as written: markup, `$` and `\e` untouched
        assert 'title: "[bold red]x[/] and [@click=app.quit]quit[/] $accent' in text
        assert "The body." not in text
        assert raw.query_one(TextArea).read_only
        await pilot.press("pagedown", "G", "x")  # scrolls; typing changes nothing
        await pilot.pause()
        assert raw.query_one(TextArea).text == text
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
    assert stored(db_path, "100_markup.md") == [Decision.UNDECIDED]  # `x` decided nothing


def test_raw_head_is_read_without_links_and_cleaned(tmp_path: Path) -> None:
    root = tmp_path / "news"
    (root / "sub").mkdir(parents=True)
    (root / "esc.md").write_text(
        '---\ntitle: "a\x1b[31mred\x1b]8;;https://evil.example\x07link\x00"\n---\nbody\n',
        encoding="utf-8")
    (root / "release.txt").write_text(
        "A press release\r\nDate: 2021-10-01\r\n" + "".join(f"line {n}\r\n" for n in range(40)),
        encoding="utf-8")
    (root / "long.md").write_text("---\n" + "x: 1\n" * 100 + "---\n", encoding="utf-8")
    (root / "sub" / "inside.md").write_text("---\ntitle: in\n---\n", encoding="utf-8")
    os.symlink(root / "esc.md", root / "link.md")
    os.symlink(root / "sub", root / "linked")
    library = Library(root, tmp_path / "db" / "decisions.db")
    try:
        assert library.raw_head("esc.md") == '---\ntitle: "aredlink"\n---'
        head = library.raw_head("release.txt")
        assert head is not None and head.split("\n") == [
            "A press release", "Date: 2021-10-01", *(f"line {n}" for n in range(11))]
        assert library.raw_head("long.md", limit=20) == (
            "---\nx: 1\nx: 1\nx: 1\n… (489 more characters not shown)")
        assert library.raw_head("sub/inside.md") == "---\ntitle: in\n---"
        assert library.raw_head("link.md") is None  # a link is never followed
        assert library.raw_head("linked/inside.md") is None  # nor a linked folder
        assert library.raw_head("gone.md") is None
    finally:
        library.close()


# -- !: every file's problems --------------------------------------------------------------


@pytest.fixture
def problem_dir(seeds_dir: Path) -> Path:
    """The seeds, a file that is no article (bad YAML) and the newest article, with a
    problem in its `quality` field."""
    (seeds_dir / "101_broken.md").write_text(HOSTILE_BROKEN, encoding="utf-8")
    (seeds_dir / "102_odd.md").write_text(ODD, encoding="utf-8")
    return seeds_dir


def check_lines(root: Path, db_path: Path) -> list[str]:
    """What `newsreader check` prints for the folder, line by line."""
    library = Library(root, db_path)
    out = io.StringIO()
    try:
        cmd_check(library, argparse.Namespace(), out)
    finally:
        library.close()
    return out.getvalue().splitlines()


def problem_lines(app: NewsReader) -> list[str]:
    """The lines the list of problems shows."""
    options = app.screen.query_one("#problems-list", OptionList)
    return [str(options.get_option_at_index(n).prompt) for n in range(options.option_count)]


async def test_bang_lists_the_problems_and_enter_goes_to_the_article(
    app_factory: Callable[[Path], AppFactory], problem_dir: Path, db_path: Path
) -> None:
    app = app_factory(problem_dir)()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        triage = screen(app)
        assert triage.problems == 2
        await pilot.press("G")  # away from the odd article
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        lines = problem_lines(app)
        assert lines == check_lines(problem_dir, db_path)
        assert lines == [
            "101_broken.md: file: invalid YAML at line 3, column 3: did not find expected ',' "
            "or ']'",
            "102_odd.md: quality: expected a number, got text 'high'",
        ]
        assert str(app.screen.query_one("#problems-title", Label).render()) == (
            "2 problems in 2 files")
        await pilot.press("enter")  # the file that is no article: said, and the list stays
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert toasts(app) == [
            "101_broken.md is not an article: it cannot be shown in the list"]
        await pilot.press("down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        assert triage.article_list.cursor_id == "102_odd.md"
        assert "Odd one" in detail_text(app)
        # A filter that hides it: said, and the cursor stays.
        await pilot.press("slash", *"diagnosis", "enter")
        await pilot.pause()
        assert [row.id for row in triage.article_list.rows] == [NEWEST]
        app.clear_notifications()
        await pilot.press("exclamation_mark", "down", "enter")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        assert triage.article_list.cursor_id == NEWEST
        assert toasts(app) == ["102_odd.md is not in the list: a filter hides it"]


async def test_a_click_on_the_problem_count_lists_the_problems(
    app_factory: Callable[[Path], AppFactory], problem_dir: Path
) -> None:
    app = app_factory(problem_dir)()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        bar = app.screen.query_one(StatusBar)
        span = bar.problems_span()
        assert span is not None
        line = str(bar.render())
        assert line[line.index("⚠"):].startswith("⚠ 2 problems  │ no site found")
        assert span[1] - span[0] == cell_len("⚠ 2 problems")
        await pilot.click(StatusBar, offset=(2, 0))  # the counts: nothing opens
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        await pilot.click(StatusBar, offset=(span[0] + 2, 0))
        await pilot.pause()
        assert isinstance(app.screen, ProblemsScreen)
        assert len(problem_lines(app)) == 2
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)


async def test_bang_without_problems_says_so(new_app: AppFactory) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        assert screen(app).query_one(StatusBar).problems_span() is None
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        assert toasts(app) == ["No problems in the folder"]


# -- skip reasons in the list, and changed -------------------------------------------------


def _row(title: str, state: Decision = Decision.SKIPPED) -> ArticleRow:
    """A row of the given title and state, dated, from a provider."""
    return ArticleRow("a.md", title, "Wire", datetime(2024, 1, 2), state)


@pytest.mark.parametrize("width", [60, 80, 120])
def test_a_row_shows_its_reason_after_the_title_compactly(width: int) -> None:
    short = format_parts(_row("Short"), width, reason="off-topic")
    assert cell_len("".join(short)) == width
    assert short[0].endswith("Short ") and short[1].rstrip() == "(off-topic)"
    long_reason = "duplicate of a-very-long/path/to/another/article.md"
    head, tag = format_parts(_row("A title " * 20), width, reason=long_reason)
    assert cell_len(head + tag) == width
    assert tag.startswith("(duplicat") and tag.rstrip().endswith("…)")
    assert cell_len(tag.rstrip()) <= REASON_MAX
    assert head.rstrip().endswith("…")  # the title gives way to the reason
    assert format_row(_row("Short"), width, reason="off-topic") == "".join(short)


def test_a_narrow_row_cuts_its_reason_or_leaves_it_out() -> None:
    row = _row("A title " * 5)
    assert format_parts(row, 80) == (format_row(row, 80), "")
    assert format_parts(row, 80, reason=None)[1] == ""
    head, tag = format_parts(row, 44, reason="off-topic")
    assert cell_len(head + tag) == 44 and tag.rstrip() == "(off…)"
    assert format_parts(row, 34, reason="off-topic")[1] == ""  # no room for a word of it
    assert "\x1b" not in "".join(format_parts(row, 80, reason="a\x1b[31mb"))


def row_text(app: NewsReader, index: int) -> str:
    """What line `index` of the list shows."""
    return screen(app).article_list.render_line(index).text


async def test_skipped_rows_show_their_reason_and_S_changes_it_undoably(
    new_app: AppFactory, db_path: Path
) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        triage = screen(app)
        lst = triage.article_list
        await pilot.press("s")  # skipped without a reason: none shows
        await pilot.pause()
        assert "(" not in row_text(app, 0)
        await pilot.press("k", "S")
        await pilot.pause()
        assert str(app.screen.query_one("#reason-now", Label).render()) == "Now: no reason"
        await pilot.press("1")  # a duplicate: the cursor moves on, as after `s`
        await pilot.pause()
        assert lst.cursor_id == ORDER[1]
        assert "(duplicate)" in row_text(app, 0)
        tags = [seg for seg in lst.render_line(0) if seg.text.startswith("(duplicate)")]
        assert tags and tags[0].style is not None and tags[0].style.italic
        assert REASON_STYLE.italic
        assert "(" not in row_text(app, 1)  # undecided: no reason
        await pilot.press("k", "S")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ReasonScreen)
        assert str(dialog.query_one("#reason-title", Label).render()) == CHANGE_TITLE
        assert str(dialog.query_one("#reason-now", Label).render()) == "Now: duplicate"
        await pilot.press("2")
        await pilot.pause()
        assert lst.cursor_id == ORDER[1]  # on to the next undecided, as after `s`
        assert "(off-topic)" in row_text(app, 0) and "duplicate" not in row_text(app, 0)
        await pilot.press("k")
        await pilot.pause()
        assert "(off-topic)" in detail_text(app)
        assert toasts(app)[-1] == "Skip reason now: off-topic"
        assert triage.session == 1  # still one article changed this session
        assert reasons(db_path, NEWEST) == ["off-topic"]
        await pilot.press("S")
        await pilot.pause()
        assert app.screen.query_one(OptionList).highlighted == 1  # on the reason it has
        await pilot.press(*"old news", "enter")  # a typed reason too
        await pilot.pause()
        assert "(old news)" in row_text(app, 0)
        assert reasons(db_path, NEWEST) == ["old news"]
        await pilot.press("u")  # each change is a step of its own; undo goes back to it
        await pilot.pause()
        assert lst.cursor_id == NEWEST
        assert "(off-topic)" in row_text(app, 0) and "(off-topic)" in detail_text(app)
        await pilot.press("u")
        await pilot.pause()
        assert "(duplicate)" in row_text(app, 0)
        assert "(duplicate)" in detail_text(app)
        await pilot.press("S", "escape")  # Esc keeps the reason
        await pilot.pause()
        assert "(duplicate)" in row_text(app, 0)
    assert stored(db_path, NEWEST) == [Decision.SKIPPED]
    assert reasons(db_path, NEWEST) == ["duplicate"]


async def test_S_on_undecided_and_skipped_together_skips_them_all(
    new_app: AppFactory, db_path: Path
) -> None:
    """Only a selection that is all skipped changes a reason; a mixed one is skipped as
    before (the question is the usual one)."""
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await start(app, pilot)
        await pilot.press("s", "k", "space", "j", "space", "S")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ReasonScreen)
        assert str(dialog.query_one("#reason-title", Label).render()) == "Skip with reason"
        await pilot.press("4")
        await pilot.pause()
    assert stored(db_path, *ORDER[:2]) == [Decision.SKIPPED] * 2
    assert reasons(db_path, *ORDER[:2]) == ["paywall"] * 2


def test_the_new_dialogs_load_after_the_first_paint() -> None:
    """Importing the app loads neither dialog: each is imported when first opened."""
    code = ("import sys, reader.__main__, reader.app; "
            "late = [m for m in ('reader.dialogs.raw', 'reader.dialogs.problems') "
            "if m in sys.modules]; print(late); sys.exit(1 if late else 0)")
    repo = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": str(repo)}
    result = subprocess.run([sys.executable, "-c", code], cwd=repo, env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr

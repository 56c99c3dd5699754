"""Pilot tests for `A`: the apply preview, writing the files, undo, commit, cancel and errors."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Label, OptionList, Static

from reader.app import NewsReader
from reader.data.article import Decision
from reader.data.decisions.store import TriageStore
from reader.data.writeback.writer import ApplyResult, FolderBusy
from reader.dialogs.apply import DEMO_TEXT, ApplyScreen, result_text
from reader.triage.screen import TriageScreen
from tests.ui.conftest import SIZE, AppFactory, warm

FIRST = "004_82dd85211220d7b2.txt"
"""The newest seed, under the cursor at start; its file says `published: false`."""
PUBLISHED_BY_FILE = "001_38bcfbeb79dc117a.txt"
"""The seed whose file says `published: true`."""
RELEASE = "003_d5ead589fc54e32c.txt"
"""The seed with no front matter (a press release): apply never rewrites it."""


def notes_of(app: NewsReader) -> list[str]:
    """Collect the app's notifications (run_test does not show toasts)."""
    notes: list[str] = []
    app.notify = lambda message, **kw: notes.append(message)  # type: ignore[method-assign]
    return notes


async def open_preview(app: NewsReader, pilot: object, *keys: str) -> ApplyScreen:
    """Wait for the scan, press the keys, then `A`, and wait for the plan."""
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.press(*keys, "A")  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    assert isinstance(app.screen, ApplyScreen)
    return app.screen


async def settle(app: NewsReader, pilot: object, *keys: str) -> None:
    """Press the keys, wait for the workers, then for the messages they sent."""
    await pilot.press(*keys)  # type: ignore[attr-defined]
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]


def preview_text(screen: ApplyScreen) -> tuple[list[str], str]:
    """The edits listed, and the diff shown."""
    edits = screen.query_one("#apply-edits", OptionList)
    listed = [str(edits.get_option_at_index(n).prompt) for n in range(edits.option_count)]
    return listed, str(screen.query_one("#apply-diff", Static).render())


async def test_apply_writes_one_line_and_u_undoes_it(
    new_app: AppFactory, seeds_dir: Path, db_path: Path
) -> None:
    warm(seeds_dir, db_path)
    path = seeds_dir / FIRST
    original = path.read_bytes()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        notes = notes_of(app)
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert isinstance(app.screen, TriageScreen)
        assert app.screen.article_list.cursor_id == FIRST
        preview = await open_preview(app, pilot, "p")
        listed, diff = preview_text(preview)
        assert len(listed) == 1 and FIRST in listed[0] and "false → true" in listed[0]
        assert "-published: false\n+published: true" in diff
        assert not preview.check_action("commit", ())  # no git work tree here
        assert path.read_bytes() == original  # the preview writes nothing
        await settle(app, pilot, "enter")
        assert isinstance(app.screen, TriageScreen)
        assert notes == ["Wrote 1 file"]
        expected = original.replace(b"published: false", b"published: true", 1)
        assert path.read_bytes() == expected
        assert app.screen.check_action("undo", ())
        await settle(app, pilot, "u")
        assert path.read_bytes() == original
    store = TriageStore(db_path)
    try:
        assert store.decision(FIRST) is Decision.PUBLISHED  # undo restored the file only
    finally:
        store.close()


async def test_escape_and_n_cancel_without_writing(
    new_app: AppFactory, seeds_dir: Path, db_path: Path
) -> None:
    warm(seeds_dir, db_path)
    before = {p.name: p.read_bytes() for p in seeds_dir.iterdir()}
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await open_preview(app, pilot, "p", "s")
        await settle(app, pilot, "escape")
        assert isinstance(app.screen, TriageScreen)
        await open_preview(app, pilot)
        await settle(app, pilot, "n")
        assert isinstance(app.screen, TriageScreen)
    assert {p.name: p.read_bytes() for p in seeds_dir.iterdir()} == before


async def test_nothing_to_write_offers_no_apply(
    new_app: AppFactory, seeds_dir: Path, db_path: Path
) -> None:
    warm(seeds_dir, db_path)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        preview = await open_preview(app, pilot)
        listed, diff = preview_text(preview)
        assert listed == [] and "nothing to write" in diff
        assert not preview.check_action("confirm", ())
        await settle(app, pilot, "enter")
        assert app.screen is preview  # enter did nothing
        await settle(app, pilot, "escape")
        assert isinstance(app.screen, TriageScreen)


async def test_folder_busy_is_a_notification(
    new_app: AppFactory, seeds_dir: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def busy(*args: object, **kwargs: object) -> None:
        raise FolderBusy("another newsreader is writing to this folder")

    monkeypatch.setattr("reader.data.library.Library.apply", busy)
    warm(seeds_dir, db_path)
    original = (seeds_dir / FIRST).read_bytes()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        notes = notes_of(app)
        await open_preview(app, pilot, "p")
        await settle(app, pilot, "y")
        assert isinstance(app.screen, TriageScreen)
        assert notes == ["The apply failed: another newsreader is writing to this folder"]
    assert (seeds_dir / FIRST).read_bytes() == original


async def test_untrusted_text_is_shown_plain(
    new_app: AppFactory, seeds_dir: Path, db_path: Path
) -> None:
    name = "[b]x[red]\x1b[31m.md"
    (seeds_dir / name).write_text(
        '---\ntitle: "[@click=app.quit]q[/] $accent"\ntype: article\npublished: false\n---\n',
        encoding="utf-8",
    )
    warm(seeds_dir, db_path)
    store = TriageStore(db_path)
    try:
        store.decide([name], Decision.PUBLISHED)
    finally:
        store.close()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        preview = await open_preview(app, pilot)
        listed, diff = preview_text(preview)
        assert listed == ["[b]x[red]\\x1b[31m.md  false → true"]
        assert ' title: "[@click=app.quit]q[/] $accent"' in diff
        assert "+++ b/[b]x[red]\\x1b[31m.md" in diff
        assert isinstance(app.screen, ApplyScreen)  # no click action ran


async def test_the_bundled_seeds_are_never_written(
    new_app: AppFactory, seeds_dir: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("reader.dialogs.apply.bundled_seeds", lambda: seeds_dir)
    warm(seeds_dir, db_path)
    original = (seeds_dir / FIRST).read_bytes()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        preview = await open_preview(app, pilot, "p")
        assert str(preview.query_one("#apply-summary", Static).render()) == DEMO_TEXT
        assert not preview.check_action("confirm", ())
        await settle(app, pilot, "enter")
        assert app.screen is preview
    assert (seeds_dir / FIRST).read_bytes() == original


async def test_apply_is_in_the_palette_and_the_help(new_app: AppFactory) -> None:
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert "Apply" in [name for name, _, _ in app.commands(app.screen)]
        helped = [(k.area, k.keys, k.description) for k in app.key_help()]
        assert ("Triage", "A", "Apply") in helped
        assert ("Apply preview", "c", "Apply and commit") in helped


def git(repo: Path, *args: str) -> str:
    """Run git in the repo, as a test user with no global config."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
           "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1"}
    done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True,
                          env=env, check=True)
    return done.stdout


def committed_seeds(seeds_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the seeds folder a git work tree with every file committed, and give git a
    test user (no global config) to commit as."""
    for var, value in (("GIT_AUTHOR_NAME", "Test"), ("GIT_AUTHOR_EMAIL", "test@example.com"),
                       ("GIT_COMMITTER_NAME", "Test"), ("GIT_COMMITTER_EMAIL", "test@example.com"),
                       ("GIT_CONFIG_GLOBAL", os.devnull), ("GIT_CONFIG_NOSYSTEM", "1")):
        monkeypatch.setenv(var, value)
    git(seeds_dir, "init", "-q", "-b", "main")
    git(seeds_dir, "add", ".")
    git(seeds_dir, "commit", "-q", "-m", "the articles")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
async def test_c_applies_and_commits_in_a_work_tree(
    new_app: AppFactory, seeds_dir: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed_seeds(seeds_dir, monkeypatch)
    warm(seeds_dir, db_path)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        notes = notes_of(app)
        preview = await open_preview(app, pilot, "p")
        assert preview.check_action("commit", ())
        await settle(app, pilot, "c")
        assert isinstance(app.screen, TriageScreen)
        assert len(notes) == 1 and notes[0].startswith("Wrote 1 file; commit ")
        assert git(seeds_dir, "show", "--name-only", "--format=", "HEAD").split() == [FIRST]
        assert git(seeds_dir, "status", "--porcelain") == ""
        sha = git(seeds_dir, "rev-parse", "HEAD").strip()
        await pilot.press("u")  # the files go back; the commit stays, and the toast says so
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert notes[-1] == (f"Undone: the apply of 1 file (its old bytes are back). Its git "
                             f"commit {sha[:12]} stays: the work tree now differs from it")
    assert git(seeds_dir, "rev-parse", "HEAD").strip() == sha
    assert git(seeds_dir, "status", "--porcelain").split() == ["M", FIRST]


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
async def test_a_commit_git_refused_is_offered_again_and_c_finishes_it(
    new_app: AppFactory, seeds_dir: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    committed_seeds(seeds_dir, monkeypatch)
    lock = seeds_dir / ".git" / "index.lock"
    lock.write_text("")
    warm(seeds_dir, db_path)
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        notes = notes_of(app)
        await open_preview(app, pilot, "p")
        await settle(app, pilot, "c")
        assert isinstance(app.screen, TriageScreen)
        assert notes[-1].startswith("Wrote 1 file; no commit: git's lock file ")
        assert "`newsreader commit` (or the next `apply --commit`) commits them" in notes[-1]
        assert git(seeds_dir, "status", "--porcelain").split() == ["M", FIRST]
        lock.unlink()
        preview = await open_preview(app, pilot)
        summary = str(preview.query_one("#apply-summary", Label).render())
        assert "1 file written by an earlier apply is not in a commit yet: c commits it" in summary
        assert not preview.check_action("confirm", ()) and preview.check_action("commit", ())
        await settle(app, pilot, "c")
        assert notes[-1].startswith("Nothing to write; commit ")
        assert notes[-1].endswith("(1 file, 1 written earlier)")
    assert git(seeds_dir, "status", "--porcelain") == ""
    assert git(seeds_dir, "show", "--name-only", "--format=", "HEAD").split() == [FIRST]


async def test_the_preview_says_why_a_press_release_is_not_written(
    new_app: AppFactory, seeds_dir: Path, db_path: Path
) -> None:
    warm(seeds_dir, db_path)
    store = TriageStore(db_path)
    try:
        store.decide([RELEASE], Decision.PUBLISHED)
    finally:
        store.close()
    before = (seeds_dir / RELEASE).read_bytes()
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        preview = await open_preview(app, pilot)
        listed, diff = preview_text(preview)
        assert listed == [] and diff == "No file can be written: the list below says why."
        summary = str(preview.query_one("#apply-summary", Static).render())
        assert summary.endswith("· 1 cannot be written (below)")
        skipped = str(preview.query_one("#apply-skipped", Static).render())
        assert skipped == (
            f"{RELEASE}  press: a plain-text press release has no published: line to write"
        )
        assert not preview.check_action("confirm", ())
    assert (seeds_dir / RELEASE).read_bytes() == before


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
async def test_c_without_a_git_identity_is_an_error_and_writes_nothing(
    new_app: AppFactory, seeds_dir: Path, db_path: Path, monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "no-home"))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", os.devnull)
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME",
                "GIT_COMMITTER_EMAIL", "EMAIL"):
        monkeypatch.delenv(var, raising=False)
    git(seeds_dir, "init", "-q", "-b", "main")
    git(seeds_dir, "add", ".")
    git(seeds_dir, "commit", "-q", "-m", "the articles")
    head = git(seeds_dir, "rev-parse", "HEAD")
    warm(seeds_dir, db_path)
    before = {p.name: p.read_bytes() for p in seeds_dir.iterdir() if p.is_file()}
    app = new_app()
    async with app.run_test(size=SIZE) as pilot:
        notes: list[tuple[str, str]] = []
        app.notify = lambda message, **kw: notes.append(  # type: ignore[method-assign]
            (message, kw.get("severity", "information")))
        preview = await open_preview(app, pilot, "p")
        assert preview.check_action("commit", ())
        await settle(app, pilot, "c")
        assert len(notes) == 1
        message, severity = notes[0]
        assert severity == "error"
        assert message.startswith("Nothing written: git has no user name or email")
        assert 'git config --global user.email "you@example.com"' in message
        assert app.screen is preview and preview.check_action("confirm", ())  # still open
    assert {p.name: p.read_bytes() for p in seeds_dir.iterdir() if p.is_file()} == before
    assert git(seeds_dir, "rev-parse", "HEAD") == head


def test_preview_snapshot(snap_compare: Callable[..., bool], new_app: AppFactory,
                          seeds_dir: Path, db_path: Path) -> None:
    """The apply preview, opaque over the triage screen, for publish 004, skip 001 (its file
    says true) and skip 003 (no front matter): "2 files would change: 1 publish
    (published: true), 1 skip (published: false) · 1 cannot be written (below)"; on the left
    `001_… true → false` (highlighted) and `004_… false → true`; on the right 001's diff,
    `@@ -10,7 +10,7 @@`, three lines of context each side of `-published: true` (red) and
    `+published: false` (green); under them "Not written" with `003_… press: a plain-text
    press release has no published: line to write`; the footer shows Apply and Cancel only
    (no commit: not a git work tree)."""
    warm(seeds_dir, db_path)
    store = TriageStore(db_path)
    try:
        store.decide([FIRST], Decision.PUBLISHED)
        store.decide([PUBLISHED_BY_FILE], Decision.SKIPPED, "paywall")
        store.decide([RELEASE], Decision.SKIPPED)
    finally:
        store.close()

    async def run_before(pilot: Pilot[object]) -> None:
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.press("A")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()
        await pilot.pause()

    assert snap_compare(new_app(), terminal_size=SIZE, run_before=run_before)


def test_a_store_lost_during_the_writes_is_what_the_toast_says() -> None:
    result = ApplyResult(store_lost="1 file written, but the decisions database cannot "
                                    "record it, so no undo can restore it: gone")  # fmt: skip
    assert result_text(result, 0) == ("1 file written, but the decisions database cannot "
                                      "record it, so no undo can restore it: gone")  # fmt: skip
    assert not result.ok

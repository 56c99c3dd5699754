"""ApplyScreen: preview the files an apply would change, then write (and commit) them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from reader.data import writeback
from reader.data.article import Decision
from reader.data.clean import escape_name
from reader.data.library import Library
from reader.data.words import plural
from reader.data.writeback import (
    ApplyResult,
    CannotCommit,
    Edit,
    GitError,
    Plan,
    Repo,
    Skipped,
)
from reader.paths import bundled_seeds
from reader.widgets.key_footer import KeyFooter

SHORT_BELOW = 32
"""Terminals with fewer rows get the short layout: the preview fills the height, with no
blank lines, and a shorter list of what cannot be written."""
HEIGHTS = [(0, "-short"), (SHORT_BELOW, "-tall")]
"""The screen's classes by the terminal's rows."""
HEADER_LINES = 2
"""A diff's `---` and `+++` lines."""
MAX_LISTED = 500
"""Most edits (and skipped decisions) listed; the counts cover them all."""
DEMO_TEXT = "The bundled demo articles are never rewritten: open an article folder to apply."
"""What the preview says on the bundled seeds (the CLI refuses them too)."""


def _in_git(root: Path) -> bool:
    """Whether the folder lies inside a git work tree (so that a commit can be offered)."""
    try:
        Repo(root)
    except GitError:
        return False
    return True


def edit_line(edit: Edit) -> Content:
    """One edit in the list: the file's name, escaped, and its old and new value."""
    old = "(no line)" if edit.inserted else escape_name(edit.old_value) or "(empty)"
    new = "true" if edit.value else "false"
    return Content.assemble(
        (escape_name(edit.id), "bold"), "  ", (old, "$text-muted"), " → ",
        (new, "$success" if edit.value else "$warning"),
    )


def diff_lines(edit: Edit) -> list[Content]:
    """The edit's unified diff, a line each, as plain text (file text is untrusted): the two
    header lines bold, + and - lines coloured."""
    styles = {"+": "$success", "-": "$error", "@": "$accent"}
    lines = []
    for index, line in enumerate(writeback.diff(edit).splitlines()):
        style = "bold" if index < HEADER_LINES else styles.get(line[:1], "")
        lines.append(Content.styled(line, style) if style else Content(line))
    return lines


def diff_content(edit: Edit) -> Content:
    """The edit's unified diff as one text."""
    return Content("\n").join(diff_lines(edit))


def changed_rows(lines: Sequence[Content], width: int) -> tuple[int, int] | None:
    """The rows (first, end) the diff's - and + lines take when it is wrapped at `width`
    cells; None if it has none."""
    row, first, end = 0, None, None
    for index, line in enumerate(lines):
        height = len(line.wrap(width)) if width > 0 else 1
        if index >= HEADER_LINES and line.plain[:1] in ("-", "+"):
            first = row if first is None else first
            end = row + height
        row += height
    return None if first is None or end is None else (first, end)


def plan_summary(found: Plan) -> str:
    """How many files would change, and how many decisions cannot be written."""
    true = sum(e.decision is Decision.PUBLISHED for e in found.edits)
    false = len(found.edits) - true
    text = (f"{plural(len(found.edits), 'file')} would change: {true:,} publish "
            f"(published: true), {false:,} skip (published: false)")
    if found.skipped:
        text += f" · {len(found.skipped)} cannot be written (below)"
    if found.undecided:
        text += (f" · {plural(len(found.undecided), 'undecided article')} left as "
                 f"{'its file says' if len(found.undecided) == 1 else 'their files say'}: "
                 "published")
    return text


def skipped_content(skipped: list[Skipped]) -> Content:
    """Each decision that cannot be written, with the reason, as plain text."""
    lines = [
        Content.assemble((escape_name(s.id), "bold"), f"  {s.code}: ", escape_name(s.why))
        for s in skipped[:MAX_LISTED]
    ]
    if len(skipped) > MAX_LISTED:
        lines.append(Content(f"… and {len(skipped) - MAX_LISTED} more"))
    return Content("\n").join(lines)


def result_text(result: ApplyResult, not_planned: int) -> str:
    """The notification after an apply: what was written, refused, left out and committed."""
    if result.store_lost is not None:  # said first: the store knows nothing of the writes
        return result.store_lost[:1].upper() + result.store_lost[1:]
    written = result.written or result.skipped or result.commit is None
    text = f"Wrote {plural(len(result.written), 'file')}" if written else "Nothing to write"
    if result.skipped:
        text += f", {len(result.skipped)} refused"
    if not_planned:
        text += f", {not_planned} skipped"
    commit = result.commit
    if commit is not None and commit.sha:
        earlier = f", {len(commit.earlier):,} written earlier" * bool(commit.earlier)
        text += f"; commit {commit.sha[:12]} ({plural(len(commit.ids), 'file')}{earlier})"
    elif commit is not None and commit.note:
        text += f"; no commit: {commit.note}"
    if commit is not None and commit.left_out:
        text += f"; {len(commit.left_out)} not committed"
    if commit is not None and commit.extra:
        text += (f"; the commit also holds {plural(len(commit.extra), 'file')} newsreader did "
                 "not write (a git hook added them)")
    return text


def owed_text(owed: Sequence[str]) -> str:
    """What the preview says of files an earlier apply wrote and did not get to commit."""
    return (f"{plural(len(owed), 'file')} written by an earlier apply "
            f"{'is' if len(owed) == 1 else 'are'} not in a commit yet: c commits "
            f"{'it' if len(owed) == 1 else 'them'}")


class DiffScroll(VerticalScroll):
    """The diff's box. It keeps the diff's `-` and `+` lines in view: when a new diff is
    shown, and again each time it is laid out anew (the diff's height known at last, or
    the terminal resized), since context lines that wrap, or a short terminal, could leave
    them below the box."""

    lines: tuple[Content, ...] = ()
    """The lines of the diff shown."""

    def show(self, lines: list[Content]) -> None:
        """Show this diff, from its top, then scrolled as little as keeps the change in view."""
        self.lines = tuple(lines)
        self.query_one(Static).update(Content("\n").join(lines))
        self._keep_change_in_view()

    def on_resize(self) -> None:
        """The box has a new size (the terminal was resized): the diff wraps anew."""
        self._keep_change_in_view()

    def watch_virtual_size(self) -> None:
        """The diff is laid out at a new height (Textual sends the box no Resize for that):
        look again once the layout is done."""
        self.call_later(self._keep_change_in_view)

    def _keep_change_in_view(self) -> None:
        """Scroll home, then down as little as keeps the changed rows in the box."""
        self.scroll_home(animate=False, immediate=True)
        rows = changed_rows(self.lines, self.query_one(Static).content_size.width)
        if rows is not None:
            first, end = rows
            self.scroll_to_region(Region(0, first, 1, end - first), animate=False, immediate=True)


class ApplyScreen(ModalScreen[list[str] | None]):
    """A modal preview of an apply; dismisses with the ids it may have written, or None."""

    CSS_PATH = "apply.tcss"
    VERTICAL_BREAKPOINTS = HEIGHTS

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter,y", "confirm", "Apply", tooltip="Write the decisions into the files",
                priority=True, id="apply_confirm"),
        Binding("c", "commit", "Apply and commit",
                tooltip="Write the decisions, then commit exactly those files in git",
                id="apply_commit"),
        Binding("escape,n", "cancel", "Cancel", tooltip="Close without writing anything",
                id="apply_cancel"),
    ]

    plan: reactive[Plan | None] = reactive(None, bindings=True, init=False)
    """What an apply would do (None: still reading the files)."""
    in_git: reactive[bool] = reactive(False, bindings=True)
    """Whether the folder lies in a git work tree (then `c` commits)."""
    busy: reactive[bool] = reactive(False, bindings=True)
    """True while the files are written."""
    owed: reactive[list[str]] = reactive(list, bindings=True, init=False)
    """The files an earlier apply wrote and did not get to commit (only in git)."""

    class Planned(Message):
        """The plan worker read the files."""

        def __init__(self, plan: Plan, in_git: bool, owed: list[str]) -> None:
            """Report the `plan`, whether the folder lies in a git work tree, and the files
            an earlier apply wrote and did not get to commit."""
            super().__init__()
            self.plan = plan
            """The edits and the decisions that cannot be written."""
            self.in_git = in_git
            """Whether the folder lies in a git work tree."""
            self.owed = owed
            """The files an earlier `apply --commit` wrote that no commit holds yet."""

    class Applied(Message):
        """The apply worker wrote the files."""

        def __init__(self, result: ApplyResult) -> None:
            """Report the apply's `result`."""
            super().__init__()
            self.result = result
            """What was written, refused and committed."""

    def __init__(self, root: Path, db_path: Path | None, clock: Callable[[], datetime]) -> None:
        """The preview of an apply to the folder `root`, with the decisions database and
        the app's clock for the workers' libraries."""
        super().__init__()
        self.root = root
        """The article folder."""
        self.db_path = db_path
        """The decisions database, for the workers' own connections."""
        self.clock = clock
        """The app's clock."""
        self.demo = _is_demo(root)
        """Whether the folder is the bundled seeds, which are never rewritten."""

    def compose(self) -> ComposeResult:
        """The summary, the edits beside the highlighted one's diff, the decisions not
        written, and the keys."""
        with Vertical(id="apply"):
            yield Label("Apply decisions to the files", id="apply-title")
            yield Label("Reading the files…", id="apply-summary")
            with Horizontal(id="apply-body"):
                yield OptionList(id="apply-edits")
                with DiffScroll(id="apply-diff-scroll"):
                    yield Static("", id="apply-diff", markup=False)
            yield Label("Not written (the decision stays in the store)", id="apply-skipped-title")
            with VerticalScroll(id="apply-skipped-scroll"):
                yield Static("", id="apply-skipped", markup=False)
            yield KeyFooter()

    def on_mount(self) -> None:
        """Focus the list of edits and start reading the files."""
        self.query_one("#apply-edits").focus()
        self.make_plan()

    # -- workers ----------------------------------------------------------------

    def _library(self) -> Library:
        """A library on this thread's own connections (SQLite's belong to one thread)."""
        return Library(self.root, self.db_path, clock=self.clock)

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def make_plan(self) -> None:
        """Read the files and plan the edits, off the UI thread."""
        library = self._library()
        try:
            found = library.plan_apply()
            owed = library.owed_commits()
        finally:
            library.close()
        self.post_message(self.Planned(found, _in_git(self.root), owed))

    @work(thread=True, exclusive=True, group="apply", exit_on_error=False)
    def write(self, edits: list[Edit], commit: bool) -> None:
        """Write the planned edits (and commit them) on this thread's own connections."""
        library = self._library()
        try:
            result = library.apply(edits, commit=commit)
        finally:
            library.close()
        self.post_message(self.Applied(result))

    # -- messages ---------------------------------------------------------------

    @on(Planned)
    def _planned(self, message: Planned) -> None:
        """The plan is ready: show its summary, its edits (the first one's diff) and what
        cannot be written."""
        self.in_git = message.in_git
        self.owed = message.owed if self.in_git else []
        self.plan = found = message.plan
        summary = DEMO_TEXT if self.demo and found.edits else plan_summary(found)
        if self.owed:
            summary += f" · {owed_text(self.owed)}"
        self.query_one("#apply-summary", Label).update(Content(summary))
        edits = self.query_one("#apply-edits", OptionList)
        edits.add_options(Option(edit_line(e), id=str(n))
                          for n, e in enumerate(found.edits[:MAX_LISTED]))
        if len(found.edits) > MAX_LISTED:
            edits.add_option(Option(f"… and {len(found.edits) - MAX_LISTED} more", disabled=True))
        if found.edits:
            edits.highlighted = 0
        else:
            self.query_one("#apply-diff", Static).update(Content(
                ("No file can be written: the list below says why." if found.skipped
                 else "Every file already says its decision: nothing to write.")
                + (f"\n\n{owed_text(self.owed)}." if self.owed else "")))
        self.set_class(not found.skipped, "-none-skipped")
        self.query_one("#apply-skipped", Static).update(skipped_content(found.skipped))

    @on(OptionList.OptionHighlighted, "#apply-edits")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """An edit was highlighted: show its diff."""
        event.stop()
        if self.plan is None or event.option.id is None:
            return
        self.query_one(DiffScroll).show(diff_lines(self.plan.edits[int(event.option.id)]))

    @on(Applied)
    def _applied(self, message: Applied) -> None:
        """The files are written: say what was done and close with the ids written."""
        result = message.result
        not_planned = len(self.plan.skipped) if self.plan else 0
        trouble = result.skipped or not_planned or not result.ok
        self.app.notify(result_text(result, not_planned), title="Apply", markup=False,
                        severity="warning" if trouble else "information")
        self.dismiss([e.id for e in result.written])

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        """A failed plan or apply is reported; the screen closes, the app goes on."""
        if event.state is not WorkerState.ERROR:
            return
        event.stop()
        error = event.worker.error
        if isinstance(error, CannotCommit):  # refused before any write: the preview stays
            self._refused(error)
            return
        what = "Nothing written" if event.worker.name == "make_plan" else "The apply failed"
        self.app.notify(f"{what}: {error}", title="Apply", severity="error", markup=False)
        tried = [e.id for e in self.plan.edits] if self.plan and self.busy else None
        self.dismiss(tried)

    def _refused(self, error: CannotCommit) -> None:
        """Say why the commit cannot be made (nothing was written) and offer the plan again."""
        text = str(error)
        self.app.notify(text[:1].upper() + text[1:], title="Apply and commit", severity="error",
                        markup=False, timeout=30)
        self.busy = False
        if self.plan is not None:
            self.query_one("#apply-summary", Label).update(Content(plan_summary(self.plan)))

    # -- actions ----------------------------------------------------------------

    def _start(self, commit: bool) -> None:
        """Write the planned edits (and commit them), unless there are none, a write is under
        way, or the folder is the demo."""
        if self.plan is None or self.busy or self.demo:
            return
        if not self.plan.edits and not (commit and self.owed):
            return
        self.busy = True
        self.query_one("#apply-summary", Label).update("Writing the files…")
        self.write(list(self.plan.edits), commit)

    def action_confirm(self) -> None:
        """Write the decisions into the files."""
        self._start(commit=False)

    def action_commit(self) -> None:
        """Write the decisions, then commit exactly the files written."""
        self._start(commit=True)

    def action_cancel(self) -> None:
        """Close without writing (an apply already under way finishes first)."""
        if not self.busy:
            self.dismiss(None)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer to apply only once there is something to write; to commit, only in git."""
        ready = self.plan is not None and not self.busy and not self.demo
        if action == "confirm":
            return ready and bool(self.plan and self.plan.edits)
        if action == "commit":
            return ready and bool((self.plan and self.plan.edits) or self.owed) and self.in_git
        if action == "cancel":
            return not self.busy
        return True


def _is_demo(root: Path) -> bool:
    """Whether the folder is the bundled seeds."""
    try:
        return root.resolve() == bundled_seeds().resolve()
    except OSError:
        return False

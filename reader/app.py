"""NewsReader(App): opens the library, restores theme and keymap, and runs the triage screen."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import suppress
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on
from textual.actions import parse
from textual.app import App
from textual.binding import Binding, BindingsMap, BindingType
from textual.command import DiscoveryHit, Hit, Hits, Provider
from textual.dom import DOMNode
from textual.geometry import Size
from textual.screen import Screen
from textual.theme import Theme

from reader.config import Settings, save_theme
from reader.data.checks import Checks
from reader.data.clean import escape_name, is_openable
from reader.data.library import Library, LibraryError, StoreError
from reader.messages import FirstFrameOut, LinkRequested
from reader.paths import config_file
from reader.triage.screen import TriageScreen
from reader.widgets.article_list import ArticleList
from reader.widgets.related_links import RelatedLinks

if TYPE_CHECKING:
    from reader.dialogs.help import KeyHelp
    from reader.keymap_check import Chain

Command = tuple[str, str, Callable[[], object]]
"""A palette entry: name, help, callback."""
CONFIG_SECONDS = 20
"""How long the config file's problems stay on screen, in seconds."""

def help_areas() -> list[tuple[str, type[DOMNode]]]:
    """Where keys work, in the order the help lists them after the app's own.

    The dialogs are imported here, when help or the palette first needs them, not before
    the first paint.
    """
    from reader.dialogs.apply import ApplyScreen
    from reader.dialogs.confirm import ConfirmScreen
    from reader.dialogs.conflicts import ConflictsScreen
    from reader.dialogs.help import HelpScreen
    from reader.dialogs.pick import PickScreen
    from reader.dialogs.problems import ProblemsScreen
    from reader.dialogs.raw import RawScreen
    from reader.dialogs.reason import ReasonScreen

    return [
        ("Triage", TriageScreen), ("Article list", ArticleList), ("Related coverage", RelatedLinks),
        ("Skip with reason", ReasonScreen), ("Apply preview", ApplyScreen),
        ("Topic and provider lists", PickScreen), ("Confirm", ConfirmScreen),
        ("Front matter", RawScreen), ("Problems in the folder", ProblemsScreen),
        ("Conflicts of the desk", ConflictsScreen),
        ("This help", HelpScreen),
    ]  # fmt: skip


def binding_chains() -> list[Chain]:
    """Every chain of nodes a key is looked up in: the triage screen with the list or the
    related pane focused, and each dialog."""
    chains: list[Chain] = []
    for area, node in help_areas():
        if issubclass(node, Screen):
            if node is not TriageScreen:
                chains.append((f'in "{area}"', [NewsReader, node], True))
        else:
            chains.append((f"in the {area.lower()}", [NewsReader, TriageScreen, node], False))
    return chains


def binding_commands(node: DOMNode) -> Iterator[Command]:
    """A palette entry for each of the node's bindings whose action it allows now."""
    for binding in node.BINDINGS:
        assert isinstance(binding, Binding)
        _, name, params = parse(binding.action)
        if binding.action != "command_palette" and node.check_action(name, params):
            run = partial(node.app.run_action, binding.action, node)
            yield binding.description, binding.tooltip, run


class TriageCommands(Provider):
    """Every triage action, by its name, for the command palette."""

    def _commands(self) -> Iterator[Command]:
        """The app's palette commands for the current screen."""
        app = self.app
        if isinstance(app, NewsReader):
            yield from app.commands(self.screen)

    async def discover(self) -> Hits:
        """List every command when nothing is typed yet."""
        for name, help_text, callback in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        """The commands whose name matches what is typed."""
        matcher = self.matcher(query)
        for name, help_text, callback in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class NewsReader(App[int]):
    """The triage app on one article folder."""

    CSS_PATH: ClassVar = ["app.tcss", "triage/screen.tcss"]
    """The triage screen's styles are the app's: a screen's own CSS_PATH makes Textual parse
    every style sheet again when it is pushed, delaying the first frame."""
    TITLE = "newsreader"
    COMMANDS: ClassVar = {TriageCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", tooltip="Quit newsreader (every decision is already saved)",
                show=True, id="quit"),
        Binding("question_mark,f1", "help", "Help", tooltip="List every key", show=True,
                id="help"),
        Binding("ctrl+p", "command_palette", "Commands", tooltip="Run any action by its name",
                show=False, priority=True, id="command_palette"),
    ]

    def __init__(self, root: Path, db_path: Path | None, settings: Settings,
                 now: Callable[[], datetime], checks: Checks | None = None,
                 after_first_frame: Callable[[], None] | None = None) -> None:
        """The app for the folder `root`, its decisions database, the user's settings and a
        clock; `checks` and `after_first_frame` as `make_app` takes them."""
        super().__init__()
        self.root = root
        """The article folder."""
        self.db_path = db_path
        """The decisions database (None: the default for the folder)."""
        self.settings = settings
        """The user's settings: theme and keymap."""
        self.now = now
        """The clock: relative dates and the pace use it (tests fix it)."""
        self.checks = checks
        """The files' integrity checks, started before the UI was imported (or None)."""
        self.library: Library | None = None
        """The main thread's library, open while the app runs."""
        self.sub_title = root.name
        self._size_seen: Size | None = None
        """The terminal size the screens were last laid out for."""
        self._after_first_frame = after_first_frame
        """Run once the triage screen's first frame is out (then None)."""
        self._config_problems = list(settings.problems)
        """What is wrong in the config file, shown once the first frame is out."""

    def on_resize(self, event: events.Resize) -> None:
        """Let a new size through, not the same one again.

        At start the terminal driver reports the size the app already started at; App's
        own handler would then lay the screens out and paint them again for nothing (a full
        screen's worth of output, delaying the list).
        """
        if event.size == self._size_seen:
            event.prevent_default()
        self._size_seen = event.size

    @property
    def config_path(self) -> Path:
        """The config file: where the settings were read from, and the theme is saved."""
        return self.settings.source or config_file()

    def on_mount(self) -> None:
        """Restore theme and keymap, open the library, then push the triage screen."""
        self._restore_theme()
        self.set_keymap(self.settings.keymap)
        try:
            self.library = Library(self.root, self.db_path, clock=self.now, checks=self.checks,
                                   story_window=timedelta(days=self.settings.story_days),
                                   site=self.settings.site)
        except (LibraryError, StoreError) as error:
            self.exit(return_code=2, message=Text(f"newsreader: {error}"))
            return
        if self.library.index_rebuilt:
            message = "The index was damaged and has been rebuilt from the files; no decision lost."
            self.notify(message, severity="warning", timeout=10, markup=False)
        # Not pushed here: App.on_mount runs inside Textual's start-up batch, where the new
        # screen's first full render is made and then thrown away, delaying the list.
        self.call_later(self.push_screen, TriageScreen(
            self.library, self.db_path, self.now, editor=self.settings.editor,
            sync_minutes=self.settings.sync_minutes))

    def on_unmount(self) -> None:
        """Close the library as the app goes."""
        if self.library is not None:
            self.library.close()

    def on_first_frame_out(self, message: FirstFrameOut) -> None:
        """Run what waited for the first frame, once; then show the config file's problems."""
        callback, self._after_first_frame = self._after_first_frame, None
        if callback is not None:
            callback()
        self._show_config_problems()
        self._say_demo()

    def _say_demo(self) -> None:
        """On the bundled demo articles, say so, and how to open a folder of one's own."""
        from reader.paths import bundled_seeds

        if self.root.resolve() != bundled_seeds().resolve():
            return
        self.notify(f"These are the five bundled demo articles. To triage your own, run "
                    f"`newsreader PATH`, or set `cache: PATH` in {self.config_path}",
                    title="Demo", timeout=12, markup=False)

    def _show_config_problems(self) -> None:
        """Show, in one toast naming the file, what is wrong in the config file: what
        loading it found, an unknown theme, and what the keymap does not get."""
        problems, self._config_problems = self._config_problems, []
        keymap = self.settings.keymap
        if keymap:  # checked after the first frame: it imports every dialog
            from reader.keymap_check import keymap_problems

            # Textual's private bindings may change: then no check, and no crash.
            with suppress(AttributeError):
                problems += keymap_problems(binding_chains(), keymap,
                                            self._normalize_keymap(keymap))
        if not problems:
            return
        path = str(self.config_path)
        lines = [p.removeprefix(f"{path}: ") for p in problems]
        self.notify("\n".join([path, *lines]), title="Config file", severity="warning",
                    timeout=CONFIG_SECONDS, markup=False)

    def _restore_theme(self) -> None:
        """Use the saved theme (warn if it is unknown), and save the user's next choice."""
        theme = self.settings.theme
        if theme in self.available_themes:
            self.theme = theme
        else:
            self._config_problems.append(f"unknown theme {theme!r}; using {self.theme}")
        self.theme_changed_signal.subscribe(self, self._save_theme)

    def _save_theme(self, theme: Theme) -> None:
        """Keep the user's choice of theme in the config file."""
        if theme.name == self.settings.theme:
            return
        self.settings.theme = theme.name
        try:
            save_theme(self.config_path, theme.name)
        except (OSError, ValueError) as error:
            self.notify(f"The theme was not saved: {error}", severity="warning", markup=False)

    def action_help(self) -> None:
        """Show every key."""
        from reader.dialogs.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(list(self.key_help())))

    def key_help(self) -> Iterator[KeyHelp]:
        """Every binding the user can press, with the keys the keymap gives it."""
        from reader.dialogs.help import KeyHelp

        for area, node in [("Anywhere", type(self)), *help_areas()]:
            bindings = BindingsMap(node.BINDINGS)
            bindings.apply_keymap(self.settings.keymap)
            seen: dict[str, list[str]] = {}
            found: dict[str, Binding] = {}
            for _key, binding in bindings:
                seen.setdefault(binding.action, []).append(self.get_key_display(binding))
                found.setdefault(binding.action, binding)
            for action, binding in found.items():
                yield KeyHelp(area, ", ".join(seen[action]), binding.description,
                              binding.tooltip)

    def commands(self, screen: Screen[object]) -> Iterator[Command]:
        """The palette's commands: the triage screen's and its panes' actions, then the app's."""
        if isinstance(screen, TriageScreen):
            for node in (screen, screen.article_list, screen.query_one(RelatedLinks)):
                yield from binding_commands(node)
            yield from screen.commands()
        yield from binding_commands(self)
        yield "Change theme", "Pick another colour theme (it is saved)", self.action_change_theme

    @on(LinkRequested)
    def _link(self, message: LinkRequested) -> None:
        """Open (http and https only) or copy a link a pane asked for."""
        url = message.url
        if message.action == "copy":
            self.copy_to_clipboard(url)
            self.notify(url, title="Copied", markup=False)
        elif is_openable(url):
            self.open_url(url)
        else:
            self._refuse_link(url)

    def _refuse_link(self, url: str) -> None:
        """Say that a link is not opened: it is not http or https."""
        shown = escape_name(url[:200]) or "(empty)"
        self.notify(f"Not an http or https link: {shown}", title="Refused",
                    severity="warning", markup=False)

    def open_url(self, url: str, *, new_tab: bool = True) -> None:
        """Open an http or https link in the web browser and say so, or say it could not.

        Textual's own `open_url` cannot tell: in a terminal it calls `webbrowser.open` and
        drops its answer, which is False when no browser is found.
        """
        if not is_openable(url):
            self._refuse_link(url)
            return
        if self.is_web:  # the browser showing the app opens it
            super().open_url(url, new_tab=new_tab)
            opened = True
        else:
            import webbrowser

            try:
                opened = webbrowser.open(url, new=2 if new_tab else 0)
            except (webbrowser.Error, OSError):
                opened = False
        if opened:
            self.notify(url, title="Opening", markup=False)
            return
        copy = self.settings.keymap.get("copy", "y").split(",")[0].strip() or "y"
        self.notify(f"No web browser found to open {url}\nPress {copy} to copy the link.",
                    title="Not opened", severity="warning", markup=False)


def make_app(root: Path, db_path: Path | None, settings: Settings,
             now: Callable[[], datetime] | None = None, checks: Checks | None = None,
             after_first_frame: Callable[[], None] | None = None) -> NewsReader:
    """The app for a cache folder; tests pass a fixed clock as `now`. `checks`: the files'
    integrity checks, if they were started already (`Library.start_checks`).
    `after_first_frame` runs once, when the list's first frame is out."""
    return NewsReader(root, db_path, settings, now or (lambda: datetime.now(UTC)), checks,
                      after_first_frame)

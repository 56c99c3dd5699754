"""StoryEditsScreen: the editor corrects the clustering. An article is split out of its story,
or articles are merged into another; each is one undoable step, kept over rescans."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

from textual.binding import BindingType

from reader.bindings import binding
from reader.data.decisions.dbfile import StoreError
from reader.data.decisions.store import Change
from reader.data.library import LibraryError
from reader.screens.scanning import ScanningScreen
from reader.widgets.article_list import ArticleList

STORY_EDIT_BINDINGS: list[BindingType] = [
    binding("b", "split_story", "Split out",
            "Take the article (or the selection) out of its story: each stands alone"),
    binding("m", "merge_story", "Merge into story",
            "Move the selected articles into the story of the article under the cursor"),
]
"""Split an article out of its story, merge articles into another story."""
MERGE_HOW = ("To merge: select the articles with space, then put the cursor on an article of "
             "the story they should join")
"""What merging without a selection says."""


def _articles(count: int) -> str:
    """`1 article`, `2 articles`."""
    return f"{count:,} article{'' if count == 1 else 's'}"


class StoryEditsScreen(ScanningScreen):
    """The story edits of the triage screen; subclasses give the targets and re-read rows."""

    _stories_seen: int | None = None
    """The newest batch when the stories shown were last read; None: to be looked up
    without reading them again (after this screen's own story step, already shown)."""

    def _targets(self) -> list[str]:
        """The selection in list order, else the article under the cursor."""
        raise NotImplementedError

    def _stories_changed(self) -> None:
        """Show the rows with the stories they have now (the order stays)."""
        raise NotImplementedError

    def action_split_story(self) -> None:
        """Take the article under the cursor, or the selection, out of its story: each one
        becomes a story of its own, as one undoable step."""
        lst = self.article_list
        rows = [row for row in map(lst.loaded_row, self._targets()) if row is not None]
        ids = [row.id for row in rows if row.story_size > 1]
        if not ids:
            if rows:
                alone = "It is" if len(rows) == 1 else "Each is"
                self.app.notify(f"{alone} alone in its story already", timeout=3)
            return
        if self._scanning("split"):
            return
        if self._edit(lambda: self.library.split_story(ids)):
            their = "its story" if len(ids) == 1 else "their stories"
            self.app.notify(f"Split {_articles(len(ids))} out of {their}", timeout=2)

    def action_merge_story(self) -> None:
        """Move the selected articles into the story of the article under the cursor, as one
        undoable step; with nothing selected, say how."""
        lst = self.article_list
        target = lst.cursor_row
        if target is None:
            return
        chosen = [row for row in lst.rows if row.id in lst.selected and row.id != target.id]
        if not chosen:
            self.app.notify(MERGE_HOW, timeout=5)
            return
        story = target.story or target.id  # "" before the first clustering
        ids = [row.id for row in chosen if (row.story or row.id) != story]
        if not ids:
            self.app.notify("They are in that story already", timeout=3)
            return
        if self._scanning("merge"):
            return
        if self._edit(lambda: self.library.merge_story(ids, target.id)):
            self.app.notify(f"Merged {_articles(len(ids))} into the story of "
                            f"{target.title or target.id}", timeout=3, markup=False)

    def _follow_stories(self) -> None:
        """Read the rows again when another instance made, undid or redid a story step
        since the last look (one query when nothing happened)."""
        try:
            self._stories_seen, edited = self.library.store.story_steps_since(self._stories_seen)
        except sqlite3.Error:  # busy or damaged: the next step says so, and why
            return
        if edited:
            self._stories_changed()

    def _scanning(self, verb: str) -> bool:
        """Whether a scan runs (then say so): it clusters with the edits it read when it
        began, and would write its stories over an edit made meanwhile."""
        if any(w.group == "scan" and w.is_running for w in self.workers):
            self.app.notify(f"The folder is being scanned: {verb} when it is done", timeout=3)
            return True
        return False

    def _edit(self, edit: Callable[[], object]) -> bool:
        """Make a story edit, then show the stories it leaves; False when it failed (the
        problem is shown, never a success)."""
        try:
            edit()
        except StoreError as error:
            self._problem(f"Not saved: {error}")
            return False
        except LibraryError as error:  # saved, but the index could not show it
            self._problem(str(error))
            self._stories_changed()  # the step is on the undo stack: `u` shows again
            return False
        self.article_list.clear_selection()
        self._stories_changed()
        self._stories_seen = None
        return True

    def _story_stepped(self, change: Change, undo: bool) -> None:
        """Show what an undo or redo of a story step left, and say which step it was."""
        self._stories_changed()
        self._stories_seen = None
        if change.ids:
            self.article_list.reveal(change.ids[0])
        what = "Undone" if undo else "Redone"
        self.app.notify(f"{what}: {self._edit_words(change)}", timeout=3, markup=False)

    def _edit_words(self, change: Change) -> str:
        """A story step as a toast says it: `the split of 1 article out of its story`,
        `the merge of 3 articles into the story of <title>`."""
        count = len(change.ids)
        target = change.edits[0][2] if change.edits else None
        if target is None:  # a step holds edits of one kind: splits have no target
            their = "its story" if count == 1 else "their stories"
            return f"the split of {_articles(count)} out of {their}"
        return f"the merge of {_articles(count)} into the story of {self._title(target)}"

    def _title(self, article_id: str) -> str:
        """An article's title (its id when it has none, or is not in the folder now)."""
        row = self.article_list.loaded_row(article_id)
        if row is not None:
            return row.title or article_id
        article = self.library.article(article_id)
        return (article.title if article else "") or article_id

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer the story edits while an article is under the cursor."""
        if action in ("split_story", "merge_story"):
            lists = self.query(ArticleList)  # none before the screen is composed
            return bool(lists) and lists.first().cursor_row is not None
        return super().check_action(action, parameters)

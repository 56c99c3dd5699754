"""StoriesScreen: grouping by story, the story's other articles, decide once, the publish guard."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import replace

from textual import on
from textual.binding import BindingType
from textual.content import Content
from textual.reactive import var

from reader.bindings import binding
from reader.data import query
from reader.data.article import Decision
from reader.data.query import ArticleRow, Filter
from reader.data.store_file import StoreError
from reader.screens.scanning import ScanningScreen
from reader.widgets.related_links import RelatedLinks

STORY_BINDINGS: list[BindingType] = [
    binding("P", "decide_story", "Publish, skip rest",
            "Publish this one, skip the rest of its story as its duplicates (one step)"),
    binding("z", "toggle_grouped", "Stories or flat",
            "Show one row per story (expand it with →), or every article flat"),
    binding("R", "pick_reason", "Skip reason", "Show the articles skipped for one reason only"),
]
"""Decide once per story, group or flatten the list, filter by skip reason."""
MEMBERS_SHOWN = 100
"""Other articles of a story listed in the side pane, newest first. A story can hold
thousands (every version of one page): 7,418 options took 85-1000 ms per cursor move."""


class StoriesScreen(ScanningScreen):
    """The story half of the triage screen; the subclass implements `_sync_and_advance`."""

    members: var[tuple[ArticleRow, ...]] = var(tuple)
    """The other articles of the shown article's story in this folder, newest first: the
    first MEMBERS_SHOWN."""
    members_total: var[int] = var(0)
    """How many other articles its story has in this folder, listed or not."""

    def _sync_and_advance(self, before: Mapping[str, Decision], ids: Iterable[str]) -> None:
        """Show the state these articles have now (`before`: what they had), then move the
        cursor to the next undecided article."""
        raise NotImplementedError

    def show_members(self, row: ArticleRow | None) -> None:
        """List the other articles of the row's story (None: no article shown)."""
        if row is None or row.story_size < 2:
            self.members_total = 0
            self.members = ()
            return
        found = query.story_members(self.library, row.story, limit=MEMBERS_SHOWN + 1)
        others = [member for member in found if member.id != row.id]
        self.members_total = max(len(others), row.story_size - 1)
        self.members = tuple(others[:MEMBERS_SHOWN])

    @on(RelatedLinks.MemberSelected)
    def _member_selected(self, message: RelatedLinks.MemberSelected) -> None:
        """Show the chosen article of the story in the list (its story expands if needed)."""
        if not self.article_list.reveal(message.article_id):
            self.app.notify("That article is not in the list: a filter hides it", timeout=3)

    def action_decide_story(self) -> None:
        """Publish the article under the cursor and skip the rest of its story, as one step."""
        row = self.article_list.cursor_row
        if row is None or not self.members:
            return
        everyone = query.story_members(self.library, row.story)  # not just those listed
        ids = [row.id, *(member.id for member in everyone if member.id != row.id)]
        before = query.states(self.library, ids)
        try:
            self.library.decide_story(row.id, ids)
        except StoreError as error:
            self._problem(f"Not saved: {error}")
            return
        self._sync_and_advance(before, ids)
        self.app.notify(f"Published 1, skipped {len(ids) - 1} as duplicates", timeout=2)

    def action_toggle_grouped(self) -> None:
        """Show one row per story, or every article (the cursor keeps its article)."""
        lst = self.article_list
        lst.grouped = not lst.grouped

    def action_pick_reason(self) -> None:
        """Choose a skip reason to show (every `duplicate of …` counts as `duplicate`)."""
        tally: Counter[str] = Counter()
        for _provider, reason, count in query.reasons(self.library):
            tally[reason] += count
        values = sorted(tally.items(), key=lambda item: (-item[1], item[0]))

        def chosen(value: str | None) -> None:
            if value is not None:
                self.filters = replace(self.filters, reason=value or None)

        from reader.screens.pick import PickScreen  # loaded when first used

        self.app.push_screen(PickScreen("Skip reason", values, self.filters.reason), chosen)

    def guard_publish(self, ids: Sequence[str], publish: Callable[[], None]) -> None:
        """Publish now, unless that publishes a second article of a story: then ask first."""
        question = self._second_publish(ids)
        if question is None:
            publish()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                publish()

        from reader.screens.confirm import ConfirmScreen  # loaded when first used

        self.app.push_screen(ConfirmScreen("Publish a second article of this story?", question),
                             answered)

    def _second_publish(self, ids: Sequence[str]) -> Content | None:
        """Why publishing `ids` needs a yes (plain-text article strings), or None."""
        lst = self.article_list
        chosen = set(ids)
        rows = [row for row in map(lst.loaded_row, ids) if row is not None and row.story_size > 1]
        stories = Counter(row.story for row in rows)
        for story, count in sorted(stories.items()):
            # Only its published articles: a story of 7,419 took 64 ms to read whole, 26 so.
            flt = Filter(story=story, state=Decision.PUBLISHED)
            for member in query.rows(self.library, flt, limit=len(chosen) + 1):
                if member.id not in chosen:
                    return Content.assemble(
                        "Its story already has a published article:\n",
                        (member.title or member.id, "bold"), f"\n{member.provider or '—'}",
                        "\n\nPublish this one as well?",
                    )
            if count > 1:
                return Content(f"The selection holds {count} articles of one story. "
                               "Publish them all?")
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer decide-once only on an article whose story has other articles here."""
        if action == "decide_story":
            return bool(self.members)
        return super().check_action(action, parameters)

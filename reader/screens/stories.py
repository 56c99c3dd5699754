"""StoriesScreen: grouping by story, the story's other articles, decide once, the publish guard."""

from __future__ import annotations

import sqlite3
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
from reader.data.decisions.dbfile import StoreError
from reader.data.library import Protected, StoryOutcome, StoryPlan
from reader.data.query import ArticleRow, Filter
from reader.render import story_why
from reader.screens.story_edits import StoryEditsScreen
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


class StoriesScreen(StoryEditsScreen):
    """The story half of the triage screen; the subclass implements `_sync_and_advance`."""

    members: var[tuple[ArticleRow, ...]] = var(tuple)
    """The other articles of the shown article's story in this folder, newest first: the
    first MEMBERS_SHOWN."""
    members_total: var[int] = var(0)
    """How many other articles its story has in this folder, listed or not."""
    story_why: var[str] = var("")
    """What ties the shown article to its story (shared URL, related links, words)."""

    def _sync_and_advance(self, before: Mapping[str, Decision], ids: Iterable[str]) -> None:
        """Show the state these articles have now (`before`: what they had), then move the
        cursor to the next undecided article."""
        raise NotImplementedError

    def show_members(self, row: ArticleRow | None) -> None:
        """List the other articles of the row's story (None: no article shown)."""
        if row is None or row.story_size < 2:
            self.members_total = 0
            self.members = ()
            self.story_why = ""
            return
        found = query.story_members(self.library, row.story, limit=MEMBERS_SHOWN + 1)
        others = [member for member in found if member.id != row.id]
        self.story_why = ""
        self.members_total = max(len(others), row.story_size - 1)
        self.members = tuple(others[:MEMBERS_SHOWN])
        # After the frame that shows the members: the key's answer comes first.
        self.call_after_refresh(self._explain, row.id, [m.id for m in self.members])

    def _explain(self, article_id: str, among: list[str]) -> None:
        """Say why the article is in its story, if the cursor is still on it; weighed
        against the members listed, as reading every copy of a large story would be slow."""
        row = self.article_list.cursor_row
        if row is None or row.id != article_id:
            return  # the cursor moved on: its own reason is on the way
        try:
            self.story_why = story_why(self.library.explain_story(article_id, among))
        except sqlite3.Error:  # the index is busy or being rebuilt: no reason this time
            self.story_why = ""

    @on(RelatedLinks.MemberSelected)
    def _member_selected(self, message: RelatedLinks.MemberSelected) -> None:
        """Show the chosen article of the story in the list (its story expands if needed)."""
        if not self.article_list.reveal(message.article_id):
            self.app.notify("That article is not in the list: a filter hides it", timeout=3)

    def action_decide_story(self) -> None:
        """Publish the article under the cursor and skip the rest of its story, as one step;
        a member that is live or that the editor decided is skipped only after a yes to a
        question naming it (a no still does the rest)."""
        row = self.article_list.cursor_row
        if row is None or not self.members:
            return
        everyone = query.story_members(self.library, row.story)  # not just those listed
        ids = [row.id, *(member.id for member in everyone if member.id != row.id)]
        plan = self.library.plan_story(row.id, ids)
        if not plan.protected:
            self._decide_story(row.id, ids, ())
            return
        named = [p.id for p in plan.protected]

        def answered(yes: bool | None) -> None:
            self._decide_story(row.id, ids, named if yes else ())

        from reader.screens.confirm import ConfirmScreen  # loaded when first used

        count = len(plan.protected)
        are = "is" if count == 1 else "are"
        title = f"Skip {_articles(count)} that {are} live or you already decided?"
        titles = {member.id: member.title or member.id for member in everyone}
        self.app.push_screen(
            ConfirmScreen(title, _protected_question(plan, titles.get(row.id, row.id), titles)),
            answered,
        )

    def _decide_story(self, chosen: str, ids: Sequence[str], include: Sequence[str]) -> None:
        """Decide the story (skipping the protected members in `include` too), show it, and
        say what happened; a failed save says so and nothing else."""
        before = query.states(self.library, ids)
        try:
            outcome = self.library.decide_story(chosen, ids, include)
        except StoreError as error:
            self._problem(f"Not saved: {error}")
            return
        self._sync_and_advance(before, ids)
        self.app.notify(_story_toast(outcome), timeout=4 if outcome.left else 2, markup=False)

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


NAMED_AT_MOST = 5
"""Protected members a question names; it counts the rest."""


def _articles(count: int) -> str:
    """`1 article`, `2 articles`."""
    return f"{count:,} article{'' if count == 1 else 's'}"


def _what_it_is(member: Protected) -> str:
    """Why a member is protected, as the question says it."""
    if not member.by_editor:
        return "live: its file says published"
    return {Decision.PUBLISHED: "you published it", Decision.SKIPPED: "you skipped it",
            Decision.UNDECIDED: "you made it undecided"}[member.state]


def _protected_question(plan: StoryPlan, chosen_title: str, titles: Mapping[str, str]) -> Content:
    """The question before skipping protected members: what P does, the first of them by
    title (plain text), how many more, and what each answer does."""
    skips = f", and skips {_articles(len(plan.to_skip))} nobody decided," if plan.to_skip else ","
    parts: list[str | tuple[str, str]] = [
        "This publishes ", (chosen_title, "bold"), skips,
        " but its story also has these, live or already decided:\n",
    ]
    for member in plan.protected[:NAMED_AT_MOST]:
        parts += ["\n", f"{member.state.glyph} ", titles.get(member.id, member.id),
                  (f" ({_what_it_is(member)})", "$text-muted")]
    more = len(plan.protected) - NAMED_AT_MOST
    if more > 0:
        parts.append(f"\nand {more:,} more")
    parts.append("\n\nYes skips them too. No leaves them as they are and still does the rest.")
    return Content.assemble(*parts)


def _story_toast(outcome: StoryOutcome) -> str:
    """What deciding a story did, e.g. `Published 1, skipped 7; left 2 live or already decided
    articles as they were`."""
    head = "Published 1" if outcome.published else "Kept it published"
    skipped = outcome.skipped
    left = outcome.left
    if skipped:
        text = f"{head}, skipped {skipped:,} as duplicate{'' if skipped == 1 else 's'}"
    else:
        text = f"{head}, skipped none" if left else f"{head}; nothing else to skip"
    if left:
        editor = sum(member.by_editor for member in left)
        kind = ("already decided" if editor == len(left) else
                "live" if editor == 0 else "live or already decided")
        one = len(left) == 1
        text += (f"; left {len(left):,} {kind} article{'' if one else 's'} "
                 f"as {'it was' if one else 'they were'}")
    return text

"""What the triage screen says about stories: its questions and toasts, with every article
string in them as plain text (never markup)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from textual.content import Content

from reader.data.article import Decision
from reader.data.clean import escape_name
from reader.data.library import Change, Protected, StoryOutcome, StoryPlan
from reader.data.query import ArticleRow
from reader.data.words import plural as plural
from reader.triage.desk import kept_words

STORE_REFUSED = ("Decisions are off: the decisions database was deleted or replaced. Quit "
                 "newsreader and start it again")
"""What the screen says, above the status bar, once the store refuses every write."""
NAMED_AT_MOST = 5
"""Protected members a question names; it counts the rest."""
MERGE_HOW = ("To merge: select the articles with space, then put the cursor on an article of "
             "the story they should join")
"""What merging without a selection says."""


def articles(count: int) -> str:
    """`1 article`, `2 articles`."""
    return plural(count, "article")


DONE = {Decision.PUBLISHED: "Published", Decision.SKIPPED: "Skipped",
        Decision.UNDECIDED: "Made undecided"}
"""What a decision did, as a toast says it."""


def bulk_toast(decision: Decision, count: int, off_screen: int) -> str:
    """What a decision on a selection did: `Skipped 12 articles (9 of them off screen)`."""
    text = f"{DONE[decision]} {articles(count)}"
    if off_screen:
        them = "it" if count == 1 else f"{off_screen:,} of them"
        text += f" ({them} off screen)"
    return text


SHORT_SHA = 12
"""The characters of a commit's sha a toast shows, as the CLI prints it."""


def step_toast(change: Change, undo: bool) -> str:
    """What an undo or redo of a decision or an apply step did, e.g. `Undone: the apply of
    3 files (their old bytes are back)`, and after undoing an apply that made a git commit,
    that the commit stays; story steps are `edit_words`'. Articles another editor decided
    since are named: the step left them as they are."""
    what = "Undone" if undo else "Redone"
    if change.kind != "apply":
        text = f"{what}: a decision on {articles(len(change.ids))}"
        return f"{text}; {kept_words(change.kept)}" if change.kept else text
    done = len(change.ids)
    its = "its" if done == 1 else "their"
    how = f"{its} old bytes are back" if undo else f"{its} published: lines written again"
    text = f"{what}: the apply of {plural(done, 'file')} ({how})"
    if change.refused:
        left = len(change.refused)
        as_before = "it was" if left == 1 else "they were"
        text += f"; {plural(left, 'file')} changed since, left as {as_before}"
    if change.commit and undo and done:
        text += (f". Its git commit {change.commit[:SHORT_SHA]} stays: the work tree now "
                 "differs from it")
    return text


def _what_it_is(member: Protected) -> str:
    """Why a member is protected, as the question says it."""
    if not member.by_editor:
        return "live: its file says published"
    return {Decision.PUBLISHED: "you published it", Decision.SKIPPED: "you skipped it",
            Decision.UNDECIDED: "you made it undecided"}[member.state]


def protected_title(plan: StoryPlan) -> str:
    """The title of the question before `P` skips live or decided members."""
    count = len(plan.protected)
    are = "is" if count == 1 else "are"
    return f"Skip {articles(count)} that {are} live or you already decided?"


def protected_question(plan: StoryPlan, chosen_title: str, titles: Mapping[str, str]) -> Content:
    """The question before skipping protected members: what P does, the first of them by
    title (plain text), how many more, and what each answer does."""
    skips = f", and skips {articles(len(plan.to_skip))} nobody decided," if plan.to_skip else ","
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


def story_toast(outcome: StoryOutcome) -> str:
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


def second_publish_question(why: ArticleRow | int) -> Content:
    """Why publishing needs a yes: the story's article published already (its title and
    provider as plain text), or how many chosen articles share one story."""
    if isinstance(why, int):
        return Content(f"The selection holds {why} articles of one story. Publish them all?")
    return Content.assemble(
        "Its story already has a published article:\n",
        (why.title or why.id, "bold"), f"\n{why.provider or '—'}",
        "\n\nPublish this one as well?",
    )


def edit_words(change: Change, title: Callable[[str], str]) -> str:
    """A story step as a toast says it: `the split of 1 article out of its story`,
    `the merge of 3 articles into the story of <title>`."""
    count = len(change.ids)
    target = change.edits[0][2] if change.edits else None
    if target is None:  # a step holds edits of one kind: splits have no target
        their = "its story" if count == 1 else "their stories"
        return f"the split of {articles(count)} out of {their}"
    return f"the merge of {articles(count)} into the story of {title(target)}"


def moved_toast(moved: Sequence[tuple[str, str]]) -> str:
    """What a rescan that found decided files renamed did: `Your decision followed its file
    to its new name: a.md → b.md (u undoes)`."""
    if len(moved) == 1:
        (old, new), = moved
        return (f"Your decision followed its file to its new name: {escape_name(old)} → "
                f"{escape_name(new)} (u undoes)")
    return f"{plural(len(moved), 'decision')} followed their files to new names (u undoes)"


def gone_toast(gone: Sequence[tuple[str, Decision]]) -> str:
    """Decisions whose file is gone: `You skipped c.md, but its file is gone; ...`."""
    first = ", ".join(f"{escape_name(i)} ({d.value})" for i, d in gone[:3])
    more = f" and {len(gone) - 3:,} more" if len(gone) > 3 else ""
    return (f"The file of {plural(len(gone), 'decision')} is gone: {first}{more}. "
            "`newsreader check` lists them; `newsreader decide ID clear` forgets one")

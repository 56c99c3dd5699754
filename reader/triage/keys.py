"""The triage screen's key bindings, each with an id for the keymap, a description, a tooltip."""

from __future__ import annotations

from textual.binding import BindingType

from reader.bindings import binding

TRIAGE_BINDINGS: list[BindingType] = [
    binding("p", "publish", "Publish",
            "Publish the article (or the selection), then go to the next undecided one",
            show=True),
    binding("s", "skip", "Skip",
            "Skip the article (or the selection), then go to the next undecided one",
            show=True),
    binding("S", "skip_reason", "Skip with reason…",
            "Skip and say why: duplicate, off-topic, low quality, paywall or other; on "
            "skipped articles, change the reason"),
    binding("x", "clear", "Clear", "Make the article (or the selection) undecided again",
            show=True),
    binding("u", "undo", "Undo", "Undo the last step (a decision, an apply, a story split or "
            "merge), even from an earlier session", show=True),
    binding("ctrl+r", "redo", "Redo", "Redo the step undone last", show=True),
    binding("slash", "search", "Search",
            "Search titles, excerpts, providers and topics: -word leaves out, a OR b, "
            "\"a phrase\", provider:NAME, topic:NAME", show=True),
    binding("f", "cycle_state", "State", "Show all, undecided, published or skipped articles",
            show=True),
    binding("w", "toggle_new", "New only",
            "Show only the articles new since your last session or found by a rescan "
            "(marked N); again: every article"),
    binding("l", "toggle_live_undecided", "Live, undecided",
            "Show only the articles live on the site that nobody decided (marked !): their "
            "file or the site's rules put them there; again: every article"),
    binding("t", "pick_topic", "Topic", "Show one topic's articles only"),
    binding("v", "pick_provider", "Provider", "Show one provider's articles only"),
    binding("equals_sign", "cycle_sort", "Sort", "Sort by date, quality, heat or title"),
    binding("escape", "clear_filters", "Clear filters",
            "Close the search box, else clear the selection, else go back to the filter "
            "from before the search, else drop every filter"),
    binding("n", "next_undecided", "Next undecided",
            "Go to the next undecided article without deciding this one"),
    binding("N", "previous_undecided", "Previous undecided",
            "Go to the previous undecided article without deciding this one"),
    binding("o", "open", "Open article", "Open the article in the browser"),
    binding("y", "copy", "Copy link", "Copy the article's link to the clipboard"),
    binding("e", "edit", "Edit file",
            "Open the article's file in $VISUAL (else $EDITOR), then read it again"),
    binding("F", "show_raw", "Front matter",
            "Show the article file's front matter as it is written, plain"),
    binding("exclamation_mark", "show_problems", "Problems",
            "List every file's problems (as `newsreader check` does); Enter goes to one"),
    binding("r", "rescan", "Rescan", "Look for new, changed and removed files"),
    binding("A", "apply", "Apply",
            "Write each decision into its file's published: line, after a preview"),
    binding("tab", "next_pane", "Next pane", "Move to the next pane"),
    binding("shift+tab", "previous_pane", "Previous pane", "Move to the previous pane"),
]
"""Publish, skip, clear, undo, redo, search, filters, links, the file (edit it, its front
matter, the folder's problems), panes, rescan and apply."""
STORY_BINDINGS: list[BindingType] = [
    binding("P", "decide_story", "Publish, skip rest",
            "Publish this one, skip the rest of its story as its duplicates (one step)"),
    binding("z", "toggle_grouped", "Stories or flat",
            "Show one row per story (expand it with →), or every article flat"),
    binding("R", "pick_reason", "Skip reason", "Show the articles skipped for one reason only"),
]
"""Decide once per story, group or flatten the list, filter by skip reason."""
STORY_EDIT_BINDINGS: list[BindingType] = [
    binding("b", "split_story", "Split out",
            "Take the article (or the selection) out of its story: each stands alone"),
    binding("m", "merge_story", "Merge into story",
            "Move the selected articles into the story of the article under the cursor"),
]
"""Split an article out of its story, merge articles into another story."""
DESK_BINDINGS: list[BindingType] = [
    # Not G, which the list's cursor keys take (the last article).
    binding("D", "sync", "Sync with the desk",
            "Share your decisions and claims with the other editors through the site's git "
            "repository, and take theirs (commit your log, pull, push)"),
    binding("C", "show_conflicts", "Conflicts",
            "List the articles editors decided differently, each side with who, what and "
            "when; Enter on a side resolves the article with it"),
    binding("c", "claim", "Claim the next 20",
            "Claim the next 20 undecided articles nobody claimed, for 4 hours: the other "
            "editors' next undecided passes them over once they have synced"),
]
"""The desk: sync, the conflicts, claims."""
WRITES = frozenset({"publish", "skip", "skip_reason", "clear", "undo", "redo", "apply",
                    "decide_story", "split_story", "merge_story", "sync", "claim"})
"""The actions that write to the decisions database: off once it refuses (see
`TriageScreen.refused`). The conflicts view stays: it lists, and says when a resolution is
not saved."""

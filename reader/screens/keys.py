"""The triage screen's key bindings, each with an id for the keymap, a description, a tooltip."""

from __future__ import annotations

from textual.binding import Binding, BindingType


def _binding(key: str, action: str, description: str, tooltip: str, show: bool = False) -> Binding:
    """A binding whose id is its action's name, so a keymap can rebind it."""
    return Binding(key, action, description, show=show, tooltip=tooltip, id=action)


TRIAGE_BINDINGS: list[BindingType] = [
    _binding("p", "publish", "Publish",
             "Publish the article (or the selection), then go to the next undecided one",
             show=True),
    _binding("s", "skip", "Skip",
             "Skip the article (or the selection), then go to the next undecided one",
             show=True),
    _binding("S", "skip_reason", "Skip with reason…",
             "Skip and say why: duplicate, off-topic, low quality, paywall or other"),
    _binding("x", "clear", "Clear", "Make the article (or the selection) undecided again",
             show=True),
    _binding("u", "undo", "Undo", "Undo the last decision, even from an earlier session",
             show=True),
    _binding("ctrl+r", "redo", "Redo", "Redo the decision undone last", show=True),
    _binding("slash", "search", "Search", "Search titles, excerpts, providers and topics",
             show=True),
    _binding("f", "cycle_state", "State", "Show all, undecided, published or skipped articles",
             show=True),
    _binding("t", "pick_topic", "Topic", "Show one topic's articles only"),
    _binding("v", "pick_provider", "Provider", "Show one provider's articles only"),
    _binding("equals_sign", "cycle_sort", "Sort", "Sort by date, quality, heat or title"),
    _binding("escape", "clear_filters", "Clear filters",
             "Close the search box, else drop the search and every filter"),
    _binding("o", "open", "Open article", "Open the article in the browser"),
    _binding("y", "copy", "Copy link", "Copy the article's link to the clipboard"),
    _binding("r", "rescan", "Rescan", "Look for new, changed and removed files"),
    _binding("A", "apply", "Apply",
             "Write each decision into its file's published: line, after a preview"),
    _binding("tab", "next_pane", "Next pane", "Move to the next pane"),
    _binding("shift+tab", "previous_pane", "Previous pane", "Move to the previous pane"),
]
"""Publish, skip, clear, undo, redo, search, filters, links, panes, rescan and apply."""

"""Steps between filters: the state cycle and the sort cycle (pure functions on Filter)."""

from __future__ import annotations

from dataclasses import replace

from reader.data.article import Decision
from reader.data.query import SORTS, Filter

STATES: tuple[Decision | None, ...] = (
    None, Decision.UNDECIDED, Decision.PUBLISHED, Decision.SKIPPED
)
"""The state filter's cycle: all, then each state."""


def next_state(flt: Filter) -> Filter:
    """The filter showing the next state: all, undecided, published, skipped."""
    index = STATES.index(flt.state)
    return replace(flt, state=STATES[(index + 1) % len(STATES)])


def with_state(flt: Filter, state: str) -> Filter:
    """The filter showing one state by name (`all` for every state)."""
    return replace(flt, state=None if state == "all" else Decision(state))


def next_sort(flt: Filter) -> Filter:
    """The filter sorted by the next key: date, quality, heat, title."""
    return replace(flt, sort=SORTS[(SORTS.index(flt.sort) + 1) % len(SORTS)])


def with_sort(flt: Filter, sort: str) -> Filter:
    """The filter sorted by one key, by name."""
    return replace(flt, sort=next(s for s in SORTS if s == sort))

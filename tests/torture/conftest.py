"""Torture fixtures: the counters every test adds to, and their one summary line in CI."""

from __future__ import annotations

import pytest

from .helpers import COUNTS, Counts

_RAN: list[str] = []


@pytest.fixture
def counts(request: pytest.FixtureRequest) -> Counts:
    """The session's counters (tests add to them as they check)."""
    _RAN.append(request.node.nodeid)
    return COUNTS


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Print the one torture line when any torture test ran."""
    if _RAN:
        terminalreporter.write_sep("=", COUNTS.line(), bold=True)

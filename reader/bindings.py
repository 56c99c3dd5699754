"""binding(): a key binding whose id is its action's name, so the keymap can rebind it."""

from __future__ import annotations

from textual.binding import Binding


def binding(key: str, action: str, description: str, tooltip: str, show: bool = False) -> Binding:
    """A binding with an id (its action's name), a description and a tooltip for the help."""
    return Binding(key, action, description, show=show, tooltip=tooltip, id=action)

"""Keymap checks: what a keymap from the config asks for that the app will not do.

Textual applies a keymap silently: an unknown binding id, or a key that another binding
runs first (ctrl+p opens the command palette), binds nothing. These functions look keys up
as Textual does, along each chain of nodes a key goes through, and say what is lost. They
read Textual's merged bindings (`_merged_bindings`), which is not public API: the app
skips the check if that ever changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from textual.binding import Binding, BindingsMap
from textual.dom import DOMNode

Chain = tuple[str, list[type[DOMNode]], bool]
"""Where keys are looked up: the place in words, its nodes from the app down to the focused
one, and whether the screen is modal (the app's own keys do not reach past it)."""
Runner = tuple[int, str | None, str]
"""The binding a key runs in a chain: its node's place in the chain, its id, its action."""


def class_bindings(node: type[DOMNode], keymap: Mapping[str, str]) -> BindingsMap:
    """The bindings of a node class (its bases' too, as Textual merges them), keymap applied."""
    merged = node._merged_bindings
    bindings = BindingsMap() if merged is None else merged.copy()
    if keymap:
        bindings.apply_keymap(keymap)
    return bindings


def runs(chain: list[BindingsMap], modal: bool, key: str) -> tuple[int, Binding] | None:
    """The binding a key press runs along a chain, as Textual looks it up: priority bindings
    from the app down, then the others from the focused node up (not past a modal screen)."""
    for depth, bindings in enumerate(chain):
        for binding in bindings.key_to_bindings.get(key, ()):
            if binding.priority:
                return depth, binding
    for depth in range(len(chain) - 1, 0 if modal else -1, -1):
        for binding in chain[depth].key_to_bindings.get(key, ()):
            if not binding.priority:
                return depth, binding
    return None


def runner(found: tuple[int, Binding] | None) -> Runner | None:
    """What identifies the binding `runs` found (None: none)."""
    return None if found is None else (found[0], found[1].id, found[1].action)


def binding_name(binding: Binding) -> str:
    """A binding in a keymap problem: its id, else its action."""
    return binding.id or binding.action


def key_use(binding: Binding) -> str:
    """What a key does, in words, for a keymap problem."""
    if binding.action in {"command_palette", "app.command_palette"}:
        return "opens the command palette"
    about = f" ({binding.description})" if binding.description else ""
    return f"is {binding_name(binding)}'s{about}"


def keymap_problems(chains: Iterable[Chain], keymap: Mapping[str, str],
                    normalized: Mapping[str, str]) -> list[str]:
    """What a keymap asks that it does not get: unknown binding ids (with the closest known
    one), keys another binding runs first (the command palette's ctrl+p), and keys it takes
    from another binding. `chains`: where keys are looked up; `normalized`: the same keymap
    as `App.set_keymap` stores it."""
    has: dict[tuple[str, str], set[str]] = {}
    """(binding, key) -> the places where the key would run the binding."""
    loses: dict[tuple[str, str], dict[str, Binding]] = {}
    """(binding, key) -> the places where another binding runs the key instead, and which."""
    known: set[str] = set()
    for where, nodes, modal in chains:
        base = [class_bindings(node, {}) for node in nodes]
        maps = [class_bindings(node, normalized) for node in nodes]
        for depth, (before, after) in enumerate(zip(base, maps, strict=True)):
            known.update(b.id for _, b in after if b.id)
            mapped = [(key, b, maps) for key, b in after if b.id in normalized]
            kept = [(key, b, base) for key, b in before if b.id not in normalized]
            for key, binding, chain in mapped + kept:
                if modal and depth == 0 and not binding.priority:
                    continue  # the app's own keys do not reach past a modal screen
                mine = (depth, binding.id, binding.action)
                if chain is base and runner(runs(base, modal, key)) != mine:
                    continue  # not this binding's key here, keymap or not
                name = binding_name(binding)
                has.setdefault((name, key), set()).add(where)
                found = runs(maps, modal, key)
                if found is not None and runner(found) != mine:
                    loses.setdefault((name, key), {})[where] = found[1]
    problems = []
    for binding_id in keymap:
        if binding_id in known:
            continue
        import difflib  # only for a misspelt id

        close = difflib.get_close_matches(binding_id, sorted(known), n=1)
        hint = f"did you mean {close[0]!r}?" if close else "the README lists the ids"
        problems.append(f"keymap: unknown binding id {binding_id!r} ignored ({hint})")
    for (name, key), places in loses.items():
        where = "" if set(places) == has[name, key] else " " + ", ".join(places)
        other = next(iter(places.values()))
        if name in normalized:
            there = " there" if where else ""
            problems.append(f"keymap: {name} is not bound to {key}{where}: that key "
                            f"{key_use(other)}{there}")
        else:
            problems.append(f"keymap: {name} loses {key}{where} to {binding_name(other)}")
    return problems

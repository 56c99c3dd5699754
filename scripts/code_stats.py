"""Print the shape of the code under reader/: module and function sizes, the share of
functions with a docstring, and how deep the project's classes sit below a Textual class.

Run it from the repo:

    .venv/bin/python scripts/code_stats.py [--top 10]

It reads the sources with `ast` (nothing is imported) and asserts nothing. Targets (the
"one triage model" issue): docstrings on at least 90% of functions, no project class more
than 2 below a Textual class.
"""

from __future__ import annotations

import argparse
import ast
import statistics
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DOCSTRING_TARGET = 0.90
DEPTH_TARGET = 2


@dataclass
class Stats:
    """What the walk found."""

    modules: dict[str, int] = field(default_factory=dict)
    """Module -> lines."""
    functions: list[tuple[int, str]] = field(default_factory=list)
    """(lines, module:qualified name) of every function and method."""
    documented: int = 0
    undocumented: list[str] = field(default_factory=list)
    bases: dict[str, list[str]] = field(default_factory=dict)
    """Class name -> the names of its bases, as written (last dotted part)."""


def _walk(node: ast.AST, module: str, prefix: str, stats: Stats) -> None:
    """Count the functions and classes under `node`."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
            name = f"{module}:{prefix}{child.name}"
            size = (child.end_lineno or child.lineno) - child.lineno + 1
            stats.functions.append((size, name))
            if ast.get_docstring(child):
                stats.documented += 1
            else:
                stats.undocumented.append(name)
            _walk(child, module, f"{prefix}{child.name}.", stats)
        elif isinstance(child, ast.ClassDef):
            stats.bases[child.name] = [_base_name(b) for b in child.bases]
            _walk(child, module, f"{prefix}{child.name}.", stats)


def _base_name(node: ast.expr) -> str:
    """`Screen` for `Screen`, `textual.screen.Screen` or `Screen[None]`."""
    if isinstance(node, ast.Subscript):
        node = node.value
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ast.unparse(node)


def depth(name: str, bases: dict[str, list[str]], seen: frozenset[str] = frozenset()) -> int:
    """How many project classes lie between `name` and the first class not ours (0: a
    project class whose bases are all outside the project)."""
    if name not in bases or name in seen:
        return -1  # not a project class
    parents = [depth(b, bases, seen | {name}) for b in bases[name]]
    return 1 + max(parents, default=-1)


def collect(root: Path) -> Stats:
    """Walk every module under `root`."""
    stats = Stats()
    for path in sorted(root.rglob("*.py")):
        module = str(path.relative_to(root.parent).with_suffix("")).replace("/", ".")
        text = path.read_text(encoding="utf-8")
        stats.modules[module] = text.count("\n")
        _walk(ast.parse(text), module, "", stats)
    return stats


def main() -> None:
    """Print the figures and the targets."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--top", type=int, default=10, help="how many of the largest to list")
    args = parser.parse_args()
    stats = collect(REPO / "reader")
    print(f"modules: {len(stats.modules)}, lines: {sum(stats.modules.values()):,}")
    for module, lines in sorted(stats.modules.items(), key=lambda m: -m[1])[: args.top]:
        print(f"  {lines:>5}  {module}")
    sizes = [size for size, _ in stats.functions]
    print(f"functions: {len(sizes)}, lines median {statistics.median(sizes):.0f}, "
          f"max {max(sizes)}")  # fmt: skip
    for size, name in sorted(stats.functions, reverse=True)[: args.top]:
        print(f"  {size:>5}  {name}")
    share = stats.documented / len(sizes)
    verdict = "met" if share >= DOCSTRING_TARGET else "NOT met"
    print(f"docstrings: {stats.documented}/{len(sizes)} = {share:.1%} "
          f"(target >= {DOCSTRING_TARGET:.0%}: {verdict})")  # fmt: skip
    depths = {name: depth(name, stats.bases) for name in stats.bases}
    deepest = max(depths.values(), default=0)
    verdict = "met" if deepest <= DEPTH_TARGET else "NOT met"
    print(f"deepest project class below a class not ours: {deepest} "
          f"(target <= {DEPTH_TARGET}: {verdict})")  # fmt: skip
    for name, value in sorted(depths.items(), key=lambda d: -d[1])[:5]:
        print(f"  {value}  {' -> '.join(chain(name, stats.bases))}")


def chain(name: str, bases: dict[str, list[str]]) -> list[str]:
    """The class, then its deepest base, and so on up to the first class not ours."""
    found = [name]
    while found[-1] in bases and bases[found[-1]] and len(found) < 20:
        found.append(max(bases[found[-1]], key=lambda base: depth(base, bases)))
    return found

if __name__ == "__main__":
    main()

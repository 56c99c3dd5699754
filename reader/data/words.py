"""Counts as words, for both front ends: `1 file`, `2 files`."""

from __future__ import annotations


def plural(count: int, noun: str) -> str:
    """`1 file`, `2 files`, `1,024 files`: a count as words (`noun` takes an s)."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"

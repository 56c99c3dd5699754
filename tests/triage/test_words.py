"""reader.triage.words: what the triage screen's toasts say after an undo or redo."""

from __future__ import annotations

from reader.data.article import Problem
from reader.data.library import Change
from reader.triage import words

SHA = "0123456789abcdef0123456789abcdef01234567"
"""A commit an apply made, as git names it (the toast shows its first 12 characters)."""


def test_undoing_an_apply_that_made_a_commit_says_the_commit_stays() -> None:
    change = Change(7, ("a.md", "b.md"), kind="apply", commit=SHA)
    assert words.step_toast(change, undo=True) == (
        "Undone: the apply of 2 files (their old bytes are back). Its git commit "
        "0123456789ab stays: the work tree now differs from it")


def test_a_file_left_as_it_was_is_said_before_the_commit() -> None:
    refused = (Problem("b.md", "file", "changed"),)
    change = Change(7, ("a.md",), kind="apply", refused=refused, commit=SHA)
    assert words.step_toast(change, undo=True) == (
        "Undone: the apply of 1 file (its old bytes are back); 1 file changed since, left "
        "as it was. Its git commit 0123456789ab stays: the work tree now differs from it")


def test_an_apply_without_a_commit_says_nothing_of_git() -> None:
    change = Change(7, ("a.md", "b.md"), kind="apply")
    assert words.step_toast(change, undo=True) == (
        "Undone: the apply of 2 files (their old bytes are back)")


def test_nothing_of_the_commit_when_no_file_was_restored_or_on_redo() -> None:
    refused = (Problem("a.md", "file", "changed"),)
    none_back = Change(7, (), kind="apply", refused=refused, commit=SHA)
    assert "commit" not in words.step_toast(none_back, undo=True)
    again = Change(8, ("a.md",), kind="apply", commit=SHA)
    assert words.step_toast(again, undo=False) == (
        "Redone: the apply of 1 file (its published: lines written again)")


def test_a_decision_is_said_as_before() -> None:
    assert words.step_toast(Change(3, ("a.md",)), undo=True) == (
        "Undone: a decision on 1 article")

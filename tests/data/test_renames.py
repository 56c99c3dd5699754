"""A decision follows its article: a decided file renamed (same bytes, or same web URL)
keeps its decision under the new name, as one undoable step; one that is simply gone is
reported as a decision whose file is gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.data import query
from reader.data.article import Decision
from reader.data.library import Library

ARTICLE = """---
title: "{title}"
publishedDateTime: 2024-01-1{day}T10:00:00Z
webUrl: "https://example.com/{slug}"
published: true
---

{body}
"""


def write(folder: Path, name: str, slug: str, day: int = 1, body: str = "Text.") -> Path:
    """One article file."""
    path = folder / name
    path.write_text(ARTICLE.format(title=slug.title(), day=day, slug=slug, body=body),
                    encoding="utf-8")
    return path


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    root = tmp_path / "news"
    root.mkdir()
    write(root, "a.md", "comet", 1)
    write(root, "b.md", "rover", 2)
    write(root, "c.md", "chess", 3)
    return root


@pytest.fixture
def library(folder: Path, tmp_path: Path) -> Iterator[Library]:
    lib = Library(folder, tmp_path / "state" / "decisions.db")
    lib.refresh()
    yield lib
    lib.close()


def test_a_renamed_file_keeps_its_decision_and_its_reason(library: Library, folder: Path) -> None:
    library.decide(["c.md"], Decision.SKIPPED, reason="paywall")
    (folder / "c.md").rename(folder / "renamed.md")
    result = library.refresh()
    assert result.moved == [("c.md", "renamed.md")]
    assert library.decision("renamed.md") is Decision.SKIPPED
    assert library.reason("renamed.md") == "paywall"
    assert library.gone_decisions() == []
    assert library.refresh().moved == []  # said once


def test_the_move_is_one_step_undo_takes_back(library: Library, folder: Path) -> None:
    library.decide(["c.md"], Decision.SKIPPED)
    (folder / "c.md").rename(folder / "renamed.md")
    library.refresh()
    library.undo()
    assert library.decision("renamed.md") is Decision.PUBLISHED  # its file says true
    assert library.gone_decisions() == [("c.md", Decision.SKIPPED)]


def test_a_file_renamed_and_edited_is_found_by_its_url(library: Library, folder: Path) -> None:
    library.decide(["b.md"], Decision.SKIPPED)
    (folder / "b.md").unlink()
    write(folder, "sub-rover.md", "rover", 2, body="Text, edited.")
    assert library.refresh().moved == [("b.md", "sub-rover.md")]
    assert library.decision("sub-rover.md") is Decision.SKIPPED


def test_two_candidates_are_no_match_and_the_decision_is_reported_gone(
    library: Library, folder: Path
) -> None:
    library.decide(["a.md"], Decision.SKIPPED)
    data = (folder / "a.md").read_bytes()
    (folder / "a.md").unlink()
    (folder / "one.md").write_bytes(data)
    (folder / "two.md").write_bytes(data)
    assert library.refresh().moved == []
    assert library.gone_decisions() == [("a.md", Decision.SKIPPED)]
    assert library.decision("one.md") is Decision.PUBLISHED


def test_a_file_listed_under_two_names_then_renamed_again_keeps_its_decision(
    library: Library, folder: Path
) -> None:
    # A walk that ran while c.md was renamed to new.md saw both names: the index holds
    # the file twice, the decision with c.md. By the next refresh the file has moved on
    # again: two gone names point to one found file, and the decided one is the file.
    library.decide(["c.md"], Decision.SKIPPED, reason="paywall")
    data = (folder / "c.md").read_bytes()
    (folder / "new.md").write_bytes(data)
    library.refresh()
    (folder / "c.md").unlink()
    (folder / "new.md").rename(folder / "newer.md")
    assert library.refresh().moved == [("c.md", "newer.md")]
    assert library.decision("newer.md") is Decision.SKIPPED
    assert library.reason("newer.md") == "paywall"
    assert library.gone_decisions() == []


def test_two_gone_names_both_decided_are_no_match(library: Library, folder: Path) -> None:
    library.decide(["c.md"], Decision.SKIPPED)
    (folder / "new.md").write_bytes((folder / "c.md").read_bytes())
    library.refresh()
    library.decide(["new.md"], Decision.PUBLISHED)
    (folder / "c.md").unlink()
    (folder / "new.md").rename(folder / "newer.md")
    assert library.refresh().moved == []
    assert library.gone_decisions() == [("c.md", Decision.SKIPPED), ("new.md", Decision.PUBLISHED)]


def test_a_deleted_file_is_reported_and_an_undecided_one_is_not(
    library: Library, folder: Path
) -> None:
    library.decide(["a.md"], Decision.SKIPPED)
    library.decide(["b.md"], Decision.UNDECIDED)
    (folder / "a.md").unlink()
    (folder / "b.md").unlink()
    library.refresh()
    assert library.gone_decisions() == [("a.md", Decision.SKIPPED)]


def test_a_new_file_the_editor_decided_already_keeps_its_own_decision(
    library: Library, folder: Path
) -> None:
    library.decide(["c.md"], Decision.SKIPPED)
    (folder / "c.md").rename(folder / "back.md")
    library.decide(["back.md"], Decision.PUBLISHED)  # by id, before the rescan lists it
    assert library.refresh().moved == []
    assert library.decision("back.md") is Decision.PUBLISHED
    assert library.gone_decisions() == [("c.md", Decision.SKIPPED)]


def test_a_renamed_file_is_not_new_to_the_editor(library: Library, folder: Path) -> None:
    write(folder, "d.md", "volcano", 4)
    library.refresh()  # rescan 2 finds d.md
    (folder / "d.md").rename(folder / "volcano.md")
    (folder / "a.md").rename(folder / "comet.md")
    result = library.refresh()
    assert sorted(result.renamed) == [("a.md", "comet.md"), ("d.md", "volcano.md")]
    assert result.moved == []  # no decision to move
    seen = {row.id: row.seen for row in query.rows(library)}
    assert (seen["comet.md"], seen["volcano.md"]) == (1, 2)

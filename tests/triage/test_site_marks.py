"""The site's marks in the triage model: what the library says is live without a decision,
kept current by decisions (one made while a worker reads them too), and a filter of them
from memory that lists what SQL lists."""

from __future__ import annotations

from pathlib import Path

from reader.data import query
from reader.data.article import Decision
from reader.data.library import Library
from reader.data.query import Filter
from reader.triage.model import TriageModel
from reader.triage.site import short_summary
from tests.triage import test_model

folder = test_model.folder
clock = test_model.clock
library = test_model.library
triage = test_model.triage
ids = test_model.ids


def read(model: TriageModel) -> None:
    """Have the marks worked out (on this thread) and taken in, as the screen does."""
    model.site_asked()
    model.take_site(model.read_site())


def test_the_marks_are_what_the_library_says(triage: TriageModel, library: Library) -> None:
    assert triage.unsettled is None  # not read yet
    read(triage)
    assert triage.site is not None
    assert triage.site.unsettled == set(library.live_undecided()) == {"d.md"}
    assert triage.site.live == {i for i, s in library.site_states().items() if s.live}
    assert triage.unsettled == 1


def test_the_filter_from_memory_lists_what_sql_lists(triage: TriageModel,
                                                     library: Library) -> None:
    flt = Filter(live_undecided=True)
    from_sql, _ = triage.set_filter(flt)  # no marks yet: SQL
    read(triage)
    triage.select(Filter())  # every row in memory
    assert triage.in_memory(flt)
    from_memory, _ = triage.set_filter(flt)
    assert ids(from_memory) == ids(from_sql) == ids(query.rows(library, flt)) == ["d.md"]


def test_a_decision_takes_an_article_out_and_its_undo_puts_it_back(
    triage: TriageModel,
) -> None:
    read(triage)
    triage.decide(["d.md"], Decision.PUBLISHED)  # the state its file gave, now the editor's
    assert triage.unsettled == 0
    change = triage.step(undo=True)
    assert change is not None
    triage.took({}, change.ids)
    assert triage.unsettled == 1


def test_a_decision_made_while_the_marks_are_read_is_kept(triage: TriageModel) -> None:
    triage.site_asked()
    marks = triage.read_site()  # read before the decision below
    triage.decide(["d.md"], Decision.SKIPPED)
    triage.take_site(marks)
    assert triage.unsettled == 0


def test_the_summary_names_paths_from_the_article_folder(library: Library,
                                                         folder: Path) -> None:
    (folder.parent / ".git").mkdir()  # a work tree's top: nothing above it is looked at
    assert short_summary(library.site(), folder) == (
        f"no site found: no _config.yml in {folder.name} or above it"
    )
    (folder.parent / "_config.yml").write_text("title: x\n", encoding="utf-8")
    assert library.reload_site()
    assert short_summary(library.site(), folder) == "site: ../_config.yml"

"""`apply` under a site's rules, judged by Debian's real `jekyll build`: after a mix of
decisions, the pages Jekyll writes and the items it lists are those the Library predicts, and
each decided article is as decided, or was skipped by the planner with the rule in the way."""

from __future__ import annotations

import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.data.article import Decision
from reader.data.library import Library
from tests.data.site.test_against_jekyll import INDEX, JEKYLL, jekyll_build, outcome

pytestmark = pytest.mark.skipif(
    JEKYLL is None,
    reason="jekyll is not on PATH: install Debian's package (apt-get install jekyll) to "
    "compare what newsreader applies with a real build",
)
NOW = datetime.now(UTC)
CONFIG = """\
timezone: UTC
collections:
  news:
    output: true
defaults:
  - scope: {path: "_news/held"}
    values: {published: false}
"""
FM = "---\ntitle: {0}\npublishedDateTime: 2024-01-01T00:00:00Z\n{1}---\nBody.\n"
FILES = {
    "nokey.md": FM.format("No key", ""),
    "true.md": FM.format("True", "published: true\n"),
    "false.md": FM.format("False", "published: false\n"),
    "string-false.md": FM.format("String false", 'published: "false"\n'),
    "empty.md": FM.format("Empty", "published:\n"),
    "mixed-case.md": FM.format("Mixed case", "published: fAlSe\n"),
    "future.md": FM.format("Future", "date: 2099-01-01\n"),
    "2001-01-01-dated.md": FM.format("Dated", ""),
    "symbol.md": FM.format(":-) Smile", "published: false\n"),
    "held/nokey.md": FM.format("Held, no key", ""),
    "held/true.md": FM.format("Held, own true", "published: true\n"),
    "held/false.md": FM.format("Held, own false", "published: false\n"),
    "held/empty.md": FM.format("Held, empty", "published:\n"),
    "release.txt": "A release\nDate: 2024-01-01\nTags: a\n\nBody.\n",
}
DECISIONS = {
    "nokey.md": Decision.SKIPPED,
    "true.md": Decision.SKIPPED,
    "false.md": Decision.PUBLISHED,
    "string-false.md": Decision.SKIPPED,
    "empty.md": Decision.PUBLISHED,
    "mixed-case.md": Decision.PUBLISHED,
    "future.md": Decision.PUBLISHED,  # the date holds it back: no line can
    "2001-01-01-dated.md": Decision.SKIPPED,
    "symbol.md": Decision.SKIPPED,  # Jekyll reads none of its fields: no line can
    "held/nokey.md": Decision.PUBLISHED,
    "held/true.md": Decision.SKIPPED,
    "held/false.md": Decision.SKIPPED,
    "held/empty.md": Decision.SKIPPED,
    "release.txt": Decision.PUBLISHED,  # a static file: no line to write
}


def page(rel: str) -> str:
    """The file Jekyll writes for a document under `_news` (REL relative to it)."""
    return re.sub(r"\.(md|markdown)$", ".html", rel)


def test_apply_a_mix_of_decisions_then_build(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "_news" / "held").mkdir(parents=True)
    (site / "_config.yml").write_text(CONFIG)
    (site / "index.html").write_text(INDEX)
    for name, text in FILES.items():
        (site / "_news" / name).write_text(text)
    lib = Library(site / "_news", tmp_path / "d.db", clock=lambda: NOW)
    try:
        lib.refresh()
        for article_id, decision in DECISIONS.items():
            lib.decide([article_id], decision)
        found = lib.plan_apply()
        blocked = {s.id: s for s in found.skipped}
        assert {i for i, s in blocked.items() if s.code == "site"} == {"future.md", "symbol.md"}
        assert blocked["release.txt"].code == "press"
        assert lib.apply(found.edits).ok
        states = {**lib.problem_states(), **lib.site_states()}
    finally:
        lib.close()
    result = jekyll_build(site)
    assert result.returncode == 0, result.stderr[-2000:]
    listed, written = outcome(site)
    want_listed = {f"_news/{i}" for i, s in states.items() if s.listed}
    want_written = {page(i) for i, s in states.items() if s.written}
    want_written |= {i for i, s in states.items() if s.copied}
    assert listed == want_listed, states
    assert written == want_written, states
    for article_id, decision in DECISIONS.items():
        live = page(article_id) in written and states[article_id].kind == "document"
        as_decided = live if decision is Decision.PUBLISHED else (
            f"_news/{article_id}" not in listed and page(article_id) not in written
            and article_id not in written
        )
        assert as_decided is (article_id not in blocked), (article_id, states[article_id])


def test_publishing_20_of_smartables_files_without_the_key(
    smartable_dir: Path, tmp_path: Path
) -> None:
    """On a copy of ../shared/corpus/smartable with a `_config.yml` that defaults
    `published: false`, publishing 20 of the 111 files without the key makes exactly those
    20 pages appear. Smartable's folders have no leading `_`, so to Jekyll they hold pages,
    which a `published: false` default does not hide (Jekyll 4.3 reads a page's defaults
    lazily): the copy puts its files into a `_news` collection instead, where it does."""
    site = tmp_path / "site"
    shutil.copytree(smartable_dir, site / "_news")
    (site / "_config.yml").write_text(
        "timezone: UTC\ncollections:\n  news:\n    output: true\n"
        "defaults:\n  - scope: {path: \"_news\"}\n    values: {published: false}\n"
    )
    (site / "index.html").write_text(INDEX)
    lib = Library(site / "_news", tmp_path / "d.db", clock=lambda: NOW)
    try:
        lib.refresh()
        without = sorted(
            a.id for a in (lib.article(i) for i in lib.site_states())
            if a is not None and a.kind == "frontmatter" and not a.has_published_key
        )
        assert len(without) == 111
        assert not any(lib.site_states(without)[i].live for i in without)
        chosen = without[::5][:20]
        before = jekyll_build(site)
        assert before.returncode == 0, before.stderr[-2000:]
        _, pages_before = outcome(site)
        lib.decide(chosen, Decision.PUBLISHED)
        found = lib.plan_apply()
        assert found.skipped == [] and len(found.edits) == 20
        assert {e.summary for e in found.edits} == {"added published: true"}
        assert lib.apply(found.edits).ok
        assert all(lib.site_states(chosen)[i].live for i in chosen)
    finally:
        lib.close()
    shutil.rmtree(site / "_site")
    after = jekyll_build(site)
    assert after.returncode == 0, after.stderr[-2000:]
    _, pages_after = outcome(site)
    assert pages_after - pages_before == {page(i) for i in chosen}
    assert pages_before <= pages_after

"""SiteMarks: what the site's Jekyll does with the listed articles, worked out on a worker
once per scan (or change of the site's `_config.yml`) and kept current per decision."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from reader.data import query
from reader.data.library import Library
from reader.triage.story_rows import IdSet, Whole

if TYPE_CHECKING:
    from reader.data.library import SiteLookup


def short_summary(lookup: SiteLookup, root: Path) -> str:
    """The site's status line (`SiteLookup.summary`), its paths said from the article
    folder: `site: ../_config.yml`, `no site found: no _config.yml in news or above it`."""
    if lookup.rules is not None and lookup.config_path is not None:
        try:
            where = os.path.relpath(lookup.config_path, root.resolve())
        except ValueError:  # another drive
            where = str(lookup.config_path)
        return f"site: {where}"
    text = lookup.summary
    for spelled in {str(root.resolve()), str(root)}:
        text = text.replace(spelled, root.name)
    return text


@dataclass(slots=True)
class SiteMarks:
    """The site, which listed articles are live, and which of those nobody decided."""

    summary: str
    """The site's status line, short (see `short_summary`)."""
    live: IdSet
    """The articles Jekyll writes a page for."""
    unsettled: IdSet = field(default_factory=IdSet)
    """The live articles the editor has not decided ("live without a decision"): their
    file or the site's rules put them on the site."""

    @classmethod
    def read(cls, library: Library, whole: Whole | None = None) -> SiteMarks:
        """Work the marks out on `library` (a worker's own): every article's state under
        the site's rules, from the index (no article file is read). `whole`: the rows in
        memory, if they are read already (see `IdSet`)."""
        summary = short_summary(library.site(), library.root)
        live = IdSet(whole, (i for i, state in library.each_site_state() if state.live))
        decided = query.decided_by_editor(library)
        return cls(summary, live, IdSet(whole, (i for i in live if i not in decided)))

    def shared(self, whole: Whole) -> SiteMarks:
        """The same marks by position in the rows in memory, read since (see `IdSet`):
        the index reads each id as a new string, and in a big folder a second copy of
        every live article's id costs as much as the rows' ids themselves."""
        return SiteMarks(self.summary, IdSet(whole, self.live), IdSet(whole, self.unsettled))

    def took(self, library: Library, ids: Iterable[str]) -> None:
        """Take in what the editor (or another instance) decided on these articles since."""
        ids = [i for i in ids if i in self.live]
        if not ids:
            return
        by_editor = query.decided_by_editor(library, ids)
        for article_id in ids:
            if article_id in by_editor:
                self.unsettled.discard(article_id)
            else:
                self.unsettled.add(article_id)

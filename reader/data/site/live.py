"""Each indexed article's effective state: the site's rules applied to what the index keeps of
the file (files/jekyll.py), without reading the file; cached until the rules change."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from pathlib import Path

from reader.data.files.jekyll import JekyllFile, from_record
from reader.data.site.config import SiteLookup, SiteRules, find_site
from reader.data.site.defaults import _globbed, _strip_collections_dir
from reader.data.site.state import EffectiveState, effective_state

_NAME_DATE = re.compile(r"(\d{2,4}-\d{1,2}-\d{1,2})-[^/]*\.[^.]+$")
"""The date Jekyll reads from a document's name (state.py's `_FILENAME_DATE`, on the name)."""
NO_SITE = "no site found"
"""How a `because` starts when there are no site rules to apply."""


def no_site_state(file: JekyllFile) -> EffectiveState:
    """What newsreader has always assumed without a site: the file's own `published:` as
    Jekyll reads it, no key meaning published (Jekyll's own default); dates and defaults
    are not known, so not applied."""
    if not file.has_front_matter:
        why = f"{NO_SITE}; Jekyll sees no front matter ({file.why_static}): not a news page"
        return EffectiveState("static", False, False, why)
    if file.error or file.unclosed:
        why = f"{NO_SITE}; Jekyll reads none of its fields, so it is published by default"
        return EffectiveState("document", True, True, why)
    if "published" not in file.data:
        why = f"{NO_SITE}: no published: key (Jekyll's own default: published)"
        return EffectiveState("document", True, True, why)
    value = file.data["published"]
    if value is False:
        return EffectiveState("document", False, False, f"{NO_SITE}: published: false")
    if value is None:
        why = f"{NO_SITE}: published: is empty (listed, but no page: a dead link)"
        return EffectiveState("document", True, False, why)
    shown = str(value).lower() if value is True else repr(value)
    return EffectiveState("document", True, True, f"{NO_SITE}: published: {shown[:40]}")


def lookup_for(folder: Path, explicit: Path | None) -> SiteLookup:
    """The site of the article folder FOLDER (`find_site`), refused when FOLDER is not
    inside the site's own folder (its files' paths would mean nothing to the rules)."""
    found = find_site(folder, explicit)
    if found.rules is not None and site_path(found.rules, folder) is None:
        why = f"the article folder {folder} is not inside the site's folder {found.rules.root}"
        return SiteLookup(None, found.config_path, why)
    return found


def site_path(rules: SiteRules, folder: Path) -> str | None:
    """FOLDER relative to the site's folder, as Jekyll names paths (`_news`, "" for the site
    itself), or None when it is outside the site."""
    try:
        inner = Path(os.path.realpath(folder)).relative_to(os.path.realpath(rules.root))
    except ValueError:
        return None
    return "" if str(inner) == "." else inner.as_posix()


def stamp(path: Path | None) -> tuple[int, int, int] | None:
    """(mtime_ns, size, inode) of a config file, None when it is not there."""
    if path is None:
        return None
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size, found.st_ino


FRESH = timedelta(minutes=1)
"""How long a worked-out state is kept: a future date that comes shows within a minute,
with no refresh (the app's own library is never refreshed)."""


class SiteStates:
    """The site's rules (or none) applied to the articles of one folder, each state cached
    by what decides it (its folder, its kept fields, what of its name a rule reads), so that
    a folder of many alike files costs few evaluations."""

    def __init__(self, lookup: SiteLookup, folder: Path) -> None:
        """States of the files of FOLDER under the rules LOOKUP found (or no site)."""
        self.lookup = lookup
        self.rules = lookup.rules
        self.prefix = "" if self.rules is None else site_path(self.rules, folder) or ""
        self._memo: dict[tuple[object, ...], EffectiveState] = {}
        self._since: datetime | None = None
        """When the cached states were worked out: a date in the future may come."""
        self._scopes: dict[str, tuple[str, ...]] = {}
        self._globs = () if self.rules is None else tuple(
            s.path for s in self.rules.defaults if "*" in s.path
        )

    def forget(self) -> None:
        """Work every state out again when next asked (the clock moved on, files came that
        a scope's glob may now take)."""
        self._memo.clear()
        if self.rules is not None:
            self.rules.glob_cache.clear()

    def rel_path(self, article_id: str) -> str:
        """An article's path in the site, as Jekyll names it (`_news/x.md`)."""
        return f"{self.prefix}/{article_id}" if self.prefix else article_id

    def state(self, article_id: str, record: str | None, now: datetime) -> EffectiveState:
        """The effective state of the article ARTICLE_ID whose kept fields are RECORD at NOW
        (states cached more than a minute before NOW are worked out again)."""
        if self._since is None or now - self._since > FRESH or now < self._since:
            self.forget()
            self._since = now
        if self.rules is None:
            key: tuple[object, ...] = (record,)
        else:
            key = self._key(self.rel_path(article_id), record)
        found = self._memo.get(key)
        if found is None:
            file = from_record(record)
            if self.rules is None:
                found = no_site_state(file)
            else:
                found = effective_state(self.rules, self.rel_path(article_id), file, now)
            self._memo[key] = found
        return found

    def states(self, rows: Iterable[tuple[str, str | None]], now: datetime
               ) -> Iterator[tuple[str, EffectiveState]]:
        """(id, state) for each (id, record) of ROWS."""
        for article_id, record in rows:
            yield article_id, self.state(article_id, record, now)

    def _key(self, rel: str, record: str | None) -> tuple[object, ...]:
        """What of the file decides its state: its folder, its kept fields, and of its name
        only what a rule reads (the date in it, its suffix, a leading `_` or `.`, a trailing
        `~`, and which default scopes reach into it)."""
        assert self.rules is not None
        inside = f"{self.rules.collections_dir}/"
        if self.rules.collections_dir and rel.startswith(inside):
            rel = rel[len(inside) :]  # as effective_state names a document
        cut = rel.rfind("/")
        folder, name = rel[: cut + 1], rel[cut + 1 :]
        dated = _NAME_DATE.match(name)
        dot = name.rfind(".")
        reach = tuple(
            p.startswith(scope)
            for scope in self._name_scopes(folder)
            for p in (rel, rel[1:])  # a document's path, and a static file's URL
        )
        globbed = tuple(
            any(p.startswith(m) for m in _globbed(self.rules, scope) for p in (rel, rel[1:]))
            for scope in self._globs
        )
        return (folder, record, dated.group(1) if dated else None, name[dot:] if dot > 0 else "",
                name[:1] in "_.#~" or name.endswith("~"), reach, globbed)  # fmt: skip

    def _name_scopes(self, folder: str) -> tuple[str, ...]:
        """The plain default scopes that reach past FOLDER into a file's name (and so may
        take one file of it and not another)."""
        found = self._scopes.get(folder)
        if found is None:
            assert self.rules is not None
            scopes = {_strip_collections_dir(self.rules, s.path) for s in self.rules.defaults
                      if s.path and "*" not in s.path}
            found = self._scopes[folder] = tuple(s for s in scopes if len(s) >= len(folder) - 1)
        return found

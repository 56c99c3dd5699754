"""What Jekyll 4.3 does with one article under a site's rules, and the line that changes it."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from reader.data.site.config import Collection, SiteRules, truthy
from reader.data.site.defaults import deep_merge, merged_defaults
from reader.data.site.frontmatter import JekyllFile

# Document::DATE_FILENAME_MATCHER, on the path relative to the collections folder.
_FILENAME_DATE = re.compile(r"^(?:.+/)*?(\d{2,4}-\d{1,2}-\d{1,2})-([^/]*)(\.[^.]+)$")
_SPECIAL = ("_", ".", "#", "~")
MARKDOWN_EXTS = frozenset({".markdown", ".mkdown", ".mkdn", ".mkd", ".md"})
"""Jekyll's default `markdown_ext`: files its Markdown converter reads."""


@dataclass(frozen=True, slots=True)
class EffectiveState:
    """What one `jekyll build` does with one file."""

    kind: str
    """`document` (in a collection), `page` (outside one), `static` (no front matter: copied
    as it is), or `ignored` (Jekyll does not read it)."""
    listed: bool
    """In the collection's list (`site.news`), which index pages and feeds loop over."""
    written: bool
    """A page is rendered for it into `_site`."""
    because: str
    """The rule that decided, in plain words."""
    copied: bool = False
    """A static file copied into `_site` as it is (no page, not listed)."""
    stops_build: bool = False
    """Jekyll stops the whole build on this file: nothing of the site is written."""

    @property
    def live(self) -> bool:
        """Whether it is on the site as a page."""
        return self.written


def effective_state(
    rules: SiteRules,
    rel_path: str,
    front: JekyllFile | Mapping[str, Any],
    now: datetime,
) -> EffectiveState:
    """What Jekyll does with the file at REL_PATH (relative to the site, `_news/x.md`) whose
    front matter is FRONT (a loaded mapping, or what `read_as_jekyll` found), at NOW (or the
    config's `time:`)."""
    file = front if isinstance(front, JekyllFile) else JekyllFile.of(front)
    if rules.time is not None:  # `time:` in the config stands in for the clock
        now = rules.time if rules.time.tzinfo else rules.time.replace(tzinfo=UTC)
    parts = PurePosixPath(rel_path.lstrip("/")).parts
    if rules.collections_dir and parts[:1] == (rules.collections_dir,):
        parts = parts[1:]
    if not parts:
        return EffectiveState("ignored", False, False, "not a file of the site")
    if parts[0].startswith("_") and parts[0][1:] in rules.collections:
        return _in_collection(rules, rules.collections[parts[0][1:]], parts, file, now)
    return _outside_collections(rules, "/".join(parts), file)


def value_to_write(
    rules: SiteRules, rel_path: str, front: JekyllFile | Mapping[str, Any], publish: bool,
    now: datetime,
) -> bool | None:  # fmt: skip
    """The `published:` value to write so that the file is live (PUBLISH) or off the site,
    or None when it already is. Never relies on a default the site does not have: with a
    `published: false` default, publishing writes `published: true`. The line may not be
    enough (a future date, no front matter Jekyll reads): `blocked_by` says so."""
    if _wanted(effective_state(rules, rel_path, front, now), publish):
        return None
    return publish


def blocked_by(
    rules: SiteRules, rel_path: str, front: JekyllFile | Mapping[str, Any], publish: bool,
    now: datetime,
) -> str | None:  # fmt: skip
    """Why no `published:` line gets the file to the wanted state (the future date, a site
    that publishes everything...), or None when writing `value_to_write` does."""
    file = front if isinstance(front, JekyllFile) else JekyllFile.of(front)
    if not file.has_front_matter or file.error or file.unclosed:
        state = effective_state(rules, rel_path, file, now)
        if _wanted(state, publish):
            return None
        return _UNCLOSED if file.unclosed and file.has_front_matter else state.because
    edited = JekyllFile.of({**file.data, "published": publish})
    state = effective_state(rules, rel_path, edited, now)
    return None if _wanted(state, publish) else state.because


def _wanted(state: EffectiveState, publish: bool) -> bool:
    """Whether STATE is what the editor decided: a page written, or nothing of it on the site
    (no page, no entry in the list, no copy of the file)."""
    if state.stops_build:
        return False
    return state.written if publish else not (state.written or state.listed or state.copied)


def _in_collection(
    rules: SiteRules, coll: Collection, parts: tuple[str, ...], file: JekyllFile, now: datetime
) -> EffectiveState:
    """A file in a collection's folder: a document, or a static file when it has no front
    matter."""
    inner = "/".join(parts[1:])
    if not inner or any(inner.startswith(c) or parts[-1].startswith(c) for c in _SPECIAL):
        return EffectiveState("ignored", False, False, _SKIPPED_NAME)
    if inner.endswith("~"):
        return EffectiveState("ignored", False, False, "a backup file (`~`): Jekyll skips it")
    if not file.has_front_matter:
        url_path = f"{coll.label}/{inner}"  # a static file's defaults are scoped by its URL
        return _static(rules, url_path, coll.label, file.why_static, coll)
    return _document(rules, coll, "/".join(parts), file, now)


_SKIPPED_NAME = "its name starts with `_`, `.`, `#` or `~`: Jekyll skips it"


def _document(
    rules: SiteRules, coll: Collection, path: str, file: JekyllFile, now: datetime
) -> EffectiveState:
    """A collection document: listed unless `published: false`; written when also its
    collection has output and its date is not in the future."""
    defaults, source = merged_defaults(rules, path, coll.label)
    if file.error and rules.strict_front_matter:
        why = f"strict_front_matter: Jekyll stops the build on its front matter ({file.error})"
        return EffectiveState("document", False, False, why, stops_build=True)
    data = defaults if file.error else deep_merge(defaults, file.data)
    when, date_rule = _date(rules, path, file, data, now)
    if isinstance(when, str):  # read while the file is read, before it is listed or not
        return EffectiveState("document", False, False, when, stops_build=True)
    rule = _published_rule(file, defaults, source)
    listed = rules.unpublished or data.get("published", True) is not False
    if not listed:
        return EffectiveState("document", False, False, f"{rule}: not listed, no page")
    if file.not_utf8 and PurePosixPath(path).suffix in MARKDOWN_EXTS:
        why = f"{file.error}, and converting it as Markdown stops the build"
        return EffectiveState("document", True, False, why, stops_build=True)
    skipped = f"; {file.error}: Jekyll skips past it and uses only the defaults" * bool(file.error)
    skipped += f"; {_UNCLOSED_NOTE}" * file.unclosed
    if not truthy(data.get("published", True)) and not rules.unpublished:
        return EffectiveState("document", True, False, f"{rule}: listed, but no page{skipped}")
    if not coll.output:
        why = f"collections: {coll.label}: output is not true: listed, no page{skipped}"
        return EffectiveState("document", True, False, why)
    if when > now and not rules.future:
        return EffectiveState("document", True, False, _future_why(coll, date_rule) + skipped)
    if rules.unpublished and data.get("published", True) is not True:
        rule = f"unpublished: true in {rules.config_path.name} ({rule})"
    return EffectiveState("document", True, True, f"{rule}: live{skipped}")


def _published_rule(file: JekyllFile, defaults: dict[str, Any], source: Mapping[str, Any]) -> str:
    """Which rule sets `published`: the file's own key (unless empty and a default has one),
    a default set, or none (Jekyll's own default: published)."""
    unread = bool(file.error) or file.unclosed
    own = ... if unread else file.data.get("published", ...)
    if own is not ... and (own is not None or "published" not in defaults):
        return f"published: {_shown(own)} in the file" if own is not None else _EMPTY
    if "published" in defaults:
        return f"published: {_shown(defaults['published'])} from {source['published'].label}"
    if unread:
        return "no default for published: (the file's own fields are not read)"
    return "no published: key and no default for it"


_UNCLOSED = (
    "the front matter is closed by no `---` or `...` line: Jekyll reads it all as the body, "
    "so a published: line in it does nothing"
)
_UNCLOSED_NOTE = "the front matter is never closed, so Jekyll reads no fields in it"
_EMPTY = "published: is empty in the file (Jekyll lists it but writes no page: a dead link)"


def _shown(value: Any) -> str:
    """A YAML-ish rendering of a value in a `because` text (a string in quotes)."""
    if value is None:
        return "(empty)"
    if isinstance(value, bool):
        return str(value).lower()
    return f'"{value}"' if isinstance(value, str) else repr(value)


def _date(
    rules: SiteRules, path: str, file: JekyllFile, data: dict[str, Any], now: datetime
) -> tuple[datetime | str, str]:
    """The document's date as Jekyll takes it (the front matter's or a default's `date`, else
    the file name's, else the build's time), and where it came from; a text when the date
    cannot be read (Jekyll stops the build)."""
    value, where = data.get("date"), "date:"
    if value is None and not file.error:
        match = _FILENAME_DATE.match(path)
        value, where = (match.group(1), "the file name's date") if match else (None, "")
    if value is None:
        return now, "no date"
    try:
        return _to_time(value, rules), f"{where} {value}".strip()
    except (ValueError, OverflowError, TypeError):
        return f"{where} {str(value)[:40]!r} is not a date Jekyll reads: it stops the build", ""


def _to_time(value: Any, rules: SiteRules) -> datetime:
    """VALUE as Jekyll's `Time.parse(value.to_s)`: a date alone is midnight in the site's zone;
    a YAML time without an offset is UTC; a text without one is the site's zone."""
    zone = _zone(rules)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=zone)
    from dateutil import parser as dateparser  # only dates written as text need it

    parsed = dateparser.parse(str(value))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)


def _zone(rules: SiteRules) -> tzinfo:
    """The zone Jekyll reads dates in: `timezone:`, else the machine's."""
    if rules.timezone:
        try:
            return ZoneInfo(rules.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    local = datetime.now().astimezone().tzinfo
    return local or UTC


def _future_why(coll: Collection, date_rule: str) -> str:
    """Why a future document gets no page."""
    why = f"{date_rule} is in the future and future: is not true: listed, no page yet"
    if truthy(coll.future):
        why += f" (collections: {coll.label}: future is not read by Jekyll 4.3)"
    return why


def _static(
    rules: SiteRules, url_path: str, kind: str | None, why: str, coll: Collection | None
) -> EffectiveState:
    """A file with no front matter Jekyll sees: copied as it is, unless a default scoped by
    its URL says `published: false` or its collection has no output."""
    defaults, source = merged_defaults(rules, url_path, kind)
    seen = f"Jekyll sees no front matter ({why})"
    if not truthy(defaults.get("published", True)):
        rule = f"published: {_shown(defaults['published'])} from {source['published'].label}"
        return EffectiveState("static", False, False, f"{seen}; {rule}: not copied")
    if coll is not None and not coll.output:
        return EffectiveState("static", False, False, f"{seen}; its collection has no output")
    return EffectiveState("static", False, False, f"{seen}: copied as it is", copied=True)


def _outside_collections(rules: SiteRules, path: str, file: JekyllFile) -> EffectiveState:
    """A file outside every collection: a page, a static file, or skipped (a `_` folder)."""
    parts = PurePosixPath(path).parts
    for index, part in enumerate(parts):
        if part.startswith(_SPECIAL) or part.endswith("~"):
            if index == 0 and part.startswith("_") and len(parts) > 1:
                why = f"the site has no `{part[1:]}` collection, and Jekyll skips `_` folders"
                return EffectiveState("ignored", False, False, why)
            return EffectiveState("ignored", False, False, _SKIPPED_NAME)
    if not file.has_front_matter:
        return _static(rules, path, None, file.why_static, None)
    return _page(rules, file)


def _page(rules: SiteRules, file: JekyllFile) -> EffectiveState:
    """A page: never in a collection's list; only its own `published:` key counts (Jekyll 4.3
    reads a page's defaults lazily, and `fetch` skips them); no date check."""
    if file.error and (rules.strict_front_matter or "not a mapping" in file.error):
        why = f"Jekyll stops the build on its front matter ({file.error})"
        return EffectiveState("page", False, False, why, stops_build=True)
    value = {} if file.error else file.data
    if "published" in value and not truthy(value["published"]) and not rules.unpublished:
        why = f"a page, not a news item; published: {_shown(value['published'])} in the file"
        return EffectiveState("page", False, False, why)
    return EffectiveState("page", False, True, "a page, not a news item: written")

"""Article, related link and status line to Content: article text always goes in as plain text."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING

from textual.content import Content

from reader.data.article import Article, Decision, RelatedLink
from reader.data.clean import clean_line, escape_name
from reader.data.query import ArticleRow, Filter

if TYPE_CHECKING:
    from reader.data.library import EffectiveState, Explanation

LABEL = "$text-muted"
"""The style of a field's label in the detail pane."""
LABEL_WIDTH = 10
SITE_MAX = 60
"""Widest the site's line shows in the status bar, in characters (the last of the line)."""
UNSETTLED = "live without a decision"
"""The articles the site publishes that nobody decided, as the filter line names them."""
_UNITS = (("year", 365 * 86400), ("month", 30 * 86400), ("week", 7 * 86400),
          ("day", 86400), ("hour", 3600), ("minute", 60))


def relative(when: datetime, now: datetime) -> str:
    """Say how long ago (or ahead of `now`) a time is, in the largest whole unit."""
    seconds = (now - when).total_seconds()
    ahead, seconds = seconds < 0, abs(seconds)
    for unit, size in _UNITS:
        if seconds >= size:
            count = int(seconds // size)
            span = f"{count} {unit}{'' if count == 1 else 's'}"
            return f"in {span}" if ahead else f"{span} ago"
    return "just now"


def absolute(when: datetime) -> str:
    """A time as `2021-09-22 14:25 UTC`."""
    return when.strftime("%Y-%m-%d %H:%M UTC")


def number(value: float | None) -> str:
    """A score without a needless `.0`, or a dash when there is none."""
    if value is None:
        return "—"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _field(label: str, *parts: str | tuple[str, str]) -> Content:
    """One `label  value` line of the detail pane."""
    return Content.assemble((label.ljust(LABEL_WIDTH), LABEL), *parts)


def _published_key(article: Article) -> str:
    """The file's own `published:` value, as written."""
    if not article.has_published_key:
        return "no published: key"
    if article.file_published is None:
        return "published: (empty)"
    return f"published: {'true' if article.file_published else 'false'}"


def _state_line(state: Decision, reason: str | None) -> Content:
    """The detail pane's `State` line: the state in its colour, then the reason if any."""
    style = {"published": "$success", "skipped": "$error"}.get(state.value, "")
    parts: list[str | tuple[str, str]] = [(f"{state.glyph} {state.value}", f"bold {style}")]
    if reason:
        parts.append(f"  ({reason})")
    return _field("State", *parts)


def site_line(site: EffectiveState) -> Content:
    """What the site's Jekyll does with the article, and the rule that decides it, plain:
    `On the site: live — …`, `Not on the site — …`; a static file says so."""
    because = clean_line(site.because)
    if site.live:
        return Content.assemble(("On the site: live", "bold $text-success"), f" — {because}")
    parts: list[str | tuple[str, str]] = [("Not on the site", "bold"), f" — {because}"]
    if site.kind == "static":
        parts.append("\nJekyll copies this file as a static file, as it is: not as a news page")
    return Content.assemble(*parts)


def _head(article: Article, state: Decision, reason: str | None, now: datetime,
          site: EffectiveState | None = None) -> list[Content]:
    """Title, source, date, state, what the site does with it, and scores."""
    lines = [Content.styled(article.title or "(no title)", "bold")]
    source = " · ".join(x for x in (article.provider, article.domain) if x)
    lines.append(_field("Source", source or "—"))
    when = article.published_at
    date = f"{absolute(when)} · {relative(when, now)}" if when else "—"
    lines.append(_field("Date", date))
    lines.append(_state_line(state, reason))
    if site is not None:
        lines.append(site_line(site))
    lines.append(_field("Topics", ", ".join(article.topics) or "—"))
    kind = "▶ video" if article.type == "video" else article.type
    if article.kind == "press":
        kind += " (press release)"
    lines.append(_field("Quality", number(article.quality), ("   Heat ", LABEL),
                        number(article.heat), ("   Type ", LABEL), kind))
    if article.type == "video" or article.video_url:
        lines.append(_field("Video", article.video_url or "(no video link)"))
    return lines


def _text_block(title: str | None, text: str) -> list[Content]:
    """A paragraph after a blank line, under its title if it has one; nothing for empty text."""
    if not text.strip():
        return []
    head = [Content.styled(title, "bold $text-muted")] if title else []
    return [Content(""), *head, Content(text)]


def _tail(article: Article) -> list[Content]:
    """Links, the file and its problems."""
    lines = [Content("")]
    for index, image in enumerate(article.images):
        lines.append(_field("Image" if index == 0 else "", image))
    lines.append(_field("Link", article.url or "(none)"))
    lines.append(_field("File", escape_name(article.id), ("   ", ""), _published_key(article)))
    for problem in article.problems:
        lines.append(_field("Problem", (f"{problem.field}: {problem.why}", "$warning")))
    return lines


def article_content(
    article: Article, state: Decision, reason: str | None, now: datetime,
    site: EffectiveState | None = None,
) -> Content:
    """The detail pane's text for one article (`site`: what the site does with it, once
    known)."""
    lines = _head(article, state, reason, now, site)
    lines += _text_block(None, article.excerpt)  # right under the fields: what triage reads
    if article.kind == "press":
        lines += _text_block("Release", article.body)
    lines += _tail(article)
    return Content("\n").join(lines)


def notice_content(notices: Iterable[str]) -> Content:
    """Problems that are not about the article shown (a locked store, a failed write)."""
    return Content("\n").join(Content.styled(f"⚠ {text}", "$warning") for text in notices)


def related_prompt(link: RelatedLink) -> Content:
    """One related article: title, then provider, date and quality on a dim line."""
    when = link.published_at.strftime("%Y-%m-%d") if link.published_at else "—"
    meta = f"{link.provider or link.domain or '—'} · {when} · quality {number(link.quality)}"
    return Content.assemble(link.title or link.url or "(no title)", "\n", (meta, LABEL))


def member_prompt(row: ArticleRow) -> Content:
    """Another article of the story: its state's glyph and title, then provider, date, quality
    and heat (on one line in the side pane)."""
    when = row.published_at.strftime("%Y-%m-%d") if row.published_at else "—"
    scores = f"quality {number(row.quality)} · heat {number(row.heat)}"
    meta = f"{row.provider or '—'} · {when} · {scores}"
    return Content.assemble((f"{row.state.glyph} ", "bold"), row.title or row.id, "\n",
                            (meta, LABEL))


def story_why(why: Explanation | None) -> str:
    """One plain line on what ties the shown article to its story ("" when nothing does)."""
    if why is None:
        return ""
    parts = {"split": ["you split it out"], "merge": ["you merged it here"]}.get(
        why.edited or "", []
    )
    if why.same_url:
        parts.append(f"same URL as {len(why.same_url):,}")
    if why.related:
        parts.append(f"related link with {len(why.related):,}")
    if why.shared:
        parts.append(f"shares {', '.join(why.shared[:4])} ({why.score:.2f})")
    return f"This article: {' · '.join(parts)}" if parts else ""


def status_content(
    counts: Mapping[Decision, int], session: int, pace: float | None, shown: int,
    problems: int = 0, selected: int = 0, site: str = "",
) -> Content:
    """The status line: counts per state, how many are left, how many are selected, this
    session and its pace, the site whose rules decide what is live (or why there is none),
    and how many problems the folder has (`newsreader check` lists them)."""
    def count(decision: Decision) -> str:
        """How many articles are in `decision`, or `…` before anything is counted."""
        return str(counts.get(decision, 0)) if counts else "…"  # not counted yet (a warm start)

    parts: list[str | tuple[str, str]] = [
        (f" {count(Decision.UNDECIDED)} left ", "bold reverse $accent"), "  "
    ]
    for decision in (Decision.PUBLISHED, Decision.SKIPPED):  # undecided: the `left` above
        parts += [(decision.glyph, "bold"), f" {count(decision)} {decision.value}  "]
    parts += [("│ ", LABEL), f"{shown} shown  "]
    if selected:
        parts += [("│ ", LABEL), (f"{selected} selected", "bold $accent"), "  "]
    parts += [("│ ", LABEL), f"session {session}"]
    parts.append(f" · {pace:.0f}/h" if pace is not None else " · —/h")
    if problems:
        parts += [("  │ ", LABEL), (problem_count(problems), "bold $text-warning")]
    if site:  # last: a long path is what the terminal's edge cuts
        shown_site = site if len(site) <= SITE_MAX else f"{site[: SITE_MAX - 1]}…"
        style = "" if site.startswith("site:") else "$text-warning"
        parts += [("  │ ", LABEL), (shown_site, style)]
    return Content.assemble(*parts)


def problem_count(problems: int) -> str:
    """The status line's problem count: `⚠ 2 problems`."""
    return f"⚠ {problems} problem{'s' if problems > 1 else ''}"


def filter_content(flt: Filter, unsettled: int | None = None) -> Content:
    """The line above the list: which state, search, topic, provider and reason, whether
    new articles only or those live without a decision, the order; then how many are live
    without a decision (`unsettled`; None: not known yet)."""
    parts: list[str | tuple[str, str]] = [
        ("Showing ", LABEL), flt.state.value if flt.state else "all"
    ]
    for label, value in (("search", flt.search), ("topic", flt.topic),
                         ("provider", flt.provider), ("reason", flt.reason)):
        if value:
            parts += [(f" · {label} ", LABEL), (value, "bold")]
    if flt.new_after is not None:
        parts += [(" · ", LABEL), ("new only", "bold")]
    counted = "" if unsettled is None else f": {unsettled:,}"
    if flt.live_undecided:  # the count goes with the filter that lists them
        parts += [(" · ", LABEL), (f"{UNSETTLED}{counted}", "bold")]
    parts += [(" · by ", LABEL), flt.sort]
    if counted and unsettled and not flt.live_undecided:
        parts += [("  │ ", LABEL), (f"{UNSETTLED}{counted}", "bold $text-warning")]
    return Content.assemble(*parts)

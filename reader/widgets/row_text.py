"""One article row as plain text of an exact width: state, date, provider, title, and a
skipped article's reason."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

from reader.data.query import ArticleRow

_DATE_WIDTH = 10
_BLANK_DATE = " " * _DATE_WIDTH
_SELECTED_MARK = "●"
_NEW_MARK = "N"
"""An article new to the editor this session (as mutt marks a new message)."""
LIVE_MARK = "!"
"""In the state column: live on the site, and nobody decided (the file or the site's rules
put it there)."""
CONFLICT_MARK = "⇄"
"""In the state column: editors of the desk decided it differently (`C` lists them); it
goes before `!`, as a decision settles both."""
_VIDEO_MARK = "▶ "
_ELLIPSIS = "…"
REASON_MAX = 24
"""Widest a skip reason shows after the title, in cells (its brackets included)."""
_REASON_LEAST = 6
"""Narrowest a skip reason shows, in cells: `(dup…)`; with less room it does not show."""
# Rows are plain text already; this is only a guard so that a stray newline or
# ESC can never break a line or reach the terminal.
_CONTROLS = dict.fromkeys([*range(0x20), *range(0x7F, 0xA0)], " ")


def plain(text: str) -> str:
    """Replace control characters with spaces (fast path for clean text)."""
    return text if text.isprintable() else text.translate(_CONTROLS)


def fit(text: str, width: int) -> str:
    """Pad or cut `text` to exactly `width` cells, ending a cut with an ellipsis."""
    if width <= 0:
        return ""
    length = cell_len(text)
    if length <= width:
        return text + " " * (width - length)
    # set_cell_size pads with a space when the cut falls inside a wide character.
    return set_cell_size(text, width - 1) + _ELLIPSIS


def provider_width(width: int) -> int:
    """The provider column's width for a line `width` cells wide."""
    return max(6, min(16, width // 6))


def format_row(row: ArticleRow, width: int, selected: bool = False, story: str = "",
               reason: str | None = None, new: bool = False, live: bool = False,
               conflict: bool = False) -> str:
    """Lay out one row as plain text exactly `width` cells wide (`story` before the title,
    the skip `reason` after it, `new`: marked as new to the editor, `live`: marked live
    without a decision in place of its state, `conflict`: marked as decided differently
    by editors of the desk, in place of either)."""
    return "".join(format_parts(row, width, selected, story, reason, new, live, conflict))


def format_parts(row: ArticleRow, width: int, selected: bool = False, story: str = "",
                 reason: str | None = None, new: bool = False, live: bool = False,
                 conflict: bool = False) -> tuple[str, str]:
    """One row as `format_row` lays it out, in two parts: the row up to its title, then the
    skip reason in brackets after it, padded ("" when there is none). The reason is compact:
    at most REASON_MAX cells, and a third of the title's room unless the title is short."""
    date = _BLANK_DATE if row.published_at is None else row.published_at.strftime("%Y-%m-%d")
    mark = _SELECTED_MARK if selected else _NEW_MARK if new else " "
    video = _VIDEO_MARK if row.type == "video" else "  "
    providers = provider_width(width)
    state = CONFLICT_MARK if conflict else LIVE_MARK if live else row.state.glyph
    prefix = f"{mark}{state} {date} {fit(plain(row.provider), providers)} {video}"
    room = width - cell_len(prefix)
    title = story + plain(row.title)
    words = plain(reason) if reason else ""
    wanted = cell_len(words) + 2
    tag_width = min(wanted, REASON_MAX, max(room // 3, room - cell_len(title) - 1))
    if not words or tag_width < _REASON_LEAST:
        return set_cell_size(prefix + fit(title, room), width), ""
    tag = f"({words})" if wanted <= tag_width else f"({fit(words, tag_width - 2)})"
    title_room = min(room - tag_width - 1, cell_len(title))
    head = prefix + fit(title, title_room) + " "
    return head, fit(tag, width - cell_len(head))

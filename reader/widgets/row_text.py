"""One article row as plain text of an exact width: state, date, provider, title."""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size

from reader.data.query import ArticleRow

_DATE_WIDTH = 10
_BLANK_DATE = " " * _DATE_WIDTH
_SELECTED_MARK = "●"
_VIDEO_MARK = "▶ "
_ELLIPSIS = "…"
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


def format_row(row: ArticleRow, width: int, selected: bool = False, story: str = "") -> str:
    """Lay out one row as plain text exactly `width` cells wide (`story` before the title)."""
    date = _BLANK_DATE if row.published_at is None else row.published_at.strftime("%Y-%m-%d")
    mark = _SELECTED_MARK if selected else " "
    video = _VIDEO_MARK if row.type == "video" else "  "
    providers = provider_width(width)
    prefix = f"{mark}{row.state.glyph} {date} {fit(plain(row.provider), providers)} {video}"
    title = fit(story + plain(row.title), width - cell_len(prefix))
    return set_cell_size(prefix + title, width)

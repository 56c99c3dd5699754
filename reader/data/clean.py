"""Untrusted text to plain text: escapes, controls, mojibake and entities removed once."""

from __future__ import annotations

import re

# A whole escape sequence with its payload (see the hostile corpus's README): CSI, OSC,
# the string controls DCS/SOS/PM/APC, then the 2-byte ESC forms. An unterminated string
# control runs to the end of the text, since anything after it was meant to be hidden.
_ESC_SEQUENCE = re.compile(
    r"""
      (?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?      # CSI
    | (?:\x1b\]|\x9d).*?(?:\x07|\x1b\\|\x9c|\Z)              # OSC
    | (?:\x1b[PX^_]|[\x90\x98\x9e\x9f]).*?(?:\x1b\\|\x9c|\Z)  # DCS, SOS, PM, APC
    | \x1b[\x20-\x2f]*[\x30-\x7e]                            # ESC x, ESC ( B ...
    """,
    re.VERBOSE | re.DOTALL,
)
# A C1 byte right after a Latin-1 letter or a euro sign is most likely part of UTF-8
# read as Windows-1252 (`â€\x9d`): leave it for the mojibake repair, not the escape filter.
_C1_INTRODUCER = re.compile(r"(?<![\u00c0-\u00ff\u20ac])[\x9b\x9d\x90\x98\x9e\x9f]")
_LINE_BREAKS = re.compile(r"\r\n|[\n\r\t\x0b\x0c\x85\u2028\u2029]")
# C0 and C1 controls, DEL, the bidi marks (Arabic letter mark, left-to-right and
# right-to-left marks), embeddings, overrides and isolates, lone surrogates. They go before
# the zero-width rules look at a joiner's neighbours (U+061C is in the Arabic block).
_CONTROLS = re.compile(
    r"[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)
_EMOJI = r"\U0001f000-\U0001faff\u2190-\u21ff\u2600-\u27bf\u2b00-\u2bff"
"""Code point ranges taken for emoji around a zero-width joiner: the emoji planes, arrows,
miscellaneous symbols and dingbats (a range check, not Unicode's full emoji data)."""
_JOINING = r"\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\u0900-\u0dff"
"""Scripts whose words use a zero-width non-joiner or joiner (Arabic and Persian, the
Indic scripts): one between two of their letters is spelling, kept."""
_ZERO_WIDTH = re.compile(
    rf"[\u200b\u2060\ufeff]"
    rf"|(?<![{_JOINING}])\u200c|\u200c(?![{_JOINING}])"
    rf"|(?<![{_EMOJI}\ufe0f{_JOINING}])\u200d|\u200d(?![{_EMOJI}{_JOINING}])"
)
"""Zero-width space, word joiner, BOM; a non-joiner or joiner not between two letters of
a script that spells with them, nor (a joiner) between two emoji."""
_SPACES = re.compile(r"[ \t]+")
_MAX_FIELD = 20_000
"""Longest one-line field kept; the rest is cut (a 5,000-character title still fits)."""


def strip_escapes(text: str) -> str:
    """Remove terminal escape sequences whole, payload included."""
    if "\x1b" in text or _C1_INTRODUCER.search(text):
        text = _ESC_SEQUENCE.sub("", text)
    return text


def _repair(text: str) -> str:
    """Escapes out, mojibake repaired, entities decoded once, escapes out again."""
    text = strip_escapes(text)
    if not text.isascii():
        import ftfy  # only text that is not ASCII needs it; the app starts faster without

        text = ftfy.fix_encoding(text)
    if "&" in text:
        import html  # its table of 2,000 entities loads for the first text that has one

        # Decoding can produce `\x1b` from `&#27;`, hence the second pass.
        text = strip_escapes(html.unescape(text))
    return text


def clean_line(value: str, limit: int = _MAX_FIELD) -> str:
    """Clean a one-line field: line breaks and tabs become one space, controls go.

    Zero-width characters go too (U+200B, U+2060, U+FEFF), and each non-joiner (U+200C)
    and joiner (U+200D) but one inside a Persian or Indic word (`_JOINING`), or a joiner
    between two emoji, so that an emoji sequence such as woman + ZWJ + laptop stays whole
    and a flood of them goes. A character counts as an emoji by its code point
    range (`_EMOJI`), or for the left side a U+FE0F variation selector: a simple check
    that keeps the common sequences, not Unicode's full emoji rules.
    """
    if value.isascii() and value.isprintable() and "&" not in value:
        return value.strip()[:limit]  # the common case: nothing to do
    text = _repair(value)
    text = _LINE_BREAKS.sub(" ", text)
    text = _CONTROLS.sub("", text)
    text = _ZERO_WIDTH.sub("", text)
    return _SPACES.sub(" ", text).strip()[:limit]


def clean_text(value: str) -> str:
    """Clean a multi-line body: keep line breaks (as LF) and drop other controls."""
    text = _repair(value).replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[\x0b\x0c\x85\u2028\u2029]", "\n", text).replace("\t", "    ")
    return _CONTROLS.sub(lambda m: m.group() if m.group() == "\n" else "", text).strip()


def escape_name(name: str) -> str:
    """Show a file name or id safely: controls, backslashes and undecodable bytes as `\\xNN`."""
    out = []
    for char in name:
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that was not UTF-8 (surrogateescape)
            out.append(f"\\x{code - 0xDC00:02x}")
        elif char == "\\" or code < 0x20 or 0x7F <= code <= 0x9F or _CONTROLS.match(char):
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")
        else:
            out.append(char)
    return "".join(out)


def is_openable(url: str) -> bool:
    """The one check before a URL goes to a browser: http or https, with a host, no spaces."""
    from urllib.parse import urlsplit

    if not url or len(url) > 8192 or not url.isprintable() or any(c.isspace() for c in url):
        return False
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return parts.scheme.lower() in ("http", "https") and bool(parts.hostname)

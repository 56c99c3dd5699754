"""reader.data.clean: untrusted text to plain text, names shown safely, the one URL check."""

from __future__ import annotations

import re

import pytest

from reader.data.clean import clean_line, clean_text, escape_name, is_openable, strip_escapes

ESC = "\x1b"
BEL = "\x07"
ST = ESC + "\\"

# Anything a terminal could act on: C0 (but LF/TAB, checked per function), DEL, C1, bidi.
UNSAFE = re.compile(
    r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


# -- escape sequences --------------------------------------------------------------------

ESCAPES = [
    pytest.param(f"{ESC}[1;31mBREAKING{ESC}[0m: rally", "BREAKING: rally", id="csi-colour"),
    pytest.param(f"{ESC}[2J{ESC}[HCleared", "Cleared", id="csi-clear-home"),
    pytest.param(f"a{ESC}[?1049hb", "ab", id="csi-private-mode"),
    pytest.param(f"a{ESC}[38;2;255;0;0mb", "ab", id="csi-truecolour"),
    pytest.param(
        f"Read {ESC}]8;;https://evil.example/x{ST}the story{ESC}]8;;{ST} today",
        "Read the story today",
        id="osc8-st",
    ),
    pytest.param(
        f"Read {ESC}]8;;https://evil.example/x{BEL}the story{ESC}]8;;{BEL} today",
        "Read the story today",
        id="osc8-bel",
    ),
    pytest.param(f"{ESC}]52;c;Y3VybCBldmlsIHwgc2g={BEL}Reuters", "Reuters", id="osc52-bel"),
    pytest.param(f"{ESC}]52;c;Y3VybCBldmlsIHwgc2g={ST}Reuters", "Reuters", id="osc52-st"),
    pytest.param(f"{ESC}]0;PWNED title{BEL}Partner coverage", "Partner coverage", id="osc0-bel"),
    pytest.param(f"{ESC}]0;PWNED title{ST}Partner coverage", "Partner coverage", id="osc0-st"),
    pytest.param(f"{ESC}]0;PWNED title\x9cPartner", "Partner", id="osc0-c1-st"),
    pytest.param(f"\x9d0;PWNED{BEL}Partner", "Partner", id="c1-osc"),
    pytest.param(f"{ESC}P1;2|payload{ST}after", "after", id="dcs"),
    pytest.param(f"{ESC}_apc payload{ST}after", "after", id="apc"),
    pytest.param(f"{ESC}^pm payload{ST}after", "after", id="pm"),
    pytest.param(f"{ESC}Xsos payload{ST}after", "after", id="sos"),
    pytest.param(f"visible{ESC}Phidden forever", "visible", id="dcs-unterminated"),
    pytest.param(f"{ESC}]0;hidden forever", "", id="osc-unterminated"),
    pytest.param(f"{ESC}7saved{ESC}8", "saved", id="esc-2byte-save-restore"),
    pytest.param(f"{ESC}cReset", "Reset", id="esc-2byte-ris"),
    pytest.param(f"{ESC}(BCharset", "Charset", id="esc-charset"),
    pytest.param(f"Quarterly results{ESC}", "Quarterly results", id="bare-esc-end"),
    pytest.param(f"{ESC}", "", id="bare-esc-alone"),
    pytest.param("\u009b31mRed tape\u009b0m cut", "Red tape cut", id="c1-csi-u009b"),
]


@pytest.mark.parametrize(("raw", "want"), ESCAPES)
def test_clean_line_removes_escape_sequences_whole(raw: str, want: str) -> None:
    cleaned = clean_line(raw)
    assert cleaned == want
    assert ESC not in cleaned
    assert not UNSAFE.search(cleaned)


@pytest.mark.parametrize(("raw", "want"), ESCAPES)
def test_clean_text_removes_escape_sequences_whole(raw: str, want: str) -> None:
    assert clean_text(raw) == want


@pytest.mark.parametrize(("raw", "want"), ESCAPES)
def test_strip_escapes_leaves_no_esc(raw: str, want: str) -> None:
    # strip_escapes only removes sequences; a bare ESC alone is clean_line's job.
    assert ESC + "[" not in strip_escapes(raw)
    assert ESC + "]" not in strip_escapes(raw)
    assert "PWNED" not in strip_escapes(raw)
    assert "evil" not in strip_escapes(raw)


def test_strip_escapes_leaves_plain_text_alone() -> None:
    text = "Plain [bold]text[/] with $accent, 50% & a → arrow"
    assert strip_escapes(text) == text


def test_entity_that_decodes_to_esc_leaves_no_escape() -> None:
    assert ESC not in clean_line("&#27;[31mRed")
    assert ESC not in clean_line("&#x1b;]0;PWNED&#7;Title")


# -- controls ----------------------------------------------------------------------------

CONTROLS_LINE = [
    pytest.param("Alarm bells\a ring", "Alarm bells ring", id="bel"),
    pytest.param("Good\b\b\b\bBad news", "GoodBad news", id="backspace"),
    pytest.param("N\x00U\x00L", "NUL", id="nul"),
    pytest.param("a\x7fb", "ab", id="del"),
    pytest.param("a\x0bb\x0cc", "a b c", id="vt-ff"),
    pytest.param("Harmless headline\rMALICIOUS", "Harmless headline MALICIOUS", id="cr"),
    pytest.param("line one\nline two", "line one line two", id="lf"),
    pytest.param("line one\r\nline two", "line one line two", id="crlf"),
    pytest.param("col\tcol", "col col", id="tab"),
    pytest.param("a\u2028b\u2029c", "a b c", id="unicode-line-separators"),
    pytest.param("  padded \t\n", "padded", id="trimmed"),
    pytest.param("\n\t\r ", "", id="only-whitespace"),
    pytest.param("a \t\n b", "a b", id="runs-become-one-space"),
]


@pytest.mark.parametrize(("raw", "want"), CONTROLS_LINE)
def test_clean_line_controls(raw: str, want: str) -> None:
    cleaned = clean_line(raw)
    assert cleaned == want
    assert not UNSAFE.search(cleaned)
    assert "\n" not in cleaned and "\t" not in cleaned


BIDI = [
    pytest.param("Invoice attached \u202efdp.exe\u202c", "Invoice attached fdp.exe", id="rlo-pdf"),
    pytest.param("\u202aa\u202bb\u202cc\u202dd\u202ee", "abcde", id="embeddings-overrides"),
    pytest.param("\u2066a\u2067b\u2068c\u2069", "abc", id="isolates"),
    pytest.param("a\u200eb\u200fc\u061cd", "abcd", id="marks-lrm-rlm-alm"),
    pytest.param("Invoice \u200f\u200f\u200ffdp.exe", "Invoice fdp.exe", id="rlm-run"),
]


@pytest.mark.parametrize(("raw", "want"), BIDI)
def test_bidi_controls_removed(raw: str, want: str) -> None:
    assert clean_line(raw) == want
    assert clean_text(raw) == want


KEPT = [
    pytest.param("\U0001f469\u200d\U0001f52c Scientists", id="zwj-emoji"),
    pytest.param("\U0001f468\u200d\U0001f469\u200d\U0001f467 family", id="zwj-family"),
    pytest.param("\U0001f44d\U0001f3fd thumbs", id="skin-tone"),
    pytest.param("Z\u0336\u0322\u0349a\u0334lgo", id="combining-marks"),
    pytest.param("e\u0301 vs \u00e9", id="combining-acute"),
    pytest.param("東京で開催された AI 会議 🤖🚀", id="cjk-wide-emoji"),
    pytest.param("עברית and العربية", id="real-rtl-letters"),
    pytest.param("naïve café — “quoted” … €5", id="latin-typography"),
    pytest.param("Ελληνικά Кириллица", id="greek-cyrillic"),
]


@pytest.mark.parametrize("text", KEPT)
def test_real_text_kept(text: str) -> None:
    assert clean_line(text) == text
    assert clean_text(text) == text


# -- zero-width characters in one-line fields ---------------------------------------------

WOMAN_TECHNOLOGIST = "\U0001f469\u200d\U0001f4bb"
"""An emoji ZWJ sequence: woman, zero-width joiner, laptop."""

ZERO_WIDTH_LINE = [
    pytest.param("\u200d".join("Breaking news") + "\u200d" * 500, "Breaking news", id="zwj-flood"),
    pytest.param("a" + "\u200d" * 500 + "b", "ab", id="500-zwj-between-letters"),
    pytest.param("Title\ufeff with\ufeff BOM", "Title with BOM", id="bom-inside"),
    pytest.param("\ufeffTitle", "Title", id="bom-first"),
    pytest.param("a\u200bb\u200cc\u2060d", "abcd", id="zwsp-zwnj-word-joiner"),
    pytest.param(f"{WOMAN_TECHNOLOGIST} at work", f"{WOMAN_TECHNOLOGIST} at work",
                 id="emoji-zwj-sequence-kept"),
    pytest.param("\U0001f3f3\ufe0f\u200d\U0001f308 flag", "\U0001f3f3\ufe0f\u200d\U0001f308 flag",
                 id="zwj-after-variation-selector-kept"),
    pytest.param("\u2764\ufe0f\u200d\U0001f525", "\u2764\ufe0f\u200d\U0001f525",
                 id="heart-on-fire-kept"),
    pytest.param("\U0001f408\u200d\u2b1b", "\U0001f408\u200d\u2b1b", id="black-cat-kept"),
    pytest.param("\U0001f469\u200d\u200d\U0001f4bb", "\U0001f469\U0001f4bb", id="zwj-doubled"),
    pytest.param("\U0001f469\u200dx", "\U0001f469x", id="zwj-emoji-then-letter"),
    pytest.param("x\u200d\U0001f4bb", "x\U0001f4bb", id="zwj-letter-then-emoji"),
    pytest.param("\u200d\U0001f4bb\u200d", "\U0001f4bb", id="zwj-at-the-ends"),
    pytest.param("\U0001f469\u200b\u200d\U0001f4bb", "\U0001f469\U0001f4bb",
                 id="zwj-beside-a-zero-width-space"),
    # Persian and Indic words are spelled with them: one inside a word is kept, a flood goes.
    pytest.param("\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645",
                 "\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645", id="persian-zwnj-kept"),
    pytest.param("\u0915\u094d\u200d\u0937", "\u0915\u094d\u200d\u0937",
                 id="devanagari-zwj-kept"),
    pytest.param("\u0645\u06cc" + "\u200c" * 300 + "\u062e", "\u0645\u06cc\u062e",
                 id="persian-zwnj-flood"),
    # The Arabic letter mark is in the Arabic block but is no letter: it goes first.
    pytest.param("\u0645\u06cc\u200c\u200f\u062e", "\u0645\u06cc\u200c\u062e",
                 id="persian-zwnj-beside-a-mark-kept"),
    pytest.param("a\u061c\u200c\u061cb", "ab", id="zwnj-between-letter-marks"),
]


@pytest.mark.parametrize(("raw", "want"), ZERO_WIDTH_LINE)
def test_clean_line_drops_zero_width_characters_outside_emoji(raw: str, want: str) -> None:
    assert clean_line(raw) == want


def test_clean_text_keeps_zero_width_characters() -> None:
    # A body wraps in its pane: only one-line fields must keep to their width.
    assert clean_text("a\u200bb\u200cc\u200dd") == "a\u200bb\u200cc\u200dd"


# -- mojibake and entities ---------------------------------------------------------------

REPAIRS = [
    pytest.param("thatâ€™s", "that’s", id="mojibake-apostrophe"),
    pytest.param("Owkinâ€™s model â€“ news", "Owkin’s model – news", id="mojibake-dash"),
    pytest.param("CafÃ©", "Café", id="mojibake-e-acute"),
    pytest.param("&amp;lt;", "&lt;", id="entity-decoded-once"),
    pytest.param(
        "AT&amp;T&#8217;s deal &#8211; what", "AT&T’s deal – what", id="entities-named-numeric"
    ),
    pytest.param("Wait&hellip;", "Wait…", id="entity-hellip"),
    pytest.param(
        "&lt;script&gt;alert(1)&lt;/script&gt;", "<script>alert(1)</script>", id="entity-tag"
    ),
    pytest.param("&#x2019;", "’", id="entity-hex"),
    pytest.param("Q&A: AT&T", "Q&A: AT&T", id="bare-ampersand"),
    pytest.param("&amp;amp;", "&amp;", id="double-escaped"),
]


@pytest.mark.parametrize(("raw", "want"), REPAIRS)
def test_mojibake_and_entities(raw: str, want: str) -> None:
    assert clean_line(raw) == want
    assert clean_text(raw) == want


def test_entity_decoding_is_not_repeated() -> None:
    once = clean_line("&amp;lt;b&amp;gt;")
    assert once == "&lt;b&gt;"
    assert clean_line(once) == "<b>"  # a second clean decodes again: callers clean once


# -- markup is never interpreted ---------------------------------------------------------

MARKUP = [
    pytest.param("[bold]x[/]", id="rich-tags"),
    pytest.param("[bold red]Breaking[/] markets slide", id="rich-tags-style"),
    pytest.param("Press [@click=app.quit]here[/] to read on", id="textual-click"),
    pytest.param("[@click=app.quit]", id="textual-click-bare"),
    pytest.param("Save $100 on $accent and $primary today", id="content-variables"),
    pytest.param("$accent", id="variable-alone"),
    pytest.param("Stocks [/] fall [b as [ traders flee", id="unbalanced"),
    pytest.param("[link=https://evil.example]Official[/link]", id="rich-link"),
    pytest.param(":rocket: launch", id="emoji-code"),
    pytest.param("[a link](https://evil.example) **bold**", id="markdown"),
    pytest.param("<b>html</b> <script>", id="html-tags"),
    pytest.param("100% {braces} \\[escaped]", id="percent-braces-backslash"),
]


@pytest.mark.parametrize("text", MARKUP)
def test_markup_untouched(text: str) -> None:
    assert clean_line(text) == text
    assert clean_text(text) == text


# -- clean_text --------------------------------------------------------------------------

TEXT = [
    pytest.param("one\ntwo\n\nfour", "one\ntwo\n\nfour", id="lf-kept"),
    pytest.param("one\r\ntwo\r\n", "one\ntwo", id="crlf-to-lf"),
    pytest.param("one\rtwo", "one\ntwo", id="cr-to-lf"),
    pytest.param("one\u2028two\u2029three", "one\ntwo\nthree", id="unicode-separators"),
    pytest.param("a\tb", "a    b", id="tab-to-spaces"),
    pytest.param(f"one\n{ESC}[31mred{ESC}[0m\nthree", "one\nred\nthree", id="escapes-per-line"),
    pytest.param("a\x00b\x07c\x08d\n", "abcd", id="controls-dropped"),
    pytest.param("\n\n  body  \n\n", "body", id="trimmed"),
]


@pytest.mark.parametrize(("raw", "want"), TEXT)
def test_clean_text(raw: str, want: str) -> None:
    cleaned = clean_text(raw)
    assert cleaned == want
    assert "\r" not in cleaned
    assert not UNSAFE.search(cleaned)


def test_clean_line_limit() -> None:
    assert len(clean_line("x" * 50_000)) == 20_000
    assert clean_line("abcdef", limit=3) == "abc"
    assert clean_line("a\u202eb" * 10, limit=4) == "abab"


# -- escape_name -------------------------------------------------------------------------

NAMES = [
    pytest.param("plain-name.md", "plain-name.md", id="plain"),
    pytest.param("sub/x.md", "sub/x.md", id="subfolder"),
    pytest.param(
        "caf\udce9-latin1-name.md", "caf\\xe9-latin1-name.md", id="surrogate-escaped-byte"
    ),
    pytest.param("\udcff\udc80.md", "\\xff\\x80.md", id="two-bad-bytes"),
    pytest.param(f"{ESC}[31mred-alert{ESC}[0m.md", "\\x1b[31mred-alert\\x1b[0m.md", id="esc"),
    pytest.param("line\nbreak.md", "line\\x0abreak.md", id="newline"),
    pytest.param("cr\rtab\t.md", "cr\\x0dtab\\x09.md", id="cr-tab"),
    pytest.param("back\\slash.md", "back\\x5cslash.md", id="backslash"),
    pytest.param("c1\x9bname.md", "c1\\x9bname.md", id="c1"),
    pytest.param("del\x7f.md", "del\\x7f.md", id="del"),
    pytest.param("fdp\u202eexe.md", "fdp\\u202eexe.md", id="bidi"),
    pytest.param("a\u200eb\u200fc\u061c.md", "a\\u200eb\\u200fc\\u061c.md", id="bidi-marks"),
    pytest.param("café 東京 🤖.md", "café 東京 🤖.md", id="real-unicode-kept"),
]


@pytest.mark.parametrize(("name", "shown"), NAMES)
def test_escape_name(name: str, shown: str) -> None:
    out = escape_name(name)
    assert out == shown
    assert not UNSAFE.search(out)
    assert "\n" not in out and "\t" not in out
    out.encode("utf-8")  # no lone surrogate left: always printable and encodable


# -- is_openable -------------------------------------------------------------------------

URLS = [
    pytest.param("http://example.com", True, id="http"),
    pytest.param("https://example.com/a?b=c#d", True, id="https-query-fragment"),
    pytest.param("HTTPS://EXAMPLE.COM/X", True, id="upper-case-scheme"),
    pytest.param("https://example.com:8080/x", True, id="port"),
    pytest.param("http://[::1]/", True, id="ipv6-host"),
    pytest.param("https://例子.测试/", True, id="idn-host"),
    pytest.param("javascript:alert(1)", False, id="javascript"),
    pytest.param("JavaScript:alert(1)", False, id="javascript-mixed-case"),
    pytest.param("file:///etc/passwd", False, id="file"),
    pytest.param("data:text/html,<script>alert(1)</script>", False, id="data"),
    pytest.param("ftp://example.com/x", False, id="ftp"),
    pytest.param("mailto:a@example.com", False, id="mailto"),
    pytest.param("/news/2021/09/story.html", False, id="relative-path"),
    pytest.param("news/story.html", False, id="relative-name"),
    pytest.param("//example.com/x", False, id="scheme-relative"),
    pytest.param("http://", False, id="no-host"),
    pytest.param("https:///path", False, id="empty-host"),
    pytest.param("http:example.com", False, id="no-slashes"),
    pytest.param("http://example.com/breaking news/today", False, id="spaces"),
    pytest.param(" https://example.com", False, id="leading-space"),
    pytest.param("https://example.com/a\nhttps://evil.example/", False, id="newline"),
    pytest.param("https://example.com/\t", False, id="tab"),
    pytest.param(f"https://exa{ESC}[31mmple.com", False, id="esc"),
    pytest.param("https://example.com/\u202etxt.exe", False, id="bidi"),
    pytest.param("http://[bad", False, id="broken-ipv6"),
    pytest.param("", False, id="empty"),
    pytest.param("https://www.example.com/track?ref=" + "A" * 10240, False, id="10kb"),
]


@pytest.mark.parametrize(("url", "ok"), URLS)
def test_is_openable(url: str, ok: bool) -> None:
    assert is_openable(url) is ok

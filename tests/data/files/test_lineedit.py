"""reader.data.files.lineedit:
The one `published:` line, found, changed and verified, byte for byte."""

from __future__ import annotations

import random

import pytest

from reader.data.article import Article, article_to_dict
from reader.data.files import lineedit, lineproof
from reader.data.files.lineedit import LineEdit, Refused, old_value, published_edit, verify
from reader.data.files.parse import FRONT_MATTER_LIMIT, READ_LIMIT, head_of, parse_bytes, read_head

HEAD = b"title: A title\npublishedDateTime: 2021-09-22T14:25:00Z\n"
"""The fields every table file starts with (LF)."""

# (old bytes, value to write, the exact new bytes)
EDITS = [
    pytest.param(
        b"---\n" + HEAD + b"published: true\n---\nBody\n",
        False,
        b"---\n" + HEAD + b"published: false\n---\nBody\n",
        id="lf-true-to-false",
    ),
    pytest.param(
        b"---\r\ntitle: A\r\npublished: false\r\n---\r\nBody\r\n",
        True,
        b"---\r\ntitle: A\r\npublished: true\r\n---\r\nBody\r\n",
        id="crlf",
    ),
    pytest.param(
        b"---\r\ntitle: A\npublished: false\r\nb: 1\n---\nBody",
        True,
        b"---\r\ntitle: A\npublished: true\r\nb: 1\n---\nBody",
        id="mixed-eol-keeps-the-lines-own",
    ),
    pytest.param(
        b"---\r\ntitle: A\nb: 1\n---\nBody",
        False,
        b"---\r\ntitle: A\nb: 1\npublished: false\r\n---\nBody",
        id="mixed-eol-insert-takes-the-first-lines",
    ),
    pytest.param(
        b"---\n" + HEAD + b"---\nBody without a final newline",
        False,
        b"---\n" + HEAD + b"published: false\n---\nBody without a final newline",
        id="insert-no-final-newline",
    ),
    pytest.param(
        b"---\n" + HEAD + b"---",
        False,
        b"---\n" + HEAD + b"published: false\n---",
        id="closing-line-is-the-last-byte",
    ),
    pytest.param(
        b"---\r\ntitle: A\r\n---\r\nBody\r\n",
        False,
        b"---\r\ntitle: A\r\npublished: false\r\n---\r\nBody\r\n",
        id="insert-crlf",
    ),
    pytest.param(
        b"\xef\xbb\xbf---\ntitle: A\npublished: true\n---\n",
        False,
        b"\xef\xbb\xbf---\ntitle: A\npublished: false\n---\n",
        id="utf8-bom",
    ),
    pytest.param(
        b"---\ntitle: A\npublished: true   # live since May\t\n---\n",
        False,
        b"---\ntitle: A\npublished: false   # live since May\t\n---\n",
        id="comment-and-trailing-spaces",
    ),
    pytest.param(
        b"---\ntitle: A\npublished:    false  \n---\n",
        True,
        b"---\ntitle: A\npublished:    true  \n---\n",
        id="spaces-kept",
    ),
    pytest.param(
        b'---\ntitle: A\npublished: "false"\n---\n',
        False,
        b"---\ntitle: A\npublished: false\n---\n",
        id="double-quoted-string",
    ),
    pytest.param(
        b"---\ntitle: A\npublished: 'true' # quoted\n---\n",
        True,
        b"---\ntitle: A\npublished: true # quoted\n---\n",
        id="single-quoted-with-comment",
    ),
    pytest.param(
        b"---\ntitle: A\npublished:\n---\n",
        False,
        b"---\ntitle: A\npublished: false\n---\n",
        id="empty-value",
    ),
    pytest.param(
        b"---\ntitle: A\npublished: # decide later\n---\n",
        True,
        b"---\ntitle: A\npublished: true # decide later\n---\n",
        id="empty-value-with-comment",
    ),
    pytest.param(
        b"---\ntitle: A\npublished: ~\n---\n",
        True,
        b"---\ntitle: A\npublished: true\n---\n",
        id="tilde-null",
    ),
    pytest.param(
        b"---\ntitle: A\npublished: yes\n---\n",
        False,
        b"---\ntitle: A\npublished: false\n---\n",
        id="yaml-1.1-yes",
    ),
    pytest.param(
        b"---\ntitle: A\npublished: false\nb: 1\npublished: true\n---\n",
        False,
        b"---\ntitle: A\npublished: false\nb: 1\npublished: false\n---\n",
        id="duplicate-keys-the-last-counts",
    ),
    pytest.param(
        b'---\ntitle: A\n"published" : true\n---\n',
        False,
        b'---\ntitle: A\n"published" : false\n---\n',
        id="quoted-key-space-before-colon",
    ),
    pytest.param(
        b"---\ntitle: A\nprovider:\n  published: true\n---\n",
        False,
        b"---\ntitle: A\nprovider:\n  published: true\npublished: false\n---\n",
        id="nested-key-is-not-the-one",
    ),
    pytest.param(
        b"---\ntitle: A\nexcerpt: |\n  published: true\n---\n",
        False,
        b"---\ntitle: A\nexcerpt: |\n  published: true\npublished: false\n---\n",
        id="key-inside-a-block-scalar-is-not-the-one",
    ),
    pytest.param(
        b"---\ntitle: Caf\xe9\npublished: true\n---\nna\xefve\n",
        False,
        b"---\ntitle: Caf\xe9\npublished: false\n---\nna\xefve\n",
        id="windows-1252",
    ),
    pytest.param(
        b"---\ntitle: A\npublished: true\n---\n---\npublished: true\n---\n",
        False,
        b"---\ntitle: A\npublished: false\n---\n---\npublished: true\n---\n",
        id="body-lines-untouched",
    ),
    pytest.param(
        b"---  \ntitle: A\n---\t\nBody\n",
        True,
        b"---  \ntitle: A\npublished: true\n---\t\nBody\n",
        id="spaces-after-the-dashes",
    ),
    pytest.param(
        b"---\ntitle: A\n...\nBody\n---\nmore\n",
        False,
        b"---\ntitle: A\npublished: false\n...\nBody\n---\nmore\n",
        id="closed-by-dots-as-jekyll-reads-it",
    ),
    pytest.param(
        b"---\ntitle: A\npublished: false\n...\n",
        True,
        b"---\ntitle: A\npublished: true\n...\n",
        id="value-before-a-dots-closer",
    ),
]


def _fields(article: Article) -> dict:
    data = article_to_dict(article)
    for key in ("file_published", "has_published_key"):
        data.pop(key)
    data["problems"] = [p for p in data["problems"] if p["field"] != "published"]
    return data


@pytest.mark.parametrize(("old", "value", "new"), EDITS)
def test_the_edit_changes_only_the_value(old: bytes, value: bool, new: bytes) -> None:
    edit = published_edit(old, value)
    assert verify(old, edit, value) == new
    assert edit.apply(old) == new
    assert edit.revert(new) == old
    before, after = parse_bytes(old, "a.md"), parse_bytes(new, "a.md")
    assert isinstance(before, Article) and isinstance(after, Article)
    assert after.file_published is value and after.has_published_key
    assert not [p for p in after.problems if p.field == "published"]
    assert _fields(before) == _fields(after)


REFUSED = [
    pytest.param(b"Title\nDate: 2020-03-05\n\nBody\n", True, "press", id="press-release"),
    pytest.param("---\ntitle: A\n---\n".encode("utf-16"), False, "encoding", id="utf-16-le"),
    pytest.param("---\ntitle: A\n---\n".encode("utf-16-be"), False, "press", id="utf-16-be-no-bom"),
    pytest.param(b"---\ntitle: A\n", False, "verify", id="unclosed"),
    pytest.param(b"---\n---\nBody\n", False, "verify", id="empty-front-matter"),
    pytest.param(
        b'---\ntitle: "A long\npublished: true"\n---\n', False, "verify", id="line-inside-a-string"
    ),
    pytest.param(
        b"---\ntitle: A\npublished: |\n  true\n---\n", False, "verify", id="block-scalar-value"
    ),
    pytest.param(
        b"---\ntitle: A\npublished: [true]\n---\n", False, "verify", id="flow-sequence-value"
    ),
    pytest.param(
        b"---\ntitle: A\npublished: true\n  and more\n---\n", False, "verify", id="continued-value"
    ),
    pytest.param(
        b"---\ntitle: A\npublished: &p true\nalso: *p\n---\n", False, "verify", id="anchored-value"
    ),
    pytest.param(
        b"---\ntitle: A\npublished: 'it''s\n  on'\n---\n", False, "verify", id="unclosed-quote"
    ),
    pytest.param(
        b"---\n{title: A, published: true}\n---\n", False, "verify", id="flow-mapping-front-matter"
    ),
    pytest.param(
        b"---\ntitle: A\n? published\n: true\n---\n", False, "verify", id="complex-key-shadowed"
    ),
    pytest.param(b"---\n- a\n- b\n---\n", False, "verify", id="not-a-mapping"),
]


@pytest.mark.parametrize(("old", "value", "code"), REFUSED)
def test_refused(old: bytes, value: bool, code: str) -> None:
    with pytest.raises(Refused) as refused:
        verify(old, published_edit(old, value), value)
    assert refused.value.code == code
    assert refused.value.why


def test_old_value_for_reports() -> None:
    for line, shown in [
        (b'published: "yes" # c\n', '"yes"'),
        (b"published: true\r\n", "true"),
        (b"published:\n", ""),
        (b"published: # c\n", ""),
    ]:
        data = b"---\ntitle: A\n" + line + b"---\n"
        assert old_value(published_edit(data, False)) == shown
    assert old_value(published_edit(b"---\ntitle: A\n---\n", False)) == ""


@pytest.mark.parametrize(
    "size",
    [10, READ_LIMIT - 1, READ_LIMIT, READ_LIMIT + 1, READ_LIMIT + 5000],
    ids=["small", "limit-1", "limit", "limit+1", "over"],
)
@pytest.mark.parametrize("closed", [True, False], ids=["closed", "long-front-matter"])
def test_head_of_is_what_read_head_reads(tmp_path, size: int, closed: bool) -> None:
    front = b"---\ntitle: A\n" + (b"---\n" if closed else b"")
    data = front + b"x" * max(0, size - len(front))
    if not closed:
        data += b"\n---\n" + b"y" * 100
    path = tmp_path / "a.md"
    path.write_bytes(data)
    assert head_of(data) == read_head(path)
    assert len(head_of(b"---\n" + b"z" * (FRONT_MATTER_LIMIT + 10))) == FRONT_MATTER_LIMIT + 1


BEYOND = [
    pytest.param(b"quality: 3\n", b"published: false\n", id="a-field-dropped"),
    pytest.param(b"quality: 3\n", b"quality: 3.0\npublished: false\n", id="int-to-float"),
    pytest.param(b"quality: 3\n", b'quality: "3"\npublished: false\n', id="int-to-string"),
    pytest.param(b"title: A\n", b"title: A\npublished: false\n", id="added-mid-mapping"),
    pytest.param(b"quality: 3\n", b"quality: 3\npublished: false\nextra: 1\n", id="extra-field"),
    pytest.param(b"published: true\n", b"published: false\n  # fine\n", id="comment-is-fine"),
    pytest.param(b"published: true\n", b"published: 'false'\n", id="quoted-new-value"),
    pytest.param(b"published: true\n", b"published: False\n", id="capitalised-new-value"),
]


@pytest.mark.parametrize(("old_line", "new_line"), BEYOND)
def test_a_hand_made_edit_that_reaches_further_is_refused(old_line: bytes, new_line: bytes) -> None:
    """verify() trusts nothing about the edit: only what the two files load as."""
    from reader.data.files.lineedit import LineEdit

    data = b"---\ntitle: A\nquality: 3\npublished: true\n---\nBody\n"
    edit = LineEdit(data.index(old_line), old_line, new_line)
    if new_line.endswith(b"# fine\n"):
        assert verify(data, edit, False) == edit.apply(data)
        return
    with pytest.raises(Refused) as refused:
        verify(data, edit, False)
    assert refused.value.code == "verify"


# -- the shortcut: a one-line plain value swapped is not composed again ------------------------

# (front matter between the `---` lines, whether verify may take the shortcut)
SHORTCUT = [
    pytest.param(b"title: A\npublished: maybe\n", True, id="plain-value"),
    pytest.param(b"title: A\npublished: true # by hand\r\nb: 1\n", True, id="comment-crlf"),
    pytest.param(b"t: \xf0\x9f\x98\x80\npublished: d\xc3\xa9j\xc3\xa0 vu\n", True, id="unicode"),
    pytest.param(b't: "a\xe2\x80\xa8b\xc2\x85c"\npublished: x\n', True, id="unicode-line-breaks"),
    pytest.param(b"a: 1\npublished: x\npublished: y\n", True, id="duplicate-last-edited"),
    pytest.param(b"a: &x 1\npublished: no\nb: *x\n", True, id="anchor-elsewhere"),
    pytest.param(b"published: " + b"v" * 2000 + b"\nb: 1\n", True, id="longer-than-a-simple-key"),
    pytest.param(b"published: a b:c #d\n", True, id="colon-and-hash-inside"),
    pytest.param(b'"published": x\n', True, id="quoted-key"),
    pytest.param(b"published:\tx\n", True, id="tab-after-colon"),
    pytest.param(b"a: |\n  published: x\nb: 1\n", False, id="key-inside-a-block-scalar"),
    pytest.param(b"a: |+\n  t\n\npublished: x\n", True, id="after-a-kept-block-scalar"),
    pytest.param(b'a: "x\npublished: y"\n', False, id="key-inside-a-quoted-string"),
    pytest.param(b"a: x\npublished: y\n  z\n", False, id="value-goes-on"),
    pytest.param(b"a: x\npublished: y\n# c\n  z\n", False, id="value-goes-on-past-a-comment"),
    pytest.param(b"published: y\n\tz: 1\n", False, id="tab-on-the-next-line"),
    pytest.param(b"published: &p y\nb: *p\n", False, id="anchored-value"),
    pytest.param(b"published: *p\n", False, id="alias-value"),
    pytest.param(b"a: &p 1\npublished: &p 2\n", False, id="duplicate-anchor"),
    pytest.param(b"published: !!str y\n", False, id="tagged-value"),
    pytest.param(b'published: "y"\n', False, id="quoted-value"),
    pytest.param(b"published:\n", False, id="empty-value"),
    pytest.param(b"published:\n- a\n", False, id="empty-then-a-list"),
    pytest.param(b"published: a: b\n", False, id="a-mapping-in-the-value"),
    pytest.param(b"published: y\na: 1\npublished: z\n", True, id="duplicate-far-apart"),
    pytest.param(b"published: [y]\n", False, id="flow-sequence"),
    pytest.param(b"{a: 1,\npublished: y}\n", False, id="flow-mapping-root"),
    pytest.param(b"? [a]\n: 1\npublished: y\n", True, id="complex-key-elsewhere"),
    pytest.param(b"? published\n: y\n", False, id="complex-key"),
    pytest.param(b"a:\n  published: y\n", False, id="nested"),
    pytest.param(b"a: b\n published: y\n", False, id="indented"),
    pytest.param(b"published: y\n--- b\n", False, id="second-document"),
    pytest.param(b"published: y\nb: *nowhere\n", False, id="undefined-alias"),
    pytest.param(b"published: y\nb: [\n", False, id="broken-after"),
    pytest.param(b"- published: y\n", False, id="a-list"),
    pytest.param(b"published: caf\xe9\n", False, id="cp1252"),
    # After the value, only what could be an anchor, an alias, a `published` key or a
    # second document makes the walk go on past it (see lineproof._rest_is_plain).
    pytest.param(b"published: y\nb: [1, 2]\nc: 'x & y'\n", True, id="a-plain-rest"),
    pytest.param(b"a: &k 1\npublished: y\nb: *k\n", True, id="alias-after-to-one-before"),
    pytest.param(b"a: &k 1\npublished: y\nb: &k 2\n", False, id="anchor-again-after"),
    pytest.param(b'published: y\nu: "https://x/?a=1&b=2*3"\n', True, id="ampersand-in-a-url"),
    pytest.param(b"published: y\nb:\n  publishedAt: 1\nunpublished: 2\n", True, id="in-words"),
    pytest.param(b'published: y\n"\\x70ublished": z\n', False, id="escaped-key-after"),
    pytest.param(b'published: y\n? "publi\\\n  shed"\n: z\n', False, id="joined-key-after"),
    pytest.param(b"published: y\n! published: z\n", False, id="tagged-key-after"),
    pytest.param(b"published: y\n? published\n: z\n", False, id="complex-key-after"),
    pytest.param(b"a: &p published\npublished: y\n*p : z\n", False, id="alias-key-after"),
    pytest.param(b"published: y\nb: 1\r--- c\n", False, id="second-document-after-a-cr"),
    pytest.param(b"published: y\nb: 1\n... c\n", False, id="document-end-after"),
]

GUARDED = [
    "anchor-again-after", "escaped-key-after", "joined-key-after", "undefined-alias",
    "second-document-after-a-cr", "second-document",
]  # fmt: skip
"""Cases libyaml's parser alone passes: only what `_rest_is_plain` finds keeps them out."""


@pytest.mark.parametrize(
    "front", [pytest.param(p.values[0], id=p.id) for p in SHORTCUT if p.id in GUARDED]
)
def test_the_parser_alone_is_trusted_only_with_a_plain_rest(
    front: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = b"---\n" + front + b"---\n"
    edit = published_edit(old, True)
    assert lineedit._only_the_value(old, edit, True) is False
    monkeypatch.setattr(lineproof, "_rest_is_plain", lambda text, stop: True)
    assert lineedit._only_the_value(old, edit, True) is lineproof.FAST


def _verdict(old: bytes, value: bool, full: bool, monkeypatch: pytest.MonkeyPatch) -> object:
    """What verify says of the planned edit: the new bytes, or the refusal's code."""
    monkeypatch.setattr(lineproof, "FAST", lineproof.FAST and not full)
    try:
        return verify(old, published_edit(old, value), value)
    except Refused as refused:
        return refused.code, refused.why


@pytest.mark.parametrize(("front", "shortcut"), SHORTCUT)
@pytest.mark.parametrize("value", [True, False])
def test_the_shortcut_says_what_composing_both_says(
    front: bytes, shortcut: bool, value: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = b"---\n" + front + b"---\nBody\n"
    try:
        edit = published_edit(old, value)
        took = lineedit._only_the_value(old, edit, value)
    except Refused:
        took = False
    assert took is (shortcut and lineproof.FAST)
    fast = _verdict(old, value, False, monkeypatch)
    assert fast == _verdict(old, value, True, monkeypatch)
    assert isinstance(fast, bytes) or not shortcut


HAND_MADE = [
    pytest.param(b"published: maybe\n", b"published: true\n", True, id="the-planned-one"),
    pytest.param(b"published: maybe\n", b"published: true \n", None, id="a-blank-added"),
    pytest.param(b"published: maybe\n", b"published:  true\n", True, id="blank-moved"),
    pytest.param(b"published: maybe\n", b"published: truex\n", None, id="more-than-the-word"),
    pytest.param(b"published: maybe\n", b"published: true\nb: 2\n", None, id="a-line-more"),
    pytest.param(b"published: maybe\n", b"published: true\r\n", None, id="line-end-changed"),
    pytest.param(b"b: 1\n", b"b: 1\npublished: true\n", None, id="another-line"),
]


@pytest.mark.parametrize(("old_line", "new_line", "shortcut"), HAND_MADE)
def test_the_shortcut_trusts_no_hand_made_edit(
    old_line: bytes, new_line: bytes, shortcut: bool | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    old = b"---\na: 1\n" + b"b: 1\npublished: maybe\n---\n"
    edit = LineEdit(old.index(old_line), old_line, new_line)
    took = lineedit._only_the_value(old, edit, True)
    assert took is (bool(shortcut) and lineproof.FAST and new_line == b"published: true\n")
    verdicts = []
    for full in (False, True):
        monkeypatch.setattr(lineproof, "FAST", lineproof.FAST and not full)
        try:
            verdicts.append(verify(old, edit, True))
        except Refused as refused:
            verdicts.append(refused.code)
    assert verdicts[0] == verdicts[1]


_PIECES = [
    b"a: 1\n", b"published: x\n", b"published: y # c\n", b"published:\n", b"  - i\n",
    b"  z\n", b"\tz\n", b"# c\n", b"\n", b"b: |\n", b"b: >-\n", b"  text\n", b"c: &k v\n",
    b"d: *k\n", b'e: "q\n', b'  r"\n', b"f: [1,\n", b"  2]\n", b"? g\n", b": h\n", b"- s\n",
    b"published: &k w\n", b"published: 'v'\n", b"---\n", b"...\n", b"i: {j: 1}\n",
    b"published: a: b\n", b"published: x\r\n", b"k: \xc3\xa9\n", b"published: \xe9\n",
    b'"\\x70ublished": z\n', b'l: "publi\\\n', b'  shed"\n', b"m: a&b=1*2\n", b"n: &k\n",
    b"o: *k\n", b"publishedAt: 1\n", b"! published: p\n", b"q: 1\r--- r\n", b"s: 'x\\'\n",
    b"&p published: 1\n", b"*p : 2\n",
]  # fmt: skip


def test_the_shortcut_agrees_on_random_front_matters(monkeypatch: pytest.MonkeyPatch) -> None:
    rng = random.Random(22)
    fast = 0
    for _ in range(3000):
        old = b"---\n" + b"".join(rng.choice(_PIECES) for _ in range(rng.randint(1, 8))) + b"---\n"
        value = rng.random() < 0.5
        try:
            edit = published_edit(old, value)
            fast += lineedit._only_the_value(old, edit, value)
        except Refused:
            pass
        assert _verdict(old, value, False, monkeypatch) == _verdict(old, value, True, monkeypatch)
    assert fast > 300 or not lineproof.FAST  # the shortcut is taken, not only passed over

"""reader.data.ids: article ids to SQLite text keys and back, losslessly, for any name."""

from __future__ import annotations

import os
import sqlite3

import pytest

from reader.data import ids as keys
from reader.data.ids import id_from_key, key_from_id, keys_from_ids

RAW = "\ufffe"
"""The mark a key of an undecodable name starts with (the module's own choice)."""

UTF8_IDS = [
    pytest.param("a.md", id="plain"),
    pytest.param("", id="empty"),
    pytest.param("sub/deeper/x.md", id="slashes"),
    pytest.param("back\\slash.md", id="backslash"),
    pytest.param("../escape.md", id="dot-dot"),
    pytest.param("/absolute.md", id="leading-slash"),
    pytest.param("東京/ニュース.md", id="cjk"),
    pytest.param("café.md", id="nfc"),
    pytest.param("cafe\u0301.md", id="nfd"),
    pytest.param("🦀 crab.md", id="astral-emoji"),
    pytest.param("\u202eevil\u202c.md", id="bidi-override"),
    pytest.param("\x1b[31mred\x1b[0m.md", id="ansi-escape"),
    pytest.param("line\nbreak.md", id="newline"),
    pytest.param("tab\there.md", id="tab"),
    pytest.param("quote'\"; DROP TABLE decisions;--.md", id="sql-quotes"),
    pytest.param("x" * 255 + ".md", id="long-name"),
    pytest.param("/".join(["d" * 200] * 20) + "/x.md", id="long-path"),
    pytest.param("fffe.md", id="hex-looking"),
    pytest.param("ab" + RAW + "cd.md", id="mark-inside-not-first"),
]


@pytest.mark.parametrize("article_id", UTF8_IDS)
def test_a_utf8_id_is_its_own_key(article_id: str) -> None:
    assert key_from_id(article_id) == article_id
    assert id_from_key(article_id) == article_id


def fsdecode(name: bytes) -> str:
    """An id as the walk makes it from a name on disk (surrogate-escaped, POSIX)."""
    return name.decode("utf-8", "surrogateescape")


RAW_NAMES = [
    pytest.param(b"caf\xe9.md", id="latin-1"),
    pytest.param(b"\xff\xfe.md", id="utf16-bom"),
    pytest.param(b"\xc3(.md", id="broken-two-byte"),
    pytest.param(b"\xed\xa0\x80.md", id="encoded-surrogate"),
    pytest.param(b"\xf8\x88\x80\x80\x80.md", id="five-byte-form"),
    pytest.param(b"\x80", id="lone-continuation"),
    pytest.param(b"sub/caf\xe9/\xe9t\xe9.md", id="in-a-folder"),
    pytest.param("東京-".encode() + b"\xe9.md", id="mixed-valid-and-not"),
    pytest.param(b"\xe9" * 255, id="long-name"),
    pytest.param(b"\x1b[31m\xe9\n.md", id="controls-and-invalid"),
]


@pytest.mark.parametrize("name", RAW_NAMES)
def test_an_undecodable_name_is_stored_as_marked_hex_and_comes_back(name: bytes) -> None:
    article_id = fsdecode(name)
    key = key_from_id(article_id)
    assert key.startswith(RAW)
    assert bytes.fromhex(key[1:]) == name
    key.encode("utf-8")  # SQLite text must be valid UTF-8: this must not raise
    assert id_from_key(key) == article_id
    assert os.fsencode(id_from_key(key)) == name


def test_keys_of_different_names_never_collide() -> None:
    names = [p.values[0] for p in RAW_NAMES] + [p.values[0].encode() for p in UTF8_IDS]
    keys = [key_from_id(fsdecode(n)) for n in names]
    assert len(set(keys)) == len(set(names))


@pytest.mark.parametrize(
    "name",
    [
        pytest.param(RAW + "ab.md", id="mark-then-text"),
        pytest.param(RAW + ".md", id="mark-then-dot"),
        pytest.param(RAW + "abcd", id="mark-then-hex-digits"),
        pytest.param(RAW, id="mark-alone"),
    ],
)
def test_an_id_starting_with_the_mark_round_trips(name: str) -> None:
    """U+FFFE is valid UTF-8 (EF BF BE): a name may start with the mark itself."""
    assert id_from_key(key_from_id(name)) == name
    assert keys_from_ids(["plain.md", name]) == ["plain.md", key_from_id(name)]


def test_keys_survive_a_round_trip_through_sqlite() -> None:
    ids = [fsdecode(p.values[0]) for p in RAW_NAMES] + [p.values[0] for p in UTF8_IDS]
    conn = sqlite3.connect(":memory:")
    try:
        conn.execute("CREATE TABLE t (key TEXT PRIMARY KEY)")
        conn.executemany("INSERT INTO t VALUES (?)", [(key_from_id(i),) for i in ids])
        back = {id_from_key(k) for (k,) in conn.execute("SELECT key FROM t")}
    finally:
        conn.close()
    assert back == set(ids)


# -- keys_from_ids -----------------------------------------------------------------------


def test_keys_from_ids_returns_the_same_list_when_every_id_is_its_own_key() -> None:
    ids = ["a.md", "東京.md", "line\nbreak.md"]
    assert keys_from_ids(ids) is ids


def test_keys_from_ids_of_nothing() -> None:
    assert keys_from_ids([]) == []


@pytest.mark.parametrize(
    "ids",
    [
        pytest.param([fsdecode(b"caf\xe9.md")], id="one-raw"),
        pytest.param(["a.md", fsdecode(b"caf\xe9.md"), "b.md"], id="raw-in-the-middle"),
        pytest.param(["a.md", fsdecode(b"\xff")], id="raw-last"),
        pytest.param([fsdecode(b"\xe9")] * 3, id="repeats"),
    ],
)
def test_keys_from_ids_maps_each_id_when_one_is_not_utf8(ids: list[str]) -> None:
    keys = keys_from_ids(ids)
    assert keys == [key_from_id(i) for i in ids]
    assert [id_from_key(k) for k in keys] == ids
    assert keys is not ids


def test_a_key_an_older_version_kept_as_its_name_still_reads() -> None:
    """Before names starting with the mark were escaped, "\ufffeab.md" was its own key: it
    reads back as that name rather than failing a whole list (it is not hex)."""
    assert id_from_key(RAW + "ab.md") == RAW + "ab.md"


@pytest.mark.parametrize("at", [0, 1, 2, 3, 4, 6])
@pytest.mark.parametrize(
    "odd", [fsdecode(b"caf\xe9.md"), "\ufffemarked.md"], ids=["not-utf8", "starts-with-mark"]
)
def test_keys_from_ids_finds_an_odd_id_in_any_chunk(
    monkeypatch: pytest.MonkeyPatch, at: int, odd: str
) -> None:
    """Ids are checked a chunk at a time: one that is not its own key is found wherever it
    falls, first or last in a chunk, in the first chunk or a later one."""
    monkeypatch.setattr(keys, "_CHUNK", 3)
    ids = [f"{n}.md" for n in range(7)]
    ids[at] = odd
    assert keys_from_ids(ids) == [key_from_id(i) for i in ids]
    assert keys_from_ids(ids) is not ids

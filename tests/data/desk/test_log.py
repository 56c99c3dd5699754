"""reader.data.desk.log: an editor's shared log, line by line; bad lines are passed over with
a problem naming the file and the line, a torn last line is cut before appending, and an
editor's name never makes a log outside its folder."""

from __future__ import annotations

import json
from dataclasses import astuple
from pathlib import Path

import pytest

from reader.data.article import Problem
from reader.data.decisions.events import Event
from reader.data.desk.log import append, from_line, log_name, read_log, to_line

DECIDE = Event("e1", "2026-03-01T10:00:00.000+00:00", "Ann <ann@example.com>", "decide",
               "_news/a.md", "published", "good story", ("p0", "p1"))
CLAIM = Event("c1", "2026-03-01T10:00:01.000+00:00", "ann@example.com", "claim",
              until="2026-03-01T14:00:01.000+00:00", provider="Fierce", topic="AI")
RELEASE = Event("r1", "2026-03-01T10:00:02.000+00:00", "ann@example.com", "release",
                on=("c1",))


def good(n: int) -> dict[str, object]:
    """A decision's line as a dict: tests spoil one field of it."""
    return {"v": 1, "id": f"ok{n}", "at": "2026-03-01T10:00:00+00:00", "editor": "Bob",
            "kind": "decide", "article": f"_news/{n}.md", "state": "skipped",
            "reason": None, "on": []}


def line(data: dict[str, object] | bytes) -> bytes:
    """One line of a log."""
    return data if isinstance(data, bytes) else json.dumps(data).encode()


BAD_LINES = [
    ("not JSON", b"{this is not json", "not JSON"),
    ("a JSON list", b"[1, 2, 3]", "not a JSON object"),
    ("bytes not UTF-8", b'{"v": 1, "id": "\xff\xfe"}', "not JSON"),
    ("escape codes", b"\x1b[31mred\x1b[0m", "not JSON"),
    ("a newer version", good(1) | {"v": 2}, "version 2 is not 1"),
    ("no version", {k: v for k, v in good(1).items() if k != "v"}, "version None is not 1"),
    ("a path as id", good(1) | {"id": "../../etc/passwd"}, "`id` is not an event id"),
    ("an empty id", good(1) | {"id": ""}, "`id` is not an event id"),
    ("a number as id", good(1) | {"id": 7}, "`id` is not an event id"),
    ("an id too long", good(1) | {"id": "a" * 65}, "`id` is not an event id"),
    ("an unknown kind", good(1) | {"kind": "delete"}, "`kind` is not one of"),
    ("a state of our own", good(1) | {"state": "maybe"}, "`state` is not published"),
    ("a state as a number", good(1) | {"state": 1}, "`state` is not published"),
    ("a naive time", good(1) | {"at": "2026-03-01T10:00:00"}, "`at` has no UTC offset"),
    ("a time that is no time", good(1) | {"at": "yesterday"}, "`at`"),
    ("a time as a number", good(1) | {"at": 1700000000}, "`at` is not a time"),
    ("a huge reason", good(1) | {"reason": "x" * 100_000}, "`reason` is not a string of 1"),
    ("a huge editor", good(1) | {"editor": "x" * 5000}, "`editor` is not a string of 1"),
    ("no editor", good(1) | {"editor": None}, "`editor` is not a string"),
    ("no article", good(1) | {"article": None}, "`article` is not a path"),
    ("an article above the top", good(1) | {"article": "_news/../x.md"},
     "is not a plain relative path"),
    ("an absolute article", good(1) | {"article": "/etc/passwd"}, "is not a plain relative path"),
    ("an article with an empty step", good(1) | {"article": "_news//x.md"},
     "is not a plain relative path"),
    ("on as a string", good(1) | {"on": "ok0"}, "`on` is not a list of event ids"),
    ("on as a dict", good(1) | {"on": {"ok0": 1}}, "`on` is not a list of event ids"),
    ("on holding a bad id", good(1) | {"on": ["ok0", "a b"]}, "`on` is not a list of event ids"),
    ("a claim with a naive until", {**good(1), "kind": "claim", "until": "2026-03-02T00:00"},
     "`until` has no UTC offset"),
    ("a claim's articles as a string", {**good(1), "kind": "claim",
                                        "until": "2026-03-02T00:00Z", "articles": "a.md"},
     "`articles` is not a list of paths"),
]


@pytest.mark.parametrize(("bad", "why"), [(b, w) for _, b, w in BAD_LINES],
                         ids=[name for name, _, _ in BAD_LINES])
def test_a_bad_line_is_one_problem_naming_file_and_line_and_the_rest_is_read(
    tmp_path: Path, bad: dict[str, object] | bytes, why: str
) -> None:
    """Between two good lines, a bad one gives exactly one problem (this file, line 2, what
    is wrong) and both good lines are still read."""
    path = tmp_path / "bob.jsonl"
    path.write_bytes(line(good(0)) + b"\n" + line(bad) + b"\n" + line(good(2)) + b"\n")
    events, problems = read_log(path)
    assert [e.id for e in events] == ["ok0", "ok2"]
    assert len(problems) == 1
    assert problems[0].path == str(path)
    assert problems[0].field == "line 2"
    assert why in problems[0].why
    assert "\x1b" not in problems[0].why and len(problems[0].why) < 300


def test_blank_lines_are_no_problem(tmp_path: Path) -> None:
    """Empty and blank lines are passed over silently; line numbers still count them."""
    path = tmp_path / "bob.jsonl"
    path.write_bytes(b"\n  \n" + line(good(0)) + b"\n\n" + b"nope\n")
    events, problems = read_log(path)
    assert [e.id for e in events] == ["ok0"]
    assert problems == [Problem(str(path), "line 5", problems[0].why)]


def test_a_log_that_cannot_be_read_is_one_problem(tmp_path: Path) -> None:
    """A folder where the log should be is one problem, no events, no exception."""
    path = tmp_path / "bob.jsonl"
    path.mkdir()
    events, problems = read_log(path)
    assert events == []
    assert [(p.path, p.field) for p in problems] == [(str(path), "log")]


def test_a_torn_last_line_is_a_problem_of_its_own(tmp_path: Path) -> None:
    """A last line cut short (no newline, not JSON) is reported as cut short."""
    path = tmp_path / "bob.jsonl"
    path.write_bytes(line(good(0)) + b"\n" + line(good(1))[:20])
    events, problems = read_log(path)
    assert [e.id for e in events] == ["ok0"]
    assert [(p.field, p.why) for p in problems] == [("line 2", "the last line is cut short")]


def test_a_whole_last_line_without_its_newline_is_not_read_as_there(tmp_path: Path) -> None:
    """A last line that is whole JSON but lacks its newline (the write was cut just before
    it) is what `append` cuts off: read_log must not count it as in the log, or a sync
    would skip writing that event again and lose it."""
    path = tmp_path / "bob.jsonl"
    path.write_bytes(line(good(0)) + b"\n" + line(good(1)))
    before, _ = read_log(path)
    append(path, [line(good(2)) + b"\n"])
    after, problems = read_log(path)
    assert problems == []
    assert {e.id for e in before} <= {e.id for e in after}


def test_append_cuts_a_torn_tail_first(tmp_path: Path) -> None:
    """Appending after a torn last line drops the torn bytes: the new lines start on a line
    of their own, and every line then reads."""
    path = tmp_path / "bob.jsonl"
    path.write_bytes(line(good(0)) + b"\n" + line(good(1))[:25])
    assert append(path, [line(good(2)) + b"\n", line(good(3)) + b"\n"]) == 2
    events, problems = read_log(path)
    assert [e.id for e in events] == ["ok0", "ok2", "ok3"]
    assert problems == []
    assert path.read_bytes() == b"".join(line(good(n)) + b"\n" for n in (0, 2, 3))


def test_append_cuts_a_torn_tail_longer_than_its_window(tmp_path: Path) -> None:
    """A torn tail with no newline in the last 64 KiB is still cut back to the last whole
    line."""
    path = tmp_path / "bob.jsonl"
    path.write_bytes(line(good(0)) + b"\n" + b"x" * 200_000)
    append(path, [line(good(1)) + b"\n"])
    assert path.read_bytes() == line(good(0)) + b"\n" + line(good(1)) + b"\n"


def test_append_to_a_torn_first_line_and_to_nothing(tmp_path: Path) -> None:
    """A log that is only a torn line is emptied before appending; appending nothing to a
    new log makes an empty one."""
    path = tmp_path / "bob.jsonl"
    path.write_bytes(b'{"v": 1, "id"')
    append(path, [line(good(0)) + b"\n"])
    assert path.read_bytes() == line(good(0)) + b"\n"
    empty = tmp_path / "deep" / "er" / "new.jsonl"
    assert append(empty, []) == 0
    assert empty.read_bytes() == b""


def test_append_refuses_a_symbolic_link(tmp_path: Path) -> None:
    """A log that is a symbolic link is not followed (an OSError, the target untouched)."""
    target = tmp_path / "elsewhere.txt"
    target.write_bytes(b"keep me")
    (tmp_path / "bob.jsonl").symlink_to(target)
    with pytest.raises(OSError):
        append(tmp_path / "bob.jsonl", [line(good(0)) + b"\n"])
    assert target.read_bytes() == b"keep me"


@pytest.mark.parametrize("event", [DECIDE, CLAIM, RELEASE], ids=["decide", "claim", "release"])
def test_the_same_event_is_the_same_bytes_and_reads_back(event: Event) -> None:
    """to_line is a function of the event alone (sorted keys, ASCII, one newline), and
    from_line gives the event back."""
    articles = ("_news/a.md", "_news/b.md") if event.kind == "claim" else ()
    first = to_line(event, event.article, articles)
    copy = Event(*astuple(event))
    assert copy is not event
    assert to_line(copy, copy.article, list(articles)) == first
    assert first.endswith(b"\n") and first.count(b"\n") == 1
    assert first.isascii()
    back = from_line(first.rstrip(b"\n"))
    assert back == (event if event.kind != "claim" else Event(
        event.id, event.at, event.editor, "claim", until=event.until, articles=articles,
        provider=event.provider, topic=event.topic))


def test_unicode_and_controls_survive_a_round_trip_as_ascii() -> None:
    """A reason in any script, with a newline and ESC in it, stays on one ASCII line and
    reads back the same."""
    event = Event("u1", "2026-03-01T10:00:00.000+00:00", "Zoë 山田", "decide", "_news/ü.md",
                  "skipped", "déjà vu\n\x1b[2J日本", ())
    data = to_line(event, event.article)
    assert data.isascii() and data.count(b"\n") == 1
    assert from_line(data) == event


def test_times_are_read_as_utc_to_the_millisecond() -> None:
    """An offset other than UTC, and microseconds, come back as UTC milliseconds: every
    store orders the same events alike."""
    data = good(0) | {"at": "2026-03-01T12:00:00.123456+02:00"}
    assert from_line(line(data)).at == "2026-03-01T10:00:00.123+00:00"


ODD_NAMES = [
    "", " ", ".", "..", "../../etc/passwd", "/", "a/b/c", "a\\b", "~root", "-rf",
    ".hidden", "山田太郎", "Zoë Ångström", "ann@example.com", "A" * 500, "\x00\x1b[2J",
    "con", "a\nb", "ＦＵＬＬ", "..jsonl", "émile@été.fr",
]


@pytest.mark.parametrize("name", ODD_NAMES)
def test_log_name_never_leaves_the_folder(tmp_path: Path, name: str) -> None:
    """Whatever the editor is called, their log is one plain file right in the log folder:
    no slash, no leading dot or dash, ASCII, a sane length, ending in .jsonl."""
    made = log_name(name)
    assert made.endswith(".jsonl") and len(made) <= 100
    assert made.isascii() and "/" not in made and "\\" not in made
    assert not made.startswith((".", "-"))
    assert made.removesuffix(".jsonl")
    assert (tmp_path / made).resolve().parent == tmp_path.resolve()


def test_log_name_is_stable_and_folds_case_and_accents() -> None:
    """The same editor gets the same log on every machine; case and accents fold."""
    assert log_name("Zoë@Example.COM") == log_name("zoe@example.com") == "zoe-at-example.com.jsonl"


def test_editors_whose_names_have_no_latin_letters_get_logs_of_their_own() -> None:
    """Two editors named only in another script must not share one log (both writing it
    would make every sync's rebase fail)."""
    assert log_name("山田") != log_name("佐藤")
    assert log_name("山田") == log_name("山田")

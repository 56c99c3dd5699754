"""How the index stores what it knows, at half the size of the articles (issue "Lighter
and faster"): the story tables by rowid, hashed story URLs, a contentless full-text table
and shared blobs give the answers the old tables gave, and follow every change of a file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reader.data import query
from reader.data.index import blobs, story_tables
from reader.data.index.schema import hash64
from reader.data.library import Library


def article(title: str, url: str, *, excerpt: str = "", provider: str = "", topics: str = "",
            when: str | None = "2021-09-22T10:00:00Z", related: str = "", image: str = "") -> str:
    """An article file's text."""
    lines = ["---", f'title: "{title}"', f'webUrl: "{url}"']
    lines += [f'excerpt: "{excerpt}"'] if excerpt else []
    lines += [f"publishedDateTime: {when}"] if when else []
    lines += [f"provider:\n  name: {provider}\n  domain: example.com"] if provider else []
    lines += [f"topics: [{topics}]"] if topics else []
    lines += [f'related:\n  - title: "Seen there"\n    webUrl: "{related}"'] if related else []
    lines += [f'images:\n  - url: "{image}"'] if image else []
    return "\n".join([*lines, "---", "", "The body."]) + "\n"


OWKIN = article(
    "Owkin raises 80 million for AI drug discovery",
    "https://www.fierce.com/owkin-raises?utm_source=rss", excerpt="Karolinska partnership on "
    "deep learning", provider="FierceBiotech", topics="AI, Biotech",
    related="https://news.example.org/mammograms", image="https://img.example.com/owkin.jpg",
)  # fmt: skip
FILES = {
    "a.md": OWKIN,
    "b.md": OWKIN,  # a copy: the same bytes under another name
    "b2.md": article("Owkin raises 80 million dollars for drug discovery with AI",
                     "https://fierce.com/owkin-raises/", excerpt="Another outlet's words",
                     provider="Endpoints", topics="Biotech"),
    "c.md": article("Mammograms predict breast cancer risk with deep learning",
                    "https://news.example.org/mammograms", excerpt="A model reads mammograms",
                    provider="MIT News", topics="AI, Health", when="2021-09-23T08:00:00Z"),
    "d.md": article("Mammogram AI predicts breast cancer risk", "https://other.example.net/m",
                    excerpt="Hospitals try a model", provider="Wired", topics="Health",
                    when="2021-09-23T09:00:00Z"),
    "e.md": article("Quantum computing startup opens a lab in Delft",
                    "https://quantum.example.com/delft", excerpt="Qubits and cryostats",
                    provider="Tweakers", topics="Quantum", when=None),
    "f.md": "---\ntitle: never closed\n",  # a problem, not an article
}  # fmt: skip
SEARCHES = [
    "owkin", "karolinska", "fiercebiotech", "biotech", "mammogram", "deep learning",
    '"breast cancer"', "cancer -wired", "qubits OR delft", "tweakers", "provider:wired",
    "topic:health", "never", "drug disc",
]


def make(root: Path, files: dict[str, str] = FILES) -> Path:
    """A folder holding these files."""
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (root / name).write_text(text)
    return root


def answers(lib: Library) -> dict[str, Any]:
    """What the index answers about stories, URLs (copies) and searches."""
    rows = query.rows(lib)
    stories = sorted({r.story for r in rows})
    found: dict[str, Any] = {
        "rows": sorted((r.id, r.story, r.story_size) for r in rows),
        "search": {q: sorted(r.id for r in query.rows(lib, query.Filter(search=q)))
                   for q in SEARCHES},
        "largest": story_tables.largest(lib.index.conn, 10),
        "members": {s: [r.id for r in query.story_members(lib, s)] for s in stories},
        "listed": [(listed.article.id, listed.story, listed.story_size, listed.article.excerpt,
                    listed.article.web_url, tuple(r.url for r in listed.article.related))
                   for listed in query.articles(lib, read="list")],
    }  # fmt: skip
    for r in rows:
        why = lib.explain_story(r.id)
        assert why is not None
        found.setdefault("why", {})[r.id] = (why.story, why.size, why.same_url, why.related,
                                             why.shared)  # fmt: skip
    return found


BEFORE: dict[str, Any] = {
    "rows": [("a.md", "a.md", 3), ("b.md", "a.md", 3), ("b2.md", "a.md", 3),
             ("c.md", "c.md", 2), ("d.md", "c.md", 2), ("e.md", "e.md", 1)],
    "search": {
        '"breast cancer"': ["c.md", "d.md"], "biotech": ["a.md", "b.md", "b2.md"],
        "cancer -wired": ["c.md"], "deep learning": ["a.md", "b.md", "c.md"],
        "drug disc": ["a.md", "b.md", "b2.md"], "fiercebiotech": ["a.md", "b.md"],
        "karolinska": ["a.md", "b.md"], "mammogram": ["c.md", "d.md"], "never": [],
        "owkin": ["a.md", "b.md", "b2.md"], "provider:wired": ["d.md"],
        "qubits OR delft": ["e.md"], "topic:health": ["c.md", "d.md"], "tweakers": ["e.md"],
    },
    "largest": [("a.md", 3), ("c.md", 2), ("e.md", 1)],
    "members": {"a.md": ["a.md", "b.md", "b2.md"], "c.md": ["d.md", "c.md"], "e.md": ["e.md"]},
    "listed": [
        ("d.md", "c.md", 2, "Hospitals try a model", "https://other.example.net/m", ()),
        ("c.md", "c.md", 2, "A model reads mammograms", "https://news.example.org/mammograms",
         ()),
        ("a.md", "a.md", 3, "Karolinska partnership on deep learning",
         "https://www.fierce.com/owkin-raises?utm_source=rss",
         ("https://news.example.org/mammograms",)),
        ("b.md", "a.md", 3, "Karolinska partnership on deep learning",
         "https://www.fierce.com/owkin-raises?utm_source=rss",
         ("https://news.example.org/mammograms",)),
        ("b2.md", "a.md", 3, "Another outlet's words", "https://fierce.com/owkin-raises/", ()),
        ("e.md", "e.md", 1, "Qubits and cryostats", "https://quantum.example.com/delft", ()),
    ],
    "why": {
        "a.md": ("a.md", 3, ("b.md", "b2.md"), (), ()),
        "b.md": ("a.md", 3, ("a.md", "b2.md"), (), ()),
        "b2.md": ("a.md", 3, ("a.md", "b.md"), (), ()),
        "c.md": ("c.md", 2, (), (), ("risk", "predict", "mammograms", "cancer", "breast",
                                     "model")),
        "d.md": ("c.md", 2, (), (), ("risk", "predicts", "mammogram", "cancer", "breast",
                                     "model")),
        "e.md": ("e.md", 1, (), (), ()),
    },
}  # fmt: skip
"""`answers` of FILES as the tables of SCHEMA_VERSION 10 gave them (keys for story ids,
URLs as text, the full-text table a copy of its text)."""


@pytest.fixture
def library(tmp_path: Path) -> Iterator[Library]:
    lib = Library(make(tmp_path / "cache"), tmp_path / "db" / "decisions.db")
    lib.refresh()
    yield lib
    lib.close()


def test_the_answers_are_those_of_the_old_tables(library: Library) -> None:
    assert answers(library) == BEFORE


def fts_terms(conn: sqlite3.Connection) -> dict[str, int]:
    """Every term of the full-text index with the number of rows holding it."""
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.terms "
                 "USING fts5vocab(main, articles_fts, row)")
    return dict(conn.execute("SELECT term, doc FROM temp.terms"))


def test_an_index_kept_up_to_date_answers_as_one_made_anew(library: Library,
                                                          tmp_path: Path) -> None:
    """Edits, a removed story name, a rename and new copies: the index that followed them
    answers, word for word, as one made from the folder as it is now."""
    root = library.root
    (root / "a.md").write_text(OWKIN.replace("Karolinska", "Uppsala").replace("Owkin", "Aqemia"))
    (root / "c.md").unlink()  # it named its story
    (root / "e.md").rename(root / "e2.md")
    (root / "g.md").write_text(FILES["d.md"].replace("Wired", "Ars"))
    (root / "b2.md").write_text(FILES["b2.md"].replace("Endpoints", "STAT"))
    library.refresh()
    fresh = Library(root, tmp_path / "db2" / "decisions.db")
    try:
        fresh.refresh()
        assert answers(library) == answers(fresh)
        terms = fts_terms(library.index.conn)
        assert terms == fts_terms(fresh.index.conn)
        assert "endpoints" not in terms and "stat" in terms
        assert search(library, "karolinska") == ["b.md"]  # a copy that was not edited
        assert search(library, "uppsala") == search(library, "aqemia") == ["a.md"]
    finally:
        fresh.close()


def search(lib: Library, text: str) -> list[str]:
    return [r.id for r in query.rows(lib, query.Filter(search=text))]


def test_an_edited_file_is_read_again_and_its_old_words_no_longer_match(
        library: Library) -> None:
    """Each of the four columns the full-text table indexes: its old words go, whatever
    the column (the table keeps no copy of them: they are deleted with the old values)."""
    conn = library.index.conn
    (rowid,) = conn.execute("SELECT rowid FROM articles WHERE key = 'd.md'").fetchone()
    new = article("Radiologists test a screening model", "https://other.example.net/m",
                  excerpt="Clinics adopt triage software", provider="Nature",
                  topics="Radiology")  # fmt: skip
    (library.root / "d.md").write_text(new)
    assert library.refresh().changed == ["d.md"]
    for old in ("mammogram", "hospitals", "wired", "health"):
        assert "d.md" not in search(library, old), old
    for word in ("radiologists", "clinics", "nature", "radiology"):
        assert search(library, word) == ["d.md"], word
    assert conn.execute("SELECT rowid FROM articles WHERE key = 'd.md'").fetchone() == (rowid,)
    assert library.index.known("d.md").excerpt == "Clinics adopt triage software"


def rows_naming(conn: sqlite3.Connection, rowid: int) -> dict[str, int]:
    """How many rows of each story table name this article's rowid."""
    return {
        "stories": conn.execute("SELECT count(*) FROM stories WHERE rowid = ?", (rowid,)
                                ).fetchone()[0],
        "story_urls": conn.execute("SELECT count(*) FROM story_urls WHERE article = ?",
                                   (rowid,)).fetchone()[0],
    }  # fmt: skip


def blob_names(conn: sqlite3.Connection) -> tuple[dict[int, int], dict[int, int]]:
    """Each blob's `refs`, and how many article columns name it."""
    refs = dict(conn.execute("SELECT rowid, refs FROM blobs"))
    names: dict[int, int] = {}
    for pair in conn.execute("SELECT links, extras FROM articles"):
        for blob in pair:
            if blob is not None:
                names[blob] = names.get(blob, 0) + 1
    return refs, names


def test_a_removed_file_leaves_no_rows(library: Library) -> None:
    conn = library.index.conn
    rowids = dict(conn.execute("SELECT key, rowid FROM articles"))
    (a_links,) = conn.execute("SELECT links FROM articles WHERE key = 'a.md'").fetchone()
    assert rows_naming(conn, rowids["e.md"]) == {"stories": 1, "story_urls": 1}
    (library.root / "e.md").unlink()
    (library.root / "a.md").unlink()  # b.md is its copy: their blobs stay, named by b.md
    library.refresh()
    for key in ("e.md", "a.md"):
        assert rows_naming(conn, rowids[key]) == {"stories": 0, "story_urls": 0}
    terms = fts_terms(conn)
    assert not {"qubits", "delft", "tweakers", "quantum"} & terms.keys()
    assert terms["karolinska"] == 1 and search(library, "karolinska") == ["b.md"]
    refs, names = blob_names(conn)
    assert refs == names and a_links in refs
    (library.root / "b.md").unlink()
    library.refresh()
    refs, names = blob_names(conn)
    assert refs == names and a_links not in refs
    assert "karolinska" not in fts_terms(conn)


def test_copies_share_their_blobs(library: Library) -> None:
    conn = library.index.conn
    pairs = dict(conn.execute("SELECT key, links || ' ' || extras FROM articles"))
    assert pairs["a.md"] == pairs["b.md"] != pairs["b2.md"]
    refs, names = blob_names(conn)
    assert refs == names and refs[int(pairs["a.md"].split()[0])] == 2


def test_blobs_that_share_a_hash_stay_apart(tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """A blob is found again by its hash, then its bytes are compared: blobs whose hashes
    collide (here every one) are kept apart, and the answers are as before."""
    monkeypatch.setattr(blobs, "hash64", lambda data: 7)
    lib = Library(make(tmp_path / "cache"), tmp_path / "db" / "decisions.db")
    try:
        lib.refresh()
        conn = lib.index.conn
        assert {h for (h,) in conn.execute("SELECT hash FROM blobs")} == {7}
        distinct = conn.execute("SELECT count(DISTINCT data), count(*) FROM blobs").fetchone()
        # The links of the five articles that differ, and the extras of a.md and b.md.
        assert distinct[0] == distinct[1] == 6
        assert answers(lib) == BEFORE
        (lib.root / "b.md").unlink()
        lib.refresh()
        refs, names = blob_names(conn)
        assert refs == names
    finally:
        lib.close()


def test_url_hashes_are_fixed_and_64_bit() -> None:
    """Stored hashes are looked up by later runs, in other processes (no salted `hash`):
    `url_hash` and `label` may change only with SCHEMA_VERSION. Two URLs sharing a hash
    are left to chance (see `url_hash`): 64 bits make it too rare to matter."""
    assert story_tables.url_hash("fierce.com/owkin-raises") == hash64(b"fierce.com/owkin-raises")
    assert hash64(b"fierce.com/owkin-raises") == HASH_OF_OWKIN
    assert story_tables.label("a.md") == hash64(b"a.md") != story_tables.label("\x00a.md")
    urls = [f"example.com/{n}" for n in range(20_000)]
    hashes = {story_tables.url_hash(u) for u in urls}
    assert len(hashes) == len(urls)
    assert all(-(1 << 63) <= h < 1 << 63 for h in hashes)
    assert min(hashes) < -(1 << 60) and max(hashes) > 1 << 60  # all 64 bits are used


HASH_OF_OWKIN = 6573468814927575289
"""hash64(b"fierce.com/owkin-raises"), as stored by SCHEMA_VERSION 11."""


def test_copies_are_found_by_their_hashed_url(library: Library) -> None:
    """A new copy of an article finds its story by URL alone, with no re-cluster."""
    (library.root / "h.md").write_text(article("A headline that shares no word",
                                               "https://fierce.com/owkin-raises",
                                               when="2024-01-01T00:00:00Z"))  # fmt: skip
    library.refresh()
    rows = {r.id: (r.story, r.story_size) for r in query.rows(library)}
    assert rows["h.md"] == rows["a.md"] == ("a.md", 4)
    why = library.explain_story("h.md")
    assert why is not None and why.same_url == ("a.md", "b.md", "b2.md")


def test_an_article_keeps_its_rowid_and_a_rowid_is_never_given_again(library: Library) -> None:
    conn = library.index.conn
    rowids = dict(conn.execute("SELECT key, rowid FROM articles"))
    last = max(rowids.values())
    assert rowids[max(rowids, key=rowids.__getitem__)] == last
    newest = max(rowids, key=rowids.__getitem__)
    (library.root / newest).unlink()
    (library.root / "c.md").write_text(FILES["c.md"].replace("model", "network"))
    (library.root / "z.md").write_text(FILES["e.md"].replace("Delft", "Leiden"))
    library.refresh()
    now = dict(conn.execute("SELECT key, rowid FROM articles"))
    assert now["c.md"] == rowids["c.md"]
    assert now["z.md"] > last

"""The headless commands, in-process and as a real subprocess."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.cli.main import run
from reader.config import Settings
from reader.data.library import Library

PRESS = "003_d5ead589fc54e32c.txt"
FIERCE = "000_603f865bca10b7c4.txt"
MEDICAL = "001_38bcfbeb79dc117a.txt"


def cli(*argv: str, settings: Settings | None = None) -> tuple[int, str]:
    """Run one command in-process; returns (exit status, stdout)."""
    out = io.StringIO()
    code = run(list(argv), settings or Settings(), out)
    return code, out.getvalue()


def listing(root: Path, db: Path, *extra: str) -> list[dict]:
    code, text = cli("list", str(root), "--db", str(db), "--format", "json", *extra)
    assert code == 0
    return json.loads(text)


def test_list_json_shows_the_five_seeds(seeds_dir: Path, tmp_path: Path) -> None:
    found = {a["id"]: a for a in listing(seeds_dir, tmp_path / "d.db")}
    assert len(found) == 5
    press = found[PRESS]
    assert press["title"] == (
        "The FFCD and Owkin Join Forces to Apply Machine Learning to Digestive Oncology"
    )
    assert press["published_at"].startswith("2020-03-05")
    assert "that’s" in found[FIERCE]["excerpt"] and "â€" not in found[FIERCE]["excerpt"]
    assert found[MEDICAL]["state"] == "published"
    assert found[MEDICAL]["file_published"] is True
    for key in (
        "id",
        "title",
        "excerpt",
        "published_at",
        "provider",
        "domain",
        "url",
        "topics",
        "quality",
        "heat",
        "type",
        "state",
        "file_published",
        "related",
        "problems",
    ):
        assert key in found[FIERCE]
    assert found[FIERCE]["related"][0]["provider"] == "News Medical"


def test_default_path_is_the_bundled_seeds(tmp_path: Path) -> None:
    code, text = cli("list", "--db", str(tmp_path / "d.db"), "--format", "json")
    assert code == 0 and len(json.loads(text)) == 5


def test_decide_undo_redo_and_export(seeds_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    assert (
        cli("decide", str(seeds_dir), FIERCE, PRESS, "skip", "--reason", "dup", "--db", db)[0] == 0
    )
    states = {a["id"]: (a["state"], a["reason"]) for a in listing(seeds_dir, Path(db))}
    assert states[FIERCE] == ("skipped", "dup") and states[PRESS] == ("skipped", "dup")
    assert cli("undo", str(seeds_dir), "--db", db)[0] == 0
    states = {a["id"]: a["state"] for a in listing(seeds_dir, Path(db))}
    assert states[FIERCE] == states[PRESS] == "undecided"
    assert cli("redo", str(seeds_dir), "--db", db)[0] == 0
    assert [a["id"] for a in listing(seeds_dir, Path(db), "--state", "skipped")] == [FIERCE, PRESS]
    _, text = cli("export", str(seeds_dir), "--db", db, "--format", "json")
    kinds = [(e["kind"], e["new_state"], e["ref"]) for e in json.loads(text)]
    assert kinds == (  # the undo and the redo name the step they act on: batch 1
        [("decide", "skipped", None)] * 2 + [("undo", "undecided", 1)] * 2
        + [("redo", "skipped", 1)] * 2)
    _, text = cli("export", str(seeds_dir), "--db", db, "--format", "csv")
    assert text.splitlines()[0] == (
        "seq,batch,kind,at,id,old_state,new_state,reason,old_line,new_line,ref,commit")
    assert [r["ref"] for r in csv.DictReader(io.StringIO(text))] == ["", "", "1", "1", "1", "1"]


def test_decide_is_idempotent(seeds_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    cli("decide", str(seeds_dir), FIERCE, "publish", "--db", db)
    code, text = cli("decide", str(seeds_dir), FIERCE, "publish", "--db", db)
    assert code == 0 and "no change" in text
    assert cli("undo", str(seeds_dir), "--db", db)[0] == 0
    assert cli("undo", str(seeds_dir), "--db", db) == (1, "nothing to undo\n")


def test_unknown_id_is_one_line_error(seeds_dir: Path, tmp_path: Path, capsys) -> None:
    code, _ = cli("decide", str(seeds_dir), "nope.md", "publish", "--db", str(tmp_path / "d.db"))
    assert code == 2
    assert capsys.readouterr().err == "newsreader: error: unknown article id: nope.md\n"


def test_check_exit_status(seeds_dir: Path, tmp_path: Path) -> None:
    assert cli("check", str(seeds_dir), "--db", str(tmp_path / "a.db")) == (0, "")
    (seeds_dir / "broken.md").write_text("---\ntitle: [unclosed\n---\n")
    code, text = cli("check", str(seeds_dir), "--db", str(tmp_path / "a.db"))
    assert code == 1
    assert text.startswith("broken.md: file: invalid YAML")


def test_odd_file_names_escaped_in_table_faithful_in_json(seeds_dir: Path, tmp_path: Path) -> None:
    name = "\x1b[31mred\x1b[0m.md"
    (seeds_dir / name).write_bytes((seeds_dir / FIERCE).read_bytes())
    db = tmp_path / "d.db"
    assert name in {a["id"] for a in listing(seeds_dir, db)}
    _, table = cli("list", str(seeds_dir), "--db", str(db))
    assert "\x1b" not in table and "[\\x1b[31mred\\x1b[0m.md]" in table


def test_show_text_and_json(seeds_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    code, text = cli("show", str(seeds_dir), PRESS, "--db", db)
    assert code == 0 and "topics:    Partnership, ML" in text and "Paris, March 5, 2020" in text
    code, text = cli("show", str(seeds_dir), MEDICAL, "--db", db, "--format", "json")
    assert json.loads(text)["state"] == "published"


def test_configured_cache_is_the_default(seeds_dir: Path, tmp_path: Path) -> None:
    (seeds_dir / PRESS).unlink()
    settings = Settings(cache=seeds_dir, db=tmp_path / "d.db")
    code, text = cli("list", "--format", "json", settings=settings)
    assert code == 0 and len(json.loads(text)) == 4


def _newsreader(*argv: str, env_home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "XDG_DATA_HOME": str(env_home / "data"),
        "XDG_CONFIG_HOME": str(env_home / "config"),
    }
    return subprocess.run(
        [sys.executable, "-m", "reader", *argv],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )


@pytest.mark.parametrize(
    "argv, message",
    [
        (["list", "/no/such/folder"], "newsreader: error: /no/such/folder: does not exist\n"),
        (["show", "missing.md"], "newsreader: error: unknown article id: missing.md\n"),
        (
            ["decide", "000_603f865bca10b7c4.txt", "frobnicate"],
            "newsreader: error: the last word must be publish, skip or clear, not "
            "frobnicate; see newsreader decide --help\n",
        ),
    ],
    ids=["missing-folder", "unknown-id", "bad-action"],
)
def test_errors_never_show_a_traceback(argv: list[str], message: str, tmp_path: Path) -> None:
    done = _newsreader(*argv, env_home=tmp_path)
    assert done.returncode == 2
    assert done.stderr == message


def test_version_and_help(tmp_path: Path) -> None:
    done = _newsreader("--version", env_home=tmp_path)
    assert done.returncode == 0 and done.stdout.startswith("newsreader ")
    done = _newsreader("--help", env_home=tmp_path)
    assert done.returncode == 0 and "check, list, show, decide" in done.stdout


def test_locked_store_is_a_clear_error(seeds_dir: Path, tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "d.db"
    assert cli("list", str(seeds_dir), "--db", str(db))[0] == 0
    holder = sqlite3.connect(db)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        # The store waits 10 s for the lock before it gives up with a message.
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "reader",
                "decide",
                str(seeds_dir),
                FIERCE,
                "publish",
                "--db",
                str(db),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        holder.rollback()
        holder.close()
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and "database" in done.stderr


def test_stories_and_list_carry_the_story(seeds_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    code, text = cli("stories", str(seeds_dir), "--db", db, "--format", "json")
    assert code == 0
    stories = json.loads(text)
    assert [(s["story"], s["size"]) for s in stories] == [(FIERCE, 2)]
    assert {m["id"] for m in stories[0]["members"]} == {FIERCE, MEDICAL}
    found = {a["id"]: (a["story"], a["story_size"]) for a in listing(seeds_dir, Path(db))}
    assert found[MEDICAL] == (FIERCE, 2) and found[PRESS] == (PRESS, 1)
    code, text = cli("stories", str(seeds_dir), "--db", db, "--all")
    assert code == 0 and len([line for line in text.splitlines() if line[:4].strip()]) == 4


def test_stories_explain_says_why_and_refuses_an_unknown_id(
    seeds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "d.db")
    code, text = cli("stories", str(seeds_dir), "--db", db, "--explain", MEDICAL, "--format",
                     "json")  # fmt: skip
    assert code == 0
    why = json.loads(text)
    assert (why["story"], why["size"], why["edited"]) == (FIERCE, 2, None)
    assert why["related"] == [FIERCE] and "relapse" in why["shared_words"]
    code, text = cli("stories", str(seeds_dir), "--db", db, "--explain", MEDICAL)
    assert code == 0 and text.startswith(f"{MEDICAL}: in story [{FIERCE}] of 2 articles")
    assert "shared words:" in text
    code, text = cli("stories", str(seeds_dir), "--db", db, "--explain", "nope.md")
    assert code == 2 and text == ""
    assert "unknown article id: nope.md" in capsys.readouterr().err


def test_stats_counts_skip_reasons_per_provider(seeds_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    cli("decide", str(seeds_dir), FIERCE, "skip", "--reason", f"duplicate of {MEDICAL}", "--db", db)
    cli("decide", str(seeds_dir), PRESS, "skip", "--reason", "off-topic", "--db", db)
    code, text = cli("stats", str(seeds_dir), "--db", db, "--format", "json")
    assert code == 0
    data = json.loads(text)
    assert data["states"] == {"undecided": 2, "published": 1, "skipped": 2}
    assert data["skip_reasons"] == [
        {"provider": "", "reason": "off-topic", "count": 1},
        {"provider": "FierceBiotech", "reason": "duplicate", "count": 1},
    ]
    code, text = cli("stats", str(seeds_dir), "--db", db)
    assert "duplicate" in text and "FierceBiotech" in text


def test_undo_and_redo_say_a_story_step_and_export_lists_only_decisions(
    seeds_dir: Path, tmp_path: Path
) -> None:
    db = tmp_path / "d.db"
    cli("decide", str(seeds_dir), PRESS, "skip", "--db", str(db))
    library = Library(seeds_dir, db)
    try:
        library.refresh()
        library.split_story([MEDICAL])
    finally:
        library.close()
    found = {a["id"]: (a["story"], a["story_size"]) for a in listing(seeds_dir, db)}
    assert found[MEDICAL] == (MEDICAL, 1) and found[FIERCE] == (FIERCE, 1)
    assert cli("undo", str(seeds_dir), "--db", str(db)) == (
        0, f"undo: split of {MEDICAL} out of its story\n")
    found = {a["id"]: (a["story"], a["story_size"]) for a in listing(seeds_dir, db)}
    assert found[MEDICAL] == found[FIERCE] == (FIERCE, 2)
    assert cli("redo", str(seeds_dir), "--db", str(db)) == (
        0, f"redo: split of {MEDICAL} out of its story\n")
    _, text = cli("export", str(seeds_dir), "--db", str(db), "--format", "json")
    assert [(e["kind"], e["id"]) for e in json.loads(text)] == [("decide", PRESS)]
    assert cli("undo", str(seeds_dir), "--db", str(db)) == (
        0, f"undo: split of {MEDICAL} out of its story\n")
    assert cli("undo", str(seeds_dir), "--db", str(db)) == (
        0, f"undo: {PRESS} is now undecided\n")


def test_list_csv_has_the_reason_column(seeds_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    cli("decide", str(seeds_dir), FIERCE, "skip", "--reason", "off-topic", "--db", db)
    code, text = cli("list", str(seeds_dir), "--db", db, "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["id"]: r["reason"] for r in rows} == {
        FIERCE: "off-topic", MEDICAL: "", PRESS: "", "002_0e358d6dd0710788.txt": "",
        "004_82dd85211220d7b2.txt": "",
    }


def test_counts_read_as_words(seeds_dir: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "d.db")
    assert cli("decide", str(seeds_dir), FIERCE, "publish", "--db", db) == (
        0, "published: 1 article, step 1\n")
    assert cli("decide", str(seeds_dir), PRESS, MEDICAL, "skip", "--db", db) == (
        0, "skipped: 2 articles, step 2\n")
    code, text = cli("stories", str(seeds_dir), "--db", db, "--explain", PRESS)
    assert code == 0 and text.startswith(f"{PRESS}: in story [{PRESS}] of 1 article\n")
    only = seeds_dir / "only"
    only.mkdir()
    (seeds_dir / FIERCE).rename(only / FIERCE)
    code, text = cli("stats", str(only), "--db", str(tmp_path / "e.db"))
    assert code == 0 and text.startswith("1 article: ")

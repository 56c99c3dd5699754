"""The desk's commands through `reader.cli.main.run`: sync's exit statuses (0 synced, 1 the
remote not reached, 2 an error in one line), conflicts as text and JSON, the desk's fields
of `list --format json`, claim and release."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path

import pytest

from reader.cli.main import run
from reader.config import Settings
from tests.data.desk.gitdesk import NEWS, REPO, Clone, clone, git, isolate_git, make_remote

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
FIERCE = "000_603f865bca10b7c4.txt"
MEDICAL = "001_38bcfbeb79dc117a.txt"
ANN, BOB = "Ann <ann@example.com>", "Bob <bob@example.com>"


@pytest.fixture(autouse=True)
def _no_global_git(monkeypatch: pytest.MonkeyPatch) -> None:
    isolate_git(monkeypatch)


def cli(*argv: str, settings: Settings | None = None) -> tuple[int, str, str]:
    """Run one command in-process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err):
        code = run(list(argv), settings or Settings(), out)
    return code, out.getvalue(), err.getvalue()


def on(where: Clone, command: str, *args: str) -> tuple[int, str, str]:
    """Run `command` on a clone's articles with its own store."""
    return cli(command, str(where.root), *args, "--db", str(where.db))


@pytest.fixture
def pair(tmp_path: Path) -> tuple[Clone, Clone]:
    """Ann's and Bob's clones of one remote."""
    remote = make_remote(tmp_path)
    return clone(remote, tmp_path, "ann"), clone(remote, tmp_path, "bob")


def test_sync_exits_0_and_says_what_it_did(pair: tuple[Clone, Clone]) -> None:
    """A decision shared and pushed: exit 0, nothing on stderr, and the other clone's sync
    reports the event it took and the article it changed."""
    ann, bob = pair
    assert on(ann, "decide", FIERCE, "publish")[0] == 0
    code, out, err = on(ann, "sync")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert lines[0].startswith(f"sync: 1 decision of {ANN} written to "
                               ".newsreader/decisions/ann-at-example.com.jsonl, committed (")
    assert len(lines) == 3  # the middle line says the remote was synced with
    assert lines[2] == "sync: 0 new events from the desk, 0 articles changed state, 0 conflicts"
    code, out, err = on(bob, "sync")
    assert (code, err) == (0, "")
    assert out.splitlines()[-1] == ("sync: 1 new event from the desk, 1 article changed "
                                    "state, 0 conflicts")


def test_sync_exits_1_when_the_remote_cannot_be_reached(pair: tuple[Clone, Clone],
                                                        tmp_path: Path) -> None:
    """The remote's URL points to nothing: exit 1, one line on stderr saying so, the
    decision kept; with the URL fixed the next sync exits 0 and shares it."""
    ann, bob = pair
    ann.git("remote", "set-url", "origin", str(tmp_path / "missing.git"))
    on(ann, "decide", FIERCE, "skip", "--reason", "paywall")
    code, out, err = on(ann, "sync")
    assert code == 1
    assert err.count("\n") == 1
    assert err.startswith("newsreader: not synced with the remote: cannot reach origin")
    assert "committed" in out
    assert json.loads(on(ann, "show", FIERCE, "--format", "json")[1])["state"] == "skipped"
    ann.git("remote", "set-url", "origin", str(tmp_path / "remote.git"))
    assert on(ann, "sync")[0] == 0
    assert on(bob, "sync")[0] == 0
    shown = json.loads(on(bob, "show", FIERCE, "--format", "json")[1])
    assert (shown["state"], shown["reason"]) == ("skipped", "paywall")


def test_sync_exits_1_with_no_remote(tmp_path: Path) -> None:
    """A repository with no remote: exit 1, and stderr says how to add one."""
    top = tmp_path / "site"
    shutil.copytree(REPO / "seeds", top / NEWS)
    git(top, "init", "-q", "-b", "main")
    git(top, "config", "user.name", "Solo")
    git(top, "config", "user.email", "solo@example.com")
    git(top, "add", ".")
    git(top, "commit", "-q", "-m", "articles")
    code, _, err = cli("sync", str(top / NEWS), "--db", str(tmp_path / "d.db"))
    assert code == 1
    assert "has no remote" in err and "git remote add origin URL" in err


def test_sync_outside_a_work_tree_is_one_line_and_exit_2(seeds_dir: Path,
                                                        tmp_path: Path) -> None:
    """Not a git work tree: exit 2, exactly one line on stderr, nothing on stdout."""
    code, out, err = cli("sync", str(seeds_dir), "--db", str(tmp_path / "d.db"))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("newsreader: error: ")
    assert "not inside a git work tree" in err
    assert "no decision was lost" in err


def test_sync_with_no_editor_name_is_one_line_and_exit_2(tmp_path: Path) -> None:
    """No `editor:` in the config and no git identity: exit 2, one line saying how to set
    one."""
    remote = make_remote(tmp_path)
    top = tmp_path / "anon"
    git(tmp_path, "clone", "-q", str(remote), str(top))
    code, _, err = cli("sync", str(top / NEWS), "--db", str(tmp_path / "d.db"))
    assert code == 2 and err.count("\n") == 1
    assert "no editor name" in err and "editor: Your Name" in err


def test_the_configs_editor_names_the_log(pair: tuple[Clone, Clone]) -> None:
    """`editor:` in the config wins over git's name, and names the log file."""
    ann, _ = pair
    on(ann, "decide", FIERCE, "publish")
    code, out, _ = cli("sync", str(ann.root), "--db", str(ann.db),
                       settings=Settings(editor="Desk Editor"))
    assert code == 0
    assert ".newsreader/decisions/desk-editor.jsonl" in out
    assert (ann.top / ".newsreader" / "decisions" / "desk-editor.jsonl").exists()


def test_a_log_that_is_a_symbolic_link_is_one_line_and_exit_2(pair: tuple[Clone, Clone],
                                                              tmp_path: Path) -> None:
    """My log replaced by a link to another file: sync refuses in one line (exit 2), the
    link's target untouched, the decision still to share."""
    ann, _ = pair
    target = tmp_path / "precious.txt"
    target.write_bytes(b"keep\n")
    log = ann.top / ".newsreader" / "decisions" / "ann-at-example.com.jsonl"
    log.parent.mkdir(parents=True)
    log.symlink_to(target)
    on(ann, "decide", FIERCE, "publish")
    code, _, err = on(ann, "sync")
    assert code == 2 and err.count("\n") == 1 and err.startswith("newsreader: error: ")
    assert target.read_bytes() == b"keep\n"
    log.unlink()
    assert on(ann, "sync")[0] == 0


def conflicted(pair: tuple[Clone, Clone]) -> None:
    """Ann publishes FIERCE, Bob skips it (with a reason) apart; everyone synced."""
    ann, bob = pair
    on(ann, "decide", FIERCE, "publish")
    on(bob, "decide", FIERCE, "skip", "--reason", "paywall\x1b[2J")
    for who in (ann, bob, ann):
        assert on(who, "sync")[0] == 0


def test_conflicts_as_text(pair: tuple[Clone, Clone]) -> None:
    """One line per conflict naming each editor's side (escape codes removed), a count on
    stderr, exit 1; after a resolution, exit 0 and `0 conflicts`."""
    conflicted(pair)
    ann, bob = pair
    code, out, err = on(ann, "conflicts")
    assert code == 1
    (line,) = out.splitlines()
    assert line.startswith(f"{FIERCE}: ")
    assert f"{ANN}: published" in line and f"{BOB}: skipped (paywall" in line
    assert "\x1b" not in out
    assert err.startswith("1 conflict; decide each again to resolve it")
    assert on(bob, "decide", FIERCE, "publish")[0] == 0
    assert on(bob, "sync")[0] == 0
    assert on(ann, "sync")[0] == 0
    assert on(ann, "conflicts") == (0, "", "0 conflicts\n")


def test_conflicts_as_json(pair: tuple[Clone, Clone]) -> None:
    """JSON: each conflict's id, its standing state, and its sides (editor, state, reason,
    at, event), latest first."""
    conflicted(pair)
    code, out, _ = on(pair[1], "conflicts", "--format", "json")
    assert code == 1
    (item,) = json.loads(out)
    assert item["id"] == FIERCE
    assert item["state"] in ("published", "skipped")
    assert {(s["editor"], s["state"]) for s in item["sides"]} == {(ANN, "published"),
                                                                  (BOB, "skipped")}
    assert all(set(s) == {"editor", "state", "reason", "at", "event"} for s in item["sides"])
    assert item["sides"][0]["at"] >= item["sides"][1]["at"]
    assert item["state"] == item["sides"][0]["state"]


def listed(where: Clone) -> dict[str, dict[str, object]]:
    """`list --format json` by id."""
    code, out, _ = on(where, "list", "--format", "json")
    assert code == 0
    return {item["id"]: item for item in json.loads(out)}


def test_list_json_has_the_desks_fields(pair: tuple[Clone, Clone]) -> None:
    """decided_by (`you` before sharing, then the editor), decided_at, conflict and
    claimed_by, on every article."""
    ann, bob = pair
    on(ann, "decide", MEDICAL, "skip")
    mine = listed(ann)[MEDICAL]
    assert mine["decided_by"] == "you" and mine["decided_at"]
    conflicted(pair)
    items = listed(bob)
    assert all({"decided_by", "decided_at", "conflict", "claimed_by"} <= set(i)
               for i in items.values())
    assert items[MEDICAL]["decided_by"] == ANN and items[MEDICAL]["conflict"] is False
    assert items[FIERCE]["conflict"] is True
    untouched = items["003_d5ead589fc54e32c.txt"]
    assert (untouched["decided_by"], untouched["decided_at"], untouched["claimed_by"]) == (
        None, None, None)


def test_claim_next_travels_and_release_ends_it(pair: tuple[Clone, Clone]) -> None:
    """Ann claims the next two undecided: they are printed, listed as hers (`you` at home,
    her name at Bob's after syncs), and Bob's own claim passes them by; her release ends
    it at Bob's after the next syncs."""
    ann, bob = pair
    code, out, err = on(ann, "claim", "--next", "2")
    assert code == 0 and "claim: 2 articles until" in err
    claimed = out.splitlines()
    assert len(claimed) == 2
    assert all(listed(ann)[i]["claimed_by"] == "you" for i in claimed)
    on(ann, "sync")
    on(bob, "sync")
    assert all(listed(bob)[i]["claimed_by"] == ANN for i in claimed)
    code, text, _ = on(bob, "claim", "--list")
    assert code == 0 and text.startswith(f"{ANN}: 2 articles until")
    code, out, _ = on(bob, "claim", "--next", "2")
    assert code == 0 and not set(out.splitlines()) & set(claimed)
    items = json.loads(on(bob, "claim", "--list", "--format", "json")[1])
    assert sorted(len(c["articles"]) for c in items) == [2, 2]
    assert on(ann, "release")[0] == 0
    assert on(ann, "release")[0] == 1  # nothing left to end
    on(ann, "sync")
    on(bob, "sync")
    assert all(listed(bob)[i]["claimed_by"] is None for i in claimed)


def test_claim_next_twice_claims_different_articles(pair: tuple[Clone, Clone]) -> None:
    """My second `claim --next 2` gives the next two, not the two I hold already."""
    ann, _ = pair
    first = on(ann, "claim", "--next", "2")[1].splitlines()
    second = on(ann, "claim", "--next", "2")[1].splitlines()
    assert len(second) == 2 and not set(first) & set(second)


@pytest.mark.parametrize(("args", "why"), [
    (("--next", "0"), "--next must be at least 1"),
    (("--hours", "0"), "--hours must be more than 0"),
    (("--hours", "1000"), "at most a week"),
    (("--hours", "nan"), "--hours must be more than 0"),
])
def test_claim_refuses_bad_numbers_in_one_line(pair: tuple[Clone, Clone],
                                               args: tuple[str, ...], why: str) -> None:
    """Bad counts and spans: exit 2, one line naming the option."""
    code, _, err = on(pair[0], "claim", *args)
    assert code == 2 and err.count("\n") == 1 and why in err


def test_claim_a_provider(pair: tuple[Clone, Clone]) -> None:
    """A provider's claim covers its articles at the other editor's after syncs."""
    ann, bob = pair
    code, out, _ = on(ann, "claim", "--provider", "FierceBiotech", "--hours", "2")
    assert code == 0 and out.startswith("claim: FierceBiotech until ")
    on(ann, "sync")
    on(bob, "sync")
    assert listed(bob)[FIERCE]["claimed_by"] == ANN

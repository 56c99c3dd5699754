"""The CLI under a site's rules: `list` (live, live_because, --live-undecided), `show`'s rule,
and `check`'s site line, live articles nobody decided and a config Jekyll stops on."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from reader.cli.main import run
from reader.config import Settings
from tests.data.site.test_site_wiring import CONFIG, make_site


def cli(*argv: str | Path, settings: Settings | None = None) -> tuple[int, str]:
    """Run one command in-process; returns (exit status, stdout)."""
    out = io.StringIO()
    code = run([str(a) for a in argv], settings or Settings(), out)
    return code, out.getvalue()


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A site's `_news` folder (a published: false default over it)."""
    return make_site(tmp_path / "site")


def test_list_json_says_whether_live_and_why(folder: Path, tmp_path: Path) -> None:
    code, text = cli("list", folder, "--db", tmp_path / "d.db", "--format", "json")
    found = {a["id"]: a for a in json.loads(text)}
    assert code == 0
    assert found["nokey.md"]["live"] is False
    assert 'published: false from defaults[0] (path "_news")' in found["nokey.md"]["live_because"]
    assert found["true.md"]["live"] is True
    assert found["true.md"]["live_because"] == "published: true in the file: live"


def test_list_csv_ends_with_live_and_why(folder: Path, tmp_path: Path) -> None:
    _, text = cli("list", folder, "--db", tmp_path / "d.db", "--format", "csv")
    header, *rows = list(csv.reader(io.StringIO(text)))
    assert header[-3:] == ["reason", "live", "live_because"]
    by_id = {row[0]: row for row in rows}
    assert by_id["true.md"][-2:] == ["True", "published: true in the file: live"]
    assert by_id["future.md"][-2] == "False"


def test_list_table_shows_what_is_live(folder: Path, tmp_path: Path) -> None:
    _, text = cli("list", folder, "--db", tmp_path / "d.db")
    lines = {line.rsplit("[", 1)[1].rstrip("]"): line for line in text.splitlines()}
    assert lines["true.md"].startswith("✓ live ")
    assert lines["nokey.md"].startswith("·      ")


def test_list_live_undecided(folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "d.db"
    _, text = cli("list", folder, "--db", db, "--format", "json", "--live-undecided")
    assert [a["id"] for a in json.loads(text)] == ["true.md"]
    assert cli("decide", folder, "true.md", "skip", "--db", db)[0] == 0
    _, text = cli("list", folder, "--db", db, "--format", "json", "--live-undecided")
    assert json.loads(text) == []


def test_show_prints_the_rule(folder: Path, tmp_path: Path) -> None:
    _, text = cli("show", folder, "future.md", "--db", tmp_path / "d.db")
    assert "  on site:   not live: date: 2099-01-01 is in the future" in text
    _, text = cli("show", folder, "future.md", "--db", tmp_path / "d.db", "--format", "json")
    assert json.loads(text)["live"] is False


def test_check_names_the_site_and_what_is_live_undecided(
    folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, text = cli("check", folder, "--db", tmp_path / "d.db")
    err = capsys.readouterr().err
    assert (code, text) == (0, "")
    assert f"newsreader: site: {folder.parent / '_config.yml'}\n" in err
    assert "newsreader: live without a decision: 1\n" in err
    assert "newsreader:   true.md: published: true in the file: live\n" in err


def test_check_without_a_site_says_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_site(tmp_path / "bare", config="")
    assert cli("check", folder, "--db", tmp_path / "d.db") == (0, "")
    assert "newsreader: no site found: no _config.yml in" in capsys.readouterr().err


def test_check_names_a_config_jekyll_stops_on(folder: Path, tmp_path: Path) -> None:
    (folder.parent / "_config.yml").write_text(CONFIG + "collections: [unclosed\n")
    code, text = cli("check", folder, "--db", tmp_path / "d.db")
    assert code == 1
    assert text.startswith(f"{folder.parent / '_config.yml'}: site: invalid YAML")
    assert "Jekyll stops on it" in text


def test_check_names_an_article_jekyll_stops_on(folder: Path, tmp_path: Path) -> None:
    (folder / "bad-date.md").write_text("---\ntitle: x\npublished: true\ndate: soon\n---\n")
    code, text = cli("check", folder, "--db", tmp_path / "d.db")
    assert code == 1
    assert "bad-date.md: site: date: 'soon' is not a date Jekyll reads: it stops the build" in text


def test_the_configs_site_key_is_used(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = make_site(tmp_path / "site", config="")
    (tmp_path / "site" / "conf").mkdir()
    (tmp_path / "site" / "conf" / "_config.yml").write_text(CONFIG)
    settings = Settings(site=tmp_path / "site" / "conf")
    assert cli("check", folder, "--db", tmp_path / "d.db", settings=settings)[0] == 0
    assert "is not inside the site's folder" in capsys.readouterr().err

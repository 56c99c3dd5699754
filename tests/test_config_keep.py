"""A config file with a mistake keeps its good keys; saving the theme edits one line only."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from reader.__main__ import main
from reader.config import Settings, load_settings, save_theme
from reader.paths import config_file

# (id, file contents, the settings kept, one fragment per expected warning: all of them must be
# in the warning, which also names the file)
KEEP_CASES: list[tuple[str, bytes, Settings, list[list[str]]]] = [
    ("one key does not parse",
     b"cache: /srv/news\ntheme: [unclosed\nkeymap:\n  publish: P\nstory_days: 2\n",
     Settings(cache=Path("/srv/news"), keymap={"publish": "P"}, story_days=2.0),
     [["not valid YAML", "line 2", "theme uses the default"]]),
    ("a tab in one block", b"theme: nord\nkeymap:\n\tpublish: p\ndb: /srv/d.db\n",
     Settings(theme="nord", db=Path("/srv/d.db")),
     [["not valid YAML", "line 3", "keymap uses the default"]]),
    ("a bad value beside a bad block", b"theme: 3\ncache: /srv/news\nkeymap: {publish: p\n",
     Settings(cache=Path("/srv/news")),
     [["not valid YAML", "keymap uses the default"], ["theme must be non-empty text"]]),
    ("an unclosed quote", b"# mine\ntheme: \"nord\ncache: /srv/news\n",
     Settings(cache=Path("/srv/news")), [["not valid YAML", "line 2", "theme uses the default"]]),
    ("two documents", b"theme: nord\n---\ncache: /srv/news\n",
     Settings(cache=Path("/srv/news"), theme="nord"), []),
    ("a stray line", b"theme: nord\nthis is not a setting\ncache: /srv/news\n",
     Settings(cache=Path("/srv/news"), theme="nord"),
     [["line 2", "expected `name: value`", "ignored"]]),
    ("an unknown key that does not parse", b"colour: [red\ntheme: nord\n",
     Settings(theme="nord"), [["not valid YAML", "line 1", "'colour' is ignored"]]),
    ("a list at the key's own indentation", b"colour:\n- red\n- blue\ntheme: [x\n",
     Settings(), [["line 4", "theme uses the default"], ["unknown setting 'colour'"]]),
    ("a complex key", b"? [a, b]\n: 1\ntheme: nord\n", Settings(theme="nord"),
     [["line 1", "found unhashable key", "that entry is ignored"]]),
    ("indented comments and blank lines stay with their block",
     b"keymap:\n  # mine\n\n  publish: P\ntheme: [x\n",
     Settings(keymap={"publish": "P"}), [["line 5", "theme uses the default"]]),
]


@pytest.mark.parametrize(("contents", "expected", "fragments"),
                         [case[1:] for case in KEEP_CASES], ids=[case[0] for case in KEEP_CASES])
def test_a_mistake_drops_only_its_own_key(
    tmp_path: Path, contents: bytes, expected: Settings, fragments: list[list[str]]
) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(contents)
    settings, warnings = load_settings(path)
    assert settings == expected
    assert len(warnings) == len(fragments), warnings
    for warning, parts in zip(warnings, fragments, strict=True):
        assert warning.startswith(f"{path}: ")
        for part in parts:
            assert part in warning
    assert settings.problems == tuple(warnings)  # the app shows them
    assert settings.source == path


def test_the_settings_name_their_file_and_problems(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(b"theme: nord\n")
    assert load_settings(path)[0].source == path
    assert load_settings(path)[0].problems == ()
    assert Settings().source is None


def test_the_cli_warns_on_stderr_and_keeps_the_good_keys(
    seeds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config_file().parent.mkdir(parents=True)
    config_file().write_text(f"cache: {seeds_dir}\ndb: {tmp_path / 'd.db'}\ntheme: [x\n",
                             encoding="utf-8")
    assert main(["list", "--format", "csv"]) == 0
    out, err = capsys.readouterr()
    assert err.startswith(f"newsreader: config: {config_file()}: not valid YAML at line 3 (")
    assert err.endswith("']'); theme uses the default\n")  # libyaml's words or PyYAML's
    assert err.count("\n") == 1
    assert "000_603f865bca10b7c4.txt" in out  # the configured folder, not the demo's copy
    assert (tmp_path / "d.db").exists()


# (id, the file before, the file after saving the theme "gruvbox")
SAVE_CASES: list[tuple[str, bytes, bytes]] = [
    ("the README's example",
     b"# newsreader\ncache: ~/news            # article folder\n"
     b"theme: textual-dark      # Textual theme; the app saves your last choice\n"
     b"keymap:                  # binding id -> keys\n  publish: p\n  skip: s\n"
     b"story_days: 3\n",
     b"# newsreader\ncache: ~/news            # article folder\n"
     b"theme: gruvbox      # Textual theme; the app saves your last choice\n"
     b"keymap:                  # binding id -> keys\n  publish: p\n  skip: s\n"
     b"story_days: 3\n"),
    ("no theme line", b"# mine\ncache: ~/news\n", b"# mine\ncache: ~/news\ntheme: gruvbox\n"),
    ("no last newline", b"cache: ~/news", b"cache: ~/news\ntheme: gruvbox\n"),
    ("CRLF", b"theme: nord\r\ncache: ~/news\r\n", b"theme: gruvbox\r\ncache: ~/news\r\n"),
    ("CRLF, appended", b"cache: ~/news\r\n", b"cache: ~/news\r\ntheme: gruvbox\r\n"),
    ("empty", b"", b"theme: gruvbox\n"),
    ("comments only", b"# later\n", b"# later\ntheme: gruvbox\n"),
    ("a null theme", b"theme:\ncache: ~/news\n", b"theme: gruvbox\ncache: ~/news\n"),
    ("quoted", b"theme: 'nord'  # mine\n", b"theme: gruvbox  # mine\n"),
    ("the value on the next line", b"theme:\n  nord\n# after\ncache: x\n",
     b"theme: gruvbox\n# after\ncache: x\n"),
    ("spaces before the colon", b"theme  : nord\n", b"theme  : gruvbox\n"),
    ("a nested theme is not the setting", b"keymap:\n  theme: x\n",
     b"keymap:\n  theme: x\ntheme: gruvbox\n"),
    ("non-ASCII comments and a BOM", "\ufeff# café\ntheme: nord # ☕\n".encode(),
     "\ufeff# café\ntheme: gruvbox # ☕\n".encode()),
]


@pytest.mark.parametrize(("before", "after"), [case[1:] for case in SAVE_CASES],
                         ids=[case[0] for case in SAVE_CASES])
def test_save_theme_changes_only_the_theme_line(
    tmp_path: Path, before: bytes, after: bytes
) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(before)
    save_theme(path, "gruvbox")
    assert path.read_bytes() == after
    assert load_settings(path)[0].theme == "gruvbox"
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


def test_save_theme_quotes_a_name_yaml_would_misread(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(b"theme: nord\n")
    save_theme(path, "yes")
    assert path.read_bytes() == b'theme: "yes"\n'
    assert load_settings(path)[0].theme == "yes"


def test_save_theme_keeps_the_files_mode_and_its_link(tmp_path: Path) -> None:
    target = tmp_path / "dotfiles" / "newsreader.yaml"
    target.parent.mkdir()
    target.write_bytes(b"theme: nord\n")
    target.chmod(0o640)
    link = tmp_path / "config.yaml"
    link.symlink_to(target)
    save_theme(link, "gruvbox")
    assert link.is_symlink()
    assert target.read_bytes() == b"theme: gruvbox\n"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640


def test_save_theme_leaves_a_file_with_a_broken_key_alone(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    contents = b"theme: nord\nkeymap: {publish: p\n"
    path.write_bytes(contents)
    with pytest.raises(ValueError, match="not saving the theme"):
        save_theme(path, "gruvbox")
    assert path.read_bytes() == contents

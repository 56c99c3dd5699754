"""Loading and saving the YAML config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from reader import paths
from reader.config import Settings, load_settings, save_theme

# (id, file contents or None for no file, expected settings, one fragment per expected warning)
LOAD_CASES: list[tuple[str, bytes | None, Settings, list[str]]] = [
    ("missing file", None, Settings(), []),
    ("empty file", b"", Settings(), []),
    ("comments only", b"# nothing yet\n", Settings(), []),
    ("all fields", b"cache: /srv/news\ntheme: nord\ndb: /srv/d.db\nkeymap: {publish: P}\n",
     Settings(Path("/srv/news"), "nord", {"publish": "P"}, Path("/srv/d.db")), []),
    ("null values keep defaults", b"theme:\ncache:\nkeymap:\ndb:\n", Settings(), []),
    ("bad YAML", b"theme: [unclosed\n", Settings(), ["not valid YAML"]),
    ("tab indentation", b"keymap:\n\tpublish: p\n", Settings(), ["not valid YAML"]),
    ("a list", b"- theme\n- nord\n", Settings(), ["expected a mapping of settings, found a list"]),
    ("a scalar", b"just words\n", Settings(), ["expected a mapping of settings, found text"]),
    ("not UTF-8", b"theme: caf\xe9\n", Settings(), ["cannot read the config file"]),
    ("python tag refused", b"theme: !!python/object/apply:os.getcwd []\n", Settings(),
     ["not valid YAML"]),
    ("unknown key", b"colour: red\ntheme: nord\n", Settings(theme="nord"),
     ["unknown setting 'colour'"]),
    ("non-text key", b"1: x\n", Settings(), ["unknown setting 1"]),
    ("theme a number", b"theme: 3\n", Settings(), ["theme must be non-empty text, found a number"]),
    ("theme blank", b"theme: '  '\n", Settings(), ["theme must be non-empty text"]),
    ("cache a list", b"cache: [a, b]\nkeymap: {skip: x}\n", Settings(keymap={"skip": "x"}),
     ["cache must be non-empty text, found a list"]),
    ("db a boolean", b"db: yes\n", Settings(), ["db must be non-empty text, found true/false"]),
    ("db a date", b"db: 2024-01-02\n", Settings(), ["db must be non-empty text, found a date"]),
    ("keymap text", b"keymap: p\n", Settings(), ["keymap must be a mapping"]),
    ("keymap value a number", b"keymap: {publish: 1}\n", Settings(), ["keymap entries must be"]),
    ("keymap", b"keymap:\n  publish: p,ctrl+p\n  skip: ' s '\n",
     Settings(keymap={"publish": "p,ctrl+p", "skip": "s"}), []),
    ("every field wrong", b"theme: [x]\ncache: 1\ndb: {}\nkeymap: []\nextra: 1\n", Settings(),
     ["theme must", "cache must", "db must", "keymap must", "unknown setting 'extra'"]),
]


@pytest.mark.parametrize(("contents", "expected", "fragments"),
                         [case[1:] for case in LOAD_CASES], ids=[case[0] for case in LOAD_CASES])
def test_load_settings(
    tmp_path: Path, contents: bytes | None, expected: Settings, fragments: list[str]
) -> None:
    path = tmp_path / "config.yaml"
    if contents is not None:
        path.write_bytes(contents)
    settings, warnings = load_settings(path)
    assert settings == expected
    assert len(warnings) == len(fragments), warnings
    for warning, fragment in zip(warnings, fragments, strict=True):
        assert str(path) in warning
        assert fragment in warning


def test_unreadable_path_warns(tmp_path: Path) -> None:
    settings, warnings = load_settings(tmp_path)  # a folder, not a file
    assert settings == Settings()
    assert len(warnings) == 1 and str(tmp_path) in warnings[0]


def test_home_is_expanded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    path = tmp_path / "config.yaml"
    path.write_text("cache: ~/news\ndb: ~/d.db\n", encoding="utf-8")
    settings, warnings = load_settings(path)
    assert (settings.cache, settings.db) == (tmp_path / "home/news", tmp_path / "home/d.db")
    assert warnings == []


def test_default_path_is_the_user_config_file() -> None:
    paths.config_file().parent.mkdir(parents=True)
    paths.config_file().write_text("theme: gruvbox\n", encoding="utf-8")
    assert load_settings() == (Settings(theme="gruvbox"), [])


def test_save_theme_creates_the_file(tmp_path: Path) -> None:
    path = tmp_path / "new" / "config.yaml"
    save_theme(path, "nord")
    assert load_settings(path) == (Settings(theme="nord"), [])


def test_save_theme_keeps_other_keys(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("cache: /srv/news\ntheme: nord\nkeymap:\n  publish: P\nextra: 1\n")
    save_theme(path, "textual-light")
    settings, warnings = load_settings(path)
    assert settings == Settings(Path("/srv/news"), "textual-light", {"publish": "P"})
    assert len(warnings) == 1 and "'extra'" in warnings[0]
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind


@pytest.mark.parametrize("contents", [b"theme: [unclosed\n", b"- a\n", b"\xff\xfe"])
def test_save_theme_leaves_a_broken_file_alone(tmp_path: Path, contents: bytes) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(contents)
    with pytest.raises(ValueError, match="not saving the theme"):
        save_theme(path, "nord")
    assert path.read_bytes() == contents

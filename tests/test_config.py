"""Loading and saving the YAML config file."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reader import paths
from reader.__main__ import main
from reader.config import MAX_BYTES, Settings, load_settings, save_theme

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


def _within(seconds: float, call: Callable[[], Any]) -> Any:
    """CALL's result, run in a thread: the test fails (and the thread is left) if it takes
    longer than SECONDS, as reading a named pipe would (it waits for a writer)."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def run() -> None:
        """Keep CALL's result, or what it raised."""
        try:
            result.append(call())
        except BaseException as error:  # raised again in the test's own thread
            errors.append(error)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(seconds)
    assert not worker.is_alive(), f"still running after {seconds} s"
    if errors:
        raise errors[0]
    return result[0]


def _fifo(path: Path) -> Path:
    """PATH made a named pipe that no one writes to."""
    os.mkfifo(path)
    return path


def _zero_link(path: Path) -> Path:
    """PATH made a link to /dev/zero, endless zero bytes."""
    path.symlink_to("/dev/zero")
    return path


def _two_mb(path: Path) -> Path:
    """PATH made a valid config file of 2 MiB, most of it one comment."""
    path.write_bytes(b"theme: nord\n#" + b"x" * (2 * MAX_BYTES) + b"\n")
    return path


# (id, what makes the config file, the one warning's text after "PATH: ")
REFUSED: list[tuple[str, Callable[[Path], Path], str]] = [
    ("named pipe", _fifo,
     "the config file is not a regular file (a named pipe); using the defaults"),
    ("link to /dev/zero", _zero_link,
     "the config file is not a regular file (a device); using the defaults"),
    ("2 MB", _two_mb,
     "the config file is 2 MB, and it may be at most 1 MB; using the defaults"),
]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes and /dev/zero are POSIX")
@pytest.mark.parametrize(("make", "why"), [case[1:] for case in REFUSED],
                         ids=[case[0] for case in REFUSED])
def test_a_config_that_is_no_small_regular_file_is_refused(
    tmp_path: Path, make: Callable[[Path], Path], why: str
) -> None:
    path = make(tmp_path / "config.yaml")
    settings, warnings = _within(5, lambda: load_settings(path))
    assert settings == Settings()
    assert warnings == [f"{path}: {why}"]
    assert settings.problems == tuple(warnings)  # the app shows them


def test_a_config_of_exactly_the_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_bytes(b"theme: nord\n#" + b"x" * (MAX_BYTES - 14) + b"\n")
    assert path.stat().st_size == MAX_BYTES == 1024 * 1024
    assert load_settings(path) == (Settings(theme="nord"), [])


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_save_theme_leaves_a_named_pipe_alone(tmp_path: Path) -> None:
    path = _fifo(tmp_path / "config.yaml")
    with pytest.raises(ValueError, match=r"not a regular file .* not saving the theme"):
        _within(5, lambda: save_theme(path, "nord"))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
def test_the_cli_goes_on_past_a_named_pipe_config(
    seeds_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths.config_file().parent.mkdir(parents=True)
    _fifo(paths.config_file())
    argv = ["list", str(seeds_dir), "--db", str(tmp_path / "d.db"), "--format", "csv"]
    assert _within(30, lambda: main(argv)) == 0
    out, err = capsys.readouterr()
    assert err == (f"newsreader: config: {paths.config_file()}: the config file is not a "
                   "regular file (a named pipe); using the defaults\n")
    assert "000_603f865bca10b7c4.txt" in out

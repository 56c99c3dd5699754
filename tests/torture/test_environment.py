"""A hostile environment: read-only folders, a full disk, a broken config; nothing lost."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from reader.data.article import Decision
from reader.data.decisions.store import TriageStore

from .helpers import REPO, Counts, child_env, make_corpus

ROOT = os.geteuid() == 0 if hasattr(os, "geteuid") else False
"""root ignores permission bits: read-only folders are made with a read-only bind mount."""

CAN_UNSHARE = ROOT and shutil.which("unshare") is not None and (
    subprocess.run(
        ["unshare", "-m", "true"], capture_output=True, check=False
    ).returncode == 0
)  # fmt: skip


def newsreader(
    *args: str | Path, readonly: tuple[Path, ...] = (), fsize: int | None = None,
    config_home: Path | None = None,
) -> subprocess.CompletedProcess[str]:  # fmt: skip
    """Run `python -m reader ARGS` with READONLY folders and an optional file size limit."""
    code = "import sys; from reader.__main__ import main; sys.exit(main())"
    if fsize is not None:  # a full disk: writes past FSIZE bytes fail with EFBIG
        code = (
            "import resource, signal; signal.signal(signal.SIGXFSZ, signal.SIG_IGN); "
            f"resource.setrlimit(resource.RLIMIT_FSIZE, ({fsize}, {fsize})); " + code
        )
    argv = [sys.executable, "-c", code, *map(str, args)]
    env = child_env()
    if config_home is not None:
        env["XDG_CONFIG_HOME"] = str(config_home)
    if readonly and ROOT:
        mounts = " && ".join(
            f"mount --bind '{p}' '{p}' && mount -o remount,ro,bind '{p}' '{p}'" for p in readonly
        )
        argv = ["unshare", "-m", "sh", "-c", f'{mounts} && exec "$@"', "sh", *argv]
    with _read_only(readonly if not ROOT else ()):
        return subprocess.run(
            argv, capture_output=True, text=True, cwd=REPO, env=env, timeout=120, check=False
        )


class _read_only:
    """Take write permission away from folders (and their files) for a while."""

    def __init__(self, folders: tuple[Path, ...]):
        self.folders = folders
        self.modes: dict[Path, int] = {}

    def __enter__(self) -> None:
        for folder in self.folders:
            for path in [folder, *folder.rglob("*")]:
                self.modes[path] = path.stat().st_mode
                path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))

    def __exit__(self, *exc: object) -> None:
        for path, mode in self.modes.items():
            path.chmod(mode)


needs_readonly = pytest.mark.skipif(
    ROOT and not CAN_UNSHARE, reason="running as root without `unshare -m`: cannot make a "
    "folder read-only"
)  # fmt: skip


def _clean(result: subprocess.CompletedProcess[str]) -> None:
    """No traceback and no control character in what the CLI printed."""
    for text in (result.stdout, result.stderr):
        assert "Traceback" not in text, text
        assert not any(ord(c) < 32 and c not in "\n\t" for c in text), repr(text)


@pytest.fixture
def setup(tmp_path: Path) -> Iterator[tuple[Path, Path, list[str]]]:
    """A cache of 30 articles, indexed, with some decisions in a data folder."""
    root = tmp_path / "cache"
    ids = make_corpus(root, 30)
    db = tmp_path / "data" / "decisions.db"
    result = newsreader("decide", root, *ids[:10], "skip", "--db", db)
    assert result.returncode == 0, result.stderr
    yield root, db, ids


def _kept(db: Path, ids: list[str], counts: Counts, wanted: Decision = Decision.SKIPPED) -> None:
    store = TriageStore(db)
    try:
        lost = sum(store.decision(i) is not wanted for i in ids)
    finally:
        store.close()
    counts.decisions += len(ids)
    counts.lost += lost
    assert lost == 0


@needs_readonly
def test_a_read_only_cache_indexes_decides_and_apply_names_each_file(
    setup: tuple[Path, Path, list[str]], counts: Counts
) -> None:
    root, db, ids = setup
    fresh_db = db.parent.parent / "fresh" / "decisions.db"
    old = {i: (root / i).read_bytes() for i in ids}
    listed = newsreader("list", root, "--db", fresh_db, readonly=(root,))  # a cold index
    assert listed.returncode == 0, listed.stderr
    assert len(listed.stdout.splitlines()) == len(ids)
    decided = newsreader("decide", root, *ids[10:20], "skip", "--db", db, readonly=(root,))
    assert decided.returncode == 0, decided.stderr
    applied = newsreader("apply", root, "--db", db, readonly=(root,))
    _clean(applied)
    assert applied.returncode == 1, applied.stdout + applied.stderr
    refused = [i for i in ids[:20] if f"not written: {i}:" in applied.stdout]
    in_sync = [i for i in ids[:20] if i not in refused]
    # Only files already `published: false` need no write: n % 3 == 1 in make_corpus.
    assert all(int(Path(i).stem) % 3 == 1 for i in in_sync), applied.stdout
    assert refused, applied.stdout
    for i in ids:
        counts.files += 1
        counts.damaged += (root / i).read_bytes() != old[i]
    assert counts.damaged == 0
    _kept(db, ids[:20], counts)


@needs_readonly
@pytest.mark.parametrize("command", ["decide", "list"])
def test_a_read_only_data_folder_is_one_clear_error(
    setup: tuple[Path, Path, list[str]], counts: Counts, command: str
) -> None:
    root, db, ids = setup
    args = [*ids[10:12], "publish"] if command == "decide" else []
    result = newsreader(command, root, *args, "--db", db, readonly=(db.parent,))
    _clean(result)
    if result.returncode != 0:  # reading may still work; a write must say why not
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("newsreader: error: "), result.stderr
        assert str(db.parent) in result.stderr, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    else:
        assert command == "list", "a decision was acknowledged in a read-only folder"
    _kept(db, ids[:10], counts)
    again = newsreader("decide", root, ids[10], "skip", "--db", db)  # writable again: works
    assert again.returncode == 0, again.stderr
    _kept(db, ids[:11], counts)


def test_a_full_disk_is_one_clear_error_and_loses_nothing(
    setup: tuple[Path, Path, list[str]], counts: Counts
) -> None:
    root, db, ids = setup
    limit = max(p.stat().st_size for p in db.parent.iterdir()) + 8192
    acked, failed = list(ids[:10]), None
    for n, article_id in enumerate(ids[10:]):  # long reasons fill the room that is left
        reason = f"{n:03d}" + "x" * 4000
        result = newsreader(
            "decide", root, article_id, "skip", "--reason", reason, "--db", db, fsize=limit
        )
        _clean(result)
        if result.returncode != 0:
            failed = result
            break
        acked.append(article_id)
    assert failed is not None, "the disk never filled up"
    assert failed.returncode == 2, failed.stderr
    assert failed.stderr.startswith("newsreader: error: "), failed.stderr
    assert str(db.parent) in failed.stderr, failed.stderr
    assert len(failed.stderr.strip().splitlines()) == 1, failed.stderr
    _kept(db, acked, counts)
    fresh = db.parent.parent / "new" / "decisions.db"  # a first start with no room at all
    result = newsreader("list", root, "--db", fresh, fsize=0)
    _clean(result)
    assert result.returncode == 2 and str(fresh.parent) in result.stderr, result.stderr
    rest = [i for i in ids if i not in acked]
    again = newsreader("decide", root, *rest, "skip", "--db", db)  # room again: it works
    assert again.returncode == 0, again.stderr
    store = TriageStore(db)
    try:
        assert all(store.decision(i) is Decision.SKIPPED for i in ids)
    finally:
        store.close()


CONFIGS = [
    pytest.param(None, "", id="missing"),
    pytest.param(b"cache: [unclosed\n", "not valid YAML", id="bad-yaml"),
    pytest.param(b"\xff\xfe\x00garbage", "cannot read the config file", id="not-utf8"),
    pytest.param(b"colour: red\ntheme: nord\n", "unknown setting 'colour'", id="unknown-key"),
    pytest.param(b"1: x\ntheme: nord\n", "unknown setting 1", id="number-key"),
    pytest.param(b"? [a, b]\n: 1\n", "found unhashable key", id="list-key"),
    pytest.param(b'"\\e[31mkey": 1\n', "unknown setting", id="escape-key"),
    pytest.param(b"keymap: 7\n", "keymap", id="bad-value"),
    pytest.param("dir", "is not a regular file (a folder)", id="unreadable"),
]


@pytest.mark.parametrize(("config", "says"), CONFIGS)
def test_a_bad_config_is_a_warning_and_the_rest_works(
    setup: tuple[Path, Path, list[str]], tmp_path: Path, counts: Counts,
    config: bytes | str | None, says: str,
) -> None:  # fmt: skip
    root, db, ids = setup
    home = tmp_path / "config"
    path = home / "newsreader" / "config.yaml"
    path.parent.mkdir(parents=True)
    if config == "dir":  # a folder where the file should be: unreadable, even for root
        path.mkdir()
    elif isinstance(config, bytes):
        path.write_bytes(config)
    result = newsreader("decide", root, ids[10], "skip", "--db", db, config_home=home)
    _clean(result)
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("newsreader: ")]
    if says:
        assert len(warnings) == 1 and says in warnings[0] and str(path) in warnings[0], warnings
    else:
        assert warnings == []
    _kept(db, ids[:11], counts)

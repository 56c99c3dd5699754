"""Where newsreader keeps its config, its decisions and its bundled seeds."""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import platformdirs

APP_NAME = "newsreader"
"""The folder name used under each platform directory."""


def config_dir() -> Path:
    """Return the user's config folder for newsreader (it may not exist yet)."""
    return platformdirs.user_config_path(APP_NAME, appauthor=False)


def data_dir() -> Path:
    """Return the user's data folder for newsreader (it may not exist yet)."""
    return platformdirs.user_data_path(APP_NAME, appauthor=False)


def config_file() -> Path:
    """Return the path of the YAML config file, `config.yaml` in the config folder."""
    return config_dir() / "config.yaml"


def _slug(name: str) -> str:
    """Turn a folder name into a short, safe, lower-case folder name."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:40].strip("-") or "cache"


def default_db_path(cache_root: Path) -> Path:
    """Return the decisions database for one article folder.

    Each folder gets its own subfolder of the data folder, named after the
    folder plus a hash of its resolved path, so two folders with the same
    name never share decisions.
    """
    resolved = Path(cache_root).expanduser().resolve()
    digest = hashlib.sha256(os.fsencode(resolved)).hexdigest()[:8]
    return data_dir() / f"{_slug(resolved.name)}-{digest}" / "decisions.db"


def index_path_for(db_path: Path) -> Path:
    """Return the index database kept beside a decisions database.

    `decisions.db` goes with `decisions.index.db`.
    """
    return db_path.with_name(db_path.stem + ".index.db")


def bundled_seeds() -> Path:
    """Return the folder of sample articles that ships with newsreader.

    An installed wheel has them inside the package (`reader/seeds`); a source
    checkout or an editable install has them at the top of the checkout.
    """
    from importlib import resources  # only the demo needs it: not every start

    packaged = resources.files("reader") / "seeds"
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "seeds"

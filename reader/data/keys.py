"""Article ids (paths as on disk) to SQLite text keys and back, losslessly."""

from __future__ import annotations

_RAW = "\ufffe"
"""Marks a key holding the hex of a name that is not UTF-8 (a noncharacter: never in a name)."""


def key_from_id(article_id: str) -> str:
    """The text key for an id; a name with undecodable bytes is stored as hex."""
    try:
        article_id.encode("utf-8")
    except UnicodeEncodeError:
        return _RAW + article_id.encode("utf-8", "surrogateescape").hex()
    return article_id


def id_from_key(key: str) -> str:
    """The id for a text key: the inverse of `key_from_id`."""
    if key.startswith(_RAW):
        return bytes.fromhex(key[1:]).decode("utf-8", "surrogateescape")
    return key


def keys_from_ids(ids: list[str]) -> list[str]:
    """`key_from_id` of each id; the list itself when every id is its own key (one check)."""
    try:
        "\n".join(ids).encode("utf-8")
    except UnicodeEncodeError:
        return [key_from_id(i) for i in ids]
    return ids

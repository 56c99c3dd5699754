"""Article ids (paths as on disk) to SQLite text keys and back, losslessly."""

from __future__ import annotations

_RAW = "\ufffe"
"""Marks a key holding the hex of a name's bytes. U+FFFE is a noncharacter, but it is valid
UTF-8 (EF BF BE), so a name may start with it too: such a name is stored as hex as well."""
_CHUNK = 4096
"""Ids checked at once by `keys_from_ids`."""


def key_from_id(article_id: str) -> str:
    """The text key for an id; a name with undecodable bytes, or that starts with the
    mark itself, is stored as hex."""
    try:
        article_id.encode("utf-8")
    except UnicodeEncodeError:
        return _RAW + article_id.encode("utf-8", "surrogateescape").hex()
    if article_id.startswith(_RAW):
        return _RAW + article_id.encode("utf-8").hex()
    return article_id


def id_from_key(key: str) -> str:
    """The id for a text key: the inverse of `key_from_id`.

    A mark followed by what is not hex is a name an older version kept as it was (it did
    not escape names that start with the mark): it is that name.
    """
    if key.startswith(_RAW):
        try:
            return bytes.fromhex(key[1:]).decode("utf-8", "surrogateescape")
        except ValueError:
            return key
    return key


def keys_from_ids(ids: list[str]) -> list[str]:
    """`key_from_id` of each id; the list itself when every id is its own key (two checks
    over each joined chunk of ids, rather than one per id; a chunk at a time, so a big
    folder's ids never stand in memory as one long string and its encoding)."""
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start : start + _CHUNK]
        joined = "\n".join(chunk)
        try:
            joined.encode("utf-8")
        except UnicodeEncodeError:
            return [key_from_id(i) for i in ids]
        if chunk[0].startswith(_RAW) or "\n" + _RAW in joined:  # a newline in a name
            return [key_from_id(i) for i in ids]  # only costs the slow, still right, path
    return ids

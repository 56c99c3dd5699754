"""One file's bytes to an Article, or a Problem saying why it is not one. Never raises."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from reader.data.article import Article, Problem, RelatedLink
from reader.data.clean import clean_line, clean_text
from reader.data.files.jekyll import JekyllFile, read_as_jekyll, why_no_front_matter
from reader.data.files.safe_yaml import MAX_DEPTH as MAX_DEPTH
from reader.data.files.safe_yaml import MAX_NODES as MAX_NODES
from reader.data.files.safe_yaml import YamlLoader as YamlLoader
from reader.data.files.safe_yaml import _Refused, load_yaml

READ_LIMIT = 1 << 20
"""Bytes read at first: a press release's body is cut there."""
FRONT_MATTER_LIMIT = 16 << 20
"""Largest front matter read (room for MAX_RELATED related links); a body is never read past it."""
MAX_RELATED = 10_000

_OPEN = re.compile(r"\A---[ \t]*\r?\n")
# A plain `\n` prefix lets `re` scan for a literal; a CR before it is stepped over. Jekyll
# closes a front matter with `---` or with YAML's end of document, `...`.
_CLOSE = re.compile(r"\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)")
_IFRAME_SRC = re.compile(r"""src\s*=\s*["']([^"']+)["']""", re.IGNORECASE)
_DATE_LINE = re.compile(r"^\s*Date\s*:\s*(.*)$", re.IGNORECASE)
_TAGS_LINE = re.compile(r"^\s*Tags\s*:\s*(.*)$", re.IGNORECASE)
NOT_AN_ARTICLE = (
    "not an article: no front matter, and no `Date:` or `Tags:` line of a press release"
)
"""Why a text file (a README, notes) is passed over: it is neither kind of article."""
HEAD_LINES = 12
"""A press release's `Tags:` and `Date:` lines come within this many lines of its title."""


def read_head(path: Path) -> bytes:
    """The bytes an article needs: the first MiB, or all of a longer front matter."""
    with open(path, "rb") as handle:
        data = handle.read(READ_LIMIT + 1)
        if len(data) > READ_LIMIT and _unclosed_front_matter(data):
            data += handle.read(FRONT_MATTER_LIMIT - READ_LIMIT)
    return data


def head_of(data: bytes) -> bytes:
    """The part of a whole file that `read_head` returns (what the index parses and digests)."""
    head = data[: READ_LIMIT + 1]
    if len(head) > READ_LIMIT and _unclosed_front_matter(head):
        return data[: FRONT_MATTER_LIMIT + 1]
    return head


def parse_file(path: Path, article_id: str) -> Article | Problem:
    """Read and parse one file; every failure becomes a Problem naming the file."""
    try:
        data = read_head(path)
    except OSError as error:
        return Problem(article_id, "file", f"cannot read: {error.strerror or error}")
    return parse_bytes(data, article_id)


def _unclosed_front_matter(data: bytes) -> bool:
    """Front matter opens in this chunk and does not close in it."""
    data = data.removeprefix(b"\xef\xbb\xbf")
    return data.startswith(b"---") and re.search(rb"\n---[ \t]*\r?\n", data[3:]) is None


class _Seen:
    """What parsing one file met on the way, for reading it again as Jekyll would."""

    __slots__ = ("loaded", "text")

    def __init__(self) -> None:
        """Nothing seen yet."""
        self.text: str | None = None
        """The bytes decoded as UTF-8 as they are (None: they are not that)."""
        self.loaded: tuple[str, Any] | None = None
        """The front matter's YAML source and what it loaded to."""


def parse_bytes(data: bytes, article_id: str) -> Article | Problem:
    """Parse an article from its bytes (possibly cut at READ_LIMIT); never raises."""
    return parse_for_index(data, article_id)[0]


def parse_for_index(data: bytes, article_id: str) -> tuple[Article | Problem, JekyllFile]:
    """`parse_bytes`, and what Jekyll reads of the same bytes (see files/jekyll.py: the
    front matter is loaded once for both where Jekyll's YAML reads it alike); never raises."""
    seen = _Seen()
    try:
        result: Article | Problem = _parse(data, article_id, seen)
    except _Refused as refused:
        result = Problem(article_id, "file", str(refused))
    except (RecursionError, MemoryError):
        result = Problem(article_id, "file", "structure too deep or too large to read")
    except Exception as error:  # the parser's promise: no input raises out of it
        result = Problem(article_id, "file", f"unreadable: {type(error).__name__}: {error}")
    try:
        jekyll = read_as_jekyll(data, seen.text, seen.loaded)
    except (RecursionError, MemoryError):
        jekyll = JekyllFile.failed("structure too deep or too large to read")
    except Exception as error:  # as above: never raises
        jekyll = JekyllFile.failed(f"unreadable: {type(error).__name__}")
    if isinstance(result, Article) and result.kind == "frontmatter":
        result = _unlike_jekyll(result, jekyll)
    return result, jekyll


def _unlike_jekyll(article: Article, jekyll: JekyllFile) -> Article:
    """ARTICLE with a problem added where Jekyll reads no fields of its front matter (a
    byte-order mark before it, YAML that only Ruby's Psych refuses)."""
    if not jekyll.has_front_matter:
        why = (f"Jekyll sees no front matter in it ({jekyll.why_static}): it copies the "
               "file as it is, as no news page")
    elif jekyll.error and not jekyll.not_utf8:
        why = (f"Jekyll cannot read this front matter ({clean_line(jekyll.error, 120)}): it "
               "skips past it and uses only the site's defaults")
    elif isinstance(value := jekyll.data.get("published"), bool) and (
        article.file_published is not value
    ):  # `fAlSe`: a boolean to Psych (Jekyll's YAML), text to PyYAML
        kept = tuple(p for p in article.problems if p.field != "published")
        why = (f"Jekyll's YAML reads it as {str(value).lower()} (any case is a boolean to "
               f"Ruby); write {str(value).lower()}")
        problem = Problem(article.id, "published", why)
        return replace(article, file_published=value, problems=(*kept, problem))
    else:
        return article
    return replace(article, problems=(*article.problems, Problem(article.id, "file", why)))


def _parse(data: bytes, article_id: str, seen: _Seen) -> Article:
    """`parse_bytes` without its safety net: a front matter's fields, else a press release
    (else refused: plain text that is neither is not an article, and neither is a file
    whose front matter Jekyll would not see)."""
    problems: list[Problem] = []
    text = _decode(data, article_id, problems, seen)
    if _OPEN.match(text):
        fields = _front_matter(text, len(data) > FRONT_MATTER_LIMIT, seen)
        return _from_mapping(fields, article_id, problems)
    if _meant_front_matter(text):
        raise _Refused(
            f"front matter that Jekyll does not see: {why_no_front_matter(data)}; "
            "not read as an article"
        )
    return _press_release(text[:READ_LIMIT], article_id, problems, len(data) > READ_LIMIT)


def _meant_front_matter(text: str) -> bool:
    """Whether TEXT holds a `---` block at its top that no parser takes for front matter:
    `---` after blank lines or up to three stray characters, text after the opening `---`,
    or lines ended by CR only; the block must be closed by a `---` or `...` line."""
    lines = text[:READ_LIMIT].splitlines()
    first = next((i for i, line in enumerate(lines[:20]) if line.strip()), None)
    if first is None:
        return False
    head = lines[first].strip()
    stray = head.endswith("---") and 0 < len(head) - 3 <= 3 and " " not in head
    if not (head.startswith("---") or stray):
        return False
    return any(line.rstrip() in ("---", "...") for line in lines[first + 1 : first + 1000])


_UTF16_NO_BOM = (b"-\x00-\x00-\x00", b"\x00-\x00-\x00-")
"""`---` in UTF-16 (little- or big-endian) with no byte-order mark before it."""


def _decode(data: bytes, article_id: str, problems: list[Problem], seen: _Seen) -> str:
    """Bytes to text by their BOM, else UTF-8, else Windows-1252; binary is refused, and so
    is a front matter in UTF-16 with no byte-order mark (nothing reads it as text)."""
    if not data.strip():
        raise _Refused("empty file, not an article")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data[: len(data) // 2 * 2].decode("utf-16", errors="replace")
    if data.startswith(_UTF16_NO_BOM):
        raise _Refused(
            f"front matter that Jekyll does not see: {why_no_front_matter(data)}; "
            "not read as an article"
        )
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    elif b"\x00" not in data[:8192]:
        try:
            seen.text = data.decode("utf-8")
        except UnicodeDecodeError:
            pass
        else:
            return seen.text
    if b"\x00" in data[:8192] and not data.startswith(b"---"):
        raise _Refused("binary data, not an article")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        if len(data) > READ_LIMIT and error.start >= len(data) - 4:
            return data[: error.start].decode("utf-8")  # only the read cut a character
    text = data.decode("cp1252", errors="replace")
    sample = text[:4096]
    junk = sum(1 for c in sample if c == "\ufffd" or (c < " " and c not in "\r\n\t"))
    if junk > len(sample) // 20:
        raise _Refused("binary data, not an article")
    problems.append(Problem(article_id, "file", "not UTF-8: read as Windows-1252"))
    return text


def _front_matter(text: str, truncated: bool, seen: _Seen) -> Any:
    """The YAML between the `---` line and the closing `---` or `...` line, loaded safely
    (see safe_yaml.py)."""
    start = _OPEN.match(text)
    assert start is not None
    close = _CLOSE.search(text, start.end() - 1) if text[start.end() :].strip() else None
    if close is None:
        if truncated:
            raise _Refused(f"front matter larger than {FRONT_MATTER_LIMIT >> 20} MiB")
        raise _Refused("front matter is not closed by a `---` or `...` line")
    end = close.start() - (text[close.start() - 1] == "\r")
    source = text[start.end() : end] if end >= start.end() else ""
    if not source.strip():
        raise _Refused("front matter is empty")
    loaded = load_yaml(source)
    seen.loaded = (source, loaded)
    return loaded


_OWN: Any = object()
"""Default for a `_Fields` reader: read the field's own value from the mapping."""


class _Fields:
    """Reads untrusted values out of the front-matter mapping, noting each problem."""

    def __init__(self, mapping: dict[Any, Any], article_id: str, problems: list[Problem]):
        """A reader of `mapping`, the front matter of `article_id`, adding to `problems`."""
        self.mapping = mapping
        self.id = article_id
        self.problems = problems

    def problem(self, field: str, why: str) -> None:
        """Note that `field` is wrong, and `why`."""
        self.problems.append(Problem(self.id, field, why))

    def text(self, field: str, value: Any = _OWN) -> str:
        """A one-line string (the field's own, or `value`); numbers written out, lists joined."""
        value = self.mapping.get(field) if value is _OWN else value
        if value is None:
            return ""
        if isinstance(value, str):
            return clean_line(value)
        if isinstance(value, bool):
            self.problem(field, f"expected text, got {value!r}")
            return str(value).lower()
        if isinstance(value, int | float | datetime | date):
            return str(value)
        if isinstance(value, list | dict):
            items = value.values() if isinstance(value, dict) else value
            parts = [
                clean_line(str(v)) for v in list(items)[:20] if isinstance(v, str | int | float)
            ]
            self.problem(field, f"expected text, got a {type(value).__name__}")
            return " / ".join(p for p in parts if p)
        self.problem(field, f"expected text, got {type(value).__name__}")
        return ""

    def number(self, field: str, value: Any = _OWN) -> float | None:
        """An int or float; a numeric string is read with a problem, anything else unset."""
        value = self.mapping.get(field) if value is _OWN else value
        if value is None or (isinstance(value, int | float) and not isinstance(value, bool)):
            return value
        if isinstance(value, str):
            try:
                number = float(value.strip())
            except ValueError:
                self.problem(field, f"expected a number, got text {clean_line(value, 40)!r}")
                return None
            self.problem(field, "number written as text")
            return int(number) if number.is_integer() else number
        self.problem(field, f"expected a number, got {type(value).__name__}")
        return None

    def when(self, value: Any, field: str) -> datetime | None:
        """A date or date-time, always UTC; naive ones are read as UTC."""
        if value is None:
            return None
        try:
            return _to_utc(value)
        except (ValueError, OverflowError, TypeError) as error:
            shown = clean_line(str(value), 40) if isinstance(value, str) else type(value).__name__
            self.problem(field, f"unreadable date {shown!r}" if shown else str(error))
            return None

    def strings(self, key: str) -> tuple[str, ...]:
        """A list of one-line strings; a lone string becomes a list of one."""
        value = self.mapping.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            self.problem(key, "expected a list, got text")
            value = [value]
        if not isinstance(value, list):
            self.problem(key, f"expected a list, got {type(value).__name__}")
            return ()
        if any(v is None for v in value):
            self.problem(key, "null entry in the list (dropped)")
        items = (self.text(f"{key}[{i}]", v) for i, v in enumerate(value) if v is not None)
        return tuple(item for item in items if item)


def _to_utc(value: Any) -> datetime:
    """A YAML date, date-time, epoch number or date text as an aware UTC date-time;
    raises when it is none of these or out of range."""
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        try:
            return value.astimezone(UTC)
        except OverflowError:  # year 1 or 9999 with an offset: keep the wall time
            return value.replace(tzinfo=UTC)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day, tzinfo=UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        if not 0 < value < 32_503_680_000:
            raise ValueError(f"epoch seconds out of range: {value}")
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        text = clean_line(value, 100)
        if not text or not any(c.isdigit() for c in text):
            raise ValueError(f"unreadable date {text!r}")
        from dateutil import parser as dateparser  # only dates written as text need it

        return _to_utc(dateparser.parse(text))
    raise TypeError(f"expected a date, got {type(value).__name__}")


def _from_mapping(mapping: Any, article_id: str, problems: list[Problem]) -> Article:
    """The Article a loaded front matter describes; a non-mapping is refused."""
    if not isinstance(mapping, dict):
        kind = "empty" if mapping is None else f"a {type(mapping).__name__}"
        raise _Refused(f"front matter is {kind}, not a mapping of fields")
    f = _Fields(mapping, article_id, problems)
    title = f.text("title")
    if not title:
        f.problem("title", "missing or empty")
    if "publishedDateTime" not in mapping:
        f.problem("publishedDateTime", "missing")
    provider, domain = _provider(f)
    file_published = _published(f)
    return Article(
        id=article_id,
        kind="frontmatter",
        title=title,
        excerpt=f.text("excerpt"),
        published_at=f.when(mapping.get("publishedDateTime"), "publishedDateTime"),
        provider=provider,
        domain=domain,
        topics=f.strings("topics"),
        quality=f.number("quality"),
        heat=f.number("heat"),
        type=f.text("type") or "article",
        web_url=f.text("webUrl"),
        original_url=f.text("originalUrl"),
        video_url=_video_url(f),
        images=_images(f),
        related=_related(f),
        secured=f.text("secured"),
        file_published=file_published,
        has_published_key="published" in mapping,
        problems=tuple(problems),
    )


def _provider(f: _Fields) -> tuple[str, str]:
    """The provider's name and domain, from a mapping or a bare name."""
    value = f.mapping.get("provider")
    if isinstance(value, dict):
        return f.text("provider.name", value.get("name")), f.text(
            "provider.domain", value.get("domain")
        )
    if isinstance(value, str):
        return clean_line(value), ""
    if value is not None:
        f.problem("provider", f"expected a mapping, got {type(value).__name__}")
    return "", ""


def _published(f: _Fields) -> bool | None:
    """`published:` as Jekyll reads it: only a YAML boolean false unpublishes."""
    if "published" not in f.mapping:
        return None
    value = f.mapping["published"]
    if value is None:
        f.problem("published", "empty value: Jekyll leaves a dead link")
        return None
    if isinstance(value, bool):
        return value
    shown = clean_line(value, 40) if isinstance(value, str) else repr(value)[:40]
    f.problem("published", f"{shown!r} is not a boolean: Jekyll treats it as true and publishes")
    return True


def _video_url(f: _Fields) -> str:
    """The video's link: the `src` of the iframe in `featuredContent`, if any."""
    html = f.mapping.get("featuredContent")
    if not isinstance(html, str):
        return ""
    match = _IFRAME_SRC.search(html[:10_000])
    return clean_line(match.group(1)) if match else ""


def _images(f: _Fields) -> tuple[str, ...]:
    """The images' URLs (a list of mappings or of strings); an entry with none is a problem."""
    value = f.mapping.get("images")
    if value is None:
        return ()
    if not isinstance(value, list):
        f.problem("images", f"expected a list, got {type(value).__name__}")
        return ()
    urls = []
    for i, item in enumerate(value[:1000]):
        url = item.get("url") if isinstance(item, dict) else item
        if isinstance(url, str) and url.strip():
            urls.append(clean_line(url))
        else:
            f.problem(f"images[{i}]", "no url")
    return tuple(urls)


def _related(f: _Fields) -> tuple[RelatedLink, ...]:
    """The `related` list as RelatedLinks, at most MAX_RELATED; bad entries are problems."""
    value = f.mapping.get("related")
    if value is None:
        return ()
    if isinstance(value, dict):
        f.problem("related", "expected a list, got a mapping (read as one item)")
        value = [value]
    if not isinstance(value, list):
        f.problem("related", f"expected a list, got {type(value).__name__}")
        return ()
    if len(value) > MAX_RELATED:
        f.problem("related", f"{len(value):,} items: only the first {MAX_RELATED:,} are kept")
    links = []
    for i, item in enumerate(value[:MAX_RELATED]):
        if not isinstance(item, dict):
            f.problem(f"related[{i}]", f"expected a mapping, got {type(item).__name__}")
            continue
        sub = _Fields(item, f.id, f.problems)
        provider = item.get("provider")
        name, domain = provider, None
        if isinstance(provider, dict):
            name, domain = provider.get("name"), provider.get("domain")
        links.append(
            RelatedLink(
                title=sub.text(f"related[{i}].title", item.get("title")),
                excerpt=sub.text(f"related[{i}].excerpt", item.get("excerpt")),
                url=sub.text(f"related[{i}].webUrl", item.get("webUrl") or item.get("originalUrl")),
                provider=sub.text(f"related[{i}].provider", name),
                domain=sub.text(f"related[{i}].provider.domain", domain),
                published_at=sub.when(item.get("publishedDateTime"), f"related[{i}].date"),
                quality=sub.number(f"related[{i}].quality", item.get("quality")),
            )
        )
    return tuple(links)


def _press_release(text: str, article_id: str, problems: list[Problem], truncated: bool) -> Article:
    """A plain-text release: title line, `Tags:` and `Date:` lines (at least one), then the
    body; text with neither is refused as not an article."""
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        raise _Refused("empty file, not an article")
    title = clean_line(lines[first], 500)
    body_start, when = first + 1, None
    tags: tuple[str, ...] = ()
    fields = _Fields({}, article_id, problems)
    seen_date = seen_tags = False
    for i in range(first + 1, min(first + HEAD_LINES, len(lines))):
        if date_match := _DATE_LINE.match(lines[i]):
            seen_date = True
            when = fields.when(date_match.group(1).strip() or None, "date")
            body_start = i + 1
        elif tag_match := _TAGS_LINE.match(lines[i]):
            seen_tags = True
            tags = tuple(t for t in (clean_line(p) for p in tag_match.group(1).split("/")) if t)
            body_start = i + 1
    if not (seen_date or seen_tags):  # a README or notes: no article at all
        raise _Refused(NOT_AN_ARTICLE)
    if not seen_date:
        problems.append(Problem(article_id, "date", "no `Date:` line"))
    if not title:
        problems.append(Problem(article_id, "title", "missing or empty"))
    if truncated:
        problems.append(Problem(article_id, "body", f"longer than {READ_LIMIT >> 20} MiB: cut"))
    return Article(
        id=article_id,
        kind="press",
        title=title,
        body=clean_text("\n".join(lines[body_start:])),
        published_at=when,
        topics=tags,
        type="press release",
        problems=tuple(problems),
    )

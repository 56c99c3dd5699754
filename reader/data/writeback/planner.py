"""Plan the `published:` edits and show each as a diff: reads article files, writes nothing."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Literal

from reader.data.article import Article, Decision, Problem
from reader.data.clean import clean_line, escape_name
from reader.data.decisions.events import Side
from reader.data.decisions.store import FileWrite
from reader.data.files import lineedit
from reader.data.files.parse import head_of, parse_bytes
from reader.data.files.safefile import Folder, Unsafe, digest

if TYPE_CHECKING:
    from reader.data.site.live import SiteStates
    from reader.data.writeback.host import Host

CONTEXT = 3
"""Lines of context around a change in a diff."""
PRESS_WHY = "a plain-text press release has no published: line to write"
"""Why a decision on a press release (a file with no front matter) is never written."""


@dataclass(frozen=True, slots=True)
class Edit:
    """One file to change: its `published:` line replaced, or one line added."""

    id: str
    decision: Decision
    reason: str | None
    line: lineedit.LineEdit
    line_no: int
    """1-based number of the changed (or added) line."""
    old_value: str
    """What the old line said (`''` when the line is added)."""
    before: tuple[bytes, ...]
    """Up to CONTEXT lines before the change, with their line endings."""
    after: tuple[bytes, ...]
    """Up to CONTEXT lines after the change."""
    mtime_ns: int
    size: int
    old_digest: str
    """Digest of the whole file as planned; the file must still match it when written."""
    new_digest: str

    @property
    def value(self) -> bool:
        """The value written: true for publish, false for skip (a cleared article gets no edit)."""
        return self.decision is Decision.PUBLISHED

    @property
    def inserted(self) -> bool:
        """Whether the line is added (the file had no `published:` key)."""
        return not self.line.old_line

    def file_write(self) -> FileWrite:
        """The entry the store journals for this edit."""
        line = self.line
        return FileWrite(
            self.id, self.decision.value, line.offset, line.old_line, line.new_line,
            self.old_digest, self.new_digest,
        )  # fmt: skip

    @property
    def summary(self) -> str:
        """`published: false -> true`, or `added published: false`."""
        new = "true" if self.value else "false"
        if self.inserted:
            return f"added published: {new}"
        return f"published: {escape_name(self.old_value) or '(empty)'} -> {new}"


GONE_WHY = "decided, but the file is gone (newsreader decide ID clear forgets it)"
"""Why a decision whose file is gone is not written."""


@dataclass(frozen=True, slots=True)
class Skipped:
    """A decision that could not be written into its file; it stays in the store."""

    id: str
    decision: Decision
    code: str
    """`press`, `encoding`, `changed`, `symlink`, `hardlink`, `owner`, `missing`,
    `unreadable`, `verify`, `failed`, `gone`, `conflict` (editors of the desk decided it
    differently: resolved by deciding it again), or `site`: the site's rules keep the file
    from what was decided whatever its `published:` line says (a date in the future, no
    front matter Jekyll reads, `unpublished: true`...)."""
    why: str


@dataclass
class Plan:
    """What `apply` would do: the edits, and the decisions it cannot write."""

    edits: list[Edit] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    undecided: list[str] = field(default_factory=list)
    """Articles the editor made undecided whose file reads as live (`published: true`, or
    no key): nothing is written for them, so the site goes on publishing them. Not a
    failure: only worth a note."""


# -- what the file says ------------------------------------------------------------------


def in_sync(article: Article, decision: Decision) -> bool:
    """Whether the file already reads as decided, as Jekyll reads it.

    No `published:` key is live (true). Only a boolean counts as said: an empty or
    non-boolean value is rewritten whatever Jekyll makes of it. Undecided is no value to
    write, so any file is in sync with it (clearing a decision never edits a file).
    """
    if decision is Decision.UNDECIDED:
        return True
    value = decision is Decision.PUBLISHED
    if not article.has_published_key:
        return value
    if article.file_published is None or any(p.field == "published" for p in article.problems):
        return False
    return article.file_published is value


# -- plan --------------------------------------------------------------------------------


def plan(library: Host, verify: bool = True, site: SiteStates | None = None,
         now: datetime | None = None) -> Plan:
    """Every editor decision its file does not say yet, as an edit or a reason why not.

    Reads each such file in full and (unless `verify` is False: `apply` verifies again
    anyway) checks its edit; writes nothing. A decision whose file is gone from the folder
    (not found again renamed) cannot be written: it is skipped, and says so; files in sync
    are left out. An article made undecided is never edited
    (its file stays as it is; an earlier apply's line comes back only by undoing that
    apply): it is only noted in `Plan.undecided` when its file reads as live.

    With a SITE (its rules found), a file is in sync when Jekyll already does with it what
    was decided under those rules, at NOW; otherwise its line says so outright (a
    `published: true` where a default says false), and where no line can (see
    `site.state.blocked_by`) the decision is skipped with code `site` and the rule that
    stands in the way.
    """
    found = Plan()
    judge: _Judge = _file_judge
    if site is not None and site.rules is not None:
        judge = _SiteJudge(library, site, now or datetime.now().astimezone())
    links = {p.path for p in library.skipped if "symbolic link" in p.why}
    conflicts = library.store.conflicts()
    with Folder(library.root) as folder:
        for article_id, (decision, reason) in sorted(library.store.editor_decisions().items()):
            if article_id in conflicts:
                found.skipped.append(Skipped(article_id, decision, "conflict",
                                             conflict_why(conflicts[article_id])))
                continue
            if decision is Decision.UNDECIDED:
                if _left_live(library, article_id, judge):
                    found.undecided.append(article_id)
                continue
            item = _plan_one(library, folder, article_id, decision, reason, links, verify, judge)
            if isinstance(item, Edit):
                found.edits.append(item)
            elif item is not None:
                found.skipped.append(item)
    return found


def conflict_why(sides: Sequence[Side]) -> str:
    """Why a conflicted article is not written: who decided what, and how to resolve it."""
    said = "; ".join(f"{s.editor or 'you'}: {s.state or 'as its file says'}" for s in sides)
    return (f"editors decided it differently ({clean_line(said)}): decide it again to resolve "
            "the conflict, then apply")


_Judge = Callable[[Article, Decision], "bool | str"]
"""Whether an article's file does what was decided already (True), needs its line written
(False), or cannot be made to by any line (why not)."""


def _file_judge(article: Article, decision: Decision) -> bool | str:
    """With no site: whether the file says the decision, as `in_sync` reads it."""
    return in_sync(article, decision)


class _SiteJudge:
    """Under a site's rules: whether Jekyll does what was decided with the file already,
    from what the index keeps of it (no file is read)."""

    def __init__(self, library: Host, site: SiteStates, now: datetime) -> None:
        """Judge LIBRARY's articles under SITE's rules at NOW."""
        self.library, self.site, self.now = library, site, now

    def __call__(self, article: Article, decision: Decision) -> bool | str:
        """True: in sync; False: write the decision's line; text: no line can do it."""
        from reader.data.files.jekyll import from_record
        from reader.data.site.state import blocked_by, value_to_write

        if decision is Decision.UNDECIDED:
            return True
        assert self.site.rules is not None
        ((_, _, record),) = self.library.index.jekyll_records([article.id])
        front, rel = from_record(record), self.site.rel_path(article.id)
        publish = decision is Decision.PUBLISHED
        why = blocked_by(self.site.rules, rel, front, publish, self.now)
        if why is not None:
            wanted = "puts it on the site" if publish else "takes it off the site"
            return f"no published: line {wanted}: {why}"
        return value_to_write(self.site.rules, rel, front, publish, self.now) is None

    def live(self, article: Article) -> bool:
        """Whether Jekyll makes a page of the article now."""
        record = self.library.index.jekyll_records([article.id])
        return self.site.state(article.id, next(record)[2], self.now).live


def _left_live(library: Host, article_id: str, judge: _Judge) -> bool:
    """Whether an article in the folder (not a press release) is live: by its file, or under
    the site's rules."""
    if library.index.stamp(article_id) is None:
        return False
    article = library.article(article_id)
    if article is None or article.kind == "press":
        return False
    if isinstance(judge, _SiteJudge):
        return judge.live(article)
    return judge(article, Decision.PUBLISHED) is True


def _plan_one(
    library: Host,
    folder: Folder,
    article_id: str,
    decision: Decision,
    reason: str | None,
    links: set[str],
    verify: bool,
    judge: _Judge = _file_judge,
) -> Edit | Skipped | None:
    """One decision's edit, why it cannot be made (Skipped: its file is gone, say), or None
    when its file already says it (a press release never does: it has no `published:`
    line)."""
    stamp = library.index.stamp(article_id)
    if stamp is None:
        if article_id in links:
            return Skipped(article_id, decision, "symlink", "symbolic link: not followed")
        return Skipped(article_id, decision, "gone", GONE_WHY)
    try:  # read once: the same bytes are judged, checked against the index and edited
        data, st = folder.read(article_id)
    except Unsafe as refused:
        return _refused(library, article_id, decision, judge, refused)
    head, whole = head_of(data), digest(data)
    changed = (st.st_mtime_ns, st.st_size, whole if head is data else digest(head)) != stamp
    # Bytes as indexed: the index's parse of them is what a parse here would make, and
    # parsing every decided file again would cost more than the rest of the plan.
    article = parse_bytes(head, article_id) if changed else library.index.known(article_id)
    skip = _judged(article_id, article, decision, judge)
    if skip is None or (skip is not True and not changed):
        return skip
    if changed:
        return Skipped(article_id, decision, "changed",
                       "changed on disk since it was indexed: rescan first")
    try:
        value = decision is Decision.PUBLISHED
        line = lineedit.published_edit(data, value)
        new = lineedit.verify(data, line, value) if verify else line.apply(data)
    except (Unsafe, lineedit.Refused) as refused:
        return Skipped(article_id, decision, refused.code, refused.why)
    before, after = _context(data, line)
    return Edit(
        article_id, decision, reason, line, data.count(b"\n", 0, line.offset) + 1,
        lineedit.old_value(line), before, after, st.st_mtime_ns, st.st_size,
        whole, digest(new),
    )  # fmt: skip


def _judged(article_id: str, article: Article | Problem | None, decision: Decision,
            judge: _Judge) -> Literal[True] | Skipped | None:
    """True when the article's line is to be written; else why not (Skipped), or None when
    its file already does what was decided."""
    if not isinstance(article, Article):
        return Skipped(article_id, decision, "unreadable", "not an article (see `check`)")
    if article.kind == "press":  # whatever was decided, there is no line to write it in
        return Skipped(article_id, decision, "press", PRESS_WHY)
    synced = judge(article, decision)
    if isinstance(synced, str):
        return Skipped(article_id, decision, "site", synced)
    return None if synced else True


def _refused(library: Host, article_id: str, decision: Decision, judge: _Judge,
             refused: Unsafe) -> Skipped | None:
    """A file the folder will not write through (a hard link, say): skipped with why, unless
    it already does what was decided (judged as `Library.article` reads it)."""
    skip = _judged(article_id, library.article(article_id), decision, judge)
    if skip is not True:
        return skip
    return Skipped(article_id, decision, refused.code, refused.why)


def _context(data: bytes, line: lineedit.LineEdit) -> tuple[tuple[bytes, ...], tuple[bytes, ...]]:
    """Up to CONTEXT whole lines before and after the changed one (without reading more)."""
    start = line.offset
    for _ in range(CONTEXT):
        if start > 0:
            start = data.rfind(b"\n", 0, start - 1) + 1
    end = line.offset + len(line.old_line)
    stop = end
    for _ in range(CONTEXT):
        if stop < len(data):
            found = data.find(b"\n", stop)
            stop = len(data) if found < 0 else found + 1
    split = re.compile(rb"(?<=\n)")
    before = [x for x in split.split(data[start : line.offset]) if x]
    after = [x for x in split.split(data[end:stop]) if x]
    return tuple(before), tuple(after)


# -- diff --------------------------------------------------------------------------------


def _show(line: bytes) -> str:
    """One file line as safe text: no line ending, controls as `\\xNN`."""
    text = line.rstrip(b"\r\n").decode("utf-8", "replace")
    return "".join(c if c == "\t" or c.isprintable() else escape_name(c) for c in text)


def diff(edit: Edit) -> str:
    """The edit as a unified diff (`--- a/ID`, `+++ b/ID`), safe to print or show.

    File text is untrusted: controls in it come out as `\\xNN`. A line that ends in
    CRLF keeps no mark of it; the header says `(CRLF)` when the changed line has one.
    """
    name = escape_name(edit.id)
    first = edit.line_no - len(edit.before)
    old = [edit.line.old_line] if edit.line.old_line else []
    count_old = len(edit.before) + len(old) + len(edit.after)
    count_new = len(edit.before) + 1 + len(edit.after)
    crlf = "  (CRLF)" if edit.line.new_line.endswith(b"\r\n") else ""
    out = [f"--- a/{name}", f"+++ b/{name}{crlf}"]
    out.append(f"@@ -{first},{count_old} +{first},{count_new} @@")
    out += [" " + _show(line) for line in edit.before]
    out += ["-" + _show(line) for line in old]
    out.append("+" + _show(edit.line.new_line))
    out += [" " + _show(line) for line in edit.after]
    if edit.after and not edit.after[-1].endswith(b"\n"):
        out.append("\\ No newline at end of file")
    return "\n".join(out) + "\n"

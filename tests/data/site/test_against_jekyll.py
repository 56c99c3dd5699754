"""reader.data.site against the real thing: Debian's `jekyll build` on a small site.

Each test builds a site in tmp_path with one article per case, runs Jekyll (offline, no theme,
no plugins), and checks that the pages it wrote and the items it listed in `site.news` are
exactly those `effective_state` predicts; then writes what `value_to_write` says for a mix
of decisions and checks the next build again.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from reader.data.site import (
    EffectiveState,
    blocked_by,
    effective_state,
    find_site,
    read_as_jekyll,
    value_to_write,
)

JEKYLL = shutil.which("jekyll")
pytestmark = pytest.mark.skipif(
    JEKYLL is None,
    reason="jekyll is not on PATH: install Debian's package (apt-get install jekyll) to "
    "compare newsreader's idea of what is live with a real build",
)
BUILD_TIMEOUT = 120

CONFIG = """\
timezone: UTC
collections:
  news:
    output: {output}
    future: true
{extra}
defaults:
  - scope: {{path: "_news/dflt"}}
    values: {{published: false}}
  - scope: {{path: "/_news/slash"}}
    values: {{published: false}}
  - scope: {{path: "_news/glob-*"}}
    values: {{published: false}}
  - scope: {{path: "_news/spec"}}
    values: {{published: false}}
  - scope: {{path: "_news/spec/deeper"}}
    values: {{published: true}}
  - scope: {{path: "_news/tie"}}
    values: {{published: true}}
  - scope: {{path: "_news/tie"}}
    values: {{published: false}}
  - scope: {{path: "_news/typed", type: news}}
    values: {{published: false}}
  - scope: {{path: "_news/typed"}}
    values: {{published: true}}
  - scope: {{type: news}}
    values: {{layout: none}}
  - scope: {{path: "pg"}}
    values: {{published: false}}
"""
INDEX = "---\n---\n{% for a in site.news %}{{ a.relative_path }}\n{% endfor %}"

FM = "---\n{}\n---\nBody.\n"
CASES: dict[str, bytes] = {
    "true.md": FM.format("published: true").encode(),
    "false.md": FM.format("published: false").encode(),
    "missing.md": FM.format("title: no key").encode(),
    "string-false.md": FM.format('published: "false"').encode(),
    "single-quoted.md": FM.format("published: 'false'").encode(),
    "yes.md": FM.format("published: yes").encode(),
    "no.md": FM.format("published: no").encode(),
    "off.md": FM.format("published: off").encode(),
    "mixed-case.md": FM.format("published: fAlSe").encode(),
    "empty.md": FM.format("published:").encode(),
    "zero.md": FM.format("published: 0").encode(),
    "dots.md": b"---\ntitle: closed by dots\npublished: false\n...\nBody.\n",
    "dots-live.md": b"---\ntitle: closed by dots\n...\nBody.\n",
    "crlf.md": b"---\r\npublished: false\r\n---\r\nBody.\r\n",
    "cr-only.md": b"---\rpublished: false\r---\rBody.\r",
    "bom.md": b"\xef\xbb\xbf---\npublished: false\n---\nBody.\n",
    "blank-first.md": b"\n---\npublished: false\n---\nBody.\n",
    "unclosed.md": b"---\npublished: false\nBody.\n",
    "yaml-error.md": FM.format("title: [unclosed\npublished: false").encode(),
    "symbol.md": FM.format("title: :-) good news\npublished: false").encode(),
    "list.md": FM.format("- a\n- b").encode(),
    "future-date.md": FM.format("date: 2099-01-01").encode(),
    "2099-01-01-filename-date.md": FM.format("title: dated by name").encode(),
    "2001-01-01-past-name.md": FM.format("date: 2099-05-05").encode(),
    "future-pdt.md": FM.format("publishedDateTime: 2099-01-01T00:00:00Z").encode(),
    "future-false.md": FM.format("date: 2099-01-01\npublished: false").encode(),
    "dflt.md": FM.format("title: default says false").encode(),
    "dflt-own-true.md": FM.format("published: true").encode(),
    "dflt-empty.md": FM.format("published:").encode(),
    "dflt-yaml-error.md": FM.format("title: [unclosed").encode(),
    "slash.md": FM.format("title: scope with a leading slash").encode(),
    "glob-a.md": FM.format("title: globbed").encode(),
    "spec.md": FM.format("title: specific").encode(),
    "spec/deeper.md": FM.format("title: more specific").encode(),
    "tie.md": FM.format("title: later wins").encode(),
    "typed.md": FM.format("title: the typed scope wins").encode(),
    "newsletter-sub.md": FM.format("title: x").encode(),
    "press.txt": b"A press release\nDate: 2024-01-01\nTags: x\n\nBody.\n",
    "_underscore.md": FM.format("title: skipped").encode(),
    "not-utf8.html": b"---\ntitle: caf\xe9\n---\nBody.\n",
}
OUTSIDE = {
    "_newsletter/x.md": FM.format("title: not a collection").encode(),
    "pg/default-false.md": FM.format("title: a page's default is not read").encode(),
    "pg/own-false.md": FM.format("published: false").encode(),
    "pg/2099-01-01-future.md": FM.format("date: 2099-01-01").encode(),
    "pg/yaml-error.md": FM.format("title: [unclosed").encode(),
    "pg/plain.txt": b"no front matter\n",
}


def build_site(root: Path, cases: dict[str, bytes], output: bool = True, extra: str = "") -> None:
    """Write the site: config, index page, one file per case under `_news/`."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text(CONFIG.format(output=str(output).lower(), extra=extra))
    (root / "index.html").write_text(INDEX)
    for name, data in {**{f"_news/{k}": v for k, v in cases.items()}, **OUTSIDE}.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)


def jekyll_build(root: Path) -> subprocess.CompletedProcess[str]:
    """`jekyll build --safe` in ROOT, offline, in UTC."""
    assert JEKYLL is not None
    env = {**os.environ, "TZ": "UTC", "LANG": "C.UTF-8", "JEKYLL_ENV": "production"}
    return subprocess.run(
        [JEKYLL, "build", "--safe", "--quiet", "--source", str(root),
         "--destination", str(root / "_site")],
        cwd=root, env=env, capture_output=True, text=True, timeout=BUILD_TIMEOUT, check=False,
    )  # fmt: skip


def predict(root: Path, folder: str = "_news") -> dict[str, EffectiveState]:
    """effective_state for every file of the site's FOLDER."""
    lookup = find_site(root / folder)
    assert lookup.rules is not None, lookup.summary
    now = datetime.now(UTC)
    states = {}
    for path in sorted((root / folder).rglob("*")):
        if path.is_file():
            rel = path.relative_to(root).as_posix()
            states[rel] = effective_state(lookup.rules, rel, read_as_jekyll(path.read_bytes()), now)
    return states


def outcome(root: Path) -> tuple[set[str], set[str]]:
    """What Jekyll did: the paths it listed in site.news, and the files it wrote under news/."""
    listed = set((root / "_site" / "index.html").read_text().split())
    news = root / "_site" / "news"
    written = {p.relative_to(news).as_posix() for p in news.rglob("*") if p.is_file()}
    return listed, written


def expected(states: dict[str, EffectiveState]) -> tuple[set[str], set[str]]:
    """What the states predict, in `outcome`'s terms."""
    listed = {rel for rel, s in states.items() if s.listed}
    written = set()
    for rel, state in states.items():
        inner = rel.removeprefix("_news/")
        if state.written:
            written.add(re.sub(r"\.(md|markdown)$", ".html", inner))
        elif state.copied:
            written.add(inner)
    return listed, written


def check_build(root: Path) -> dict[str, EffectiveState]:
    """Build ROOT and assert Jekyll did exactly what was predicted; return the predictions."""
    states = predict(root)
    result = jekyll_build(root)
    if any(s.stops_build for s in states.values()):
        assert result.returncode != 0, "predicted a stopped build, but Jekyll finished"
        return states
    assert result.returncode == 0, result.stderr[-2000:]
    listed, written = outcome(root)
    want_listed, want_written = expected(states)
    assert listed == want_listed, _diff("listed", listed, want_listed, states)
    assert written == want_written, _diff("written", written, want_written, states)
    return states


def _diff(what: str, got: set[str], want: set[str], states: dict[str, EffectiveState]) -> str:
    """Which files differ, with the prediction's reason."""
    lines = [f"{what}: jekyll only {sorted(got - want)}, predicted only {sorted(want - got)}"]
    lines += [f"  {rel}: {s}" for rel, s in states.items()]
    return "\n".join(lines)


def test_each_form_of_published_and_each_rule(tmp_path: Path) -> None:
    """The base site: every case listed and written exactly as predicted."""
    build_site(tmp_path, CASES)
    states = check_build(tmp_path)
    # Spot checks of what the build showed, so a change in Jekyll is named, not only counted.
    assert states["_news/string-false.md"].written  # a string "false" is true to Ruby
    assert states["_news/empty.md"].listed and not states["_news/empty.md"].written
    assert not states["_news/mixed-case.md"].listed  # Psych reads fAlSe as false
    assert states["_news/dots.md"].kind == "document" and not states["_news/dots.md"].listed
    assert states["_news/cr-only.md"].kind == "static" and states["_news/cr-only.md"].copied
    assert states["_news/bom.md"].kind == "static"
    assert states["_news/yaml-error.md"].written  # the error is skipped past; no default
    assert states["_news/future-pdt.md"].written  # publishedDateTime is not Jekyll's date
    assert not states["_news/2099-01-01-filename-date.md"].written
    assert states["_news/future-date.md"].listed


def test_unpublished_and_future_true(tmp_path: Path) -> None:
    """`unpublished: true` and `future: true` publish what the base site holds back."""
    build_site(tmp_path, CASES, extra="unpublished: true\nfuture: true")
    states = check_build(tmp_path)
    assert states["_news/false.md"].written and states["_news/future-date.md"].written


def test_collection_output_false(tmp_path: Path) -> None:
    """With `output: false` nothing under news/ is written, but the list stays."""
    build_site(tmp_path, CASES, output=False)
    states = check_build(tmp_path)
    assert not any(s.written or s.copied for s in states.values())


@pytest.mark.parametrize(
    ("name", "data", "extra"),
    [
        ("yaml-error.md", CASES["yaml-error.md"], "strict_front_matter: true"),
        ("bad-date.md", FM.format("date: not a date").encode(), ""),
        ("2024-13-45-bad-name.md", FM.format("title: x").encode(), ""),
        ("not-utf8.md", b"---\ntitle: caf\xe9\n---\nBody.\n", ""),
    ],
)
def test_what_stops_the_build(tmp_path: Path, name: str, data: bytes, extra: str) -> None:
    """A file Jekyll stops on (with strict_front_matter, a bad date, Markdown that is not
    UTF-8) is predicted to stop it, and the rest of the site is then not the point."""
    build_site(tmp_path, {"true.md": CASES["true.md"], name: data}, extra=extra)
    states = check_build(tmp_path)
    assert states[f"_news/{name}"].stops_build, states[f"_news/{name}"]


def test_not_utf8_markdown_under_a_false_default_does_not_stop(tmp_path: Path) -> None:
    """Jekyll only converts listed documents: unlisted, a non-UTF-8 file is harmless."""
    build_site(tmp_path, {"dflt-latin1.md": b"---\ntitle: caf\xe9\n---\nBody.\n"})
    states = check_build(tmp_path)
    assert not states["_news/dflt-latin1.md"].stops_build


def set_published(data: bytes, value: bool) -> bytes:
    """DATA with its `published:` line replaced, or one added after the opening `---`."""
    line = b"published: " + (b"true" if value else b"false")
    eol = b"\r\n" if data.startswith(b"---\r\n") else b"\n"
    new, count = re.subn(rb"(?m)^published:[^\r\n]*", line, data, count=1)
    if count:
        return new
    first = data.index(b"\n") + 1
    return data[:first] + line + eol + data[first:]


def test_apply_a_mix_of_decisions(tmp_path: Path) -> None:
    """Write what value_to_write says for a mix of decisions and rebuild: each file is as
    decided, except those blocked_by names, which stay otherwise even with the line written."""
    build_site(tmp_path, CASES)
    lookup = find_site(tmp_path)
    assert lookup.rules is not None
    now = datetime.now(UTC)
    decisions = {name: index % 2 == 0 for index, name in enumerate(sorted(CASES))}
    decisions |= {"future-date.md": True, "empty.md": True, "dflt.md": True, "false.md": True}
    decisions |= {"string-false.md": False, "missing.md": False, "yes.md": False}
    blocked: dict[str, str] = {}
    for name, publish in decisions.items():
        rel, path = f"_news/{name}", tmp_path / "_news" / name
        front = read_as_jekyll(path.read_bytes())
        if (why := blocked_by(lookup.rules, rel, front, publish, now)) is not None:
            blocked[rel] = why
            if front.has_front_matter and not front.error and not front.unclosed:
                path.write_bytes(set_published(path.read_bytes(), publish))
            continue
        value = value_to_write(lookup.rules, rel, front, publish, now)
        if value is not None:
            path.write_bytes(set_published(path.read_bytes(), value))
    states = check_build(tmp_path)
    listed, written = outcome(tmp_path)
    for name, publish in decisions.items():
        rel = f"_news/{name}"
        page = re.sub(r"\.(md|markdown)$", ".html", name)
        gone = page not in written and name not in written and rel not in listed
        rendered = page in written and states[rel].kind == "document"  # not a copy as it is
        as_decided = rendered if publish else gone
        assert as_decided is (rel not in blocked), (rel, publish, blocked.get(rel), states[rel])
    assert "_news/future-date.md" in blocked and "_news/cr-only.md" in blocked


def test_pages_outside_collections(tmp_path: Path) -> None:
    """A folder without `_` holds pages: never listed, only their own `published: false`
    holds them back (Jekyll 4.3 skips a page's defaults there), and no date check."""
    build_site(tmp_path, {"true.md": CASES["true.md"]})
    states = predict(tmp_path, "pg")
    assert jekyll_build(tmp_path).returncode == 0
    site = tmp_path / "_site"
    written = {p.relative_to(site).as_posix() for p in (site / "pg").rglob("*") if p.is_file()}
    want = {
        re.sub(r"\.md$", ".html", rel) if s.written else rel
        for rel, s in states.items()
        if s.written or s.copied
    }
    assert written == want, states
    assert not any(s.listed for s in states.values())
    assert states["pg/default-false.md"].written and not states["pg/own-false.md"].written

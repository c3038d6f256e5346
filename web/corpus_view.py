"""What the page shows about the indexed corpus (Articles view, Index panel, examples, filters),
read through the index's public snapshot so the page never touches index files itself."""

from __future__ import annotations

import html
import logging
import re
import threading
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from assistant import quoted
from assistant.render import safe_link
from index.reader import Snapshot

log = logging.getLogger("dossier.web")
MAX_ROWS = 500
EXAMPLES = 4
PEOPLE = 2  # of the examples, at most this many ask what a much-quoted person said


@dataclass(frozen=True)
class ArticleRow:
    article_id: str
    title: str
    outlet: str
    published: str
    chunks: int


@dataclass(frozen=True)
class CorpusSummary:
    articles: int
    outlets: list[tuple[str, int]]  # (outlet, article count), most articles first
    first: str | None
    last: str | None
    undated: int

    def range_text(self) -> str:
        if not self.first:
            return "no dated articles"
        text = f"{self.first} to {self.last}"
        return text + (f" ({self.undated} undated)" if self.undated else "")


def rows(snap: Snapshot) -> list[ArticleRow]:
    """Every article, newest first (undated last)."""
    counts = Counter(c.article_id for c in snap.chunks)
    out = [ArticleRow(a.article_id, a.meta.title or "Untitled", a.meta.source or "unknown",
                      a.meta.published or "", counts.get(a.article_id, 0)) for a in snap.articles.values()]
    out.sort(key=lambda r: (r.published or "0000", r.title), reverse=True)
    return out


def summary(snap: Snapshot) -> CorpusSummary:
    all_rows = rows(snap)
    dates = sorted(r.published for r in all_rows if r.published)
    outlets = Counter(r.outlet for r in all_rows).most_common()
    return CorpusSummary(len(all_rows), outlets, dates[0] if dates else None, dates[-1] if dates else None,
                         sum(1 for r in all_rows if not r.published))


def filter_rows(all_rows: list[ArticleRow], query: str = "", outlets: list[str] | None = None,
                since: str | None = None, until: str | None = None) -> list[ArticleRow]:
    """Rows whose title contains every word of ``query`` (case-folded), in the outlets and dates given.
    ``since``/``until`` are ISO prefixes as ``web.dates.parse_date`` returns them."""
    words = query.casefold().split()[:20]
    keep = set(outlets or ())
    out = []
    for r in all_rows:
        if keep and r.outlet not in keep:
            continue
        if since and (not r.published or r.published[: len(since)] < since):
            continue
        if until and (not r.published or r.published[: len(until)] > until):
            continue
        title = r.title.casefold()
        if all(w in title for w in words):
            out.append(r)
    return out


def table(found: list[ArticleRow]) -> list[list]:
    return [[r.title, r.outlet, r.published or "undated", r.chunks] for r in found[:MAX_ROWS]]


_SUFFIX = re.compile(r"\s+[-|–—]\s+([^-|–—]{2,40})$")


_people_lock = threading.Lock()
_people_cache: dict[Path, list[str]] = {}


def quoted_people(snap: Snapshot, n: int = PEOPLE) -> list[str]:
    """The people the index's articles quote most, computed once per index generation
    (about a second and a half for 600 articles; a rebuild makes a new generation, so new names)."""
    key = snap.folder
    with _people_lock:
        if key not in _people_cache:
            try:
                found = quoted.most_quoted((a.text for a in snap.articles.values()), n)
            except Exception:  # noqa: BLE001  (no spaCy model: examples from titles only)
                log.warning("quoted people not computed", exc_info=True)
                found = []
            _people_cache.clear()  # only the live generation is asked about
            _people_cache[key] = found
        return list(_people_cache[key])


def example_questions(snap: Snapshot, n: int = EXAMPLES, people: list[str] | None = None) -> list[str]:
    """Questions about the most recent articles, from their titles (an outlet suffix dropped),
    alternating with "What did <person> say?" for the ``people`` given (the most quoted)."""
    asked = [f"What did {p} say?" for p in (people or [])]
    titles = _title_questions(snap, n)
    out: list[str] = []
    while len(out) < n and (titles or asked):
        for source in (titles, asked):
            if source and len(out) < n:
                out.append(source.pop(0))
    return out


def _title_questions(snap: Snapshot, n: int) -> list[str]:
    out: list[str] = []
    for r in rows(snap):
        title = " ".join(r.title.split())
        m = _SUFFIX.search(title)
        if m and m.group(1).strip().casefold() in (r.outlet.casefold(), r.outlet.casefold().split(".")[0]):
            title = title[: m.start()]
        title = title.strip(" .!:;")
        if len(title) < 12 or title == "Untitled":
            continue
        if len(title) > 90:
            title = title[:90].rsplit(" ", 1)[0] + "…"
        # A title that is a question is asked as it is; any other is asked about.
        q = title if title.endswith("?") else f"What do the articles report about “{title.rstrip('?')}”?"
        if q not in out:
            out.append(q)
        if len(out) == n:
            break
    return out


def ago(iso: str, now: datetime | None = None) -> str:
    """``2 hours ago (2026-11-25 09:12 UTC)`` for a build time."""
    try:
        when = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except (ValueError, AttributeError):
        return "at an unknown time"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    secs = max(0, int(((now or datetime.now(UTC)) - when).total_seconds()))
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if secs >= size:
            n = secs // size
            rel = f"{n} {unit}{'s' if n > 1 else ''} ago"
            break
    else:
        rel = "just now"
    return f"{rel} ({when:%Y-%m-%d %H:%M} UTC)"


def article_html(snap: Snapshot, article_id: str, start: int | None = None) -> str:
    """One article's cleaned text, escaped; the passage starting at ``start`` marked and targeted."""
    art = snap.articles.get(article_id)
    if art is None:
        return '<div class="src-empty">That article is not in the current index.</div>'
    m = art.meta
    text = art.text
    body = html.escape(text)
    if start is not None:
        chunk = next((c for c in snap.chunks if c.article_id == article_id and c.char_start == start), None)
        if chunk:
            body = (html.escape(text[: chunk.char_start]) + '<mark id="article-passage" class="passage">'
                    + html.escape(text[chunk.char_start : chunk.char_end]) + "</mark>"
                    + html.escape(text[chunk.char_end :]))
    link = safe_link(m.url)
    meta = [html.escape(m.source or "unknown outlet"), html.escape(m.published or "undated")]
    if link:
        meta.append(f'<a class="src-link" href="{html.escape(link[0], quote=True)}" target="_blank" '
                    f'rel="noopener noreferrer nofollow">{html.escape(link[1])}</a>')
    return (f'<article class="article-view"><h3><bdi>{html.escape(m.title or "Untitled")}</bdi></h3>'
            f'<div class="src-meta">{" · ".join(meta)}</div>'
            f'<div class="article-text">{body.replace(chr(10), "<br>")}</div></article>')

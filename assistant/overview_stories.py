"""The main stories of a period: its articles grouped by what they are about, the largest groups first.

Articles are represented by the mean of the vectors Chroma already stores for their
opening chunks (where news puts the story), so nothing is re-embedded; they are grouped
by average-linkage clustering on cosine distance, cut at a fixed distance so that
a story is a set of articles that are close on average, not a chain of neighbours.
"""

from __future__ import annotations

import calendar
import re
from collections import defaultdict

import numpy as np
from scipy.cluster.hierarchy import fcluster, linkage

from assistant.extractive import Composition
from assistant.overview_common import (
    MIN_WORDS,
    ArticleText,
    Citer,
    defang,
    passage_of,
    resolve_outlets,
    stored_vectors,
    within,
)
from assistant.overview_detect import OverviewRequest
from assistant.sentences import sentence_spans
from assistant.types import Filters
from index.reader import Snapshot

LEAD_CHUNKS = 2
CUT = 0.42  # cosine distance at which two groups stop being one story (MiniLM, measured on news)
TOP = 5
MAX_ARTICLES = 4000  # average linkage is quadratic in memory; beyond this use the newest


def period_filters(period: str, snapshot: Snapshot) -> tuple[str | None, str | None]:
    """A month ("in January 2017", "in February") or a year ("in 2016") as written, against the index:
    a month without a year is the latest such month the index has."""
    months = {m.casefold(): i for i, m in enumerate(calendar.month_name) if m}
    months.update({m.casefold(): i for i, m in enumerate(calendar.month_abbr) if m})
    words = re.findall(r"[A-Za-z]+|\d{4}", period or "")
    month = next((months[w.casefold()] for w in words if w.casefold() in months and len(w) >= 3), None)
    year = next((int(w) for w in words if w.isdigit()), None)
    if month and not year:
        dates = [a.meta.published for a in snapshot.articles.values() if a.meta.published]
        years = sorted({int(d[:4]) for d in dates if len(d) >= 7 and int(d[5:7]) == month})
        year = years[-1] if years else None
    if month and year:
        return f"{year:04d}-{month:02d}", f"{year:04d}-{month:02d}"
    if year:
        return f"{year:04d}", f"{year:04d}"
    return None, None


def _describe(filters: Filters) -> str:
    if filters.since and filters.until and filters.since == filters.until:
        return filters.since
    if filters.since and filters.until:
        return f"{filters.since} to {filters.until}"
    return f"since {filters.since}" if filters.since else (f"until {filters.until}" if filters.until else "")


def _lead_sentence(text: str, start: int, end: int) -> tuple[int, int] | None:
    """The first full sentence of the chunk, without a leading list dash or a "Label:" caption head."""
    for s, e in sentence_spans(text):
        if s >= start and e <= end and len(text[s:e].split()) >= MIN_WORDS:
            m = re.match(r"[\s\-–—•]*(?:[A-Z][\w' -]{0,40}:\s+)?", text[s:e])
            s += m.end() if m and len(text[s + m.end():e].split()) >= MIN_WORDS else 0
            return s, e
    return None


def main_stories(request: OverviewRequest, filters: Filters, snapshot: Snapshot,
                 article_text: ArticleText) -> Composition:
    if not (filters.since or filters.until):
        since, until = period_filters(request.period, snapshot)
        if not (since or until) and re.search(r"\w", request.period):
            return Composition(f"I cannot tell which dates \u201c{request.period}\u201d means: name a month "
                               "(\u201cin January 2017\u201d) or set the date filter.", [], [])
        filters = Filters(filters.sources, since, until, filters.article_ids)
    period = _describe(filters) or "the whole index"
    sources = resolve_outlets(filters.sources, snapshot) or filters.sources
    ids = [aid for aid, a in snapshot.articles.items()
           if within(filters, a.meta.published, a.meta.source, sources)
           and (not filters.article_ids or aid in filters.article_ids)]
    if not ids:
        return Composition(f"The index has no articles from {period}.", [], [])
    ids.sort(key=lambda aid: (snapshot.articles[aid].meta.published or "", aid), reverse=True)
    ids = ids[:MAX_ARTICLES]

    lead: dict[str, list] = defaultdict(list)
    for c in snapshot.chunks:
        if c.position < LEAD_CHUNKS:
            lead[c.article_id].append(c)
    ids = [aid for aid in ids if lead.get(aid)]
    vecs = stored_vectors(snapshot, [c.chunk_id for aid in ids for c in lead[aid]])
    matrix = []
    for aid in ids:
        v = np.mean([vecs[c.chunk_id] for c in lead[aid] if c.chunk_id in vecs], axis=0)
        matrix.append(v / (np.linalg.norm(v) or 1.0))
    x = np.asarray(matrix, dtype=np.float64)
    labels = (fcluster(linkage(x, method="average", metric="cosine"), t=CUT, criterion="distance")
              if len(ids) > 1 else np.ones(1, dtype=int))

    groups: dict[int, list[int]] = defaultdict(list)
    for i, g in enumerate(labels):
        groups[int(g)].append(i)
    # Largest first; among equals, the tighter story (articles closer to their centre).
    ranked = []
    for members in groups.values():
        centre = x[members].mean(axis=0)
        centre /= np.linalg.norm(centre) or 1.0
        sims = x[members] @ centre
        ranked.append((len(members), float(sims.mean()), members, sims))
    ranked.sort(key=lambda r: (-r[0], -r[1], ids[r[2][0]]))
    multi = [r for r in ranked if r[0] > 1]
    shown = (multi if len(multi) >= 3 else ranked)[:TOP]

    citer = Citer()
    lines = []
    for size, _, members, sims in shown:
        for j in np.argsort(-sims):  # the article nearest the story's centre that has a lead sentence
            aid = ids[members[int(j)]]
            chunk = min(lead[aid], key=lambda c: c.position)
            text = article_text(aid)
            span = _lead_sentence(text, chunk.char_start, chunk.char_end)
            if span:
                break
        else:
            continue
        n = citer.cite(passage_of(snapshot, chunk), span[0], span[1], text[span[0]:span[1]])
        outlets = sorted({snapshot.articles[ids[i]].meta.source for i in members if snapshot.articles[ids[i]].meta.source})
        dates = sorted(snapshot.articles[ids[i]].meta.published or "" for i in members)
        when = dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
        count = f"{size} article{'s' if size != 1 else ''}"
        lines.append(f"- {defang(text[span[0]:span[1]])} [{n}] ({count}; {when}; {', '.join(outlets[:5])}"
                     f"{'…' if len(outlets) > 5 else ''})")
    header = f"Main stories of {period} ({len(ids)} articles):"
    return Composition("\n".join([header, *lines]), citer.sentences, citer.citations)

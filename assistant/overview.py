"""Corpus-level answers: a dated timeline, the main stories of a period, outlets side by side, who said what.

Each answer is Markdown (bulleted lines or a table) built only from the articles' own
sentences, verbatim, every line ending with the marker of the passage it comes from.
``detect`` (in overview_detect) says whether a question wants one of these; ``answer``
makes it. The question parser supplies the filters (period, outlets).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from assistant.extractive import Composition, short_role
from assistant.overview_common import (
    ArticleText,
    Citer,
    EmbedQuery,
    KeySentence,
    Relevant,
    date_label,
    defang,
    key_sentences,
    near_duplicate,
    relevant_articles,
    resolve_outlets,
)
from assistant.overview_detect import OverviewRequest, detect
from assistant.overview_figures import side_by_side
from assistant.overview_stories import main_stories
from assistant.speakers import Person, attribute
from assistant.types import Filters
from index.reader import Snapshot

__all__ = ["OverviewRequest", "answer", "detect", "resolve_outlets", "resolved"]

TIMELINE_PASSAGES = 40
TIMELINE_MAX_ARTICLES = 12
PER_OUTLET_PASSAGES = 16
PER_OUTLET_LINES = 4
PER_OUTLET_ARTICLES = 3
STORY_MARGIN = 0.12
PERSPECTIVE_PASSAGES = 30
PERSPECTIVE_ROWS = 10
PERSPECTIVE_MARGIN = 0.2


def resolved(request: OverviewRequest, snapshot: Snapshot) -> OverviewRequest | None:
    """For an outlet comparison, the request with every side mapped to the index's outlets, or None
    when a side names no outlet of the index ("How did the two presidents' aides describe the call?")."""
    if request.kind != "outlet_comparison":
        return request
    sides = [resolve_outlets(side, snapshot) for side in request.sources]
    if len(sides) < 2 or not all(sides):
        return None
    return replace(request, sources=sides)


def answer(request: OverviewRequest, filters: Filters, snapshot: Snapshot, retriever,
           embed_query: EmbedQuery, article_text: ArticleText) -> Composition:
    """The overview ``request`` asks for, from the articles ``filters`` allow."""
    if request.kind == "main_stories":
        return main_stories(request, filters, snapshot, article_text)
    if request.kind == "outlet_comparison":
        return outlet_comparison(request, filters, snapshot, retriever, embed_query, article_text)
    if request.kind == "perspectives":
        return perspectives(request, filters, snapshot, retriever, embed_query, article_text)
    return timeline(request, filters, snapshot, retriever, embed_query, article_text)


def _pick(cands: list[KeySentence], n: int, ratio: float = 0.85) -> list[KeySentence]:
    """The best sentence, then up to ``n - 1`` more nearly as good and not repeating it."""
    ranked = sorted(cands, key=lambda c: (-c.score, c.start))
    chosen: list[KeySentence] = []
    for c in ranked:
        if len(chosen) >= n or (chosen and c.score < ratio * chosen[0].score):
            break
        if not near_duplicate(c, chosen):
            chosen.append(c)
    return sorted(chosen, key=lambda c: c.start)


def _sort_date(article_id: str, snapshot: Snapshot) -> tuple[str, str]:
    return (snapshot.articles[article_id].meta.published or "9999", article_id)


def timeline(request: OverviewRequest, filters: Filters, snapshot: Snapshot, retriever,
             embed_query: EmbedQuery, article_text: ArticleText) -> Composition:
    """The relevant articles by publication date, one or two key sentences each."""
    qvec = np.asarray(embed_query(request.topic), dtype=np.float32)
    passages = retriever.retrieve(request.topic, TIMELINE_PASSAGES, filters, qvec, snapshot).passages
    relevant = relevant_articles(passages, qvec, snapshot)[:TIMELINE_MAX_ARTICLES]
    if not relevant:
        return Composition(f"The indexed articles have nothing on {request.topic}.", [], [])
    cands = key_sentences(relevant, request.topic, qvec, article_text, retriever, embed_query)
    citer = Citer()
    lines = []
    shown: list[KeySentence] = []
    for r in sorted(relevant, key=lambda r: _sort_date(r.article_id, snapshot)):
        # A sentence another article already gave (agency copy, boilerplate) is not news twice.
        chosen = _pick([c for c in cands if c.article_id == r.article_id and c.vector is not None
                        and not near_duplicate(c, shown, 0.95)], 2)
        if not chosen:
            continue
        shown += chosen
        meta = snapshot.articles[r.article_id].meta
        parts = [f"{defang(c.text)} [{citer.cite(c.passage, c.start, c.end, c.text)}]" for c in chosen]
        lines.append(f"- {date_label(meta.published)}, {meta.source or meta.title or 'article'}: " + " ".join(parts))
    return Composition("\n".join(lines), citer.sentences, citer.citations)


def _same_story(sides: list[list[Relevant]]) -> list[list[Relevant]]:
    """The articles of each outlet about the story the outlets share: "how did A and B report X"
    asks for the same event through two lenses, so an article close to one of the other
    outlets' articles counts more than one only close to the words of the topic."""
    out = []
    for i, mine in enumerate(sides):
        others = [r.vector for j, side in enumerate(sides) if j != i for r in side if r.vector is not None]
        scored = []
        for r in mine:
            cross = max((float(r.vector @ o) for o in others), default=0.0) if r.vector is not None else 0.0
            scored.append((r.similarity + 0.5 * cross, r))
        scored.sort(key=lambda t: (-t[0], t[1].article_id))
        best = scored[0][0] if scored else 0.0
        out.append([r for score, r in scored if score >= best - STORY_MARGIN][:PER_OUTLET_ARTICLES])
    return out


def outlet_comparison(request: OverviewRequest, filters: Filters, snapshot: Snapshot, retriever,
                      embed_query: EmbedQuery, article_text: ArticleText) -> Composition:
    """One section per outlet with its key sentences on the topic; shared figures side by side."""
    qvec = np.asarray(embed_query(request.topic), dtype=np.float32)
    labels, found = [], []
    for side in request.sources:
        side_filters = replace(filters, sources=resolve_outlets(side, snapshot) or side)
        passages = retriever.retrieve(request.topic, PER_OUTLET_PASSAGES, side_filters, qvec, snapshot).passages
        labels.append(" / ".join(side))
        found.append(relevant_articles(passages, qvec, snapshot, min_shown=1))
    citer = Citer()
    sections: list[str] = []
    picked: list[tuple[str, list[KeySentence]]] = []
    for label, relevant in zip(labels, _same_story(found), strict=True):
        every = key_sentences(relevant, request.topic, qvec, article_text, retriever, embed_query)
        cands = [c for c in every if c.vector is not None]
        if not cands:
            sections.append(f"{label}: no article of this outlet in the index is about {request.topic}.")
            picked.append((label, []))
            continue
        # Two sentences from the article most about the shared story, then one from each other one,
        # then more in the same order while room is left.
        chosen: list[KeySentence] = []
        # How an outlet reports a story shows first in its lead: an article's opening sentence goes first.
        queues = [sorted((c for c in cands if c.article_id == r.article_id),
                         key=lambda c: (not c.extra["lead"], -c.score, c.start)) for r in relevant]
        quota = [2] + [1] * (len(queues) - 1)
        while len(chosen) < PER_OUTLET_LINES and any(queues):
            for i, queue in enumerate(queues):
                taken = 0
                while queue and taken < quota[i] and len(chosen) < PER_OUTLET_LINES:
                    c = queue.pop(0)
                    if not near_duplicate(c, chosen):
                        chosen.append(c)
                        taken += 1
            quota = [1] * len(queues)
        chosen.sort(key=lambda c: (_sort_date(c.article_id, snapshot), c.start))
        outlets = ", ".join(sorted({snapshot.articles[c.article_id].meta.source for c in chosen}))
        lines = [f"{label}:" if outlets.casefold() == label.casefold() else f"{label} ({outlets}):"]
        for c in chosen:
            n = citer.cite(c.passage, c.start, c.end, c.text)
            date = date_label(snapshot.articles[c.article_id].meta.published)
            lines.append(f"- {date}: {defang(c.text)} [{n}]")
        sections.append("\n".join(lines))
        # Figures come from the article most about the shared story, every sentence of it retrieved.
        picked.append((label, [c for c in every if c.article_id == relevant[0].article_id]))
    figures = side_by_side(picked, citer)
    if figures:
        sections.append("Figures both give:\n" + "\n".join(f"- {f}" for f in figures))
    return Composition("\n\n".join(sections), citer.sentences, citer.citations)


def _cell(text: str) -> str:
    """Table cells hold one line and no column separator (the sentence itself stays verbatim in
    ``Composition.sentences``)."""
    return " ".join(defang(text).replace("|", "/").split())


def perspectives(request: OverviewRequest, filters: Filters, snapshot: Snapshot, retriever,
                 embed_query: EmbedQuery, article_text: ArticleText) -> Composition:
    """A table of who said what on the topic: only sentences whose speaker is certain."""
    qvec = np.asarray(embed_query(request.topic), dtype=np.float32)
    passages = retriever.retrieve(request.topic, PERSPECTIVE_PASSAGES, filters, qvec, snapshot).passages
    # Statements are spread wider than a story's facts: a looser margin than timelines.
    relevant = relevant_articles(passages, qvec, snapshot, margin=PERSPECTIVE_MARGIN)
    people: dict[tuple[str, int], Person] = {}
    outlet_names: dict[str, bool] = {}

    def is_outlet(name: str) -> bool:
        if name not in outlet_names:
            outlet_names[name] = bool(resolve_outlets((name,), snapshot))
        return outlet_names[name]

    def has_speaker(c: KeySentence) -> bool:
        person = attribute(article_text(c.article_id)).speaker_at(c.start, c.end)
        # An outlet reporting ("Al Jazeera's correspondent said") is not a perspective on the topic.
        if person is not None and person.name and not is_outlet(person.name):
            people[(c.article_id, c.start)] = person
        return (c.article_id, c.start) in people

    cands = key_sentences(relevant, request.topic, qvec, article_text, retriever, embed_query, keep=has_speaker)
    said = [(c, people[(c.article_id, c.start)]) for c in cands if c.vector is not None]
    if not said:
        return Composition(f"No statement on {request.topic} is attributed to a named speaker in the articles.",
                           [], [])
    said.sort(key=lambda cp: (-cp[0].score, cp[0].article_id, cp[0].start))
    best = said[0][0].score
    rows: list[tuple[KeySentence, Person]] = []
    per_speaker: dict[str, int] = {}
    for c, person in said:
        if len(rows) >= PERSPECTIVE_ROWS or c.score < 0.6 * best:
            break
        if per_speaker.get(person.name, 0) >= 2 or near_duplicate(c, [r[0] for r in rows]):
            continue
        per_speaker[person.name] = per_speaker.get(person.name, 0) + 1
        rows.append((c, person))
    # Each speaker's statements together, the most relevant speaker first.
    order = list(dict.fromkeys(p.name for _, p in rows))
    rows.sort(key=lambda cp: (order.index(cp[1].name), _sort_date(cp[0].article_id, snapshot), cp[0].start))
    citer = Citer()
    lines = ["| Speaker | Role | Outlet | Date | Statement |", "| --- | --- | --- | --- | --- |"]
    for c, person in rows:
        meta = snapshot.articles[c.article_id].meta
        n = citer.cite(c.passage, c.start, c.end, c.text, person.name)
        lines.append(f"| {_cell(person.name)} | {_cell(short_role(person.role)) if person.role else ''} | "
                     f"{_cell(meta.source or '')} | {date_label(meta.published)} | {_cell(c.text)} [{n}] |")
    return Composition("\n".join(lines), citer.sentences, citer.citations)

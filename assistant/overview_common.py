"""Shared parts of the corpus-level answers: stored vectors, relevant articles, key sentences, citations.

Relevance is measured, not guessed: a passage's similarity to the topic comes from
the vector Chroma already stores for it (no re-embedding), and an article counts as
relevant when its best passage is close to the topic both absolutely and relative to
the best article found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

from assistant.sentences import sentence_spans
from assistant.types import Filters, Passage, Sentence
from index import bm25
from index.models import Chunk
from index.reader import Snapshot

MIN_WORDS = 5
MAX_WORDS = 55  # longer "sentences" are usually lists or run-ons the splitter could not break
FLOOR = 0.30  # below this cosine a passage is about something else (MiniLM, measured on news)
MARGIN = 0.17  # relevant articles are within this of the best one
GET_BATCH = 500

EmbedQuery = Callable[[str], np.ndarray]
ArticleText = Callable[[str], str]


def defang(text: str) -> str:
    """An article's own "[7]" must not pass for one of our citation markers."""
    return re.sub(r"\[(\d+)\]", r"(\1)", text)


def stored_vectors(snapshot: Snapshot, chunk_ids: Sequence[str]) -> dict[str, np.ndarray]:
    """The vectors Chroma holds for these chunks, normalised (they were stored normalised)."""
    out: dict[str, np.ndarray] = {}
    ids = list(dict.fromkeys(chunk_ids))
    for i in range(0, len(ids), GET_BATCH):
        got = snapshot.collection.get(ids=ids[i : i + GET_BATCH], include=["embeddings"])
        vectors = got["embeddings"]
        if vectors is None:  # asked for by ``include``; Chroma types it optional
            raise RuntimeError("the vector store returned no embeddings")
        for cid, vec in zip(got["ids"], vectors, strict=True):
            v = np.asarray(vec, dtype=np.float32)
            n = float(np.linalg.norm(v))
            out[cid] = v / n if n else v
    return out


def embed_many(retriever, embed_query: EmbedQuery, texts: list[str]) -> np.ndarray:
    """Batch through the retriever's embeddings when it has them, else one query at a time."""
    if not texts:
        return np.zeros((0, 1), dtype=np.float32)
    emb = getattr(retriever, "embeddings", None)
    if emb is not None and hasattr(emb, "embed_documents"):
        return np.asarray(emb.embed_documents(texts), dtype=np.float32)
    return np.stack([np.asarray(embed_query(t), dtype=np.float32) for t in texts])


def passage_of(snapshot: Snapshot, chunk: Chunk) -> Passage:
    meta = snapshot.articles[chunk.article_id].meta
    return Passage(chunk.chunk_id, chunk.article_id, meta.title, meta.source, meta.published, meta.url,
                   chunk.text, chunk.char_start, chunk.char_end)


@dataclass
class Relevant:
    """An article relevant to the topic, with its retrieved passages and its best similarity."""

    article_id: str
    similarity: float
    passages: list[Passage]
    vector: np.ndarray | None = None  # mean of its retrieved passages' vectors: what it is about


def relevant_articles(passages: list[Passage], qvec: np.ndarray, snapshot: Snapshot,
                      min_shown: int = 3, floor: float = FLOOR, margin: float = MARGIN) -> list[Relevant]:
    """Articles whose best passage is close to the topic; at least ``min_shown`` when that many clear
    the floor; best first."""
    vecs = stored_vectors(snapshot, [p.chunk_id for p in passages])
    by_article: dict[str, Relevant] = {}
    for p in passages:
        v = vecs.get(p.chunk_id)
        sim = float(v @ qvec) if v is not None else (p.dense_similarity or 0.0)
        p.dense_similarity = sim
        r = by_article.setdefault(p.article_id, Relevant(p.article_id, -1.0, []))
        r.passages.append(p)
        r.similarity = max(r.similarity, sim)
    for r in by_article.values():
        got = [vecs[p.chunk_id] for p in r.passages if p.chunk_id in vecs]
        if got:
            v = np.mean(got, axis=0)
            r.vector = v / (np.linalg.norm(v) or 1.0)
    ranked = sorted(by_article.values(), key=lambda r: (-r.similarity, r.article_id))
    if not ranked or ranked[0].similarity < floor:
        return []
    cut = max(floor, ranked[0].similarity - margin)
    kept = [r for r in ranked if r.similarity >= cut]
    if len(kept) < min_shown:
        kept = [r for r in ranked if r.similarity >= floor][:min_shown]
    return kept


@dataclass
class KeySentence:
    article_id: str
    passage: Passage
    start: int  # article offsets
    end: int
    text: str
    score: float
    vector: np.ndarray | None = None
    extra: dict = field(default_factory=dict)


def sentences_of(passage: Passage, article_text: str) -> list[tuple[int, int]]:
    """Article sentences that lie inside the passage, long enough to say something."""
    out = []
    for s, e in sentence_spans(article_text):
        if s >= passage.char_start and e <= passage.char_end and MIN_WORDS <= len(article_text[s:e].split()) <= MAX_WORDS:
            out.append((s, e))
    return out


EMBED_PER_ARTICLE = 4
LEAD_SENTENCES = 2
LEAD_BONUS = 0.3


def key_sentences(relevant: list[Relevant], topic: str, qvec: np.ndarray, article_text: ArticleText,
                  retriever, embed_query: EmbedQuery, keep: Callable[[KeySentence], bool] | None = None,
                  embed_per_article: int = EMBED_PER_ARTICLE) -> list[KeySentence]:
    """The sentences of the relevant passages (those ``keep`` accepts), scored by similarity to the
    topic and term overlap. Embedding sentences is the costly part, so only the most promising few
    of each article are embedded (term overlap, passage similarity, position); the others are
    scored from their passage's similarity, discounted, and are never chosen over embedded ones."""
    cands: list[KeySentence] = []
    seen: set[tuple[str, int]] = set()
    for r in relevant:
        text = article_text(r.article_id)
        lead = set(sentence_spans(text)[:LEAD_SENTENCES])
        for p in r.passages:
            for s, e in sentences_of(p, text):
                if (r.article_id, s) in seen:
                    continue
                seen.add((r.article_id, s))
                c = KeySentence(r.article_id, p, s, e, text[s:e], 0.0, extra={"lead": (s, e) in lead})
                if keep is None or keep(c):
                    cands.append(c)
    if not cands:
        return []
    terms = list(dict.fromkeys(bm25.tokenize([topic])[0]))
    tokens = bm25.tokenize([c.text for c in cands])
    for c, toks in zip(cands, tokens, strict=True):
        present = set(toks)
        c.extra["overlap"] = sum(t in present for t in terms) / len(terms) if terms else 0.0
    promising: list[KeySentence] = []
    for r in relevant:
        mine = [c for c in cands if c.article_id == r.article_id]
        # News puts the story in its first sentences: they are always worth a look.
        mine.sort(key=lambda c: (-(c.extra["overlap"] + (c.passage.dense_similarity or 0.0)
                                   + LEAD_BONUS * c.extra["lead"]), c.start))
        promising += mine[:embed_per_article]
    vecs = embed_many(retriever, embed_query, [c.text for c in promising])
    for c, vec in zip(promising, vecs, strict=True):
        c.vector = vec
        c.score = 0.7 * float(vec @ qvec) + 0.3 * c.extra["overlap"]
    for c in cands:
        if c.vector is None:
            c.score = 0.5 * (0.7 * (c.passage.dense_similarity or 0.0) + 0.3 * c.extra["overlap"])
    return cands


def near_duplicate(a: KeySentence, chosen: list[KeySentence], limit: float = 0.88) -> bool:
    return any(a.vector is not None and o.vector is not None and float(a.vector @ o.vector) > limit
               for o in chosen)


class Citer:
    """Numbers cited passages in order of first citation and records the cited spans on them."""

    def __init__(self) -> None:
        self.markers: dict[str, int] = {}
        self.citations: list[Passage] = []
        self.sentences: list[Sentence] = []

    def cite(self, passage: Passage, start: int, end: int, text: str, speaker: str | None = None) -> int:
        n = self.markers.get(passage.chunk_id)
        if n is None:
            n = self.markers[passage.chunk_id] = len(self.citations) + 1
            passage.marker = n
            passage.highlights = []
            self.citations.append(passage)
        if [start, end] not in passage.highlights:
            passage.highlights.append([start, end])
        self.sentences.append(Sentence(text, [n], speaker))
        return n


def date_label(published: str | None) -> str:
    return published or "undated"


def within(filters: Filters, published: str | None, source: str, sources: tuple[str, ...]) -> bool:
    """An article's metadata against the filters (the same rules Chroma's ``where`` applies)."""
    from assistant.retrieval import date_bound
    from index.store import date_key

    key = date_key(published)
    if filters.since and key < date_bound(filters.since, end=False):
        return False
    if filters.until and (key == 0 or key > date_bound(filters.until, end=True)):
        return False
    return not sources or source.casefold() in {s.casefold() for s in sources}


def resolve_outlets(names: tuple[str, ...], snapshot: Snapshot) -> tuple[str, ...]:
    """The index's outlets a written name stands for ("Al Jazeera" -> aljazeera.com); the same rule
    as the question parser's, so a name that filters a question also names a side of a comparison."""
    from assistant.retrieval import outlets

    known = outlets(snapshot)
    out: list[str] = []
    for name in names:
        hits = [o.source for o in known if o.source.casefold() == name.strip().casefold() or o.named_by(name)]
        out += [h for h in hits if h not in out]
    return tuple(out)

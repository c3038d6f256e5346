"""Hybrid retrieval: dense (Chroma through LangChain) + BM25, fused by reciprocal rank.

MiniLM misses questions that hinge on a person's name; BM25 finds them. Fusing
ranks (not scores) needs no score calibration between the two.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from langchain_chroma import Chroma

from assistant.question import Outlet, outlets_of
from assistant.types import Filters, Passage
from index import bm25
from index.embedding import SentenceEmbeddings
from index.errors import DossierError
from index.reader import IndexReader, Snapshot
from index.store import StoreUnavailable, server_error

RRF_K = 60


_OUTLETS: dict[str, list[Outlet]] = {}


def outlets(snap: Snapshot) -> list[Outlet]:
    """The index's outlets, computed once per generation (a generation never changes)."""
    key = str(snap.folder)
    if key not in _OUTLETS:
        if len(_OUTLETS) > 4:
            _OUTLETS.clear()
        _OUTLETS[key] = outlets_of(snap.articles.values())
    return _OUTLETS[key]


class BadFilter(DossierError, ValueError):
    pass


def date_bound(value: str, end: bool) -> int:
    """``YYYY``/``YYYY-MM``/``YYYY-MM-DD`` -> sortable key; ``end`` picks the period's last day."""
    parts = value.strip().split("-")
    try:
        nums = [int(p) for p in parts]
    except ValueError:
        raise BadFilter(f"bad date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD") from None
    if not 1 <= len(nums) <= 3 or not 1000 <= nums[0] <= 9999:
        raise BadFilter(f"bad date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = (nums + [12 if end else 1, 31 if end else 1][len(nums) - 1 :])[:3]
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        raise BadFilter(f"bad date {value!r}")
    return year * 10000 + month * 100 + day


def where_clause(filters: Filters, sources: tuple[str, ...]) -> dict | None:
    clauses: list[dict] = []
    if sources:
        clauses.append({"source": {"$in": list(sources)}})
    if filters.since:
        clauses.append({"published_key": {"$gte": date_bound(filters.since, end=False)}})
    if filters.until:
        clauses.append({"published_key": {"$lte": date_bound(filters.until, end=True)}})
        clauses.append({"published_key": {"$gt": 0}})
    if filters.article_ids:
        clauses.append({"article_id": {"$in": list(filters.article_ids)}})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def bm25_mask(snap: Snapshot, filters: Filters, sources: tuple[str, ...]) -> np.ndarray | None:
    if not filters.active():
        return None
    mask = np.ones(len(snap.chunks), dtype=bool)
    if sources:
        mask &= np.isin(snap.chunk_source, [s.casefold() for s in sources])
    if filters.since:
        mask &= snap.chunk_date >= date_bound(filters.since, end=False)
    if filters.until:
        mask &= (snap.chunk_date <= date_bound(filters.until, end=True)) & (snap.chunk_date > 0)
    if filters.article_ids:
        mask &= np.isin(snap.chunk_article, list(filters.article_ids))
    return mask


@dataclass
class Fused:
    order: list[str]
    scores: dict[str, float]
    dense_ids: list[str]
    bm25_ids: list[str]
    dense_similarity: dict[str, float]


@dataclass
class Retrieved:
    passages: list[Passage]
    dense_ids: list[str]
    bm25_ids: list[str]


class HybridRetriever:
    def __init__(self, reader: IndexReader, embeddings: SentenceEmbeddings, per_article_cap: int = 3):
        self.reader = reader
        self.embeddings = embeddings
        self.per_article_cap = per_article_cap
        self._stores: dict[str, Chroma] = {}

    def _vectorstore(self, snap: Snapshot) -> Chroma:
        store = self._stores.get(snap.generation)
        if store is None:
            store = Chroma(client=snap.client, collection_name=snap.manifest.collection,
                           embedding_function=self.embeddings)
            self._stores = {snap.generation: store}
        return store

    def resolve_sources(self, snap: Snapshot, names: tuple[str, ...]) -> tuple[str, ...]:
        """Outlet names as people write them ("CNN", "the BBC") -> the outlets stored in the index."""
        if not names:
            return ()
        known = outlets(snap)
        out: list[str] = []
        for name in names:
            hits = [o.source for o in known if o.source.casefold() == name.casefold() or o.named_by(name)]
            out += [h for h in hits or [name] if h not in out]
        return tuple(out)

    def fused(self, question: str, n: int, filters: Filters, qvec: np.ndarray,
              snap: Snapshot | None = None) -> Fused:
        """Dense and BM25 candidates (``n`` each) fused by reciprocal rank, best first."""
        snap = snap or self.reader.snapshot()
        sources = self.resolve_sources(snap, filters.sources)
        try:
            dense = self._vectorstore(snap).similarity_search_by_vector_with_relevance_scores(
                qvec.tolist(), k=min(n, len(snap.chunks)), filter=where_clause(filters, sources))
        except Exception as exc:
            if snap.manifest.chroma_url:  # the server went away: say so, keep the process up
                self._stores = {}
                raise StoreUnavailable(server_error(snap.manifest.chroma_url, exc)) from exc
            raise
        # Every stored chunk has its id; LangChain types ``Document.id`` as optional.
        dense_sim = {doc.id: 1.0 - float(dist) for doc, dist in dense if doc.id is not None}
        dense_ids = list(dense_sim)
        lexical = bm25.top_k(snap.bm25, question, n, bm25_mask(snap, filters, sources))
        bm25_ids = [snap.chunks[row].chunk_id for row, _ in lexical]
        scores: dict[str, float] = defaultdict(float)
        for ranking in (dense_ids, bm25_ids):
            for rank, cid in enumerate(ranking):
                scores[cid] += 1.0 / (RRF_K + rank + 1)
        order = sorted(scores, key=lambda c: (-scores[c], c))
        return Fused(order, dict(scores), dense_ids, bm25_ids, dense_sim)

    def retrieve(self, question: str, k: int, filters: Filters, qvec: np.ndarray,
                 snap: Snapshot | None = None) -> Retrieved:
        """The best ``k`` passages; pass the question's one ``snap`` so a rebuild cannot switch mid-question."""
        snap = snap or self.reader.snapshot()
        f = self.fused(question, max(4 * k, 20), filters, qvec, snap)
        order, fused, dense_sim = f.order, f.scores, f.dense_similarity

        # A per-article cap keeps one article from crowding out the others; slots the
        # other articles cannot fill go back to the best remaining passages.
        per_article: dict[str, int] = defaultdict(int)
        chosen: list[str] = []
        deferred: list[str] = []
        for cid in order:
            if cid not in snap.row_of:
                continue
            article = snap.chunks[snap.row_of[cid]].article_id
            if per_article[article] >= self.per_article_cap:
                deferred.append(cid)
                continue
            per_article[article] += 1
            chosen.append(cid)
            if len(chosen) == k:
                break
        chosen += deferred[: k - len(chosen)]
        chosen.sort(key=lambda c: -fused[c])
        passages = []
        for cid in chosen:
            chunk = snap.chunks[snap.row_of[cid]]
            meta = snap.articles[chunk.article_id].meta
            passages.append(Passage(chunk.chunk_id, chunk.article_id, meta.title, meta.source,
                                    meta.published, meta.url, chunk.text, chunk.char_start,
                                    chunk.char_end, score=fused[cid], dense_similarity=dense_sim.get(cid)))
        return Retrieved(passages, f.dense_ids, f.bm25_ids)

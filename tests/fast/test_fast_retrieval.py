"""Hybrid retrieval on a tiny real index: the dense side, BM25, reciprocal-rank fusion, the per-article
cap and filters (Chroma's where clause and the BM25 mask must select the same chunks)."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.retrieval import RRF_K, BadFilter, HybridRetriever, bm25_mask, where_clause
from assistant.types import Filters
from index import bm25
from index.errors import DossierError
from index.reader import IndexReader

QUESTION = "What did the mayor say about the harbour expansion jobs?"


@pytest.fixture(scope="module")
def reader(tiny) -> IndexReader:
    return IndexReader(tiny.settings)


def _retriever(reader, embeddings, cap: int = 3) -> HybridRetriever:
    return HybridRetriever(reader, embeddings, per_article_cap=cap)


def test_store_is_cosine_and_dense_side_is_exact(tiny, reader, embeddings):
    snap = reader.snapshot()
    assert snap.collection.configuration["hnsw"]["space"] == "cosine"
    qvec = embeddings.encode_query(QUESTION)
    f = _retriever(reader, embeddings).fused(QUESTION, 6, Filters(), qvec)
    # Chroma's distances are cosine distances: 1 - distance is the cosine of our own vectors.
    for cid in f.dense_ids:
        assert f.dense_similarity[cid] == pytest.approx(float(tiny.vectors[cid] @ qvec), abs=1e-5)
    brute = sorted((float(v @ qvec) for v in tiny.vectors.values()), reverse=True)[:6]
    assert [f.dense_similarity[c] for c in f.dense_ids] == pytest.approx(brute, abs=1e-5)
    assert f.bm25_ids == [snap.chunks[r].chunk_id for r, _ in bm25.top_k(snap.bm25, QUESTION, 6)]


def test_reciprocal_rank_fusion(reader, embeddings):
    qvec = embeddings.encode_query(QUESTION)
    f = _retriever(reader, embeddings).fused(QUESTION, 6, Filters(), qvec)
    assert set(f.order) == set(f.dense_ids) | set(f.bm25_ids)
    for cid in f.order:
        expected = sum(1.0 / (RRF_K + ranks.index(cid) + 1) for ranks in (f.dense_ids, f.bm25_ids) if cid in ranks)
        assert f.scores[cid] == pytest.approx(expected)
    assert [f.scores[c] for c in f.order] == sorted(f.scores.values(), reverse=True)
    # Found by both sides beats found by one at any rank the lists allow.
    both = [c for c in f.order if c in f.dense_ids and c in f.bm25_ids]
    assert both and f.order[: len(both)] == both


def test_per_article_cap_and_its_fallback(tiny, reader, embeddings):
    qvec = embeddings.encode_query("harbour expansion")
    got = _retriever(reader, embeddings, cap=2).retrieve("harbour expansion", 4, Filters(), qvec)
    per_article = [p.article_id for p in got.passages]
    assert len(per_article) == 4 and per_article.count("harbour.md") == 2  # the harbour article has 5 on topic
    assert [p.score for p in got.passages] == sorted((p.score for p in got.passages), reverse=True)
    for p in got.passages:  # offsets point into the article text
        assert tiny.articles[p.article_id].text[p.char_start:p.char_end] == p.text
    # When no other article may contribute, the cap gives way rather than return fewer passages.
    only = _retriever(reader, embeddings, cap=2).retrieve(
        "harbour expansion", 4, Filters(article_ids=("harbour.md",)), qvec)
    assert [p.article_id for p in only.passages] == ["harbour.md"] * 4


FILTERS = {
    "outlet": (Filters(sources=("Wire B",)), {"fishing.md", "weather.md"}),
    "outlet, any case": (Filters(sources=("wire b",)), {"fishing.md", "weather.md"}),
    "since": (Filters(since="2024-01"), {"harbour.md", "fishing.md"}),
    "until excludes undated": (Filters(until="2023"), {"railway.md"}),
    "one day": (Filters(since="2024-03-05", until="2024-03-05"), {"harbour.md"}),
    "outlet and date": (Filters(sources=("Wire B",), since="2024"), {"fishing.md"}),
    "articles": (Filters(article_ids=("railway.md", "weather.md")), {"railway.md", "weather.md"}),
    "nothing matches": (Filters(sources=("Nowhere Times",)), set()),
}


@pytest.mark.parametrize("name", list(FILTERS))
def test_filters_select_the_same_chunks_on_both_sides(name, tiny, reader, embeddings):
    filters, articles = FILTERS[name]
    snap = reader.snapshot()
    retriever = _retriever(reader, embeddings)
    sources = retriever.resolve_sources(snap, filters.sources)
    expected = {c.chunk_id for c in tiny.chunks if c.article_id in articles}
    in_chroma = set(snap.collection.get(where=where_clause(filters, sources))["ids"])
    mask = bm25_mask(snap, filters, sources)
    in_bm25 = {snap.chunks[i].chunk_id for i in np.flatnonzero(mask)}
    assert in_chroma == in_bm25 == expected
    qvec = embeddings.encode_query("harbour storm railway fishing")
    f = retriever.fused("harbour storm railway fishing", 20, filters, qvec)
    assert set(f.dense_ids) <= expected and set(f.bm25_ids) <= expected
    assert set(f.dense_ids) == expected  # 20 is more than the index holds: everything allowed comes back


def test_no_filter_means_no_clause():
    assert where_clause(Filters(), ()) is None


@pytest.mark.parametrize("bad", ["yesterday", "2024-13", "99", "2024-02-40"])
def test_bad_dates_are_user_errors(bad):
    with pytest.raises(BadFilter) as err:
        where_clause(Filters(since=bad), ())
    assert isinstance(err.value, DossierError) and err.value.exit_code == 2 and bad in str(err.value)

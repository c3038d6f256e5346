"""Answer selection on the tiny index: candidate sentences are located exactly, the best one leads,
the word budget holds and a sentence syndicated into two articles is quoted once."""

from __future__ import annotations

from assistant import evidence, extractive
from assistant.retrieval import HybridRetriever
from assistant.types import Filters
from index.reader import IndexReader

QUESTION = "How many jobs will the harbour expansion create?"


def _select(tiny, embeddings, words: int):
    retriever = HybridRetriever(IndexReader(tiny.settings), embeddings, per_article_cap=3)
    qvec = embeddings.encode_query(QUESTION)
    passages = retriever.retrieve(QUESTION, 6, Filters(), qvec).passages
    cache = evidence.SentenceCache(embeddings.model, embeddings.batch_size)
    cands = evidence.candidates(passages, QUESTION, qvec, cache, embed_at_most=50)
    return cands, extractive.select(cands, words, speaker_mode=False, question=QUESTION)


def test_candidates_are_located_sentences(tiny, embeddings):
    cands, _ = _select(tiny, embeddings, words=60)
    assert cands
    for c in cands:
        assert tiny.articles[c.article_id].text[c.start:c.end] == c.text
        assert 0.0 <= c.overlap <= 1.0


def test_selection_leads_with_the_best_within_budget_without_repeats(tiny, embeddings):
    cands, chosen = _select(tiny, embeddings, words=30)
    best = max(cands, key=lambda c: c.score)
    assert chosen[0].score == best.score and "four hundred jobs" in chosen[0].text
    assert sum(len(c.text.split()) for c in chosen) <= 30 or len(chosen) == 1
    # The mayor's sentence is in two articles: it is quoted once.
    assert sum("four hundred jobs" in c.text for c in chosen) == 1
    assert sum("four hundred jobs" in c.text for c in cands) == 2
    _, roomy = _select(tiny, embeddings, words=200)
    assert len(roomy) > len(chosen) and sum("four hundred jobs" in c.text for c in roomy) == 1

"""The lexical half of hybrid retrieval: a persisted ``bm25s`` index over the chunks.

Names, numbers and rare words are where MiniLM is weak and BM25 is strong.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path

import bm25s
import numpy as np
import Stemmer

# bm25s sets its own logger to DEBUG on import, so any program that configures logging (the web
# server does) printed "Building index from tokens" on every build: only Dossier's output belongs there.
logging.getLogger("bm25s").setLevel(logging.WARNING)


@lru_cache(maxsize=1)
def _stemmer() -> Stemmer.Stemmer:
    return Stemmer.Stemmer("english")


def tokenize(texts: list[str]) -> list[list[str]]:
    return bm25s.tokenize(
        texts, lower=True, stopwords="en", stemmer=_stemmer(), return_ids=False, show_progress=False
    )


def build(texts: list[str]) -> bm25s.BM25:
    retriever = bm25s.BM25()
    retriever.index(tokenize(texts), show_progress=False)
    return retriever


def save(retriever: bm25s.BM25, folder: Path) -> None:
    retriever.save(str(folder))


def load(folder: Path) -> bm25s.BM25:
    return bm25s.BM25.load(str(folder))


def top_k(retriever: bm25s.BM25, query: str, k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
    """(row, score) of the best ``k`` chunks with a positive score, within ``mask`` if given."""
    tokens = tokenize([query])[0]
    vocab = retriever.vocab_dict
    tokens = [t for t in tokens if t in vocab]
    if not tokens:
        return []
    scores = retriever.get_scores(tokens)
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    k = min(k, int(np.count_nonzero(scores > 0)))
    if k <= 0:
        return []
    rows = np.argpartition(-scores, k - 1)[:k]
    rows = rows[np.argsort(-scores[rows], kind="stable")]
    return [(int(r), float(scores[r])) for r in rows]

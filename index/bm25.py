"""The lexical half of hybrid retrieval: a persisted ``bm25s`` index over the chunks.

Names, numbers and rare words are where MiniLM is weak and BM25 is strong.
"""

from __future__ import annotations

import bisect
import json
import logging
import math
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache
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


TERMS_FILE = "bm25_terms.json"


@dataclass(frozen=True)
class TermStats:
    """Chunks per term, counted at build time from the tokens BM25 indexed: answerability weighs
    a question's terms by IDF without reading the BM25 library's internal score matrix."""

    num_docs: int
    df: dict[str, int]

    def idf(self, term: str) -> float:
        """BM25's (Lucene) IDF; a term no chunk holds weighs like the rarest one."""
        d = self.df.get(term, 0)
        return math.log(1 + (self.num_docs - d + 0.5) / (d + 0.5))

    def has_prefix(self, prefix: str) -> bool:
        """Does any indexed term start with ``prefix``? (One sort per generation, then a bisection.)"""
        i = bisect.bisect_left(self._sorted_terms, prefix)
        return i < len(self._sorted_terms) and self._sorted_terms[i].startswith(prefix)

    @cached_property
    def _sorted_terms(self) -> list[str]:
        return sorted(self.df)

    def to_json(self) -> dict:
        return {"num_docs": self.num_docs, "df": self.df}

    @classmethod
    def from_json(cls, data: object) -> TermStats:
        if not isinstance(data, dict) or not isinstance(data.get("num_docs"), int) \
                or not isinstance(data.get("df"), dict):
            raise TypeError("term statistics of the wrong shape")
        df = data["df"]
        if not all(isinstance(k, str) and isinstance(v, int) for k, v in df.items()):
            raise TypeError("term statistics of the wrong shape")
        return cls(data["num_docs"], df)


def term_stats(tokens: list[list[str]]) -> TermStats:
    """Document frequency of every term over the tokenized chunks."""
    df: Counter[str] = Counter()
    for doc in tokens:
        df.update(set(doc))
    return TermStats(len(tokens), dict(sorted(df.items())))


def build(texts: list[str]) -> tuple[bm25s.BM25, TermStats]:
    """The BM25 index of ``texts`` and its term statistics, from one tokenization."""
    tokens = tokenize(texts)
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    return retriever, term_stats(tokens)


def save(retriever: bm25s.BM25, stats: TermStats, generation: Path) -> None:
    """The index in ``generation/bm25`` and its term statistics beside it (``TERMS_FILE``)."""
    retriever.save(str(generation / "bm25"))
    (generation / TERMS_FILE).write_text(json.dumps(stats.to_json(), separators=(",", ":")), encoding="utf-8")


def load_terms(generation: Path) -> TermStats:
    """Raises ``FileNotFoundError`` for a generation built before term statistics were stored."""
    return TermStats.from_json(json.loads((generation / TERMS_FILE).read_text(encoding="utf-8")))


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

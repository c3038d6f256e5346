"""Sentence-level evidence: split retrieved passages into sentences and score them.

Scores combine embedding similarity to the question with overlap of its
content terms, so that names and numbers count as much as paraphrase.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from dataclasses import dataclass, field

import numpy as np

from assistant.sentences import sentence_spans
from assistant.types import Passage
from index import bm25
from index.embedding import embed_texts

MIN_WORDS = 5
# Web page furniture that survives cleaning inside a paragraph: embedded posts, teaser and share
# prompts. A sentence carrying one is not quoted as an answer; a link alone is no reason (it may be
# the content: "the report is posted at www.example.org").
_FURNITURE = re.compile(
    r"pic\.twitter\.com|\bt\.co/|\b(?:READ|SEE|WATCH|LISTEN)(?: MORE| ALSO)?:|"
    r"\bRead more\b|\bShare this\b|\bFollow us on\b|\bClick here\b|\bSign up\b|\bsubscribe to\b",
)
_FUTURE = re.compile(
    r"\b(will|would|is due to|are due to|is expected to|are expected to|is likely to|are likely to|"
    r"could|may|might|plans? to|is set to|are set to|is scheduled to|intends? to|in the coming)\b",
    re.I,
)


@dataclass
class Candidate:
    """A sentence of a retrieved passage, located in its article."""

    text: str
    passage: int  # index into the retrieved passages
    article_id: str
    start: int  # article offsets
    end: int
    terms: frozenset[str]
    vector: np.ndarray | None = None
    similarity: float = 0.0
    overlap: float = 0.0
    score: float = 0.0
    speaker: str | None = None
    role: str = ""
    extra: dict = field(default_factory=dict)

    @property
    def future(self) -> bool:
        return bool(_FUTURE.search(self.text))


_QUESTION_WORDS = {"What", "Who", "Whom", "Whose", "When", "Where", "Why", "How", "Which", "Did", "Does",
                   "Do", "Is", "Are", "Was", "Were", "Has", "Have", "Can", "Could", "Will", "Would",
                   "Should", "And", "According", "Tell", "The", "A", "An", "In", "On", "I", "Give",
                   "List", "Summarize", "Explain", "Describe", "Over", "By", "For", "To", "Of"}


def entities(text: str) -> list[str]:
    """Runs of capitalized words or numbers (not question words): the names a question hinges on."""
    out = []
    for m in re.finditer(r"[A-Z][\w’'-]*(?:\s+(?:of\s+|de\s+)?[A-Z][\w’'-]*)*|\b\d[\d.,]*\d\b", text):
        words = [w for w in m.group().split() if w not in _QUESTION_WORDS]
        while words and words[0] in ("of", "de"):
            words = words[1:]
        if words:
            out.append(re.sub(r"['’]s?$", "", " ".join(words)))
    return [e for e in dict.fromkeys(out) if e]


def mentions(entity: str, text_folded: str) -> bool:
    """Loose match of any word of the entity: "Chinese" matches "China", "India" not "indicated"."""
    for word in re.findall(r"\w+", entity.casefold()):
        if word in ("of", "de", "the", "and"):
            continue
        prefix = word[: max(4, len(word) - 3)]
        slack = len(word) - len(prefix) + 3
        if re.search(rf"\b{re.escape(prefix)}\w{{0,{slack}}}\b", text_folded):
            return True
    return False


def question_terms(question: str) -> list[str]:
    return list(dict.fromkeys(bm25.tokenize([question])[0]))


class SentenceCache:
    """Sentence vectors per chunk, kept across questions (chunks are immutable per ID)."""

    def __init__(self, model, batch_size: int, capacity: int = 20000):
        self.model = model
        self.batch_size = batch_size
        self.capacity = capacity
        self._vectors: OrderedDict[tuple[str, int], np.ndarray] = OrderedDict()

    def vectors(self, keys: list[tuple[str, int]], texts: list[str]) -> np.ndarray:
        missing = [i for i, k in enumerate(keys) if k not in self._vectors]
        if missing:
            fresh = embed_texts(self.model, [texts[i] for i in missing], self.batch_size)
            for i, vec in zip(missing, fresh, strict=True):
                self._vectors[keys[i]] = vec
        for k in keys:
            self._vectors.move_to_end(k)
        while len(self._vectors) > self.capacity:
            self._vectors.popitem(last=False)
        return np.stack([self._vectors[k] for k in keys]) if keys else np.zeros((0, 1))


EMBED_AT_MOST = 8


def candidates(passages: list[Passage], question: str, qvec: np.ndarray, cache: SentenceCache,
               embed_at_most: int = EMBED_AT_MOST) -> list[Candidate]:
    """Every sentence of the passages (first occurrence wins where chunks overlap), scored.

    Embedding sentences is the costly step of answering, so only the most promising
    ones (term overlap, passage rank) are embedded; the rest borrow their passage's
    similarity, discounted.
    """
    seen: set[tuple[str, int, int]] = set()
    out: list[Candidate] = []
    for i, p in enumerate(passages):
        for s, e in sentence_spans(p.text):
            text = p.text[s:e]
            key = (p.article_id, p.char_start + s, p.char_start + e)
            if key in seen or len(text.split()) < MIN_WORDS or _FURNITURE.search(text):
                continue
            seen.add(key)
            out.append(Candidate(text, i, p.article_id, key[1], key[2], frozenset()))
    if not out:
        return out
    # One tokenizer call for all sentences: this runs on every question.
    for c, tokens in zip(out, bm25.tokenize([c.text for c in out]), strict=True):
        c.terms = frozenset(tokens)
    terms = question_terms(question)
    for c in out:
        c.overlap = sum(t in c.terms for t in terms) / len(terms) if terms else 0.0
    promising = sorted(out, key=lambda c: -(c.overlap + 0.5 / (1 + c.passage)))[:embed_at_most]
    vecs = cache.vectors([(passages[c.passage].chunk_id, c.start) for c in promising], [c.text for c in promising])
    for c, vec in zip(promising, vecs, strict=True):
        c.vector = vec
        c.similarity = float(vec @ qvec)
    for c in out:
        if c.vector is None:
            c.similarity = 0.8 * (passages[c.passage].dense_similarity or 0.3)
        c.score = 0.65 * c.similarity + 0.35 * c.overlap
    return out

"""Citation markers in generated text: parse them, drop the ones that point nowhere,
strip links and images, and check each sentence against the passages it cites."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from assistant.sentences import sentence_spans
from assistant.types import Passage, Sentence
from index import bm25
from index.embedding import embed_texts

_MARKER_GROUP = re.compile(r"\s*\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_LINK = re.compile(r"\[([^\]]+)\]\(\s*[^)]*\)")
_URL = re.compile(r"\b(?:https?|ftp|javascript|data|file):[^\s)>\]]+", re.I)
_TAG = re.compile(r"<[^>]{0,200}>")
SUPPORT_THRESHOLD = 0.5


@dataclass
class Parsed:
    text: str
    sentences: list[Sentence]
    removed_markers: list[int]


def _expand(group: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", group):
        if re.fullmatch(r"\d+\s*[–-]\s*\d+", part):
            a, b = (int(x) for x in re.split(r"\s*[–-]\s*", part))
            out.extend(range(a, b + 1) if 0 < b - a < 20 else [a, b])
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def sanitize(text: str) -> str:
    """No images, links, URLs or HTML tags survive from generated text."""
    text = _IMAGE.sub("", text)
    text = _LINK.sub(r"\1", text)
    text = _URL.sub("[link removed]", text)
    return _TAG.sub("", text)


def parse(text: str, n_passages: int) -> Parsed:
    """Split into sentences with their markers; markers outside 1..n are removed and reported."""
    text = sanitize(text)
    removed: list[int] = []

    def keep(m: re.Match) -> str:
        nums = _expand(m.group(1))
        good = [n for n in nums if 1 <= n <= n_passages]
        removed.extend(n for n in nums if not 1 <= n <= n_passages)
        return "".join(f" [{n}]" for n in dict.fromkeys(good))

    text = _MARKER_GROUP.sub(keep, text).strip()
    sentences: list[Sentence] = []
    for s, e in sentence_spans(text):
        piece = text[s:e]
        markers = [int(x) for x in re.findall(r"\[(\d+)\]", piece)]
        plain = re.sub(r"\s*\[\d+\]", "", piece).strip()
        if plain:
            sentences.append(Sentence(plain, list(dict.fromkeys(markers))))
        elif markers and sentences:  # markers standing after the sentence they belong to
            sentences[-1].markers.extend(m for m in markers if m not in sentences[-1].markers)
    return Parsed(text, sentences, sorted(set(removed)))


def verify(sentences: list[Sentence], passages: list[Passage], model, batch_size: int = 64) -> list[str]:
    """Flag sentences no cited passage supports (similarity and term overlap); returns them."""
    flagged: list[str] = []
    todo = [s for s in sentences if len(s.text.split()) > 3]
    if not todo:
        return flagged
    vecs = embed_texts(model, [s.text for s in todo], batch_size)
    passage_sents: dict[int, tuple[np.ndarray, frozenset[str]]] = {}
    for sent, vec in zip(todo, vecs, strict=True):
        best = 0.0
        terms = set(bm25.tokenize([sent.text])[0])
        for m in sent.markers:
            if m not in passage_sents:
                p = passages[m - 1]
                texts = [p.text[a:b] for a, b in sentence_spans(p.text)] or [p.text]
                passage_sents[m] = (embed_texts(model, texts, batch_size), frozenset(bm25.tokenize([p.text])[0]))
            pv, pterms = passage_sents[m]
            sim = float(np.max(pv @ vec))
            overlap = len(terms & pterms) / len(terms) if terms else 0.0
            best = max(best, 0.65 * sim + 0.35 * overlap)
        sent.supported = bool(sent.markers) and best >= SUPPORT_THRESHOLD
        if not sent.supported:
            flagged.append(sent.text)
    return flagged

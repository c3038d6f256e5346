"""The typed records that flow through answering and out to the CLI and the web chat."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Filters:
    """Restrict retrieval; applied identically to Chroma's ``where`` and to BM25."""

    sources: tuple[str, ...] = ()
    since: str | None = None  # ISO date (YYYY, YYYY-MM or YYYY-MM-DD)
    until: str | None = None
    article_ids: tuple[str, ...] = ()

    def active(self) -> bool:
        return bool(self.sources or self.since or self.until or self.article_ids)

    def describe(self) -> str:
        """As shown with an answer: "outlet cnn.com · 2017-02"."""
        parts = []
        if self.sources:
            parts.append("outlet " + ", ".join(s for s in self.sources if s != "\x00none") if any(
                s != "\x00none" for s in self.sources) else "outlet: none of those asked")
        if self.since and self.since == self.until:
            parts.append(self.since)
        elif self.since or self.until:
            parts.append(f"{self.since or '…'} – {self.until or '…'}")
        if self.article_ids:
            parts.append(f"{len(self.article_ids)} article(s)")
        return " · ".join(parts) or "none"


@dataclass
class Passage:
    """A retrieved chunk with the article facts a reader needs to judge it."""

    chunk_id: str
    article_id: str
    title: str
    source: str
    published: str | None
    url: str | None
    text: str
    char_start: int
    char_end: int
    score: float = 0.0
    dense_similarity: float | None = None
    marker: int | None = None
    highlights: list[list[int]] = field(default_factory=list)  # cited sentence spans, article offsets

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class Turn:
    role: str  # "user" | "assistant"
    content: str


@dataclass
class Sentence:
    """One answer sentence and the passages (markers) that support it."""

    text: str
    markers: list[int]
    speaker: str | None = None
    supported: bool = True


@dataclass
class Answer:
    question: str
    standalone_question: str
    answer: str
    refused: bool
    citations: list[Passage]
    passages: list[Passage]
    unsupported: list[str]
    backend: str
    timings_ms: dict[str, float]
    sentences: list[Sentence] = field(default_factory=list)
    removed_markers: list[int] = field(default_factory=list)
    filters: str = "none"
    evidence: dict[str, float] = field(default_factory=dict)  # what the answer/refuse decision saw
    answerable_probability: float | None = None

    def to_json(self) -> dict:
        cite = lambda p: {k: v for k, v in p.to_json().items() if k not in ("score", "dense_similarity")}  # noqa: E731
        return {
            "question": self.question,
            "standalone_question": self.standalone_question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [cite(p) for p in self.citations],
            "passages": [cite(p) for p in self.passages],
            "unsupported": self.unsupported,
            "backend": self.backend,
            "timings_ms": {k: round(v, 1) for k, v in self.timings_ms.items()},
            "sentences": [asdict(s) for s in self.sentences],
            "removed_markers": self.removed_markers,
            "filters": self.filters,
            "evidence": {k: round(v, 4) for k, v in self.evidence.items()},
            "answerable_probability": None if self.answerable_probability is None
            else round(self.answerable_probability, 4),
        }

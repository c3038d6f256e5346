"""The answering pipeline: condense -> retrieve -> assess -> answer -> verify.

``Assistant.stream`` yields growing partial answers (the web chat shows them as
they come); ``Assistant.ask`` returns the final one (the CLI and the eval).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator

from assistant import answerability, citations, evidence, extractive
from assistant.condense import condense_rule
from assistant.generative import GenerativeAnswerer
from assistant.retrieval import HybridRetriever, date_bound
from assistant.types import Answer, Filters, Passage, Sentence, Turn
from index.embedding import SentenceEmbeddings
from index.reader import IndexReader
from index.settings import Settings, get_settings

REFUSAL = "The indexed articles do not answer this question"
CLOSEST = 3


class Assistant:
    """One per process: the embedding model and the index stay loaded between questions."""

    def __init__(self, settings: Settings | None = None):
        self.settings = settings or get_settings()
        self.reader = IndexReader(self.settings)
        self.calibration = answerability.Calibration.load()
        self._embeddings: dict[str, SentenceEmbeddings] = {}
        self._retrievers: dict[str, HybridRetriever] = {}
        self._caches: dict[str, evidence.SentenceCache] = {}
        self._generator: GenerativeAnswerer | None = None

    # -- parts ------------------------------------------------------------------
    def _parts(self) -> tuple[SentenceEmbeddings, HybridRetriever, evidence.SentenceCache]:
        """Query with the model the live index was built with (it may differ from settings)."""
        model = self.reader.snapshot().manifest.model
        if model not in self._embeddings:
            emb = SentenceEmbeddings(model, self.settings.embed_batch_size)
            self._embeddings = {model: emb}
            self._retrievers = {model: HybridRetriever(self.reader, emb, self.settings.per_article_cap)}
            self._caches = {model: evidence.SentenceCache(emb.model, self.settings.embed_batch_size)}
        return self._embeddings[model], self._retrievers[model], self._caches[model]

    def generator(self) -> GenerativeAnswerer:
        if self._generator is None:
            self._generator = GenerativeAnswerer(self.settings)
        return self._generator

    def warm_up(self) -> None:
        """Load the index and the model now, not on the first question."""
        emb, _, _ = self._parts()
        emb.encode_query("warm up")

    def condense(self, question: str, history: list[Turn], backend: str) -> str:
        if not any(t.role == "user" for t in history):
            return question
        if backend == "openai":
            return self.generator().condense(question, history)
        return condense_rule(question, history)

    def evidence_features(self, question: str, history: list[Turn], k: int | None = None) -> dict:
        """The raw answerability signals for one question (for calibration)."""
        standalone = condense_rule(question, history) if history else question
        _, passages, cands, t = self._gather(standalone, k or self.settings.k, Filters(), "extractive")
        ev = answerability.assess(standalone, passages, cands, self.reader.snapshot().bm25)
        return {"coverage": ev.coverage, "best_sentence": ev.best_sentence,
                "missing_name": ev.missing_name, "anticipated": ev.anticipated,
                "hard_refusal": bool(ev.missing_name or ev.anticipated)}

    def _gather(self, standalone: str, k: int, filters: Filters, backend: str):
        """Embed the question once, retrieve, and score the passages' sentences."""
        t: dict[str, float] = {}
        emb, retriever, cache = self._parts()
        t1 = time.perf_counter()
        qvec = emb.encode_query(standalone)
        t["embed"] = _ms(t1)
        t1 = time.perf_counter()
        # Who-said questions look wider, to find every speaker; only cited passages are shown.
        speaker = extractive.is_speaker_question(standalone) and backend != "openai"
        passages = retriever.retrieve(standalone, 2 * k if speaker else k, filters, qvec).passages
        t["retrieve"] = _ms(t1)
        t1 = time.perf_counter()
        # Embedding sentences is what answering costs; who-said answers weigh more of them.
        budget = evidence.EMBED_AT_MOST * (2 if speaker else 1)
        cands = evidence.candidates(passages, standalone, qvec, cache, budget)
        t["sentences"] = _ms(t1)
        return qvec, passages, cands, t

    # -- answering --------------------------------------------------------------
    def ask(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None,
            k: int | None = None, backend: str | None = None) -> Answer:
        return deque(self.stream(question, history, filters, k, backend), maxlen=1)[0]

    def stream(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None,
               k: int | None = None, backend: str | None = None) -> Iterator[Answer]:
        question = " ".join((question or "").split())[:2000]
        if not question:
            raise ValueError("empty question")
        history = history or []
        filters = filters or Filters()
        for bound in (filters.since, filters.until):
            if bound:
                date_bound(bound, end=False)  # raises BadFilter with a clear message
        backend = backend or self.settings.backend
        k = k or self.settings.k
        t: dict[str, float] = {}
        t0 = time.perf_counter()

        standalone = self.condense(question, history, backend)
        t["condense"] = _ms(t0)
        qvec, passages, cands, parts = self._gather(standalone, k, filters, backend)
        t.update(parts)
        t1 = time.perf_counter()
        snap = self.reader.snapshot()
        ev = answerability.assess(standalone, passages, cands, snap.bm25)
        t["evidence"] = _ms(t1)

        def answer(text, refused, cites, sentences=(), unsupported=(), removed=()) -> Answer:
            t["total"] = _ms(t0)
            return Answer(question, standalone, text, refused, list(cites), passages, list(unsupported),
                          backend, dict(t), list(sentences), list(removed), filters.describe())

        if not passages or not ev.answerable(self.calibration):
            reason = ev.reason(self.calibration) if passages else "the index has no matching passages"
            text = f"{REFUSAL}: {reason}."
            if passages:
                text += " The closest material is listed below; it does not answer the question."
            yield answer(text, True, [])
            return

        t1 = time.perf_counter()
        if backend == "openai":
            yield from self._generate(standalone, passages, self._parts()[0], answer, t, t1)
            return
        comp = extractive.compose(standalone, passages, cands, self.settings.answer_words,
                                  lambda aid: snap.articles[aid].text)
        # Report the top k passages, plus any cited one found by the wider look.
        passages[:] = [p for i, p in enumerate(passages) if i < k or p.marker is not None]
        t["answer"] = _ms(t1)
        yield answer(comp.text, False, comp.citations, comp.sentences)

    def _generate(self, question: str, passages: list[Passage], emb, answer, t, t1) -> Iterator[Answer]:
        text = ""
        for piece in self.generator().stream(question, passages):
            text += piece
            yield answer(citations.sanitize(text), False, [])
        t["answer"] = _ms(t1)
        parsed = citations.parse(text, len(passages))
        if not parsed.sentences or parsed.text.startswith("The articles do not answer"):
            yield answer(f"{REFUSAL}: the model found no answer in the passages.", True, [],
                         removed=parsed.removed_markers)
            return
        t2 = time.perf_counter()
        unsupported = citations.verify(parsed.sentences, passages, emb.model, self.settings.embed_batch_size)
        t["verify"] = _ms(t2)
        cited = sorted({m for s in parsed.sentences for m in s.markers})
        for p in passages:
            p.marker = None
        for m in cited:
            passages[m - 1].marker = m
        text = render_generated(parsed.sentences)
        yield answer(text, False, [passages[m - 1] for m in cited], parsed.sentences, unsupported,
                     parsed.removed_markers)


def render_generated(sentences: list[Sentence]) -> str:
    """Sentences with their markers; unsupported ones are visibly flagged."""
    parts = []
    for s in sentences:
        marks = "".join(f" [{m}]" for m in s.markers)
        flag = "" if s.supported else " (unsupported)"
        parts.append(f"{s.text}{marks}{flag}")
    return " ".join(parts)


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000

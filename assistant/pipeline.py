"""The answering pipeline: condense -> retrieve -> assess -> answer -> verify.

``Assistant.stream`` yields growing partial answers (the web chat shows them as
they come); ``Assistant.ask`` returns the final one (the CLI and the eval).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterator
from typing import NamedTuple

from assistant import (
    answer_types,
    answerability,
    citations,
    evidence,
    extractive,
    language,
    overview,
    who_said,
)
from assistant import question as questions
from assistant.condense import condense_rule
from assistant.generative import GenerativeAnswerer
from assistant.retrieval import BadFilter, HybridRetriever, date_bound, outlets
from assistant.types import Answer, Filters, Passage, Sentence, Turn
from index import bm25
from index.embedding import SentenceEmbeddings, backend_of
from index.errors import BadInput
from index.reader import IndexReader, Snapshot
from index.remote_embedder import RemoteSpec
from index.settings import Settings, get_settings

REFUSAL = "The indexed articles do not answer this question"
CLOSEST = 3
MAX_K = 50
WHO_SAID_PASSAGES = 24  # a person's statements may be spread over many articles


def latest_date(snap: Snapshot):
    """The newest publication date in the index: years left out of a question are read against it."""
    dates = [d for d in snap.chunk_date.tolist() if d > 0]
    if not dates:
        return None
    from datetime import date

    d = max(dates)
    try:
        return date(d // 10000, max(1, d // 100 % 100), max(1, d % 100))
    except ValueError:
        return None


class QueryParts(NamedTuple):
    embeddings: SentenceEmbeddings
    retriever: HybridRetriever
    sentences: evidence.SentenceCache


class Assistant:
    """One per process: the embedding model and the index stay loaded between questions."""

    def __init__(self, settings: Settings | None = None, calibration: answerability.Calibration | None = None):
        self.settings = settings or get_settings()
        self.reader = IndexReader(self.settings)
        self.calibration = calibration or answerability.Calibration.load()
        self._embeddings: dict[str, SentenceEmbeddings] = {}
        self._retrievers: dict[str, HybridRetriever] = {}
        self._caches: dict[str, evidence.SentenceCache] = {}
        self._generator: GenerativeAnswerer | None = None

    # -- parts ------------------------------------------------------------------
    def snapshot(self) -> Snapshot:
        """The live index generation; a question takes one and reads only it."""
        return self.reader.snapshot()

    def parts(self, snap: Snapshot) -> QueryParts:
        """What a question of ``snap`` is answered with: the embedder the index was built with
        (it may differ from the settings), the retriever and the sentence-vector cache."""
        manifest = snap.manifest
        model, key = manifest.model, manifest.embedder or manifest.model
        if key not in self._embeddings:
            backend = backend_of(manifest.embedder) if manifest.embedder else None
            if backend == "remote":  # the server the index was built with, whatever settings say now
                emb = SentenceEmbeddings(model, self.settings.embed_batch_size, self.settings.embedding_backend,
                                         remote=RemoteSpec.from_embedder_id(manifest.embedder, self.settings))
            else:
                emb = SentenceEmbeddings(model, self.settings.embed_batch_size,
                                         backend=backend or self.settings.embedding_backend)
            self._embeddings = {key: emb}
            self._retrievers = {key: HybridRetriever(self.reader, emb, self.settings.per_article_cap)}
            self._caches = {key: evidence.SentenceCache(emb.model, self.settings.embed_batch_size)}
        return QueryParts(self._embeddings[key], self._retrievers[key], self._caches[key])

    def generator(self) -> GenerativeAnswerer:
        if self._generator is None:
            self._generator = GenerativeAnswerer(self.settings)
        return self._generator

    def warm_up(self) -> None:
        """Load the index and the model now, not on the first question."""
        emb, _, _ = self.parts(self.snapshot())
        emb.encode_query("warm up")

    def condense(self, question: str, history: list[Turn], backend: str) -> str:
        if not any(t.role == "user" for t in history):
            return question
        if backend == "openai":
            return self.generator().condense(question, history)
        return condense_rule(question, history)

    def _gather(self, snap: Snapshot, standalone: str, k: int, filters: Filters, backend: str):
        """Embed the question once, retrieve, and score the passages' sentences."""
        t: dict[str, float] = {}
        emb, retriever, cache = self.parts(snap)
        t1 = time.perf_counter()
        qvec = emb.encode_query(standalone)
        t["embed"] = _ms(t1)
        t1 = time.perf_counter()
        # Who-said questions look wider, to find every speaker; only cited passages are shown.
        speaker = extractive.is_speaker_question(standalone) and backend != "openai"
        passages = retriever.retrieve(standalone, 2 * k if speaker else k, filters, qvec, snap).passages
        t["retrieve"] = _ms(t1)
        t1 = time.perf_counter()
        # Embedding sentences is what answering costs; who-said answers weigh more of them.
        budget = evidence.EMBED_AT_MOST * (2 if speaker else 1)
        cands = evidence.candidates(passages, standalone, qvec, cache, budget)
        t["sentences"] = _ms(t1)
        return qvec, passages, cands, t

    def _known_word(self, snap: Snapshot):
        vocab = snap.terms.df

        def known(word: str) -> bool:
            tokens = bm25.tokenize([word])[0]
            return bool(tokens) and all(t in vocab for t in tokens)
        return known

    # -- answering --------------------------------------------------------------
    def ask(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None,
            k: int | None = None, backend: str | None = None) -> Answer:
        return deque(self.stream(question, history, filters, k, backend), maxlen=1)[0]

    def stream(self, question: str, history: list[Turn] | None = None, filters: Filters | None = None,
               k: int | None = None, backend: str | None = None) -> Iterator[Answer]:
        question = " ".join((question or "").split())[:2000]
        if not question:
            raise BadInput("the question is empty")
        history = history or []
        filters = filters or Filters()
        for bound in (filters.since, filters.until):
            if bound:
                date_bound(bound, end=False)  # raises BadFilter with a clear message
        backend = backend or self.settings.backend
        k = k or self.settings.k
        if not 1 <= k <= MAX_K:
            raise BadFilter(f"k must be between 1 and {MAX_K}")
        t: dict[str, float] = {}
        t0 = time.perf_counter()
        snap = self.snapshot()  # one index version for the whole question

        standalone = self.condense(question, history, backend)
        t["condense"] = _ms(t0)
        passages: list[Passage] = []
        applied = filters
        ev: answerability.Evidence | None = None

        def answer(text, refused, cites, sentences=(), unsupported=(), removed=()) -> Answer:
            t["total"] = _ms(t0)
            return Answer(question, standalone, text, refused, list(cites), passages, list(unsupported),
                          backend, dict(t), list(sentences), list(removed), applied.describe(),
                          ev.features() if ev else {}, ev.probability if ev else None)

        foreign = language.foreign_language(standalone, self._known_word(snap))
        if foreign:
            yield answer(language.message(foreign), True, [])
            return
        parsed = questions.parse(standalone, outlets(snap), latest_date(snap))
        applied = parsed.filters(filters)
        content = parsed.content
        emb, retriever, _ = self.parts(snap)

        def article_text(aid: str) -> str:
            return snap.articles[aid].text

        # Corpus-level questions: a timeline, a period's main stories, outlets side by side, who said what.
        request = overview.detect(standalone) if backend != "openai" else None
        if request is not None:
            request = overview.resolved(request, snap)
        if request is not None:
            t1 = time.perf_counter()
            base = filters if request.kind == "outlet_comparison" else applied  # each side filters itself
            comp = overview.answer(request, base, snap, retriever, emb.encode_query, article_text)
            passages = comp.citations
            t["overview"] = _ms(t1)
            if comp.sentences:
                yield answer(comp.text, False, comp.citations, comp.sentences)
            else:
                yield answer(f"{REFUSAL}: {comp.text or 'no article matches it'}", True, [])
            return

        # "What did X say (about Y)?": X's own statements only, from any article.
        asked = who_said.asked_person(content) if backend != "openai" else None
        if asked is not None:
            person, topic = asked
            t1 = time.perf_counter()
            qvec = emb.encode_query(content)
            passages = retriever.retrieve(content, WHO_SAID_PASSAGES, applied, qvec, snap).passages
            comp = who_said.compose_statements(content, person, topic, passages, article_text,
                                               self.settings.answer_words)
            t["answer"] = _ms(t1)
            if comp.sentences:
                passages[:] = [p for p in passages if p.marker is not None] + [
                    p for p in passages if p.marker is None][: max(0, k - len(comp.citations))]
                yield answer(comp.text, False, comp.citations, comp.sentences)
            else:
                passages[:] = passages[:CLOSEST]
                yield answer(f"{REFUSAL}: {comp.text.rstrip('.')}. The closest material is listed below.", True, [])
            return
        qvec, found, cands, parts = self._gather(snap, content, k, applied, backend)
        if not found and applied != filters:
            # A date or outlet read from the question is a guess ("when they met on 9 January" may be
            # reported days later): when it matches nothing, ask again with the user's filters only.
            applied = filters
            qvec, found, cands, parts = self._gather(snap, content, k, applied, backend)
        passages = found
        t.update(parts)
        t1 = time.perf_counter()
        kind = answer_types.expected_type(content)
        ev = answerability.assess(content, passages, cands, snap.terms, kind)
        t["evidence"] = _ms(t1)

        if not passages or not ev.answerable(self.calibration):
            reason = ev.reason(self.calibration) if passages else "the index has no matching passages"
            if not passages and applied.active():
                reason += f" (filters: {applied.describe()})"
            text = f"{REFUSAL}: {reason}."
            if passages:
                text += " The closest material is listed below; it does not answer the question."
            yield answer(text, True, [])
            return

        t1 = time.perf_counter()
        if backend == "openai":
            yield from self._generate(content, passages, self.parts(snap)[0], answer, t, t1)
            return
        comp = extractive.compose(content, passages, cands, self.settings.answer_words,
                                  lambda aid: snap.articles[aid].text, kind)
        # Report the top k passages, plus any cited one found by the wider look.
        passages[:] = [p for i, p in enumerate(passages) if i < k or p.marker is not None]
        t["answer"] = _ms(t1)
        if not comp.sentences:  # every answer is cited text or a refusal with its reason
            yield answer(f"{REFUSAL}: no sentence of the passages answers it.", True, [])
            return
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

"""The fast tier: no model is loaded. A deterministic hashing embedder stands in for MiniLM, and a
tiny generation is written to disk with the index's own writers (real Chroma, real BM25, real tables)
and opened with the real reader, so retrieval, filters and answer selection run unchanged.

Run it with ``pytest tests/fast`` (well under a minute, no torch).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest
from langchain_core.embeddings import Embeddings

from index import bm25, generations, store, tables
from index.chunking import chunk_id
from index.generations import ArticleEntry, Manifest
from index.models import Article, ArticleMeta, Chunk
from index.settings import Settings

DIM = 64
# Modules that mean a model (or its framework) was loaded; the tier must never import them.
HEAVY = ("torch", "sentence_transformers", "transformers", "spacy", "thinc")
MODULES_OUT = "DOSSIER_FAST_MODULES_OUT"


class HashEmbedder:
    """Bag-of-words vectors from a stable hash: texts sharing words are close, like a real model's.

    Has the two methods Dossier calls on a sentence-transformers model (``encode`` and
    ``get_embedding_dimension``), so ``index.embedding.embed_texts`` runs unchanged on it."""

    def get_embedding_dimension(self) -> int:
        return DIM

    def vector(self, text: str) -> np.ndarray:
        v = np.zeros(DIM, dtype=np.float32)
        for word in re.findall(r"\w+", text.casefold()):
            h = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
            v[int.from_bytes(h[:4], "big") % DIM] += 1.0 if h[4] & 1 else -1.0
        norm = float(np.linalg.norm(v))
        if norm == 0.0:
            v[0], norm = 1.0, 1.0
        return v / norm

    def encode(self, texts: list[str], **_: object) -> np.ndarray:
        return np.stack([self.vector(t) for t in texts]) if texts else np.zeros((0, DIM), np.float32)


class HashEmbeddings(Embeddings):
    """The same vectors behind LangChain's ``Embeddings`` (what the retriever is given)."""

    def __init__(self) -> None:
        self.model = HashEmbedder()
        self.batch_size = 16

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return self.model.encode(texts).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_query(text).tolist()

    def encode_query(self, text: str) -> np.ndarray:
        return self.model.vector(text)


# Four short articles, three outlets, one undated; the harbour article has many on-topic paragraphs.
ARTICLES = {
    "harbour.md": (ArticleMeta("Harbour expansion approved", "Wire A", "2024-03-05"), [
        "The city council approved the harbour expansion on Tuesday after a long debate.",
        "The harbour expansion will add two new berths for container ships and a ferry terminal.",
        "Engineers said the harbour dredging would start in the spring and last two years.",
        "Fishermen worried that the harbour works would disturb the breeding grounds of local fish.",
        "The mayor said the harbour expansion would create four hundred jobs in the port district.",
    ]),
    "fishing.md": (ArticleMeta("Fishing fleet shrinks", "Wire B", "2024-04-10"), [
        "The local fishing fleet has shrunk by a third in ten years, the cooperative reported.",
        "Skippers blamed fuel prices and the harbour fees for the decline of small boats.",
        "The mayor said the harbour expansion would create four hundred jobs in the port district.",
    ]),
    "railway.md": (ArticleMeta("Railway budget cut", "Daily C", "2023-11-20"), [
        "The regional railway budget was cut by twelve percent in the new spending plan.",
        "Commuters will see fewer trains on the coastal line, which runs past the harbour.",
    ]),
    "weather.md": (ArticleMeta("Storm warning", "Wire B", None), [
        "Forecasters issued a storm warning for the coast with winds above ninety kilometres an hour.",
        "Schools in the valley will close early on Thursday because of the storm.",
    ]),
}


@dataclass
class TinyIndex:
    settings: Settings
    articles: dict[str, Article]
    chunks: list[Chunk]
    vectors: dict[str, np.ndarray]  # chunk id -> the vector stored in Chroma


def write_generation(settings: Settings, embedder: HashEmbedder) -> TinyIndex:
    """One complete generation, written and published the way a build writes one."""
    articles: dict[str, Article] = {}
    chunks: list[Chunk] = []
    for aid, (meta, paragraphs) in ARTICLES.items():
        text = "\n\n".join(paragraphs)
        articles[aid] = Article(aid, aid, text, meta)
        for pos, para in enumerate(paragraphs):
            start = text.index(para)
            chunks.append(Chunk(chunk_id(aid, start, para), aid, pos, para, start, start + len(para)))
    vectors = embedder.encode([c.text for c in chunks])

    folder = generations.new_generation(settings.index_dir)
    client = store.open_client(None, folder / "chroma")
    store.add_chunks(store.create_collection(client, settings.collection), chunks, vectors, articles)
    tables.write_tables(folder, list(articles.values()), chunks)
    bm25.save(*bm25.build([c.text for c in chunks]), folder)
    manifest = Manifest(
        generation=folder.name, built_at=datetime.now(UTC).isoformat(timespec="seconds"), model="hash-64",
        dimension=DIM, chunk_tokens=200, chunk_overlap_tokens=0, fingerprint="fast-tier",
        collection=settings.collection, chroma_url=None,
        articles={a.article_id: ArticleEntry(a.content_hash, a.path, a.meta.title, a.meta.source, a.meta.published,
                                             [c.chunk_id for c in chunks if c.article_id == a.article_id])
                  for a in articles.values()},
        chunk_count=len(chunks),
        files=generations.record_files(folder, [tables.ARTICLES, tables.CHUNKS, "bm25", bm25.TERMS_FILE]),
    )
    generations.write_atomic(folder / generations.MANIFEST, json.dumps(manifest.to_json()))
    generations.publish(settings.index_dir, folder)
    return TinyIndex(settings, articles, chunks, {c.chunk_id: v for c, v in zip(chunks, vectors, strict=True)})


@pytest.fixture(scope="session")
def embeddings() -> HashEmbeddings:
    return HashEmbeddings()


@pytest.fixture(scope="session")
def tiny(tmp_path_factory, embeddings) -> TinyIndex:
    base = tmp_path_factory.mktemp("tiny")
    settings = Settings(corpus_dir=base / "corpus", index_dir=base / "index")
    return write_generation(settings, embeddings.model)


def pytest_sessionfinish(session, exitstatus) -> None:
    """For the no-model check: which heavy modules this run imported."""
    out = os.environ.get(MODULES_OUT)
    if out:
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in HEAVY)
        Path(out).write_text(json.dumps(loaded), encoding="utf-8")

"""Chroma access, embedded or client/server, always with our own vectors.

Collections are opened with ``embedding_function=None`` passed explicitly: we
supply every vector, so Chroma never loads (or downloads) a default model.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlparse

import chromadb
import numpy as np

from index.errors import DossierError
from index.models import Article, Chunk

ADD_BATCH = 2000


class StoreUnavailable(DossierError, kind="service"):
    """The Chroma server cannot be reached (or answered with an error)."""


def server_error(url: str, exc: Exception) -> str:
    return (f"the Chroma server at {url} is not answering ({type(exc).__name__}); "
            "start it again (`chroma run ...`) and retry")


def client_settings() -> chromadb.Settings:
    return chromadb.Settings(anonymized_telemetry=False, allow_reset=False)


def open_client(chroma_url: str | None, persist_dir: Path | None):
    """An ``HttpClient`` when a server URL is configured, else a ``PersistentClient``."""
    if chroma_url:
        url = urlparse(chroma_url)
        try:
            return chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=client_settings(),
            )
        except Exception as exc:  # chromadb raises ValueError/ConnectError variants
            raise StoreUnavailable(server_error(chroma_url, exc)) from exc
    assert persist_dir is not None
    return chromadb.PersistentClient(path=str(persist_dir), settings=client_settings())


def create_collection(client, name: str):
    """Cosine space, set through Chroma 1.x's collection configuration (not legacy metadata)."""
    return client.get_or_create_collection(
        name=name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
    )


def get_collection(client, name: str):
    return client.get_collection(name=name, embedding_function=None)


def chunk_metadata(chunk: Chunk, article: Article) -> dict:
    """Flat metadata Chroma can filter on: outlet, date (as a sortable number), article."""
    meta = article.meta
    return {
        "article_id": chunk.article_id,
        "position": chunk.position,
        "char_start": chunk.char_start,
        "char_end": chunk.char_end,
        "title": meta.title,
        "source": meta.source,
        "published": meta.published or "",
        "published_key": date_key(meta.published),
        "url": meta.url or "",
    }


def date_key(iso: str | None) -> int:
    """``2023-02-03`` -> 20230203; a month alone counts as its first day; unknown -> 0."""
    if not iso:
        return 0
    parts = (iso.split("-") + ["01", "01"])[:3]
    try:
        return int(parts[0]) * 10000 + int(parts[1]) * 100 + int(parts[2])
    except ValueError:
        return 0


def add_chunks(collection, chunks: list[Chunk], vectors: np.ndarray, articles: dict[str, Article]) -> None:
    for i in range(0, len(chunks), ADD_BATCH):
        part = chunks[i : i + ADD_BATCH]
        collection.add(
            ids=[c.chunk_id for c in part],
            embeddings=vectors[i : i + len(part)],
            documents=[c.text for c in part],
            metadatas=[chunk_metadata(c, articles[c.article_id]) for c in part],
        )


def delete_ids(collection, ids: Iterable[str]) -> None:
    ids = list(ids)
    for i in range(0, len(ids), ADD_BATCH):
        collection.delete(ids=ids[i : i + ADD_BATCH])


def copy_collection(source, target, batch: int = ADD_BATCH) -> None:
    """Copy every record with its vector (used where files cannot be copied: a server)."""
    total = source.count()
    for offset in range(0, total, batch):
        got = source.get(limit=batch, offset=offset, include=["embeddings", "documents", "metadatas"])
        if got["ids"]:
            target.add(ids=got["ids"], embeddings=got["embeddings"],
                       documents=got["documents"], metadatas=got["metadatas"])

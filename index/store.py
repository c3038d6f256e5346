"""Chroma access, embedded or client/server, always with our own vectors.

Collections are opened with ``embedding_function=None`` passed explicitly: we
supply every vector, so Chroma never loads (or downloads) a default model.
"""

from __future__ import annotations

import functools
import logging
import sqlite3
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TypeVar, cast
from urllib.parse import urlparse

import chromadb
import numpy as np
from chromadb.api import ClientAPI
from chromadb.api.client import Client
from chromadb.errors import InternalError

from index.errors import DossierError
from index.generations import REBUILD, IndexCorrupt
from index.models import Article, Chunk

log = logging.getLogger(__name__)
# What a damaged embedded store raises (a bad argument is not damage and passes through).
STORE_DAMAGE = (InternalError, sqlite3.DatabaseError, OSError)

ADD_BATCH = 2000


class StoreUnavailable(DossierError, kind="service"):
    """The Chroma server cannot be reached (or answered with an error)."""


def server_error(url: str, exc: Exception) -> str:
    return (f"the Chroma server at {url} is not answering ({type(exc).__name__}); "
            "start it again (`chroma run ...`) and retry")


def client_settings() -> chromadb.Settings:
    return chromadb.Settings(anonymized_telemetry=False, allow_reset=False)


def open_client(chroma_url: str | None, persist_dir: Path | None) -> Client:
    """An ``HttpClient`` when a server URL is configured, else a ``PersistentClient``.

    Both factories are typed as ``ClientAPI`` but make a ``Client``, the class with ``close()``."""
    client: ClientAPI
    if chroma_url:
        url = urlparse(chroma_url)
        try:
            client = chromadb.HttpClient(
                host=url.hostname or "127.0.0.1",
                port=url.port or (443 if url.scheme == "https" else 8000),
                ssl=url.scheme == "https",
                settings=client_settings(),
            )
        except Exception as exc:  # chromadb raises ValueError/ConnectError variants
            raise StoreUnavailable(server_error(chroma_url, exc)) from exc
    else:
        assert persist_dir is not None
        client = chromadb.PersistentClient(path=str(persist_dir), settings=client_settings())
    assert isinstance(client, Client)
    return client


def damaged(where: str, exc: BaseException) -> IndexCorrupt:
    """The error shown for a damaged embedded store; the store's own text goes to the log."""
    log.error("vector store of %s failed: %s: %s", where, type(exc).__name__, exc)
    return IndexCorrupt(f"the vector store of index {where} is damaged and cannot be read: {REBUILD}")


class Guarded:
    """A Chroma client or collection whose damage errors become ``IndexCorrupt``.

    Readers get their store through this, so any caller (LangChain's ``Chroma`` included)
    sees one actionable error instead of raw SQLite text; collections it returns are
    guarded too.
    """

    def __init__(self, target: Any, where: str):
        self._target = target
        self._where = where

    def __getattr__(self, name: str):
        attr = getattr(self._target, name)
        if not callable(attr):
            return attr

        @functools.wraps(attr)
        def call(*args, **kwargs):
            try:
                out = attr(*args, **kwargs)
            except STORE_DAMAGE as exc:
                raise damaged(self._where, exc) from exc
            return Guarded(out, self._where) if isinstance(out, chromadb.Collection) else out

        return call


T = TypeVar("T")


def guarded(target: T, where: str) -> T:
    """``target`` behind a ``Guarded`` proxy, typed as itself: the proxy forwards every attribute."""
    return cast(T, Guarded(target, where))


PROBE_FILE = "probe.json"
PROBES = 6


def probe_sample(collection, chunk_ids: list[str]) -> dict:
    """A few stored vectors, spread over the index, to query again later (see ``probe``)."""
    step = max(1, len(chunk_ids) // PROBES)
    ids = chunk_ids[::step][:PROBES]
    if not ids:
        return {"ids": [], "vectors": []}
    got = collection.get(ids=ids, include=["embeddings"])
    by_id = dict(zip(got["ids"], got["embeddings"], strict=True))
    return {"ids": ids, "vectors": [[float(x) for x in by_id[i]] for i in ids]}


def probe(collection, sample: dict, chunk_count: int, where: str) -> None:
    """Each probe vector must find itself (distance ~0) and the store must hold every chunk:
    damage to the vectors that Chroma does not notice by itself shows here."""
    if collection.count() != chunk_count:
        raise IndexCorrupt(f"the vector store of index {where} has lost passages: {REBUILD}")
    vectors = sample.get("vectors") or []
    if not vectors:
        return
    got = collection.query(query_embeddings=vectors, n_results=min(10, chunk_count), include=["distances"])
    for dists in got["distances"]:
        if not dists or min(dists) > 1e-3:
            log.error("vector store of %s: a stored vector no longer finds itself (%s)", where, dists[:3])
            raise IndexCorrupt(f"the vector store of index {where} is damaged: {REBUILD}")


def create_collection(client: ClientAPI, name: str) -> chromadb.Collection:
    """Cosine space, set through Chroma 1.x's collection configuration (not legacy metadata)."""
    return client.get_or_create_collection(
        name=name, embedding_function=None, configuration={"hnsw": {"space": "cosine"}}
    )


def get_collection(client: ClientAPI, name: str) -> chromadb.Collection:
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

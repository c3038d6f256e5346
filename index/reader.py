"""Read-only view of the live index, reloaded when a build publishes a new generation."""

from __future__ import annotations

import contextlib
import json
import threading
from dataclasses import asdict, dataclass
from pathlib import Path

import bm25s
import chromadb
import numpy as np
from chromadb.api.client import Client

from index import bm25, generations, store, tables
from index.generations import Manifest
from index.models import Article, Chunk, Skipped
from index.settings import Settings


@dataclass
class Snapshot:
    """One complete generation: manifest, tables, BM25 (with its term statistics) and the Chroma
    collection. A question takes one and passes it down, so it never reads two generations."""

    folder: Path
    manifest: Manifest
    articles: dict[str, Article]
    chunks: list[Chunk]
    row_of: dict[str, int]
    bm25: bm25s.BM25
    terms: bm25.TermStats
    client: Client
    collection: chromadb.Collection
    # Per-chunk arrays for filtering the BM25 side exactly as Chroma filters the dense side.
    chunk_source: np.ndarray
    chunk_date: np.ndarray
    chunk_article: np.ndarray

    @property
    def generation(self) -> str:
        return self.folder.name


def read_probe(folder: Path) -> dict:
    """The probe vectors the build kept (verified with the other files); none in older indexes."""
    path = folder / store.PROBE_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise generations.IndexCorrupt(f"{store.PROBE_FILE} of {folder.name} is damaged: {generations.REBUILD}") from exc
    return data if isinstance(data, dict) else {}


def _open_store(folder: Path, manifest: Manifest) -> tuple[Client, chromadb.Collection]:
    """The generation's client and collection, checked with the build's probe vectors; damage and
    outages become IndexCorrupt / StoreUnavailable naming what to do (the client is closed then)."""
    client: Client | None = None
    try:
        client = store.open_client(manifest.chroma_url, folder / generations.STORE_DIR)
        if not manifest.chroma_url:
            client = store.guarded(client, folder.name)
        collection = store.get_collection(client, manifest.collection)
        store.probe(collection, read_probe(folder), manifest.chunk_count, folder.name)
        return client, collection
    except Exception as exc:
        if client is not None:
            with contextlib.suppress(Exception):
                client.close()
        if isinstance(exc, (store.StoreUnavailable, generations.IndexCorrupt)):
            raise
        if manifest.chroma_url:
            raise store.StoreUnavailable(store.server_error(manifest.chroma_url, exc)) from exc
        raise store.damaged(folder.name, exc) from exc


def probe_store(folder: Path, manifest: Manifest) -> None:
    """Open the generation's vector store and query it with the build's probe vectors."""
    client, _ = _open_store(folder, manifest)
    client.close()


def _read_terms(folder: Path) -> bm25.TermStats:
    """The BM25 term statistics; a generation built before they were stored needs a build."""
    try:
        return bm25.load_terms(folder)
    except FileNotFoundError:
        raise generations.IndexCorrupt(
            f"index {folder.name} was built by an older Dossier and lacks {bm25.TERMS_FILE}: "
            "run `python -m index build` (nothing is re-embedded)") from None


def open_snapshot(settings: Settings) -> Snapshot:
    folder = generations.current_dir(settings.index_dir)
    manifest = generations.read_manifest(folder)
    generations.verify_files(folder, manifest)
    try:
        articles = tables.read_articles(folder)
        chunks = tables.read_chunks(folder)
        retriever = bm25.load(folder / "bm25")
        terms = _read_terms(folder)
        meta = [articles[c.article_id].meta for c in chunks]
    except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise generations.IndexCorrupt(
            f"index tables in {folder.name} are damaged ({type(exc).__name__}): {generations.REBUILD}"
        ) from exc
    if len(chunks) != manifest.chunk_count:
        raise generations.IndexCorrupt(f"chunk table of {folder.name} is incomplete: {generations.REBUILD}")
    client, collection = _open_store(folder, manifest)
    return Snapshot(
        folder=folder,
        manifest=manifest,
        articles=articles,
        chunks=chunks,
        row_of={c.chunk_id: i for i, c in enumerate(chunks)},
        bm25=retriever,
        terms=terms,
        client=client,
        collection=collection,
        chunk_source=np.array([m.source.casefold() for m in meta], dtype=object),
        chunk_date=np.array([store.date_key(m.published) for m in meta], dtype=np.int64),
        chunk_article=np.array([c.article_id for c in chunks], dtype=object),
    )


class IndexReader:
    """Hands out the current snapshot; switches when ``CURRENT`` changes, never mid-question."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self._snapshot: Snapshot | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> Snapshot:
        name = generations.current_name(self.settings.index_dir)
        snap = self._snapshot
        if snap is not None and snap.generation == name:
            return snap
        with self._lock:
            if self._snapshot is None or self._snapshot.generation != name:
                self._snapshot = open_snapshot(self.settings)
            return self._snapshot


@dataclass(frozen=True)
class Outlet:
    name: str
    domain: str
    articles: int


@dataclass(frozen=True)
class IndexStatus:
    """What ``python -m index status`` and the web page show about the live index."""

    index_dir: str
    build_running: bool
    articles: int
    chunks: int
    model: str
    dimension: int
    built_at: str
    generation: str
    collection: str
    chroma_url: str | None
    chunk_tokens: int
    chunk_overlap_tokens: int
    skipped: list[Skipped]
    sources: list[str]
    outlets: list[Outlet]

    def to_json(self) -> dict:
        return asdict(self)


def status(settings: Settings, probe: bool = False) -> IndexStatus:
    """Verifies every file the manifest lists (sizes, checksums, SQLite's check) and, with
    ``probe``, queries the vector store with the build's probe vectors. Raises ``IndexCorrupt``
    on damage, or when the generation predates the files answering needs."""
    folder = generations.current_dir(settings.index_dir)
    m = generations.read_manifest(folder)
    generations.verify_files(folder, m)
    _read_terms(folder)
    if probe:
        probe_store(folder, m)
    outlets: dict[tuple[str, str], int] = {}
    for a in m.articles.values():
        if a.source:
            outlets[(a.source, a.domain)] = outlets.get((a.source, a.domain), 0) + 1
    return IndexStatus(
        index_dir=str(settings.index_dir),
        build_running=generations.is_build_running(settings.index_dir),
        articles=len(m.articles),
        chunks=m.chunk_count,
        model=m.model,
        dimension=m.dimension,
        built_at=m.built_at,
        generation=m.generation,
        collection=m.collection,
        chroma_url=m.chroma_url,
        chunk_tokens=m.chunk_tokens,
        chunk_overlap_tokens=m.chunk_overlap_tokens,
        skipped=list(m.skipped),
        sources=sorted({a.source for a in m.articles.values() if a.source}),
        outlets=[Outlet(n, d, c) for (n, d), c in sorted(outlets.items())],
    )

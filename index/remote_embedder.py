"""Embeddings from an OpenAI-compatible server (Infinity, text-embeddings-inference, vLLM, Ollama).

Scale-out of ingestion: when one machine's cores are outgrown, ``DOSSIER_EMBEDDINGS_URL`` sends
the texts to ``POST {url}/embeddings`` in batches, retried with backoff on connection errors,
5xx and 429. Chunk lengths are still measured locally with the model folder's own tokenizer
(the server must serve that model). The embedder id names the served model, the server and
the vector dimension, so an index built elsewhere is rebuilt and queries use the index's server.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

import numpy as np

from index.errors import DossierError

if TYPE_CHECKING:
    import httpx

    from index.settings import Settings

PREFIX = "remote:"
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_BACKOFF_S = 30.0
QUERY_RETRIES = 2  # a person waits for a question: 0.5 s + 1 s of backoff at most, then the error


class EmbeddingServerError(DossierError, kind="service"):
    """The embeddings server is unreachable, refuses the request or answers something unusable."""


def clean_url(url: str) -> str:
    """``scheme://host[:port]/path`` without credentials, query or trailing slash; http(s) only."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise EmbeddingServerError(f"DOSSIER_EMBEDDINGS_URL must be an http(s) URL, not {url!r}")
    host = parts.hostname if ":" not in parts.hostname else f"[{parts.hostname}]"
    netloc = f"{host}:{parts.port}" if parts.port else host
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


@dataclass(frozen=True)
class RemoteSpec:
    """Where and what to ask; hashable, so a process keeps one client per server and model."""

    url: str
    model: str
    api_key: str | None = field(default=None, repr=False)
    batch_size: int = 64
    timeout_s: float = 60.0
    retries: int = 5
    dimension: int | None = None  # known from an index's manifest: the server must agree

    def __post_init__(self) -> None:
        object.__setattr__(self, "url", clean_url(self.url))

    @classmethod
    def from_settings(cls, settings: Settings) -> RemoteSpec | None:
        """The server to build with, or None when ``DOSSIER_EMBEDDINGS_URL`` is unset."""
        if not settings.embeddings_url:
            return None
        key = settings.embeddings_api_key.get_secret_value() if settings.embeddings_api_key else None
        return cls(settings.embeddings_url, settings.embeddings_model or settings.embedding_model,
                   key, settings.embeddings_batch_size, settings.embeddings_timeout_s, settings.embeddings_retries)

    @classmethod
    def from_embedder_id(cls, embedder: str, settings: Settings) -> RemoteSpec:
        """The server an index was built with (queries must use it), with fewer retries than a
        build. The API key is sent only when that server is the configured one: a key never
        follows a URL read from a file."""
        model, url, dim = parse_embedder_id(embedder)
        configured = cls.from_settings(settings)
        key = configured.api_key if configured and configured.url == url else None
        return cls(url, model, key, settings.embeddings_batch_size, settings.embeddings_timeout_s,
                   min(settings.embeddings_retries, QUERY_RETRIES), dim)


def make_embedder_id(model: str, url: str, dimension: int) -> str:
    return f"{PREFIX}{model}@{url}#dim={dimension}"


def parse_embedder_id(embedder: str) -> tuple[str, str, int]:
    """``remote:<model>@<url>#dim=<n>`` -> (model, url, n)."""
    try:
        body, dim = embedder.removeprefix(PREFIX).rsplit("#dim=", 1)
        model, url = body.rsplit("@", 1)
        return model, clean_url(url), int(dim)
    except (ValueError, EmbeddingServerError) as exc:
        raise EmbeddingServerError(f"the index names an embeddings server this version cannot read: "
                                   f"{embedder!r}; rebuild the index") from exc


class RemoteEmbedder:
    """Same call shape as SentenceTransformer.encode / OnnxEmbedder, over HTTP.

    ``tokenizer`` and ``max_seq_length`` come from the local model folder: the chunker measures
    passages with them, and they must be the served model's.
    """

    def __init__(self, spec: RemoteSpec, folder: Path, client: httpx.Client | None = None,
                 sleep: Callable[[float], None] = time.sleep):
        import httpx

        from index.onnx_embedder import FastTokenizer, read_source

        self.spec = spec
        self.max_seq_length = read_source(folder).max_seq_length
        self.tokenizer = FastTokenizer(folder / "tokenizer.json", self.max_seq_length)
        headers = {"Authorization": f"Bearer {spec.api_key}"} if spec.api_key else {}
        self._client = client or httpx.Client(timeout=spec.timeout_s, headers=headers)
        self._sleep = sleep
        self._dim = self._probe()

    @property
    def embedder_id(self) -> str:
        return make_embedder_id(self.spec.model, self.spec.url, self._dim)

    def get_embedding_dimension(self) -> int:
        return self._dim

    def _probe(self) -> int:
        dim = len(self._post(["dimension probe"])[0])
        if self.spec.dimension is not None and dim != self.spec.dimension:
            raise EmbeddingServerError(
                f"the embeddings server {self.spec.url} returns {dim}-dimensional vectors for "
                f"{self.spec.model!r}, but the index was built with {self.spec.dimension}: "
                "serve the same model, or rebuild the index")
        return dim

    def _post(self, texts: list[str]) -> list[list[float]]:
        """One request, retried; the vectors in input order."""
        import httpx

        url = f"{self.spec.url}/embeddings"
        payload = {"model": self.spec.model, "input": texts, "encoding_format": "float"}
        problem, retry_after = "", None
        for attempt in range(self.spec.retries + 1):
            if attempt:
                self._sleep(backoff(attempt, retry_after))
            try:
                resp = self._client.post(url, json=payload)
            except httpx.TransportError as exc:
                problem, retry_after = f"unreachable ({type(exc).__name__}: {exc})", None
                continue
            if resp.status_code in RETRY_STATUS:
                problem, retry_after = f"failing (HTTP {resp.status_code})", _retry_after(resp)
                continue
            if resp.status_code != 200:
                raise EmbeddingServerError(
                    f"the embeddings server {url} refused the request (HTTP {resp.status_code}): "
                    f"{_excerpt(resp.text)}")
            return _vectors(resp, len(texts), url)
        raise EmbeddingServerError(
            f"the embeddings server {url} is {problem} after {self.spec.retries + 1} attempts; "
            "start it, or unset DOSSIER_EMBEDDINGS_URL to embed on this machine")

    def encode(self, texts: list[str], batch_size: int = 64, normalize_embeddings: bool = True,
               convert_to_numpy: bool = True, show_progress_bar: bool = False) -> np.ndarray:
        """Vectors in input order, in requests of ``spec.batch_size`` texts (the server's batch,
        not the local one: ``batch_size`` is accepted for the shared call shape)."""
        out = np.empty((len(texts), self._dim), dtype=np.float32)
        step = self.spec.batch_size
        for i in range(0, len(texts), step):
            vecs = np.asarray(self._post(texts[i : i + step]), dtype=np.float32)
            if vecs.ndim != 2 or vecs.shape[1] != self._dim:
                raise EmbeddingServerError(
                    f"the embeddings server {self.spec.url} returned vectors of shape {vecs.shape}, "
                    f"expected {self._dim} dimensions")
            out[i : i + len(vecs)] = vecs
        if normalize_embeddings:
            out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out


def backoff(attempt: int, retry_after: float | None) -> float:
    """0.5 s, 1 s, 2 s ... capped; a server's Retry-After is honoured up to the same cap."""
    wait = 0.5 * 2 ** (attempt - 1)
    if retry_after is not None:
        wait = max(wait, retry_after)
    return min(MAX_BACKOFF_S, wait)


def _retry_after(resp: httpx.Response) -> float | None:
    try:
        return float(resp.headers.get("retry-after", ""))
    except ValueError:
        return None


def _excerpt(text: str, limit: int = 200) -> str:
    return " ".join(text.split())[:limit] or "(empty body)"


def _vectors(resp: httpx.Response, count: int, url: str) -> list[list[float]]:
    """``data[*].embedding`` ordered by ``index``; anything else is the server's fault, said so."""
    try:
        data = resp.json()["data"]
        rows = sorted(data, key=lambda d: int(d.get("index", 0)))
        vecs = [[float(x) for x in row["embedding"]] for row in rows]
    except (json.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        raise EmbeddingServerError(f"the embeddings server {url} answered without OpenAI-style "
                                   f"embeddings ({type(exc).__name__}): {_excerpt(resp.text)}") from exc
    if len(vecs) != count or len({len(v) for v in vecs}) > 1 or not vecs[0]:
        raise EmbeddingServerError(f"the embeddings server {url} returned {len(vecs)} vectors of "
                                   f"uneven or zero size for {count} texts")
    return vecs

"""The remote embedder's protocol against a scripted OpenAI-style stub on loopback: batching,
input order, retries with backoff on 5xx/429/connection errors, and clear errors otherwise.
(The real server, Infinity, is exercised in test_embeddings_server.py.)"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from index.embedding import backend_of, resolve_model_path
from index.errors import DossierError
from index.remote_embedder import (
    MAX_BACKOFF_S,
    EmbeddingServerError,
    RemoteEmbedder,
    RemoteSpec,
    backoff,
    make_embedder_id,
    parse_embedder_id,
)
from index.settings import BUNDLED_MODEL, Settings
from tests.helpers import free_port

DIM = 8


def fake_vector(text: str, dim: int = DIM) -> list[float]:
    """A deterministic, text-dependent vector (not normalized: the client must normalize)."""
    digest = hashlib.sha256(text.encode()).digest()
    return [float(b) - 100.0 for b in digest[:dim]]


class Stub:
    """Answers POST /v1/embeddings; ``script`` holds what the next requests get (status, headers)
    before normal answers resume. Data rows come back reversed, so order must come from ``index``."""

    def __init__(self) -> None:
        self.script: list[tuple[int, dict[str, str]]] = []
        self.requests: list[dict] = []
        self.auth: list[str | None] = []
        self.dim = DIM
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.requests.append(body)
                stub.auth.append(self.headers.get("Authorization"))
                if self.path != "/v1/embeddings":
                    return self._send(404, {"error": "no such route"})
                if stub.script:
                    status, headers = stub.script.pop(0)
                    return self._send(status, {"error": f"scripted {status}"}, headers)
                rows = [{"object": "embedding", "index": i, "embedding": fake_vector(t, stub.dim)}
                        for i, t in enumerate(body["input"])]
                self._send(200, {"object": "list", "data": rows[::-1], "model": body["model"]})

            def _send(self, status: int, payload: dict, headers: dict[str, str] | None = None) -> None:
                raw = json.dumps(payload).encode()
                self.send_response(status)
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def sizes(self) -> list[int]:
        return [len(r["input"]) for r in self.requests]


@pytest.fixture
def stub() -> Iterator[Stub]:
    s = Stub()
    yield s
    s.server.shutdown()
    s.server.server_close()


def make(spec: RemoteSpec, sleeps: list[float] | None = None) -> RemoteEmbedder:
    record = sleeps if sleeps is not None else []
    return RemoteEmbedder(spec, resolve_model_path(BUNDLED_MODEL), sleep=record.append)


def test_batches_keep_input_order_and_normalize(stub):
    emb = make(RemoteSpec(stub.url + "/", "mini", api_key="s3cret", batch_size=3))
    texts = [f"text number {i}" for i in range(7)]
    out = emb.encode(texts, batch_size=999)
    assert stub.sizes() == [1, 3, 3, 1]  # the dimension probe, then batches of the server's size
    assert {r["model"] for r in stub.requests} == {"mini"} and set(stub.auth) == {"Bearer s3cret"}
    want = np.asarray([fake_vector(t) for t in texts], dtype=np.float32)
    want /= np.linalg.norm(want, axis=1, keepdims=True)
    assert out.shape == (7, DIM) and np.allclose(out, want, atol=1e-6)
    assert emb.get_embedding_dimension() == DIM and emb.max_seq_length == 256
    assert emb.tokenizer.tokenize("Hello world") == ["hello", "world"]
    assert emb.embedder_id == f"remote:mini@{stub.url}#dim={DIM}"
    assert emb.encode([]).shape == (0, DIM)


def test_retries_5xx_and_429_with_backoff_then_succeeds(stub):
    stub.script = [(503, {}), (429, {"Retry-After": "7"}), (500, {})]
    sleeps: list[float] = []
    emb = make(RemoteSpec(stub.url, "mini", retries=3), sleeps)
    assert emb.get_embedding_dimension() == DIM and len(stub.requests) == 4
    assert sleeps == [0.5, 7.0, 2.0]  # doubling, a Retry-After honoured when longer


def test_gives_up_after_retries_with_a_clear_message(stub):
    stub.script = [(502, {})] * 3
    with pytest.raises(EmbeddingServerError, match=r"failing \(HTTP 502\) after 3 attempts"):
        make(RemoteSpec(stub.url, "mini", retries=2))
    assert len(stub.requests) == 3


def test_client_errors_are_not_retried(stub):
    stub.script = [(400, {})]
    with pytest.raises(EmbeddingServerError, match=r"refused the request \(HTTP 400\): .*scripted 400"):
        make(RemoteSpec(stub.url, "mini"))
    assert len(stub.requests) == 1
    with pytest.raises(EmbeddingServerError, match="HTTP 404"):  # a URL without /v1
        make(RemoteSpec(stub.url.removesuffix("/v1"), "mini"))


def test_unreachable_server_is_a_dossier_error():
    sleeps: list[float] = []
    with pytest.raises(DossierError, match="unreachable .* after 3 attempts; start it, or unset"):
        make(RemoteSpec(f"http://127.0.0.1:{free_port()}/v1", "mini", retries=2), sleeps)
    assert sleeps == [0.5, 1.0]


def test_wrong_dimension_against_the_index_is_refused(stub):
    with pytest.raises(EmbeddingServerError, match="returns 8-dimensional vectors .* built with 384"):
        make(RemoteSpec(stub.url, "mini", dimension=384))
    emb = make(RemoteSpec(stub.url, "mini"))
    stub.dim = DIM + 1  # the server changes model under a running client
    with pytest.raises(EmbeddingServerError, match="expected 8 dimensions"):
        emb.encode(["a", "b"])


def test_malformed_answers_are_the_servers_fault(stub):
    emb = make(RemoteSpec(stub.url, "mini"))
    stub.dim = 0
    with pytest.raises(EmbeddingServerError, match="uneven or zero size"):
        emb.encode(["a"])


def test_ids_round_trip_and_settings():
    eid = make_embedder_id("BAAI/bge-small", "http://gpu-1:8080/v1", 384)
    assert backend_of(eid) == "remote"
    assert parse_embedder_id(eid) == ("BAAI/bge-small", "http://gpu-1:8080/v1", 384)
    with pytest.raises(EmbeddingServerError, match="rebuild the index"):
        parse_embedder_id("remote:garbage")
    settings = Settings(embeddings_url="http://user:pw@gpu-1:8080/v1/?x=1", embeddings_api_key="k",
                        embeddings_batch_size=128)
    spec = RemoteSpec.from_settings(settings)
    assert spec is not None and spec.url == "http://gpu-1:8080/v1" and spec.model == BUNDLED_MODEL
    assert spec.batch_size == 128 and spec.api_key == "k" and "k" not in repr(spec)
    assert RemoteSpec.from_settings(Settings()) is None
    # Queries go to the index's server; the key only to the configured one.
    assert RemoteSpec.from_embedder_id(eid, settings).api_key == "k"
    elsewhere = RemoteSpec.from_embedder_id(make_embedder_id("m", "http://other:1/v1", 3), settings)
    assert elsewhere.api_key is None and elsewhere.dimension == 3 and elsewhere.retries == 2
    with pytest.raises(EmbeddingServerError, match="http"):
        RemoteSpec.from_settings(Settings(embeddings_url="file:///etc/passwd"))
    assert backoff(30, None) == MAX_BACKOFF_S


def test_build_against_an_unreachable_server_fails_before_touching_the_index(seed_corpus, tmp_path):
    from index import generations
    from index.build import build
    from tests.helpers import make_settings

    dead = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(EmbeddingServerError, match="unreachable .* after 2 attempts"):
        build(make_settings(seed_corpus, tmp_path / "idx", embeddings_url=dead, embeddings_retries=1), quiet=True)
    with pytest.raises(generations.IndexMissing):
        generations.current_dir(tmp_path / "idx")


@pytest.mark.slow
def test_queries_use_the_index_server_even_with_the_url_unset(stub, seed_corpus, tmp_path):
    from assistant.pipeline import Assistant
    from index import generations
    from index.build import build
    from tests.helpers import make_settings

    build(make_settings(seed_corpus, tmp_path / "idx", embeddings_url=stub.url), quiet=True)
    manifest = generations.read_manifest(generations.current_dir(tmp_path / "idx"))
    assert manifest.embedder == f"remote:{BUNDLED_MODEL}@{stub.url}#dim={DIM}" and manifest.dimension == DIM
    stub.server.shutdown()
    stub.server.server_close()
    with pytest.raises(EmbeddingServerError, match="unreachable .* after 3 attempts"):
        Assistant(make_settings(seed_corpus, tmp_path / "idx")).ask("Who is Carlos Aquino?")

"""Scale-out embedding against a real OpenAI-compatible server on loopback: Infinity serving the
bundled model folder, in its own virtual environment (`make infinity`; INFINITY_VENV overrides).
Vectors match the local torch path, a build and a question go through the server, and switching
DOSSIER_EMBEDDINGS_URL on or off rebuilds instead of mixing embedders."""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from collections.abc import Iterator

import numpy as np
import pytest

from assistant.pipeline import Assistant
from index import generations, store
from index.build import build
from index.embedding import backend_of, load_model, resolve_model_path
from index.remote_embedder import RemoteSpec
from index.settings import BUNDLED_MODEL
from tests.helpers import ROOT, free_port, make_settings, subprocess_env

# A relative INFINITY_VENV (as make passes it) is relative to the repository, not to the test's cwd.
INFINITY_VENV = ROOT / os.environ.get("INFINITY_VENV", ".venv-infinity")
INFINITY = INFINITY_VENV / "bin" / "infinity_emb"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not INFINITY.is_file(),
                       reason=f"no Infinity embeddings server at {INFINITY} (`make infinity` creates it)"),
]
MIN_COSINE = 0.999  # the same weights on torch fp32 (1.000000 seen); int8 weights would fail (min 0.98 seen)


@pytest.fixture(scope="module")
def infinity(tmp_path_factory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("infinity") / "server.log"
    env = subprocess_env(HF_HUB_OFFLINE="1", INFINITY_ANONYMOUS_USAGE_STATS="0", DO_NOT_TRACK="1")
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(INFINITY), "v2", "--model-id", str(resolve_model_path(BUNDLED_MODEL)),
             "--served-model-name", BUNDLED_MODEL, "--engine", "torch", "--device", "cpu",
             "--no-bettertransformer", "--host", "127.0.0.1", "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, env=env, cwd=log.parent)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.time() + 240
        while True:
            try:
                urllib.request.urlopen(f"{url}/models", timeout=2)
                break
            except OSError:
                if proc.poll() is not None or time.time() > deadline:
                    pytest.fail(f"Infinity did not start: {log.read_text(errors='replace')[-2000:]}")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def embedding_requests(url: str) -> float:
    """POST /embeddings requests the server has answered (its Prometheus counter)."""
    text = urllib.request.urlopen(f"{url}/metrics", timeout=10).read().decode()
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith("http_requests_total{") and 'handler="/embeddings"' in line)


def cosines(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))


def test_server_vectors_match_local_torch(infinity):
    texts = [p for f in sorted((ROOT / "corpus").glob("*.txt"))
             for p in f.read_text(encoding="utf-8").split("\n\n") if p.strip()]
    texts += ["Ünïcode — “quotes” 😀 and\u00a0spaces", "word " * 400]  # the last is truncated on both sides
    remote = load_model(BUNDLED_MODEL, remote=RemoteSpec(infinity, BUNDLED_MODEL, batch_size=5))
    local = load_model(BUNDLED_MODEL, "torch")
    assert remote.get_embedding_dimension() == 384 and remote.max_seq_length == local.max_seq_length
    got = remote.encode(texts)
    want = local.encode(texts, normalize_embeddings=True, convert_to_numpy=True)
    assert got.shape == want.shape and float(cosines(got, want).min()) >= MIN_COSINE


def test_build_query_and_switching_url_rebuilds(infinity, seed_corpus, tmp_path):
    on = make_settings(seed_corpus, tmp_path / "idx", embeddings_url=infinity, embeddings_batch_size=8)
    off = make_settings(seed_corpus, tmp_path / "idx")
    first = build(on, quiet=True)
    folder = generations.current_dir(on.index_dir)
    manifest = generations.read_manifest(folder)
    assert manifest.embedder == f"remote:{BUNDLED_MODEL}@{infinity}#dim=384" and manifest.dimension == 384
    assert backend_of(manifest.embedder) == "remote" and first.embedded_chunks == first.chunks > 0

    # The stored vectors are the model's: compare with local torch on the stored passages.
    client = store.open_client(None, folder / "chroma")
    got = store.get_collection(client, manifest.collection).get(include=["embeddings", "documents"])
    stored = np.asarray(got["embeddings"], dtype=np.float32)
    want = load_model(BUNDLED_MODEL, "torch").encode(got["documents"], normalize_embeddings=True)
    assert len(stored) == first.chunks and float(cosines(stored, want).min()) >= MIN_COSINE
    client.close()

    # Queries use the index's embedder, even with the URL unset in this process's settings.
    bot = Assistant(off)
    before = embedding_requests(infinity)
    ans = bot.ask("What did analysts say about China aiding Russia?")
    assert embedding_requests(infinity) > before
    assert not ans.refused and {p.source for p in ans.citations} == {"CNN", "El Comercio"}
    assert not build(on, quiet=True).full_rebuild  # same server, same model: nothing to do

    # Switching the server off, then on again, re-embeds everything each time.
    local = build(off, quiet=True)
    assert local.full_rebuild and local.embedded_chunks == local.chunks
    assert backend_of(generations.read_manifest(generations.current_dir(off.index_dir)).embedder) == off.embedding_backend
    assert not Assistant(off).ask("What did analysts say about China aiding Russia?").refused
    again = build(on, quiet=True)
    assert again.full_rebuild and again.embedded_chunks == again.chunks
    assert generations.read_manifest(generations.current_dir(on.index_dir)).embedder == manifest.embedder


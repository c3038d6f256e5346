"""The ONNX embedder: same tokens and vectors as sentence-transformers (fp32 exactly, the fused int8
default closely), recorded in the manifest, a backend or recipe change rebuilds, and a cold CLI
answer on it never imports torch."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest

from index import generations, onnx_embedder
from index.build import build
from index.embedding import backend_of, embedder_id, load_model
from index.settings import BUNDLED_MODEL
from tests.helpers import PYTHON, ROOT, make_settings, subprocess_env

pytestmark = pytest.mark.slow


def _texts() -> list[str]:
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))]
    paras = [p for t in texts for p in t.split("\n\n") if p.strip()]
    return paras + ["", "Ünïcode — “quotes” 😀 and\u00a0spaces", "word " * 400]


def test_onnx_tokens_and_vectors_match_torch():
    onnx, torch_model = load_model(BUNDLED_MODEL, "onnx"), load_model(BUNDLED_MODEL, "torch")
    texts = _texts()
    assert onnx.max_seq_length == torch_model.max_seq_length
    for t in texts:
        assert onnx.tokenizer.tokenize(t) == torch_model.tokenizer.tokenize(t)
    a = onnx.encode(texts, batch_size=4)
    b = torch_model.encode(texts, batch_size=4, normalize_embeddings=True, convert_to_numpy=True)
    assert a.shape == b.shape and a.dtype == np.float32
    assert float((a * b).sum(1).min()) > 0.9999
    # Batching in length order keeps every vector in its input's place.
    assert np.allclose(onnx.encode(texts[::-1], batch_size=3)[::-1], a, atol=1e-5)


def test_int8_default_is_fused_and_close_to_torch():
    """The default graph carries the transformer optimizer's fused kernels and stays near torch."""
    int8, torch_model = load_model(BUNDLED_MODEL, "onnx-int8"), load_model(BUNDLED_MODEL, "torch")
    assert int8.meta["recipe"] == onnx_embedder.RECIPE
    assert int8.meta["fused"].get("Attention", 0) > 0 and int8.meta["fused"].get("SkipLayerNormalization", 0) > 0
    assert embedder_id(BUNDLED_MODEL, "onnx-int8") == f"onnx-int8:{int8.meta['sha256'][:16]}"
    texts = _texts()
    a = int8.encode(texts, batch_size=8)
    b = torch_model.encode(texts, batch_size=8, normalize_embeddings=True, convert_to_numpy=True)
    cos = (a * b).sum(1)
    assert float(cos.mean()) > 0.99 and float(cos.min()) > 0.95
    assert np.allclose(np.linalg.norm(a, axis=1), 1.0, atol=1e-4)
    # Neighbourhoods hold: each text's nearest other text under torch is among its three nearest
    # under int8 (the top one itself flips only between near-ties, as with the unfused int8).
    sims_a, sims_b = a @ a.T, b @ b.T
    np.fill_diagonal(sims_a, -2)
    np.fill_diagonal(sims_b, -2)
    nearest = sims_b.argmax(1)
    rank = (sims_a > sims_a[np.arange(len(a)), nearest][:, None]).sum(1)
    assert float((rank < 3).mean()) > 0.95


def test_derivation_change_gives_new_embedder_and_rebuilds(seed_corpus, tmp_path, monkeypatch):
    """An index made by an earlier recipe (here: the unfused graph, as recipe 1 made it) records
    another embedder id; the current recipe's export has its own, so the next build rebuilds."""
    monkeypatch.setenv("DOSSIER_EMBEDDER_CACHE", str(tmp_path / "cache"))
    settings = make_settings(seed_corpus, tmp_path / "idx", embedding_backend="onnx-int8")
    with monkeypatch.context() as old:
        old.setattr(onnx_embedder, "RECIPE", "old")
        old.setattr(onnx_embedder, "_fuse", lambda src, plain, out: shutil.copyfile(plain, out) and {})
        old_id = embedder_id(BUNDLED_MODEL, "onnx-int8")
        build(settings, quiet=True)
    new_id = embedder_id(BUNDLED_MODEL, "onnx-int8")
    assert new_id != old_id and backend_of(old_id) == backend_of(new_id) == "onnx-int8"
    again = build(settings, quiet=True)
    assert again.full_rebuild and again.embedded_chunks == again.chunks
    manifest = generations.read_manifest(generations.current_dir(settings.index_dir))
    assert manifest.embedder == new_id


def test_manifest_records_embedder_and_backend_change_rebuilds(seed_corpus, tmp_path):
    settings = make_settings(seed_corpus, tmp_path / "idx", embedding_backend="onnx")
    first = build(settings, quiet=True)
    manifest = generations.read_manifest(generations.current_dir(settings.index_dir))
    assert manifest.embedder == embedder_id(BUNDLED_MODEL, "onnx") and backend_of(manifest.embedder) == "onnx"
    assert not build(settings, quiet=True).full_rebuild
    other = build(make_settings(seed_corpus, tmp_path / "idx", embedding_backend="torch"), quiet=True)
    assert other.full_rebuild and "backend" in other.reason and other.embedded_chunks == first.chunks
    manifest = generations.read_manifest(generations.current_dir(settings.index_dir))
    assert backend_of(manifest.embedder) == "torch"


def test_cold_cli_answer_on_onnx_never_imports_torch(seed_index):
    probe = ("import atexit, runpy, sys\n"
             "atexit.register(lambda: print('HEAVY:' + ','.join(m for m in "
             "('torch', 'sentence_transformers', 'transformers') if m in sys.modules), file=sys.stderr))\n"
             "sys.argv = ['assistant', 'ask', '--json', 'How many jobs will be cut?']\n"
             "runpy.run_module('assistant', run_name='__main__', alter_sys=True)\n")
    out = subprocess.run([PYTHON, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=300,
                         env=subprocess_env(DOSSIER_INDEX_DIR=str(seed_index.index_dir), PYTHONPATH=str(ROOT)))
    assert out.returncode == 0, out.stderr[-2000:]
    assert json.loads(out.stdout.strip().splitlines()[-1])["answer"]
    heavy = [line for line in out.stderr.splitlines() if line.startswith("HEAVY:")]
    assert heavy == ["HEAVY:"], heavy

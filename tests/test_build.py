"""Incremental, atomic builds on a real Chroma store with the real model."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from index import bm25, generations
from index.build import build
from index.embedding import resolve_model_path
from index.reader import IndexReader, status
from tests.helpers import PYTHON, ROOT, make_settings, subprocess_env, write_article

NEW_BODY = ("The harbour authority announced on Friday that the container terminal will double its capacity "
            "by 2026, creating about 400 jobs. Unions welcomed the plan but asked for safety guarantees.")


def all_documents(settings) -> list[str]:
    snap = IndexReader(settings).snapshot()
    return snap.collection.get(include=["documents"])["documents"]


def test_seed_index_contents(seed_index):
    st = status(seed_index)
    assert st.articles == 2 and st.chunks >= 6
    docs = all_documents(seed_index)
    assert len(docs) == st.chunks
    joined = "\n".join(docs)
    for gone in ("The Limited Times", "Skip to content", "Share this article", "Trends 24h"):
        assert gone not in joined
    assert "1.28 trillion yuan" in joined
    assert "senior fellow at the Carnegie Endowment" in joined
    snap = IndexReader(seed_index).snapshot()
    for c in snap.chunks:  # offsets hold for every stored chunk
        assert snap.articles[c.article_id].text[c.char_start : c.char_end] == c.text


def test_incremental_add_change_remove_unchanged(seed_corpus, tmp_path):
    settings = make_settings(seed_corpus, tmp_path / "idx")
    first = build(settings, quiet=True)
    assert first.full_rebuild and len(first.added) == 2 and first.embedded_chunks == first.chunks

    again = build(settings, quiet=True)
    assert again.embedded_chunks == 0 and len(again.unchanged) == 2 and not again.full_rebuild

    write_article(seed_corpus, "harbour.md", "Harbour expansion", NEW_BODY)
    added = build(settings, quiet=True)
    assert added.added == ["harbour.md"] and len(added.unchanged) == 2
    assert 0 < added.embedded_chunks < first.chunks
    assert any("container terminal" in d for d in all_documents(settings))

    write_article(seed_corpus, "harbour.md", "Harbour expansion", NEW_BODY.replace("400 jobs", "650 jobs"))
    changed = build(settings, quiet=True)
    assert changed.changed == ["harbour.md"] and changed.embedded_chunks == added.embedded_chunks
    docs = all_documents(settings)
    assert any("650 jobs" in d for d in docs) and not any("400 jobs" in d for d in docs)

    (seed_corpus / "001_85a900dec10b9532.txt").unlink()
    removed = build(settings, quiet=True)
    assert removed.removed == ["001_85a900dec10b9532.txt"] and removed.embedded_chunks == 0
    docs = all_documents(settings)
    assert not any("Carlos Aquino" in d for d in docs)
    assert status(settings).articles == 2
    # Superseded generations are pruned: the live one and the one before it remain.
    assert len(list(settings.index_dir.glob("gen-*"))) == 2


def test_model_or_chunking_change_forces_full_rebuild(seed_corpus, tmp_path):
    settings = make_settings(seed_corpus, tmp_path / "idx")
    build(settings, quiet=True)
    other_model = tmp_path / "model-copy"
    shutil.copytree(resolve_model_path("all-MiniLM-L6-v2"), other_model)
    report = build(make_settings(seed_corpus, tmp_path / "idx", embedding_model=str(other_model)), quiet=True)
    assert report.full_rebuild and "model" in report.reason and report.embedded_chunks == report.chunks
    assert status(settings).model == str(other_model)
    smaller = build(make_settings(seed_corpus, tmp_path / "idx", embedding_model=str(other_model),
                                  chunk_tokens=96), quiet=True)
    assert smaller.full_rebuild and smaller.chunks > report.chunks


def test_second_build_is_refused_while_one_runs(seed_corpus, tmp_path):
    settings = make_settings(seed_corpus, tmp_path / "idx")
    with generations.BuildLock(settings.index_dir), pytest.raises(generations.BuildLocked, match="already running"):
        build(settings, quiet=True)
    assert build(settings, quiet=True).articles == 2  # the lock is released afterwards


def test_build_offline_never_fetches_chroma_model(seed_corpus, tmp_path):
    """All outbound connections impossible, no hub flags set: the build still works and tries nothing."""
    home = tmp_path / "home"
    home.mkdir()
    log = tmp_path / "net.log"
    env = subprocess_env(HOME=str(home), NETGUARD_LOG=str(log),
                         PYTHONPATH=str(ROOT / "tests" / "netguard"),
                         HTTP_PROXY="http://127.0.0.1:9", HTTPS_PROXY="http://127.0.0.1:9",
                         ALL_PROXY="http://127.0.0.1:9", http_proxy="http://127.0.0.1:9",
                         https_proxy="http://127.0.0.1:9")
    for flag in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HF_HOME", "NO_PROXY", "no_proxy"):
        env.pop(flag, None)
    out = subprocess.run([PYTHON, "-m", "index", "build", "--corpus", str(seed_corpus), "--index",
                          str(tmp_path / "idx"), "--json"], cwd=ROOT, env=env, capture_output=True,
                         text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["articles"] == 2
    assert not list(home.rglob("onnx_models")) and not list(tmp_path.rglob("*.onnx"))
    assert not log.exists() or log.read_text() == ""


def test_cli_status_and_errors(seed_corpus, tmp_path):
    idx = tmp_path / "idx"
    run = lambda *a: subprocess.run([PYTHON, "-m", "index", *a, "--index", str(idx)], cwd=ROOT,  # noqa: E731
                                    env=subprocess_env(), capture_output=True, text=True, timeout=300)
    missing = run("status")
    assert missing.returncode != 0 and "no index yet" in missing.stderr and "Traceback" not in missing.stderr
    bad = run("build", "--corpus", str(tmp_path / "nope"))
    assert bad.returncode != 0 and "corpus folder not found" in bad.stderr
    assert run("build", "--corpus", str(seed_corpus), "--quiet").returncode == 0
    st = json.loads(run("status", "--json").stdout)
    assert {"articles", "chunks", "model", "built_at", "index_dir", "collection"} <= set(st)
    assert st["articles"] == 2
    second = json.loads(run("build", "--corpus", str(seed_corpus), "--json").stdout)
    assert second["embedded"] == 0
    assert "--corpus" in run("build", "--help").stdout


def test_corrupt_manifest_is_reported_and_rebuild_recovers(seed_corpus, tmp_path):
    settings = make_settings(seed_corpus, tmp_path / "idx")
    build(settings, quiet=True)
    live = generations.current_dir(settings.index_dir)
    (live / "chunks.jsonl").write_text("{half")
    with pytest.raises(generations.IndexCorrupt, match="rebuild"):
        IndexReader(settings).snapshot()
    report = build(settings, quiet=True)  # a damaged previous index means a full build
    assert report.full_rebuild and report.articles == 2
    assert IndexReader(settings).snapshot().manifest.chunk_count == report.chunks


def test_generation_folder_is_complete_before_switch(seed_index):
    live = generations.current_dir(seed_index.index_dir)
    assert (live / "manifest.json").is_file() and not (live / generations.BUILDING).exists()
    assert Path(live / "bm25").is_dir()


def test_background_builder_refuses_a_second_build(seed_corpus, tmp_path):
    from index.background import BackgroundBuilder

    settings = make_settings(seed_corpus, tmp_path / "idx")
    builder = BackgroundBuilder(settings)
    assert builder.start() is None
    assert "already running" in (builder.start() or "")
    builder.wait(300)
    assert builder.state.report and builder.state.report.articles == 2 and not builder.state.error
    assert builder.start() is None  # free again once finished
    builder.wait(300)
    assert builder.state.report.embedded_chunks == 0


def test_build_progress_counts_what_it_embeds(seed_corpus, tmp_path):
    """The page shows stage-by-stage progress with counts: the passages embedded of the total."""
    from index.background import BackgroundBuilder

    calls = []
    report = build(make_settings(seed_corpus, tmp_path / "index"), quiet=True,
                   progress=lambda *args: calls.append(args))
    embedding = [c for c in calls if c[0] == "embedding"]
    assert embedding and embedding[-1][2:] == (report.embedded_chunks, report.embedded_chunks)
    assert [c[0] for c in calls][0] == "loading" and calls[-1][0] == "done"
    # Chunking ends at its total, and "embedding 0 of N" shows before the first (slow) batch.
    first = next(i for i, c in enumerate(calls) if c[0] == "embedding")
    assert calls[first - 1][0] == "chunking" and calls[first - 1][2] == calls[first - 1][3] > 0
    assert calls[first][2:] == (0, report.embedded_chunks)
    builder = BackgroundBuilder(make_settings(seed_corpus, tmp_path / "index"))
    builder._progress("embedding", 0.37, 1024, 2744)
    assert builder.describe() == "stage embedding: 1,024 of 2,744 passages (37%)"


def _strip_term_stats(settings) -> Path:
    """Make the live generation look like one built before BM25 term statistics were stored."""
    live = generations.current_dir(settings.index_dir)
    manifest = generations.read_manifest(live)
    (live / bm25.TERMS_FILE).unlink()
    del manifest.files[bm25.TERMS_FILE]
    generations.write_atomic(live / generations.MANIFEST, json.dumps(manifest.to_json()))
    return live


def test_generation_without_term_statistics_is_upgraded_without_embedding(seed_corpus, tmp_path):
    settings = make_settings(seed_corpus, tmp_path / "idx")
    first = build(settings, quiet=True)
    old = _strip_term_stats(settings)
    with pytest.raises(generations.IndexCorrupt, match="python -m index build"):
        IndexReader(settings).snapshot()
    with pytest.raises(generations.IndexCorrupt, match="python -m index build"):
        status(settings)
    report = build(settings, quiet=True)  # nothing changed in the corpus, yet a new generation is written
    assert report.embedded_chunks == 0 and not report.full_rebuild and report.chunks == first.chunks
    live = generations.current_dir(settings.index_dir)
    assert live != old and bm25.TERMS_FILE in generations.read_manifest(live).files
    snap = IndexReader(settings).snapshot()
    assert snap.terms.num_docs == len(snap.chunks) == first.chunks
    assert build(settings, quiet=True).embedded_chunks == 0
    assert generations.current_dir(settings.index_dir) == live  # and then nothing to do


def test_bm25_library_logs_nothing_below_warning():
    """The web server configures logging at INFO: bm25s's own DEBUG lines must not reach its terminal."""
    import logging

    assert not logging.getLogger("bm25s").isEnabledFor(logging.INFO)
    assert bm25.build(["a harbour text", "a ferry text"])[1].num_docs == 2

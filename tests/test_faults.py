"""Faults injected into builds: SIGKILL at every stage, damaged files. The previous index keeps
answering, and the next build recovers and matches a clean build."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time

import pytest

from index import generations, tables
from index.build import HOLD_ENV, build
from index.reader import IndexReader, status
from tests.helpers import PYTHON, ROOT, SEED_CORPUS, make_settings, subprocess_env
from tests.synthetic import write_corpus

STAGES = ["embedding", "store", "tables", "switch", "prune"]


def _signature(settings) -> tuple:
    """What a build must reproduce: the articles with their hashes, and the chunk IDs."""
    folder = generations.current_dir(settings.index_dir)
    m = generations.read_manifest(folder)
    return ({a: e.hash for a, e in m.articles.items()}, sorted(c.chunk_id for c in tables.read_chunks(folder)))


def _answers(settings) -> int:
    from assistant.pipeline import Assistant

    ans = Assistant(settings).ask("How much was trade between China and Russia worth last year?")
    assert not ans.refused and ans.citations
    return len(IndexReader(settings).snapshot().chunks)


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    base = tmp_path_factory.mktemp("ref")
    corpus = base / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    write_corpus(corpus, 12)
    settings = make_settings(corpus, base / "index")
    build(settings, quiet=True)
    return _signature(settings)


@pytest.mark.slow
@pytest.mark.parametrize("stage", STAGES)
def test_kill_at_stage(stage, tmp_path, reference):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    settings = make_settings(corpus, tmp_path / "idx")
    build(settings, quiet=True)
    before = status(settings)
    write_corpus(corpus, 12)
    proc = subprocess.Popen([PYTHON, "-m", "index", "build", "--quiet", "--corpus", str(corpus), "--index",
                             str(settings.index_dir)], cwd=ROOT, env=subprocess_env(**{HOLD_ENV: stage}),
                            stderr=subprocess.PIPE, text=True)
    deadline = time.time() + 180
    line = ""
    while time.time() < deadline and f"HOLD {stage}" not in line:
        line = proc.stderr.readline()
        assert line or proc.poll() is None, "build ended without reaching the stage"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    after = status(settings)
    if stage == "prune":  # killed after the switch: the new index is complete and live
        assert after.articles == 14
    else:
        assert after.generation == before.generation
        assert (after.articles, after.chunks) == (before.articles, before.chunks)
    assert _answers(settings) == after.chunks

    report = build(settings, quiet=True)
    assert report.articles == 14
    assert _signature(settings) == reference
    assert len(list(settings.index_dir.glob("gen-*"))) <= 2


@pytest.mark.parametrize("damage", ["manifest-garbage", "manifest-truncated", "bm25-truncated", "current-dangling"])
def test_damaged_index_is_reported_and_rebuild_recovers(damage, seed_corpus, tmp_path):
    settings = make_settings(seed_corpus, tmp_path / "idx")
    build(settings, quiet=True)
    live = generations.current_dir(settings.index_dir)
    if damage == "manifest-garbage":
        (live / "manifest.json").write_text("\x00\x01 not json")
    elif damage == "manifest-truncated":
        text = (live / "manifest.json").read_text()
        (live / "manifest.json").write_text(text[: len(text) // 2])
    elif damage == "bm25-truncated":
        victim = sorted((live / "bm25").glob("*.npy"))[0]
        victim.write_bytes(victim.read_bytes()[:10])
    else:
        (settings.index_dir / "CURRENT").write_text("gen-missing\n")
    with pytest.raises(generations.IndexCorrupt, match="rebuild"):
        IndexReader(settings).snapshot()
    env = subprocess_env()
    st = subprocess.run([PYTHON, "-m", "index", "status", "--index", str(settings.index_dir)], cwd=ROOT, env=env,
                        capture_output=True, text=True, timeout=120)
    assert st.returncode == 2 and "rebuild" in st.stderr and "Traceback" not in st.stderr
    fix = subprocess.run([PYTHON, "-m", "index", "rebuild", "--quiet", "--corpus", str(seed_corpus), "--index",
                          str(settings.index_dir)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert fix.returncode == 0, fix.stderr
    assert status(settings).articles == 2 and _answers(settings) > 0

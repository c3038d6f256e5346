"""A build killed with SIGKILL half-way leaves the previous index serving; the next build recovers."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time

import pytest

from index import generations
from index.build import build
from index.reader import IndexReader, status
from tests.helpers import PYTHON, ROOT, make_settings, subprocess_env
from tests.synthetic import write_corpus


def _query_works(settings) -> int:
    snap = IndexReader(settings).snapshot()
    from index import bm25
    from index.embedding import SentenceEmbeddings

    vec = SentenceEmbeddings(settings.embedding_model).encode_query("China trade with Russia")
    dense = snap.collection.query(query_embeddings=[vec], n_results=3)
    assert dense["ids"][0]
    assert bm25.top_k(snap.bm25, "Gabuev Carnegie", 3)
    return len(snap.articles)


@pytest.mark.slow
def test_kill_during_build_keeps_previous_index(seed_corpus, tmp_path):
    settings = make_settings(seed_corpus, tmp_path / "idx")
    build(settings, quiet=True)
    before = status(settings)
    write_corpus(seed_corpus, 300)
    log = open(tmp_path / "build.log", "w")  # noqa: SIM115  (held by the child until it is killed)
    proc = subprocess.Popen([PYTHON, "-m", "index", "build", "--corpus", str(seed_corpus),
                             "--index", str(settings.index_dir)], cwd=ROOT, env=subprocess_env(),
                            stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 240
    # Kill once embedding is under way and some vectors are in the new store.
    while time.time() < deadline and proc.poll() is None:
        text = (tmp_path / "build.log").read_text(errors="replace")
        if re.search(r"Embedding:\s+\d+%[^|]*\|[^|]*\| [1-9]\d*/", text):
            break
        time.sleep(0.2)
    assert proc.poll() is None, "build finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()

    assert generations.current_name(settings.index_dir) == before.generation
    after = status(settings)
    assert (after.articles, after.chunks) == (before.articles, before.chunks)
    assert _query_works(settings) == 2
    assert not generations.is_build_running(settings.index_dir)

    report = build(settings, quiet=True)
    assert report.articles == 302 and len(report.added) == 300
    assert _query_works(settings) == 302
    # The killed build's folder is gone: only the live and the previous generation remain.
    gens = sorted(p.name for p in settings.index_dir.glob("gen-*"))
    assert len(gens) == 2 and before.generation in gens

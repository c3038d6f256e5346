"""BM25 term statistics are counted at build time and stored with the generation; answerability
weighs question terms with them (no read of the BM25 library's internals)."""

from __future__ import annotations

import json
import math
import shutil

import pytest

from index import bm25, generations
from index.reader import IndexReader, status


def test_stored_document_frequencies_count_chunks_per_term(tiny):
    snap = IndexReader(tiny.settings).snapshot()
    assert snap.terms.num_docs == len(tiny.chunks)
    tokens = [set(t) for t in bm25.tokenize([c.text for c in tiny.chunks])]
    for term in ("harbour", "storm", "mayor", "railway"):
        stem = bm25.tokenize([term])[0][0]
        assert snap.terms.df[stem] == sum(stem in t for t in tokens) > 0
    assert set(snap.terms.df) == set().union(*tokens)
    # A rarer term weighs more; a term no chunk holds weighs most.
    harbour, storm = (bm25.tokenize([w])[0][0] for w in ("harbour", "storm"))
    assert snap.terms.df[harbour] > snap.terms.df[storm]
    assert snap.terms.idf(harbour) < snap.terms.idf(storm) < snap.terms.idf("zzzunknown")
    n = snap.terms.num_docs
    assert snap.terms.idf("zzzunknown") == pytest.approx(math.log(1 + (n + 0.5) / 0.5))


def test_a_generation_without_term_statistics_asks_for_a_build(tiny, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(tiny.settings.index_dir, index_dir)
    settings = tiny.settings.model_copy(update={"index_dir": index_dir})
    live = generations.current_dir(index_dir)
    manifest = generations.read_manifest(live)
    (live / bm25.TERMS_FILE).unlink()
    del manifest.files[bm25.TERMS_FILE]  # as an older build wrote it
    generations.write_atomic(live / generations.MANIFEST, json.dumps(manifest.to_json()))
    for read in (lambda: IndexReader(settings).snapshot(), lambda: status(settings)):
        with pytest.raises(generations.IndexCorrupt, match="python -m index build"):
            read()


def test_damaged_term_statistics_are_damage(tiny, tmp_path):
    index_dir = tmp_path / "index"
    shutil.copytree(tiny.settings.index_dir, index_dir)
    settings = tiny.settings.model_copy(update={"index_dir": index_dir})
    live = generations.current_dir(index_dir)
    (live / bm25.TERMS_FILE).write_text('{"num_docs": "x"}', encoding="utf-8")
    with pytest.raises(generations.IndexCorrupt, match="rebuild"):
        IndexReader(settings).snapshot()


def test_term_statistics_know_a_word_family_by_its_prefix():
    stats = bm25.term_stats([["namibia", "flood"], ["drought"]])
    assert stats.has_prefix("namib") and stats.has_prefix("drought")
    assert not stats.has_prefix("namibz") and not stats.has_prefix("zzz")

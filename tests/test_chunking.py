"""Chunks fit the model window, point exactly into the cleaned text, and have stable IDs."""

from __future__ import annotations

import pytest

from index.build import prepare
from index.chunking import Chunker
from index.embedding import load_model
from index.models import Article, ArticleMeta
from tests.helpers import SEED_CORPUS, make_settings


@pytest.fixture(scope="module")
def model():
    return load_model("all-MiniLM-L6-v2")


def test_offsets_window_and_ids(model, tmp_path):
    settings = make_settings(SEED_CORPUS, tmp_path)
    chunker = Chunker(model.tokenizer, settings.chunk_tokens, settings.chunk_overlap_tokens, model.max_seq_length)
    articles = prepare(settings).articles
    assert len(articles) == 2
    for art in articles:
        chunks = chunker.split(art)
        assert len(chunks) >= 3
        for c in chunks:
            assert art.text[c.char_start : c.char_end] == c.text
            assert chunker.count_tokens(c.text) <= model.max_seq_length - 2
        # Together the chunks cover the whole article.
        covered = set()
        for c in chunks:
            covered.update(range(c.char_start, c.char_end))
        assert all(i in covered for i, ch in enumerate(art.text) if not ch.isspace())
        # Chunks end at sentence or paragraph boundaries where they can.
        ends = [c.text[-1] for c in chunks]
        assert sum(e in ".!?”\"'" for e in ends) >= len(ends) - 1
        assert [c.chunk_id for c in chunker.split(art)] == [c.chunk_id for c in chunks]


def test_long_unpunctuated_text_is_still_bounded(model):
    chunker = Chunker(model.tokenizer, 64, 8, model.max_seq_length)
    text = " ".join(f"word{i}" for i in range(2000))
    art = Article("x", "x.txt", text, ArticleMeta())
    chunks = chunker.split(art)
    assert len(chunks) > 10
    for c in chunks:
        assert text[c.char_start : c.char_end] == c.text
        assert chunker.count_tokens(c.text) <= 64

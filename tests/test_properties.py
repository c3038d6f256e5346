"""Property-based tests: arbitrary bytes and text never crash the loaders, the cleaner or
the chunker, and offsets always hold."""

from __future__ import annotations

import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.sentences import sentence_spans
from index.chunking import Chunker
from index.cleaning import clean
from index.embedding import load_model
from index.loading import load_file
from index.models import Article, ArticleMeta

SUFFIXES = [".txt", ".md", ".html", ".htm", ".json", ".jsonl", ".csv"]
PROFILE = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

html_fragments = st.lists(st.sampled_from([
    "<div>", "</div>", "<p>", "</p>", "<script>alert(1)</script>", "<style>x{}</style>", "<img src=x onerror=a()>",
    "<a href='javascript:x()'>l</a>", "<!--", "-->", "<![CDATA[", "&amp;", "&#0;", "&#x110000;", "<br/>", "<nav>",
    "text ", "Sentence one. ", "\x00", "\u202e", "<meta property='og:title' content='T'>",
]), max_size=60)


@PROFILE
@given(data=st.binary(max_size=4000), suffix=st.sampled_from(SUFFIXES))
def test_loaders_never_crash_on_bytes(tmp_path, data, suffix):
    path = tmp_path / f"f{suffix}"
    path.write_bytes(data)
    articles, skipped = load_file(path, path.name, 1_000_000)
    assert all(isinstance(a.text, str) for a in articles)
    assert articles or skipped
    assert all(s.reason for s in skipped)


@PROFILE
@given(text=st.text(max_size=3000), suffix=st.sampled_from(SUFFIXES),
       encoding=st.sampled_from(["utf-8", "latin-1", "utf-16", "cp1252", "mixed"]))
def test_loaders_never_crash_on_text(tmp_path, text, suffix, encoding):
    if encoding == "mixed":
        half = len(text) // 2
        data = text[:half].encode("utf-8", "replace") + text[half:].encode("latin-1", "replace")
    else:
        data = text.encode(encoding, "replace")
    path = tmp_path / f"f{suffix}"
    path.write_bytes(data)
    articles, skipped = load_file(path, path.name, 1_000_000)
    for a in articles:
        cleaned = clean(a.text, a.meta.title)
        assert isinstance(cleaned.text, str) and "\x00" not in cleaned.text


@PROFILE
@given(parts=html_fragments, depth=st.integers(0, 3000))
def test_deep_and_broken_html(tmp_path, parts, depth):
    doc = "<html><body>" + "<div>" * depth + "".join(parts) + "The harbour reopened on Monday after repairs." \
          + "</div>" * (depth // 2)
    path = tmp_path / "f.html"
    path.write_text(doc, encoding="utf-8", errors="surrogatepass")
    articles, skipped = load_file(path, "f.html", 5_000_000)
    assert articles or skipped
    for a in articles:
        assert "alert(1)" not in a.text and "x{}" not in a.text


@PROFILE
@given(text=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=5000),
       long_line=st.integers(0, 200_000))
def test_cleaner_total_and_idempotent_enough(text, long_line):
    raw = text + "\n" + "x" * long_line
    cleaned = clean(raw)
    assert isinstance(cleaned.text, str)
    assert "\x00" not in cleaned.text and "\r" not in cleaned.text


_chunker = None


def chunker() -> Chunker:
    global _chunker
    if _chunker is None:
        model = load_model("all-MiniLM-L6-v2")
        _chunker = Chunker(model.tokenizer, 48, 8, model.max_seq_length)
    return _chunker


@settings(max_examples=60, deadline=None)
@given(text=st.text(alphabet=string.ascii_letters + " .,!?\n\"'“”()-0123456789éü中", min_size=1, max_size=3000))
def test_chunk_offsets_always_hold(text):
    cleaned = clean(text).text or text
    art = Article("a", "a.txt", cleaned, ArticleMeta())
    c = chunker()
    for ch in c.split(art):
        assert cleaned[ch.char_start : ch.char_end] == ch.text
        assert c.count_tokens(ch.text) <= 48
    for s, e in sentence_spans(cleaned):
        assert 0 <= s < e <= len(cleaned)

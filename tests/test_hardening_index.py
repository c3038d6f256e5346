"""Hostile input and damage on the index side (issue 13's probe, and two of issue 14's
ingestion items): each test reproduces an attack with real files, real builds and the
real CLI, and checks that it now fails safe."""

from __future__ import annotations

import json
import logging
import os
import random
import shutil
import subprocess
from pathlib import Path

import pytest

from index import generations, tables
from index.build import NothingToIndex, build, prepare
from index.loading import load_corpus
from index.reader import IndexReader, Outlet, status
from index.settings import Settings
from index.uploads import save_upload
from tests.helpers import PYTHON, ROOT, SEED_CORPUS, make_settings, subprocess_env, write_article

BODY = ("The regional council approved a new budget for the harbour on Tuesday after a long debate. "
        "Officials said the money would pay for dredging, new cranes and safety training for workers.")
DEEP = "[" * 50_000 + "]" * 50_000  # ~100 KB of nesting: blew Python's stack in every parser


def _one_article_corpus(folder: Path) -> Path:
    """The first seed article with its sidecar: the smallest real corpus to build."""
    folder.mkdir(parents=True)
    for src in sorted(SEED_CORPUS.iterdir())[:2]:
        shutil.copy(src, folder / src.name)
    return folder


def _cli(*args: str, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run([PYTHON, "-m", "index", *args], cwd=ROOT, env=subprocess_env(),
                          capture_output=True, text=True, timeout=timeout)


def _reasons(skipped) -> dict[str, str]:
    return {s.path: s.reason for s in skipped}


# --- 1. one bad file never stops a build ------------------------------------------------

def test_deeply_nested_files_are_skipped_and_the_build_completes(tmp_path):
    corpus = _one_article_corpus(tmp_path / "corpus")
    (corpus / "deep.json").write_text(DEEP)
    (corpus / "sidecar.txt").write_text(BODY)
    (corpus / "sidecar.meta.json").write_text(DEEP)
    (corpus / "front.md").write_text(f"---\ntitle: {DEEP[:20_000]}\n---\n{BODY}\n")
    (corpus / "front_big.md").write_text(f"---\ntitle: {DEEP}\n---\n{BODY}\n")
    (corpus / "block.md").write_text("---\ntitle:\n" + "".join(" " * i + "- \n" for i in range(0, 200, 2))
                                     + f"---\n{BODY}\n")
    (corpus / "lines.jsonl").write_text(json.dumps({"title": "Good line", "text": BODY}) + "\n" + DEEP + "\n")
    report = build(make_settings(corpus, tmp_path / "idx"), quiet=True)
    reasons = _reasons(report.skipped)
    assert "nested too deeply" in reasons["deep.json"]
    assert "sidecar.meta.json" in reasons["sidecar.txt"] and "nested too deeply" in reasons["sidecar.txt"]
    assert "nested" in reasons["front.md"] and "nested" in reasons["block.md"]
    assert "front matter larger than" in reasons["front_big.md"]
    assert "nested too deeply" in reasons["lines.jsonl#2"]
    assert report.articles == 2  # the seed article and the good JSONL line
    titles = {a.title for a in generations.read_manifest(generations.current_dir(tmp_path / "idx")).articles.values()}
    assert "Good line" in titles


def test_a_parser_crash_on_one_record_costs_only_that_record(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    big_int = "9" * 5000  # int() refuses this many digits: a ValueError no parser anticipates
    (corpus / "rows.jsonl").write_text(json.dumps({"title": "Fine", "text": BODY}) + "\n"
                                       + '{"title": "x", "text": "y", "n": ' + big_int + "}\n")
    (corpus / "num.md").write_text(f"---\ntitle: {big_int}\n---\n{BODY}\n")
    articles, skipped = load_corpus(corpus, 1_000_000)
    reasons = _reasons(skipped)
    assert [a.meta.title for a in articles] == ["Fine"]
    assert "invalid JSON" in reasons["rows.jsonl#2"]
    assert "could not be read (ValueError)" in reasons["num.md"]


# --- 2. YAML expansion bomb, oversized fields --------------------------------------------

def _yaml_bomb(levels: int = 5) -> str:
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ",".join([f"*a{i - 1}"] * 10) + "]")
    return "\n".join(lines) + f"\ntitle: *a{levels - 1}\n"


def test_yaml_alias_bomb_and_oversized_fields_are_bounded(tmp_path):
    corpus = _one_article_corpus(tmp_path / "corpus")
    bomb = _yaml_bomb()
    assert len(bomb) < 400  # a few hundred bytes that used to expand to megabytes
    (corpus / "bomb.md").write_text(f"---\n{bomb}---\n{BODY}\n")
    huge = "Budget " * 150_000  # a 1 MB title
    (corpus / "huge.txt").write_text(BODY)
    (corpus / "huge.meta.json").write_text(json.dumps({"title": huge, "source": huge, "published": huge,
                                                       "url": "https://example.org/" + "a" * 1_000_000}))
    (corpus / "rows.csv").write_text(f"title,text,source\n{huge},\"{BODY}\",Wire\n")
    (corpus / "listy.md").write_text(f"---\ntitle: [one, two]\nsource: {{a: b}}\n---\n{BODY}\n")
    settings = make_settings(corpus, tmp_path / "idx")
    report = build(settings, quiet=True)
    assert "aliases" in _reasons(report.skipped)["bomb.md"]
    live = generations.current_dir(settings.index_dir)
    articles = tables.read_articles(live)
    huge_meta = articles["huge.txt"].meta
    assert huge_meta.title.startswith("Budget Budget") and len(huge_meta.title) <= 300
    assert len(huge_meta.source) <= 100 and huge_meta.published is None and huge_meta.url is None
    assert len(articles["rows.csv#1"].meta.title) <= 300
    assert "[" not in articles["listy.md"].meta.title and "{" not in articles["listy.md"].meta.source
    for f in live.rglob("*"):  # nothing stored grew with the attack
        if f.is_file():
            assert f.stat().st_size < 2_000_000, f


# --- 4. symlinks -------------------------------------------------------------------------

def test_symlinks_out_of_the_corpus_are_not_followed(tmp_path):
    outside = tmp_path / "private"
    outside.mkdir()
    secret = "The vault combination is kept by the night porter in a sealed envelope marked zebra nine."
    (outside / "secret.txt").write_text(secret)
    (outside / "secret.meta.json").write_text(json.dumps({"title": "Leaked title"}))
    (outside / "nested").mkdir()
    (outside / "nested" / "more.txt").write_text(secret)
    corpus = _one_article_corpus(tmp_path / "corpus")
    (corpus / "inside.txt").write_text(BODY)
    os.symlink(outside / "secret.txt", corpus / "linked.txt")
    os.symlink(outside / "nested", corpus / "linked_dir")
    os.symlink(corpus, corpus / "loop")  # a folder loop must not hang the walk
    os.symlink(corpus / "inside.txt", corpus / "alias.txt")  # stays inside: allowed
    (corpus / "victim.txt").write_text(BODY.replace("harbour", "airport"))
    os.symlink(outside / "secret.meta.json", corpus / "victim.meta.json")
    settings = make_settings(corpus, tmp_path / "idx")
    report = build(settings, quiet=True)
    reasons = _reasons(report.skipped)
    assert "outside the corpus" in reasons["linked.txt"]
    assert "not followed" in reasons["linked_dir"] and "not followed" in reasons["loop"]
    assert "outside the corpus" in reasons["victim.txt"]
    live = generations.current_dir(settings.index_dir)
    stored = "".join(p.read_text() for p in (live / tables.ARTICLES, live / tables.CHUNKS))
    assert "zebra nine" not in stored and "Leaked title" not in stored
    assert {"alias.txt", "inside.txt"} <= set(tables.read_articles(live))


# --- 5. a sidecar upload is a replacement ------------------------------------------------

def test_uploading_a_sidecar_for_an_existing_article_needs_replace(tmp_path):
    corpus = _one_article_corpus(tmp_path / "corpus")
    article = next(p for p in corpus.iterdir() if p.suffix == ".txt")
    sidecar_name = article.name.removesuffix(".txt") + ".meta.json"
    (corpus / sidecar_name).unlink()
    before = load_corpus(corpus, 10_000_000)[0][0].meta
    evil = tmp_path / "upload.json"
    evil.write_text(json.dumps({"title": "Forged headline", "source": "Forged Outlet",
                                "url": "https://forged.example/x"}))
    refused = save_upload(evil, sidecar_name, corpus, 1_000_000)
    assert not refused.saved and article.name in refused.message and "replace" in refused.message
    assert load_corpus(corpus, 10_000_000)[0][0].meta == before
    orphan = save_upload(evil, "nothing-here.meta.json", corpus, 1_000_000)
    assert orphan.saved  # a sidecar for no article changes nothing that exists
    replaced = save_upload(evil, sidecar_name, corpus, 1_000_000, overwrite=True)
    assert replaced.saved and replaced.message == "replaced"
    assert load_corpus(corpus, 10_000_000)[0][0].meta.title == "Forged headline"


# --- 6/7. any damage to the index folder: status names rebuild, rebuild recovers ---------

@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> tuple[Path, Path]:
    """A built one-article index to copy and damage (corpus, index)."""
    base = tmp_path_factory.mktemp("pristine")
    corpus = _one_article_corpus(base / "corpus")
    build(make_settings(corpus, base / "idx"), quiet=True)
    return corpus, base / "idx"


def _random_bytes_over(path: Path, skip: int = 0, stride: int = 0, length: int = 256) -> None:
    """Overwrite bytes in place (size unchanged): what a bad disk or a stray write does."""
    rnd = random.Random(13)
    size = path.stat().st_size
    with open(path, "r+b") as fh:
        for off in range(skip, size, stride or size):
            fh.seek(off)
            fh.write(bytes(rnd.randrange(256) for _ in range(min(length, size - off))))


def _damage(idx: Path, kind: str) -> None:
    live = idx / generations.current_name(idx)
    current = idx / generations.CURRENT
    if kind == "current-binary":
        current.write_bytes(bytes(range(256)))
    elif kind == "current-empty":
        current.write_bytes(b"")
    elif kind == "current-folder":
        current.unlink()
        current.mkdir()
    elif kind == "generation-missing":
        shutil.rmtree(live)
    elif kind == "manifest-wrong-shape":
        (live / generations.MANIFEST).write_text(json.dumps({"version": 1, "articles": ["x"], "files": 3}))
    elif kind == "chunks-truncated":
        data = (live / tables.CHUNKS).read_bytes()
        (live / tables.CHUNKS).write_bytes(data[: len(data) // 2])
    elif kind == "vectors-random":
        _random_bytes_over(next(live.glob("chroma/*/data_level0.bin")), length=1 << 20)
    elif kind == "vectors-lost":
        from index import store

        client = store.open_client(None, live / "chroma")
        store.get_collection(client, "dossier").delete(ids=[tables.read_chunks(live)[0].chunk_id])
        client.close()
    elif kind == "store-file-missing":
        next(live.glob("chroma/*/link_lists.bin")).unlink()
    elif kind == "sqlite-random":
        _random_bytes_over(live / "chroma" / "chroma.sqlite3", skip=4196, stride=4096, length=200)
    elif kind == "bm25-missing":
        next((live / "bm25").glob("*.npy")).unlink()


DAMAGE = ["current-binary", "current-empty", "current-folder", "generation-missing", "manifest-wrong-shape",
          "chunks-truncated", "vectors-lost", "store-file-missing", "sqlite-random", "bm25-missing"]
CLI_REBUILD = {"current-binary", "current-folder", "vectors-lost", "sqlite-random"}  # the rest in-process: faster


@pytest.mark.parametrize("kind", DAMAGE)
def test_any_damage_is_reported_by_status_and_repaired_by_rebuild(kind, pristine, tmp_path):
    corpus, source = pristine
    idx = tmp_path / "idx"
    shutil.copytree(source, idx)
    _damage(idx, kind)

    st = _cli("status", "--index", str(idx))
    assert st.returncode == 2, st.stderr
    assert "python -m index rebuild" in st.stderr
    for raw in ("Traceback", "UnicodeDecodeError", "database disk image", "malformed"):
        assert raw not in st.stderr
    with pytest.raises(generations.IndexCorrupt, match="python -m index rebuild"):
        IndexReader(make_settings(corpus, idx)).snapshot()

    settings = make_settings(corpus, idx)
    if kind in CLI_REBUILD:
        fix = _cli("rebuild", "--quiet", "--corpus", str(corpus), "--index", str(idx))
        assert fix.returncode == 0, fix.stderr
    else:
        assert build(settings, force=True, quiet=True).articles == 1
    assert status(settings).articles == 1
    assert len(IndexReader(settings).snapshot().chunks) == status(settings).chunks
    assert [p.name for p in idx.glob("gen-*")] == [generations.current_name(idx)]  # the damaged one is gone


def test_manifest_lists_every_file_with_size_and_checksum_and_reads_keep_it_valid(pristine, tmp_path):
    from assistant.pipeline import Assistant

    corpus, source = pristine
    idx = tmp_path / "idx"
    shutil.copytree(source, idx)
    settings = make_settings(corpus, idx)
    live = generations.current_dir(idx)
    files = generations.read_manifest(live).files
    on_disk = {p.relative_to(live).as_posix() for p in live.rglob("*") if p.is_file()} - {generations.MANIFEST}
    assert set(files) == on_disk
    for rel, rec in files.items():
        assert rec["size"] == (live / rel).stat().st_size or rec["check"] == "sqlite"
        if rec["check"] == "sha256":
            assert rec["sha256"] == generations.file_sha256(live / rel)
    assert files["probe.json"]["check"] == files[tables.CHUNKS]["check"] == "sha256"
    assert {rec["check"] for rel, rec in files.items() if rel.startswith("chroma/")} == {"sqlite", "exists"}
    # Chroma writes to some of its files whenever it opens them: answering must not look like damage.
    for _ in range(2):
        bot = Assistant(settings)
        bot.ask("What did the Chinese foreign ministry say?")
        bot.reader.snapshot().client.close()
    assert status(settings).articles == 1
    assert _cli("status", "--index", str(idx)).returncode == 0
    _random_bytes_over(live / tables.CHUNKS, length=64)  # after a passing check, a change is still seen
    with pytest.raises(generations.IndexCorrupt, match="chunks.jsonl .* damaged"):
        status(settings)


def test_random_bytes_in_the_vector_files_are_reported_or_harmless(pristine, tmp_path):
    """Chroma rebuilds a small collection's HNSW files from its own log when it opens them, so
    overwritten HNSW files either show as damage or do not change a single search result."""
    corpus, source = pristine
    idx = tmp_path / "idx"
    shutil.copytree(source, idx)
    settings = make_settings(corpus, idx)
    query = "What did the Chinese foreign ministry say about trade?"
    from assistant.pipeline import Assistant

    before = [p.chunk_id for p in Assistant(settings).ask(query).passages]
    generations._verified.clear()
    _damage(idx, "vectors-random")
    st = _cli("status", "--index", str(idx))
    if st.returncode == 0:
        assert [p.chunk_id for p in Assistant(settings).ask(query).passages] == before
    else:
        assert st.returncode == 2 and "python -m index rebuild" in st.stderr


def test_store_failure_while_answering_names_rebuild_not_sqlite(pristine, tmp_path, caplog):
    from assistant.pipeline import Assistant

    corpus, source = pristine
    idx = tmp_path / "idx"
    shutil.copytree(source, idx)
    bot = Assistant(make_settings(corpus, idx))
    bot.warm_up()  # the snapshot is open and verified; now the disk goes bad under it
    _damage(idx, "sqlite-random")
    with caplog.at_level(logging.ERROR, logger="index.store"), pytest.raises(generations.IndexCorrupt) as err:
        bot.ask("What did the Chinese foreign ministry say about trade?")
    message = str(err.value)
    assert "python -m index rebuild" in message
    raw = str(err.value.__cause__)
    assert raw and raw not in message and "sqlite" not in message.lower()
    assert raw in caplog.text  # the store's own words go to the log


# --- 8. nothing to index -----------------------------------------------------------------

def test_empty_or_all_binary_corpus_says_nothing_to_index(tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    binary = tmp_path / "binary"
    binary.mkdir()
    for i in range(3):
        (binary / f"scan{i}.txt").write_bytes(b"\x00\x01\x02\x03" * 500)
    (binary / "blank.md").write_text("  \n")
    (binary / "photo.jpg").write_bytes(b"\xff\xd8\xff\xe0")
    out = _cli("build", "--corpus", str(binary), "--index", str(tmp_path / "idx"))
    assert out.returncode == 2
    assert f"nothing to index in {binary}: 5 files skipped" in out.stderr
    assert "3 binary content, not text" in out.stderr and "max()" not in out.stderr
    out = _cli("build", "--corpus", str(empty), "--index", str(tmp_path / "idx"))
    assert out.returncode == 2 and "nothing to index in" in out.stderr and "Traceback" not in out.stderr
    with pytest.raises(NothingToIndex, match="nothing to index"):
        build(make_settings(binary, tmp_path / "idx2"), quiet=True)


# --- 13 (part). records per file are capped ----------------------------------------------

def test_records_per_file_are_capped_and_the_excess_reported(tmp_path, monkeypatch):
    corpus = tmp_path / "c"
    corpus.mkdir()
    text = "Officials said the harbour budget would pay for dredging and new cranes, item {}."
    rows = "\n".join(json.dumps({"id": i, "title": f"Row {i}", "text": text.format(i)}) for i in range(40_000))
    (corpus / "many.jsonl").write_text(rows)
    default = prepare(make_settings(corpus, tmp_path / "i0"))
    assert len(default.articles) == 5000
    assert "35000 records past the first 5000" in _reasons(default.skipped)["many.jsonl"]

    small = tmp_path / "small"
    small.mkdir()
    (small / "rows.csv").write_text("title,text\n" + "".join(f"Title {i},\"{BODY} Item {i}.\"\n" for i in range(5)))
    monkeypatch.setenv("DOSSIER_MAX_RECORDS_PER_FILE", "3")
    settings = Settings(corpus_dir=small, index_dir=tmp_path / "idx")
    report = build(settings, quiet=True)
    assert report.articles == 3
    assert "2 records past the first 3" in _reasons(report.skipped)["rows.csv"]
    assert "DOSSIER_MAX_RECORDS_PER_FILE" in _reasons(report.skipped)["rows.csv"]


# --- 14 (a). one outlet, one name ---------------------------------------------------------

def test_outlet_names_are_normalized_once_at_ingestion(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()

    def article(name: str, **meta: str) -> None:
        (corpus / f"{name}.txt").write_text(BODY + f" Report {name}.")
        (corpus / f"{name}.meta.json").write_text(json.dumps({"title": f"Story {name}", **meta}))

    article("a", url="https://www.cnn.com/2024/a")  # outlet only from the URL
    article("b", source="CNN", url="https://cnn.com/2024/b")
    article("c", source="CNN International", url="https://edition.cnn.com/c")  # another host, another outlet
    article("d", source="cnn")  # no URL: joins the outlet its name belongs to
    article("e", source="cnn.com")  # a host as the name
    article("f", url="https://www.bbc.co.uk/news/f")
    article("g", source="Local Herald")
    write_article(corpus, "h.md", "Story h", BODY, source="CNN")
    article("i", source="Reuters", url="https://www.reuters.com/i")
    article("j", source="Reuters", url="https://news.yahoo.com/j")
    article("k", source="Reuters")  # names two domains: stays as it is
    settings = make_settings(corpus, tmp_path / "idx")
    build(settings, quiet=True)
    got = {a.path: (a.meta.source, a.meta.domain)
           for a in IndexReader(settings).snapshot().articles.values()}
    for name in ("a.txt", "b.txt", "d.txt", "e.txt", "h.md"):
        assert got[name] == ("CNN", "cnn.com"), name
    assert got["c.txt"] == ("CNN International", "edition.cnn.com")
    assert got["f.txt"] == ("bbc.co.uk", "bbc.co.uk")
    assert got["g.txt"] == ("Local Herald", "")
    assert got["i.txt"] == ("Reuters", "reuters.com") and got["k.txt"] == ("Reuters", "")
    st = status(settings)
    assert "cnn.com" not in st.sources and "cnn" not in st.sources
    assert Outlet("CNN", "cnn.com", 5) in st.outlets


# --- 14 (b). a build prints only Dossier's own output ------------------------------------

def test_build_stderr_has_only_dossier_progress(tmp_path):
    from index.embedding import load_model
    from tests.synthetic import article_text

    corpus = tmp_path / "c"
    corpus.mkdir()
    long_paragraph = article_text(3, 700).replace("\n\n", " ")
    (corpus / "long.txt").write_text(article_text(4, 120) + "\n\n" + long_paragraph)
    model = load_model(Settings().embedding_model)
    assert len(model.tokenizer.tokenize(long_paragraph, verbose=False)) > model.tokenizer.model_max_length
    out = _cli("build", "--corpus", str(corpus), "--index", str(tmp_path / "idx"))
    assert out.returncode == 0, out.stderr
    assert "Token indices sequence length" not in out.stderr
    lines = [ln.strip() for ln in out.stderr.replace("\r", "\n").splitlines() if ln.strip()]
    assert lines and all(ln.startswith(("Chunking", "Embedding")) for ln in lines), lines
    assert "1 added" in out.stdout

"""Ingestion throughput on a real news corpus, beside its bounds and baselines, in one run.

Measured, each in its own process (so peak memory is its own):
- pipeline: `index.build` (load, clean, chunk, embed, Chroma, BM25) of the news corpus, with
  the default embedder (index.settings.DEFAULT_BACKEND);
- raw torch encode: sentence-transformers' SentenceTransformer.encode (torch fp32) of the very
  same chunk texts, same batch size (the bound before the ONNX embedder);
- raw default encode: the default embedder's encode of the same texts (today's bound);
- naive LangChain: RecursiveCharacterTextSplitter + Chroma.from_documents, same model;
- incremental: the pipeline again after changing 1% of the articles.

    python bench/ingest.py --quick     # 50 articles, a smoke test (about a minute)
    python bench/ingest.py             # the whole corpus; writes docs/BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path

from common import (
    OUT,
    ROOT,
    machine,
    news_records,
    peak_rss_mb,
    read_csv,
    run_phase,
    table,
    write_csv,
    write_news_corpus,
    write_section,
)

from index.settings import DEFAULT_BACKEND  # noqa: E402  (after common: it sets up the path)

BATCH = 64


def phase_pipeline(corpus: Path, index_dir: Path) -> dict:
    from index.build import build
    from index.embedding import load_model
    from index.settings import Settings

    settings = Settings(corpus_dir=corpus, index_dir=index_dir, embed_batch_size=BATCH)
    load_model(settings.embedding_model, settings.embedding_backend)  # model loading is not ingestion
    t = time.perf_counter()
    report = build(settings, quiet=True)
    secs = time.perf_counter() - t
    return {"seconds": secs, "chunks": report.chunks, "embedded": report.embedded_chunks,
            "articles": report.articles, "rss_mb": peak_rss_mb()}


def phase_raw(index_dir: Path, backend: str) -> dict:
    from index import generations, tables
    from index.embedding import load_model

    texts = [c.text for c in tables.read_chunks(generations.current_dir(index_dir))]
    model = load_model("all-MiniLM-L6-v2", backend)
    model.encode(texts[:BATCH], batch_size=BATCH)  # first-call warm-up is not throughput
    t = time.perf_counter()
    model.encode(texts, batch_size=BATCH, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
    return {"seconds": time.perf_counter() - t, "chunks": len(texts), "rss_mb": peak_rss_mb()}


def phase_naive(corpus: Path, persist: Path) -> dict:
    from langchain_chroma import Chroma
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from index.embedding import SentenceEmbeddings

    emb = SentenceEmbeddings("all-MiniLM-L6-v2", BATCH)
    t = time.perf_counter()
    rows = [r for path in sorted(corpus.glob("*.csv")) for r in read_csv(path)]
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    docs = splitter.create_documents([r["text"] for r in rows], [{"title": r["title"]} for r in rows])
    Chroma.from_documents(docs, emb, persist_directory=str(persist), collection_name="naive",
                          collection_configuration={"hnsw": {"space": "cosine"}})
    return {"seconds": time.perf_counter() - t, "chunks": len(docs), "articles": len(rows), "rss_mb": peak_rss_mb()}


def change_one_percent(corpus: Path) -> int:
    """Edit every hundredth article in place (at least one)."""
    changed = 0
    for path in sorted(corpus.glob("*.csv")):
        rows = read_csv(path)
        for i in range(0, len(rows), 100):
            rows[i]["text"] += "\n\nEditor's note: this article was updated after publication."
            changed += 1
        write_csv(path, rows)
    return changed


def chart(rows: list[list], path: Path) -> None:
    """Throughput of each path, side by side."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = ["Dossier pipeline", "raw torch encode", "raw default encode", "naive LangChain"]
    values = [r[3] for r in rows[:4]]
    fig, ax = plt.subplots(figsize=(7, 3.4))
    ax.barh(labels[::-1], values[::-1], color=["tab:gray", "tab:olive", "tab:green", "tab:blue"])
    for i, v in enumerate(values[::-1]):
        ax.text(v, i, f" {v:.1f}", va="center")
    ax.set_xlabel("chunks embedded and stored per second (2 CPU cores)")
    ax.set_title("Full build of the news corpus")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true", help="50 articles; no docs written")
    ap.add_argument("--articles", type=int, help="limit the corpus (default: all, or 100 with --quick)")
    ap.add_argument("--phase", choices=["pipeline", "raw", "raw-default", "naive"], help=argparse.SUPPRESS)
    ap.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        result = {"pipeline": lambda: phase_pipeline(args.corpus, args.index),
                  "raw": lambda: phase_raw(args.index, "torch"),
                  "raw-default": lambda: phase_raw(args.index, DEFAULT_BACKEND),
                  "naive": lambda: phase_naive(args.corpus, args.index)}[args.phase]()
        print(json.dumps(result))
        return

    limit = args.articles or (50 if args.quick else None)
    work = OUT / ("ingest-quick" if args.quick else "ingest")
    shutil.rmtree(work, ignore_errors=True)
    corpus, index_dir, naive_dir = work / "corpus", work / "index", work / "naive"
    records = news_records(limit)
    write_news_corpus(corpus, records)
    print(f"news corpus: {len(records)} articles; {machine()}", file=sys.stderr)

    loads: list[float] = []

    def phase(*a: str) -> dict:
        """One phase, with the machine's 1-minute load average when it ended (a shared machine's
        load moves between phases; the ratios are only as steady as it is)."""
        result = run_phase("ingest.py", *a)
        loads.append(os.getloadavg()[0])
        return result

    full = phase("--phase", "pipeline", "--corpus", str(corpus), "--index", str(index_dir))
    raw = phase("--phase", "raw", "--index", str(index_dir))
    raw_default = phase("--phase", "raw-default", "--index", str(index_dir))
    naive = phase("--phase", "naive", "--corpus", str(corpus), "--index", str(naive_dir))
    changed = change_one_percent(corpus)
    inc = phase("--phase", "pipeline", "--corpus", str(corpus), "--index", str(index_dir))

    cps = lambda r: r["chunks"] / r["seconds"]  # noqa: E731
    aps = lambda r: len(records) / r["seconds"]  # noqa: E731
    rows = [
        [f"Dossier pipeline (full build, {DEFAULT_BACKEND} embedder)", full["chunks"], full["seconds"], cps(full),
         aps(full), full["rss_mb"]],
        ["raw SentenceTransformer.encode (torch fp32)", raw["chunks"], raw["seconds"], cps(raw), aps(raw),
         raw["rss_mb"]],
        [f"raw encode, {DEFAULT_BACKEND} embedder", raw_default["chunks"], raw_default["seconds"],
         cps(raw_default), aps(raw_default), raw_default["rss_mb"]],
        ["naive LangChain (splitter + Chroma.from_documents)", naive["chunks"], naive["seconds"], cps(naive),
         aps(naive), naive["rss_mb"]],
        [f"Dossier incremental ({changed} articles changed)", inc["embedded"], inc["seconds"],
         inc["embedded"] / inc["seconds"], changed / inc["seconds"], inc["rss_mb"]],
    ]
    ratios = {
        "pipeline / raw encode, torch (chunks/s)": cps(full) / cps(raw),
        f"pipeline / raw encode, {DEFAULT_BACKEND} (chunks/s)": cps(full) / cps(raw_default),
        "pipeline / naive LangChain (articles/s)": aps(full) / aps(naive),
        "pipeline / naive LangChain (chunks/s)": cps(full) / cps(naive),
        "incremental / full build (time)": inc["seconds"] / full["seconds"],
    }
    rows = [r + [load] for r, load in zip(rows, loads, strict=True)]
    out = table(["path", "chunks", "seconds", "chunks/s", "articles/s", "peak RSS MB", "load avg at end"], rows)
    out += "\n\n" + table(["ratio", "value", "target"], [
        [k, v, t] for (k, v), t in zip(ratios.items(), ["≥ 2.5", "≥ 0.9", "≥ 1.0", "(chunk sizes differ)", "≤ 0.05"], strict=True)])
    print(out)
    (work / "results.json").write_text(json.dumps({"rows": rows, "ratios": ratios}, indent=1))
    if not args.quick:
        chart(rows, ROOT / "docs" / "ingest_throughput.png")
        write_section("ingest", f"## Ingestion ({len(records)} news articles)\n\nMachine: {machine()}.\n"
                      f"Batch size {BATCH}; each path in its own process.\n\n{out}\n\n"
                      "![throughput of each path](ingest_throughput.png)\n")


if __name__ == "__main__":
    main()

"""Query latency and serving memory as the index grows, beside a bare Chroma query.

At each size (about 1k, 10k and 100k chunks: the news corpus, replicated with distinct
IDs where more chunks are needed), a fresh serving process answers the same questions:
- retrieval: query embedding + dense (Chroma via LangChain) + BM25 + fusion;
- default answer: the whole extractive answer path (`Assistant.ask`);
- bare Chroma: `collection.query` with the same query vector (the baseline);
and reports p50/p95 and its peak RSS.

    python bench/query.py --quick      # 600 and 2,400 chunks, a smoke test
    python bench/query.py              # 1k, 10k, 100k chunks; writes docs/BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from common import (
    OUT,
    ROOT,
    machine,
    news_records,
    peak_rss_mb,
    percentile,
    run_phase,
    table,
    write_news_corpus,
    write_section,
)


def base_index(quick: bool, backend: str | None = None, articles: int | None = None) -> Path:
    """The news corpus index, built with ``backend`` (default: the product's default embedder)
    over ``articles`` articles (default: 150 quick, all otherwise); the default one is reused
    from bench/ingest.py's full run when it exists."""
    from index.build import build
    from index.settings import DEFAULT_BACKEND, Settings

    backend = backend or DEFAULT_BACKEND
    if not quick and not articles and backend == DEFAULT_BACKEND and (OUT / "ingest" / "index" / "CURRENT").exists():
        return OUT / "ingest" / "index"
    if articles:
        work = OUT / f"query-base-{articles}-{backend}"
    else:
        work = OUT / (f"query-base-quick-{backend}" if quick else f"query-base-{backend}")
    if not (work / "index" / "CURRENT").exists():
        shutil.rmtree(work, ignore_errors=True)
        write_news_corpus(work / "corpus", news_records(articles or (150 if quick else None)))
        build(Settings(corpus_dir=work / "corpus", index_dir=work / "index", embedding_backend=backend),
              quiet=False)
    return work / "index"


def scaled_index(base: Path, target: int, out: Path) -> int:
    """An index of ``target`` chunks: whole articles of the base, replicated with new IDs."""
    import numpy as np

    from index import bm25, generations, store, tables
    from index.generations import ArticleEntry, Manifest
    from index.models import Article, Chunk

    src = generations.current_dir(base)
    manifest = generations.read_manifest(src)
    articles = tables.read_articles(src)
    chunks = tables.read_chunks(src)
    client = store.open_client(None, src / "chroma")
    got = store.get_collection(client, manifest.collection).get(include=["embeddings"])
    vec_of = dict(zip(got["ids"], np.asarray(got["embeddings"], dtype=np.float32), strict=True))
    by_article: dict[str, list[Chunk]] = {}
    for c in chunks:
        by_article.setdefault(c.article_id, []).append(c)

    new_articles: dict[str, Article] = {}
    new_chunks: list[Chunk] = []
    vectors = []
    for copy in range(math.ceil(target / len(chunks)) + 1):
        for aid, cs in by_article.items():
            if len(new_chunks) >= target:
                break
            a = articles[aid]
            nid = aid if copy == 0 else f"{aid}~{copy}"
            new_articles[nid] = Article(nid, a.path, a.text, a.meta)
            for c in cs:
                new_chunks.append(Chunk(c.chunk_id if copy == 0 else f"{c.chunk_id}~{copy}", nid, c.position,
                                        c.text, c.char_start, c.char_end))
                vectors.append(vec_of[c.chunk_id])
    shutil.rmtree(out, ignore_errors=True)
    folder = generations.new_generation(out)
    collection = store.create_collection(store.open_client(None, folder / "chroma"), manifest.collection)
    store.add_chunks(collection, new_chunks, np.stack(vectors), new_articles)
    ordered = list(new_articles.values())
    tables.write_tables(folder, ordered, new_chunks)
    bm25.save(*bm25.build([c.text for c in new_chunks]), folder)
    ids_of: dict[str, list[str]] = {}
    for c in new_chunks:
        ids_of.setdefault(c.article_id, []).append(c.chunk_id)
    m = Manifest(**{**manifest.to_json(), "generation": folder.name,
                    "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
                    "articles": {}, "chunk_count": len(new_chunks), "skipped": []})
    m.articles = {a.article_id: ArticleEntry(a.content_hash, a.path, a.meta.title, a.meta.source,
                                             a.meta.published, ids_of[a.article_id]) for a in ordered}
    m.files = generations.record_files(folder, [tables.ARTICLES, tables.CHUNKS, "bm25", bm25.TERMS_FILE])
    generations.write_atomic(folder / generations.MANIFEST, json.dumps(m.to_json()))
    generations.publish(out, folder)
    return len(new_chunks)


def phase_serve(index_dir: Path, n_questions: int) -> dict:
    from assistant.pipeline import Assistant
    from index.settings import Settings

    bot = Assistant(Settings(index_dir=index_dir))
    bot.warm_up()
    snap = bot.snapshot()
    titles = [a.meta.title for a in snap.articles.values() if "~" not in a.article_id][: n_questions]
    questions = [f"What happened: {t}?" for t in titles]
    emb, retriever, _ = bot.parts(snap)
    from assistant.types import Filters

    bot.ask("warm up the answer path once")
    retrieval, answer, bare = [], [], []
    for q in questions:
        t = time.perf_counter()
        qvec = emb.encode_query(q)
        retriever.retrieve(q, bot.settings.k, Filters(), qvec, snap)
        retrieval.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        snap.collection.query(query_embeddings=[qvec], n_results=bot.settings.k)
        bare.append((time.perf_counter() - t) * 1000)
        t = time.perf_counter()
        bot.ask(q)
        answer.append((time.perf_counter() - t) * 1000)
    p = lambda xs, q: percentile(xs, q)  # noqa: E731
    return {"chunks": len(snap.chunks), "retrieval_p50": p(retrieval, 50), "retrieval_p95": p(retrieval, 95),
            "answer_p50": p(answer, 50), "answer_p95": p(answer, 95), "bare_p50": p(bare, 50),
            "bare_p95": p(bare, 95), "rss_mb": peak_rss_mb(), "questions": len(questions)}


def chart(results: list[dict], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    xs = [r["chunks"] for r in results]
    fig, (a, b) = plt.subplots(1, 2, figsize=(11, 4))
    for key, label in (("answer_p95", "default answer p95"), ("retrieval_p95", "hybrid retrieval p95"),
                       ("bare_p95", "bare Chroma query p95")):
        a.plot(xs, [r[key] for r in results], marker="o", label=label)
    a.set_xscale("log"), a.set_xlabel("chunks in the index"), a.set_ylabel("ms"), a.legend(), a.grid(alpha=0.3)
    a.set_title("Latency against index size")
    b.plot(xs, [r["rss_mb"] for r in results], marker="o", color="tab:red")
    b.set_xscale("log"), b.set_xlabel("chunks in the index"), b.set_ylabel("peak RSS, MB"), b.grid(alpha=0.3)
    b.set_title("Serving process memory")
    fig.tight_layout()
    fig.savefig(path, dpi=110)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--questions", type=int, default=40)
    ap.add_argument("--phase", choices=["serve"], help=argparse.SUPPRESS)
    ap.add_argument("--index", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.phase:
        print(json.dumps(phase_serve(args.index, args.questions)))
        return
    base = base_index(args.quick)
    sizes = [600, 2_400] if args.quick else [1_000, 10_000, 100_000]
    results = []
    for size in sizes:
        folder = OUT / f"query-{size}"
        t = time.perf_counter()
        n = scaled_index(base, size, folder)
        print(f"index of {n} chunks made in {time.perf_counter() - t:.0f} s", file=sys.stderr)
        results.append(run_phase("query.py", "--phase", "serve", "--index", str(folder),
                                 "--questions", str(10 if args.quick else args.questions)))
        shutil.rmtree(folder, ignore_errors=True)
    rows = [[r["chunks"], r["retrieval_p50"], r["retrieval_p95"], r["answer_p50"], r["answer_p95"],
             r["bare_p50"], r["bare_p95"], r["retrieval_p95"] / r["bare_p95"], r["rss_mb"]] for r in results]
    out = table(["chunks", "retrieval p50 ms", "retrieval p95 ms", "answer p50 ms", "answer p95 ms",
                 "bare Chroma p50 ms", "bare Chroma p95 ms", "retrieval / bare (p95)", "serving RSS MB"], rows)
    print(out)
    if not args.quick:
        chart(results, ROOT / "docs" / "query_latency.png")
        write_section("query", f"## Query latency and memory\n\nMachine: {machine()}. {args.questions} questions "
                      f"(news titles) per size, each size served by a fresh process.\n\n{out}\n\n"
                      "![latency and memory against index size](query_latency.png)\n")


if __name__ == "__main__":
    main()

"""Known-item retrieval on the news corpus: dense only, BM25 only and Dossier's hybrid, one run,
for the default embedder beside the torch fp32 path (sentence-transformers), each on its own index.

The query is an article's title; the relevant item is that article (the index holds
the text, not the title); an article scores by its best chunk. Reports Recall@1,
Recall@10, MRR@10 and nDCG@10.

    python bench/retrieval.py --quick     # 150 articles
    python bench/retrieval.py --articles 600   # the first 600 (finer than quick; no docs written)
    python bench/retrieval.py             # the whole corpus; writes docs/BENCHMARKS.md
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from common import machine, table, write_section
from query import base_index

N = 100  # chunks fetched per method before ranking articles


def article_ranking(chunk_ids: list[str], article_of: dict[str, str]) -> list[str]:
    seen: dict[str, None] = {}
    for cid in chunk_ids:
        seen.setdefault(article_of[cid], None)
    return list(seen)


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {
        "R@1": sum(r == 1 for r in ranks) / n,
        "R@10": sum(r is not None and r <= 10 for r in ranks) / n,
        "MRR@10": sum(1 / r for r in ranks if r is not None and r <= 10) / n,
        "nDCG@10": sum(1 / math.log2(r + 1) for r in ranks if r is not None and r <= 10) / n,
    }


def evaluate(index_dir: Path, backend: str) -> tuple[dict[str, dict[str, float]], int, int, float]:
    """Every article's title as a query against the index built with ``backend``, the query
    embedded by that same backend."""
    from assistant.retrieval import HybridRetriever
    from assistant.types import Filters
    from index.embedding import SentenceEmbeddings
    from index.reader import IndexReader
    from index.settings import Settings

    settings = Settings(index_dir=index_dir, embedding_backend=backend)
    reader = IndexReader(settings)
    snap = reader.snapshot()
    emb = SentenceEmbeddings(snap.manifest.model, settings.embed_batch_size, backend=backend)
    retriever = HybridRetriever(reader, emb, settings.per_article_cap)
    article_of = {c.chunk_id: c.article_id for c in snap.chunks}
    ranks: dict[str, list[int | None]] = {"dense only": [], "BM25 only": [], "Dossier hybrid (RRF)": []}
    t = time.perf_counter()
    for aid, art in snap.articles.items():
        title = art.meta.title
        qvec = emb.encode_query(title)
        f = retriever.fused(title, N, Filters(), qvec)
        for name, ids in (("dense only", f.dense_ids), ("BM25 only", f.bm25_ids), ("Dossier hybrid (RRF)", f.order)):
            ranking = article_ranking(ids, article_of)
            ranks[name].append(ranking.index(aid) + 1 if aid in ranking else None)
    return ({name: metrics(r) for name, r in ranks.items()}, len(snap.articles), len(snap.chunks),
            time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--baseline", default="torch", help="the embedder compared with the default (torch fp32)")
    ap.add_argument("--articles", type=int, help="index only the first N articles (no docs written)")
    ap.add_argument("--also", nargs="*", default=[], help="more embedders to measure (e.g. onnx-int8)")
    args = ap.parse_args()
    from index.settings import DEFAULT_BACKEND

    keys = ["R@1", "R@10", "MRR@10", "nDCG@10"]
    results, rows = {}, []
    for backend in dict.fromkeys([DEFAULT_BACKEND, args.baseline, *args.also]):
        res, n_art, n_chunks, secs = evaluate(base_index(args.quick, backend, args.articles), backend)
        results[backend] = res
        label = {DEFAULT_BACKEND: "default", args.baseline: "baseline"}.get(backend, "candidate")
        rows += [[f"{name} — {backend} ({label})"] + [m[k] for k in keys] for name, m in res.items()]
        print(f"{backend}: {n_art} articles, {n_chunks} chunks; {secs:.0f} s for all queries", file=sys.stderr)
    rows.append(["before chunking (an earlier issue): whole-article MiniLM (3,722 articles)", 0.663, 0.911, 0.752, 0.789])
    hybrid = results[DEFAULT_BACKEND]["Dossier hybrid (RRF)"]
    beats = all(hybrid[k] > results[DEFAULT_BACKEND][o][k] for o in ("dense only", "BM25 only") for k in keys)
    out = table(["method — embedder", *keys], rows, digits=3)
    out += f"\n\n{n_art} articles, {n_chunks} chunks. Hybrid beats both single methods on every measure " \
           f"(default embedder): **{'yes' if beats else 'no'}**."
    others = [b for b in results if b != args.baseline]
    if others:
        deltas = [[f"{name}: {b} − {args.baseline}"]
                  + [results[b][name][k] - results[args.baseline][name][k] for k in keys]
                  for b in others for name in results[b]]
        out += "\n\n" + table(["difference (target: R@1 and nDCG@10 within ±0.005)", *keys], deltas, digits=3)
    print(out)
    print(f"{machine()}", file=sys.stderr)
    if not args.quick and not args.articles:
        write_section("retrieval", f"## Known-item retrieval (title → article)\n\nMachine: {machine()}.\n\n{out}\n")

if __name__ == "__main__":
    main()

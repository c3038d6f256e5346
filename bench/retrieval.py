"""Known-item retrieval on the news corpus: dense only, BM25 only and Dossier's hybrid, one run.

The query is an article's title; the relevant item is that article (the index holds
the text, not the title); an article scores by its best chunk. Reports Recall@1,
Recall@10, MRR@10 and nDCG@10.

    python bench/retrieval.py --quick     # 150 articles
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


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--quick", action="store_true")
    args = ap.parse_args()
    index_dir: Path = base_index(args.quick)

    from assistant.pipeline import Assistant
    from assistant.types import Filters
    from index.settings import Settings

    bot = Assistant(Settings(index_dir=index_dir))
    bot.warm_up()
    emb, retriever, _ = bot._parts()
    snap = bot.reader.snapshot()
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
    secs = time.perf_counter() - t
    results = {name: metrics(r) for name, r in ranks.items()}
    keys = ["R@1", "R@10", "MRR@10", "nDCG@10"]
    rows = [[name] + [m[k] for k in keys] for name, m in results.items()]
    rows.append(["before this issue: whole-article MiniLM (3,722 articles)", 0.663, 0.911, 0.752, 0.789])
    hybrid = results["Dossier hybrid (RRF)"]
    beats = all(hybrid[k] > results[o][k] for o in ("dense only", "BM25 only") for k in keys)
    out = table(["method", *keys], rows, digits=3)
    out += f"\n\n{len(snap.articles)} articles, {len(snap.chunks)} chunks; {secs:.0f} s for all queries. " \
           f"Hybrid beats both single methods on every measure: **{'yes' if beats else 'no'}**."
    print(out)
    print(f"{machine()}", file=sys.stderr)
    if not args.quick:
        write_section("retrieval", f"## Known-item retrieval (title → article)\n\nMachine: {machine()}.\n\n{out}\n")


if __name__ == "__main__":
    main()

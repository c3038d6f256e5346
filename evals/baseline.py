"""Measure the news gold set and write the committed baseline CI compares against.

    python evals/baseline.py --index .dossier/news-eval            # held-out half -> evals/baseline/news_heldout.json
    python evals/baseline.py --index .dossier/news-eval --split calibration --no-write

``--index`` is a folder made by ``evals/news_subset.py`` (its ``corpus`` and ``index``).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from assistant import evaluation  # noqa: E402
from assistant.pipeline import Assistant  # noqa: E402
from index.settings import Settings  # noqa: E402

OUT = ROOT / "evals" / "baseline"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--index", type=Path, required=True, help="folder from evals/news_subset.py")
    p.add_argument("--split", default="heldout", choices=["heldout", "calibration", "all"])
    p.add_argument("--gold", type=Path, default=evaluation.NEWS_GOLD)
    p.add_argument("--no-write", action="store_true")
    p.add_argument("--verbose", action="store_true", help="print every failing item")
    args = p.parse_args(argv)
    bot = Assistant(Settings(corpus_dir=args.index / "corpus", index_dir=args.index / "index"))
    rows = evaluation.run(bot, evaluation.load_gold(args.gold, args.split))
    cats = evaluation.by_category(rows)
    print(evaluation.table(cats))
    if args.verbose:
        for r in rows:
            bad = r.refused if r.answerable else not r.refused
            if bad or r.cited is False or r.contains is False:
                print(f"\n{r.id} [{r.category}] answerable={r.answerable} refused={r.refused} cited={r.cited} "
                      f"contains={r.contains}\n  {r.answer[:400]!r}\n  {r.features}")
    if not args.no_write:
        OUT.mkdir(parents=True, exist_ok=True)
        path = OUT / f"news_{args.split}.json"
        path.write_text(json.dumps({"split": args.split, "gold": args.gold.name, **cats}, indent=1) + "\n",
                        encoding="utf-8")
        print(f"-> {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The news gold set on its quick subset: the held-out half must not regress beyond noise.

The subset is the gold questions' articles plus one article in ten of the benchmark news
corpus (about 560 articles), indexed once for this module. The committed baseline
(`evals/baseline/news_heldout.json`) is what `evals/baseline.py` measured on the held-out half.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from assistant import evaluation
from index.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "evals"))
BASELINE = ROOT / "evals" / "baseline" / "news_heldout.json"
NOISE = 0.035  # about two held-out questions of a category-mixed half

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def news_bot(tmp_path_factory):
    from news_subset import main as build_subset

    from assistant.pipeline import Assistant

    out = tmp_path_factory.mktemp("news")
    build_subset(["--out", str(out)])
    return Assistant(Settings(corpus_dir=out / "corpus", index_dir=out / "index"))


def test_gold_set_shape():
    """At least 150 items; 40+ unanswerable of five kinds; 10+ two-turn; both halves hold every category."""
    items = evaluation.load_gold(evaluation.NEWS_GOLD)
    assert len(items) >= 150
    unanswerable = [i for i in items if not i.answerable]
    assert len(unanswerable) >= 40
    assert {i.category for i in unanswerable} >= {"absent", "false_combination", "anticipated", "detail_missing",
                                                  "after_corpus"}
    assert sum(bool(i.history) for i in items) >= 10
    for category in {i.category for i in items}:
        halves = {i.split for i in items if i.category == category}
        assert halves == {"calibration", "heldout"}, category


def test_heldout_half_does_not_regress(news_bot):
    items = evaluation.load_gold(evaluation.NEWS_GOLD, "heldout")
    rows = evaluation.run(news_bot, items)
    current = evaluation.summarize(rows)
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))["ALL"]
    failures = evaluation.baseline_regressions(current, baseline, NOISE)
    table = evaluation.table(evaluation.by_category(rows))
    assert not failures, "held-out regression:\n" + "\n".join(failures) + "\n\n" + table
    assert current["markers_resolve"] == 1.0


def test_calibration_never_saw_the_heldout_half():
    """The shipped calibration names the half it was fitted on; its size matches that half."""
    data = json.loads((ROOT / "assistant" / "calibration.json").read_text(encoding="utf-8"))
    n_cal = len(evaluation.load_gold(evaluation.NEWS_GOLD, "calibration"))
    assert "calibration half" in data["fitted_on"] and f"{n_cal} questions" in data["fitted_on"]


def test_baseline_is_the_heldout_half():
    data = json.loads(BASELINE.read_text(encoding="utf-8"))
    assert data["split"] == "heldout"
    assert data["ALL"]["questions"] == len(evaluation.load_gold(evaluation.NEWS_GOLD, "heldout"))

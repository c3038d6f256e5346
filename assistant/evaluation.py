"""Gold-set evaluation: one call, a per-category table and a primary metric.

A gold item (``GoldItem``) names its question, category, whether the articles answer it,
the evidence phrases a cited passage must hold and the phrases the answer must contain.
Measures (per category and overall):

- ``evidence_cited``: answerable items whose every evidence group is found in a cited passage;
- ``answer_contains``: answerable items whose answer holds every ``answer_contains`` group;
- ``refused_unanswerable``: unanswerable items that were refused;
- ``false_refusals``: answerable items that were refused;
- ``followups``: two-turn items answered with their evidence cited;
- ``evidence_recall_at_k`` / ``mrr``: retrieval, for answerable items;
- ``markers_resolve``: every [n] of every answer points to a cited passage.

The primary metric is the mean of evidence_cited, answer_contains, refused_unanswerable and
(1 - false_refusals). Items carry a ``split``: thresholds and weights are fitted on
``calibration`` only (``python -m assistant calibrate``); results are reported on ``heldout``.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from assistant.types import Answer, Turn

ROOT = Path(__file__).resolve().parent.parent
SEED_GOLD = ROOT / "tests" / "gold" / "seed.json"
NEWS_GOLD = ROOT / "evals" / "gold" / "news.json"
GOLD_FILE = SEED_GOLD


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.lower().split())


def _has(texts: list[str], phrases: list[str]) -> bool:
    return any(_norm(p) in _norm(t) for t in texts for p in phrases)


@dataclass(frozen=True)
class GoldItem:
    id: str
    question: str
    category: str
    answerable: bool
    evidence: list[list[str]] = field(default_factory=list)
    answer_contains: list[list[str]] = field(default_factory=list)
    history: list[Turn] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)
    split: str = "heldout"

    @classmethod
    def from_json(cls, d: dict) -> GoldItem:
        return cls(str(d["id"]), d["question"], d.get("category") or d.get("kind") or "other", bool(d["answerable"]),
                   d.get("evidence", []), d.get("answer_contains", []),
                   [Turn(str(t["role"]), str(t["content"])) for t in d.get("history", [])],
                   [str(a) for a in d.get("article_ids", [])], d.get("split", "heldout"))


@dataclass
class Row:
    id: str
    category: str
    split: str
    answerable: bool
    followup: bool
    refused: bool
    recall: bool | None
    rr: float | None
    cited: bool | None
    contains: bool | None
    markers_ok: bool
    answer: str
    features: dict[str, float] = field(default_factory=dict)


def load_gold(path: Path = GOLD_FILE, split: str | None = None) -> list[GoldItem]:
    items = [GoldItem.from_json(d) for d in json.loads(path.read_text(encoding="utf-8"))["questions"]]
    return [i for i in items if split in (None, "all") or i.split == split]


def score_one(q: GoldItem, ans: Answer) -> Row:
    passages = [p.text for p in ans.passages]
    cited = [p.text for p in ans.citations]
    markers = [int(m) for m in re.findall(r"\[(\d+)\]", ans.answer)]
    markers_ok = all(any(c.marker == m for c in ans.citations) for m in markers)
    row = Row(q.id, q.category, q.split, q.answerable, bool(q.history), ans.refused, None, None, None, None,
              markers_ok, ans.answer, dict(ans.evidence))
    if q.answerable:
        groups = q.evidence
        row.recall = all(_has(passages, g) for g in groups)
        ranks = [i for i, t in enumerate(passages, 1) if any(_has([t], g) for g in groups)]
        row.rr = 1.0 / ranks[0] if ranks else 0.0
        row.cited = (not ans.refused) and all(_has(cited, g) for g in groups)
        row.contains = (not ans.refused) and all(_has([ans.answer], g) for g in q.answer_contains)
    return row


def _mean(xs) -> float:
    xs = [float(x) for x in xs]
    return sum(xs) / len(xs) if xs else float("nan")


def summarize(rows: list[Row]) -> dict[str, float]:
    ans = [r for r in rows if r.answerable]
    una = [r for r in rows if not r.answerable]
    follow = [r for r in rows if r.followup and r.answerable]
    out = {
        "questions": len(rows),
        "evidence_cited": _mean(r.cited for r in ans),
        "answer_contains": _mean(r.contains for r in ans),
        "refused_unanswerable": _mean(r.refused for r in una),
        "false_refusals": _mean(r.refused for r in ans),
        "followups": _mean(r.cited for r in follow),
        "evidence_recall_at_k": _mean(r.recall for r in ans),
        "mrr": _mean(r.rr for r in ans),
        "markers_resolve": _mean(r.markers_ok for r in rows),
    }
    parts = [out["evidence_cited"], out["answer_contains"], out["refused_unanswerable"], 1 - out["false_refusals"]]
    parts = [p for p in parts if p == p]  # categories without answerable or unanswerable items
    out["primary"] = _mean(parts)
    return out


def by_category(rows: list[Row]) -> dict[str, dict[str, float]]:
    groups: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        groups[r.category].append(r)
    return {c: summarize(groups[c]) for c in sorted(groups)} | {"ALL": summarize(rows)}


def run(assistant, items: list[GoldItem], backend: str | None = None, k: int | None = None) -> list[Row]:
    """Ask every gold question once; the answer carries the evidence features it was decided on."""
    return [score_one(q, assistant.ask(q.question, q.history, k=k, backend=backend)) for q in items]


def calibrate(rows: list[Row], max_false_refusals: float = 0.03):
    """Fit the answer/refuse model on these rows (the calibration half; never the held-out one)."""
    from assistant.answerability import FEATURES, fit

    data = [([r.features[f] for f in FEATURES], r.answerable) for r in rows if r.features]
    if len({a for _, a in data}) < 2:
        raise ValueError("calibration needs both answerable and unanswerable gold questions")
    return fit(data, max_false_refusals)


COLUMNS = [("questions", "n"), ("evidence_cited", "cited"), ("answer_contains", "contains"),
           ("refused_unanswerable", "refused (unans.)"), ("false_refusals", "false refusals"),
           ("followups", "follow-ups"), ("evidence_recall_at_k", "recall@k"), ("primary", "primary")]


def table(results: dict[str, dict[str, float]]) -> str:
    """Rows are categories (or backends), columns the measures; '–' where a measure does not apply."""
    def cell(v) -> str:
        if isinstance(v, float):
            return "–" if v != v else f"{v:.3f}"
        return str(v)

    lines = ["| category | " + " | ".join(h for _, h in COLUMNS) + " |", "| --- |" + " ---: |" * len(COLUMNS)]
    for name, m in results.items():
        lines.append(f"| {name} | " + " | ".join(cell(m.get(k, float('nan'))) for k, _ in COLUMNS) + " |")
    return "\n".join(lines)


def baseline_regressions(current: dict[str, float], baseline: dict[str, float], noise: float) -> list[str]:
    """Measures that fell by more than ``noise`` (false refusals: rose), as readable lines."""
    out = []
    for key in ("evidence_cited", "answer_contains", "refused_unanswerable", "followups", "primary"):
        if key in baseline and baseline[key] == baseline[key] and current[key] < baseline[key] - noise:
            out.append(f"{key}: {current[key]:.3f} < baseline {baseline[key]:.3f} - {noise}")
    fr = baseline.get("false_refusals")
    if fr is not None and fr == fr and current["false_refusals"] > fr + noise:
        out.append(f"false_refusals: {current['false_refusals']:.3f} > baseline {fr:.3f} + {noise}")
    return out

"""Gold-set evaluation: retrieval, citations, refusals and answers, per backend.

Metrics (answerable questions unless said otherwise):
- evidence recall@k: every evidence group is found in the retrieved passages;
- MRR: 1 / rank of the first retrieved passage holding any evidence phrase;
- evidence cited: every evidence group is found in the cited passages (citation accuracy);
- markers resolve: every [n] in every answer points to a cited passage (all questions);
- refusal precision / recall / accuracy: refusing exactly the unanswerable questions;
- answer containment: every answer_contains group appears in the answer text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.answerability import Calibration
from assistant.types import Answer, Turn

GOLD_FILE = Path(__file__).resolve().parent.parent / "tests" / "gold" / "seed.json"


def _norm(text: str) -> str:
    text = text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return " ".join(text.lower().split())


def _has(texts: list[str], phrases: list[str]) -> bool:
    return any(_norm(p) in _norm(t) for t in texts for p in phrases)


@dataclass
class Row:
    id: str
    kind: str
    answerable: bool
    refused: bool
    recall: bool | None
    rr: float | None
    cited: bool | None
    contains: bool | None
    markers_ok: bool
    answer: str
    features: dict = field(default_factory=dict)


def load_gold(path: Path = GOLD_FILE) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["questions"]


def score_one(q: dict, ans: Answer) -> Row:
    passages = [p.text for p in ans.passages]
    cited = [p.text for p in ans.citations]
    markers = [int(m) for m in re.findall(r"\[(\d+)\]", ans.answer)]
    markers_ok = all(any(c.marker == m for c in ans.citations) for m in markers)
    row = Row(q["id"], q.get("kind", ""), q["answerable"], ans.refused, None, None, None, None,
              markers_ok, ans.answer)
    if q["answerable"]:
        groups = q["evidence"]
        row.recall = all(_has(passages, g) for g in groups)
        ranks = [i for i, t in enumerate(passages, 1) if any(_has([t], g) for g in groups)]
        row.rr = 1.0 / ranks[0] if ranks else 0.0
        row.cited = (not ans.refused) and all(_has(cited, g) for g in groups)
        row.contains = (not ans.refused) and all(_has([ans.answer], g) for g in q.get("answer_contains", []))
    return row


def summarize(rows: list[Row]) -> dict[str, float]:
    ans = [r for r in rows if r.answerable]
    una = [r for r in rows if not r.answerable]
    refused = [r for r in rows if r.refused]
    mean = lambda xs: sum(xs) / len(xs) if xs else 0.0  # noqa: E731
    return {
        "questions": len(rows),
        "evidence_recall_at_k": mean([r.recall for r in ans]),
        "mrr": mean([r.rr for r in ans]),
        "evidence_cited": mean([r.cited for r in ans]),
        "markers_resolve": mean([r.markers_ok for r in rows]),
        "refusal_precision": mean([not r.answerable for r in refused]) if refused else 1.0,
        "refusal_recall": mean([r.refused for r in una]),
        "refusal_accuracy": mean([r.refused == (not r.answerable) for r in rows]),
        "answer_containment": mean([r.contains for r in ans]),
    }


def run(assistant, backend: str | None = None, k: int | None = None, gold: Path = GOLD_FILE,
        features: bool = False) -> tuple[dict[str, float], list[Row]]:
    rows = []
    for q in load_gold(gold):
        history = [Turn(**t) for t in q.get("history", [])]
        if features:  # raw evidence signals, for calibration
            feats = assistant.evidence_features(q["question"], history, k=k)
        ans = assistant.ask(q["question"], history, k=k, backend=backend)
        row = score_one(q, ans)
        if features:
            row.features = feats
        rows.append(row)
    return summarize(rows), rows


def calibrate(rows: list[Row]) -> tuple[Calibration, float]:
    """Thresholds that best separate answerable from unanswerable gold questions.

    Among equally good settings, take the one in the middle of the region, for margin.
    """
    usable = [r for r in rows if not r.features.get("hard_refusal")]
    hard = [r for r in rows if r.features.get("hard_refusal")]
    covs = [i / 40 for i in range(41)]
    sents = [i / 100 for i in range(0, 81)]
    best, cells = -1.0, []
    for c in covs:
        for s in sents:
            ok = sum((r.features["coverage"] >= c and r.features["best_sentence"] >= s) == r.answerable
                     for r in usable) + sum(not r.answerable for r in hard)
            acc = ok / max(1, len(rows))
            if acc > best + 1e-9:
                best, cells = acc, [(c, s)]
            elif abs(acc - best) <= 1e-9:
                cells.append((c, s))
    c_mid = sorted(c for c, _ in cells)[len(cells) // 2]
    s_mid = sorted(s for c, s in cells if c == c_mid)
    return Calibration(min_coverage=c_mid, min_best_sentence=s_mid[len(s_mid) // 2]), best


def table(results: dict[str, dict[str, float]]) -> str:
    keys = list(next(iter(results.values())))
    lines = ["| metric | " + " | ".join(results) + " |", "| --- |" + " --- |" * len(results)]
    for key in keys:
        cells = [f"{r[key]:.3f}" if isinstance(r[key], float) else str(r[key]) for r in results.values()]
        lines.append(f"| {key} | " + " | ".join(cells) + " |")
    return "\n".join(lines)

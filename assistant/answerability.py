"""Does the index answer this question? A calibrated decision from retrieval evidence.

No single similarity cutoff separates unanswerable questions (a question about an
event an article only anticipates scores closer than many answerable ones), so the
decision combines several signals, each measured on the retrieved evidence:

- ``coverage``: the best share of the question's content terms (IDF-weighted) found
  together in one passage; a question whose key term is absent is not answered.
- ``missing_name``: a name (or number) in the question that no retrieved passage
  mentions together with the question's other names.
- ``best_sentence``: the best sentence score (similarity + term overlap).
- ``anticipated``: the question asks what happened, but the best evidence speaks of
  what will or may happen.

Thresholds are fitted on the gold set by ``python -m assistant calibrate`` and
stored in ``assistant/calibration.json``.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from assistant.evidence import Candidate, entities, mentions, question_terms
from assistant.types import Passage
from index import bm25

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
_PAST_QUESTION = re.compile(
    r"\b(what (was|were) (agreed|decided|signed|announced|the (outcome|result))|what happened|"
    r"did .+ (agree|sign|decide|announce|conclude)|outcome|results? of|agreed|"
    r"was (signed|agreed|decided)|were (signed|agreed|decided))\b",
    re.I,
)
@dataclass
class Calibration:
    min_coverage: float = 0.6
    min_best_sentence: float = 0.35

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{k: float(data[k]) for k in ("min_coverage", "min_best_sentence")})
        except (OSError, ValueError, KeyError, TypeError):
            return cls()

    def save(self, path: Path = CALIBRATION_FILE, **extra) -> None:
        path.write_text(json.dumps({**asdict(self), **extra}, indent=1) + "\n", encoding="utf-8")


@dataclass
class Evidence:
    coverage: float
    missing_name: str | None
    best_sentence: float
    anticipated: bool

    def answerable(self, cal: Calibration) -> bool:
        return (self.missing_name is None and not self.anticipated
                and self.coverage >= cal.min_coverage and self.best_sentence >= cal.min_best_sentence)

    def reason(self, cal: Calibration) -> str:
        if self.missing_name:
            return f"the articles do not mention {self.missing_name!r} in a relevant passage"
        if self.anticipated:
            return "the articles only anticipate this; they do not report what happened"
        if self.coverage < cal.min_coverage:
            return "no passage covers the question's key terms together"
        if self.best_sentence < cal.min_best_sentence:
            return "no sentence answers the question closely enough"
        return ""


# Words that say what kind of answer is wanted ("what did analysts say"), not what it is about.
_ANSWER_TYPE = set(bm25.tokenize(["say said says think thinks analyst analysts expert experts official "
                                  "officials view views opinion according tell explain describe"])[0])


def assess(question: str, passages: list[Passage], cands: list[Candidate], retriever) -> Evidence:
    terms = [t for t in question_terms(question) if t not in _ANSWER_TYPE] or question_terms(question)
    # Words the index has never seen can't be covered by any passage; names among them
    # are caught below, other words (paraphrase) must not sink the question.
    terms = [t for t in terms if t in retriever.vocab_dict]
    idf = _idf(retriever, terms)
    passage_terms = [frozenset(bm25.tokenize([p.text])[0]) for p in passages]
    total = sum(idf.values()) or 1.0
    coverage = max((sum(w for t, w in idf.items() if t in pt) / total for pt in passage_terms), default=0.0)

    # The question's names must meet in one passage: "Gabuev on Taiwan" needs both.
    names = entities(question)
    folded = [p.text.casefold() for p in passages]
    missing = None
    if names and folded:
        best = max(folded, key=lambda t: sum(mentions(n, t) for n in names))
        missing = next((n for n in names if not mentions(n, best)), None)

    best = max(cands, key=lambda c: c.score, default=None)
    top = sorted(cands, key=lambda c: -c.score)[:3]
    anticipated = bool(_PAST_QUESTION.search(question)) and bool(top) and \
        sum(c.future for c in top) >= max(2, math.ceil(len(top) * 2 / 3))
    return Evidence(coverage, missing, best.score if best else 0.0, anticipated)


def _idf(retriever, terms: list[str]) -> dict[str, float]:
    """BM25's IDF for known terms; a term absent from the index weighs like the rarest one."""
    vocab = retriever.vocab_dict
    n_docs = int(retriever.scores["num_docs"])
    df = getattr(retriever, "_dossier_df", None)
    if df is None:  # document frequency per term: column lengths of the CSC score matrix
        df = retriever._dossier_df = np.diff(retriever.scores["indptr"])
    weights = {}
    for t in terms:
        d = int(df[vocab[t]]) if t in vocab else 0
        weights[t] = math.log(1 + (n_docs - d + 0.5) / (d + 0.5))
    return weights

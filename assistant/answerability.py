"""Does the index answer this question? A calibrated decision from features of the evidence.

No single similarity cutoff separates unanswerable questions (a question about an event
the articles only anticipate scores closer than many answerable ones), so the decision
is a small logistic model over features measured on the retrieved evidence:

- ``coverage``: the best share of the question's content terms (IDF-weighted) found
  together in one passage;
- ``name_coverage``: the best share of the question's names (and numbers) found in one
  passage; ``missing_name`` names the first one missing there;
- ``best_sentence``: the best sentence score (similarity + term overlap);
- ``top_dense``: the dense similarity of the best passage;
- ``typed``: whether a sentence close to the best holds what the question asks for
  (a number for "how many", a place for "where": see ``answer_types``);
- ``anticipated``: the question asks what happened, and the best evidence speaks of
  what will or may happen;
- ``rare_missing``: the weight of the rarest question term no passage contains.

The weights are fitted on the calibration half of the news gold set by
``python -m assistant calibrate`` (never on the held-out half) and shipped in
``assistant/calibration.json``.
"""

from __future__ import annotations

import importlib.resources
import json
import math
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from assistant.answer_types import AnswerType, holds
from assistant.evidence import Candidate, entities, mentions, question_terms
from assistant.types import Passage
from index import bm25
from index.bm25 import TermStats
from index.errors import ResourceMissing

CALIBRATION_FILE = Path(str(importlib.resources.files("assistant") / "calibration.json"))  # package data, a file
FEATURES = ("coverage", "name_coverage", "best_sentence", "top_dense", "typed", "anticipated", "rare_missing",
            "past_question")
TYPED_AT_MOST, TYPED_WITHIN = 10, 0.6  # sentences searched for the asked-for type: count, share of the best
# Verbs of saying and thinking: "What did X say" asks for words, not for an outcome.
_SPEECH_LEMMAS = (["say", "tell", "think", "believe", "argue", "claim", "add", "note", "warn", "explain", "describe", "insist", "suggest", "state", "write", "report", "comment", "respond", "react", "predict", "expect", "call", "ask", "urge"])


_PAST = re.compile(
    r"^\s*(did|was|were|had)\b|\b(did|was|were|had)\s+(?:\S+\s+){0,6}?(?P<verb>[a-z]+)\b|"
    r"\b(?P<past>[a-z]+ed)\b|\bwhat happened\b|\b(outcome|result|results|winner|verdict)\b", re.I)
_AUX_THEN_SPEECH = re.compile(r"\b(did|has|have|had)\s+(?:\S+\s+){0,5}?(" + "|".join(_SPEECH_LEMMAS) + r")\b", re.I)


def past_event_question(question: str) -> bool:
    """Does the question ask what happened ("did X beat", "how many were captured", "what was the
    result"), rather than what someone said or what will be? By the grammar of English questions:
    a past auxiliary or a past form, unless the verb is one of saying or thinking."""
    if _AUX_THEN_SPEECH.search(question) or re.search(r"\b(said|told|thought|believed|argued|claimed)\b",
                                                      question, re.I):
        return False
    return bool(_PAST.search(question))

class CalibrationMissing(ResourceMissing):
    """The shipped calibration file is absent or damaged: answering would use made-up thresholds."""


@dataclass
class Calibration:
    """Logistic weights over ``FEATURES`` (standardized by ``mean``/``scale``) and the decision threshold."""

    weights: list[float]
    bias: float
    mean: list[float]
    scale: list[float]
    threshold: float = 0.5
    extra: dict = field(default_factory=dict)

    @classmethod
    def answer_all(cls) -> Calibration:
        """Answers every question: used while collecting the features a calibration is fitted on."""
        n = len(FEATURES)
        return cls([0.0] * n, 0.0, [0.0] * n, [1.0] * n, threshold=0.0)

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> Calibration:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("features") != list(FEATURES):
                raise ValueError("calibration was fitted on other features")
            return cls(list(map(float, data["weights"])), float(data["bias"]), list(map(float, data["mean"])),
                       list(map(float, data["scale"])), float(data["threshold"]),
                       {k: v for k, v in data.items() if k not in ("weights", "bias", "mean", "scale", "threshold")})
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise CalibrationMissing(f"the answerability calibration {path} is missing or damaged ({exc}); "
                                     "run `python -m assistant calibrate`") from exc

    def save(self, path: Path = CALIBRATION_FILE, **extra) -> None:
        data = {**asdict(self), **self.extra, **extra, "features": list(FEATURES)}
        data.pop("extra", None)
        path.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")

    def probability(self, x: list[float]) -> float:
        z = self.bias + sum(w * (v - m) / s for w, v, m, s in zip(self.weights, x, self.mean, self.scale, strict=True))
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


@dataclass
class Evidence:
    """What the decision is made from; kept on the answer for calibration and for the reader."""

    coverage: float
    name_coverage: float
    missing_name: str | None
    best_sentence: float
    top_dense: float
    typed: bool
    anticipated: bool
    rare_missing: float
    past_question: bool
    answer_type: AnswerType = AnswerType.OTHER
    probability: float | None = None
    unknown_name: str | None = None  # a name of the question no article of the index contains

    def vector(self) -> list[float]:
        return [self.coverage, self.name_coverage, self.best_sentence, self.top_dense, float(self.typed),
                float(self.anticipated), self.rare_missing, float(self.past_question)]

    def features(self) -> dict[str, float]:
        return dict(zip(FEATURES, self.vector(), strict=True))

    def answerable(self, cal: Calibration) -> bool:
        self.probability = cal.probability(self.vector())
        return self.unknown_name is None and self.probability >= cal.threshold

    def reason(self, cal: Calibration) -> str:
        """The plainest true reason among the features that argue against answering."""
        if self.unknown_name:
            return f"no article mentions {self.unknown_name!r}"
        if self.missing_name and self.name_coverage < 1.0:
            return f"the articles do not mention {self.missing_name!r} in a relevant passage"
        if self.anticipated:
            return "the articles only anticipate this; they do not report what happened"
        if not self.typed and self.answer_type is not AnswerType.OTHER:
            return (f"the closest passages are about the subject but give no {self.answer_type.described} "
                    "for what was asked")
        if self.rare_missing > 0.5:
            return "no passage covers the question's key terms"
        return "no passage answers the question closely enough"


# Words that say what kind of answer is wanted ("what did analysts say"), not what it is about.
_ANSWER_WORDS = set(bm25.tokenize(["say said says think thinks view views opinion according tell explain "
                                   "describe report reported summarize happen happened"])[0])


def assess(question: str, passages: list[Passage], cands: list[Candidate], df: TermStats,
           answer_type: AnswerType = AnswerType.OTHER) -> Evidence:
    """The evidence features for ``question`` (already stripped of outlet and date words)."""
    terms = [t for t in question_terms(question) if t not in _ANSWER_WORDS] or question_terms(question)
    idf = _idf(terms, df)
    passage_terms = [frozenset(bm25.tokenize([p.text])[0]) for p in passages]
    total = sum(idf.values()) or 1.0
    known = {t: w for t, w in idf.items() if t in df.df}
    known_total = sum(known.values()) or 1.0
    coverage = max((sum(w for t, w in known.items() if t in pt) / known_total for pt in passage_terms), default=0.0)
    present = set().union(*passage_terms) if passage_terms else set()
    rare_missing = max((w / total for t, w in idf.items() if t not in present), default=0.0)

    # The question's names must meet in one passage: "X on Y" needs both.
    # A name counts by its most specific word: "Finnish Prime Minister Juha Sipila" is mentioned
    # only where "Sipila" is, not wherever "Prime" or "Finnish" is.
    names = [_key_word(n, df) for n in entities(question)]
    names = [n for n in dict.fromkeys(names) if n]
    unknown = next((n for n in names if not all(_known_stem(t, df) for t in bm25.tokenize([n])[0])), None)
    folded = [p.text.casefold() for p in passages]
    missing, name_cov = None, 1.0
    if names and folded:
        best = max(folded, key=lambda t: sum(mentions(n, t) for n in names))
        found = [mentions(n, best) for n in names]
        name_cov = sum(found) / len(names)
        missing = next((n for n, f in zip(names, found, strict=True) if not f), None)
    elif names:
        name_cov, missing = 0.0, names[0]

    ranked = sorted(cands, key=lambda c: -c.score)
    best_score = ranked[0].score if ranked else 0.0
    # The answer sentence is often not the best-scored one ("the deaths of 11 men" ranks under a
    # sentence restating the question): look a little wider for what was asked.
    close = [c for c in ranked[:TYPED_AT_MOST] if c.score >= TYPED_WITHIN * best_score]
    # A reason has no form a pattern can check ("as protection against ..."): it cannot argue for refusing.
    typed = (answer_type is AnswerType.REASON or any(holds(answer_type, [c.text for c in close], question))
             if close else False)
    past = past_event_question(question)
    top = ranked[:3]
    anticipated = past and bool(top) and sum(c.future for c in top) >= max(2, math.ceil(len(top) * 2 / 3))
    top_dense = max((p.dense_similarity or 0.0 for p in passages[:3]), default=0.0)
    return Evidence(coverage, name_cov, missing, best_score, top_dense, typed, anticipated, rare_missing, past,
                    answer_type, unknown_name=unknown)


def _known_stem(term: str, df: TermStats) -> bool:
    """Is ``term`` (or a word of its family: "namibian" and "namibia") in the index's vocabulary?"""
    return term in df.df or df.has_prefix(term[: max(4, len(term) - 3)])


def _key_word(name: str, df: TermStats) -> str:
    """The word of a name that is rarest in the index (a word the index never saw is rarest of all)."""
    words = [w for w in re.findall(r"[\w'’-]+", name) if bm25.tokenize([w])[0]]
    if len(words) <= 1:
        return words[0] if words else ""
    weights = _idf([bm25.tokenize([w])[0][0] for w in words], df)
    return max(words, key=lambda w: weights.get(bm25.tokenize([w])[0][0], 0.0))


def _idf(terms: list[str], df: TermStats) -> dict[str, float]:
    """BM25's IDF from the term statistics the build stored; a term absent from the index
    weighs like the rarest one."""
    return {t: df.idf(t) for t in terms}


def fit(rows: list[tuple[list[float], bool]], max_false_refusals: float = 0.03) -> Calibration:
    """Logistic weights on (features, answerable) pairs, and the threshold that keeps false
    refusals of answerable questions at or under ``max_false_refusals`` on these rows."""
    from sklearn.linear_model import LogisticRegression

    x = np.array([r[0] for r in rows], dtype=float)
    y = np.array([r[1] for r in rows], dtype=int)
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale < 1e-6] = 1.0
    model = LogisticRegression(C=1.0, class_weight="balanced", max_iter=1000)
    model.fit((x - mean) / scale, y)
    cal = Calibration(model.coef_[0].tolist(), float(model.intercept_[0]), mean.tolist(), scale.tolist())
    probs = np.array([cal.probability(list(v)) for v in x])
    pos = np.sort(probs[y == 1])
    # The highest threshold that refuses at most the allowed share of answerable questions.
    allowed = int(math.floor(max_false_refusals * len(pos)))
    cal.threshold = float(pos[allowed] - 1e-6) if len(pos) else 0.5
    cal.threshold = min(cal.threshold, 0.5)
    return cal

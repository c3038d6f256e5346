"""Figures two outlets both give for the same thing, side by side ("35 people were wounded" vs "41").

"The same thing" is read from the words around a number, not from a list of topics:
two figures match when the word after the number (its unit: "people", "percent")
is the same and at least one more content word near it is shared ("wounded").
Sentences that point to another time ("a month after", "last year", "in 2013") are
about another event and are left out, so a past toll is never set against today's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.overview_common import Citer, KeySentence, defang
from index import bm25

_WORD = re.compile(r"[\w%$€£'’.,-]+")
_NUMBER = re.compile(r"^\$?\d[\d,]*(?:\.\d+)?%?$")
_QUALIFIER = re.compile(r"^(?:at|least|most|more|than|about|nearly|almost|some|over|around|up|to|roughly|"
                        r"approximately|fewer|less|under|only|just|also|were|was|are|is|have|has|been|had|"
                        r"the|a|an|of|in|and|or)$", re.I)
_OTHER_TIME = re.compile(
    r"\b(?:(?:a|an|one|two|three|four|five|six|several|few|\d+)\s+(?:days?|weeks?|months?|years?|decades?)\s+"
    r"(?:after|before|ago|earlier|later)|last\s+(?:week|month|year)|previous(?:ly)?|earlier\s+this|"
    r"since\s+\d{4}|in\s+(?:1[89]|20)\d\d)\b", re.I)
BEFORE, AFTER = 3, 5
MAX_LINES = 3


@dataclass(frozen=True)
class Figure:
    value: str
    unit: str  # stem of the word after the number
    context: dict  # stem -> index of the word, for content words near the number
    start: int  # word index where the phrase starts (qualifiers included)
    at: int  # word index of the number
    words: tuple  # the sentence's word matches
    sentence: KeySentence

    def phrase(self, shared: set[str]) -> str:
        """The words from the number (with its qualifiers) to the last shared context word, verbatim."""
        end = max([self.context[s] for s in shared] + [self.at + 1])
        return self.sentence.text[self.words[self.start].start() : self.words[end].end()].rstrip(".,;:")


def _stem(word: str) -> str:
    toks = bm25.tokenize([word])[0]
    return toks[0] if toks else ""


def figures(sentence: KeySentence) -> list[Figure]:
    if _OTHER_TIME.search(sentence.text):
        return []
    words = tuple(_WORD.finditer(sentence.text))
    out = []
    for i, m in enumerate(words):
        token = m.group().rstrip(".,")
        if not _NUMBER.match(token) or (len(token) == 4 and token.isdigit() and 1800 <= int(token) <= 2100):
            continue
        if i + 1 >= len(words):
            continue
        unit_word = words[i + 1].group().rstrip(".,")
        unit = "%" if token.endswith("%") else _stem(unit_word)
        if not unit or _NUMBER.match(unit_word):
            continue
        context: dict[str, int] = {}
        for j in range(max(0, i - BEFORE), min(len(words), i + 2 + AFTER)):
            w = words[j].group().rstrip(".,")
            if j in (i, i + 1) or _QUALIFIER.match(w) or _NUMBER.match(w):
                continue
            stem = _stem(w)
            if stem and stem != unit:
                context.setdefault(stem, j)
        if not context:
            continue
        start = i
        while start > 0 and _QUALIFIER.match(words[start - 1].group()) and i - start < 3:
            start -= 1
        out.append(Figure(token, unit, context, start, i, words, sentence))
    return out


def side_by_side(picked: list[tuple[str, list[KeySentence]]], citer: Citer) -> list[str]:
    """Lines "label A: phrase [n] · label B: phrase [m]" for figures every outlet gives."""
    per_outlet: list[tuple[str, list[Figure]]] = []
    for label, cands in picked:
        if not cands:
            return []
        per_outlet.append((label, [f for c in sorted(cands, key=lambda c: c.start) for f in figures(c)]))
    if len(per_outlet) < 2:
        return []
    lines: list[str] = []
    used: set[tuple[str, frozenset[str]]] = set()
    first_label, first_figs = per_outlet[0]
    for f in first_figs:
        row = [(first_label, f)]
        shared = set(f.context)
        for label, figs in per_outlet[1:]:
            match = next((g for g in figs if g.unit == f.unit and shared & set(g.context)), None)
            if match is None:
                break
            shared &= set(match.context)
            row.append((label, match))
        key = (f.unit, frozenset(shared))
        if len(row) < len(per_outlet) or not shared or key in used:
            continue
        used.add(key)
        cells = []
        for label, g in row:
            s = g.sentence
            n = citer.cite(s.passage, s.start, s.end, s.text)
            cells.append(f"{label}: {defang(g.phrase(shared))} [{n}]")
        lines.append(" · ".join(cells))
        if len(lines) >= MAX_LINES:
            break
    return lines

"""What kind of answer a question asks for, and whether a sentence holds one.

"How many …" wants a number, "Where …" a place, "Why …" a reason. A sentence that
speaks of the question's subject but holds no such thing does not answer it: the
answerer prefers sentences that hold the wanted type, and refuses ("the articles
give no figure for this") when none near the subject does.

Numbers, money, percentages and dates are read by pattern; places, people and
organisations by spaCy's named entities (loaded only for questions that need them).
"""

from __future__ import annotations

import re
from enum import StrEnum


class AnswerType(StrEnum):
    NUMBER = "number"
    MONEY = "money"
    PERCENT = "percent"
    DATE = "date"
    PLACE = "place"
    PERSON = "person"
    REASON = "reason"
    OTHER = "other"

    @property
    def described(self) -> str:
        return {"number": "figure", "money": "amount", "percent": "percentage", "date": "date",
                "place": "place", "person": "person", "reason": "reason"}.get(self.value, "answer")


_Q = [
    (AnswerType.PERCENT, r"\b(what|which) (percentage|percent|share|proportion|fraction)\b|\bhow many per ?cent\b|"
                         r"\bby how much\b.*\b(rise|fall|grow|drop|increase|decrease|shrink|contract)"),
    (AnswerType.MONEY, r"\bhow much\b.*\b(cost|costs|pay|paid|spend|spent|worth|price|fund|funding|money|fine|"
                       r"budget|invest|investment|raise|raised|charge|owe|salary|compensation|aid|loan)|"
                       r"\b(what|which) (was|is|were|are) the (cost|price|value|budget|fine|bill)\b|"
                       r"\bhow much money\b"),
    (AnswerType.NUMBER, r"\bhow (many|much|long|old|far|big|large|high|tall|deep|heavy)\b|"
                        r"\b(what|which) (number|amount|figure|total|toll|count|size|age|death toll)\b|"
                        r"\b(death|casualty) toll\b|\bnumber of\b"),
    (AnswerType.DATE, r"^\s*when\b|\b(what|which) (date|day|year|month|time)\b|\bwhen (did|was|were|is|will)\b|"
                      r"\bhow soon\b|\bsince when\b"),
    (AnswerType.PLACE, r"^\s*where\b|\bwhere (did|was|were|is|are|do|does|will)\b|"
                       r"\b(in |to |from )?(what|which) (city|country|town|village|province|region|state|"
                       r"place|capital|location|area|district|island|port|venue|county|border)\b"),
    (AnswerType.PERSON, r"^\s*(who|whom|whose)\b|\b(who|whom) (is|was|were|did|has|had|will|are)\b|"
                        r"\b(what|which) (person|man|woman|official|leader|minister|president|politician|"
                        r"candidate|player|judge|spokesman|spokeswoman|spokesperson|company|organi[sz]ation|"
                        r"group|party|team|club)\b"),
    (AnswerType.REASON, r"^\s*why\b|\bwhy (did|was|were|is|are|do|does|has|have|had|would|will)\b|"
                        r"\bfor what reason\b|\bwhat (caused|prompted|led to|triggered|motivated|is behind|was behind)\b|"
                        r"\bwhat (was|is|were|are) the (reason|cause|motive)s?\b"),
]
_QUESTION = [(t, re.compile(rx, re.I)) for t, rx in _Q]

_NUM_WORDS = (r"one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
              r"sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
              r"hundred|hundreds|thousand|thousands|million|millions|billion|billions|dozens?|half|"
              r"a third|a quarter|trillion")
_SMALL = r"one|two|three|four|five|six|seven|eight|nine|ten"
_MONTH = (r"January|February|March|April|May|June|July|August|September|October|November|December|"
          r"Jan\.|Feb\.|Aug\.|Sept?\.|Oct\.|Nov\.|Dec\.")
_SENTENCE = {
    # A share is also "one in 40", "3 out of 10", "half", "two-thirds".
    AnswerType.PERCENT: re.compile(rf"\d\s?%|\bper ?cent\b|\bpercentage points?\b|"
                                   rf"\b(?:\d[\d,.]*|{_SMALL})\s+(?:in|out of)\s+(?:every\s+)?\d[\d,]*\b|"
                                   r"\b(?:half|a third|a quarter|(?:one|two)[- ]thirds?|(?:one|three)[- ]quarters?|"
                                   r"majority|minority)\b", re.I),
    AnswerType.MONEY: re.compile(r"[$£€¥₽]\s?\d|\d\s?(?:[$£€¥₽])|\b\d[\d.,]*\s*(?:million|billion|trillion|m|bn)?\s*"
                                 r"(?:dollars?|euros?|pounds?|yuan|rubles?|roubles?|yen|rupees?|francs?|"
                                 r"riyals?|dirhams?|pesos?|lira|won|shekels?|usd|eur|gbp)\b", re.I),
    AnswerType.NUMBER: re.compile(rf"\b\d[\d,.]*\b|\b(?:{_NUM_WORDS})\b", re.I),
    AnswerType.DATE: re.compile(rf"\b(?:{_MONTH})\b|\b(?:19|20)\d\d\b|\b(?:Monday|Tuesday|Wednesday|Thursday|"
                                r"Friday|Saturday|Sunday|yesterday|today|tomorrow|last (?:week|month|year|night)|"
                                r"next (?:week|month|year)|this (?:week|month|year))\b"),
    AnswerType.REASON: re.compile(r"\b(?:because|due to|as a result|owing to|in order to|so that|after|amid|"
                                  r"over|following|since|in protest|in response|citing|blamed|reason|"
                                  r"caused|led to|prompted|aimed at|to (?:protest|prevent|avoid|stop|"
                                  r"ensure|help|secure|boost|counter|curb))\b", re.I),
}
_ENTITY_LABELS = {AnswerType.PLACE: {"GPE", "LOC", "FAC"},
                  AnswerType.PERSON: {"PERSON", "ORG", "NORP"}}


def expected_type(question: str) -> AnswerType:
    """The kind of answer asked for; the first matching rule wins (money before number)."""
    for t, rx in _QUESTION:
        if rx.search(question):
            return t
    return AnswerType.OTHER


def needs_entities(kind: AnswerType) -> bool:
    return kind in _ENTITY_LABELS


_COUNTED = re.compile(r"\bhow (?:many|much)\s+(?:more\s+|of\s+the\s+)?(?P<phrase>[a-z][a-z -]*)", re.I)
_NOT_NOUNS = {"did", "do", "does", "was", "were", "is", "are", "has", "have", "had", "will", "would", "can", "could",
              "may", "might", "must", "should", "in", "on", "at", "of", "for", "from", "to", "by", "with", "per",
              "the", "a", "an", "their", "its", "his", "her", "there", "they", "he", "she", "it", "we", "you"}
_AGE = re.compile(r"\b\d{1,3}[- ]years?[- ]old\b|\baged? \d{1,3}\b|,\s\d{1,3},|\(\d{1,3}\)", re.I)
_NUMBER = re.compile(rf"\b\d[\d,.]*\b|\b(?:{_NUM_WORDS})\b", re.I)


def _counted_nouns(question: str) -> list[str]:
    """What "how many" counts, as word stems: "How many mobile phones were stolen" -> ["mobil", "phone"].

    The counted phrase runs from "how many" to the first auxiliary, preposition or pronoun; any of
    its words next to a figure will do, since the head noun is not always the first word."""
    m = _COUNTED.search(question)
    if not m:
        return []
    words = []
    for w in m.group("phrase").lower().split()[:3]:
        if w in _NOT_NOUNS:
            break
        words.append(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return words


def _number_near(sentence: str, nouns: list[str], given: set[str], window: int = 40) -> bool:
    for m in _NUMBER.finditer(sentence):
        if m.group().casefold() in given:
            continue
        near = sentence[max(0, m.start() - window): m.end() + window].casefold()
        if any(re.search(rf"\b{re.escape(noun[:5])}", near) for noun in nouns):
            return True
    return False


def holds(kind: AnswerType, sentences: list[str], question: str = "") -> list[bool]:
    """For each sentence: does it hold an answer of ``kind`` that the question does not already give?

    A number the question itself names ("the 2016 election") is not an answer to it, and a figure
    answers "how many seats" only next to the word for what is counted; "how old" wants an age.
    """
    if kind is AnswerType.OTHER:
        return [True] * len(sentences)
    given = {m.group().casefold() for rx in _SENTENCE.values() for m in rx.finditer(question)}
    if kind is AnswerType.NUMBER:
        if re.search(r"\bhow old\b|\bwhat age\b", question, re.I):
            return [bool(_AGE.search(s)) for s in sentences]
        nouns = _counted_nouns(question)
        if nouns:
            return [_number_near(s, nouns, given) for s in sentences]
    if kind in _SENTENCE:
        rx = _SENTENCE[kind]
        return [any(m.group().casefold() not in given for m in rx.finditer(s)) for s in sentences]
    from assistant.nlp import pipeline

    labels = _ENTITY_LABELS[kind]
    q = question.casefold()
    nlp = pipeline()
    # ``disable`` per call, not select_pipes: the web chat answers several questions at once.
    skip = [name for name in nlp.pipe_names if name not in ("tok2vec", "ner")]
    return [any(e.label_ in labels and e.text.casefold() not in q for e in doc.ents)
            for doc in nlp.pipe(sentences, disable=skip)]

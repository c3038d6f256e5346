"""The people a corpus quotes most, for example questions ("What did <person> say?").

Cheap by design, since it runs when the page first reads a new index: a regular expression
counts capitalised multi-word names by the number of articles that mention them (no parsing),
then spaCy parses only a few sentences around each of the most frequent names and keeps a
name that most of them tag as a PERSON entity and one of them shows quoted: the subject of a
speech verb (the general English speech lemmas the attribution uses) or the object of
"according to".
At most 240 short sentences are parsed whatever the corpus size: 1.5 to 3 s for 595 articles and
6 s for 3,788 on a busy 2-core machine (the regular expression is 1.7 s of those 6), once per index
generation; the model loads once, as for "What did X say?".
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable

from assistant.speakers import PERSON, SPEECH_LEMMAS

CANDIDATES = 40  # most frequent names checked with the parser
SAMPLES = 6  # sentences parsed per name, from different articles
MAX_TEXT = 60_000  # characters of one article searched for names (untrusted input, bounded cost)
# A run of capitalised words; its last two words name the person ("Russian President Vladimir
# Putin" -> "Vladimir Putin"), so titles and roles do not split one person's count.
_NAME = re.compile(rf"\b{PERSON}\b")
_QUOTE = re.compile("[\"“”]")
_SENTENCE_END = re.compile(r"[.!?][\"”’')\]]*\s")


def _sentence_around(text: str, start: int, end: int, reach: int = 300) -> str:
    """The sentence holding ``text[start:end]``, cut at ``reach`` characters either side."""
    lo = max(0, start - reach)
    ends = list(_SENTENCE_END.finditer(text, lo, start))
    a = ends[-1].end() if ends else lo
    m = _SENTENCE_END.search(text, end, min(len(text), end + reach))
    b = m.end() if m else min(len(text), end + reach)
    return " ".join(text[a:b].split())


def candidates(texts: Iterable[str], limit: int = CANDIDATES) -> list[tuple[str, int, list[str]]]:
    """``(name, articles mentioning it, sample sentences)`` for the most mentioned names."""
    mentions: Counter[str] = Counter()
    samples: dict[str, list[str]] = defaultdict(list)
    for text in texts:
        text = text[:MAX_TEXT]
        seen: set[str] = set()
        for m in _NAME.finditer(text):
            name = " ".join(m.group().split()[-2:])
            if name in seen:
                continue
            seen.add(name)
            mentions[name] += 1
            if len(samples[name]) < SAMPLES * 4:  # a few spare, the sample is drawn below
                samples[name].append(_sentence_around(text, m.start(), m.end()))
    top = mentions.most_common(limit)
    # Sentences with quotation marks first: a quote is where a speaker is named.
    return [(name, n, sorted(samples[name], key=lambda s: not _QUOTE.search(s))[:SAMPLES]) for name, n in top]


def _is_person(ent, name: str) -> bool:
    return ent.label_ == "PERSON" and (name in ent.text or (ent.text in name and " " in ent.text))


def _quoted_in(doc, name: str) -> bool:
    for ent in doc.ents:
        if not _is_person(ent, name):
            continue
        head = ent.root.head
        if ent.root.dep_ == "nsubj" and head.pos_ == "VERB" and head.lemma_ in SPEECH_LEMMAS:
            return True
        if ent.root.dep_ == "pobj" and head.lower_ == "to" and head.head.lower_ == "according":
            return True
    return False


def most_quoted(texts: Iterable[str], n: int = 3) -> list[str]:
    """Up to ``n`` names, most mentioned first, each quoted at least once in its sample."""
    found = candidates(texts)
    if not found:
        return []
    from assistant.nlp import pipeline

    nlp = pipeline()
    flat = [(name, s) for name, _, sample in found for s in sample]
    person: Counter[str] = Counter()
    quoted: set[str] = set()
    for (name, _), doc in zip(flat, nlp.pipe((s for _, s in flat), batch_size=64), strict=True):
        person[name] += any(_is_person(e, name) for e in doc.ents)
        if _quoted_in(doc, name):
            quoted.add(name)
    out: list[str] = []
    for name, _, sample in found:  # most mentioned first; a name inside a longer kept one is the same person
        # A person in most of the sample (the tagger calls "Al Jazeera" a person now and then), quoted once.
        if name in quoted and person[name] * 2 > len(sample) and not any(name in kept or kept in name for kept in out):
            out.append(name)
        if len(out) == n:
            break
    return out

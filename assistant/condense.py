"""Turn a follow-up into a standalone question before retrieval.

With a language model this uses ``prompts/condense.md``; without one it is
deterministic: a pronoun is replaced by the person or topic of the previous
turn, and an elliptical follow-up ("What about the minister?") borrows the rest of
the previous question.
"""

from __future__ import annotations

import re

from assistant.evidence import entities
from assistant.types import Turn

_PERSONAL = re.compile(r"\b(he|she|him|her|his|hers|they|them|their)\b", re.I)
_THING = re.compile(r"\b(it|its|this|that|these|those)\b", re.I)
_ELLIPSIS = re.compile(r"^\s*(and|what about|how about|and what about|same for)\b", re.I)
def people(text: str) -> list[str]:
    """People named in ``text``, by spaCy's named entities (a follow-up's "he" is one of them)."""
    from assistant.nlp import pipeline

    nlp = pipeline()
    # ``disable`` per call, not select_pipes: the web chat answers several questions at once.
    doc = nlp(text, disable=[name for name in nlp.pipe_names if name not in ("tok2vec", "ner")])
    return list(dict.fromkeys(e.text for e in doc.ents if e.label_ == "PERSON" and len(e.text.split()) >= 2))


def _last(history: list[Turn], role: str) -> str:
    return next((t.content for t in reversed(history) if t.role == role), "")


def condense_rule(question: str, history: list[Turn]) -> str:
    prev_q = _last(history, "user")
    if not prev_q:
        return question
    prev_a = _last(history, "assistant")
    names = people(prev_q) or people(prev_a[:600])
    topics = entities(prev_q)

    m = _PERSONAL.search(question)
    if m and names:
        name = names[0]
        word = m.group(1).lower()
        repl = f"{name}'s" if word in ("his", "hers", "their") or (word == "her" and _possessive(question, m)) else name
        return question[: m.start()] + repl + question[m.end():]
    if _ELLIPSIS.match(question) or len(question.split()) <= 3:
        new = entities(question)
        old = names or topics
        if new and old and old[0] in prev_q:
            return prev_q.replace(old[0], new[0], 1)
        return f"{prev_q} {question}"
    if _THING.search(question) and topics:
        return f"{question} ({', '.join(topics[:3])})"
    return question


def _possessive(question: str, m: re.Match) -> bool:
    """'her' before a noun ("her view") is possessive; before a verb or the end it is an object."""
    rest = question[m.end():].split()
    return bool(rest) and rest[0].lower() not in {"to", "about", "on", "in", "say", "said", "think", "?"}

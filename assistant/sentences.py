"""Sentence spans of a passage or article: what answers select, cite and highlight, one sentence
at a time. (Chunking splits at sentence ends with its own separators; this is answering's rule.)"""

from __future__ import annotations

import re

# Abbreviations after which a period does not end a sentence (general English usage).
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen lt col maj capt sgt cpl adm cmdr sen rep gov pres st mt ft jr sr rev fr hon "
    "no nos vol vs etc inc ltd co corp bros dept univ est approx fig al jan feb mar apr jun jul aug sep sept "
    "oct nov dec mon tue wed thu fri sat sun u.s a.m p.m u.k u.n e.u".split())
_BOUNDARY = re.compile(r"(?:(?<=[.!?…])|(?<=[.!?][\"'”’»)]))\s+(?=[\"'“‘(\[]?[A-Z0-9])")


def _ends_sentence(para: str, at: int) -> bool:
    """Is the punctuation just before ``at`` a sentence end (not "Mr.", "U.S." or an initial "J.")?"""
    before = para[:at].rstrip()
    if not before.endswith("."):
        return True
    word = re.search(r"([\w.]+)\.$", before)
    if not word:
        return True
    token = word.group(1)
    if token.casefold() in _ABBREVIATIONS:
        return False
    # An initial ("John F. Kennedy") or dotted letters ("U.S.") does not end a sentence.
    return not (re.fullmatch(r"[A-Z]", token) or re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]", token))


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the sentences of ``text`` (used to cite sentence by sentence)."""
    spans = []
    for para in re.finditer(r"[^\n]+", text):
        start = para.start()
        body = para.group()
        for m in _BOUNDARY.finditer(body):
            if not _ends_sentence(body, m.start()):
                continue
            end = para.start() + m.start()
            if end > start:
                spans.append((start, end))
            start = para.start() + m.end()
        if para.end() > start:
            spans.append((start, para.end()))
    return spans

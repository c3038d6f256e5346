"""Answers to "What did X say (about Y)?": X's own statements only, each cited.

A journalist asking what someone said must get that person's words, never a neighbour's:
only sentences the attribution (``assistant.speakers``) gives to X with certainty are used,
verbatim, grouped by article, newest article first. When X is not quoted on Y, the answer
says so and cites nothing; the caller shows the closest material apart.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.extractive import Composition, defang, short_role
from assistant.speakers import Attribution, attribute, same_name
from assistant.types import Passage, Sentence

_VERB = r"(?:say|said|says|saying|tell|told|think|thinks|thought|write|wrote|comment|comments|claim|claimed|argue|argued)"
ASKED = re.compile(
    rf"^\s*(?:so\s+|and\s+)?what\s+(?:exactly\s+)?(?:did|does|do|has|have|had|was|is)\s+(?P<x>.+?)\s+"
    rf"(?:(?:ever|actually|publicly|recently|also)\s+)?{_VERB}"
    rf"(?:\s+(?:about|on|of|regarding|concerning|over|in\s+relation\s+to)\s+(?P<y>.+?))?\s*[?.!]*\s*$",
    re.I,
)
# "Does X think (that) Y?": X's view on Y.
ASKED_VIEW = re.compile(
    r"^\s*(?:so\s+|and\s+)?(?:does|did|do|has|have)\s+(?P<x>.+?)\s+(?:(?:really|still|also)\s+)?"
    r"(?:think|believe|expect|say|argue|predict|fear|agree|warn|claim)s?\s+(?:that\s+)?(?P<y>.+?)\s*[?.!]*\s*$",
    re.I,
)
_CAPITALISED_NAME = re.compile(r"(?:[A-Z][\w'’.-]*)(?:\s+(?:[A-Z][\w'’.-]*|van|der|de|del|da|von|bin|al|el|la|le))*")
# General English words that carry no topic (for matching a topic to a statement).
_STOP = frozenset(["the", "a", "an", "of", "in", "on", "to", "and", "or", "for", "with", "about", "by", "at",
                   "from", "his", "her", "its", "their", "this", "that", "these", "those", "is", "are",
                   "was", "were", "be", "it", "as", "into", "over", "after", "before", "between"])


@dataclass(frozen=True)
class Asked:
    person: str
    topic: str | None


def asked_person(question: str) -> tuple[str, str | None] | None:
    """(X, Y or None) when the question asks what X said (about Y); X must be a name (spaCy's
    PERSON/ORG on the question, or capitalised words), so "What did the experts say?" is not."""
    text = " ".join((question or "").split())[:500]
    m = ASKED.match(text) or ASKED_VIEW.match(text)
    if not m:
        return None
    x, y = m.group("x").strip(" ,"), (m.group("y") or "").strip(" ,") or None
    x = re.sub(r"^(?:the|mr\.?|mrs\.?|ms\.?|dr\.?)\s+", "", x, flags=re.I)
    name = _entity_name(question, m.start("x"), m.end("x"))
    if name is None and _CAPITALISED_NAME.fullmatch(x):
        name = x
    return (name, y) if name else None


def _entity_name(question: str, start: int, end: int) -> str | None:
    from assistant.nlp import pipeline

    text = " ".join(question.split())[:500]
    inside = [e for e in pipeline()(text).ents if e.start_char >= start and e.end_char <= end]
    # "Kremlin spokesman Dmitry Peskov" asks about the person; the organisation only describes him.
    chosen = next((e for e in inside if e.label_ == "PERSON"), None) or next(
        (e for e in inside if e.label_ == "ORG"), None)
    if chosen is None:
        return None
    return re.sub(r"^the\s+", "", chosen.text, flags=re.I).removesuffix("'s").removesuffix("’s")


def _terms(text: str) -> set[str]:
    """Lower-cased word stems (first 5 letters) of the content words."""
    return {w[:5] for w in re.findall(r"[^\W_]+", text.casefold()) if len(w) > 2 and w not in _STOP}


@dataclass
class _Statement:
    passage: int
    article_id: str
    start: int
    end: int
    text: str
    name: str
    role: str


def statements(person: str, passages: list[Passage], article_text: Callable[[str], str]) -> list[_Statement]:
    """Every sentence of the passages the attribution gives to ``person``, once."""
    out: list[_Statement] = []
    seen: set[tuple[str, int]] = set()
    for i, p in enumerate(passages):
        text = article_text(p.article_id)
        att = attribute(text)
        for s, e, who in _own_spans(att, person):
            if s < p.char_start or e > p.char_end or (p.article_id, s) in seen:
                continue
            seen.add((p.article_id, s))
            found = att.people[who]
            out.append(_Statement(i, p.article_id, s, e, text[s:e], found.name, found.role))
    return out


def _own_spans(att: Attribution, person: str) -> list[tuple[int, int, str]]:
    """The spans that carry ``person``'s statements and no one else's: a sentence labelled with
    them; in a sentence the splitter left whole over two people ('X said ... -Seconds earlier Y
    said ...'), only the parts labelled with them; a sentence with no label whose only reported
    statement is theirs ('..., when the minister pointed out that ...')."""
    reported = att.reported or tuple(frozenset() for _ in att.spans)
    units = list(zip(att.units, att.unit_speakers, strict=True))
    out: list[tuple[int, int, str]] = []
    for (s, e), speaker, others in zip(att.spans, att.speakers, reported, strict=True):
        if speaker and same_name(speaker, person):
            out.append((s, e, speaker))
            continue
        parts = [(a, b, u) for (a, b), u in units if s <= a < e and u and same_name(u, person)]
        if parts:
            out.extend((a, min(b, e), u) for a, b, u in parts)
        elif speaker is None and len(others) == 1 and same_name(next(iter(others)), person):
            out.append((s, e, next(iter(others))))
    return out


def _on_topic(found: list[_Statement], topic: str) -> list[_Statement]:
    """Statements that mention the topic, with the rest of the same quote run (consecutive
    statements of the article, where "it" stands for the topic)."""
    terms = _terms(topic)
    if not terms:
        return found
    keep: set[int] = set()
    runs: list[list[int]] = []
    for j, st in enumerate(found):
        prev = found[j - 1] if j else None
        if prev and prev.article_id == st.article_id and st.start - prev.end <= 3:
            runs[-1].append(j)
        else:
            runs.append([j])
    for run in runs:
        if any(terms & _terms(found[j].text) for j in run):
            keep.update(run)
    return [st for j, st in enumerate(found) if j in keep]


def compose_statements(question: str, person: str, topic: str | None, passages: list[Passage],
                       article_text: Callable[[str], str], answer_words: int) -> Composition:
    """X's statements (on Y) among the passages, grouped by article newest first, each cited [n];
    or "X is not quoted on Y in the articles." with no citation."""
    found = statements(person, passages, article_text)
    found.sort(key=lambda st: (st.article_id, st.start))
    if topic:
        found = _on_topic(found, topic)
    if not found:
        about = f" on {topic}" if topic else ""
        return Composition(f"{person} is not quoted{about} in the articles.", [], [])

    newest = sorted({st.article_id for st in found},
                    key=lambda aid: _date_key(next(passages[st.passage] for st in found if st.article_id == aid)))
    budget, used = int(answer_words * 1.5), 0
    markers: dict[int, int] = {}
    citations: list[Passage] = []
    sentences: list[Sentence] = []
    lines: list[str] = []
    for aid in newest:
        parts = []
        group = [st for st in found if st.article_id == aid]
        for st in group:
            n_words = len(st.text.split())
            if sentences and used + n_words > budget:
                break
            used += n_words
            p = passages[st.passage]
            if st.passage not in markers:
                markers[st.passage] = len(markers) + 1
                citations.append(p)
            n = markers[st.passage]
            p.marker = n
            p.highlights.append([st.start, st.end])
            sentences.append(Sentence(st.text, [n], st.name))
            parts.append(f"{defang(st.text)} [{n}]")
        if not parts:
            break
        first = passages[group[0].passage]
        role = f", {short_role(group[0].role)}" if group[0].role else ""
        where = ", ".join(x for x in (first.source or first.title, first.published) if x)
        lines.append(f"- {group[0].name}{role} ({where}): " + " ".join(parts))
    return Composition("\n".join(lines), sentences, citations)


def _date_key(p: Passage) -> tuple[int, str]:
    """Newest first; undated last."""
    d = p.published or ""
    return (1, "") if not d else (0, "".join(chr(0x10FFFF - ord(c)) for c in d))

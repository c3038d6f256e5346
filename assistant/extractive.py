"""The default answerer: a short answer composed of the passages' own sentences.

No language model, so nothing is invented: every answer sentence is a sentence of
the cited passage, verbatim. When the question asks what people said, statements
are grouped by speaker with the role the article gives them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.answer_types import AnswerType, holds
from assistant.evidence import Candidate
from assistant.speakers import attribute
from assistant.types import Passage, Sentence

SPEECH_QUESTION = re.compile(
    r"\b(say|said|says|saying|think|thinks|thought|views?|opinions?|argue[sd]?|believe[sd]?|"
    r"according to|analysts?|experts?|officials?|commentators?|observers?|stance|predict(?:s|ed)?|"
    r"warn(?:s|ed)?|quoted?|react(?:ed|ion)?|who said)\b",
    re.I,
)
MAX_SPEAKERS = 5
TYPE_BONUS = 0.08  # a sentence holding what was asked (a number for "how many") ranks above its neighbours
TYPE_CHECK_AT_MOST = 12
EXPERT_QUESTION = re.compile(r"\b(analysts?|experts?|academics?|scholars?|observers?|commentators?|"
                             r"specialists?|researchers?|professors?)\b", re.I)


@dataclass
class Composition:
    text: str
    sentences: list[Sentence]
    citations: list[Passage]


def defang(text: str) -> str:
    """An article's own "[7]" must not pass for one of our citation markers."""
    return re.sub(r"\[(\d+)\]", r"(\1)", text)


def is_speaker_question(question: str) -> bool:
    return bool(SPEECH_QUESTION.search(question))


def _near_duplicate(c: Candidate, chosen: list[Candidate]) -> bool:
    for o in chosen:
        if c.vector is not None and o.vector is not None and float(c.vector @ o.vector) > 0.9:
            return True
        union = c.terms | o.terms
        if union and len(c.terms & o.terms) / len(union) > 0.7:
            return True
    return False


def short_role(role: str, max_words: int = 12) -> str:
    """The role as the article gives it, clipped at a clause boundary when it runs long."""
    words = role.split()
    if len(words) <= max_words:
        return role
    clipped = " ".join(words[:max_words])
    clipped = re.sub(r"(\s+(of|at|the|and|in|for|to|a|an|on|with))+$", "", clipped)
    return clipped + "…"


def _concise(c: Candidate) -> float:
    """Rank for picking: long sentences pay for the words they take from the budget."""
    n = len(c.text.split())
    return c.score / (1.0 + max(0, n - 35) / 50)


def select(cands: list[Candidate], words: int, speaker_mode: bool, question: str = "") -> list[Candidate]:
    """The best sentences within the word budget (speaker labels count), without near-duplicates."""
    rank = _concise if speaker_mode else (lambda c: c.score)  # speaker lines share the budget
    ranked = sorted(cands, key=lambda c: (-rank(c), c.article_id, c.start))
    if not ranked:
        return []
    floor = max(0.2, 0.55 * max(c.score for c in ranked))
    chosen: list[Candidate] = []
    labelled: set[str] = set()
    used = 0
    budget = int(words * 1.5) if speaker_mode else words

    def take(c: Candidate, limit: int = budget) -> bool:
        nonlocal used
        n = len(c.text.split())
        if speaker_mode and c.speaker and c.speaker not in labelled:
            n += len(c.speaker.split()) + len(short_role(c.role).split()) + 2
        if c in chosen or _near_duplicate(c, chosen) or (chosen and used + n > limit):
            return False
        chosen.append(c)
        if c.speaker:
            labelled.add(c.speaker)
        used += n
        return True

    if speaker_mode:  # one statement from each of the most relevant speakers first
        speakers: list[str] = []
        for c in ranked:
            if c.speaker and c.speaker not in speakers and c.score >= 0.8 * floor:
                speakers.append(c.speaker)
        # People the question names come first.
        asked = [w.casefold() for w in re.findall(r"[A-Z][\w-]+", question)]
        speakers.sort(key=lambda who: not any(p.casefold() in asked for p in who.split()))
        # Each named speaker may stretch the budget a little: who said what is the answer.
        for who in speakers[:MAX_SPEAKERS]:
            take(next(c for c in ranked if c.speaker == who), limit=int(words * 1.8))
    for c in ranked:
        if c.score >= floor:
            take(c)
    return chosen


def compose(question: str, passages: list[Passage], cands: list[Candidate], words: int,
            article_text: Callable[[str], str], kind: AnswerType = AnswerType.OTHER) -> Composition:
    speaker_mode = is_speaker_question(question)
    experts_only = bool(EXPERT_QUESTION.search(question))
    # Speakers matter only when the question asks what people said; parsing costs a language model.
    for c in cands if speaker_mode else ():
        person = attribute(article_text(c.article_id)).speaker_at(c.start, c.end)
        # Asked about analysts, a politician's words are reporting, not analysis.
        if person and (person.expert or not experts_only):
            c.speaker, c.role = person.name, person.role
    if kind is not AnswerType.OTHER and cands:
        top = sorted(cands, key=lambda c: -c.score)[:TYPE_CHECK_AT_MOST]
        for c, typed in zip(top, holds(kind, [c.text for c in top], question), strict=True):
            if typed:
                c.score += TYPE_BONUS
                c.extra["typed"] = True
    chosen = select(cands, words, speaker_mode, question)
    if not chosen:
        return Composition("", [], [])
    if speaker_mode:
        return _by_speaker(chosen, passages)
    return _lead_first(chosen, passages)


class _Markers:
    """Numbers cited passages in the order the answer first cites them."""

    def __init__(self, passages: list[Passage]):
        self.passages = passages
        self.of: dict[int, int] = {}
        self.citations: list[Passage] = []
        self.sentences: list[Sentence] = []

    def cite(self, c: Candidate) -> str:
        if c.passage not in self.of:
            self.of[c.passage] = len(self.of) + 1
            self.citations.append(self.passages[c.passage])
        n = self.of[c.passage]
        p = self.passages[c.passage]
        p.marker = n
        p.highlights.append([c.start, c.end])
        self.sentences.append(Sentence(c.text, [n], c.speaker))
        return f"{defang(c.text)} [{n}]"


def _lead_first(chosen: list[Candidate], passages: list[Passage]) -> Composition:
    """The single best answering sentence first; supporting sentences follow, each with its source."""
    ranked = sorted(chosen, key=lambda c: -c.score)
    lead, rest = ranked[0], ranked[1:]
    m = _Markers(passages)
    lines = [m.cite(lead)]
    # Supporting sentences in article order, so a passage reads as it was written.
    rest.sort(key=lambda c: (c.article_id != lead.article_id, c.article_id, c.start))
    same = [c for c in rest if c.article_id == lead.article_id]
    if same:
        lines[0] += " " + " ".join(m.cite(c) for c in same)
    others = [c for c in rest if c.article_id != lead.article_id]
    if others:
        lines.append("")
        for aid in dict.fromkeys(c.article_id for c in others):
            members = [c for c in others if c.article_id == aid]
            first = passages[members[0].passage]
            label = ", ".join(x for x in (first.source or first.title or "article", first.published) if x)
            lines.append(f"- {label}: " + " ".join(m.cite(c) for c in members))
    return Composition("\n".join(lines), m.sentences, m.citations)


def _by_speaker(chosen: list[Candidate], passages: list[Passage]) -> Composition:
    """Who-said answers: one line per speaker (best first), unattributed sentences by article."""
    def group_key(c: Candidate) -> str:
        return c.speaker or f"\x00{c.article_id}"

    best: dict[str, float] = {}
    for c in chosen:
        best[group_key(c)] = max(best.get(group_key(c), -1.0), c.score)
    groups = sorted(best, key=lambda g: (g.startswith("\x00"), -best[g]))
    m = _Markers(passages)
    lines: list[str] = []
    for g in groups:
        members = sorted((c for c in chosen if group_key(c) == g), key=lambda c: (c.article_id, c.start))
        parts = [m.cite(c) for c in members]
        first = passages[members[0].passage]
        outlet = first.source or first.title or "article"
        if not g.startswith("\x00"):
            role = f", {short_role(members[0].role)}" if members[0].role else ""
            lines.append(f"- {members[0].speaker}{role} ({outlet}): " + " ".join(parts))
        elif len(groups) > 1:
            date = f", {first.published}" if first.published else ""
            lines.append(f"- {outlet}{date}: " + " ".join(parts))
        else:
            lines.append(" ".join(parts))
    return Composition("\n".join(lines), m.sentences, m.citations)

"""Who said it: attribute article sentences to the people the article names, with their roles.

Works on any article by general patterns of news prose: appositive roles
("Name, a senior fellow at X,"), titles before names ("Prime Minister Name"),
speech verbs ("said Name", "Name notes", "according to Name"), pronoun or
generic attributions ("he says", "the expert says") resolved to the most recent
person named, and quotes that span several sentences.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from index.chunking import sentence_spans

_NAME = r"[A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?"
PERSON = rf"{_NAME}(?:\s(?:de |van |von |da |del |bin |al-)?{_NAME}){{1,3}}"
SPEECH = (r"(?:said|says|say|adds|added|notes|noted|points? out|pointed out|told|tells|warns|warned|"
          r"argues|argued|believes|thinks|highlights|stresses|stressed|concludes|qualifies|explains|"
          r"explained|insists|insisted|states|stated|writes|wrote|according to|admitted|admits|"
          r"expressed|emphasized|emphasizes|recalls|estimates|defended|defends|announced|announces)")
_TITLE = (r"(?:President|Prime Minister|Minister|Secretary(?: General| of State)?|Chancellor|leader|"
          r"spokesperson|spokesman|spokeswoman|Ambassador|Governor|Senator|Mayor|General|Chairman|"
          r"Deputy Chairman|Director|Professor|analyst|expert)")
_ROLE_START = (r"(?:a|an|the|now|former|director|professor|senior|head|chief|president|chair|chairman|"
               r"founder|co-founder|editor|author|analyst|expert|researcher|fellow|lecturer|economist|"
               r"spokesperson|spokesman|spokeswoman|minister|deputy|executive|managing|associate|"
               r"assistant|member|leader|secretary|ambassador|adviser|advisor|specialist|scholar)")
_APPOSITIVE = re.compile(
    rf"(?P<name>{PERSON}), (?P<role>{_ROLE_START}\b[^.;:“”\"]{{3,160}}?)(?=,\s|\.\s|\.$|;|\s{SPEECH}\b)"
)
_TITLED = re.compile(rf"(?P<role>(?:(?:[A-Z][a-z]+|[A-Z]{{2,}})\s){{0,3}}{_TITLE})\s(?P<name>{PERSON})")
_PRONOUN_SPEECH = re.compile(rf"\b(?:he|she)\s(?:also\s)?{SPEECH}\b", re.I)
_GENERIC = r"(?:expert|analyst|academic|professor|researcher|scholar|internationalist|economist)"
_GENERIC_SPEECH = re.compile(
    rf"\b(?:{SPEECH}\s(?:the\s)?{_GENERIC}|(?:the\s)?{_GENERIC}\s{SPEECH}|it\s(?:states|says))\b", re.I
)
_SPEECH_RE = re.compile(rf"\b{SPEECH}\b")
_QUOTES_OPEN = "“\"«"
_QUOTES_CLOSE = "”\"»"
_NOT_PEOPLE = {"The", "But", "And", "In", "On", "For", "As", "While", "Since", "Although", "However",
               "Last", "This", "That", "When", "After", "Before", "If", "Then"}
_TITLE_WORDS = {"President", "Prime", "Minister", "Secretary", "General", "Chancellor", "Foreign",
                "Defense", "Deputy", "Chairman", "Former", "Senator", "Governor", "Mayor", "Ambassador",
                "Director", "Professor", "Leader", "State", "Dr", "Mr", "Mrs", "Ms", "Vice", "Premier"}


@dataclass(frozen=True)
class Person:
    name: str
    role: str
    expert: bool = False  # introduced with an appositive role ("Name, a professor at X")

    def label(self) -> str:
        return f"{self.name}, {self.role}" if self.role else self.name


def _clean_name(name: str) -> str | None:
    """Drop sentence openers and titles ("Ukrainian President", "Secretary General") before a name."""
    words = name.split()
    while words and (words[0] in _NOT_PEOPLE or words[0] in _TITLE_WORDS
                     or (len(words) > 1 and words[1] in _TITLE_WORDS)):
        words = words[1:]
    return " ".join(words) if len(words) >= 2 else None


def find_people(text: str) -> dict[str, Person]:
    """People the article introduces with a role, or quotes with a speech verb."""
    people: dict[str, Person] = {}

    def add(name: str | None, role: str, expert: bool = False) -> None:
        if name and (name not in people or (role and not people[name].role)):
            people[name] = Person(name, role.strip(" ,"), expert)

    for m in _APPOSITIVE.finditer(text):
        role = m.group("role")
        if len(role.split()) <= 25:
            add(_clean_name(m.group("name")), role, expert=True)
    for m in _TITLED.finditer(text):
        add(_clean_name(m.group("name")), m.group("role"))
    for m in re.finditer(rf"\b{SPEECH}\s(?P<name>{PERSON})|(?P<name2>{PERSON})\s(?:also\s)?{SPEECH}\b", text):
        add(_clean_name(m.group("name") or m.group("name2") or ""), "")
    return people


def _mentions(text: str, people: dict[str, Person]) -> list[tuple[int, int, str]]:
    """(start, end, full name) of every mention, by full name or surname."""
    out = []
    for name in people:
        surname = name.split()[-1]
        for m in re.finditer(rf"\b(?:{re.escape(name)}|{re.escape(surname)})\b", text):
            out.append((m.start(), m.end(), name))
    return sorted(out)


@dataclass(frozen=True)
class Attribution:
    spans: tuple[tuple[int, int], ...]
    speakers: tuple[str | None, ...]
    people: dict[str, Person]

    def speaker_at(self, start: int, end: int) -> Person | None:
        """The speaker of the article sentence overlapping ``[start, end)`` most."""
        best, overlap = None, 0
        for (s, e), who in zip(self.spans, self.speakers, strict=True):
            o = min(e, end) - max(s, start)
            if o > overlap:
                best, overlap = who, o
        return self.people.get(best) if best else None


@lru_cache(maxsize=512)
def attribute(text: str) -> Attribution:
    """Speaker (or None) of every sentence of an article."""
    people = find_people(text)
    mentions = _mentions(text, people)
    spans = sentence_spans(text)
    speakers: list[str | None] = []
    last_speaker: str | None = None
    last_speaker_at = -1
    for s, e in spans:
        sentence = text[s:e]
        who = None
        # A person named within a few words of a speech verb is its speaker.
        near = [(abs(ms - (s + v.start())), name)
                for v in _SPEECH_RE.finditer(sentence)
                for ms, me, name in mentions if s <= ms < e
                and (abs(ms - (s + v.start())) <= 50 or abs(me - (s + v.start())) <= 50)]
        if near:
            who = min(near)[1]
        elif _GENERIC_SPEECH.search(sentence) and (
            not re.search(r"\bit\s(?:states|says)\b", sentence, re.I)
            or any(q in sentence for q in _QUOTES_OPEN + _QUOTES_CLOSE)
        ):
            # "the expert says": the expert named last.
            experts = [name for ms, _, name in mentions if ms < s and people[name].expert]
            who = experts[-1] if experts else last_speaker
        elif _PRONOUN_SPEECH.search(sentence):
            # "he adds": whoever was quoted or named last.
            before = [(ms, name) for ms, _, name in mentions if ms < s]
            last_named = before[-1] if before else (-1, None)
            who = last_speaker if last_speaker and last_speaker_at >= last_named[0] else last_named[1]
        speakers.append(who)
        if who:
            last_speaker, last_speaker_at = who, s

    # Quotes spanning several sentences share the speaker of their attributed part.
    for i, (s, e) in enumerate(spans):
        if speakers[i] is not None:
            continue
        sentence = text[s:e]
        opens = sum(sentence.count(q) for q in "“«") + (sentence.count('"') % 2 if sentence.lstrip().startswith('"') else 0)
        closes = sum(sentence.count(q) for q in "”»")
        starts_quoted = sentence.lstrip()[:1] in _QUOTES_OPEN
        if opens > closes or starts_quoted:
            for j in range(i + 1, min(i + 4, len(spans))):
                if speakers[j] is not None:
                    speakers[i] = speakers[j]
                    break
                if not _continues_quote(text[spans[j][0]:spans[j][1]]):
                    break
        if speakers[i] is None and (closes > opens or starts_quoted):
            for j in range(i - 1, max(i - 3, -1), -1):
                if speakers[j] is not None:
                    speakers[i] = speakers[j]
                    break
    return Attribution(tuple(spans), tuple(speakers), people)


def _continues_quote(sentence: str) -> bool:
    return not any(q in sentence for q in "“«") or any(q in sentence for q in _QUOTES_CLOSE)

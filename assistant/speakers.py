"""Who said it: attribute article sentences to the people (or organisations) the article names.

Built on spaCy's named entities and dependency parse (``assistant.nlp``). A sentence gets
a speaker only when the attribution is certain; otherwise ``None``: a wrong name on a
quote is worse for a journalist than no name. The signals, all general English:

- the subject of a speech verb (found by lemma) on the sentence's main clause chain,
  or the object of "according to";
- that subject resolved to a person: a PERSON/ORG entity (a surname alone maps to the one
  full name the article gives with it), a he/she pronoun (the previous sentence's speaker,
  or the one recent person of compatible gender), or "the spokesman"/"the ministry"
  (the nearest person whose role, or organisation whose name, has that noun);
- roles from the article: appositives ("Dmitry Peskov, Kremlin spokesman,") and titles
  before the name ("Kremlin spokesman Dmitry Peskov");
- quotes that span sentences take the speaker attributed where the quote opens or closes.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from assistant.sentences import sentence_spans

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span, Token

# A capitalised multi-word name, for callers that spot names without parsing (condense.py).
_NAME = r"[A-Z][a-zà-ÿ]+(?:-[A-Z][a-zà-ÿ]+)?"
PERSON = rf"{_NAME}(?:\s(?:de |van |von |da |del |bin |al-)?{_NAME}){{1,3}}"
MAX_CHARS = 60_000  # parse at most this much of an article (untrusted input, bounded cost)

# General English verbs that report speech or stated opinion (lemmas).
SPEECH_LEMMAS = frozenset(["say", "tell", "add", "state", "declare", "announce", "claim", "insist", "argue", "explain", "note", "warn", "stress", "emphasize", "emphasise", "write", "comment", "remark", "reply", "respond", "answer", "suggest", "acknowledge", "admit", "confirm", "deny", "assert", "maintain", "contend", "report", "predict", "estimate", "recall", "reiterate", "urge", "vow", "pledge", "promise", "threaten", "accuse", "complain", "conclude", "testify", "tweet", "observe", "caution", "concede", "counter", "lament", "allege", "agree", "disagree", "believe", "think", "describe", "underline", "highlight", "point"])
# Dependencies along which a speech verb still heads the sentence's statement.
MAIN_CHAIN = frozenset({"ROOT", "conj", "ccomp", "parataxis", "xcomp"})
# Dependencies by which a clause without its own subject shares its head's subject.
SHARES_SUBJECT = frozenset({"conj", "xcomp", "advcl"})
HONORIFIC_GENDER = {"mr": "m", "mrs": "f", "ms": "f", "miss": "f", "sir": "m", "madam": "f"}
PRONOUN_GENDER = {"he": "m", "she": "f"}
NAME_PARTICLES = frozenset(["van", "der", "den", "de", "del", "della", "da", "dos", "du", "di", "la", "le", "von", "bin", "ibn", "al", "el"])



@dataclass(frozen=True)
class Person:
    name: str
    role: str
    expert: bool = False  # introduced with an appositive role ("Name, a professor at X")

    def label(self) -> str:
        return f"{self.name}, {self.role}" if self.role else self.name


@dataclass(frozen=True)
class Attribution:
    spans: tuple[tuple[int, int], ...]
    speakers: tuple[str | None, ...]
    people: dict[str, Person]
    # Everyone whose statement a sentence reports, also in a subordinate clause ("..., when the minister
    # pointed out that ..."): for "what did X say", not for labelling the sentence.
    reported: tuple[frozenset[str], ...] = ()
    # The parser's finer cut of the sentences ("...order. - Rep. X said ...": two units in one
    # sentence) and each unit's speaker: a span inside one unit takes that unit's speaker.
    units: tuple[tuple[int, int], ...] = ()
    unit_speakers: tuple[str | None, ...] = ()

    def speaker_at(self, start: int, end: int) -> Person | None:
        """The speaker of the article sentence overlapping ``[start, end)`` most; a span that is
        one unit of a sentence the splitter left whole gets that unit's own speaker."""
        best, overlap = None, 0
        for (s, e), who in zip(self.spans, self.speakers, strict=True):
            o = min(e, end) - max(s, start)
            if o > overlap:
                best, overlap = who, o
        touched = [(s, e, who) for (s, e), who in zip(self.units, self.unit_speakers, strict=True)
                   if min(e, end) - max(s, start) > 0]
        if best is None and len(touched) == 1 and touched[0][2]:
            s, e, who = touched[0]
            if min(e, end) - max(s, start) >= 0.9 * (e - s):
                best = who
        return self.people.get(best) if best else None


def name_words(name: str) -> list[str]:
    """Words of a name for comparison: case-folded, no leading "the", possessive or "(ABBR)"."""
    name = re.sub(r"\([^)]*\)", " ", name.casefold())
    name = re.sub(r"['’]s\b", "", name)
    words = re.findall(r"[\w-]+", name)
    return words[1:] if words[:1] == ["the"] else words


def same_name(a: str, b: str) -> bool:
    """The same speaker: equal names, or the same last word with every word of the shorter name in
    the longer ("Peskov" ~ "Dmitry Peskov")."""
    x, y = name_words(a), name_words(b)
    if not x or not y:
        return False
    short, long_ = sorted((x, y), key=len)
    return x == y or short[-1] == long_[-1] and set(short) <= set(long_)


# -- entities -----------------------------------------------------------------------------

@dataclass
class _Entity:
    key: str  # full name; also the key into people
    kind: str  # "PERSON" | "ORG"
    role: str = ""
    expert: bool = False
    gender: str | None = None  # "m" | "f" | None (unknown) | "?" (conflicting evidence)
    mentions: list[int] = field(default_factory=list)  # token index of each mention's root
    spans: list[tuple[int, int]] = field(default_factory=list)  # token range of each mention


def _strip_name(ent: Span) -> tuple[int, int]:
    """Token range of the name proper: no leading "the", no trailing possessive."""
    s, e = ent.start, ent.end
    doc = ent.doc
    while s < e and (doc[s].lower_ in ("the", "a", "an") or doc[s].is_punct
                     or doc[s].lower_.rstrip(".") in HONORIFIC_GENDER and s + 1 < e):
        s += 1
    while e > s and (doc[e - 1].tag_ == "POS" or doc[e - 1].is_punct):
        e -= 1
    return s, e


def _plausible_person(tokens: Span) -> bool:
    """Every word capitalised, a proper noun, letters only: NER's guesses on headline fragments
    or lower-case words are dropped."""
    words = [t for t in tokens if not t.is_punct]
    if any(t.text in (",", ";", ":") for t in tokens):
        return False  # "Commons, Theresa May": two phrases, not one name
    return bool(words) and words[0].text[:1].isupper() and words[-1].text[:1].isupper() and all(
        (t.text[:1].isupper() and t.pos_ == "PROPN" and not (len(t.text) > 1 and t.text.isupper())
         or t.lower_ in NAME_PARTICLES)
        and re.fullmatch(r"[^\W\d_]+(?:[-'.][^\W\d_]+)*\.?", t.text)
        for t in words
    )


def _role_of(ent_tokens: Span) -> tuple[str, bool]:
    """The role the article gives a name: its appositive ("X, Kremlin spokesman,"), the noun
    it is the appositive of ("the Kremlin spokesman, X,"), or the title words before it
    ("Kremlin spokesman X"). Returns (role, from an appositive)."""
    doc = ent_tokens.doc
    root = ent_tokens.root
    for child in root.children:
        if child.dep_ == "appos" and child.i >= ent_tokens.end and child.pos_ in ("NOUN", "PROPN"):
            sub = list(child.subtree)
            text = doc[sub[0].i: sub[-1].i + 1].text.strip(" ,;")
            if not (child.ent_type_ == "PERSON" or len(text.split()) > 25) and _sane_role(doc[sub[0].i: sub[-1].i + 1]):
                return re.sub(r"^the\s+", "", text, flags=re.I), True  # "a professor at X" keeps its "a"
    if root.dep_ == "appos" and root.head.pos_ in ("NOUN", "PROPN") and root.head.i < ent_tokens.start \
            and root.head.ent_type_ != "PERSON":
        head = root.head
        left = [t for t in head.subtree if t.i < ent_tokens.start and t.i not in range(ent_tokens.start, ent_tokens.end)]
        left = [t for t in left if t.i <= head.i or t.head.i <= head.i]
        if left:
            text = doc[left[0].i: head.i + 1].text.strip(" ,;")
            if text and len(text.split()) <= 12:
                return _clip_det(text), True
    title = [t for t in root.lefts if t.i < ent_tokens.start and t.dep_ in ("compound", "amod", "nmod")]
    if title:
        first = min(t.left_edge.i for t in title)
        words = doc[first: ent_tokens.start]
        if words and all(not t.is_punct or t.text in (".", "-") for t in words) and len(words) <= 8:
            text = _clip_det(words.text.strip())
            if text.lower().rstrip(".") not in HONORIFIC_GENDER:
                return text, False
    return "", False


def _vote(counts: Counter[str], own: str) -> str:
    top = counts.most_common()
    return top[0][0] if len(top) == 1 or top[0][1] > top[1][1] else own


def _sane_role(words: Span) -> bool:
    """A role is a noun phrase: no quotation marks, no finite verb, not a pronoun first."""
    return not any(t.text in "\"“”" or t.tag_ in ("VB", "VBD", "VBZ", "VBP", "MD") for t in words) and (
        words[0].pos_ != "PRON" or words[0].tag_ == "PRP$")


def _definite(who: Token) -> bool:
    """ "the spokesman", "the sheriff's department": a noun phrase that refers back."""
    return any(c.lower_ == "the" or c.dep_ == "poss" and c.left_edge.lower_ == "the" for c in who.children)


def _clip_det(text: str) -> str:
    return re.sub(r"^(?:the|a|an)\s+", "", text, flags=re.I)


class _People:
    """The people and organisations of one article, with surname-only mentions resolved."""

    def __init__(self, doc: Doc):
        self.doc = doc
        self.entities: dict[str, _Entity] = {}
        self.token_entity: dict[int, str | None] = {}  # token index -> entity key (None: ambiguous)
        pending: list[tuple[Span, str]] = []
        for ent in doc.ents:
            if ent.label_ not in ("PERSON", "ORG"):
                continue
            s, e = _strip_name(ent)
            if s >= e:
                continue
            cut = max((t.i + 1 for t in doc[s:e] if t.text in ",;:"), default=s)
            s = cut  # a comma joins two phrases: in "the Commons, Theresa May" the name is the last
            if s >= e:
                continue
            tokens = doc[s:e]
            if ent.label_ == "PERSON" and not _plausible_person(tokens):
                continue
            pending.append((tokens, ent.label_))
        # NER may call one name a person here and an organisation there: the majority decides.
        votes: dict[str, Counter[str]] = {}
        for tokens, kind in pending:
            votes.setdefault(tokens.text, Counter())[kind] += 1
        pending = [(tokens, _vote(votes[tokens.text], kind)) for tokens, kind in pending]
        # Full names first, so a surname alone can find the one full name it belongs to.
        for tokens, kind in pending:
            if kind == "PERSON" and len(tokens) > 1:
                self._add(tokens, kind, tokens.text)
        for tokens, kind in pending:
            if kind == "ORG" and len(tokens) > 1:
                self._add(tokens, kind, tokens.text)
        self._reclassify()
        full_names = [k for k, v in self.entities.items() if v.kind == "PERSON"]
        self.in_full_names = set(self.token_entity)  # tokens of the names given in full
        aliases: dict[str, str] = {}
        for tokens, kind in pending:
            if len(tokens) > 1 and (tokens.text in self.entities or kind == "PERSON" and not any(
                    k.endswith(" " + tokens.text) for k in full_names)):
                continue
            # A surname or first name alone ("Peskov", "Sir John") is the one full name it is part
            # of; NER sometimes calls it an organisation.
            owners = {k for k in full_names
                      if tokens.text == k or len(tokens) == 1 and tokens.text in (k.split()[0], k.split()[-1])}
            if kind == "PERSON" and len(tokens) > 1 and not owners:  # "Isgur Flores": "Sarah Isgur Flores"
                owners = {k for k in full_names if k.endswith(" " + tokens.text)}
            owners = {k for k in owners if not self._named_alone_first(tokens.text, k)}
            if len(owners) > 1:
                for t in tokens:
                    self.token_entity[t.i] = None  # "Trump" with two Trumps: unknown
                continue
            if owners:
                self._add(tokens, "PERSON", owners.pop())
            elif kind == "ORG" and tokens.text in aliases:
                self._add(tokens, kind, aliases[tokens.text])
            elif kind == "ORG" and (owner := self._expansion(tokens.text)):
                self._add(tokens, kind, owner)
            else:
                self._add(tokens, kind, tokens.text)
                if kind == "ORG" and tokens.end + 2 < len(doc) and doc[tokens.end].text == "(" \
                        and doc[tokens.end + 2].text == ")" and doc[tokens.end + 1].text.isupper():
                    aliases[doc[tokens.end + 1].text] = tokens.text  # "Centers for ... (CDC)"
        # A surname the NER missed ("...," Bryant said) is still the one person of that name.
        by_word: dict[str, set[str]] = {}
        for k in full_names:
            for w in (k.split()[0], k.split()[-1]):
                by_word.setdefault(w, set()).add(k)
        for t in doc:
            mislabelled = t.ent_type_ in ("PRODUCT", "WORK_OF_ART", "FAC", "EVENT") and t.ent_iob_ == "B" and (
                t.i + 1 >= len(doc) or doc[t.i + 1].ent_iob_ != "I")  # "Kenyatta" as a product
            if t.i not in self.token_entity and t.pos_ == "PROPN" and (not t.ent_type_ or mislabelled) \
                    and t.text in by_word:
                owners = {k for k in by_word[t.text] if not self._named_alone_first(t.text, k)}
                if len(owners) == 1:
                    key = next(iter(owners))
                    self.token_entity[t.i] = key
                    self.entities[key].mentions.append(t.i)
                else:
                    self.token_entity[t.i] = None

    def _add(self, tokens: Span, kind: str, key: str) -> None:
        ent = self.entities.setdefault(key, _Entity(key, kind))
        ent.mentions.append(tokens.root.i)
        ent.spans.append((tokens.start, tokens.end))
        for t in tokens:
            self.token_entity[t.i] = key
        if kind == "PERSON":
            if not ent.role:
                ent.role, ent.expert = _role_of(tokens)
            before = self.doc[tokens.start - 1] if tokens.start > 0 else None
            if before is not None and before.text == "." and tokens.start > 1:
                before = self.doc[tokens.start - 2]
            if before is not None and before.lower_.rstrip(".") in HONORIFIC_GENDER:
                self.learn_gender(key, HONORIFIC_GENDER[before.lower_.rstrip(".")])

    def learn_gender(self, key: str, gender: str) -> None:
        ent = self.entities[key]
        ent.gender = gender if ent.gender in (None, gender) else "?"

    def of_token(self, tok: Token) -> str | None:
        return self.token_entity.get(tok.i)

    def _named_alone_first(self, word: str, full: str) -> bool:
        """ "Trudeau" used alone before "Pierre Trudeau" is named: the article's Trudeau is someone
        else (a relative introduced later), so the bare name is not the full one."""
        first_full = min(s for s, _ in self.entities[full].spans)
        return any(t.text == word and t.i not in self.in_full_names for t in self.doc[:first_full])

    def _expansion(self, acronym: str) -> str | None:
        """The one organisation an acronym abbreviates ("CDC": "Centers for Disease Control and
        Prevention"): the initials of its capitalised words, or of all but the last."""
        if not (acronym.isupper() and acronym.isalpha() and len(acronym) >= 2):
            return None
        found = set()
        for key, ent in self.entities.items():
            initials = "".join(w[0] for w in key.split() if w[:1].isupper())
            if ent.kind == "ORG" and key != acronym and acronym in (initials, initials[:-1] if len(initials) > 3 else ""):
                found.add(key)
        return found.pop() if len(found) == 1 else None

    def _reclassify(self) -> None:
        """NER sometimes calls a person an organisation. A person-shaped ORG name ("Ramiro Orozco":
        capitalised proper nouns only) is a person when the article describes it as "a/an ..."
        or later uses its last word alone, as it does with surnames."""
        doc = self.doc
        for key, ent in list(self.entities.items()):
            if ent.kind != "ORG" or not 2 <= len(key.split()) <= 4 or not ent.spans:
                continue
            tokens = doc[ent.spans[0][0]: ent.spans[0][1]]
            if not _plausible_person(tokens):
                continue
            role, _ = _role_of(tokens)
            inside = {i for s, e in ent.spans for i in range(s, e)}
            last = key.split()[-1]
            alone = any(t.text == last and t.i not in inside and t.ent_iob_ != "I"
                        and not (t.i + 1 < len(doc) and doc[t.i + 1].ent_iob_ == "I") for t in doc)
            if re.match(r"(?:a|an)\s", role) or alone:
                ent.kind = "PERSON"
                ent.role, ent.expert = role, bool(role)

    def persons_between(self, start: int, end: int, quoted: list[bool]) -> list[str]:
        """Distinct persons mentioned outside quotes in token range [start, end), nearest last."""
        seen: list[str] = []
        for i in range(start, end):
            if quoted[i]:
                continue
            key = self.token_entity.get(i)
            if key and self.entities[key].kind == "PERSON":
                if key in seen:
                    seen.remove(key)
                seen.append(key)
        return seen


# -- quotes -------------------------------------------------------------------------------

def quote_spans(text: str) -> list[tuple[int, int]]:
    """Character spans of the quotations (straight or curly marks). Each mark is read as opening
    or closing from its neighbours; a mark that does not fit (an opening inside a quotation, a
    closing outside one) drops the quotation under way, so one stray mark costs one quotation,
    not the article's."""
    spans: list[tuple[int, int]] = []
    start: int | None = None
    for m in re.finditer(r"[\"“”]", text):
        i = m.start()
        before, after = text[i - 1: i] if i else " ", text[i + 1: i + 2] or " "
        opening = (before.isspace() or before in "([{—-:") and not after.isspace()
        closing = not before.isspace() and (after.isspace() or not after.isalnum())
        if m.group() == "“":
            opening, closing = True, False
        elif m.group() == "”":
            opening, closing = False, True
        if opening == closing:  # a mark inside a word, or between spaces: trust nothing open
            start = None
        elif opening:
            if start is not None and re.search(r"[.!?]\s+$", text[start:i]):
                # A new paragraph of the same quotation reopens it without closing the last one.
                spans.append((start, i - len(text[:i]) + len(text[:i].rstrip())))
            start = i
        elif start is not None:
            spans.append((start, i + 1))
            start = None
    return spans


# -- attribution --------------------------------------------------------------------------

@dataclass
class _Event:
    verb: int  # token index
    depth: int  # steps from the sentence's main verb
    speaker: str | None  # entity key, or None when the subject is not resolved
    main: bool = True  # on the main clause chain: the sentence reports this statement
    according: bool = False  # "according to X": names the source of the whole sentence


def _subject(verb: Token) -> Token | None:
    """The speaker token of a speech verb: its nsubj, or its head's for subjectless clauses
    ("X told reporters, adding that ..."); "X was quoted as saying" counts too."""
    tok = verb
    for _ in range(4):
        subs = [c for c in tok.children if c.dep_ == "nsubj"]
        if len(subs) == 2 and subs[1].pos_ == "PROPN" and subs[0].pos_ == "NOUN" and all(
                t.is_punct for t in tok.doc[subs[0].right_edge.i + 1: subs[1].left_edge.i]):
            return subs[1]  # "His spokesperson, Andre Shishkanov says": the parser's two subjects
        if subs:
            return subs[0]
        passive = [c for c in tok.children if c.dep_ == "nsubjpass"]
        if passive and tok is not verb and tok.lemma_ in ("quote", "cite"):
            return passive[0]
        if tok.dep_ not in SHARES_SUBJECT and not (tok.dep_ == "pcomp" and tok.head.dep_ == "prep"):
            return None
        tok = tok.head if tok.dep_ != "pcomp" else tok.head.head
    return None


def _is_speech_verb(tok: Token) -> bool:
    """A verb of saying used actively ("said", "has said", "pointed out"), not "is said to"."""
    if tok.pos_ != "VERB" or tok.lemma_ not in SPEECH_LEMMAS:
        return False
    if any(c.dep_ in ("auxpass", "nsubjpass", "neg") for c in tok.children) or tok.dep_ in ("amod", "acl"):
        return False
    if tok.lemma_ == "point":
        return any(c.dep_ == "prt" and c.lower_ == "out" for c in tok.children)
    if tok.lemma_ == "add" and any(c.dep_ == "prep" and c.lower_ == "to" for c in tok.children):
        return False  # "adding to tensions"
    if tok.lemma_ in ("write", "declare") and any(c.dep_ == "dobj" and c.pos_ == "NOUN" for c in tok.children):
        return False  # "has written a book", "declare a partnership": acts, not statements
    # "What did the judge say?" asks, it does not report.
    return not (any(c.dep_ == "aux" and c.lemma_ == "do" for c in tok.children)
                and tok.sent.text.rstrip().endswith("?"))


def _depth(tok: Token, start: int, end: int) -> tuple[int, bool]:
    """Steps from tok up to the top of its clause within the sentence, and whether every step
    is one by which the top clause still reports this verb's statement."""
    depth, main = 0, True
    while tok.head.i != tok.i and start <= tok.head.i < end:
        # "..., saying that", "stepped up to explain:": clauses that carry the statement
        participle = tok.dep_ == "advcl" and not any(c.dep_ == "mark" for c in tok.children) and (
            tok.tag_ == "VBG" or any(c.dep_ == "aux" and c.lower_ == "to" for c in tok.children))
        quoted_as = tok.dep_ == "pcomp" and tok.head.lower_ == "as" and tok.head.head.lemma_ in ("quote", "cite")
        if tok.dep_ not in MAIN_CHAIN and not participle and not quoted_as and not (
                tok.lower_ == "as" and tok.head.lemma_ in ("quote", "cite")):  # "X was quoted as saying"
            main = False
        # "That document shows [Trump declared losses]": a clause complement reports speech only
        # under a verb of speech.
        if tok.dep_ in ("ccomp", "xcomp") and tok.head.lemma_ not in SPEECH_LEMMAS:
            main = False
        tok = tok.head
        depth += 1
    return depth, main


def repair(text: str) -> str:
    """Undo common mis-decodings, keeping every offset: '"?' for a dash (" -- ") or for a closing
    quote and a space, '"' for an apostrophe inside a word."""
    text = re.sub(r'(?<=\s)"\?(?=\w)', "--", text)
    text = re.sub(r'(?<=\S)"\?(?=\w)', '" ', text)
    text = re.sub(r"(?<=[,.;:!?])-(?=[A-Za-z])", " ", text)  # ",-Name": a mis-decoded space
    return re.sub(r'(?<=[^\W\d_])"(?=(?:t|s|ve|re|ll|d|m)\b)', "'", text)


class _Attributor:
    def __init__(self, text: str):
        from assistant.nlp import pipeline

        self.text = text = repair(text)
        self.doc = pipeline()(text[:MAX_CHARS])
        self.people = _People(self.doc)
        # The product's sentences (what answers cite), each cut further where spaCy sees a sentence
        # end inside it ("...measure.- But ..."): units are attributed, sentences aggregate them.
        self.sentences = sentence_spans(text)
        starts = sorted(sent.start_char for sent in self.doc.sents)
        self.spans, self.parent = [], []
        import bisect

        for n, (s, e) in enumerate(self.sentences):
            cuts = starts[bisect.bisect_right(starts, s): bisect.bisect_left(starts, e)]
            for a, b in zip([s, *cuts], [*cuts, e], strict=True):
                if text[a:b].strip():
                    self.spans.append((a, b))
                    self.parent.append(n)
        self.quotes = quote_spans(text)
        self.quoted = self._quoted_mask()
        self.tok_ranges = self._token_ranges()
        self.speakers: list[str | None] = [None] * len(self.spans)
        self.reported: list[frozenset[str]] = [frozenset()] * len(self.spans)

    def _quoted_mask(self) -> list[bool]:
        mask = [False] * len(self.doc)
        spans = self.quotes or []
        j = 0
        for t in self.doc:
            while j < len(spans) and spans[j][1] <= t.idx:
                j += 1
            mask[t.i] = j < len(spans) and spans[j][0] < t.idx < spans[j][1] - 1
        return mask

    def _token_ranges(self) -> list[tuple[int, int]]:
        out = []
        starts = [t.idx for t in self.doc]
        import bisect

        for s, e in self.spans:
            a = bisect.bisect_left(starts, s)
            b = bisect.bisect_left(starts, e)
            out.append((a, b))
        return out

    # the pieces ----------------------------------------------------------------------
    def events(self, k: int) -> list[_Event]:
        a, b = self.tok_ranges[k]
        out = []
        for tok in self.doc[a:b]:
            if self.quoted[tok.i]:
                continue
            who: Token | None = None
            interrupts = tok.dep_ == "parataxis" and tok.pos_ == "VERB" and self.quoted[tok.head.i]
            if _is_speech_verb(tok) or interrupts:
                own = any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children)
                who = (None if own else self._set_off_subject(tok, k)) or _subject(tok)
                if who is None:
                    continue
            elif tok.lower_ == "according" and tok.dep_ == "prep":
                to = [c for c in tok.children if c.lower_ == "to"]
                objs = [c for c in to[0].children if c.dep_ == "pobj"] if to else []
                if not objs:
                    continue
                who = objs[0]
            else:
                continue
            if self.quoted[who.i]:
                continue
            depth, main = _depth(tok, a, b)
            if tok.lower_ == "according":
                depth, main = _depth(tok.head, a, b)
                main = main and tok.head.pos_ in ("VERB", "AUX")
            according = tok.lower_ == "according"
            out.append(_Event(tok.i, depth, self.resolve(who, k, according), main, according))
        return out

    def _set_off_subject(self, verb: Token, k: int) -> Token | None:
        """A speech verb the parser left without a subject after a name and its description set
        off by commas: "..., Sergei Rudskoi, Head of the ... Department, said"; "Lawmaker Dennis
        Baxley, who co-authored the bill, told ABC News". The name is the subject when the words
        between are a relative clause ("who ...") or the name's appositive, and the name starts
        the unit (after its title) or follows a comma."""
        a, _ = self.tok_ranges[k]
        v = verb.i
        if v < a + 3 or self.doc[v - 1].text != "," or self.quoted[v]:
            return None
        for j in range(v - 2, a, -1):  # the comma that closes the name, nearest first
            if self.doc[j].text != ",":
                continue
            key = self.people.of_token(self.doc[j - 1])
            if not key or self.people.entities[key].kind != "PERSON" or self.quoted[j - 1]:
                continue
            s = j - 1
            while s > a and self.people.token_entity.get(s - 1) == key:
                s -= 1
            segment = self.doc[j + 1: v - 1]
            if not len(segment) or len(segment) > 25 or any(
                    self.quoted[t.i] or t.text in "\"“”" or self.people.entities.get(self.people.of_token(t) or "",
                                                                             _Entity("", "")).kind == "PERSON"
                    for t in segment):
                return None
            described = segment[0].tag_ == "WP" or any(
                t.dep_ == "appos" and s <= t.head.i < j for t in segment)
            title = all(not t.is_punct and s <= t.head.i < j or t.head.i in range(a, s) for t in self.doc[a:s])
            starts = s == a or title or self.doc[s - 1].text == ","
            return self.doc[j - 1] if described and starts else None
        return None

    def resolve(self, who: Token, k: int, source: bool = False) -> str | None:
        """The entity a speech verb's subject refers to, or None when not certain."""
        # "Russian Presidential Spokesman, Dmitry Peskov, said": the person in apposition.
        named = {n for c in who.children if c.dep_ == "appos" and (n := self.people.of_token(c)) is not None}
        if who.pos_ != "NOUN":  # "the doctors' union, KMPDU," names an organisation too
            named = {n for n in named if self.people.entities[n].kind == "PERSON"}
        if len(named) == 1:
            return named.pop()
        key = self.people.of_token(who)
        if key and any(c.dep_ == "appos" and c.pos_ == "PROPN" and not c.ent_type_
                       and _plausible_person(self.doc[c.left_edge.i: c.right_edge.i + 1]) for c in who.children):
            return None  # "UN Humanitarian Coordinator for Iraq, Lise Grande, said": a person NER missed
        if key:
            return key
        if who.i in self.people.token_entity:
            return None  # an ambiguous surname
        # A name inside the subject phrase ("Kremlin spokesman Dmitry Peskov", "Peskov himself").
        inside = {n for t in who.children
                  if t.dep_ in ("compound", "appos") and (n := self.people.of_token(t)) is not None}
        inside = {k for k in inside if self.people.entities[k].kind == "PERSON"} if who.pos_ == "NOUN" else set()
        if any(c.dep_ == "cc" for c in who.children):
            return None  # "X and Y said": more than one speaker
        if len(inside) == 1:
            return inside.pop()
        if who.pos_ == "PRON" and who.lower_ in PRONOUN_GENDER:
            return self.resolve_pronoun(who, k)
        if who.lower_ == "it" and k > 0:  # "It said": the organisation that spoke just before
            prev = self.speakers[k - 1]
            return prev if prev and self.people.entities[prev].kind == "ORG" else None
        if source:  # "according to a report by the CDC", "according to the CDC report"
            by = [g for c in who.children if c.dep_ == "prep" and c.lower_ in ("by", "from", "of")
                  for g in c.children if g.dep_ == "pobj"]
            owners = {self.people.of_token(t) for t in [*by, *(c for c in who.children if c.dep_ in ("compound", "poss"))]}
            owners.discard(None)
            if len(owners) == 1 and who.pos_ == "NOUN":
                return owners.pop()
        if who.pos_ == "NOUN" and who.tag_ == "NN" and (body := self.speaking_for(who)):
            return body
        if who.pos_ == "NOUN" and who.tag_ == "NN" and _definite(who):
            return self.resolve_nominal(who, k) or self.only_described(who, k)
        return self.named_body(who)

    def named_body(self, who: Token) -> str | None:
        """A body named by its nationality or organisation: "Malaysian police", "Russian state
        media" (not "a Malaysian official": a determiner other than "the" is someone unnamed)."""
        if who.pos_ != "NOUN" or who.ent_type_ or any(
                c.dep_ in ("det", "nummod") and c.lower_ != "the" for c in who.children):
            return None
        if who.tag_ == "NNS" and who.lemma_ != who.lower_:
            return None  # "US lawmakers": several people, not one body
        mods = [c for c in who.children if c.dep_ in ("amod", "compound", "poss") and c.i < who.i]
        if not mods or not any(m.ent_type_ in ("NORP", "GPE", "ORG") for m in mods):
            return None
        first = min(m.left_edge.i for m in mods)
        words = self.doc[first: who.i + 1]
        if any(t.is_punct or t.pos_ in ("NUM", "DET", "PRON") for t in words):
            return None
        key = words.text
        ent = self.people.entities.setdefault(key, _Entity(key, "ORG"))
        ent.mentions.append(who.i)
        return key

    def resolve_pronoun(self, who: Token, k: int) -> str | None:
        gender = PRONOUN_GENDER[who.lower_]
        ents = self.people.entities

        def compatible(key: str) -> bool:
            return ents[key].kind == "PERSON" and ents[key].gender in (None, gender)

        prev = self.speakers[k - 1] if k > 0 else None
        # The last three sentences with words outside quotes (a long quote does not count).
        j, seen = k, 0
        while j > 0 and seen < 3 and k - j < 8:
            j -= 1
            s0, s1 = self.tok_ranges[j]
            seen += any(not self.quoted[i] and self.doc[i].is_alpha for i in range(s0, s1))
        recent = self.people.persons_between(self.tok_ranges[j][0], who.i, self.quoted)
        # Only people who could be the antecedent: the previous sentence's speaker, or the one
        # recent person of this gender.
        matches = [p for p in recent if compatible(p)]
        sure = [p for p in matches if ents[p].gender == gender]
        last, last_at = self._last_speaker(k)
        earlier, _ = self._last_speaker(k, back=20)
        if prev and compatible(prev) and (ents[prev].gender == gender or not sure):
            choice = prev
        elif len(matches) == 1 and (matches[0] in self.speakers[j:k]
                                    or self._was_subject(matches[0], self.tok_ranges[j][0], who.i)) \
                and (earlier is None or earlier == matches[0] or not compatible(earlier)):
            choice = matches[0]  # (a photo caption's "The president attends" does not outrank the speaker)
        elif len(sure) == 1 and all(ents[p].gender not in (None, "?") for p in matches):
            choice = sure[0]
        elif last and compatible(last) and not [
                p for p in self.people.persons_between(self.tok_ranges[last_at][1], who.i, self.quoted)
                if p != last and compatible(p)]:
            choice = last  # the speaker goes on: no one else of this gender named since
        else:
            return None
        if len(matches) == 1 and matches == [choice]:
            self.people.learn_gender(choice, gender)
        return choice

    def _last_speaker(self, k: int, back: int = 8) -> tuple[str | None, int]:
        """The person who last spoke within ``back`` units before unit k, and that unit."""
        for i in range(k - 1, max(-1, k - 1 - back), -1):
            who = self.speakers[i]
            if who and self.people.entities[who].kind == "PERSON":
                return who, i
        return None, -1

    def speaking_for(self, who: Token) -> str | None:
        """ "A spokesman for the Kremlin", "an official at the ministry": the organisation speaks."""
        orgs = {o for c in who.children if c.dep_ == "prep" and c.lower_ in ("for", "with", "at")
                for g in c.children if g.dep_ == "pobj" and (o := self.people.of_token(g)) is not None}
        # One works "at"/"with" an organisation even when NER called its name a person
        # ("a spokesman with Kaspersky Lab"); "a spokesman for X" may speak for a person.
        orgs = {o for o in orgs if self.people.entities[o].kind == "ORG" or any(
            c.dep_ == "prep" and c.lower_ in ("with", "at") and any(self.people.of_token(g) == o for g in c.children)
            for c in who.children)}
        return orgs.pop() if len(orgs) == 1 else None

    def _was_subject(self, key: str, start: int, end: int) -> bool:
        """Whether the person was a clause's subject between two tokens: "he" continues the
        subject, not someone the sentence merely mentioned ("He has not attacked Watson")."""
        for i in range(start, end):
            if self.people.token_entity.get(i) == key and not self.quoted[i]:
                tok = self.doc[i]
                while tok.dep_ in ("compound", "flat", "appos") and tok.head.i != tok.i:
                    tok = tok.head
                main_clause = tok.head.dep_ in ("ROOT", "conj") or tok.head.head.i == tok.head.i
                if tok.dep_ in ("nsubj", "nsubjpass") and main_clause or (
                        tok.dep_ == "pobj" and tok.head.head.lower_ == "according"):
                    return True
        return False

    def only_described(self, who: Token, k: int) -> str | None:
        """ '"...," says the expert' when no role names that noun: the one person the article has
        so far introduced with a description ("X, a professor at Y,"), if that person
        also spoke in the last three sentences and this one attributes a direct quote."""
        if any(who.lower_ in ent.role.lower().split() for ent in self.people.entities.values()):
            return None
        a, b = self.tok_ranges[k]
        if not any(self.quoted[i] for i in range(a, b)):
            return None
        described = {key for key, ent in self.people.entities.items()
                     if ent.kind == "PERSON" and re.match(r"(?:a|an)\s", ent.role)
                     and min(ent.mentions, default=who.i) < who.i}
        if len(described) != 1:
            return None
        key = described.pop()
        return key if self._last_speaker(k, back=12)[0] == key else None

    def resolve_nominal(self, who: Token, k: int) -> str | None:
        """ "the spokesman", "the minister", "the ministry": the nearest earlier person whose role
        has that noun, or the one earlier organisation whose name ends with it; among several,
        the one who spoke in the unit just before. With no role of that noun, a direct quote
        '"...," the diplomat said' continues the previous unit's speaker when no one else was
        named since (a noun in an organisation's name is not a person's description)."""
        noun = who.lower_
        ents = self.people.entities
        prev = self.speakers[k - 1] if k > 0 else None
        if prev and ents[prev].kind != "PERSON":
            prev = None
        people_roles = []
        for key, ent in ents.items():
            words = [w.lower() for w in re.findall(r"[\w-]+", ent.role if ent.kind == "PERSON" else key)]
            if noun in words:
                before = [m for m in ent.mentions if m < who.i]
                if before:
                    people_roles.append((max(before), key))
        if any(ents[k].kind == "PERSON" for _, k in people_roles):  # "the spokesman" is a person
            people_roles = [(i, k) for i, k in people_roles if ents[k].kind == "PERSON"]
        if not people_roles:
            return self._continues(who, k, prev)
        keys = {key for _, key in people_roles}
        if len(keys) == 1:
            return keys.pop()
        if prev in keys and not self._named_since(prev, who, k):
            return prev
        modifiers = [c.lower_ for c in who.children if c.dep_ in ("compound", "amod", "poss")]
        nearest = max(people_roles)[1]
        role = ents[nearest].role.lower() if ents[nearest].kind == "PERSON" else nearest.lower()
        if modifiers and all(m in role for m in modifiers):
            return nearest
        return None

    def _named_since(self, key: str, who: Token, k: int) -> bool:
        """Whether a person other than ``key`` was named (outside quotes) after key's last mention
        in the previous unit and before ``who``."""
        last = [m for m in self.people.entities[key].mentions if self.tok_ranges[k - 1][0] <= m < who.i]
        if not last:
            return True
        return any(p != key for p in self.people.persons_between(max(last) + 1, who.i, self.quoted))

    def _continues(self, who: Token, k: int, prev: str | None) -> str | None:
        """ '"...," the congressman said' right after that person spoke: the previous speaker."""
        if prev is None or who.lower_ in {w.lower() for key, ent in self.people.entities.items()
                                          if ent.kind == "ORG" for w in key.split()}:
            return None
        a, _ = self.tok_ranges[k]
        # The quote comes first and is what the verb reports: '"...," the diplomat said'.
        if not any(self.quoted[i] and self.doc[i].head.i == who.head.i for i in range(a, who.i)) \
                or self._named_since(prev, who, k):
            return None
        return prev

    # the whole article ------------------------------------------------------------------
    def run(self) -> list[str | None]:
        for k in range(len(self.spans)):
            if self.tok_ranges[k][0] >= len(self.doc) or self.spans[k][0] >= MAX_CHARS:
                break
            every = self.events(k)
            self.reported[k] = frozenset(e.speaker for e in every if e.speaker)
            evs = [e for e in every if e.main]
            verbs = [e for e in evs if not e.according]
            sources = [e for e in evs if e.according and e.speaker]
            if verbs:  # '"...," Lewis said, according to the newspaper': Lewis
                top = min(e.depth for e in verbs)
                evs = [e for e in verbs if e.depth == top]
                if sources and any(e.speaker is None for e in evs):
                    evs = sources  # "the ministry will urge ..., according to Minister Wu": the source
            if not evs:
                continue
            top = min(e.depth for e in evs)
            who = {e.speaker for e in evs if e.depth == top}
            if len(who) == 1 and None not in who:
                self.speakers[k] = who.pop()
        self._spread_quotes()
        return self.speakers

    def by_sentence(self) -> tuple[list[str | None], list[frozenset[str]]]:
        """Each sentence's speaker: the one its units agree on (units of fewer than three words,
        like "Sen.", do not vote); None when a unit has none or another."""
        votes: list[set[str | None]] = [set() for _ in self.sentences]
        reported: list[frozenset[str]] = [frozenset() for _ in self.sentences]
        for k, n in enumerate(self.parent):
            a, b = self.spans[k]
            t0, t1 = self.tok_ranges[k]
            has_verb = any(t.pos_ in ("VERB", "AUX") for t in self.doc[t0:t1])
            if (len(re.findall(r"[^\W\d_]+", self.text[a:b])) >= 3 and has_verb) or self.speakers[k]:
                votes[n].add(self.speakers[k])
            reported[n] = reported[n] | self.reported[k]
        speakers = [next(iter(v)) if len(v) == 1 else None for v in votes]
        return speakers, reported

    def _spread_quotes(self) -> None:
        """Sentences wholly inside a quote take the speaker attributed where the quote opens or
        closes (or in the lower-case sentence right after it: '...!" he said.'); a quote with no
        attribution of its own right after an attributed direct quote continues it."""
        for qs, qe in self.quotes or []:
            touched = [k for k, (s, e) in enumerate(self.spans) if s < qe and e > qs]
            inside = [k for k in touched if self._inside(k, qs, qe)]
            if not inside:
                continue
            said = {self.speakers[k] for k in touched if k not in inside}
            after = touched[-1] + 1
            if after < len(self.spans) and re.match(r"\s*[a-z]", self.text[self.spans[after][0]:]):
                said.add(self.speakers[after])
            if not said and touched[0] > 0:  # 'X said ... . "Quote."': X goes on
                said = {self.speakers[touched[0] - 1] or self._introduced_quote(touched[0] - 1)}
            if len(said) != 1:
                continue
            who = said.pop()
            for k in inside:
                if self.speakers[k] is None:
                    self.speakers[k] = who

    def _introduced_quote(self, k: int) -> str | None:
        """The one person whose words end unit k as a quote introduced by 'X said: "...' or
        'X said, "...', even when the unit as a whole is not theirs ('The inquiry found: X said:
        "..."'): the next paragraph's quote continues it."""
        if len(self.reported[k]) != 1:
            return None
        s, e = self.spans[k]
        for qs, qe in self.quotes or []:
            if s <= qs and qe >= len(self.text[:e].rstrip()) and self.text[s:qs].rstrip()[-1:] in (":", ","):
                who = next(iter(self.reported[k]))
                return who if self.people.entities[who].kind == "PERSON" else None
        return None

    def _inside(self, k: int, qs: int, qe: int) -> bool:
        s, e = self.spans[k]
        body = self.text[s:e]
        outside = self.text[s:max(s, qs)] + self.text[min(e, qe):e]
        return bool(body.strip()) and not re.search(r"\w", outside)


def _to_people(entities: Iterable[_Entity]) -> dict[str, Person]:
    return {e.key: Person(e.key, e.role, e.expert) for e in entities}


@lru_cache(maxsize=256)
def attribute(text: str) -> Attribution:
    """Speaker (or None) of every sentence of an article; parsed once per text (LRU cache)."""
    att = _Attributor(text)
    att.run()
    speakers, reported = att.by_sentence()
    return Attribution(tuple(att.sentences), tuple(speakers), _to_people(att.people.entities.values()),
                       tuple(reported), tuple(att.spans), tuple(att.speakers))

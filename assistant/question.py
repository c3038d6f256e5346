"""Read what a question says about *where* and *when*: outlets and dates become filters.

News passages rarely repeat their outlet or month: those live in the article's metadata.
So "How did CNN report …" or "… in February 2017" is read here, applied as a filter,
and removed from the words the evidence must contain.

Outlets are matched to the index's own outlets by general rules, no list of outlets:
the stored name ("CNN"), the host's main label (``cnn.com`` -> "cnn", ``bbc.co.uk`` ->
"bbc", ``abcnews.go.com`` -> "abcnews"), a multi-word name written together ("Al Jazeera"
-> "aljazeera"), initials ("Deutsche Welle" -> "dw") or a clipped form ("HuffPost" ->
"huffingtonpost").
"""

from __future__ import annotations

import calendar
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date, timedelta

from assistant.types import Filters

_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_MONTH = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_DAY = r"(?:[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?:19|20)\d\d"
# The preposition is part of the phrase, so removing it leaves a clean question.
# Only prepositions that place an event in a period; "by 2020" or "for 2020" name a target, not when
# the articles were published.
_PREP = r"(?:\b(?P<prep>in|on|during|throughout|at the (?:start|end) of)\s+)?"
_DATE_PATTERNS = [
    ("iso", re.compile(rf"{_PREP}\b(?P<y>{_YEAR})-(?P<m>[01]?\d)(?:-(?P<d>[0-3]?\d))?\b", re.I)),
    ("dmy", re.compile(rf"{_PREP}(?:the\s+)?\b(?P<d>{_DAY})\s+(?:of\s+)?(?P<mon>{_MONTH})(?:,?\s+(?P<y>{_YEAR}))?\b", re.I)),
    ("mdy", re.compile(rf"{_PREP}\b(?P<mon>{_MONTH})\s+(?P<d>{_DAY})(?:,?\s+(?P<y>{_YEAR}))?\b(?!\s*(?:%|per))", re.I)),
    ("my", re.compile(rf"{_PREP}(?:(?P<rel>last|this|past|early|late|mid|mid-)\s*)?\b(?P<mon>{_MONTH})(?:,?\s+(?P<y>{_YEAR}))?\b", re.I)),
    ("y", re.compile(rf"{_PREP}\b(?P<y>{_YEAR})\b(?!\s*(?:%|per|people|[a-z]+s\b))", re.I)),
]
# A month name that is also an ordinary word ("may", "march") counts only when written as a
# month: capitalised, or next to a day or year.
_AMBIGUOUS_MONTHS = {"may", "march", "jan", "mar", "jun", "oct", "dec", "sept", "sep", "aug", "apr"}

_REPORTING_BEFORE = re.compile(r"(?:according to|reported by|by|in|from|on|did|does|do|has|have|had|"
                               r"how|what|was|were|is|are)\s+(?:the\s+)?$", re.I)
_TOPIC_BEFORE = re.compile(r"(?:about|against|attack(?:s|ed)?|criticis(?:e|ed|es)|criticiz(?:e|ed|es)|"
                           r"ban(?:s|ned)?|sue(?:d|s)?|of|with|at|to)\s+(?:the\s+)?$", re.I)
_CAPITALISED_RUN = re.compile(r"(?:[A-Z][\w'’&.-]*|[A-Z]{2,}\w*)(?:\s+(?:[A-Z][\w'’&.-]*))*")


def fold(text: str) -> str:
    """Lowercase letters and digits only, accents removed: "RTÉ" -> "rte", "Al Jazeera" -> "aljazeera"."""
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if ch.isalnum() and not unicodedata.combining(ch))


def _host_label(value: str) -> str | None:
    """The main label of a host name: the last label before a short suffix ("co.uk", "go.com")."""
    if "." not in value or " " in value.strip():
        return None
    labels = [x for x in value.casefold().removeprefix("www.").split(".") if x]
    while len(labels) > 1 and len(labels[-1]) <= 3:
        labels.pop()
    return fold(labels[-1]) if labels else None


@dataclass(frozen=True)
class Outlet:
    """One outlet of the index: the value stored in ``source`` and the forms that name it."""

    source: str
    keys: frozenset[str]

    @classmethod
    def of(cls, source: str, urls: Iterable[str] = ()) -> Outlet:
        keys = {fold(source), fold(re.sub(r"^the\s+", "", source, flags=re.I))}
        for value in (source, *urls):
            host = re.sub(r"^[a-z]+://", "", value.casefold()).split("/")[0]
            label = _host_label(host)
            if label:
                keys.add(label)
        return cls(source, frozenset(k for k in keys if len(k) >= 2))

    def named_by(self, phrase: str) -> bool:
        words = [w for w in re.findall(r"[\w&]+", phrase) if w.lower() != "the"]
        if not words:
            return False
        whole = fold("".join(words))
        if whole in self.keys:
            return True
        if len(words) >= 2 and fold("".join(w[0] for w in words)) in self.keys:
            return True
        # A clipped form: "HuffPost" for "huffingtonpost" (same start and end, letters in order).
        return len(whole) >= 5 and any(
            k.startswith(whole[:4]) and k[-1] == whole[-1] and len(k) > len(whole) and _subsequence(whole, k)
            for k in self.keys)


def _subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


@dataclass(frozen=True)
class ParsedQuestion:
    """The question's own filters, and its text without the words that only set them."""

    question: str
    content: str  # the question without outlet and date phrases (for evidence checks)
    sources: tuple[str, ...] = ()
    since: str | None = None
    until: str | None = None
    phrases: tuple[str, ...] = ()  # what was read as a filter, as written

    def filters(self, base: Filters | None = None) -> Filters:
        """The user's filters, narrowed by the question's (the question's win where both set one)."""
        base = base or Filters()
        sources = base.sources
        if self.sources:
            sources = self.sources if not base.sources else tuple(
                s for s in self.sources if s.casefold() in {b.casefold() for b in base.sources}) or ("\x00none",)
        return replace(base, sources=sources, since=self.since or base.since, until=self.until or base.until)


def parse(question: str, outlets: Iterable[Outlet] = (), latest: date | None = None) -> ParsedQuestion:
    """Outlets and dates named in ``question``; ``latest`` (the corpus's last date) resolves years left out."""
    removed: list[tuple[int, int]] = []
    phrases: list[str] = []

    sources: list[str] = []
    outlets = list(outlets)
    if outlets:
        for m in _CAPITALISED_RUN.finditer(question):
            run = m.group()
            words = list(re.finditer(r"\S+", run))
            # Longest sub-run first: "ABC News" before "ABC".
            found = None
            for n in range(len(words), 0, -1):
                for i in range(len(words) - n + 1):
                    s, e = m.start() + words[i].start(), m.start() + words[i + n - 1].end()
                    phrase = re.sub(r"['’]s$", "", question[s:e]).rstrip(".,;:?!")
                    hit = [o for o in outlets if o.named_by(phrase)]
                    if hit:
                        found = (s, e, hit)
                        break
                if found:
                    break
            if not found:
                continue
            s, e, hit = found
            before = question[:s]
            if _TOPIC_BEFORE.search(before) and not _REPORTING_BEFORE.search(before):
                continue  # "What did Trump say about CNN?": the outlet is the topic
            for o in hit:
                if o.source not in sources:
                    sources.append(o.source)
            pre = re.search(r"(?:according to|reported by|as reported by|in|by|from)\s+(?:the\s+)?$", before, re.I)
            removed.append((pre.start() if pre else s, e))
            phrases.append(question[s:e])

    since = until = None
    for kind, rx in _DATE_PATTERNS:
        for m in rx.finditer(question):
            if any(s < m.end() and m.start() < e for s, e in removed):
                continue
            span = _resolve(kind, m, latest)
            if span is None:
                continue
            lo, hi = span
            if latest is not None and lo[:4].isdigit() and lo > latest.isoformat():
                continue  # a period after the newest article is a topic ("plans in 2020"), not a filter
            since = lo if since is None else min(since, lo)
            until = hi if until is None else max(until, hi)
            removed.append((m.start(), m.end()))
            phrases.append(m.group().strip())
    content = question
    for s, e in sorted(removed, reverse=True):
        content = content[:s] + " " + content[e:]
    content = re.sub(r"\s+([?.,!])", r"\1", " ".join(content.split()))
    return ParsedQuestion(question, content or question, tuple(sources), since, until, tuple(phrases))


def _resolve(kind: str, m: re.Match, latest: date | None) -> tuple[str, str] | None:
    """The period a date phrase names, as inclusive ISO bounds; None if it is not a date."""
    g = m.groupdict()
    if not g.get("prep") and not g.get("rel"):
        return None  # "the 2016 election", "the April 16 referendum" name a topic; "in 2016" a period
    mon_word = (g.get("mon") or "").rstrip(".")
    if mon_word:
        if mon_word.lower() in _AMBIGUOUS_MONTHS and not mon_word[0].isupper():
            return None
        # "May" or "March" alone may be a verb or a name: only with a preposition before it.
        if (mon_word.lower() in ("may", "march") and kind == "my" and not g.get("y") and not g.get("rel")
                and not re.match(r"\s*(?:in|during|since|from|of|by|throughout)\b", m.group(), re.I)):
            return None
    month = _MONTHS.get(mon_word.lower()) if mon_word else (int(g["m"]) if g.get("m") else None)
    year = int(g["y"]) if g.get("y") else None
    day = int(re.sub(r"\D", "", g["d"])) if g.get("d") else None
    if month is not None and not 1 <= month <= 12:
        return None
    if year is None:
        if month is None:
            return None
        ref = latest or date.today()
        year = ref.year if month <= ref.month else ref.year - 1
    try:
        if day is not None and month is not None:
            d = date(year, month, day)
            # Reports of a day's events appear that day or the next (time zones, late news).
            return (d - timedelta(days=1)).isoformat(), (d + timedelta(days=1)).isoformat()
    except ValueError:
        return None
    if month is not None:
        return f"{year:04d}-{month:02d}", f"{year:04d}-{month:02d}"
    return f"{year:04d}", f"{year:04d}"


def outlets_of(articles: Iterable) -> list[Outlet]:
    """The outlets of an index, from its articles' metadata (``meta.source``, ``meta.url``)."""
    urls: dict[str, set[str]] = {}
    for a in articles:
        meta = a.meta
        if meta.source:
            bucket = urls.setdefault(meta.source, set())
            if meta.url and len(bucket) < 3:
                bucket.add(meta.url)
    return [Outlet.of(source, sorted(u)) for source, u in urls.items()]

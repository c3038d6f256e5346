"""Recognise corpus-level questions by their grammar: timelines, main stories, outlet comparisons, perspectives.

Only the shape of the question counts (verbs, question frames, "and"-joined names),
never topic words: "What happened with <anything>?" is a timeline whatever <anything> is.
Ordinary factual questions ("What did Peskov say about sanctions?", "How many died?")
match none of these frames and go to the ordinary answerer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["timeline", "main_stories", "outlet_comparison", "perspectives"]

_ABOUT = r"(?:about|on|regarding|concerning|of|over|around|with|to|in)"
_REPORT_VERB = (r"(?:report(?:ed|s|ing)?|cover(?:ed|s|ing)?|describe[sd]?|portray(?:ed|s)?|frame[sd]?|"
                r"present(?:ed|s)?|write about|wrote about|treat(?:ed|s)?|handle[sd]?|depict(?:ed|s)?|"
                r"characteri[sz]e[sd]?|see|saw|view(?:ed)?|talk(?:ed)? about|explain(?:ed)?)")
_NEWS_NOUN = r"(?:stories|story|news|headlines|events|topics|issues|developments)"
_RANK_ADJ = (r"(?:main|top|biggest|big|major|key|most important|most covered|leading|largest|dominant|"
             r"principal|important)")
_PERIOD_TAIL = r"(?P<period>.*)"  # whatever follows names the period ("in January 2017", "last week")

# Timelines and topic summaries.
_TIMELINE = [
    re.compile(rf"^(?:so\s+)?what(?:'s| has| had|\s+is)?\s+(?:been\s+)?happen(?:ed|ing)\s+{_ABOUT}\s+(?P<topic>.+)", re.I),
    re.compile(r"^summari[sz]e\s+(?:for me\s+)?(?:what\s+(?:the\s+)?(?:articles?|sources?|reports?|coverage|news|press|"
               r"media|outlets?|papers?|index|corpus)\s+(?:say|said|says|report(?:ed)?|tell us|write)\s+"
               rf"{_ABOUT}\s+|(?:the\s+)?(?:coverage|news|reporting|articles?|story|stories)\s+{_ABOUT}\s+)?"
               r"(?P<topic>.+)", re.I),
    re.compile(r"^(?:what|how)\s+(?:do|did|does)\s+(?:the\s+)?(?:articles?|sources?|reports?|coverage|news|press|"
               rf"media|outlets?|papers?)\s+(?:say|said|report|tell us|write)\s+{_ABOUT}\s+(?P<topic>.+)", re.I),
    re.compile(r"^(?:please\s+)?(?:give|show|make|build|draw|create|get)\s+(?:me\s+|us\s+)?(?:a|the)\s+"
               rf"(?:short\s+|brief\s+|detailed\s+)?(?:timeline|chronology|history|summary|overview)\s+{_ABOUT}\s+"
               r"(?P<topic>.+)", re.I),
    re.compile(rf"^(?:a\s+|the\s+)?(?:timeline|chronology|summary|overview)\s+{_ABOUT}\s+(?P<topic>.+)", re.I),
    re.compile(r"^how\s+did\s+(?P<topic>.+?)\s+(?:unfold|develop|evolve|play out|progress)\b", re.I),
    re.compile(r"^(?:catch|fill|bring)\s+me\s+(?:up\s+)?(?:in\s+)?(?:on|about)\s+(?P<topic>.+)", re.I),
]

# Main stories of a period.
_MAIN_STORIES = [
    re.compile(rf"^(?:what|which)\s+(?:were|are|was|is)\s+(?:the\s+)?{_RANK_ADJ}\s+(?:news\s+)?{_NEWS_NOUN}\b"
               rf"\s*{_PERIOD_TAIL}$", re.I),
    re.compile(rf"^(?:list|give|show|tell)\s+(?:me\s+|us\s+)?(?:the\s+)?{_RANK_ADJ}\s+(?:news\s+)?{_NEWS_NOUN}\b"
               rf"\s*{_PERIOD_TAIL}$", re.I),
    re.compile(rf"^(?:what|which)\s+{_NEWS_NOUN}\s+(?:dominated|led|made)\s+(?:the\s+)?(?:news|headlines)?\s*"
               rf"{_PERIOD_TAIL}$", re.I),
    re.compile(rf"^what\s+(?:was|were)\s+(?:in\s+the\s+news|making\s+(?:the\s+)?(?:news|headlines))\s*"
               rf"{_PERIOD_TAIL}$", re.I),
    re.compile(rf"^(?:a\s+)?(?:summary|overview|round-?up)\s+of\s+(?:the\s+)?(?:news|stories|headlines)\s*"
               rf"{_PERIOD_TAIL}$", re.I),
]

# Outlet comparisons: two or more names joined by "and"/"vs" before a reporting verb.
_NAMES = r"(?P<names>.+?)"
_COMPARE = [
    re.compile(rf"^how\s+(?:did|do|does|have|has|were)\s+{_NAMES}\s+{_REPORT_VERB}\s+(?P<topic>.+)", re.I),
    re.compile(rf"^compare\s+(?:how|the way)\s+{_NAMES}\s+{_REPORT_VERB}\s+(?P<topic>.+)", re.I),
    re.compile(r"^compare\s+(?:the\s+)?(?:coverage|reporting|reports|stories|articles)\s+(?:of|on|about)\s+"
               r"(?P<topic>.+?)\s+(?:by|in|from|between|across)\s+(?P<names>.+)", re.I),
    re.compile(r"^compare\s+(?P<names>.+?)(?:'s|’s)?\s+(?:coverage|reporting|reports|stories|articles)\s+"
               r"(?:of|on|about)\s+(?P<topic>.+)", re.I),
    re.compile(r"^(?:what\s+is|what's)\s+the\s+difference\s+between\s+(?P<names>.+?)(?:'s|’s)?\s+"
               r"(?:coverage|reporting|reports)\s+(?:of|on|about)\s+(?P<topic>.+)", re.I),
]
_WH = re.compile(r"(?:what|who|whom|whose|why|how|which|when|where|whether|if)\b", re.I)
_NAME_SPLIT = re.compile(r"\s*(?:,\s*(?:and\s+)?|\s+and\s+|\s+vs\.?\s+|\s+versus\s+|\s*&\s*)\s*", re.I)

# Perspectives: who said what, the views on a topic.
_PERSPECTIVES = [
    re.compile(rf"^who\s+(?:has\s+|had\s+)?(?:said|says|say)\s+what\s+{_ABOUT}\s+(?P<topic>.+)", re.I),
    re.compile(r"^what\s+(?:are|were|is|was)\s+(?:the\s+)?(?:different|various|main|competing|conflicting|"
               r"opposing|diverse|contrasting|range of|key)?\s*(?:views|perspectives|opinions|positions|"
               rf"reactions|stances|viewpoints|takes|sides|responses)\s+{_ABOUT}\s+(?P<topic>.+)", re.I),
    re.compile(r"^what\s+(?:did|do|does)\s+(?:different|various|the various|the different|both|all)\s+"
               r"(?:people|sides|parties|actors|players|officials|leaders|voices|camps)\s+(?:say|think|said)\s+"
               rf"{_ABOUT}\s+(?P<topic>.+)", re.I),
    re.compile(r"^(?:how\s+did\s+)?(?:people|the world|leaders|officials|politicians)\s+react(?:ed)?\s+to\s+"
               r"(?P<topic>.+)", re.I),
    re.compile(r"^(?:give|show|list)\s+(?:me\s+)?(?:the\s+)?(?:different\s+|various\s+|main\s+)?"
               rf"(?:views|perspectives|opinions|positions|reactions|viewpoints)\s+{_ABOUT}\s+(?P<topic>.+)", re.I),
]


@dataclass(frozen=True)
class OverviewRequest:
    """A corpus-level question: what kind of overview, on what topic (or period), for which outlets."""

    kind: Kind
    topic: str
    # outlet_comparison: one tuple of outlet names per side, as written ("CNN",), ("Al Jazeera",); the
    # question parser may replace them with the index's own outlet names.
    sources: list[tuple[str, ...]] = field(default_factory=list)
    period: str = ""  # main_stories: the period as written ("in January 2017"), when any


def _clean(text: str) -> str:
    return text.strip().rstrip("?.!,;:").strip()


def _names(text: str) -> list[tuple[str, ...]]:
    parts = [re.sub(r"^(?:the|both)\s+", "", p.strip(" ,.'’"), flags=re.I) for p in _NAME_SPLIT.split(text)]
    return [(p,) for p in parts if p]


def _looks_like_names(sides: list[tuple[str, ...]]) -> bool:
    """Outlet names are short and capitalised ("CNN", "Al Jazeera", "the BBC")."""
    return len(sides) >= 2 and all(len(s[0].split()) <= 4 and s[0][:1].isupper() for s in sides)


def detect(question: str) -> OverviewRequest | None:
    """The overview a question asks for, or None for an ordinary question."""
    q = " ".join((question or "").split())[:500].strip().rstrip("?.!").strip()
    if not q:
        return None
    for rx in _COMPARE:
        m = rx.match(q)
        if m:
            sides = _names(m.group("names"))
            if _looks_like_names(sides):
                return OverviewRequest("outlet_comparison", _clean(m.group("topic")), sides)
    for rx in _MAIN_STORIES:
        m = rx.match(q)
        if m:
            period = _clean(m.group("period"))
            return OverviewRequest("main_stories", period, [], period)
    for rx in _PERSPECTIVES:
        m = rx.match(q)
        if m:
            return OverviewRequest("perspectives", _clean(m.group("topic")))
    for rx in _TIMELINE:
        m = rx.match(q)
        # "Summarize what Peskov said" is a question about a person, not about a topic.
        if m and m.group("topic").strip() and not _WH.match(m.group("topic")):
            return OverviewRequest("timeline", _clean(m.group("topic")))
    return None

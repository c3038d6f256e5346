"""Answers as Markdown with numbered references, to copy or download; and the stored form of an
answer that lets the page re-render its sources after a reload."""

from __future__ import annotations

import re

from assistant.render import safe_link
from assistant.types import Answer, Passage, Turn

_PASSAGE_FIELDS = ("chunk_id", "article_id", "title", "source", "published", "url", "text",
                   "char_start", "char_end", "marker", "highlights")
MAX_QUOTE = 600


def record(ans: Answer) -> dict:
    """What the browser keeps of an answer: enough for its sources panel and its export."""
    keep = lambda p: {k: getattr(p, k) for k in _PASSAGE_FIELDS}  # noqa: E731
    return {"question": ans.question, "answer": ans.answer, "refused": ans.refused, "filters": ans.filters,
            "citations": [keep(p) for p in ans.citations], "passages": [keep(p) for p in ans.passages[:3]]}


def turns(records: list[dict]) -> list[Turn]:
    """The conversation of the stored answers as ``Turn``s (their plain text, as asked and answered)."""
    out: list[Turn] = []
    for rec in records:
        question, answer = rec.get("question"), rec.get("answer")
        if isinstance(question, str) and isinstance(answer, str):
            out += [Turn("user", question), Turn("assistant", answer)]
    return out


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _passage(d: object) -> Passage | None:
    """A passage the browser kept (untrusted: every field is checked), or None when it is damaged."""
    if not isinstance(d, dict):
        return None
    try:
        marker = d.get("marker")
        return Passage(_text(d.get("chunk_id")), _text(d.get("article_id")), _text(d.get("title")),
                       _text(d.get("source")), _text(d.get("published")) or None, _text(d.get("url")) or None,
                       _text(d.get("text")), int(d.get("char_start") or 0), int(d.get("char_end") or 0),
                       marker=int(marker) if marker is not None else None,
                       highlights=[[int(a), int(b)] for a, b in d.get("highlights") or []])
    except (TypeError, ValueError, OverflowError):
        return None


def answer_from_record(rec: dict) -> Answer | None:
    """The stored record back as an ``Answer`` for ``sources_html`` (a damaged record gives None)."""
    if not isinstance(rec, dict):
        return None
    cites = [p for p in map(_passage, rec.get("citations") or []) if p]
    passages = [p for p in map(_passage, rec.get("passages") or []) if p]
    return Answer(str(rec.get("question", "")), str(rec.get("question", "")), str(rec.get("answer", "")),
                  bool(rec.get("refused")), cites, passages, [], "", {}, filters=str(rec.get("filters", "none")))


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _quote(p: dict) -> str:
    text, start = str(p.get("text", "")), int(p.get("char_start") or 0)
    spans = [text[max(0, a - start) : max(0, b - start)] for a, b in p.get("highlights") or []]
    quoted = " … ".join(s.strip() for s in spans if s.strip()) or text
    quoted = _one_line(quoted)
    return quoted[:MAX_QUOTE] + ("…" if len(quoted) > MAX_QUOTE else "")


def answer_markdown_export(rec: dict, number: int | None = None) -> str:
    """One question and answer, markers kept as ``[n]``, then its numbered references."""
    head = f"## {number}. " if number else "## "
    lines = [head + _one_line(rec.get("question", "")), "", str(rec.get("answer", "")).strip(), ""]
    if rec.get("filters") and rec["filters"] != "none":
        lines += [f"_Filters: {_one_line(rec['filters'])}_", ""]
    cites = rec.get("citations") or []
    if cites:
        lines.append("### References")
        lines.append("")
        for p in cites:
            link = safe_link(p.get("url"))
            parts = [f"**{_one_line(p.get('title') or 'Untitled')}**", _one_line(p.get("source") or "unknown outlet"),
                     p.get("published") or "undated"]
            if link:
                parts.append(link[0])
            lines.append(f"[{p.get('marker')}] " + ", ".join(parts))
            lines.append(f"    > {_quote(p)}")
        lines.append("")
    return "\n".join(lines)


def conversation_markdown(records: list[dict]) -> str:
    parts = ["# Dossier conversation", ""]
    parts += [answer_markdown_export(r, i) for i, r in enumerate(records, 1) if isinstance(r, dict)]
    return "\n".join(parts).rstrip() + "\n"


def safe_filename(text: str) -> str:
    return (re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-")[:40] or "answer").lower()

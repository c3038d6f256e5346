"""Safe presentation of answers and sources for the web chat.

Every piece of article or model text is escaped here: in the chat as inert
markdown (no HTML, no images, no links of its own), in the sources panel as
HTML-escaped text. The only links are the ones we build: markers that jump to
their source, and an article's own http(s) URL when it is known.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlparse

from assistant.types import Answer, Passage

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~$])")
_MARKER = re.compile(r"\[(\d+)\]")
_TABLE_ROW = re.compile(r"^\| .* \|$")
CONTEXT_CHARS = 700


def escape_markdown(text: str) -> str:
    """Text that markdown shows literally: no emphasis, links, images or HTML (tags become entities)."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", text)


def answer_markdown(ans: Answer) -> str:
    """The answer for the chat: escaped text, markers as links to their sources, flags visible."""
    valid = {p.marker for p in ans.citations}

    def linked(line: str) -> str:
        out, pos = [], 0
        for m in _MARKER.finditer(line):
            out.append(escape_markdown(line[pos : m.start()]))
            n = int(m.group(1))
            out.append(f"[\\[{n}\\]](#src-{n})" if n in valid else escape_markdown(m.group()))
            pos = m.end()
        out.append(escape_markdown(line[pos:]))
        return "".join(out)

    lines = []
    for line in ans.answer.split("\n"):
        if _TABLE_ROW.match(line):  # our own tables stay tables: each cell escaped on its own
            lines.append("| " + " | ".join(linked(c) for c in line[2:-2].split(" | ")) + " |")
            continue
        text = linked(line)
        if text.startswith("\\- "):  # our own bullets stay bullets
            text = "- " + text[3:]
        lines.append(text.replace("(unsupported)", "⚠️ *unsupported by the cited passage*"))
    body = "\n".join(lines)
    if ans.refused:
        body = "🚫 " + body
    if ans.unsupported:
        body += "\n\n⚠️ " + escape_markdown(f"{len(ans.unsupported)} sentence(s) are not supported by the passages they cite.")
    return body


def _safe_url(url: str | None) -> str | None:
    if not url:
        return None
    parsed = urlparse(url.strip())
    return url.strip() if parsed.scheme in ("http", "https") and parsed.netloc else None


def _meta_line(p: Passage) -> str:
    parts = [html.escape(p.source or "unknown outlet")]
    if p.published:
        parts.append(html.escape(p.published))
    url = _safe_url(p.url)
    if url:
        parts.append(f'<a href="{html.escape(url, quote=True)}" target="_blank" '
                     f'rel="noopener noreferrer nofollow">{html.escape(urlparse(url).netloc)}</a>')
    return " · ".join(parts)


def _highlighted(text: str, offset: int, spans: list[list[int]]) -> str:
    """Escape ``text`` (which starts at article offset ``offset``) and mark the cited spans."""
    out, pos = [], 0
    for start, end in sorted((max(0, s - offset), min(len(text), e - offset)) for s, e in spans):
        if start < pos or start >= end:
            continue
        out += [html.escape(text[pos:start]), "<mark>", html.escape(text[start:end]), "</mark>"]
        pos = end
    out.append(html.escape(text[pos:]))
    return "".join(out).replace("\n", "<br>")


def source_card(p: Passage, article_text: str | None, label: str) -> str:
    anchor = f' id="src-{p.marker}"' if p.marker else ""
    body = _highlighted(p.text, p.char_start, p.highlights)
    context = ""
    if article_text:
        a = max(0, p.char_start - CONTEXT_CHARS)
        b = min(len(article_text), p.char_end + CONTEXT_CHARS)
        before = html.escape(("…" if a else "") + article_text[a : p.char_start]).replace("\n", "<br>")
        after = html.escape(article_text[p.char_end : b] + ("…" if b < len(article_text) else "")).replace("\n", "<br>")
        context = (f'<details class="ctx"><summary>Show surrounding article text</summary>'
                   f'<div class="ctx-text">{before}<span class="passage">{body}</span>{after}</div></details>')
    return (f'<div class="src"{anchor}><div class="src-head"><span class="src-n">{html.escape(label)}</span> '
            f'<b>{html.escape(p.title or "Untitled")}</b></div><div class="src-meta">{_meta_line(p)}</div>'
            f'<blockquote class="src-text">{body}</blockquote>{context}</div>')


def sources_html(ans: Answer | None, article_text) -> str:
    """The Sources panel: cited passages, or for a refusal the closest material, kept apart."""
    if ans is None:
        return '<div class="src-empty">Sources of the answer appear here.</div>'
    parts = [f'<div class="src-filters">Filters: {html.escape(ans.filters)}</div>']
    if ans.citations:
        parts.append("<h4>Sources</h4>")
        parts += [source_card(p, article_text(p.article_id), f"[{p.marker}]") for p in ans.citations]
    if ans.refused:
        parts.append('<h4 class="closest">Closest material — it does not answer the question</h4>')
        parts += [source_card(p, article_text(p.article_id), "•") for p in ans.passages[:3]]
        if not ans.passages:
            parts.append('<div class="src-empty">No passage matched.</div>')
    return "\n".join(parts)


CSS = """
.src { border: 1px solid #d0d7de; border-radius: 8px; padding: 8px 10px; margin: 8px 0; }
.src.flash { outline: 3px solid #f59e0b; }
.src-head { font-size: 0.95em; } .src-n { font-weight: 700; color: #b45309; }
.src-meta { font-size: 0.8em; color: #57606a; margin: 2px 0 4px; }
.src-text { margin: 4px 0; padding-left: 8px; border-left: 3px solid #d0d7de; font-size: 0.9em; }
.src mark { background: #fde68a; }
.ctx summary { cursor: pointer; font-size: 0.8em; color: #0969da; }
.ctx-text { font-size: 0.85em; color: #444; } .ctx-text .passage { background: #f1f5f9; }
.src-filters, .src-empty { font-size: 0.8em; color: #57606a; }
h4.closest { color: #9a3412; }
"""

# Clicking a marker scrolls its source into view and flashes it (same page, no navigation).
HEAD = """
<script>
document.addEventListener('click', function (ev) {
  const a = ev.target.closest && ev.target.closest('a[href^="#src-"]');
  if (!a) return;
  ev.preventDefault(); ev.stopPropagation();
  const el = document.getElementById(a.getAttribute('href').slice(1));
  if (el) { el.scrollIntoView({behavior: 'smooth', block: 'center'}); el.classList.add('flash');
            setTimeout(() => el.classList.remove('flash'), 1500); }
}, true);
</script>
"""

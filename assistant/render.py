"""Safe presentation of answers and sources for the web chat.

Every piece of article or model text is escaped here: in the chat as inert
markdown (no HTML, no images, no links of its own), in the sources panel as
HTML-escaped text. The only links are the ones we build: markers that jump to
their source, and an article's own http(s) URL when it is known.
"""

from __future__ import annotations

import html
import ipaddress
import re
from urllib.parse import quote, urlsplit

import idna

from assistant.types import Answer, Passage

# Every ASCII punctuation character: CommonMark shows a backslash-escaped one literally, which
# also breaks GFM's autolinks (www\.x, http\://, a\@b) and every tag, emphasis and image.
_MD_SPECIAL = re.compile(r"([!-/:-@\[-`{-~])")
_MARKER = re.compile(r"\[(\d+)\]")
_TABLE_ROW = re.compile(r"^\| .* \|$")
CONTEXT_CHARS = 700


def escape_markdown(text: str) -> str:
    """Text that markdown shows literally: no emphasis, links, autolinks, images or HTML."""
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
            cells = line[2:-2].split(" | ")
            if all(re.fullmatch(r":?-{3,}:?", c.strip()) for c in cells):  # the header separator
                lines.append(line)
                continue
            lines.append("| " + " | ".join(linked(c) for c in line[2:-2].split(" | ")) + " |")
            continue
        text = linked(line)
        if text.startswith("\\- "):  # our own bullets stay bullets
            text = "- " + text[3:]
        lines.append(text.replace(escape_markdown("(unsupported)"), "**(unsupported by the cited passage)**"))
    body = "\n".join(lines)
    if ans.refused:
        body = "**Not answered.** " + body
    if ans.unsupported:
        body += "\n\n**Note:** " + escape_markdown(
            f"{len(ans.unsupported)} sentence(s) are not supported by the passages they cite.")
    return body


def safe_link(url: str | None) -> tuple[str, str] | None:
    """``(href, shown host)`` for a plain http(s) URL, else None.

    The host is shown as the browser will resolve it: userinfo dropped, IDNA as ASCII punycode;
    a host IDNA refuses (bidi overrides, spaces, controls) gives no link at all. The href is
    rebuilt from those parts with everything else percent-encoded, so what is shown is where it goes.
    """
    if not url or len(url) > 2048:
        return None
    try:
        parts = urlsplit(url.strip())
        scheme, host, port = parts.scheme.lower(), parts.hostname, parts.port
    except ValueError:
        return None
    if scheme not in ("http", "https") or not host:
        return None
    try:
        shown = str(ipaddress.ip_address(host))
        netloc = f"[{shown}]" if ":" in shown else shown
    except ValueError:
        try:
            shown = netloc = idna.encode(host.rstrip("."), uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError, ValueError):
            return None
    if port is not None:
        netloc += f":{port}"
    safe = "/%:@!$&'()*+,;=-._~"
    href = f"{scheme}://{netloc}{quote(parts.path, safe=safe) or '/'}"
    if parts.query:
        href += "?" + quote(parts.query, safe=safe + "?")
    return href, shown


def _meta_line(p: Passage) -> str:
    parts = [html.escape(p.source or "unknown outlet")]
    if p.published:
        parts.append(html.escape(p.published))
    link = safe_link(p.url)
    if link:
        parts.append(f'<a class="src-link" href="{html.escape(link[0], quote=True)}" target="_blank" '
                     f'rel="noopener noreferrer nofollow">{html.escape(link[1])}</a>')
    return " · ".join(f"<bdi>{x}</bdi>" for x in parts)


def _highlighted(text: str, offset: int, spans: list[list[int]]) -> str:
    """Escape ``text`` (which starts at article offset ``offset``) and mark the cited spans.

    Cited sentences that follow each other are one mark, the space between them included: an
    unmarked space between two marks reads as a highlight that starts a letter late ("I|n a").
    """
    merged: list[list[int]] = []
    for start, end in sorted((max(0, s - offset), min(len(text), e - offset)) for s, e in spans):
        if start >= end or (merged and start < merged[-1][1]):
            continue  # empty, or overlapping the previous mark
        if merged and not text[merged[-1][1] : start].strip():
            merged[-1][1] = end
        else:
            merged.append([start, end])
    out, pos = [], 0
    for start, end in merged:
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
    opener = (f'<button type="button" class="open-article" data-article="{html.escape(p.article_id, quote=True)}" '
              f'data-start="{int(p.char_start)}">Open article</button>')
    return (f'<div class="src"{anchor}><div class="src-head"><span class="src-n">{html.escape(label)}</span> '
            f'<b><bdi>{html.escape(p.title or "Untitled")}</bdi></b></div><div class="src-meta">{_meta_line(p)}</div>'
            f'<blockquote class="src-text">{body}</blockquote>{context}{opener}</div>')


def sources_html(ans: Answer | None, article_text) -> str:
    """The Sources panel: cited passages, or for a refusal the closest material, kept apart."""
    if ans is None:
        return '<div class="src-empty">Sources of the answer appear here.</div>'
    parts = [f'<div class="src-filters">Filters: {html.escape(ans.filters)}</div>']
    if ans.citations:
        parts.append("<h4>Sources</h4>")
        parts += [source_card(p, article_text(p.article_id), f"[{p.marker}]") for p in ans.citations]
    if ans.refused:
        parts.append('<h4 class="closest">Closest material: it does not answer the question</h4>')
        parts += [source_card(p, article_text(p.article_id), "•") for p in ans.passages[:3]]
        if not ans.passages:
            parts.append('<div class="src-empty">No passage matched.</div>')
    return "\n".join(parts)

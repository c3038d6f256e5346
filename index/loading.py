"""Read article files of several formats into ``RawArticle`` records.

Nothing here raises for a bad file: every problem becomes a ``Skipped`` with a
one-line reason, so one odd file never stops a build.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

import yaml
from charset_normalizer import from_bytes
from dateutil import parser as dateparser

from index.models import ArticleMeta, RawArticle, Skipped

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
RECORD_SUFFIXES = {".json", ".jsonl", ".csv"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | RECORD_SUFFIXES
SIDECAR_SUFFIX = ".meta.json"

_ALIASES = {
    "title": ("title", "headline", "name"),
    "text": ("text", "body", "content", "article", "article_text"),
    "source": ("source", "outlet", "publisher", "site_name", "site"),
    "url": ("url", "link", "article_source_link", "source_url", "canonical_url"),
    "published": ("published", "date", "publish_date", "published_at", "pubdate", "datetime"),
    "id": ("article_id", "id", "uid", "guid"),
}


class LoadError(Exception):
    """A file (or record) that cannot become an article; the message is the reason."""


def _pick(record: dict, key: str) -> str:
    lowered = {str(k).lower(): v for k, v in record.items()}
    for alias in _ALIASES[key]:
        value = lowered.get(alias)
        if value not in (None, ""):
            return str(value).strip()
    return ""


def looks_binary(data: bytes) -> bool:
    """NUL bytes or many control bytes in the head mean this is not text."""
    head = data[:8192]
    if b"\x00" in head:
        return True
    controls = sum(1 for b in head if b < 32 and b not in (9, 10, 12, 13, 27))
    return controls > max(8, len(head) // 20)


def decode(data: bytes) -> str:
    """UTF-8 first (with or without BOM), then the encoding charset-normalizer detects."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            data = data.decode("utf-16").encode("utf-8")
        except UnicodeDecodeError as exc:
            raise LoadError("undecodable UTF-16 text") from exc
    if not data.strip():
        raise LoadError("empty file")
    if looks_binary(data):
        raise LoadError("binary content, not text")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is None:
        raise LoadError("undecodable text (no encoding fits)")
    return str(best)


def normalize_date(value: str) -> str | None:
    """ISO date (``YYYY-MM-DD``, or ``YYYY-MM`` when only a month is known)."""
    value = (value or "").strip()
    if not value:
        return None
    if re.fullmatch(r"\d{4}-\d{2}", value):
        return value
    try:
        parsed = dateparser.parse(value, default=datetime(2000, 1, 1))
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed is None or not 1800 <= parsed.year <= 2200:
        return None
    return parsed.date().isoformat()


def outlet_from_url(url: str) -> str:
    host = urlparse(url).hostname or ""
    return host.removeprefix("www.")


def make_meta(record: dict) -> ArticleMeta:
    url = _pick(record, "url") or None
    source = _pick(record, "source")
    if url and (not source or source.startswith(("http://", "https://"))):
        source = outlet_from_url(url)
    return ArticleMeta(
        title=_pick(record, "title"),
        source=source,
        published=normalize_date(_pick(record, "published")),
        url=url,
    )


def _merge(base: ArticleMeta, extra: dict) -> ArticleMeta:
    over = make_meta(extra)
    return ArticleMeta(
        title=over.title or base.title,
        source=over.source or base.source,
        published=over.published or base.published,
        url=over.url or base.url,
    )


_FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def split_front_matter(text: str) -> tuple[dict, str]:
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        data = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, text
    if not isinstance(data, dict):
        return {}, text
    return data, text[match.end():]


class _HTMLText(HTMLParser):
    """Visible text by block, plus the meta tags that describe an article."""

    SKIP = {"script", "style", "noscript", "template", "svg", "nav", "header", "footer",
            "aside", "form", "iframe", "head", "button", "select", "object"}
    BLOCK = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section",
             "article", "blockquote", "tr", "figcaption", "pre", "ul", "ol", "table", "main"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.meta: dict[str, str] = {}
        self.title = ""
        self._skip = 0
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "meta":
            key = (a.get("property") or a.get("name") or "").lower()
            if key and a.get("content"):
                self.meta.setdefault(key, a["content"])
        elif tag == "link" and a.get("rel", "").lower() == "canonical" and a.get("href"):
            self.meta.setdefault("canonical", a["href"])
        elif tag == "title":
            self._in_title = True
        if tag in self.SKIP:
            self._skip += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
        if tag in self.SKIP:
            self._skip = max(0, self._skip - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self.parts.append(data)


def parse_html(text: str) -> tuple[dict, str]:
    parser = _HTMLText()
    try:
        parser.feed(text)
        # An unclosed comment runs to the end of the page, hidden: close() would flush it as
        # text, so it is skipped when what the parser left (from its getpos()) opens with "<!".
        line, col = parser.getpos()  # lines counted by "\n", as the parser counts them
        offset = len(text) - len(text.split("\n", line - 1)[-1]) + col
        if not text[offset:].lstrip().startswith("<!"):
            parser.close()
    except Exception as exc:  # html.parser is lenient; this is a last resort
        raise LoadError(f"unparseable HTML ({type(exc).__name__})") from exc
    m = parser.meta
    record = {
        "title": m.get("og:title") or parser.title.strip(),
        "source": m.get("og:site_name", ""),
        "published": m.get("article:published_time") or m.get("date") or m.get("pubdate", ""),
        "url": m.get("og:url") or m.get("canonical", ""),
    }
    body = re.sub(r"[ \t\r\f\v]+", " ", "".join(parser.parts))
    body = re.sub(r"\n\s*\n+", "\n\n", body)
    return record, body


def _records(path: Path, text: str) -> Iterator[tuple[str, dict]]:
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip():
                try:
                    yield str(n), json.loads(line)
                except json.JSONDecodeError as exc:
                    yield str(n), {"__error__": f"line {n}: invalid JSON ({exc.msg})"}
    elif suffix == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise LoadError(f"invalid JSON ({exc.msg} at line {exc.lineno})") from exc
        items = data if isinstance(data, list) else [data]
        for n, item in enumerate(items, 1):
            yield str(n), item
    else:  # csv
        csv.field_size_limit(1 << 30)
        try:
            for n, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), 1):
                yield str(n), row
        except csv.Error as exc:
            raise LoadError(f"invalid CSV ({exc})") from exc


def load_file(path: Path, relpath: str, max_bytes: int) -> tuple[list[RawArticle], list[Skipped]]:
    """Load one file; a records file may yield several articles and several skips."""
    base_id = relpath
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(f"too large ({size / 1e6:.1f} MB > cap {max_bytes / 1e6:.1f} MB)")
        text = decode(path.read_bytes())
        suffix = path.suffix.lower()
        if suffix in RECORD_SUFFIXES:
            return _load_records(path, relpath, base_id, text)
        if suffix in HTML_SUFFIXES:
            record, body = parse_html(text)
            meta = make_meta(record)
        else:
            front, body = split_front_matter(text)
            meta = make_meta(front)
        sidecar = path.with_name(path.name[: -len(path.suffix)] + SIDECAR_SUFFIX)
        if sidecar.is_file():
            try:
                extra = json.loads(decode(sidecar.read_bytes()))
                if isinstance(extra, dict):
                    meta = _merge(meta, extra)
            except (LoadError, json.JSONDecodeError) as exc:
                return [], [Skipped(relpath, f"bad metadata file {sidecar.name}: {exc}")]
        if not body.strip():
            raise LoadError("no text")
        return [RawArticle(base_id, relpath, body, meta)], []
    except LoadError as exc:
        return [], [Skipped(relpath, str(exc))]
    except OSError as exc:
        return [], [Skipped(relpath, f"unreadable ({exc.strerror or exc})")]


def _load_records(path: Path, relpath: str, base_id: str, text: str):
    articles: list[RawArticle] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    for n, record in _records(path, text):
        where = f"{relpath}#{n}"
        if not isinstance(record, dict):
            skipped.append(Skipped(where, "record is not an object"))
            continue
        if "__error__" in record:
            skipped.append(Skipped(where, record["__error__"]))
            continue
        body = _pick(record, "text")
        if not body:
            skipped.append(Skipped(where, "record has no text field"))
            continue
        rid = re.sub(r"[^A-Za-z0-9._-]", "_", _pick(record, "id"))[:64] or n
        article_id = f"{base_id}#{rid}"
        if article_id in seen:
            article_id = f"{base_id}#{n}"
        seen.add(article_id)
        articles.append(RawArticle(article_id, where, body, make_meta(record)))
    if not articles and not skipped:
        skipped.append(Skipped(relpath, "no records found"))
    return articles, skipped


def iter_corpus_files(folder: Path) -> Iterator[tuple[Path, str]]:
    """Every candidate file below ``folder``, sorted, hidden files and sidecars excluded."""
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder).as_posix()
        if any(part.startswith(".") for part in rel.split("/")):
            continue
        if path.is_file() and not path.name.endswith(SIDECAR_SUFFIX):
            yield path, rel


def load_corpus(folder: Path, max_bytes: int) -> tuple[list[RawArticle], list[Skipped]]:
    """All articles of a folder, and the files or records that were skipped, with reasons."""
    if not folder.is_dir():
        raise FileNotFoundError(f"corpus folder not found: {folder}")
    articles: list[RawArticle] = []
    skipped: list[Skipped] = []
    for path, rel in iter_corpus_files(folder):
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            skipped.append(Skipped(rel, f"unsupported file type '{path.suffix or 'none'}'"))
            continue
        got, bad = load_file(path, rel, max_bytes)
        articles.extend(got)
        skipped.extend(bad)
    return articles, skipped

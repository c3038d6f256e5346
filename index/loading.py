"""Read article files of several formats into ``RawArticle`` records.

Nothing here raises for a bad file: every problem becomes a ``Skipped`` with a
one-line reason, so one odd file never stops a build.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from collections import Counter
from collections.abc import Iterator
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlparse

from charset_normalizer import from_bytes
from dateutil import parser as dateparser

from index import outlets
from index.errors import DossierError, PathMissing
from index.frontmatter import FrontMatterError, split_front_matter
from index.models import ArticleMeta, RawArticle, Skipped

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
RECORD_SUFFIXES = {".json", ".jsonl", ".csv"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | HTML_SUFFIXES | RECORD_SUFFIXES
SIDECAR_SUFFIX = ".meta.json"
DEFAULT_MAX_RECORDS = 5000

# Longest value kept per metadata field: a title past its cap is cut at a word, a URL
# past its cap is dropped (a cut URL would point elsewhere).
FIELD_CAPS = {"title": 300, "source": 100, "url": 2048, "published": 64, "id": 64}
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]+")

_ALIASES = {
    "title": ("title", "headline", "name"),
    "text": ("text", "body", "content", "article", "article_text"),
    "source": ("source", "outlet", "publisher", "site_name", "site"),
    "url": ("url", "link", "article_source_link", "source_url", "canonical_url"),
    "published": ("published", "date", "publish_date", "published_at", "pubdate", "datetime"),
    "id": ("article_id", "id", "uid", "guid"),
}


class LoadError(DossierError):
    """A file (or record) that cannot become an article; the message is the reason."""


def _pick(record: dict, key: str) -> str:
    """The first scalar value under any alias of ``key``, on one line, at most its cap
    (lists and mappings are not metadata and are ignored)."""
    lowered = {str(k).lower(): v for k, v in record.items()}
    for alias in _ALIASES[key]:
        value = lowered.get(alias)
        if value in (None, "") or isinstance(value, (dict, list, tuple, set, bytes)):
            continue
        text = _UNSAFE_CHARS.sub(" ", str(value)) if key != "text" else str(value)
        text = text.strip() if key == "text" else " ".join(text.split())
        if text:
            return _cap(key, text)
    return ""


def _cap(key: str, value: str) -> str:
    cap = FIELD_CAPS.get(key)
    if cap is None or len(value) <= cap:
        return value
    if key == "url":
        return ""
    if key == "title":
        cut = value[: cap - 1].rsplit(" ", 1)[0] if " " in value[: cap - 1] else value[: cap - 1]
        return cut.rstrip() + "…"
    return value[:cap].rstrip()


def cap_title(title: str) -> str:
    """A title (given or inferred from the text) on one line, within its cap."""
    return _cap("title", " ".join(_UNSAFE_CHARS.sub(" ", title).split()))


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
    if not value or len(value) > FIELD_CAPS["published"]:
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
    return outlets.domain_of(url)


def web_url(value: str) -> str | None:
    """An http(s) URL with a host, else None (no ``javascript:``, no bare paths)."""
    try:
        parsed = urlparse(value)
        ok = parsed.scheme.lower() in ("http", "https") and bool(parsed.hostname)
    except ValueError:
        return None
    return value if ok else None


def make_meta(record: dict) -> ArticleMeta:
    url = web_url(_pick(record, "url"))
    source = _pick(record, "source")
    if url and (not source or source.startswith(("http://", "https://"))):
        source = outlet_from_url(url)
    return ArticleMeta(
        title=_pick(record, "title"),
        source=source,
        published=normalize_date(_pick(record, "published")),
        url=url,
        domain=outlets.domain_of(url),
    )


def _merge(base: ArticleMeta, extra: dict) -> ArticleMeta:
    over = make_meta(extra)
    url = over.url or base.url
    return ArticleMeta(
        title=over.title or base.title,
        source=over.source or base.source,
        published=over.published or base.published,
        url=url,
        domain=outlets.domain_of(url),
    )


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


def _json(text: str) -> object:
    try:
        return json.loads(text)
    except RecursionError as exc:
        raise LoadError("JSON nested too deeply") from exc
    except json.JSONDecodeError as exc:
        raise LoadError(f"invalid JSON ({exc.msg} at line {exc.lineno})") from exc
    except ValueError as exc:  # e.g. an integer with too many digits
        raise LoadError(f"invalid JSON ({str(exc)[:80]})") from exc


def _records(path: Path, text: str, limit: int) -> tuple[list[tuple[str, object]], int]:
    """Up to ``limit`` records of a records file, and how many more it holds.

    A record that cannot be parsed becomes ``{"__error__": reason}`` so its neighbours load.
    """
    suffix = path.suffix.lower()
    out: list[tuple[str, object]] = []
    excess = 0
    if suffix == ".jsonl":
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            if len(out) >= limit:
                excess += 1
                continue
            try:
                out.append((str(n), _json(line)))
            except LoadError as exc:
                out.append((str(n), {"__error__": f"line {n}: {exc}"}))
    elif suffix == ".json":
        data = _json(text)
        items = data if isinstance(data, list) else [data]
        out = [(str(n), item) for n, item in enumerate(items[:limit], 1)]
        excess = max(0, len(items) - limit)
    else:  # csv
        csv.field_size_limit(1 << 30)
        try:
            for n, row in enumerate(csv.DictReader(io.StringIO(text, newline="")), 1):
                if len(out) >= limit:
                    excess += 1
                else:
                    out.append((str(n), row))
        except csv.Error as exc:
            raise LoadError(f"invalid CSV ({exc})") from exc
    return out, excess


def _inside(path: Path, root: Path | None) -> bool:
    """True when ``path``, links resolved, is a regular file within ``root`` (if one is given)."""
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):  # dangling link, or a link loop
        return False
    return target.is_file() and (root is None or target.is_relative_to(root))


def _sidecar_meta(sidecar: Path, meta: ArticleMeta, max_bytes: int, root: Path | None) -> ArticleMeta:
    if not _inside(sidecar, root):
        raise LoadError(f"metadata file {sidecar.name} is a link outside the corpus (not followed)")
    if sidecar.stat().st_size > max_bytes:
        raise LoadError(f"metadata file {sidecar.name} is too large")
    try:
        extra = _json(decode(sidecar.read_bytes()))
    except LoadError as exc:
        raise LoadError(f"bad metadata file {sidecar.name}: {exc}") from exc
    return _merge(meta, extra) if isinstance(extra, dict) else meta


def load_file(path: Path, relpath: str, max_bytes: int, *, max_records: int = DEFAULT_MAX_RECORDS,
              root: Path | None = None) -> tuple[list[RawArticle], list[Skipped]]:
    """Load one file; a records file may yield several articles and several skips.

    Never raises: any failure, expected or not, becomes a ``Skipped`` naming the file.
    ``root`` (the resolved corpus folder) bounds where a metadata sidecar may live.
    """
    base_id = relpath
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise LoadError(f"too large ({size / 1e6:.1f} MB > cap {max_bytes / 1e6:.1f} MB)")
        text = decode(path.read_bytes())
        suffix = path.suffix.lower()
        if suffix in RECORD_SUFFIXES:
            return _load_records(path, relpath, base_id, text, max_records)
        if suffix in HTML_SUFFIXES:
            record, body = parse_html(text)
            meta = make_meta(record)
        else:
            front, body = split_front_matter(text)
            meta = make_meta(front)
        sidecar = path.with_name(path.name[: -len(path.suffix)] + SIDECAR_SUFFIX)
        if sidecar.is_symlink() or sidecar.exists():
            meta = _sidecar_meta(sidecar, meta, max_bytes, root)
        if not body.strip():
            raise LoadError("no text")
        return [RawArticle(base_id, relpath, body, meta)], []
    except (LoadError, FrontMatterError) as exc:
        return [], [Skipped(relpath, str(exc))]
    except OSError as exc:
        return [], [Skipped(relpath, f"unreadable ({exc.strerror or type(exc).__name__})")]
    except RecursionError:
        return [], [Skipped(relpath, "nested too deeply to read")]
    except Exception as exc:  # an unforeseen parser failure must not stop the build
        return [], [Skipped(relpath, f"could not be read ({type(exc).__name__})")]


def _load_records(path: Path, relpath: str, base_id: str, text: str, max_records: int):
    articles: list[RawArticle] = []
    skipped: list[Skipped] = []
    seen: set[str] = set()
    records, excess = _records(path, text, max_records)
    for n, record in records:
        where = f"{relpath}#{n}"
        if not isinstance(record, dict):
            skipped.append(Skipped(where, "record is not an object"))
            continue
        if "__error__" in record:
            skipped.append(Skipped(where, record["__error__"]))
            continue
        try:
            body = _pick(record, "text")
            if not body:
                skipped.append(Skipped(where, "record has no text field"))
                continue
            rid = re.sub(r"[^A-Za-z0-9._-]", "_", _pick(record, "id"))[:64] or n
            meta = make_meta(record)
        except Exception as exc:  # one odd record never costs its neighbours
            skipped.append(Skipped(where, f"unreadable record ({type(exc).__name__})"))
            continue
        article_id = f"{base_id}#{rid}"
        if article_id in seen:
            article_id = f"{base_id}#{n}"
        seen.add(article_id)
        articles.append(RawArticle(article_id, where, body, meta))
    if excess:
        skipped.append(Skipped(relpath, f"{excess} records past the first {max_records} not indexed "
                                        "(raise DOSSIER_MAX_RECORDS_PER_FILE to include them)"))
    if not articles and not skipped:
        skipped.append(Skipped(relpath, "no records found"))
    return articles, skipped


def iter_corpus_files(folder: Path) -> Iterator[tuple[Path, str, str | None]]:
    """Every candidate file below ``folder`` as (path, relative path, skip reason or None), sorted.

    Hidden files and sidecars are left out. Links are not followed out of the corpus:
    a link to a folder is never entered (no loops), a link to a file counts only if
    its target is inside ``folder``.
    """
    root = folder.resolve()
    found: list[tuple[Path, str, str | None]] = []

    def unreadable(err: OSError) -> None:
        where = Path(err.filename or folder)
        found.append((where, Path(os.path.relpath(where, folder)).as_posix(),
                      f"unreadable folder ({err.strerror or type(err).__name__})"))

    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False, onerror=unreadable):
        here = Path(dirpath)
        for name in list(dirnames):
            if name.startswith("."):
                dirnames.remove(name)
            elif (here / name).is_symlink():
                dirnames.remove(name)
                path = here / name
                found.append((path, path.relative_to(folder).as_posix(),
                              "link to a folder (links to folders are not followed)"))
        for name in filenames:
            if name.startswith(".") or name.endswith(SIDECAR_SUFFIX):
                continue
            path = here / name
            rel = path.relative_to(folder).as_posix()
            if path.is_symlink() and not _inside(path, root):
                found.append((path, rel, "link to a file outside the corpus (not followed)"))
            elif not path.is_file():
                found.append((path, rel, "not a regular file"))
            else:
                found.append((path, rel, None))
    return iter(sorted(found, key=lambda f: Path(f[1]).parts))


def load_corpus(folder: Path, max_bytes: int, max_records: int = DEFAULT_MAX_RECORDS,
                ) -> tuple[list[RawArticle], list[Skipped]]:
    """All articles of a folder, outlets normalized, and the files or records that were
    skipped, with reasons."""
    if not folder.is_dir():
        raise PathMissing(f"corpus folder not found: {folder}")
    root = folder.resolve()
    articles: list[RawArticle] = []
    skipped: list[Skipped] = []
    for path, rel, problem in iter_corpus_files(folder):
        if problem:
            skipped.append(Skipped(rel, problem))
            continue
        if path.suffix.lower() not in SUPPORTED_SUFFIXES:
            skipped.append(Skipped(rel, f"unsupported file type '{path.suffix or 'none'}'"))
            continue
        got, bad = load_file(path, rel, max_bytes, max_records=max_records, root=root)
        articles.extend(got)
        skipped.extend(bad)
    return outlets.normalize(articles), skipped


def skip_summary(skipped: list[Skipped], top: int = 3) -> str:
    """``"5 files skipped (3 empty file; 2 binary content, not text)"``: the common reasons first."""
    files = {s.path.split("#", 1)[0] for s in skipped}
    counts = Counter(s.reason for s in skipped)
    parts = [f"{n} {reason}" for reason, n in counts.most_common(top)]
    if len(counts) > top:
        parts.append("...")
    noun = "file" if len(files) == 1 else "files"
    return f"{len(files)} {noun} skipped" + (f" ({'; '.join(parts)})" if parts else "")

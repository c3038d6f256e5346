"""The data that flows from ``index/`` to ``assistant/``."""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class ArticleMeta:
    """What a reader needs to judge a source: title, outlet, date, link.

    ``source`` is the outlet's display name and ``domain`` its URL host (without
    ``www.``), normalized once for the whole corpus (see ``index.outlets``).
    """

    title: str = ""
    source: str = ""
    published: str | None = None
    url: str | None = None
    domain: str = ""


@dataclass(frozen=True)
class RawArticle:
    """An article as loaded, before cleaning."""

    article_id: str
    path: str
    text: str
    meta: ArticleMeta


@dataclass(frozen=True)
class Article:
    """A cleaned article; ``text`` is what chunk offsets point into."""

    article_id: str
    path: str
    text: str
    meta: ArticleMeta

    @property
    def content_hash(self) -> str:
        """Changes when anything stored for the article changes."""
        m = self.meta
        # ``domain`` follows from url and source, and is not stored in the vector store.
        return sha256("\x1f".join([self.text, m.title, m.source, m.published or "", m.url or ""]))

    def to_json(self) -> dict:
        return {"article_id": self.article_id, "path": self.path, "text": self.text, **asdict(self.meta)}

    @classmethod
    def from_json(cls, d: dict) -> Article:
        meta = ArticleMeta(d.get("title", ""), d.get("source", ""), d.get("published"), d.get("url"),
                           d.get("domain", ""))
        return cls(d["article_id"], d["path"], d["text"], meta)


@dataclass(frozen=True)
class Chunk:
    """A passage: ``article.text[char_start:char_end] == text``."""

    chunk_id: str
    article_id: str
    position: int
    text: str
    char_start: int
    char_end: int

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Skipped:
    path: str
    reason: str


@dataclass
class BuildReport:
    """What a build did, for the CLI, the web page and tests."""

    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    embedded_chunks: int = 0
    articles: int = 0
    chunks: int = 0
    full_rebuild: bool = False
    reason: str = ""
    seconds: float = 0.0
    index_dir: str = ""

    def counts(self) -> str:
        """The one line a person reads: what changed and what was embedded."""
        return (f"{len(self.added)} added, {len(self.changed)} changed, {len(self.removed)} removed, "
                f"{len(self.unchanged)} unchanged, {len(self.skipped)} skipped; "
                f"{self.embedded_chunks} passages embedded")

    def summary(self) -> dict:
        """The JSON form of the counts (``--json``, benchmarks)."""
        return {
            "added": len(self.added),
            "changed": len(self.changed),
            "removed": len(self.removed),
            "unchanged": len(self.unchanged),
            "skipped": len(self.skipped),
            "embedded": self.embedded_chunks,
            "articles": self.articles,
            "chunks": self.chunks,
            "full_rebuild": self.full_rebuild,
            "seconds": round(self.seconds, 2),
        }

    def to_json(self) -> dict:
        return {
            **self.summary(),
            "reason": self.reason,
            "index_dir": self.index_dir,
            "skipped_files": [asdict(s) for s in self.skipped],
        }

"""The chunk and article tables stored beside Chroma in each generation (JSON lines)."""

from __future__ import annotations

import json
from pathlib import Path

from index.models import Article, Chunk

CHUNKS = "chunks.jsonl"
ARTICLES = "articles.jsonl"


def write_jsonl(path: Path, rows) -> None:
    with open(path, "w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False))
            fh.write("\n")
        fh.flush()


def _read_jsonl(path: Path):
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def write_tables(folder: Path, articles: list[Article], chunks: list[Chunk]) -> None:
    write_jsonl(folder / ARTICLES, (a.to_json() for a in articles))
    write_jsonl(folder / CHUNKS, (c.to_json() for c in chunks))


def read_articles(folder: Path) -> dict[str, Article]:
    return {a.article_id: a for a in map(Article.from_json, _read_jsonl(folder / ARTICLES))}


def read_chunks(folder: Path) -> list[Chunk]:
    return [Chunk(**row) for row in _read_jsonl(folder / CHUNKS)]

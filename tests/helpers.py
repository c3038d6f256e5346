"""Helpers the tests import (paths, settings, ports, article files); fixtures stay in conftest.py."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from index.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEED_CORPUS = ROOT / "corpus"
PYTHON = sys.executable


def free_port() -> int:
    """A free TCP port on loopback for a server a test starts."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_settings(corpus: Path, index_dir: Path, **kw) -> Settings:
    return Settings(corpus_dir=corpus, index_dir=index_dir, **kw)


def subprocess_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOSSIER_")}
    env.update(extra)
    return env


def write_article(folder: Path, name: str, title: str, body: str, source: str = "Test Wire",
                  published: str = "2024-05-01") -> Path:
    path = folder / name
    path.write_text(f"---\ntitle: {title}\nsource: {source}\npublished: {published}\n---\n{body}\n",
                    encoding="utf-8")
    return path

"""Shared fixtures: real corpus copies, real model, real Chroma stores on temporary disks."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

from index.environment import configure

configure()  # offline, quiet: before pytest's plugins or any test imports numpy, torch or Gradio

import pytest

from index.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SEED_CORPUS = ROOT / "corpus"
PYTHON = sys.executable


def free_port() -> int:
    """A free TCP port on loopback for a server a test starts."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_settings(corpus: Path, index_dir: Path, **kw) -> Settings:
    return Settings(corpus_dir=corpus, index_dir=index_dir, **kw)


@pytest.fixture
def seed_corpus(tmp_path: Path) -> Path:
    dest = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, dest)
    return dest


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory) -> Settings:
    """The two seed articles, indexed once for the whole session (read-only for tests)."""
    from index.build import build

    base = tmp_path_factory.mktemp("seed")
    corpus = base / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    settings = make_settings(corpus, base / "index")
    build(settings, quiet=True)
    return settings


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

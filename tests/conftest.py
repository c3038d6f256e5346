"""Shared fixtures: real corpus copies, real model, real Chroma stores on temporary disks.
Helpers the tests import live in ``tests/helpers.py``."""

from __future__ import annotations

import shutil
from pathlib import Path

from index.environment import configure

configure()  # offline, quiet: before pytest's plugins or any test imports numpy, torch or Gradio

import pytest

from index.settings import Settings
from tests.helpers import SEED_CORPUS, make_settings


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

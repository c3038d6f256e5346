"""The fast tier must stay fast: run it in a fresh interpreter and check that no model framework
(torch, sentence-transformers, transformers, spaCy) was imported along the way."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve()
OUT = "DOSSIER_FAST_MODULES_OUT"  # set for the inner run; conftest.py writes the module list there


def test_fast_tier_imports_no_model(tmp_path):
    if os.environ.get(OUT):
        pytest.skip("this is the inner run")
    out = tmp_path / "modules.json"
    run = subprocess.run([sys.executable, "-m", "pytest", str(HERE.parent), "-q", "-p", "no:cacheprovider"],
                         cwd=HERE.parent.parent.parent, env={**os.environ, OUT: str(out)},
                         capture_output=True, text=True, timeout=600)
    # A failing test of the tier is reported by that test; this one only judges the imports.
    assert out.is_file(), run.stdout[-3000:] + run.stderr[-3000:]
    assert json.loads(out.read_text(encoding="utf-8")) == []

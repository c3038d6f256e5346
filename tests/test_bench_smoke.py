"""CI runs the benchmarks' --quick modes as a smoke test: they run and print their tables.
No timing is asserted; figures live in docs/BENCHMARKS.md from the full runs."""

from __future__ import annotations

import subprocess

import pytest

from tests.helpers import PYTHON, ROOT, subprocess_env

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("script,expect", [
    ("ingest.py", "pipeline / raw encode"),
    ("query.py", "retrieval / bare"),
    ("retrieval.py", "Dossier hybrid (RRF)"),
])
def test_quick_bench_runs(script, expect):
    out = subprocess.run([PYTHON, str(ROOT / "bench" / script), "--quick"], cwd=ROOT, env=subprocess_env(),
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-2000:]
    assert expect in out.stdout

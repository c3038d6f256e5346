"""The running app under load while it rebuilds, with every outbound connection impossible:
zero errors, the switch to the new index, and not one connection attempt off the machine."""

from __future__ import annotations

import json
import shutil
import sys

import pytest

from index.build import build
from tests.helpers import PYTHON, ROOT, SEED_CORPUS, make_settings, subprocess_env
from tests.synthetic import write_corpus

sys.path.insert(0, str(ROOT / "bench"))
from load import run_load, start_app  # noqa: E402

pytestmark = pytest.mark.slow


def test_load_during_rebuild_offline(tmp_path):
    corpus = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    settings = make_settings(corpus, tmp_path / "index")
    build(settings, quiet=True)
    write_corpus(corpus, 30)
    net_log = tmp_path / "net.log"
    guard = {"PYTHONPATH": str(ROOT / "tests" / "netguard"), "NETGUARD_LOG": str(net_log),
             "HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": "127.0.0.1,localhost"}
    proc, url, log = start_app(corpus, settings.index_dir, guard)
    try:
        env = subprocess_env(**guard)
        cmd = [PYTHON, "-m", "index", "build", "--quiet", "--json", "--corpus", str(corpus),
               "--index", str(settings.index_dir)]
        result = run_load(url, clients=20, seconds=20, rebuild_cmd=cmd, env=env)
        summary = result.summary()
        print(json.dumps(summary))  # figures for the record; not asserted
        assert result.rebuild["returncode"] == 0, result.rebuild
        assert json.loads(result.rebuild["report"])["added"] == 30
        assert result.requests >= 20 and not result.errors, summary["first_errors"]
        # After the switch the app answers from the new index without a restart.
        from gradio_client import Client

        out = Client(url, verbose=False).predict("What did officials in the city present about the rail strike?",
                                                 "[]", "", "", "", 0, api_name="/ask")
        assert any(c["source"] == "Synthetic Wire" for c in out["passages"])
    finally:
        proc.terminate()
        proc.wait(timeout=30)
    assert not net_log.exists() or net_log.read_text() == "", net_log.read_text()[:500]
    assert "Traceback" not in log.read_text()


def test_secrets_never_printed(seed_index):
    import subprocess

    env = subprocess_env(DOSSIER_INDEX_DIR=str(seed_index.index_dir), DOSSIER_BACKEND="openai",
                         DOSSIER_OPENAI_BASE_URL="http://127.0.0.1:9/v1", DOSSIER_OPENAI_API_KEY="sk-test-SECRET-123")
    out = subprocess.run([PYTHON, "-m", "assistant", "ask", "Who is Carlos Aquino?", "--json"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode != 0 and "SECRET" not in out.stdout + out.stderr
    from index.settings import Settings

    s = Settings(openai_api_key="sk-test-SECRET-123", password="hunter2-SECRET")
    assert "SECRET" not in repr(s) and "SECRET" not in str(s.model_dump())

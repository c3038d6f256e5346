"""Client/server mode against a real `chroma run` server on loopback: build, query, filters,
incremental builds, the server going away and coming back without restarting Dossier."""

from __future__ import annotations

import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from assistant.pipeline import Assistant
from assistant.types import Filters
from index import generations
from index.build import build
from index.reader import status
from index.store import StoreUnavailable, open_client
from tests.helpers import PYTHON, ROOT, free_port, make_settings, subprocess_env, write_article

pytestmark = pytest.mark.slow
CHROMA = str(Path(PYTHON).parent / "chroma")


class ChromaServer:
    def __init__(self, path: Path, port: int):
        self.path, self.port, self.proc = path, port, None

    def start(self) -> None:
        self.proc = subprocess.Popen([CHROMA, "run", "--path", str(self.path), "--host", "127.0.0.1",
                                      "--port", str(self.port)], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL, env=subprocess_env())
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/api/v2/heartbeat", timeout=1)
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("chroma server did not start")

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(timeout=30)


@pytest.fixture
def server(tmp_path):
    srv = ChromaServer(tmp_path / "chroma-data", free_port())
    srv.start()
    yield srv
    if srv.proc.poll() is None:
        srv.stop()


def test_build_query_outage_and_recovery(server, seed_corpus, tmp_path):
    url = f"http://127.0.0.1:{server.port}"
    settings = make_settings(seed_corpus, tmp_path / "idx", chroma_url=url)
    first = build(settings, quiet=True)
    st = status(settings)
    assert st.chroma_url == url and st.collection.startswith("dossier-gen-")
    remote = open_client(url, None)
    assert remote.get_collection(st.collection).count() == st.chunks == first.chunks
    assert not list((tmp_path / "idx").rglob("chroma.sqlite3"))  # nothing embedded locally

    bot = Assistant(settings)
    ans = bot.ask("What did analysts say about China aiding Russia?")
    assert not ans.refused and {p.source for p in ans.citations} == {"CNN", "El Comercio"}
    only = bot.ask("How much was trade between China and Russia worth?", filters=Filters(sources=("CNN",)))
    assert {p.source for p in only.passages} == {"CNN"}

    write_article(seed_corpus, "tram.md", "Tram line approved",
                  "The city council approved a new tram line on Tuesday, officials said, at a cost of 310 million euros.")
    inc = build(settings, quiet=True)
    assert inc.added == ["tram.md"] and not inc.full_rebuild and 0 < inc.embedded_chunks < first.chunks
    st2 = status(settings)
    names = {c.name for c in remote.list_collections()}
    assert st2.collection in names and st.collection in names  # previous kept for readers
    assert remote.get_collection(st2.collection).count() == st2.chunks
    assert build(settings, quiet=True).embedded_chunks == 0

    server.stop()
    with pytest.raises(StoreUnavailable, match="Chroma server"):
        bot.ask("Who is Carlos Aquino?")
    env = subprocess_env(DOSSIER_INDEX_DIR=str(settings.index_dir), DOSSIER_CHROMA_URL=url)
    out = subprocess.run([PYTHON, "-m", "assistant", "ask", "Who is Carlos Aquino?"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 2 and "Chroma server" in out.stderr and "Traceback" not in out.stderr

    server.start()
    again = bot.ask("Who is Carlos Aquino?")  # same process, no restart
    assert not again.refused and again.citations
    third = build(settings, quiet=True)
    assert third.embedded_chunks == 0
    assert generations.current_name(settings.index_dir) == st2.generation

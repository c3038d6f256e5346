"""Issue 13's web attacks, replayed over HTTP against the real app (a subprocess on loopback):
login throttling and same-origin logins, no server-side fetching of outside URLs, no framing,
a private temp folder removed on exit, ``k`` and dates validated, no path or raw error text."""

from __future__ import annotations

import http.server as httpserver
import json
import subprocess
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers import PYTHON, ROOT, free_port, subprocess_env

pytestmark = [pytest.mark.slow]
USER, PASSWORD = "analyst", "correct horse battery"


def start(base: Path, **env: str) -> tuple[subprocess.Popen, str, Path]:
    """The real app with an empty index folder (no model needed), its temp files under ``base/tmp``."""
    (base / "tmp").mkdir(parents=True, exist_ok=True)
    (base / "corpus").mkdir(exist_ok=True)
    port = free_port()
    log = base / "app.log"
    e = subprocess_env(DOSSIER_CORPUS_DIR=str(base / "corpus"), DOSSIER_INDEX_DIR=str(base / "secret-index-dir"),
                       DOSSIER_PORT=str(port), TMPDIR=str(base / "tmp"), **env)
    with open(log, "w") as fh:
        proc = subprocess.Popen([PYTHON, "app.py"], cwd=ROOT, env=e, stdout=fh, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        if "Running on local URL" in log.read_text():
            return proc, f"http://127.0.0.1:{port}", log
        if proc.poll() is not None:
            pytest.fail(log.read_text()[-3000:])
        time.sleep(0.3)
    proc.kill()
    pytest.fail("app did not start")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    base = tmp_path_factory.mktemp("websec")
    proc, url, log = start(base, DOSSIER_USERNAME=USER, DOSSIER_PASSWORD=PASSWORD)
    yield {"url": url, "base": base, "log": log}
    proc.terminate()
    proc.wait(timeout=30)


def login(client: httpx.Client, url: str, password: str = PASSWORD, origin: str | None = None) -> httpx.Response:
    headers = {"Origin": origin} if origin else {}
    return client.post(f"{url}/login", data={"username": USER, "password": password}, headers=headers)


@pytest.fixture
def http(server):
    with httpx.Client(timeout=30) as c:
        assert login(c, server["url"]).status_code == 200
        yield c


class Recorder(httpserver.BaseHTTPRequestHandler):
    """An 'outside' web server: records every request that reaches it."""

    hits: list[str] = []

    def do_GET(self):  # noqa: N802
        Recorder.hits.append(self.path)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"The council approved the plan on Monday, officials said.")

    def log_message(self, *args):
        pass


@pytest.fixture
def outside():
    srv = httpserver.ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    Recorder.hits = []
    yield f"http://127.0.0.1:{srv.server_address[1]}"
    srv.shutdown()


def _fn_index(config: dict, elem_id: str) -> int:
    comp = next(c["id"] for c in config["components"] if c.get("props", {}).get("elem_id") == elem_id)
    return next(i for i, d in enumerate(config["dependencies"]) if [comp, "click"] in d.get("targets", []))


def test_page_cannot_be_framed(server):
    r = httpx.get(server["url"] + "/")
    assert r.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


def test_login_from_a_foreign_origin_is_refused(server):
    with httpx.Client() as c:
        r = login(c, server["url"], origin="http://evil.example")
        assert r.status_code == 403 and not r.cookies
        assert c.get(server["url"] + "/gradio_api/login_check").status_code == 401
        same = login(c, server["url"], origin=server["url"])
        assert same.status_code == 200


def test_repeated_wrong_passwords_lock_the_client_out(server):
    with httpx.Client() as c:
        codes = [login(c, server["url"], password=f"guess{i}").status_code for i in range(5)]
        assert codes == [400] * 5
        locked = login(c, server["url"])  # even the right password waits out the lockout
        assert locked.status_code == 429
        wait = int(locked.headers["retry-after"])
        assert 1 <= wait <= 900
        time.sleep(wait)
        assert login(c, server["url"]).status_code == 200
        assert "failed login" in server["log"].read_text()


def test_no_server_side_fetch_of_outside_urls(server, http, outside):
    for path in (f"/gradio_api/file={outside}/pixel.png", f"/gradio_api/file=//127.0.0.1:{outside.rsplit(':', 1)[1]}/x",
                 f"/gradio_api/proxy={outside}/x"):
        assert http.get(server["url"] + path).status_code == 404
    config = http.get(server["url"] + "/config").json()
    fn = _fn_index(config, "add-files")  # the upload event, given a file "path" that is a URL
    payload = {"data": [[{"path": f"{outside}/www.evil.example.txt", "orig_name": "news.txt",
                          "meta": {"_type": "gradio.FileData"}}], False],
               "fn_index": fn, "session_hash": "attacker1"}
    r = http.post(server["url"] + "/gradio_api/queue/join", json=payload)
    assert r.status_code == 400 and "not fetched" in r.json()["detail"]
    time.sleep(0.5)
    assert Recorder.hits == []
    assert not list((server["base"] / "corpus").iterdir())


def test_uploads_stay_in_a_private_temp_folder(server, http):
    r = http.post(server["url"] + "/gradio_api/upload", files={"files": ("note.txt", b"The council met on Monday.")})
    assert r.status_code == 200, r.text
    saved = Path(r.json()[0])
    tmp = (server["base"] / "tmp").resolve()
    private = saved.resolve().relative_to(tmp).parts[0]
    assert private.startswith("dossier-web-")
    assert (tmp / private).stat().st_mode & 0o077 == 0  # nobody else on the machine can list or read it


def test_private_temp_folder_is_removed_on_exit(tmp_path):
    proc, url, _ = start(tmp_path)
    with httpx.Client(timeout=30) as c:
        assert c.post(url + "/gradio_api/upload", files={"files": ("a.txt", b"text")}).status_code == 200
    assert [p.name for p in (tmp_path / "tmp").glob("dossier-web-*")]
    proc.terminate()
    proc.wait(timeout=30)
    assert not list((tmp_path / "tmp").glob("dossier-web-*"))


def _ask(server, **kw):
    from gradio_client import Client

    args = {"question": "Who approved the plan?", "history_json": "[]", "source": "", "since": "", "until": "",
            "k": 0} | kw
    client = Client(server["url"], auth=(USER, PASSWORD), verbose=False)
    with pytest.raises(Exception) as err:  # noqa: PT011
        client.predict(*args.values(), api_name="/ask")
    return str(err.value)


@pytest.mark.parametrize("k", [1_000_000, -5, 51])
def test_k_out_of_range_is_an_error(server, k):
    assert "k must be from 1 to 50" in _ask(server, k=k)


def test_bad_dates_and_missing_index_give_short_messages(server):
    huge = "9" * 1_000_000
    msg = _ask(server, since=huge)
    assert "Since" in msg and len(msg) < 300 and "999999" not in msg
    assert "not a date" in _ask(server, until="2017-13-45")
    assert "after Until" in _ask(server, since="2018", until="2017")
    msg = _ask(server)  # no index: a short instruction, not the server's index path
    assert "no index" in msg.lower()
    assert "secret-index-dir" not in msg and str(server["base"]) not in msg
    with httpx.Client(timeout=30) as c:
        login(c, server["url"])
        page = c.get(server["url"] + "/config").text
    assert "secret-index-dir" not in page and str(server["base"]) not in page
    assert "Build index" in json.dumps(json.loads(page))

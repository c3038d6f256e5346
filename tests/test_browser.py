"""The web chat in a real browser (Debian's chromium driven by Playwright) against the real app."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from urllib.parse import urlparse

import pytest

from index.build import build
from tests.conftest import PYTHON, ROOT, SEED_CORPUS, free_port, make_settings, subprocess_env
from tests.synthetic import write_corpus

pytestmark = [pytest.mark.browser, pytest.mark.slow]
playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
USER, PASSWORD = "analyst", "correct horse battery"
HOSTILE = (
    "---\ntitle: Harbor plan <img src=x onerror=\"window.__pwned=1\">\nsource: Coastal <b>Times</b>\n"
    "published: 2024-03-01\nurl: javascript:window.__pwned=9\n---\n"
    "The lighthouse committee approved the seawall plan <script>window.__pwned=2</script> on Monday, "
    "officials confirmed in a statement.\n\n"
    "The seawall will cost 40 million dollars <img src=x onerror=\"window.__pwned=3;alert(1)\"> and take "
    "three years to build, the lighthouse committee said.\n\n"
    "Residents can read the plan [here](javascript:window.__pwned=4) and see ![map](http://evil.example/map.png) "
    "at the town hall, the committee added.\n"
)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    base = tmp_path_factory.mktemp("web")
    corpus = base / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    (corpus / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    settings = make_settings(corpus, base / "index")
    build(settings, quiet=True)
    port = free_port()
    env = subprocess_env(DOSSIER_CORPUS_DIR=str(corpus), DOSSIER_INDEX_DIR=str(base / "index"),
                         DOSSIER_PORT=str(port), DOSSIER_USERNAME=USER, DOSSIER_PASSWORD=PASSWORD)
    log = open(base / "app.log", "w+")  # noqa: SIM115
    proc = subprocess.Popen([PYTHON, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline:
        if "Running on local URL" in (base / "app.log").read_text():
            break
        if proc.poll() is not None:
            pytest.fail((base / "app.log").read_text())
        time.sleep(0.5)
    yield {"url": f"http://127.0.0.1:{port}", "corpus": corpus, "settings": settings}
    proc.terminate()
    proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture
def page(app, browser):
    """A logged-in page that records every request it makes and every dialog."""
    ctx = browser.new_context(viewport={"width": 1400, "height": 1000})
    pg = ctx.new_page()
    pg.requests, pg.dialogs = [], []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    _login(pg, app["url"], USER, PASSWORD)
    pg.wait_for_selector("#question textarea", timeout=60_000)
    pg.wait_for_timeout(1500)
    yield pg
    ctx.close()


def _login(pg, url, user, password):
    pg.goto(url)
    pg.fill("input[type=text], input[name=username]", user)
    pg.fill("input[type=password]", password)
    pg.keyboard.press("Enter")


def ask(pg, question: str, expect: str = "#sources .src") -> str:
    before = pg.locator("#chat .message").count()
    pg.fill("#question textarea", question)
    pg.press("#question textarea", "Enter")
    pg.wait_for_function(
        "([n]) => { const m = document.querySelectorAll('#chat .message'); return m.length >= n + 2 &&"
        " !m[m.length - 1].innerText.includes('Searching the articles'); }", arg=[before], timeout=90_000)
    pg.wait_for_selector(expect, timeout=30_000)
    return pg.locator("#chat .message").last.inner_text()


def test_wrong_password_is_refused(app, browser):
    ctx = browser.new_context()
    pg = ctx.new_page()
    _login(pg, app["url"], USER, "wrong")
    pg.wait_for_timeout(2000)
    assert pg.locator("#question textarea").count() == 0
    assert re.search(r"incorrect|invalid", pg.content(), re.I)
    from gradio_client import Client

    with pytest.raises(Exception):  # noqa: B017  (the API refuses without credentials)
        Client(app["url"], verbose=False).predict("Who is Carlos Aquino?", api_name="/ask")
    ok = Client(app["url"], auth=(USER, PASSWORD), verbose=False).predict(
        "Who is Carlos Aquino?", "[]", "", "", "", 0, api_name="/ask")
    assert ok["citations"] and not ok["refused"]
    ctx.close()


def test_analysts_answer_with_checkable_citations(page):
    text = ask(page, "What did analysts say about China aiding Russia?")
    assert "Carlos Aquino" in text
    links = page.locator("#chat a[href^='#src-']")
    assert links.count() >= 2
    cards = page.locator("#sources .src[id^='src-']")
    assert cards.count() >= 2
    assert page.locator("#sources .src mark").count() >= 2
    # Every highlighted sentence is text of its passage and appears in the answer.
    for i in range(page.locator("#sources .src-text mark").count()):
        marked = page.locator("#sources .src-text mark").nth(i).inner_text()
        assert marked.strip()[:40] in text.replace("\n", " ") or marked.strip()[:40] in text
    assert page.locator("#sources .src-meta").first.inner_text().startswith(("CNN", "El Comercio"))
    last = links.nth(links.count() - 1)
    target = last.get_attribute("href")[1:]
    page.evaluate("window.scrollTo(0, 0)")
    last.click()
    page.wait_for_timeout(900)
    assert page.evaluate("(id) => { const r = document.getElementById(id).getBoundingClientRect();"
                         " return r.top < window.innerHeight && r.bottom > 0; }", target)
    page.locator(f"#{target} details summary").click()
    assert page.locator(f"#{target} .ctx-text").is_visible()


def test_follow_up_and_refusal(page):
    ask(page, "Who is Carlos Aquino?")
    ask(page, "Does he think China will help Russia in the war?")
    assert "out of the question" in page.locator("#sources").inner_text()
    text = ask(page, "What was agreed at the Ukraine peace talks in Istanbul?", expect="#sources h4.closest")
    assert "do not answer" in text
    assert page.locator("#sources .src[id^='src-']").count() == 0
    page.click("#new-chat")
    page.wait_for_timeout(800)
    assert page.locator("#chat .message").count() == 0


def test_hostile_article_stays_inert(page):
    ask(page, "How much will the seawall cost and what did the lighthouse committee approve?")
    page.wait_for_timeout(1000)
    sources = page.locator("#sources").inner_text()
    assert "<script>" in sources or "window.__pwned" in sources  # shown as text
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert not page.dialogs
    assert page.locator("#sources script, #chat script, #sources img, #chat img[src='x']").count() == 0
    hrefs = page.eval_on_selector_all("#sources a, #chat a", "els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if h and h.lower().startswith("javascript")]
    outside = [u for u in page.requests if urlparse(u).hostname not in ("127.0.0.1", "localhost")
               and not u.startswith(("data:", "blob:"))]
    assert not outside, outside


def test_upload_then_rebuild_while_answering(page, app):
    src = app["corpus"].parent / "uploads"
    write_corpus(src, 40)
    files = sorted(src.glob("*.md"))
    bad = src / "tool.exe"
    bad.write_bytes(b"MZ\x00\x00")
    page.click("#index-panel button, #index-panel .label-wrap")
    page.set_input_files("#upload input[type=file]", [str(f) for f in files] + [str(bad)])
    page.wait_for_timeout(2500)
    page.click("#add-files")
    page.wait_for_selector("#upload-result :text('added')", timeout=30_000)
    assert "synthetic_00000.md: added" in page.locator("#upload-result").inner_text()
    assert (app["corpus"] / files[0].name).exists()
    assert not (app["corpus"] / "tool.exe").exists()  # the page accepts only article types
    page.click("#add-files")  # the same files again: refused, not silently overwritten
    page.wait_for_function("document.querySelector('#upload-result').innerText.includes('already in the corpus')",
                           timeout=30_000)

    page.click("#rebuild")
    page.wait_for_function("document.querySelector('#build-report').innerText.includes('Rebuilding')",
                           timeout=30_000)
    text = ask(page, "Who is Alexander Gabuev?")  # answered from the previous index meanwhile
    assert "Carnegie" in text
    page.click("#rebuild")  # a second rebuild while one runs is refused
    page.wait_for_timeout(300)
    page.wait_for_function("document.querySelector('#build-report').innerText.includes('Rebuilt')",
                           timeout=150_000)
    report = page.locator("#build-report").inner_text()
    assert "40 added" in report
    assert "43 articles" in page.locator("#index-status").inner_text()

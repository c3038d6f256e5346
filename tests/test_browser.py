"""The web chat in a real browser (Debian's chromium driven by Playwright) against the real app:
one server for the module, pages in both themes at desktop and 400 px widths."""

from __future__ import annotations

import re
import shutil
import subprocess
import time
from pathlib import Path
from urllib.parse import urlparse

import pytest

from index.build import build
from tests.helpers import PYTHON, ROOT, SEED_CORPUS, free_port, make_settings, subprocess_env
from tests.synthetic import PEOPLE, write_corpus

pytestmark = [pytest.mark.browser, pytest.mark.slow]
playwright = pytest.importorskip("playwright.sync_api")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
USER, PASSWORD = "analyst", "correct horse battery"
DESKTOP, NARROW = {"width": 1400, "height": 900}, {"width": 400, "height": 800}
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
LINKS = (
    "---\ntitle: Ferry timetable report\nsource: Island Post\npublished: 2024-04-02\n"
    "url: https://www.islandpost.example@evil.example/ferry\n---\n"
    "The ferry timetable report is posted at http://evil.example/pixel.png and at www.evil.example, "
    "the harbour master announced on Tuesday.\n\n"
    "Questions about the ferry timetable go to tips@evil.example, the harbour master added.\n"
)
EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2600-\u27BF\u2B00-\u2BFF\uFE0F]")
CONTRAST_JS = """(sel) => {
  const parse = (c) => { const m = c.match(/rgba?\\(([^)]+)\\)/); if (!m) return null;
    const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const bg = (el) => { for (; el; el = el.parentElement) { const c = parse(getComputedStyle(el).backgroundColor);
    if (c && c[3] > 0.5) return c; } return [255, 255, 255, 1]; };
  const lum = (c) => { const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  return [...document.querySelectorAll(sel)].filter((e) => e.offsetParent && e.innerText.trim()).map((e) => {
    const fg = parse(getComputedStyle(e).color), b = bg(e);
    if (!fg) return [e.className || e.tagName, 0, getComputedStyle(e).color];
    const l1 = lum(fg), l2 = lum(b);
    return [e.className || e.tagName, (Math.max(l1, l2) + 0.05) / (Math.min(l1, l2) + 0.05), getComputedStyle(e).color];
  });
}"""
# For each mark: the character before it, its first character, the character after it.
MARK_EDGES_JS = """(ms) => ms.map((m) => {
  const box = m.closest('.ctx-text, .src-text'), r = document.createRange();
  r.setStart(box, 0); r.setEndBefore(m); const before = r.toString();
  r.setStartAfter(m); r.setEnd(box, box.childNodes.length); const after = r.toString();
  return [before.slice(-1), m.textContent.slice(0, 1), after.slice(0, 1)];
})"""
ARTICLE_SELECTORS = "#article-view h3, #article-view .src-meta, #article-view .article-text, #article-view mark"
TEXT_SELECTORS = ("#sources .src-text, #sources mark, #sources .src-meta, #sources .src-link, #sources .src-n, "
                  "#sources .src-head b, #sources .ctx summary, #sources .open-article, #sources .src-filters, "
                  "#sources h4, #chat .message p, #chat .message li")


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    base = tmp_path_factory.mktemp("web")
    corpus = base / "corpus"
    shutil.copytree(SEED_CORPUS, corpus)
    (corpus / "hostile.md").write_text(HOSTILE, encoding="utf-8")
    (corpus / "links.md").write_text(LINKS, encoding="utf-8")
    (corpus / "broken.txt").write_bytes(bytes(range(256)) * 40)  # not text: skipped, with its reason
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


@pytest.fixture(scope="module")
def logged_in(app, browser):
    """Cookies of one login, reused by every page (one login, not one per test)."""
    ctx = browser.new_context()
    pg = ctx.new_page()
    _login(pg, app["url"], USER, PASSWORD)
    pg.wait_for_selector("#question textarea", timeout=60_000)
    state = ctx.storage_state()
    ctx.close()
    return state


def open_page(app, browser, state, viewport=DESKTOP, theme="light"):
    """A logged-in page that records every request it makes and every dialog."""
    ctx = browser.new_context(viewport=viewport, storage_state=state)
    pg = ctx.new_page()
    pg.requests, pg.dialogs = [], []
    pg.on("request", lambda r: pg.requests.append(r.url))
    pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
    pg.goto(app["url"] + ("/?__theme=dark" if theme == "dark" else "/?__theme=light"))
    pg.wait_for_selector("#question textarea", timeout=60_000)
    pg.wait_for_timeout(1200)
    return pg


@pytest.fixture
def page(app, browser, logged_in):
    pg = open_page(app, browser, logged_in)
    yield pg
    pg.context.close()


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
        "([n]) => { const m = document.querySelectorAll('#chat .message'); return m.length > n &&"
        " !m[m.length - 1].innerText.includes('Searching the articles'); }", arg=[before], timeout=90_000)
    pg.wait_for_selector(expect, timeout=30_000)
    pg.wait_for_timeout(300)
    return pg.locator("#chat .message").last.inner_text()


def in_view(pg, selector: str, container: str | None = None) -> bool:
    return pg.evaluate("([s, c]) => { const r = document.querySelector(s).getBoundingClientRect();"
                       " const b = c ? document.querySelector(c).getBoundingClientRect() : {top: 0, bottom: innerHeight};"
                       " return r.top < Math.min(b.bottom, innerHeight) - 10 && r.bottom > Math.max(b.top, 0) + 10; }",
                       [selector, container])


def tab(pg, name: str) -> None:
    pg.get_by_role("tab", name=name).click()
    pg.wait_for_timeout(400)


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


def test_answer_and_sources_stay_in_view_on_desktop(page):
    text = ask(page, "What did analysts say about China aiding Russia?")
    assert "Carlos Aquino" in text
    links = page.locator("#chat a[href^='#src-']")
    assert links.count() >= 2
    assert page.locator("#sources .src[id^='src-']").count() >= 2
    assert page.locator("#sources .src mark").count() >= 2
    for i in range(page.locator("#sources .src-text mark").count()):  # highlights are answer sentences
        marked = page.locator("#sources .src-text mark").nth(i).inner_text()
        assert marked.strip()[:40] in text.replace("\n", " ") or marked.strip()[:40] in text
    assert page.locator("#sources .src-meta").first.inner_text().startswith(("CNN", "El Comercio"))
    last = links.nth(links.count() - 1)
    target = "#" + last.get_attribute("href")[1:]
    assert not in_view(page, target, "#sources")  # the last card starts out below the panel's fold
    last.click()
    page.wait_for_timeout(600)
    assert in_view(page, target, "#sources")  # brought into view inside the panel...
    assert page.evaluate("window.scrollY") == 0  # ...without moving the page
    assert in_view(page, "#chat .message li") and in_view(page, "#question textarea")  # the answer stays
    assert page.evaluate("document.documentElement.scrollHeight") < 1600  # the page no longer grows with sources
    page.locator(f"{target} details summary").click()
    assert page.locator(f"{target} .ctx-text").is_visible()
    # The surrounding text marks the same sentences as the quote, each mark starting where its
    # sentence starts (after a space or at the start), never a letter early or late.
    assert page.locator(f"{target} .ctx-text mark").all_inner_texts() == \
        page.locator(f"{target} .src-text mark").all_inner_texts()
    edges = page.locator(f"{target} .ctx-text mark").evaluate_all(MARK_EDGES_JS)
    assert edges and all(not before.isalnum() and first.strip() and not after.isalnum()
                         for before, first, after in edges), edges


def test_narrow_layout_stacks_and_markers_work(app, browser, logged_in):
    pg = open_page(app, browser, logged_in, NARROW, "dark")
    try:
        ask(pg, "What did analysts say about China aiding Russia?")
        chat_box = pg.locator("#chat").bounding_box()
        panel = pg.locator("#sources").bounding_box()
        assert panel["y"] >= chat_box["y"] + chat_box["height"] - 1  # stacked: sources below the chat
        assert pg.evaluate("document.documentElement.scrollWidth") <= 400 + 1  # nothing wider than the screen
        links = pg.locator("#chat a[href^='#src-']")
        target = "#" + links.last.get_attribute("href")[1:]
        links.last.click()
        pg.wait_for_timeout(600)
        assert in_view(pg, target, "#sources") and in_view(pg, target)
    finally:
        pg.context.close()


@pytest.mark.parametrize(("theme", "viewport"), [("light", DESKTOP), ("dark", DESKTOP), ("light", NARROW), ("dark", NARROW)])
def test_text_contrast_in_both_themes(app, browser, logged_in, theme, viewport):
    pg = open_page(app, browser, logged_in, viewport, theme)
    try:
        assert pg.evaluate("document.querySelector('.dark') !== null") == (theme == "dark")
        ask(pg, "What did analysts say about China aiding Russia?")
        pg.locator("#sources details").first.evaluate("d => d.open = true")
        measured = pg.evaluate(CONTRAST_JS, TEXT_SELECTORS + ", #sources .ctx-text")
        kinds = {m[0] for m in measured}
        assert any("src-text" in k for k in kinds) and "MARK" in kinds and any("src-meta" in k for k in kinds)
        low = [m for m in measured if m[1] < 4.5]
        assert not low, low
        pg.locator("#sources button.open-article").first.click()  # the Articles view, the passage marked
        pg.wait_for_selector("#article-view #article-passage", timeout=15_000)
        pg.wait_for_timeout(300)
        measured = pg.evaluate(CONTRAST_JS, ARTICLE_SELECTORS)
        assert {"passage", "article-text"} <= {m[0] for m in measured}  # the mark is .passage
        low = [m for m in measured if m[1] < 4.5]
        assert not low, low
    finally:
        pg.context.close()


def test_follow_up_refusal_and_clear(page):
    ask(page, "Who is Carlos Aquino?")
    ask(page, "Does he think China will help Russia in the war?")
    assert "out of the question" in page.locator("#sources").inner_text()
    text = ask(page, "What was agreed at the Ukraine peace talks in Istanbul?", expect="#sources h4.closest")
    assert "do not answer" in text
    assert page.locator("#sources .src[id^='src-']").count() == 0
    page.click("#chat button[aria-label='Clear']")  # the chat's own Clear icon also clears the sources
    page.wait_for_timeout(800)
    assert page.locator("#chat .message").count() == 0
    assert page.locator("#sources .src").count() == 0
    ask(page, "Who is Carlos Aquino?")
    page.click("#new-chat")
    page.wait_for_timeout(800)
    assert page.locator("#chat .message").count() == 0 and page.locator("#sources .src").count() == 0


def test_conversation_survives_reload_without_emoji(page):
    ask(page, "Who is Carlos Aquino?")
    ask(page, "What was agreed at the Ukraine peace talks in Istanbul?", expect="#sources h4.closest")
    messages = page.locator("#chat .message").count()
    page.reload()
    page.wait_for_selector("#question textarea")
    page.wait_for_function(f"document.querySelectorAll('#chat .message').length === {messages}", timeout=20_000)
    assert "Carlos Aquino" in page.locator("#chat").inner_text()
    page.wait_for_selector("#sources h4.closest", timeout=10_000)  # the last answer's sources come back too
    for name in ("Chat", "Articles", "Index"):
        tab(page, name)
        assert not EMOJI.findall(page.locator("body").inner_text())
    footer = page.locator("footer").inner_text()  # only "Use via API", no dangling divider
    assert footer.strip() == "Use via API", footer


def test_follow_up_after_reload_reads_the_kept_turns(page):
    """The conversation's turns come back with the page (from the answers the browser kept), so a
    follow-up after a reload still knows who "he" is (without the turns it finds other passages)."""
    ask(page, "Who is Carlos Aquino?")
    messages = page.locator("#chat .message").count()
    page.wait_for_timeout(1000)  # the browser stores the conversation after the answer is shown
    page.reload()
    page.wait_for_selector("#question textarea")
    page.wait_for_function(f"document.querySelectorAll('#chat .message').length === {messages}", timeout=20_000)
    text = ask(page, "Where does he work?")
    assert "San Marcos University" in text  # read as "Where does Carlos Aquino work?"


def test_hostile_article_stays_inert(page):
    ask(page, "How much will the seawall cost and what did the lighthouse committee approve?")
    sources = page.locator("#sources").inner_text()
    assert "<script>" in sources or "window.__pwned" in sources  # shown as text
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert not page.dialogs
    assert page.locator("#sources script, #chat script, #sources img, #chat img").count() == 0
    hrefs = page.eval_on_selector_all("#sources a, #chat a", "els => els.map(e => e.getAttribute('href'))")
    assert not [h for h in hrefs if h and h.lower().startswith("javascript")]
    outside = [u for u in page.requests if urlparse(u).hostname not in ("127.0.0.1", "localhost")
               and not u.startswith(("data:", "blob:"))]
    assert not outside, outside


def test_urls_in_articles_are_not_links(page):
    text = ask(page, "Where is the ferry timetable report posted, according to the harbour master?")
    assert "www.evil.example" in text and "http://evil.example/pixel.png" in text  # shown, as text
    chat_links = page.eval_on_selector_all("#chat a", "els => els.map(e => e.getAttribute('href'))")
    assert all(h.startswith("#src-") for h in chat_links if h), chat_links
    assert page.locator("#chat img, #sources img").count() == 0
    # The only link in the sources is the article's own URL, shown as the host it really goes to.
    links = page.locator("#sources .src", has_text="Ferry timetable report").first.locator("a").evaluate_all(
        "els => els.map(e => [e.getAttribute('href'), e.innerText])")
    assert links and all(urlparse(h).hostname == shown == "evil.example" for h, shown in links), links


def test_articles_view_and_open_from_source(page, app):
    tab(page, "Articles")
    summary = page.locator("#corpus-summary").inner_text()
    assert "4 articles" in summary and "2022-12 to 2024-04-02" in summary and "Island Post (1)" in summary
    assert page.locator("#articles-table .virtual-row").count() == 4
    page.fill("#article-search input, #article-search textarea", "ferry")
    page.press("#article-search input, #article-search textarea", "Enter")
    page.wait_for_function("document.querySelectorAll('#articles-table .virtual-row').length === 1", timeout=15_000)
    page.locator("#articles-table .virtual-row").first.locator(".body-cell").first.click()
    page.wait_for_selector("#article-view .article-text", timeout=15_000)
    assert "harbour master" in page.locator("#article-view").inner_text()
    page.fill("#article-search input, #article-search textarea", "")
    page.fill("#article-since input, #article-since textarea", "Jan 2023")
    page.press("#article-since input, #article-since textarea", "Enter")
    page.wait_for_function("document.querySelectorAll('#articles-table .virtual-row').length === 3", timeout=15_000)

    tab(page, "Chat")
    ask(page, "What did analysts say about China aiding Russia?")
    card = page.locator("#sources .src[id^='src-']").first
    passage = card.locator(".src-text").inner_text()[:60]
    card.locator("button.open-article").click()
    page.wait_for_selector("#article-view #article-passage", timeout=15_000)
    assert page.get_by_role("tab", name="Articles").get_attribute("aria-selected") == "true"
    assert page.locator("#article-passage").inner_text()[:60] == passage
    assert in_view(page, "#article-passage", "#article-view .article-view")


def test_export_answer_and_conversation_as_markdown(page):
    ask(page, "Who is Carlos Aquino?")
    ask(page, "What did analysts say about China aiding Russia?")
    page.click("#export")
    page.wait_for_function("document.querySelector('#export-md textarea')?.value?.includes('References')",
                           timeout=15_000)
    md = page.locator("#export-md textarea").input_value()
    assert "## 1. Who is Carlos Aquino?" in md and "## 2. What did analysts say" in md
    assert "[1] **" in md and "\\[" not in md and "#src-" not in md  # markers as [n], no page markup
    with page.expect_download() as dl:
        page.click("#dl-answer")
    body = Path(dl.value.path()).read_text(encoding="utf-8")
    assert body.startswith("## What did analysts say") and "### References" in body and "> " in body


def test_dates_are_free_form_and_checked_at_the_field(page):
    page.click("#filters button, #filters .label-wrap")
    assert "2022-12 to 2024-04-02" in page.locator("#corpus-range").inner_text()
    before = page.locator("#chat .message").count()
    page.fill("#since input, #since textarea", "2023-13-45")
    page.fill("#question textarea", "What did analysts say about China aiding Russia?")
    page.press("#question textarea", "Enter")
    page.wait_for_function("document.querySelector('#filter-msg').innerText.includes('not a date')", timeout=15_000)
    assert page.locator("#chat .message").count() == before  # the error is at the field, not in the chat
    page.fill("#since input, #since textarea", "Feb 2023")
    page.fill("#until input, #until textarea", "2023-02-07")
    ask(page, "What did analysts say about China aiding Russia?")
    assert "2023-02 – 2023-02-07" in page.locator("#sources .src-filters").inner_text()
    assert all("2023-02" in m for m in page.locator("#sources .src-meta").all_inner_texts())
    assert page.locator("#filter-msg").inner_text().strip() == ""


def test_index_panel_speaks_plainly(page):
    tab(page, "Index")
    status = page.locator("#index-status").inner_text()
    assert "4 articles from 4 outlet(s)" in status and "2022-12 to 2024-04-02" in status
    assert re.search(r"Last built (just now|\d+ (minute|hour|day)s? ago) \(\d{4}-\d\d-\d\d \d\d:\d\d UTC\)", status)
    assert page.locator("#rebuild").inner_text().strip() == "Rebuild index"
    assert "1 file(s) were skipped" in status and "broken.txt:" in status


def test_examples_come_from_the_corpus(page, app):
    buttons = page.locator("#examples button")
    texts = [t.strip() for t in buttons.all_inner_texts()]
    assert "Ferry timetable report" in texts[0]  # the most recent article's title
    people = [m.group(1) for t in texts if (m := re.fullmatch(r"What did (.+) say\?", t))]
    corpus_text = " ".join(p.read_text(encoding="utf-8", errors="replace") for p in app["corpus"].iterdir())
    assert people and all(name in corpus_text for name in people), texts  # people the articles quote
    i = texts.index(f"What did {people[0]} say?")
    buttons.nth(i).click()
    page.wait_for_function("(q) => document.querySelector('#question textarea').value === q", arg=texts[i],
                           timeout=15_000)
    answer = ask(page, texts[i])
    assert "Not answered" not in answer and people[0].split()[-1] in answer
    assert page.locator("#sources .src[id^='src-']").count() >= 1


def test_upload_then_rebuild_while_answering(page, app):
    src = app["corpus"].parent / "uploads"
    write_corpus(src, 40)
    evil = src / "www.evil.example.txt"
    evil.write_text("The harbour master said the ferry will run on Sundays from May.", encoding="utf-8")
    files = sorted(src.glob("*.md"))
    bad = src / "tool.exe"
    bad.write_bytes(b"MZ\x00\x00")
    tab(page, "Index")
    page.set_input_files("#upload input[type=file]", [str(f) for f in files] + [str(evil), str(bad)])
    page.wait_for_timeout(2500)
    page.click("#add-files")
    page.wait_for_selector("#upload-result :text('added')", timeout=30_000)
    result = page.locator("#upload-result").inner_text()
    assert "synthetic_00000.md: added" in result and "www.evil.example.txt: added" in result
    assert page.locator("#upload-result a").count() == 0  # a file name is never a link
    assert "Rebuild index" in result
    assert (app["corpus"] / files[0].name).exists()
    assert not (app["corpus"] / "tool.exe").exists()  # the page accepts only article types
    page.click("#add-files")  # the same files again: refused, not silently overwritten, no rebuild hint
    page.wait_for_function("document.querySelector('#upload-result').innerText.includes('already in the corpus')"
                           " && !document.querySelector('#upload-result').innerText.includes('synthetic_00000.md: added')",
                           timeout=30_000)
    assert "Rebuild index" not in page.locator("#upload-result").inner_text()

    page.click("#rebuild")
    page.wait_for_function("document.querySelector('#build-report').innerText.includes('Building')",
                           timeout=30_000)
    # The stage is read as soon as the build shows (a small build may finish during the question below).
    stages = set(re.findall(r"stage (\w+)", page.locator("#build-report").inner_text()))
    tab(page, "Chat")
    text = ask(page, "Who is Alexander Gabuev?")  # answered from the previous index meanwhile
    assert "Carnegie" in text
    tab(page, "Index")
    # (A second rebuild while one runs is refused: tests/test_build.py, without a race against a fast build.)
    deadline = time.time() + 150
    while time.time() < deadline and "Built" not in (report := page.locator("#build-report").inner_text()):
        stages.update(re.findall(r"stage (\w+)", report))
        page.wait_for_timeout(300)
    assert "41 added" in page.locator("#build-report").inner_text()
    assert stages  # the stages were shown as the build went
    assert "45 articles" in page.locator("#index-status").inner_text()
    tab(page, "Articles")
    assert "Synthetic Wire (40)" in page.locator("#corpus-summary").inner_text()  # refreshed without a reload
    examples = page.locator("#examples").inner_text()
    tab(page, "Chat")  # the Filters' outlet list has the new outlet, without a reload
    page.click("#filters button, #filters .label-wrap")
    page.click("#outlets input")
    page.wait_for_selector("[data-testid='dropdown-option']:has-text('Synthetic Wire')", timeout=15_000)
    page.keyboard.press("Escape")
    # The 40 new articles quote their people more often than the seed articles quote anyone.
    assert any(f"What did {name} say?" in examples for name in PEOPLE), examples
    assert not EMOJI.findall(page.locator("#build-report").inner_text() + page.locator("#index-status").inner_text())

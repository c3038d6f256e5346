"""The page on real news: 60 articles of the benchmark news corpus, in a real browser.

The seed-corpus browser tests (tests/test_browser.py) check every control; this module checks
that the analyst's page holds on real articles from several outlets: an answer and its
sources side by side, a marker that scrolls only the sources panel, readable text in the dark
theme, and the Articles view with the corpus's outlets and date range.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time

import pytest

from index.build import build
from tests.helpers import PYTHON, ROOT, free_port, make_settings, subprocess_env
from tests.test_browser import (  # noqa: F401  (browser is a fixture)
    CONTRAST_JS,
    TEXT_SELECTORS,
    ask,
    browser,
    in_view,
    open_page,
    tab,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
ARTICLES = 60


@pytest.fixture(scope="module")
def news_app(tmp_path_factory):
    sys.path.insert(0, str(ROOT / "bench"))
    from common import news_records, write_news_corpus

    records = news_records(ARTICLES)
    base = tmp_path_factory.mktemp("news-web")
    write_news_corpus(base / "corpus", records)
    settings = make_settings(base / "corpus", base / "index")
    build(settings, quiet=True)
    port = free_port()
    env = subprocess_env(DOSSIER_CORPUS_DIR=str(base / "corpus"), DOSSIER_INDEX_DIR=str(base / "index"),
                         DOSSIER_PORT=str(port))
    log = open(base / "app.log", "w+")  # noqa: SIM115
    proc = subprocess.Popen([PYTHON, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.time() + 120
    while time.time() < deadline and "Running on local URL" not in (base / "app.log").read_text():
        if proc.poll() is not None:
            pytest.fail((base / "app.log").read_text())
        time.sleep(0.5)
    yield {"url": f"http://127.0.0.1:{port}", "records": records}
    proc.terminate()
    proc.wait(timeout=30)


def test_the_page_on_real_news(news_app, browser):  # noqa: F811
    first = news_app["records"][0]
    pg = open_page(news_app, browser, None, theme="dark")
    try:
        # A question made from an article's own title is answered from the corpus, with sources.
        text = ask(pg, f"What happened: {first['title']}?")
        assert "[1]" in text and "do not answer" not in text
        cards = pg.locator("#sources .src[id^='src-']")
        assert cards.count() >= 1
        assert any(first["title"][:40] in cards.nth(i).inner_text() for i in range(cards.count()))

        # The last marker brings its card into the sources panel; the answer stays in view.
        markers = pg.locator("#chat .message a[href^='#src-']")
        markers.last.click()
        target = markers.last.get_attribute("href")
        pg.wait_for_timeout(800)
        assert in_view(pg, target, "#sources")
        assert in_view(pg, "#chat .message:last-child")

        # Dark theme: the passages, highlights and metadata are readable.
        measured = pg.evaluate(CONTRAST_JS, TEXT_SELECTORS)
        assert any("src-text" in m[0] for m in measured)
        assert not [m for m in measured if m[1] < 4.5]

        # The Articles view holds the corpus: its size, outlets and date range.
        tab(pg, "Articles")
        summary = pg.locator("#corpus-summary").inner_text()
        assert f"{ARTICLES} articles" in summary
        dated = re.search(r"dated (\d{4}-\d\d-\d\d) to (\d{4}-\d\d-\d\d)", summary)
        published = {"{}-{:0>2}-{:0>2}".format(*re.split(r"[/-]", r["publish_date"].split()[0])[:3])
                     for r in news_app["records"]}
        assert dated and {dated.group(1), dated.group(2)} <= published, summary
        counts = [int(n) for n in re.findall(r"\((\d+)\)", summary.split("By outlet:")[1])]
        assert len(counts) >= 2 and sum(counts) == ARTICLES  # each outlet once, every article counted
        assert pg.locator("#articles-table .virtual-row").count() >= 1
    finally:
        pg.context.close()

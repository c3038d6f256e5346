"""Take the README's screenshots from the running app: an answer beside its sources, and the
Articles view with the cited article open at its passage.

    python docs/screenshot.py [URL] [QUESTION]
        (default http://127.0.0.1:7860 and the page's first example question;
         writes docs/screenshot.png and docs/screenshot-articles.png)
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DOCS = Path(__file__).resolve().parent


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:7860"
    question = sys.argv[2] if len(sys.argv) > 2 else None
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.goto(url + "/?__theme=light")
        page.wait_for_selector("#question textarea", timeout=120_000)
        page.wait_for_timeout(2000)  # let the page's load events settle
        if question is None:
            page.locator("#examples button").first.click()
            page.wait_for_function("document.querySelector('#question textarea').value.length > 0")
        else:
            page.fill("#question textarea", question)
        page.press("#question textarea", "Enter")
        page.wait_for_selector("#sources .src", timeout=120_000)
        page.wait_for_timeout(800)
        page.locator("#sources details").first.evaluate("d => d.open = true")
        markers = page.locator("#chat a[href^='#src-']")
        if markers.count() > 1:
            markers.nth(1).click()
            page.wait_for_timeout(800)
        page.screenshot(path=str(DOCS / "screenshot.png"))
        page.locator("#sources button.open-article").first.click()
        page.wait_for_selector("#article-view #article-passage", timeout=60_000)
        page.wait_for_timeout(1200)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(DOCS / "screenshot-articles.png"), full_page=True)
        browser.close()
    print(DOCS / "screenshot.png", DOCS / "screenshot-articles.png")


if __name__ == "__main__":
    main()

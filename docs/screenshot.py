"""Take the README's screenshot from the running app: a real answer with its sources open.

    python docs/screenshot.py [URL] [OUT.png]      (default http://127.0.0.1:7860, docs/screenshot.png)
"""

from __future__ import annotations

import sys

from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:7860"
    out = sys.argv[2] if len(sys.argv) > 2 else "docs/screenshot.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.wait_for_timeout(3000)  # let the page's load events settle
        page.fill("#question textarea", "What did analysts say about China aiding Russia?")
        page.press("#question textarea", "Enter")
        page.wait_for_selector("#sources .src", timeout=120_000)
        page.locator("#sources details").first.evaluate("d => d.open = true")
        page.click("#chat a[href^='#src-']")
        page.wait_for_timeout(800)
        page.screenshot(path=out, full_page=True)
        browser.close()
    print(out)


if __name__ == "__main__":
    main()

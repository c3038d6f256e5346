"""Every supported format loads; every bad file is skipped with a reason, never a crash."""

from __future__ import annotations

import json

from index.build import prepare
from index.loading import load_corpus, normalize_date
from tests.helpers import make_settings

BODY = "The council approved the new budget on Monday after a long debate about school funding."


def test_formats_and_metadata(tmp_path):
    c = tmp_path / "c"
    c.mkdir()
    (c / "a.txt").write_text(BODY, encoding="utf-8")
    (c / "a.meta.json").write_text(json.dumps({"title": "Budget passes", "outlet": "Gazette",
                                               "date": "March 4, 2024", "url": "https://g.example/a"}))
    (c / "b.md").write_text(f"---\ntitle: Front matter\nsource: Wire\npublished: 2024-01-02\n---\n{BODY}\n")
    (c / "c.html").write_text(
        "<html><head><title>HTML title</title><meta property='og:site_name' content='Site'>"
        "<meta property='article:published_time' content='2023-07-08T10:00:00Z'></head>"
        f"<body><nav>Menu Home</nav><p>{BODY}</p><script>alert(1)</script></body></html>")
    (c / "d.jsonl").write_text(
        json.dumps({"id": "x1", "title": "J1", "text": BODY, "source": "S"}) + "\n" + "not json\n"
        + json.dumps({"title": "no text"}) + "\n")
    (c / "e.json").write_text(json.dumps([{"headline": "E1", "body": BODY, "link": "https://www.news.example/e"}]))
    (c / "f.csv").write_text("article_id,publish_date,article_source_link,title,subtitle,text\n"
                             f"7,2017-01-05,https://www.bbc.co.uk/n/1,CSV title,sub,\"{BODY}\"\n")
    articles, skipped = load_corpus(c, 1_000_000)
    by_title = {a.meta.title: a for a in articles}
    assert set(by_title) == {"Budget passes", "Front matter", "HTML title", "J1", "E1", "CSV title"}
    assert by_title["Budget passes"].meta.source == "Gazette"
    assert by_title["Budget passes"].meta.published == "2024-03-04"
    assert by_title["Front matter"].meta.published == "2024-01-02"
    assert by_title["HTML title"].meta.source == "Site"
    assert "alert" not in by_title["HTML title"].text and "Menu" not in by_title["HTML title"].text
    assert by_title["E1"].meta.source == "news.example"
    assert by_title["CSV title"].meta.source == "bbc.co.uk"
    assert by_title["CSV title"].article_id == "f.csv#7"
    reasons = {s.path: s.reason for s in skipped}
    assert "invalid JSON" in reasons["d.jsonl#2"]
    assert "no text" in reasons["d.jsonl#3"]


def test_bad_files_are_skipped_with_reasons(tmp_path):
    c = tmp_path / "bad"
    c.mkdir()
    (c / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 10)
    (c / "empty.txt").write_bytes(b"")
    (c / "blank.md").write_text("   \n\n  ")
    (c / "latin1.txt").write_bytes(
        ("Le président a déclaré que l'économie française était très résiliente malgré la crise. " * 3)
        .encode("latin-1"))
    (c / "huge.txt").write_bytes(b"word " * (4 * 1024 * 1024))  # 20 MB
    (c / "hostile.html").write_text(
        "<html><body><p>Officials confirmed on Sunday that the bridge will reopen next month after repairs.</p>"
        "<script>document.title='pwned'</script><img src=x onerror=alert(1)></body></html>")
    (c / "furniture.txt").write_text("Skip to content\nShare this article:\n© 2024 Site\nTrending\n")
    (c / "image.png").write_bytes(b"\x89PNG\r\n")
    (c / "broken.json").write_text("{not json")
    settings = make_settings(c, tmp_path / "idx", max_file_mb=10)
    prepared = prepare(settings)
    reasons = {s.path: s.reason for s in prepared.skipped}
    assert reasons["binary.txt"].startswith("binary")
    assert reasons["empty.txt"] == "empty file"
    assert reasons["blank.md"] == "empty file"
    assert reasons["huge.txt"].startswith("too large")
    assert "page furniture" in reasons["furniture.txt"]
    assert "unsupported file type" in reasons["image.png"]
    assert "invalid JSON" in reasons["broken.json"]
    texts = {a.path: a.text for a in prepared.articles}
    assert "président" in texts["latin1.txt"] and "économie" in texts["latin1.txt"]
    assert "pwned" not in texts["hostile.html"] and "bridge will reopen" in texts["hostile.html"]
    assert set(texts) == {"latin1.txt", "hostile.html"}


def test_dates_normalize():
    assert normalize_date("2022-12") == "2022-12"
    assert normalize_date("2023-02-03T15:47:22.845Z") == "2023-02-03"
    assert normalize_date("Feb 3, 2023") == "2023-02-03"
    assert normalize_date("not a date") is None

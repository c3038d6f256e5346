"""The web page's pure parts: inert markdown, the article link's real host, free-form dates,
k and error messages, the login throttle, Markdown export."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from assistant.render import escape_markdown, safe_link
from index.errors import BadInput, DossierError
from index.generations import IndexCorrupt, IndexMissing
from web import export
from web.corpus_view import ago
from web.dates import DateError, parse_date, parse_range
from web.security import LoginThrottle, has_remote_file, same_origin


@pytest.mark.parametrize("text", ["see http://evil.example/pixel.png now", "www.evil.example", "mail tips@evil.example",
                                  "![x](http://evil.example/a.png)", "[here](javascript:alert(1))",
                                  "<img src=x onerror=alert(1)>", "<http://evil.example>", "www.evil.example.txt"])
def test_escaped_markdown_has_no_link_start(text):
    md = escape_markdown(text)
    # Every ASCII punctuation character is escaped, so no "www.", "://", "@", "<" or "](" is left to parse.
    assert not re.search(r"[!-/:-@\[-`{-~]", re.sub(r"\\[!-/:-@\[-`{-~]", "", md))
    assert md.replace("\\", "") == text  # shown literally


@pytest.mark.parametrize(("url", "host"), [
    ("https://www.cnn.com/2023/02/03/china.html", "www.cnn.com"),
    ("https://www.cnn.com@evil.example/x", "evil.example"),  # userinfo is not the host
    ("http://user:pw@evil.example:8080/a", "evil.example"),
    ("https://bücher.example/a", "xn--bcher-kva.example"),  # shown as the ASCII the browser uses
    ("https://evil.example/\u202egnp.elgoog", "evil.example"),  # bidi in the path cannot fake the host
])
def test_safe_link_shows_the_real_host(url, host):
    href, shown = safe_link(url)
    assert shown == host
    assert href.split("/")[2].split(":")[0] == host and "@" not in href.split("/")[2]
    assert all(ord(c) < 128 for c in href)


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:text/html,x", "ftp://x.example/", "//evil.example/x",
                                 "https://\u202eelgoog.com/", "https://evil .example/", "http:///nohost", None, ""])
def test_safe_link_refuses_what_is_not_plain_http(url):
    assert safe_link(url) is None


@pytest.mark.parametrize(("text", "iso"), [("Feb 2017", "2017-02"), ("2017-02-07", "2017-02-07"), ("2017", "2017"),
                                           ("7 February 2017", "2017-02-07"), ("2017-2", "2017-02"),
                                           ("February 7, 2017", "2017-02-07"), ("", None), ("  ", None)])
def test_free_form_dates(text, iso):
    assert parse_date(text) == iso


@pytest.mark.parametrize("text", ["yesterday-ish", "Feb", "2017-13", "31/31/2017", "9" * 1_000_000, "12"])
def test_bad_dates_are_refused_without_echo(text):
    with pytest.raises(DateError) as err:
        parse_date(text, "Since")
    msg = str(err.value)
    assert msg.startswith("Since") and len(msg) < 120 and "99999" not in msg


def test_reversed_range_is_an_error_and_a_month_range_is_not():
    with pytest.raises(DateError, match="after"):
        parse_range("March 2017", "Feb 2017")
    assert parse_range("Feb 2017", "2017-02-07").since == "2017-02"


def test_user_messages_hide_paths_and_raw_errors():
    import app

    for exc in (IndexMissing("no index yet in /srv/secret/index"), IndexCorrupt("bad /srv/secret/x"),
                ValueError("invalid literal for int() with base 10: 'x'"), RuntimeError("/srv/secret")):
        msg = app.user_message(exc)
        assert "/srv" not in msg and "invalid literal" not in msg
    assert app.check_k(0, allow_default=True) is None and app.check_k("7", allow_default=False) == 7
    for bad in (0, 51, -5, 10**6, "abc", None):
        with pytest.raises(BadInput) as err:
            app.check_k(bad, allow_default=False)
        assert app.user_message(err.value) == str(err.value)  # the user's mistake, in our words


def test_every_user_facing_error_is_one_type_with_one_page_message():
    """Dates, filters, k and the index's own errors are DossierErrors; the page words each kind once."""
    import app
    from assistant.generative import GenerationUnavailable
    from assistant.retrieval import BadFilter
    from index.store import StoreUnavailable

    assert issubclass(DateError, DossierError) and issubclass(BadFilter, DossierError)
    assert not any(isinstance(v, type) and issubclass(v, Exception) and v.__module__ == "app"
                   for v in vars(app).values())  # app.py defines no error class of its own
    assert app.user_message(IndexCorrupt("bad /srv/x")) == app.user_message(IndexCorrupt("other")) == app.DAMAGED
    assert app.user_message(StoreUnavailable("down")) == app.user_message(GenerationUnavailable("down"))
    with pytest.raises(DateError) as err:
        parse_range("March 2017", "Feb 2017")
    assert app.user_message(err.value) == str(err.value)


def test_login_throttle_doubles_and_resets():
    now = [0.0]
    t = LoginThrottle(free=3, base_s=1, cap_s=8, clock=lambda: now[0])
    for _ in range(2):
        t.failed("a")
    assert t.wait_s("a") == 0
    waits = []
    for _ in range(5):
        t.failed("a")
        waits.append(t.wait_s("a"))
    assert waits == [1, 2, 4, 8, 8]
    assert t.wait_s("b") == 0
    t.succeeded("a")
    assert t.wait_s("a") == 0


def test_remote_file_payloads_and_origins():
    assert has_remote_file({"data": [[{"path": "http://x.example/a.txt"}]]})
    assert has_remote_file({"data": [{"path": " //x.example/a"}]})
    assert has_remote_file({"data": [{"path": "file:///etc/passwd"}]})
    assert not has_remote_file({"data": [{"path": "/tmp/dossier-web-x/a.txt"}, "http://text.example"]})
    assert same_origin("http://127.0.0.1:7860", "127.0.0.1:7860")
    assert not same_origin("http://evil.example", "127.0.0.1:7860") and not same_origin("null", "127.0.0.1:7860")


def test_export_has_numbered_references():
    rec = {"question": "Who said it?", "answer": "He said it. [1]", "refused": False, "filters": "none",
           "citations": [{"marker": 1, "title": "A title", "source": "CNN", "published": "2023-02-03",
                          "url": "https://www.cnn.com@evil.example/a", "text": "Intro. He said it.", "char_start": 100,
                          "char_end": 118, "highlights": [[107, 118]]}]}
    md = export.conversation_markdown([rec, rec])
    assert md.count("### References") == 2 and "## 2. Who said it?" in md
    assert "[1] **A title**, CNN, 2023-02-03, https://evil.example/a" in md
    assert "> He said it." in md and "Intro" not in md
    ans = export.answer_from_record(rec)
    assert ans.citations[0].marker == 1 and ans.citations[0].highlights == [[107, 118]]
    assert export.answer_from_record({"citations": [{"marker": "x", "highlights": "bad"}]}) is not None


def test_build_time_reads_as_ago_with_utc():
    now = datetime(2026, 11, 25, 11, 12, tzinfo=UTC)
    assert ago("2026-11-25T09:12:00+00:00", now) == "2 hours ago (2026-11-25 09:12 UTC)"
    assert ago("garbage", now) == "at an unknown time"


def test_examples_and_table_come_from_the_indexed_articles():
    from types import SimpleNamespace

    from index.models import Article, ArticleMeta, Chunk
    from web import corpus_view

    arts = {f"a{i}": Article(f"a{i}", f"a{i}.md", "text", ArticleMeta(title, outlet, date))
            for i, (title, outlet, date) in enumerate([
                ("Harbour reopens after the storm - Island Post", "Island Post", "2024-04-02"),
                ("Will robots replace workers by 2030?", "Tech Daily", "2024-03-01"),
                ("Short", "Tech Daily", "2024-02-01"), ("Council approves the new tram line", "City Wire", None)])}
    snap = SimpleNamespace(articles=arts, chunks=[Chunk("c0", "a0", 0, "t", 0, 1), Chunk("c1", "a0", 1, "t", 1, 2)])
    assert corpus_view.example_questions(snap) == [
        "What do the articles report about “Harbour reopens after the storm”?",  # the outlet suffix dropped
        "Will robots replace workers by 2030?",
        "What do the articles report about “Council approves the new tram line”?"]
    s = corpus_view.summary(snap)
    assert (s.first, s.last, s.undated, s.outlets[0]) == ("2024-02-01", "2024-04-02", 1, ("Tech Daily", 2))
    rows = corpus_view.rows(snap)
    assert rows[0].chunks == 2 and rows[-1].published == ""
    assert [r.title for r in corpus_view.filter_rows(rows, "ROBOTS")] == ["Will robots replace workers by 2030?"]
    assert len(corpus_view.filter_rows(rows, since="2024-03")) == 2
    assert len(corpus_view.filter_rows(rows, outlets=["Tech Daily"], until="2024-02")) == 1


def test_answer_tables_keep_their_header_separator():
    """A perspectives table renders as a table: the separator row stays raw dashes, cells are escaped."""
    from assistant.render import answer_markdown
    from assistant.types import Answer, Passage

    p = Passage("c1", "a1", "T", "cnn.com", "2017-02-07", None, "x", 0, 1, marker=1)
    text = "| Speaker | Statement |\n| --- | --- |\n| Jane <b>Doe</b> | It *rose* [1] |"
    md = answer_markdown(Answer("q", "q", text, False, [p], [p], [], "extractive", {}))
    rows = md.splitlines()
    assert rows[1] == "| --- | --- |"
    assert "<b>" not in md and "\\<b\\>" in rows[2] and "(#src-1)" in rows[2]


def _marks(fragment: str) -> list[str]:
    import html

    return [html.unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", fragment, re.S)]


def _plain(fragment: str) -> str:
    import html

    return html.unescape(re.sub(r"<[^>]+>", "", fragment.replace("<br>", "\n")))


def test_highlights_mark_exactly_the_cited_article_text():
    """The card's quote and the surrounding-text view mark the same article characters as the cited
    spans (article offsets), adjacent cited sentences as one mark with no unmarked gap."""
    from assistant.render import source_card
    from assistant.types import Passage

    article = ("Intro line.\nThe strike killed three soldiers. In a signal of calm, Peskov spoke on Friday. "
               "Erdogan will visit <Moscow> & Kazan. Later text follows here.")
    a = article.index("The strike")
    b = article.index(" Later")
    s1 = (a, article.index(" In a"))
    s2 = (article.index("In a"), article.index(" Erdogan"))
    s3 = (article.index("Erdogan"), b)
    p = Passage("c1", "a1", "T", "cnn.com", None, None, article[a:b], a, b, marker=1, highlights=[list(s2), list(s1)])
    card = source_card(p, article, "[1]")
    quote = re.search(r'<blockquote class="src-text">(.*?)</blockquote>', card, re.S).group(1)
    context = re.search(r'<div class="ctx-text">(.*?)</div>', card, re.S).group(1)
    expected = article[s1[0] : s2[1]]  # two adjacent sentences: one mark, the space between included
    assert _marks(quote) == [expected] and _marks(context) == [expected]
    assert _plain(context) == article  # the whole text, in order, nothing shifted or doubled
    before = _plain(context.split("<mark>")[0])
    assert before == article[: s1[0]]  # the mark starts exactly at the cited sentence
    p.highlights = [list(s1), list(s3)]  # not adjacent: two marks, each exactly its sentence
    card = source_card(p, article, "[1]")
    context = re.search(r'<div class="ctx-text">(.*?)</div>', card, re.S).group(1)
    assert _marks(context) == [article[s1[0] : s1[1]], article[s3[0] : s3[1]]]
    assert "&lt;Moscow&gt; &amp; Kazan" in context  # still escaped


def test_examples_alternate_recent_titles_and_quoted_people():
    from types import SimpleNamespace

    from index.models import Article, ArticleMeta
    from web import corpus_view

    arts = {f"a{i}": Article(f"a{i}", f"a{i}.md", "text", ArticleMeta(f"Headline number {i} of the day", "X", f"2024-01-0{i + 1}"))
            for i in range(4)}
    snap = SimpleNamespace(articles=arts, chunks=[])
    got = corpus_view.example_questions(snap, people=["Maria Ortiz", "Kenji Sato", "Third Person"])
    assert got == ["What do the articles report about “Headline number 3 of the day”?", "What did Maria Ortiz say?",
                   "What do the articles report about “Headline number 2 of the day”?", "What did Kenji Sato say?"]
    assert len(corpus_view.example_questions(snap, people=[])) == 4  # titles fill the places


@pytest.mark.slow
def test_most_quoted_people_are_speakers_not_places_or_mentions():
    """Real spaCy: a person quoted in fewer articles ranks below one quoted in more; a place and an
    organisation mentioned more often than anyone, and a person only mentioned, are not proposed."""
    from assistant.quoted import most_quoted

    texts = []
    for i in range(6):
        texts.append(f"The New Harbor council met on day {i} in Port Elsworth. \"We will build the seawall,\" "
                     f"said Maria Ortiz, the mayor. Port Elsworth has waited for years.")
    for i in range(3):
        texts.append(f"Kenji Sato told reporters on day {i} that the budget was ready. The New Harbor council "
                     f"agreed. Residents of Port Elsworth cheered when Lena Fischer arrived.")
    texts.append("According to Lena Fischer, nothing changed.")
    for i in range(8):
        texts.append(f"A photo of Lena Fischer hung in the hall on day {i}. Port Elsworth and the New Harbor council "
                     "were closed. Otto Brandt painted the door.")
    assert most_quoted(texts, 3) == ["Lena Fischer", "Maria Ortiz", "Kenji Sato"]  # most mentioned first
    people = most_quoted(texts, 5)
    assert "Otto Brandt" not in people  # mentioned in 8 articles, quoted in none
    assert not {"Port Elsworth", "New Harbor", "Harbor council"} & set(people)

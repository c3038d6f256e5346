"""Reading a question: outlets and dates as filters, the answer type asked for, its language.

Fast: no embedding model is loaded.
"""

from __future__ import annotations

from datetime import date

import pytest

from assistant.answer_types import AnswerType, expected_type, holds
from assistant.language import foreign_language
from assistant.question import Outlet, parse
from assistant.sentences import sentence_spans
from assistant.types import Filters

# Outlets as an index of news pages stores them: a domain (from the URL) or a given name.
OUTLETS = [Outlet.of(s, [u] if u else []) for s, u in [
    ("cnn.com", "http://www.cnn.com/2017/02/07/x"), ("bbc.co.uk", "http://www.bbc.co.uk/news/x"),
    ("aljazeera.com", "http://www.aljazeera.com/news/x"), ("abcnews.go.com", "http://abcnews.go.com/x"),
    ("europe.chinadaily.com.cn", "http://europe.chinadaily.com.cn/x"), ("huffingtonpost.com", "http://www.huffingtonpost.com/x"),
    ("rte.ie", "http://www.rte.ie/news/x"), ("dw.com", "http://www.dw.com/en/x"), ("tass.com", "http://tass.com/x"),
    ("The Daily Planet", ""),
]]
LATEST = date(2017, 3, 31)


@pytest.mark.parametrize("question, sources", [
    ("How did CNN report the bombing in Kabul?", ("cnn.com",)),
    ("According to the BBC, how many people died?", ("bbc.co.uk",)),
    ("What did Al Jazeera say about the strike?", ("aljazeera.com",)),
    ("What did ABC News report about the fire?", ("abcnews.go.com",)),
    ("How did China Daily cover the summit?", ("europe.chinadaily.com.cn",)),
    ("What did HuffPost write about the bill?", ("huffingtonpost.com",)),
    ("What did the Huffington Post write about the bill?", ("huffingtonpost.com",)),
    ("What did RTÉ say about Brexit?", ("rte.ie",)),
    ("What did Deutsche Welle say about Merkel?", ("dw.com",)),
    ("What did TASS report on Aleppo?", ("tass.com",)),
    ("What did The Daily Planet say about the mayor?", ("The Daily Planet",)),
    ("How did CNN and Al Jazeera report the attack?", ("cnn.com", "aljazeera.com")),
])
def test_outlets_named_as_people_write_them(question, sources):
    parsed = parse(question, OUTLETS, LATEST)
    assert parsed.sources == sources
    for phrase in parsed.phrases:  # the outlet's words are not evidence the passages must hold
        assert phrase not in parsed.content


@pytest.mark.parametrize("question", [
    "What did Trump say about CNN?",           # the outlet is the topic
    "What will China do about trade?",          # a country, not China Daily
    "Why did the Chinese government act?",
    "What did the White House say?",
])
def test_no_outlet_filter_where_none_is_meant(question):
    assert parse(question, OUTLETS, LATEST).sources == ()


@pytest.mark.parametrize("question, since, until", [
    ("What happened in Mosul in February 2017?", "2017-02", "2017-02"),
    ("What did the minister say on 7 March?", "2017-03-06", "2017-03-08"),
    ("What was announced on March 7, 2017?", "2017-03-06", "2017-03-08"),
    ("What happened on 2017-02-07 in Mosul?", "2017-02-06", "2017-02-08"),
    ("What did Xi say last December?", "2016-12", "2016-12"),   # the December before the corpus ends
    ("What were the main stories in January?", "2017-01", "2017-01"),
    ("What changed during 2016?", "2016", "2016"),
])
def test_dates_become_a_period(question, since, until):
    parsed = parse(question, OUTLETS, LATEST)
    assert (parsed.since, parsed.until) == (since, until)


@pytest.mark.parametrize("question", [
    "Who won the 2016 election?",          # a year that names the topic, not the period
    "Who won the April 16 referendum?",
    "What did the minister promise to deliver by 2020?",   # a target, not a period
    "What is planned in 2020?",                            # after the newest article: a topic
    "What may the court decide?",           # "may" the verb
    "Will Theresa May trigger Article 50?",  # May the person
    "How many people were killed?",
])
def test_no_date_filter_where_none_is_meant(question):
    parsed = parse(question, OUTLETS, LATEST)
    assert (parsed.since, parsed.until) == (None, None)


def test_question_filters_narrow_the_users():
    parsed = parse("What did CNN report in February 2017?", OUTLETS, LATEST)
    assert parsed.filters(Filters()).sources == ("cnn.com",)
    assert parsed.filters(Filters()).describe() == "outlet cnn.com · 2017-02"
    # The user already chose another outlet: nothing can match both, and the answer says so.
    assert "none" in parsed.filters(Filters(sources=("bbc.co.uk",))).describe()


@pytest.mark.parametrize("question, kind", [
    ("How many people were killed in the attack?", AnswerType.NUMBER),
    ("How much did the new stadium cost?", AnswerType.MONEY),
    ("What percentage of voters backed the plan?", AnswerType.PERCENT),
    ("When did the ceasefire begin?", AnswerType.DATE),
    ("Where did the plane crash?", AnswerType.PLACE),
    ("In which city was the summit held?", AnswerType.PLACE),
    ("Who is the new head of the agency?", AnswerType.PERSON),
    ("Why did the doctors go on strike?", AnswerType.REASON),
    ("What did the report say about pollution?", AnswerType.OTHER),
])
def test_expected_answer_type(question, kind):
    assert expected_type(question) is kind


def test_a_sentence_must_hold_what_is_asked_not_what_the_question_gives():
    q = "How many people died in the 2016 floods?"
    assert holds(AnswerType.NUMBER, ["At least 42 people died, officials said.",
                                     "The 2016 floods hit the north hardest."], q) == [True, False]
    assert holds(AnswerType.MONEY, ["The bridge cost $4.5 billion.", "The bridge is 4 km long."]) == [True, False]
    assert holds(AnswerType.PERCENT, ["Turnout rose to 81 percent.", "Turnout rose sharply."]) == [True, False]


def test_a_figure_must_be_about_what_is_counted():
    q = "How many seats did the party win?"
    assert holds(AnswerType.NUMBER, ["The party won 33 seats in the vote.",
                                     "On March 12, the party held its 3rd congress."], q) == [True, False]
    q = "How old is the singer?"
    assert holds(AnswerType.NUMBER, ["The 27-year-old singer will perform.", "The singer, 27, will perform.",
                                     "On March 12, 2017 the singer was chosen."], q) == [True, True, False]


def test_the_counted_thing_is_any_word_of_its_phrase_and_a_share_may_be_a_ratio():
    q = "How many mobile phones were stolen in Ireland?"
    assert holds(AnswerType.NUMBER, ["A total of 5,703 phones were stolen last year.",
                                     "Thefts fell in 12 counties."], q) == [True, False]
    q = "What share of the old coins are believed to be fake?"
    assert holds(AnswerType.PERCENT, ["About one in 40 of the old coins are thought to be fake.",
                                      "Two-thirds of coins are in circulation.", "The coins are fake."],
                 q) == [True, True, False]


def test_sentences_are_not_cut_at_abbreviations_or_initials():
    text = ('Mr. Trump met Mrs. May in Washington. The U.S. President said John F. Kennedy was a model. '
            '"Really?" she asked. Dr. Smith agreed. Growth was 5.5 per cent in Jan. last year.')
    got = [text[s:e] for s, e in sentence_spans(text)]
    assert got == ["Mr. Trump met Mrs. May in Washington.",
                   "The U.S. President said John F. Kennedy was a model.",
                   '"Really?" she asked.', "Dr. Smith agreed.", "Growth was 5.5 per cent in Jan. last year."]


def _known(word: str) -> bool:
    """A stand-in for the index vocabulary: ordinary English content words."""
    return word in {"killed", "people", "attack", "said", "sanctions", "minister", "report", "bombing"}


@pytest.mark.parametrize("question, language", [
    ("¿Qué dijo el ministro sobre las sanciones?", "Spanish"),
    ("Qué dijo Putin sobre Trump?", "Spanish"),
    ("Was hat Merkel über Flüchtlinge gesagt?", "German"),
    ("Что сказал Путин о Трампе?", "Russian"),
    ("普京对特朗普说了什么？", "Chinese"),
])
def test_questions_in_other_languages_are_recognised(question, language):
    assert foreign_language(question, _known) == language


@pytest.mark.parametrize("question", [
    "How many people were killed in the attack?", "What did Putin say about Trump?", "Who is Peskov?",
    "Summarize the articles", "Aleppo?", "Did Theresa May trigger Article 50?", "Was Fillon charged?",
])
def test_english_questions_pass(question):
    assert foreign_language(question, _known) is None
